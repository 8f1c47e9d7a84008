//! Helpers the end-to-end tests share: the demo as a running process, and plain HTTP.

#![allow(dead_code)]

pub mod cdp;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

/// `vindwerk demo` running on a free loopback port; stopped when dropped.
pub struct Demo {
    child: Child,
    pub address: String,
    _dir: tempfile::TempDir,
}

impl Demo {
    pub fn start(vacancies: usize) -> Demo {
        Demo::start_with(vacancies, &[])
    }

    /// The demo with `extra` arguments (e.g. `--portal-config FILE`).
    pub fn start_with(vacancies: usize, extra: &[&std::ffi::OsStr]) -> Demo {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut child = Command::new(env!("CARGO_BIN_EXE_vindwerk"))
            .args([
                "demo",
                "--addr",
                "127.0.0.1:0",
                "--vacancies",
                &vacancies.to_string(),
            ])
            .args(extra)
            .arg("--dir")
            .arg(dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the demo");
        let stdout = child.stdout.take().expect("piped stdout");
        let mut address = None;
        for line in BufReader::new(stdout).lines() {
            let line = line.expect("read the demo's output");
            if let Some(url) = line.strip_prefix("vindwerk demo: http://") {
                address = Some(url.trim_end_matches('/').to_owned());
                break;
            }
        }
        let address = address.expect("the demo prints its URL");
        Demo {
            child,
            address,
            _dir: dir,
        }
    }

    /// The directory holding the demo's store (`vindwerk.db`) and index.
    pub fn dir(&self) -> &std::path::Path {
        self._dir.path()
    }

    /// A plain HTTP/1.0 request with extra header lines: the status line, the response's
    /// header lines and the body.
    pub fn request(
        &self,
        method: &str,
        path: &str,
        headers: &[String],
        body: &str,
    ) -> (String, Vec<String>, String) {
        let mut stream = TcpStream::connect(&self.address).expect("connect to the demo");
        let mut head = format!("{method} {path} HTTP/1.0\r\nHost: {}\r\n", self.address);
        for header in headers {
            head.push_str(header);
            head.push_str("\r\n");
        }
        if !body.is_empty() {
            head.push_str(&format!(
                "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n",
                body.len()
            ));
        }
        head.push_str("\r\n");
        head.push_str(body);
        stream
            .write_all(head.as_bytes())
            .unwrap_or_else(|error| panic!("{method} {path}: cannot send: {error}"));
        let mut response = String::new();
        stream
            .read_to_string(&mut response)
            .unwrap_or_else(|error| panic!("{method} {path}: cannot read the answer: {error}"));
        let (head, body) = response
            .split_once("\r\n\r\n")
            .expect("a response has a head");
        let mut lines = head.lines();
        let status = lines.next().unwrap_or_default().to_owned();
        (status, lines.map(str::to_owned).collect(), body.to_owned())
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    /// A plain HTTP/1.0 GET: the status line and the body.
    pub fn get(&self, path: &str) -> (String, String) {
        let (status, _, body) = self.request("GET", path, &[], "");
        (status, body)
    }
}

impl Drop for Demo {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The value of cookie `name` among `Set-Cookie` header lines.
pub fn set_cookie(headers: &[String], name: &str) -> Option<String> {
    headers
        .iter()
        .filter_map(|line| line.strip_prefix("set-cookie: "))
        .filter_map(|cookie| cookie.split(';').next())
        .filter_map(|pair| pair.split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_owned())
}

/// Signs in through the sign-in form as a browser does; the session cookie's value.
pub fn sign_in(demo: &Demo, email: &str, password: &str) -> String {
    let (status, headers, page) = demo.request("GET", "/inloggen", &[], "");
    assert!(status.contains("200"), "{status}");
    let form = set_cookie(&headers, "vindwerk_formulier").expect("a form cookie");
    let csrf = csrf_of(&page);
    assert_eq!(csrf, form, "the form's token is its cookie's");
    let email = email.replace('@', "%40");
    let body = format!("csrf={csrf}&email={email}&password={password}");
    let (status, headers, _) = demo.request(
        "POST",
        "/inloggen",
        &[format!("Cookie: vindwerk_formulier={form}")],
        &body,
    );
    assert!(status.contains("303"), "{status}");
    set_cookie(&headers, "vindwerk_sessie").expect("a session cookie")
}

pub fn csrf_of(html: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let start = html.find(marker).expect("a csrf field") + marker.len();
    html[start..].chars().take_while(|c| *c != '"').collect()
}
