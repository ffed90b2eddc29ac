//! The baseline for the delivery figure: the least an axum long-poll server can do. `GET
//! /wait/{n}` waits (up to 60 s) until `POST /send/{n}` brings a body, and answers with it;
//! nothing is checked or stored. Run as its own process (`hwc-bench baseline-server`), like the
//! relay, so both are measured the same way.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::Router;
use std::collections::HashMap;
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::Notify;

#[derive(Default)]
struct Slot {
    notify: Notify,
    waiting: Mutex<Option<Bytes>>,
}

#[derive(Clone, Default)]
struct Slots(Arc<Mutex<HashMap<u64, Arc<Slot>>>>);

impl Slots {
    fn slot(&self, n: u64) -> Arc<Slot> {
        let mut map = self.0.lock().unwrap_or_else(|p| p.into_inner());
        Arc::clone(map.entry(n).or_default())
    }
}

async fn wait(State(slots): State<Slots>, Path(n): Path<u64>) -> Bytes {
    let slot = slots.slot(n);
    let notified = slot.notify.notified();
    tokio::pin!(notified);
    notified.as_mut().enable();
    if let Some(body) = slot.waiting.lock().unwrap_or_else(|p| p.into_inner()).take() {
        return body;
    }
    let _ = tokio::time::timeout(Duration::from_secs(60), notified).await;
    let body = slot.waiting.lock().unwrap_or_else(|p| p.into_inner()).take();
    body.unwrap_or_default()
}

async fn send(State(slots): State<Slots>, Path(n): Path<u64>, body: Bytes) -> &'static str {
    let slot = slots.slot(n);
    *slot.waiting.lock().unwrap_or_else(|p| p.into_inner()) = Some(body);
    slot.notify.notify_waiters();
    "ok"
}

/// Serves on 127.0.0.1 (a free port, printed as `listening on <addr>`) until killed.
pub fn serve() -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async {
        let app =
            Router::new().route("/wait/{n}", get(wait)).route("/send/{n}", post(send)).with_state(Slots::default());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let mut out = std::io::stdout();
        writeln!(out, "listening on {}", listener.local_addr()?)?;
        out.flush()?;
        axum::serve(listener, app).await?;
        Ok(())
    })
}

/// The baseline server running as a child process of the benchmark; killed when dropped.
pub struct BaselineProcess {
    child: std::process::Child,
    pub addr: std::net::SocketAddr,
}

impl BaselineProcess {
    /// Starts `<this program> baseline-server` and reads the address it listens on.
    pub fn start() -> anyhow::Result<Self> {
        use anyhow::Context;
        use std::io::BufRead;
        let mut child = std::process::Command::new(std::env::current_exe()?)
            .arg("baseline-server")
            .stdout(std::process::Stdio::piped())
            .spawn()
            .context("basislijnserver starten")?;
        let stdout = child.stdout.take().context("geen stdout")?;
        let mut line = String::new();
        std::io::BufReader::new(stdout).read_line(&mut line)?;
        let addr = line.trim().strip_prefix("listening on ").context("basislijnserver meldde geen adres")?.parse()?;
        Ok(Self { child, addr })
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for BaselineProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
