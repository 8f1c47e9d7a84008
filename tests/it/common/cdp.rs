//! Headless Chromium driven over the DevTools protocol, for tests that use the pages as a
//! person does: fill in forms, press buttons, follow links. Each [`Tab`] lives in a browser
//! context of its own, so two people at once keep their own cookies.

use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tungstenite::WebSocket;
use tungstenite::stream::MaybeTlsStream;

/// How long a page may take to load after a click.
const LOAD: Duration = Duration::from_secs(20);

pub struct Chrome {
    child: Child,
    socket: WebSocket<MaybeTlsStream<TcpStream>>,
    next: u64,
    _profile: tempfile::TempDir,
}

/// A page of one person (a browser context of its own).
#[derive(Debug, Clone)]
pub struct Tab {
    session: String,
}

impl Chrome {
    pub fn start() -> Chrome {
        let profile = tempfile::tempdir().expect("profile dir");
        let mut child = Command::new("/usr/bin/chromium")
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--remote-debugging-port=0",
                "--window-size=1280,1400",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run chromium (scripts/setup installs it)");
        let stderr = child.stderr.take().expect("stderr");
        let mut lines = BufReader::new(stderr).lines();
        let url = loop {
            let line = lines
                .next()
                .expect("chromium says where DevTools listen")
                .expect("chromium's stderr");
            if let Some(at) = line.find("ws://") {
                break line[at..].trim().to_owned();
            }
        };
        // Keep reading stderr so that Chromium never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        let (socket, _) = tungstenite::connect(url.as_str()).expect("DevTools connection");
        Chrome {
            child,
            socket,
            next: 0,
            _profile: profile,
        }
    }

    /// Sends one command and waits for its answer, skipping events.
    fn call(&mut self, method: &str, params: Value, session: Option<&str>) -> Value {
        let answer = self.request(method, params, session);
        assert!(answer.get("error").is_none(), "{method}: {answer}");
        answer["result"].clone()
    }

    /// One command's whole answer, errors included.
    fn request(&mut self, method: &str, params: Value, session: Option<&str>) -> Value {
        self.next += 1;
        let id = self.next;
        let mut message = json!({"id": id, "method": method, "params": params});
        if let Some(session) = session {
            message["sessionId"] = json!(session);
        }
        self.socket
            .send(tungstenite::Message::text(message.to_string()))
            .expect("send to DevTools");
        loop {
            let answer = self.socket.read().expect("read from DevTools");
            let Ok(text) = answer.to_text() else {
                continue;
            };
            let value: Value = serde_json::from_str(text).expect("DevTools speaks JSON");
            if value["id"] == json!(id) {
                return value;
            }
        }
    }

    /// A new person's page: its own browser context, so its own cookies.
    pub fn tab(&mut self) -> Tab {
        let context = self.call("Target.createBrowserContext", json!({}), None);
        let target = self.call(
            "Target.createTarget",
            json!({"url": "about:blank", "browserContextId": context["browserContextId"]}),
            None,
        );
        let attached = self.call(
            "Target.attachToTarget",
            json!({"targetId": target["targetId"], "flatten": true}),
            None,
        );
        let session = attached["sessionId"]
            .as_str()
            .expect("a session")
            .to_owned();
        Tab { session }
    }

    /// Evaluates `script` in the page (awaiting a promise) and returns its value.
    pub fn eval(&mut self, tab: &Tab, script: &str) -> Value {
        let result = self.call(
            "Runtime.evaluate",
            json!({"expression": script, "returnByValue": true, "awaitPromise": true}),
            Some(&tab.session),
        );
        assert!(
            result.get("exceptionDetails").is_none(),
            "{script}: {result}"
        );
        result["result"]["value"].clone()
    }

    /// Opens `url` and waits until it has loaded.
    pub fn open(&mut self, tab: &Tab, url: &str) {
        self.mark(tab);
        self.call("Page.navigate", json!({"url": url}), Some(&tab.session));
        self.wait(tab);
    }

    /// Fills the field `selector` with `value`.
    pub fn fill(&mut self, tab: &Tab, selector: &str, value: &str) {
        let script = format!(
            "(() => {{ const field = document.querySelector({}); if (!field) throw new Error('no field ' + {0}); field.value = {}; return true; }})()",
            serde_json::to_string(selector).expect("json"),
            serde_json::to_string(value).expect("json"),
        );
        self.eval(tab, &script);
    }

    /// Clicks `selector` (a button or a link) and waits for the page it leads to.
    pub fn click(&mut self, tab: &Tab, selector: &str) {
        self.mark(tab);
        self.press(tab, selector);
        self.wait(tab);
    }

    fn press(&mut self, tab: &Tab, selector: &str) {
        let script = format!(
            "(() => {{ const element = document.querySelector({0}); if (!element) throw new Error('nothing at ' + {0}); element.click(); return true; }})()",
            serde_json::to_string(selector).expect("json"),
        );
        self.eval(tab, &script);
    }

    /// Clicks `selector` on a part of the page that script replaces without loading a page,
    /// and waits until the page reads `expected`.
    pub fn click_in_place(&mut self, tab: &Tab, selector: &str, expected: &str) {
        self.press(tab, selector);
        let condition = format!(
            "document.body.innerText.includes({})",
            serde_json::to_string(expected).expect("json")
        );
        self.wait_for(tab, &condition);
    }

    /// The text a person reads on the page.
    pub fn text(&mut self, tab: &Tab) -> String {
        self.eval(tab, "document.body ? document.body.innerText : ''")
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// The page's address.
    pub fn location(&mut self, tab: &Tab) -> String {
        self.eval(tab, "location.href")
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// Marks the current document, so that [`Chrome::wait`] knows when a new one replaced it.
    fn mark(&mut self, tab: &Tab) {
        self.eval(tab, "window.__vindwerk_before = true");
    }

    fn wait(&mut self, tab: &Tab) {
        self.wait_for(
            tab,
            "window.__vindwerk_before !== true && document.readyState === 'complete'",
        );
    }

    /// Waits until `condition` holds in the page (while a page loads, it may not answer).
    fn wait_for(&mut self, tab: &Tab, condition: &str) {
        let started = Instant::now();
        loop {
            let answer = self.request(
                "Runtime.evaluate",
                json!({"expression": condition, "returnByValue": true}),
                Some(&tab.session),
            );
            if answer["result"]["result"]["value"] == json!(true) {
                return;
            }
            assert!(started.elapsed() < LOAD, "the page did not load");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Chrome {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
