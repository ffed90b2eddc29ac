//! The app's window on real Windows, driven through WebDriver: `tauri-driver` in front of
//! Microsoft's `msedgedriver` for WebView2 (the Windows workflow, `.github/workflows/ci.yml`,
//! installs both; `HWC_TAURI_DRIVER` names tauri-driver, msedgedriver is on the PATH). It checks
//! what only Windows can show: the page is the app's own (`http://tauri.localhost`) under the
//! strict CSP and cannot open another, the window is excluded from screen capture
//! (`contentProtected`), and the web view's data, under a user folder with a space and a
//! letter outside ASCII, is private to the user.
//!
//! Linux has its own, longer window tests (`tests/tests/app_window.rs`). WebView2 does not run
//! under wine, so `cargo xtask windows` builds this test but does not run it.
#![cfg(windows)]

use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(60);
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// A running tauri-driver, stopped on drop.
struct Driver(Child, String);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn start_driver(env: &[(&str, &Path)]) -> Driver {
    let program = std::env::var_os("HWC_TAURI_DRIVER").map(PathBuf::from).unwrap_or_else(|| "tauri-driver".into());
    let (port, native) = (free_port(), free_port());
    let mut command = Command::new(program);
    command.args(["--port", &port.to_string(), "--native-port", &native.to_string()]).stdin(Stdio::null());
    for (key, value) in env {
        command.env(key, value);
    }
    let driver = Driver(
        command.spawn().expect("tauri-driver (see .github/workflows/ci.yml)"),
        format!("http://127.0.0.1:{port}"),
    );
    let http = reqwest::blocking::Client::new();
    let deadline = Instant::now() + WAIT;
    while http.get(format!("{}/status", driver.1)).send().is_err() {
        assert!(Instant::now() < deadline, "tauri-driver did not answer");
        std::thread::sleep(Duration::from_millis(200));
    }
    driver
}

/// One WebDriver session on the app's window.
struct Session {
    http: reqwest::blocking::Client,
    base: String,
}

impl Session {
    fn start(driver: &Driver) -> Session {
        let http = reqwest::blocking::Client::builder().timeout(WAIT).build().unwrap();
        let options = json!({"application": env!("CARGO_BIN_EXE_hwc-school"), "args": ["--venster"]});
        let body = json!({"capabilities": {"alwaysMatch": {"tauri:options": options}}});
        let answer: Value = http.post(format!("{}/session", driver.1)).json(&body).send().unwrap().json().unwrap();
        let id = answer["value"]["sessionId"].as_str().unwrap_or_else(|| panic!("no session: {answer}")).to_string();
        Session { http, base: format!("{}/session/{id}", driver.1) }
    }

    fn command(&self, method: &str, path: &str, body: Value) -> Value {
        let url = format!("{}{path}", self.base);
        let request = match method {
            "GET" => self.http.get(url),
            "DELETE" => self.http.delete(url),
            _ => self.http.post(url).json(&body),
        };
        let answer: Value = request.send().unwrap().json().unwrap();
        answer["value"].clone()
    }

    fn wait_for(&self, css: &str) {
        let deadline = Instant::now() + WAIT;
        loop {
            let found = self.command("POST", "/element", json!({"using": "css selector", "value": css}));
            if found.get(ELEMENT_KEY).is_some() {
                return;
            }
            assert!(Instant::now() < deadline, "waited for {css}: {found}");
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    fn execute(&self, script: &str) -> Value {
        self.command("POST", "/execute/sync", json!({"script": script, "args": []}))
    }
}

/// The display affinity of the top-level window titled `title`, once it exists.
fn display_affinity(title: &str) -> u32 {
    use windows_sys::Win32::UI::WindowsAndMessaging::{FindWindowW, GetWindowDisplayAffinity};
    let wide: Vec<u16> = title.encode_utf16().chain(Some(0)).collect();
    let deadline = Instant::now() + WAIT;
    loop {
        // SAFETY: a NUL-terminated UTF-16 title; no class name.
        let window = unsafe { FindWindowW(std::ptr::null(), wide.as_ptr()) };
        if !window.is_null() {
            let mut affinity = 0u32;
            // SAFETY: a window handle just found, and a local to write to.
            assert_ne!(unsafe { GetWindowDisplayAffinity(window, &mut affinity) }, 0, "GetWindowDisplayAffinity");
            return affinity;
        }
        assert!(Instant::now() < deadline, "no window titled {title}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn the_window_shows_its_own_page_protected_from_capture_with_private_data() {
    let root = tempfile::tempdir().unwrap();
    let home = root.path().join("Zoë de Vries");
    let (data_dir, webview_dir) = (home.join("HwC School"), home.join("webview"));
    let no_config = home.join("geen-config.toml");
    let driver = start_driver(&[
        ("HWC_SCHOOL_DATA_DIR", &data_dir),
        ("HWC_SCHOOL_WEBVIEW_DIR", &webview_dir),
        ("HWC_SCHOOL_CONFIG", &no_config),
        ("HWC_SCHOOL_E2E_DRIVEN", Path::new("1")),
    ]);
    let app = Session::start(&driver);

    // A device that is not enrolled starts at enrollment, on the app's own page.
    app.wait_for("#code");
    let url = app.command("GET", "/url", Value::Null);
    assert!(url.as_str().is_some_and(|u| u.starts_with("http://tauri.localhost/")), "{url}");
    let opened = app.execute("return window.open('https://example.org/', '_blank') === null;");
    assert_eq!(opened, Value::Bool(true), "window.open must be refused");

    // contentProtected: Windows leaves the window out of screenshots and screen sharing.
    let affinity = display_affinity("Aanmelden – HwC School");
    use windows_sys::Win32::UI::WindowsAndMessaging::{WDA_EXCLUDEFROMCAPTURE, WDA_MONITOR};
    assert!(affinity == WDA_EXCLUDEFROMCAPTURE || affinity == WDA_MONITOR, "display affinity {affinity:#x}");

    // The web view's data is the user's alone (and wiped when the window process ends).
    assert!(hwc_hardening::private_fs::is_private(&webview_dir).unwrap(), "{}", webview_dir.display());

    app.command("DELETE", "", Value::Null);
    drop(driver);
}
