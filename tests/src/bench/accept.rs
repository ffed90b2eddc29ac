//! Signals accepted per second by one relay on its SQLite store: concurrent office
//! connections post envelopes sealed beforehand (so the figure is the relay's, not the
//! sealing's), each answered only once its envelope is committed. Afterwards the relay is
//! killed without warning (SIGKILL) and its database is opened: every envelope the relay
//! answered 201 for must be there.

use super::http::Connection;
use super::seed;
use super::{Figure, Percentiles, Report};
use crate::RelayProcess;
use anyhow::{Context, Result};
use chrono::{Duration as Days, Utc};
use hwc_protocol::request_auth::{AuthHeaders, RequestParts};
use hwc_protocol::{Envelope, OfficeSigningKey, SignalId};
use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How the benchmark is sized.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct Size {
    pub schools: usize,
    pub signals: usize,
    pub senders: usize,
}

impl Size {
    pub fn full() -> Self {
        Self { schools: 1_000, signals: 20_000, senders: 32 }
    }

    pub fn quick() -> Self {
        Self { schools: 50, signals: 500, senders: 8 }
    }
}

pub fn run(size: Size, quick: bool) -> Result<Report> {
    let dir = tempfile::Builder::new().prefix("hwc-bench-accept-").tempdir()?;
    let office = OfficeSigningKey::generate()?;
    let db = dir.path().join("relay.db");
    let devices = seed::schools_with_two_devices(&db, &office.public(), size.schools)?;
    eprintln!("accept: {} enveloppen verzegelen (niet gemeten)", size.signals);
    let signal = super::made_up_signal()?;
    let now = Utc::now();
    let mut envelopes = Vec::with_capacity(size.signals);
    for i in 0..size.signals {
        let pair = &devices[(i % size.schools) * 2..(i % size.schools) * 2 + 2];
        let recipients = [pair[0].public, pair[1].public];
        let id = SignalId::random()?;
        let sealed = Envelope::seal(&office, id, pair[0].school, now, now + Days::hours(20), &recipients, &signal)?;
        envelopes.push((id, sealed.bytes));
    }
    let mut relay = RelayProcess::start(&db, &[office.public()])?;
    let addr: SocketAddr = relay.url().trim_start_matches("http://").parse()?;
    eprintln!("accept: {} verzenders tegelijk", size.senders);
    let queue = Arc::new(Mutex::new(envelopes));
    let accepted = Arc::new(Mutex::new(Vec::<(SignalId, Duration)>::new()));
    let refused = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let office = Arc::new(office);
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let started = Instant::now();
    runtime.block_on(async {
        let mut tasks = Vec::new();
        for _ in 0..size.senders {
            let (queue, accepted, refused, office) =
                (Arc::clone(&queue), Arc::clone(&accepted), Arc::clone(&refused), Arc::clone(&office));
            tasks.push(tokio::spawn(async move {
                let mut connection = Connection::open(None, addr).await?;
                loop {
                    let Some((id, bytes)) = queue.lock().unwrap_or_else(|p| p.into_inner()).pop() else {
                        return anyhow::Ok(());
                    };
                    let origin = format!("http://{addr}");
                    let request =
                        RequestParts { relay: &origin, method: "POST", path_and_query: "/v1/signals", body: &bytes };
                    let auth = AuthHeaders::sign_office(&office, &request, Utc::now().timestamp())?;
                    let headers: Vec<_> = auth.to_pairs().into_iter().collect();
                    let t0 = Instant::now();
                    let answer = connection.request("POST", "/v1/signals", &headers, &bytes).await?;
                    if answer.status == 201 {
                        accepted.lock().unwrap_or_else(|p| p.into_inner()).push((id, t0.elapsed()));
                    } else {
                        refused.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    }
                }
            }));
        }
        for task in tasks {
            task.await.context("verzender")??;
        }
        anyhow::Ok(())
    })?;
    let elapsed = started.elapsed();
    // Killed without warning: what was acknowledged must already be on disk.
    relay.kill();
    let accepted = std::mem::take(&mut *accepted.lock().unwrap_or_else(|p| p.into_inner()));
    let stored = stored_ids(&db)?;
    let lost = accepted.iter().filter(|(id, _)| !stored.contains(&id.to_string())).count();
    let per_second = accepted.len() as f64 / elapsed.as_secs_f64().max(1e-9);
    let latencies: Vec<Duration> = accepted.iter().map(|(_, d)| *d).collect();
    let request = Percentiles::of(&latencies);
    let figures = vec![
        Figure::new("accept_per_second", "signals accepted per second (SQLite, durable)", per_second, "/s")
            .at_least(2_000.0, "≥ 2,000/s"),
        Figure::new("accept_lost", "acknowledged but missing after SIGKILL", lost as f64, "signals").at_most(0.0, "0"),
    ];
    let raw = serde_json::json!({
        "size": size,
        "seconds": elapsed.as_secs_f64(),
        "accepted": accepted.len(),
        "refused": refused.load(std::sync::atomic::Ordering::Relaxed),
        "stored_after_kill": stored.len(),
        "lost": lost,
        "request": request,
    });
    Ok(Report { benchmark: "accept".into(), quick, figures, raw })
}

/// The signal ids in the relay database's `signals` table.
fn stored_ids(db: &std::path::Path) -> Result<HashSet<String>> {
    let conn = rusqlite::Connection::open(db)?;
    let mut stmt = conn.prepare("SELECT signal_id FROM signals")?;
    let ids = stmt.query_map([], |row| row.get::<_, String>(0))?.collect::<Result<HashSet<_>, _>>()?;
    Ok(ids)
}
