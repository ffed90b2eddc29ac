//! Idle long-poll devices held by one relay: the relay starts with tens of thousands of
//! enrolled devices, the benchmark connects them in stages (spread over 127.0.0.x source
//! addresses, the open-file limit raised), each with a 60-second long-poll open, and measures
//! the relay's memory at each stage against its memory with no device connected. Then one
//! signal at a time goes to a device picked at random, timed from the office's `POST` to the
//! device having read it.

use super::delivery::{inbox_poller, settle};
use super::http::{source_address, Connection};
use super::longpoll::{self, Tally};
use super::process::{resident_by_mapping, usage_of, Usage};
use super::seed::{self, SeededDevice};
use super::{Figure, Percentiles, Report};
use crate::RelayProcess;
use anyhow::{Context, Result};
use chrono::{Duration as Days, Utc};
use hwc_protocol::request_auth::{AuthHeaders, RequestParts};
use hwc_protocol::{DeviceId, Envelope, OfficeSigningKey, SignalId};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::time::Instant;

/// Connections per source address (one address has about 28,000 ports).
const PER_ADDRESS: usize = 10_000;

/// How the benchmark is sized: connected devices at each stage.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Size {
    pub stages: Vec<usize>,
    pub deliveries: usize,
}

impl Size {
    pub fn full() -> Self {
        Self { stages: vec![10_000, 20_000, 50_000], deliveries: 20 }
    }

    pub fn quick() -> Self {
        Self { stages: vec![1_000, 2_000], deliveries: 5 }
    }
}

#[derive(Debug, serde::Serialize)]
struct Stage {
    devices: usize,
    relay: Usage,
    /// Resident KiB per mapping, largest first, and the relay's thread count.
    relay_memory: (Vec<(String, u64)>, usize),
    per_device_kib: f64,
    failures: u64,
    delivery: Option<Percentiles>,
    missed_deliveries: usize,
}

type Arrivals = Arc<Mutex<HashMap<DeviceId, Instant>>>;

/// Open files the relay needs besides its connections (database, log, listener, runtime).
const RELAY_OWN_FILES: usize = 300;

