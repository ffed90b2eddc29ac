//! The desktop around the app in the system tests: the notifications a real notification
//! daemon (dunst, started by D-Bus activation on the tests' private session bus) received, and
//! the processes an app process runs under it (to prove no web process outlives its window).

use anyhow::{anyhow, Context, Result};
use serde_json::Value;
use std::path::PathBuf;
use std::process::Command;

/// One notification as the daemon received it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    pub id: i64,
    pub app: String,
    pub summary: String,
    pub body: String,
}

fn dunstctl(args: &[&str]) -> Result<String> {
    let out = Command::new("dunstctl").args(args).output().context("dunstctl (package dunst) starten")?;
    anyhow::ensure!(out.status.success(), "dunstctl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    Ok(String::from_utf8(out.stdout)?)
}

fn field(entry: &Value, name: &str) -> Value {
    entry.get(name).and_then(|f| f.get("data")).cloned().unwrap_or(Value::Null)
}

/// The notification daemon's whole history as it keeps it (dunst's JSON, every field of every
/// notification), for the byte scan. Notifications on screen are closed first, which moves
/// them into the history.
pub fn notification_history() -> Result<String> {
    dunstctl(&["close-all"])?;
    dunstctl(&["history"])
}

/// Every notification the daemon received in this D-Bus session.
pub fn notifications() -> Result<Vec<Notification>> {
    let history: Value = serde_json::from_str(&notification_history()?)?;
    let entries = history
        .get("data")
        .and_then(|d| d.get(0))
        .and_then(Value::as_array)
        .ok_or_else(|| anyhow!("onverwachte uitvoer van dunstctl history"))?;
    Ok(entries
        .iter()
        .map(|e| Notification {
            id: field(e, "id").as_i64().unwrap_or(-1),
            app: field(e, "appname").as_str().unwrap_or_default().to_string(),
            summary: field(e, "summary").as_str().unwrap_or_default().to_string(),
            body: field(e, "body").as_str().unwrap_or_default().to_string(),
        })
        .collect())
}

/// One running process.
#[derive(Debug, Clone)]
pub struct Process {
    pub pid: u32,
    pub name: String,
    pub args: Vec<String>,
}

fn parent_of(pid: u32) -> Option<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The name is in parentheses and may hold spaces: the parent pid follows the last ')'.
    let rest = &stat[stat.rfind(')')? + 2..];
    rest.split(' ').nth(1)?.parse().ok()
}

fn process(pid: u32) -> Option<Process> {
    let name = std::fs::read_to_string(format!("/proc/{pid}/comm")).ok()?.trim().to_string();
    let raw = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
    let args = raw.split(|b| *b == 0).filter(|a| !a.is_empty()).map(|a| String::from_utf8_lossy(a).into()).collect();
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let zombie = stat.rfind(')').and_then(|i| stat.get(i + 2..i + 3)) == Some("Z");
    (!zombie).then_some(Process { pid, name, args })
}

/// Every live process below `root` (children, grandchildren, ...).
pub fn descendants(root: u32) -> Vec<Process> {
    let all: Vec<u32> = std::fs::read_dir("/proc")
        .map(|entries| entries.flatten().filter_map(|e| e.file_name().to_str()?.parse().ok()).collect())
        .unwrap_or_default();
    let mut found = Vec::new();
    let mut frontier = vec![root];
    while let Some(parent) = frontier.pop() {
        for &pid in &all {
            if parent_of(pid) == Some(parent) {
                if let Some(p) = process(pid) {
                    frontier.push(pid);
                    found.push(p);
                }
            }
        }
    }
    found
}

/// Whether `pid` is still a live (not zombie) process.
pub fn is_alive(pid: u32) -> bool {
    process(pid).is_some()
}

/// WebKit's helper processes (web content, network) among `processes`.
pub fn web_processes(processes: &[Process]) -> Vec<Process> {
    processes.iter().filter(|p| p.name.starts_with("WebKit")).cloned().collect()
}

/// Where the tray library writes its icon files (scanned for residue too).
pub fn tray_icon_dirs() -> Vec<PathBuf> {
    let mut dirs = vec![PathBuf::from("/tmp/tray-icon")];
    if let Some(runtime) = std::env::var_os("XDG_RUNTIME_DIR") {
        dirs.push(PathBuf::from(runtime).join("tray-icon"));
    }
    dirs
}

/// Polls `check` every 100 ms until it gives a value; panics naming `what` after `limit`.
pub fn wait_for<T>(what: &str, limit: std::time::Duration, mut check: impl FnMut() -> Option<T>) -> T {
    let started = std::time::Instant::now();
    loop {
        if let Some(value) = check() {
            return value;
        }
        assert!(started.elapsed() < limit, "waited {limit:?} for {what}");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

/// An app process started by a test: killed if the test ends before the app did.
pub struct AppProcess(pub std::process::Child);

impl AppProcess {
    pub fn pid(&self) -> u32 {
        self.0.id()
    }
}

impl Drop for AppProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Asks `pid` to end the way logging out does (SIGTERM) and waits until it has.
pub fn terminate(pid: u32, limit: std::time::Duration) {
    let sent = Command::new("kill").args(["-TERM", &pid.to_string()]).status().map(|s| s.success());
    assert!(matches!(sent, Ok(true)), "kill -TERM {pid}");
    wait_for(&format!("process {pid} to end"), limit, || (!is_alive(pid)).then_some(()));
}
