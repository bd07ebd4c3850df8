//! A small W3C WebDriver client over blocking HTTP: what the end-to-end
//! test needs from tauri-driver (sessions, elements, keys, scripts).

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

pub struct Driver {
    http: reqwest::blocking::Client,
    base: String,
    session: String,
}

#[derive(Clone)]
pub struct Element(String);

impl Driver {
    pub fn start(base: &str, application: &Path) -> Driver {
        let http = auditdesk_core::http::client_builder()
            .timeout(Duration::from_secs(120))
            .build()
            .unwrap();
        let caps = json!({"capabilities": {"alwaysMatch": {
            "tauri:options": {"application": application.to_str().unwrap()}
        }}});
        let reply = post(&http, &format!("{base}/session"), &caps);
        let session = reply["value"]["sessionId"].as_str().unwrap().to_string();
        Driver {
            http,
            base: base.to_string(),
            session,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}/session/{}{path}", self.base, self.session)
    }

    fn post(&self, path: &str, body: &Value) -> Value {
        post(&self.http, &self.url(path), body)
    }

    fn get(&self, path: &str) -> Value {
        let text = self
            .http
            .get(self.url(path))
            .send()
            .unwrap()
            .text()
            .unwrap();
        serde_json::from_str(&text).unwrap()
    }

    fn try_find(&self, css: &str) -> Option<Element> {
        let reply = post_raw(
            &self.http,
            &self.url("/element"),
            &json!({"using": "css selector", "value": css}),
        );
        reply["value"][ELEMENT]
            .as_str()
            .map(|id| Element(id.to_string()))
    }

    /// Waits up to `timeout` for an element matching `css`.
    pub fn wait(&self, css: &str, timeout: Duration) -> Element {
        let start = Instant::now();
        loop {
            if let Some(e) = self.try_find(css) {
                return e;
            }
            assert!(
                start.elapsed() < timeout,
                "no element {css:?} after {timeout:?}; page text: {}",
                self.page_text()
            );
            std::thread::sleep(Duration::from_millis(150));
        }
    }

    pub fn find(&self, css: &str) -> Element {
        self.wait(css, Duration::from_secs(10))
    }

    pub fn all(&self, css: &str) -> Vec<Element> {
        let reply = self.post("/elements", &json!({"using": "css selector", "value": css}));
        reply["value"]
            .as_array()
            .map(|items| {
                items
                    .iter()
                    .filter_map(|v| v[ELEMENT].as_str())
                    .map(|id| Element(id.to_string()))
                    .collect()
            })
            .unwrap_or_default()
    }

    pub fn click(&self, e: &Element) {
        self.post(&format!("/element/{}/click", e.0), &json!({}));
    }

    pub fn clear(&self, e: &Element) {
        self.post(&format!("/element/{}/clear", e.0), &json!({}));
    }

    /// Types into an element; "\u{E007}" is Enter.
    pub fn type_into(&self, e: &Element, text: &str) {
        self.post(&format!("/element/{}/value", e.0), &json!({"text": text}));
    }

    /// Presses keys on whatever has the focus (W3C actions).
    pub fn keys(&self, keys: &str) {
        let mut actions = Vec::new();
        for c in keys.chars() {
            actions.push(json!({"type": "keyDown", "value": c.to_string()}));
            actions.push(json!({"type": "keyUp", "value": c.to_string()}));
        }
        self.post(
            "/actions",
            &json!({"actions": [{"type": "key", "id": "keyboard", "actions": actions}]}),
        );
    }

    pub fn text(&self, e: &Element) -> String {
        self.get(&format!("/element/{}/text", e.0))["value"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    pub fn attribute(&self, e: &Element, name: &str) -> Option<String> {
        self.get(&format!("/element/{}/attribute/{name}", e.0))["value"]
            .as_str()
            .map(str::to_string)
    }

    /// A DOM property, e.g. `textContent` (unlike `text`, it includes
    /// visually hidden text).
    pub fn property(&self, e: &Element, name: &str) -> String {
        let v = self.get(&format!("/element/{}/property/{name}", e.0))["value"].clone();
        v.as_str()
            .map(str::to_string)
            .unwrap_or_else(|| v.to_string())
    }

    pub fn script(&self, script: &str) -> Value {
        self.post("/execute/sync", &json!({"script": script, "args": []}))["value"].clone()
    }

    pub fn page_text(&self) -> String {
        self.script("return document.body ? document.body.innerText : ''")
            .as_str()
            .unwrap_or_default()
            .chars()
            .take(600)
            .collect()
    }

    /// Waits until `f` holds, polling.
    pub fn until(&self, what: &str, timeout: Duration, mut f: impl FnMut() -> bool) {
        let start = Instant::now();
        while !f() {
            assert!(
                start.elapsed() < timeout,
                "timed out waiting for {what}; page text: {}",
                self.page_text()
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self
            .http
            .delete(format!("{}/session/{}", self.base, self.session))
            .send();
    }
}

fn post_raw(http: &reqwest::blocking::Client, url: &str, body: &Value) -> Value {
    let text = http
        .post(url)
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .unwrap()
        .text()
        .unwrap();
    serde_json::from_str(&text).unwrap()
}

fn post(http: &reqwest::blocking::Client, url: &str, body: &Value) -> Value {
    let reply = post_raw(http, url, body);
    assert!(
        reply["value"].get("error").is_none(),
        "WebDriver {url}: {reply}"
    );
    reply
}
