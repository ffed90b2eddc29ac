//! A small W3C WebDriver client (the handful of commands the window tests use), speaking plain
//! HTTP to `tauri-driver` on 127.0.0.1, plus starting and stopping `tauri-driver` itself.
//! Written here rather than pulling in an async WebDriver crate with its own TLS stack, which a
//! loopback driver does not need.

use anyhow::{anyhow, bail, Context, Result};
use reqwest::blocking::Client;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// A running `tauri-driver`, killed on drop.
pub struct TauriDriver {
    child: Child,
    pub url: String,
}

fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// Where `cargo xtask test` installed `tauri-driver` (`HWC_TAURI_DRIVER`), else the PATH.
pub fn tauri_driver_binary() -> PathBuf {
    std::env::var_os("HWC_TAURI_DRIVER").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("tauri-driver"))
}

impl TauriDriver {
    /// Starts `tauri-driver` on free ports; `env` is passed on to the app it launches.
    pub fn start(env: &[(&str, &Path)], log: &Path) -> Result<Self> {
        let (port, native) = (free_port()?, free_port()?);
        let log = std::fs::File::create(log)?;
        let mut command = Command::new(tauri_driver_binary());
        command
            .args(["--port", &port.to_string(), "--native-port", &native.to_string()])
            .env("WEBKIT_DISABLE_COMPOSITING_MODE", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::from(log.try_clone()?))
            .stderr(Stdio::from(log));
        for (key, value) in env {
            command.env(key, value);
        }
        let child = command.spawn().context("tauri-driver kon niet starten (cargo xtask test installeert het)")?;
        let driver = Self { child, url: format!("http://127.0.0.1:{port}") };
        let http = Client::new();
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if http.get(format!("{}/status", driver.url)).send().is_ok() {
                return Ok(driver);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        bail!("tauri-driver antwoordde niet binnen 20 s")
    }
}

impl Drop for TauriDriver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One WebDriver session: one running app window.
pub struct Session {
    http: Client,
    base: String,
}

/// An element of the page.
pub struct Element<'a> {
    session: &'a Session,
    id: String,
}

fn value_of(answer: Value) -> Result<Value> {
    let value = answer.get("value").cloned().unwrap_or(Value::Null);
    if let Some(error) = value.get("error").and_then(Value::as_str) {
        let message = value.get("message").and_then(Value::as_str).unwrap_or("");
        bail!("WebDriver: {error}: {message}");
    }
    Ok(value)
}

impl Session {
    /// Starts the window process of the app at `application` (`hwc-school --venster`) through
    /// the driver: the web view lives there, the agent has none.
    pub fn start(driver: &TauriDriver, application: &Path) -> Result<Self> {
        Self::start_with_args(driver, application, &["--venster"])
    }

    /// Starts `application` with `args` through the driver (the office's app takes none).
    pub fn start_with_args(driver: &TauriDriver, application: &Path, args: &[&str]) -> Result<Self> {
        let http = Client::builder().timeout(Duration::from_secs(60)).build()?;
        let options = json!({"application": application, "args": args});
        let body = json!({"capabilities": {"alwaysMatch": {"tauri:options": options}}});
        let answer: Value = http.post(format!("{}/session", driver.url)).json(&body).send()?.json()?;
        let value = value_of(answer)?;
        let id = value.get("sessionId").and_then(Value::as_str).ok_or_else(|| anyhow!("geen sessie: {value}"))?;
        Ok(Self { http, base: format!("{}/session/{id}", driver.url) })
    }

    fn command(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value> {
        let url = format!("{}{path}", self.base);
        let request = match method {
            "GET" => self.http.get(url),
            "DELETE" => self.http.delete(url),
            _ => self.http.post(url).json(&body.unwrap_or_else(|| json!({}))),
        };
        value_of(request.send()?.json()?)
    }

    /// The first element matching a CSS selector, now.
    pub fn find(&self, css: &str) -> Result<Element<'_>> {
        let value = self.command("POST", "/element", Some(json!({"using": "css selector", "value": css})))?;
        let id = value.get(ELEMENT_KEY).and_then(Value::as_str).ok_or_else(|| anyhow!("geen element {css}"))?;
        Ok(Element { session: self, id: id.to_string() })
    }

