//! Send → device has it, on loopback: the leerplicht office's `hwc-send` library seals and
//! sends signals at a steady rate through a real relay process to a school device that
//! long-polls, while thousands of other devices wait on the same relay; and, in the same run,
//! the same load on the minimal axum long-poll server of [`super::baseline_server`]. The time
//! runs from the call into `Office::send_signal` (sealing, recording, `POST /v1/signals`) to
//! the moment the device has read the envelope off its long-poll and checked its signature.

use super::baseline_server::BaselineProcess;
use super::http::source_address;
use super::longpoll::{self, Tally};
use super::process::usage_of;
use super::seed::{self, SeededDevice};
use super::{Figure, Percentiles, Report};
use crate::raw::RawDevice;
use crate::RelayProcess;
use anyhow::{anyhow, Context, Result};
use hwc_protocol::api::Inbox;
use hwc_protocol::request_auth::AuthHeaders;
use hwc_protocol::{Brin, Envelope, Role, SignalId};
use hwc_send::{KeySource, Office};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::time::Instant;

/// How the benchmark is sized.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct Size {
    /// Other devices waiting on the server meanwhile.
    pub idle_devices: usize,
    /// Signals per second.
    pub rate: u32,
    /// Signals sent.
    pub signals: usize,
}

impl Size {
    pub fn full() -> Self {
        Self { idle_devices: 14_000, rate: 100, signals: 3_000 }
    }

    pub fn quick() -> Self {
        Self { idle_devices: 200, rate: 100, signals: 100 }
    }
}

/// The school the measured device belongs to (the idle devices' schools start at `10AA`).
const SCHOOL: &str = "99ZZ";
/// Connections per source address (one address has about 28,000 ports).
const PER_ADDRESS: usize = 10_000;

/// Runs both measurements and returns the report.
pub fn run(size: Size, quick: bool) -> Result<Report> {
    let limit = super::limits::raise_open_files((size.idle_devices as u64) * 2 + 4096)?;
    eprintln!("delivery: basislijn (axum long-poll), {} wachtende apparaten", size.idle_devices);
    let baseline = baseline(size)?;
    eprintln!("delivery: relay, {} wachtende apparaten", size.idle_devices);
    let relay = relay(size)?;
    let (Some(b), Some(r)) = (Percentiles::of(&baseline.samples), Percentiles::of(&relay.samples)) else {
        return Err(anyhow!("geen enkele bezorging gemeten"));
    };
    let figures = vec![
        Figure::new("delivery_p50_ms", "send → device, p50", r.p50_ms, "ms").baseline(b.p50_ms),
        Figure::new("delivery_p99_ms", "send → device, p99", r.p99_ms, "ms").at_most(1.0, "≤ 1 ms").baseline(b.p99_ms),
        Figure::new("delivery_p99_ratio", "send → device p99 / baseline p99", r.p99_ms / b.p99_ms.max(1e-9), "×")
            .at_most(1.5, "≤ 1.5×"),
        Figure::new("delivery_lost", "signals that did not arrive", relay.missing as f64, "signals").at_most(0.0, "0"),
        Figure::new("delivery_relay_cpu", "relay CPU while sending", relay.server_cpu_percent, "% of one core"),
    ];
    let raw = serde_json::json!({
        "size": size,
        "open_files_limit": limit,
        "relay": { "latency": r, "missing": relay.missing, "idle_failures": relay.idle_failures,
                   "send_call": Percentiles::of(&relay.send_calls), "server_cpu_percent": relay.server_cpu_percent },
        "baseline": { "latency": b, "missing": baseline.missing, "idle_failures": baseline.idle_failures,
                      "send_call": Percentiles::of(&baseline.send_calls), "server_cpu_percent": baseline.server_cpu_percent },
    });
    Ok(Report { benchmark: "delivery".into(), quick, figures, raw })
}

/// What one side measured.
struct Measured {
    samples: Vec<Duration>,
    /// How long the sending call itself took (until the server answered).
    send_calls: Vec<Duration>,
    missing: usize,
    idle_failures: u64,
    server_cpu_percent: f64,
}

/// When each signal left and arrived, by the key the two sides share.
#[derive(Default)]
struct Clock {
    sent: HashMap<String, Instant>,
    arrived: HashMap<String, Instant>,
}

type SharedClock = Arc<Mutex<Clock>>;

fn lock(clock: &SharedClock) -> std::sync::MutexGuard<'_, Clock> {
    clock.lock().unwrap_or_else(|p| p.into_inner())
}

