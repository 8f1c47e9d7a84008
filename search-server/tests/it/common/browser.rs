//! A browser for the portal's tests: it keeps cookies, comes from one address, posts forms
//! and reads their CSRF tokens; and a world with a portal store.

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode, header};
use chrono::Utc;
use tower::ServiceExt;
use vindwerk_model::{Role, UserId};
use vindwerk_search_server::portal::hash_password;
use vindwerk_search_server::{Portal, app};
use vindwerk_store::{NewUser, Store};

pub const PASSWORD: &str = "lange-wachtwoord-42";

pub struct World {
    pub app: Router,
    pub db: std::path::PathBuf,
    pub vacancies: Vec<vindwerk_model::Vacancy>,
    pub _dir: tempfile::TempDir,
}

pub fn world() -> World {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("vindwerk.db");
    let portal = Portal::open(&db).expect("portal store");
    let vacancies = super::world(20);
    let state = super::state(&vacancies).with_portal(portal);
    World {
        app: app(state),
        db,
        vacancies,
        _dir: dir,
    }
}

/// A user added the way the operator's command adds one.
pub fn add_user(db: &std::path::Path, email: &str, roles: &[Role]) {
    let mut store = Store::open(db).expect("store");
    let hash = hash_password(PASSWORD).expect("hash");
    store
        .write(|batch| {
            batch.create_user(
                &NewUser {
                    id: &UserId::new(format!("u-{}", email.replace(['@', '.'], "-"))),
                    email,
                    name: email,
                    password_hash: &hash,
                    roles,
                },
                Utc::now(),
            )
        })
        .expect("user");
}

pub struct Answer {
    pub status: StatusCode,
    pub location: Option<String>,
    pub set_cookies: Vec<String>,
    pub body: String,
}

/// A browser: keeps cookies, comes from one address.
pub struct Browser {
    app: Router,
    pub cookies: BTreeMap<String, String>,
    pub address: SocketAddr,
}

impl Browser {
    pub fn new(world: &World) -> Browser {
        Browser {
            app: world.app.clone(),
            cookies: BTreeMap::new(),
            address: "127.0.0.1:50000".parse().expect("address"),
        }
    }