pub fn run(size: Size, quick: bool) -> Result<Report> {
    let asked = size.stages.iter().copied().max().unwrap_or(0);
    let limit = super::limits::raise_open_files(asked as u64 + 4096)?;
    // A process cannot hold more connections than its open-file limit allows; without the
    // right to raise the hard limit (CAP_SYS_RESOURCE) the stages stop there.
    let most = asked.min((limit as usize).saturating_sub(RELAY_OWN_FILES));
    let mut plan: Vec<usize> = size.stages.iter().map(|&s| s.min(most)).collect();
    plan.dedup();
    if most < asked {
        eprintln!("idle: de limiet op open bestanden is {limit} en kan hier niet omhoog: hoogstens {most} apparaten");
    }
    let dir = tempfile::Builder::new().prefix("hwc-bench-idle-").tempdir()?;
    let office = OfficeSigningKey::generate()?;
    let db = dir.path().join("relay.db");
    eprintln!("idle: {most} apparaten aanmaken");
    let devices: Vec<Arc<SeededDevice>> =
        seed::schools_with_two_devices(&db, &office.public(), most.div_ceil(2))?.into_iter().map(Arc::new).collect();
    // The benchmark puts up to PER_ADDRESS devices behind one loopback address, as a school
    // board's network might; the relay's connection caps must leave room for all of them.
    let (total, per_address) = ((most + 64).to_string(), PER_ADDRESS.to_string());
    let caps = ["--max-connections", total.as_str(), "--max-connections-per-address", per_address.as_str()];
    let relay = RelayProcess::start_with_args(&db, &[office.public()], &caps)?;
    let pid = relay.pid().context("relay draait niet")?;
    let addr: SocketAddr = relay.url().trim_start_matches("http://").parse()?;
    std::thread::sleep(Duration::from_secs(1));
    let empty = usage_of(pid);
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let tally = Arc::new(Tally::default());
    let arrivals: Arrivals = Arc::default();
    let mut stages = Vec::new();
    let mut connected = 0;
    for &target in &plan {
        eprintln!("idle: naar {target} wachtende apparaten");
        while connected < target.min(devices.len()) {
            let arrivals = Arc::clone(&arrivals);
            let device = Arc::clone(&devices[connected]);
            let id = device.id;
            let (next, on_answer) = inbox_poller(device, format!("http://{addr}"), move |_, at| {
                arrivals.lock().unwrap_or_else(|p| p.into_inner()).entry(id).or_insert(at);
            });
            runtime.spawn(longpoll::run(
                Some(source_address(connected, PER_ADDRESS)),
                addr,
                Arc::clone(&tally),
                next,
                on_answer,
            ));
            connected += 1;
            if connected % 500 == 0 {
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        settle(&tally, connected, pid);
        let relay_now = usage_of(pid);
        let relay_memory = resident_by_mapping(pid);
        let per_device_kib = relay_now.rss_kib.saturating_sub(empty.rss_kib) as f64 / connected.max(1) as f64;
        eprintln!("idle: meten van {} bezorgingen", size.deliveries);
        let (delivery, missed) =
            runtime.block_on(deliver(&office, &devices[..connected], addr, &arrivals, size.deliveries))?;
        stages.push(Stage {
            devices: connected,
            relay: relay_now,
            relay_memory,
            per_device_kib,
            failures: tally.failures.load(std::sync::atomic::Ordering::Relaxed),
            delivery,
            missed_deliveries: missed,
        });
    }
    runtime.shutdown_background();
    let mut figures = Vec::new();
    if let Some(last) = stages.last() {
        let per_device_kib = last.per_device_kib;
        figures.push(
            Figure::new(
                "idle_per_device_kib",
                &format!("relay RSS per idle device, {} held", last.devices),
                per_device_kib,
                "KiB",
            )
            .at_most(16.0, "≤ 16 KB"),
        );
        figures.push(Figure::new(
            "idle_held_rss_mib",
            &format!("relay RSS with {} idle devices held", last.devices),
            last.relay.rss_mib(),
            "MiB",
        ));
        // Where the stages could not be reached, the figure is the empty relay plus the
        // measured cost per device, and the label says so.
        for (id, devices, limit, target) in
            [("idle_20k_rss_mib", 20_000, 320.0, "≤ 320 MB"), ("idle_50k_rss_mib", 50_000, 1024.0, "≤ 1 GB")]
        {
            if quick {
                continue;
            }
            let (value, how) = match stages.iter().find(|s| s.devices == devices) {
                Some(stage) => (stage.relay.rss_mib(), "measured"),
                None => (empty.rss_mib() + per_device_kib * devices as f64 / 1024.0, "extrapolated"),
            };
            figures.push(
                Figure::new(id, &format!("relay RSS with {devices} idle devices ({how})"), value, "MiB")
                    .at_most(limit, target),
            );
        }
        if let Some(d) = last.delivery {
            figures.push(Figure::new(
                "idle_delivery_p50_ms",
                &format!("POST → random device among {}, p50 of {}", last.devices, d.count),
                d.p50_ms,
                "ms",
            ));
            figures.push(Figure::new(
                "idle_delivery_max_ms",
                &format!("POST → random device among {}, slowest of {}", last.devices, d.count),
                d.max_ms,
                "ms",
            ));
        }
    }
    let failures = stages.last().map(|s| s.failures).unwrap_or(0);
    figures.push(
        Figure::new("idle_failures", "failed or refused long-polls", failures as f64, "requests").at_most(0.0, "0"),
    );
    let raw = serde_json::json!({ "size": size, "open_files_limit": limit, "most_connections": most, "relay_empty": empty, "stages": stages });
    Ok(Report { benchmark: "idle".into(), quick, figures, raw })
}

/// Sends `count` signals, one at a time, each to the school of a device picked at random
/// among `devices`, and times each until that device has read it.
async fn deliver(
    office: &OfficeSigningKey,
    devices: &[Arc<SeededDevice>],
    addr: SocketAddr,
    arrivals: &Arrivals,
    count: usize,
) -> Result<(Option<Percentiles>, usize)> {
    let signal = super::made_up_signal()?;
    let mut connection = Connection::open(None, addr).await?;
    let mut samples = Vec::new();
    let mut missed = 0;
    let mut pick = crate::chaos::Rng::new(Utc::now().timestamp_subsec_nanos() as u64 | 1);
    for _ in 0..count {
        // Both devices of a school get every envelope: seal to the pair the pick belongs to.
        let i = (pick.between(0, devices.len() as u64 - 1) as usize) & !1;
        let pair = [devices[i].public, devices[(i + 1).min(devices.len() - 1)].public];
        let target = devices[i].id;
        arrivals.lock().unwrap_or_else(|p| p.into_inner()).remove(&target);
        let now = Utc::now();
        let sealed =
            Envelope::seal(office, SignalId::random()?, devices[i].school, now, now + Days::hours(20), &pair, &signal)?;
        let origin = format!("http://{addr}");
        let request =
            RequestParts { relay: &origin, method: "POST", path_and_query: "/v1/signals", body: &sealed.bytes };
        let auth = AuthHeaders::sign_office(office, &request, now.timestamp())?;
        let headers: Vec<_> = auth.to_pairs().into_iter().collect();
        let t0 = Instant::now();
        let answer = connection.request("POST", "/v1/signals", &headers, &sealed.bytes).await?;
        anyhow::ensure!(answer.status == 201, "relay weigerde het envelop: {}", answer.status);
        let deadline = t0 + Duration::from_secs(5);
        let arrived = loop {
            if let Some(at) = arrivals.lock().unwrap_or_else(|p| p.into_inner()).get(&target).copied() {
                break Some(at);
            }
            if Instant::now() > deadline {
                break None;
            }
            tokio::time::sleep(Duration::from_micros(200)).await;
        };
        match arrived {
            Some(at) => samples.push(at.saturating_duration_since(t0)),
            None => missed += 1,
        }
    }
    Ok((Percentiles::of(&samples), missed))
}