/// Sends `size.signals` on a schedule of `size.rate` per second with `send` (which returns the
/// key the device will report), then waits up to 10 s for the last arrivals.
fn send_on_schedule(
    size: Size,
    clock: &SharedClock,
    mut send: impl FnMut(usize) -> Result<String>,
) -> Result<(Vec<Duration>, Vec<Duration>, usize)> {
    let started = std::time::Instant::now();
    let interval = Duration::from_secs(1) / size.rate.max(1);
    let mut calls = Vec::with_capacity(size.signals);
    for i in 0..size.signals {
        let due = started + interval * i as u32;
        if let Some(wait) = due.checked_duration_since(std::time::Instant::now()) {
            std::thread::sleep(wait);
        }
        let t0 = Instant::now();
        let key = send(i)?;
        calls.push(t0.elapsed());
        lock(clock).sent.insert(key, t0);
    }
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let done = {
            let c = lock(clock);
            c.sent.keys().all(|k| c.arrived.contains_key(k))
        };
        if done || std::time::Instant::now() > deadline {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let c = lock(clock);
    let samples: Vec<Duration> =
        c.sent.iter().filter_map(|(k, t0)| c.arrived.get(k).map(|t1| t1.saturating_duration_since(*t0))).collect();
    let missing = c.sent.len() - samples.len();
    Ok((samples, calls, missing))
}

/// Starts `count` idle waiting devices made by `make(i)` and waits until they all sent their
/// first request and the server has gone quiet.
fn start_idle(
    runtime: &tokio::runtime::Runtime,
    count: usize,
    server_pid: u32,
    mut make: impl FnMut(usize) -> (longpoll::NextRequest, longpoll::OnAnswer),
    to: SocketAddr,
) -> Arc<Tally> {
    let tally = Arc::new(Tally::default());
    for i in 0..count {
        let (next, on_answer) = make(i);
        runtime.spawn(longpoll::run(Some(source_address(i, PER_ADDRESS)), to, Arc::clone(&tally), next, on_answer));
        if i % 500 == 499 {
            // Ramp: let the server take each batch before the next.
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    settle(&tally, count, server_pid);
    tally
}

/// Waits until every device sent its first request and the server's CPU time stopped growing
/// for a second (it has taken every request), at most two minutes.
pub fn settle(tally: &Tally, count: usize, server_pid: u32) {
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    let mut last = usage_of(server_pid).cpu_ticks;
    while std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_secs(1));
        let now = usage_of(server_pid).cpu_ticks;
        let started = tally.started.load(std::sync::atomic::Ordering::Relaxed);
        // Less than 5 ticks (50 ms) in a second: quiet.
        if started >= count && now.saturating_sub(last) < 5 {
            return;
        }
        last = now;
    }
    eprintln!("  (de server werd niet binnen twee minuten stil; er wordt toch gemeten)");
}

fn cpu_percent(
    server_pid: u32,
    during: impl FnOnce() -> Result<(Vec<Duration>, Vec<Duration>, usize)>,
) -> Result<(Vec<Duration>, Vec<Duration>, usize, f64)> {
    let before = usage_of(server_pid);
    let wall = std::time::Instant::now();
    let (samples, calls, missing) = during()?;
    let after = usage_of(server_pid);
    let secs = wall.elapsed().as_secs_f64().max(1e-9);
    let cpu = (after.cpu_secs() - before.cpu_secs()) / secs * 100.0;
    Ok((samples, calls, missing, cpu))
}

fn baseline(size: Size) -> Result<Measured> {
    let server = BaselineProcess::start()?;
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let idle = start_idle(
        &runtime,
        size.idle_devices,
        server.pid(),
        |i| {
            let path = format!("/wait/{}", i + 1);
            (Box::new(move |_| Ok((path.clone(), Vec::new()))), Box::new(|_, _| 0))
        },
        server.addr,
    );
    let clock: SharedClock = Arc::default();
    let arrivals = Arc::clone(&clock);
    let target = Arc::new(Tally::default());
    runtime.spawn(longpoll::run(
        None,
        server.addr,
        Arc::clone(&target),
        Box::new(|_| Ok(("/wait/0".to_string(), Vec::new()))),
        Box::new(move |body, at| {
            if !body.is_empty() {
                lock(&arrivals).arrived.insert(String::from_utf8_lossy(body).into_owned(), at);
            }
            0
        }),
    ));
    settle(&target, 1, server.pid());
    let client = reqwest::blocking::Client::new();
    let url = format!("http://{}/send/0", server.addr);
    let (samples, send_calls, missing, server_cpu_percent) = cpu_percent(server.pid(), || {
        send_on_schedule(size, &clock, |i| {
            let key = format!("signal-{i}");
            let answer = client.post(&url).body(key.clone()).send().context("basislijn: versturen")?;
            anyhow::ensure!(answer.status().is_success(), "basislijn: {}", answer.status());
            Ok(key)
        })
    })?;
    let idle_failures = idle.failures.load(std::sync::atomic::Ordering::Relaxed);
    runtime.shutdown_background();
    Ok(Measured { samples, send_calls, missing, idle_failures, server_cpu_percent })
}

fn relay(size: Size) -> Result<Measured> {
    let dir = tempfile::Builder::new().prefix("hwc-bench-delivery-").tempdir()?;
    let mut office = Office::init(
        &dir.path().join("leerplicht"),
        KeySource::File(dir.path().join("office.key")),
        "http://127.0.0.1:9",
    )?;
    let db = dir.path().join("relay.db");
    let idle_devices = seed::schools_with_two_devices(&db, &office.public_key(), size.idle_devices.div_ceil(2))?;
    let relay = RelayProcess::start(&db, &[office.public_key()])?;
    office.use_relay(&relay.url())?;
    let school: Brin = SCHOOL.parse()?;
    let director = enroll(&mut office, &relay.url(), school, Role::Director)?;
    let _backup = enroll(&mut office, &relay.url(), school, Role::Backup)?;
    let relay_addr: SocketAddr = relay.url().trim_start_matches("http://").parse()?;
    let pid = relay.pid().context("relay draait niet")?;
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let idle_devices: Vec<Arc<SeededDevice>> = idle_devices.into_iter().take(size.idle_devices).map(Arc::new).collect();
    let idle = start_idle(
        &runtime,
        idle_devices.len(),
        pid,
        |i| inbox_poller(Arc::clone(&idle_devices[i]), format!("http://{relay_addr}"), |_, _| {}),
        relay_addr,
    );
    let clock: SharedClock = Arc::default();
    let arrivals = Arc::clone(&clock);
    let office_key = office.public_key();
    let target = Arc::new(Tally::default());
    let sign = Arc::new(director);
    let next = {
        let sign = Arc::clone(&sign);
        Box::new(move |cursor: u64| {
            let path = format!("/v1/inbox?after={cursor}&wait=30");
            let auth: AuthHeaders = sign.sign("GET", &path, b"")?;
            Ok((path, auth.to_pairs().into_iter().collect()))
        })
    };
    runtime.spawn(longpoll::run(
        None,
        relay_addr,
        Arc::clone(&target),
        next,
        on_inbox(move |inbox, at| {
            for blob in &inbox.envelopes {
                if let Ok(verified) = Envelope::verify(&blob.0, &office_key, chrono::Utc::now()) {
                    lock(&arrivals).arrived.entry(verified.envelope.signal_id.to_string()).or_insert(at);
                }
            }
        }),
    ));
    settle(&target, 1, pid);
    let signal = super::made_up_signal()?;
    let (samples, send_calls, missing, server_cpu_percent) = cpu_percent(pid, || {
        send_on_schedule(size, &clock, |_| {
            let id: SignalId = office.send_signal(school, &signal)?;
            Ok(id.to_string())
        })
    })?;
    let idle_failures = idle.failures.load(std::sync::atomic::Ordering::Relaxed);
    runtime.shutdown_background();
    Ok(Measured { samples, send_calls, missing, idle_failures, server_cpu_percent })
}

/// Enrolls a raw device for `school` the way leerplicht does (code, enrollment, safety code).
fn enroll(office: &mut Office, relay: &str, school: Brin, role: Role) -> Result<RawDevice> {
    let code = office.add_school_slot(school, role)?;
    office.set_region(school, Some(hwc_send::Region::Eigen))?;
    let device = RawDevice::new(relay)?;
    let answer = device.enroll(&code)?;
    anyhow::ensure!(answer.status == 201, "aanmelden: {} {}", answer.status, answer.error_message());
    let pending = office.pending_devices(school)?;
    let info = pending.iter().find(|d| d.device_id == device.id()).context("apparaat niet bij de relay")?;
    let code = office.safety_code_for(info).to_string();
    office.verify_device(school, device.id(), &code)?;
    Ok(device)
}

/// A long-polling inbox reader for a seeded device; `seen` gets each non-empty inbox.
pub fn inbox_poller(
    device: Arc<SeededDevice>,
    relay: String,
    seen: impl Fn(&Inbox, Instant) + Send + 'static,
) -> (longpoll::NextRequest, longpoll::OnAnswer) {
    let next = Box::new(move |cursor: u64| {
        let path = format!("/v1/inbox?after={cursor}&wait=60");
        let headers = device.sign(&relay, "GET", &path, b"")?;
        Ok((path, headers))
    });
    (next, on_inbox(seen))
}

/// Reads an inbox answer, hands a non-empty one to `seen`, and gives back its cursor.
fn on_inbox(seen: impl Fn(&Inbox, Instant) + Send + 'static) -> longpoll::OnAnswer {
    let mut cursor = 0;
    Box::new(move |body, at| {
        if let Ok(inbox) = serde_json::from_slice::<Inbox>(body) {
            if !inbox.envelopes.is_empty() {
                seen(&inbox, at);
            }
            cursor = inbox.cursor;
        }
        cursor
    })
}