    pub async fn send(&mut self, request: Request<Body>) -> Answer {
        let mut request = request;
        let cookie_header = self
            .cookies
            .iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect::<Vec<_>>()
            .join("; ");
        if !cookie_header.is_empty() {
            request.headers_mut().insert(
                header::COOKIE,
                cookie_header.parse().expect("cookie header"),
            );
        }
        request.extensions_mut().insert(ConnectInfo(self.address));
        let response = self.app.clone().oneshot(request).await.expect("router");
        let status = response.status();
        let location = response
            .headers()
            .get(header::LOCATION)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned);
        let set_cookies: Vec<String> = response
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .map(str::to_owned)
            .collect();
        for cookie in &set_cookies {
            let pair = cookie.split(';').next().unwrap_or_default();
            if let Some((name, value)) = pair.split_once('=') {
                if value.is_empty() || cookie.contains("Max-Age=0") {
                    self.cookies.remove(name);
                } else {
                    self.cookies.insert(name.to_owned(), value.to_owned());
                }
            }
        }
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("body");
        Answer {
            status,
            location,
            set_cookies,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    pub async fn get(&mut self, uri: &str) -> Answer {
        self.send(Request::get(uri).body(Body::empty()).expect("request"))
            .await
    }

    pub async fn post(&mut self, uri: &str, fields: &[(&str, &str)]) -> Answer {
        let body = fields
            .iter()
            .map(|(name, value)| format!("{name}={}", super::encode(value)))
            .collect::<Vec<_>>()
            .join("&");
        let request = Request::post(uri)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .expect("request");
        self.send(request).await
    }

    /// The CSRF token of the form on page `uri`.
    pub async fn csrf(&mut self, uri: &str) -> String {
        let page = self.get(uri).await;
        assert_eq!(page.status, StatusCode::OK, "{uri}: {}", page.body);
        csrf_of(&page.body)
    }

    pub async fn sign_up(&mut self, name: &str, email: &str) -> Answer {
        self.sign_up_back_to(name, email, "").await
    }

    /// Signs up from a page that sent here to come `back` (an invitation makes an account
    /// for following a circle only).
    pub async fn sign_up_back_to(&mut self, name: &str, email: &str, back: &str) -> Answer {
        let csrf = self.csrf("/aanmelden").await;
        self.post(
            "/aanmelden",
            &[
                ("csrf", &csrf),
                ("name", name),
                ("email", email),
                ("password", PASSWORD),
                ("password_again", PASSWORD),
                ("back", back),
            ],
        )
        .await
    }

    /// The signed-in user's id (from their data export).
    pub async fn user_id(&mut self) -> String {
        let data = self.get("/account/gegevens.json").await;
        let json: serde_json::Value = serde_json::from_str(&data.body).expect("json");
        json["account"]["id"].as_str().expect("id").to_owned()
    }

    pub async fn sign_in(&mut self, email: &str, password: &str) -> Answer {
        let csrf = self.csrf("/inloggen").await;
        self.post(
            "/inloggen",
            &[("csrf", &csrf), ("email", email), ("password", password)],
        )
        .await
    }
}

pub fn csrf_of(html: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let start = html.find(marker).expect("a form with a csrf token") + marker.len();
    html[start..].chars().take_while(|c| *c != '"').collect()
}

/// The invitation path in the page that shows a new link.
pub fn invitation_path(html: &str) -> String {
    let start = html.find("/uitnodiging/").expect("an invitation link");
    html[start..]
        .chars()
        .take_while(|c| *c != '"' && *c != '<')
        .collect()
}

/// Signs up `name` as a new seeker; returns their user id (from the data export).
pub async fn seeker(browser: &mut Browser, name: &str, email: &str) -> String {
    assert_eq!(
        browser.sign_up(name, email).await.status,
        StatusCode::SEE_OTHER
    );
    browser.user_id().await
}

pub async fn invite(browser: &mut Browser, name: &str) -> String {
    let csrf = browser.csrf("/kring").await;
    let page = browser
        .post("/kring/uitnodigen", &[("csrf", &csrf), ("name", name)])
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    invitation_path(&page.body)
}

pub async fn log_step(browser: &mut Browser, note: &str, shared: bool) {
    let csrf = browser.csrf("/acties").await;
    let mut fields = vec![
        ("csrf", csrf.as_str()),
        ("kind", "letter"),
        ("position", "Verpleegkundige"),
        ("employer", "Zorggroep <Noord>"),
        ("note", note),
    ];
    if shared {
        fields.push(("shared", "1"));
    }
    let logged = browser.post("/acties", &fields).await;
    assert_eq!(logged.status, StatusCode::SEE_OTHER, "{}", logged.body);
}

/// The routes `portal/mod.rs` registers, as (method, path pattern).
pub fn registered_routes() -> BTreeSet<(String, String)> {
    let source = include_str!("../../../src/portal/mod.rs");
    let body = &source[source.find("pub fn routes()").expect("the routes function")..];
    let body = &body[..body.find("\n}\n").expect("its end")];
    let flat: String = body.split_whitespace().collect::<Vec<_>>().join(" ");
    let route = regex::Regex::new(
        r#"\.route\( ?(?:"([^"]+)"|crate::routes::(\w+)), ?((?:\.?(?:get|post)\([\w:]+\))+),? ?\)"#,
    )
    .expect("pattern");
    let method = regex::Regex::new(r"(get|post)\(").expect("pattern");
    let mut routes = BTreeSet::new();
    for found in route.captures_iter(&flat) {
        let path = match (found.get(1), found.get(2)) {
            (Some(path), _) => path.as_str().to_owned(),
            (None, Some(name)) if name.as_str() == "SHORTLIST_CSV" => {
                vindwerk_search_server::routes::SHORTLIST_CSV.to_owned()
            }
            other => panic!("an unknown route constant {other:?}"),
        };
        for verb in method.captures_iter(&found[3]) {
            routes.insert((verb[1].to_ascii_uppercase(), path.clone()));
        }
    }
    assert!(routes.len() > 40, "the routes were read: {routes:?}");
    routes
}

/// Whether `path` is an instance of `pattern` (`{name}` matches one segment, or a file name
/// with its extension).
pub fn matches(pattern: &str, path: &str) -> bool {
    let path = path.split('?').next().unwrap_or(path);
    let (pattern, path): (Vec<_>, Vec<_>) =
        (pattern.split('/').collect(), path.split('/').collect());
    pattern.len() == path.len()
        && pattern
            .iter()
            .zip(&path)
            .all(|(want, got)| (want.starts_with('{') && !got.is_empty()) || want == got)
}

/// A method, a path, the form's fields but the token, and the status per role.
pub struct Case {
    pub method: &'static str,
    pub path: String,
    pub fields: Vec<(&'static str, String)>,
    pub expected: [u16; 7],
}

pub fn get(path: impl Into<String>, expected: [u16; 7]) -> Case {
    Case {
        method: "GET",
        path: path.into(),
        fields: Vec::new(),
        expected,
    }
}

pub fn post(path: impl Into<String>, fields: &[(&'static str, &str)], expected: [u16; 7]) -> Case {
    Case {
        method: "POST",
        path: path.into(),
        fields: fields
            .iter()
            .map(|(name, value)| (*name, (*value).to_owned()))
            .collect(),
        expected,
    }
}

/// Sends `case` as `person` (the visitor `role`, `anonymous` when signed out): a form first
/// with a forged token, which must be refused (303 to sign in, or 403), then with the token
/// of their account page. Notes in `wrong` what differs from `case.expected[n]`.
pub async fn visit(
    person: &mut Browser,
    n: usize,
    role: &str,
    case: &Case,
    wrong: &mut Vec<String>,
) -> Answer {
    let answer = if case.method == "GET" {
        person.get(&case.path).await
    } else {
        let csrf = if n == 0 {
            String::new()
        } else {
            csrf_of(&person.get("/account").await.body)
        };
        let mut fields: Vec<(&str, &str)> = vec![("csrf", "x")];
        fields.extend(
            case.fields
                .iter()
                .map(|(name, value)| (*name, value.as_str())),
        );
        let forged = person.post(&case.path, &fields).await.status;
        let refused = if n == 0 { 303 } else { 403 };
        if forged.as_u16() != refused {
            wrong.push(format!(
                "POST {} as {role}: a forged token got {forged}",
                case.path
            ));
        }
        fields[0] = ("csrf", &csrf);
        person.post(&case.path, &fields).await
    };
    if answer.status.as_u16() != case.expected[n] {
        wrong.push(format!(
            "{} {} as {role}: {} (expected {})",
            case.method, case.path, answer.status, case.expected[n]
        ));
    }
    answer
}