    /// Waits up to `timeout` for an element matching `css`.
    pub fn wait_for(&self, css: &str, timeout: Duration) -> Result<Element<'_>> {
        let deadline = Instant::now() + timeout;
        loop {
            match self.find(css) {
                Ok(element) => return Ok(element),
                Err(e) if Instant::now() > deadline => return Err(e.context(format!("wachtte {timeout:?} op {css}"))),
                Err(_) => std::thread::sleep(Duration::from_millis(100)),
            }
        }
    }

    /// Waits until the element matching `css` contains `needle` in its text.
    pub fn wait_for_text(&self, css: &str, needle: &str, timeout: Duration) -> Result<String> {
        let deadline = Instant::now() + timeout;
        loop {
            let text = self.find(css).and_then(|e| e.text()).unwrap_or_default();
            if text.contains(needle) {
                return Ok(text);
            }
            if Instant::now() > deadline {
                bail!("wachtte {timeout:?} op \"{needle}\" in {css}; zag \"{text}\"");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Runs `script` in the page (WebDriver "Execute Script") and returns its value.
    pub fn execute(&self, script: &str) -> Result<Value> {
        self.command("POST", "/execute/sync", Some(json!({"script": script, "args": []})))
    }

    /// The address of the page the window shows now.
    pub fn url(&self) -> Result<String> {
        Ok(self.command("GET", "/url", None)?.as_str().unwrap_or_default().to_string())
    }

    /// Saves a PNG screenshot of the window.
    pub fn screenshot(&self, path: &Path) -> Result<()> {
        let value = self.http.get(format!("{}/screenshot", self.base)).timeout(Duration::from_secs(8)).send();
        let value = match value {
            Ok(answer) => value_of(answer.json()?)?,
            Err(_) => {
                // WebKit's snapshot sometimes never answers; take the X display instead.
                let status = Command::new("import").args(["-window", "root"]).arg(path).status()?;
                anyhow::ensure!(status.success(), "import (ImageMagick) kon geen schermafbeelding maken");
                return Ok(());
            }
        };
        let data = value.as_str().ok_or_else(|| anyhow!("geen schermafbeelding"))?;
        let png = hwc_protocol::encoding::unb64(data).ok_or_else(|| anyhow!("schermafbeelding onleesbaar"))?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(path, png)?;
        Ok(())
    }

    /// Ends the session (the driver closes the app).
    pub fn end(self) -> Result<()> {
        self.command("DELETE", "", None).map(|_| ())
    }
}

impl Element<'_> {
    fn path(&self, tail: &str) -> String {
        format!("/element/{}{tail}", self.id)
    }

    pub fn click(&self) -> Result<()> {
        self.session.command("POST", &self.path("/click"), None).map(|_| ())
    }

    pub fn send_keys(&self, text: &str) -> Result<()> {
        self.session.command("POST", &self.path("/value"), Some(json!({"text": text}))).map(|_| ())
    }

    pub fn clear(&self) -> Result<()> {
        self.session.command("POST", &self.path("/clear"), None).map(|_| ())
    }

    pub fn text(&self) -> Result<String> {
        Ok(self.session.command("GET", &self.path("/text"), None)?.as_str().unwrap_or_default().to_string())
    }

    pub fn attribute(&self, name: &str) -> Result<Option<String>> {
        let value = self.session.command("GET", &self.path(&format!("/attribute/{name}")), None)?;
        Ok(value.as_str().map(str::to_string))
    }

    pub fn property(&self, name: &str) -> Result<String> {
        let value = self.session.command("GET", &self.path(&format!("/property/{name}")), None)?;
        Ok(value.as_str().unwrap_or_default().to_string())
    }
}
