//! One chaos run from start to verdict: set up the relay, the office and the schools; send
//! while the monkey kills; wait until every signal has its outcome; check the databases; judge.

use super::fleet::Fleet;
use super::ledger::{Expect, Figures, Ledger, Outcome, Sent};
use super::monkey::{self, Plan};
use super::{Config, Rng};
use crate::relay_process::relay_binary;
use crate::world::{device_dir, enroll_and_verify, office_and_relay};
use anyhow::{anyhow, Context, Result};
use chrono::{DateTime, Utc};
use hwc_client::SchoolClient;
use hwc_protocol::expiry::default_expiry;
use hwc_protocol::{Brin, Role, Signal, SignalId};
use hwc_send::{KeySource, Office, ReceiptReport, SendError};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Every fifth school's devices start only halfway through the sending.
const LATE_EVERY: usize = 5;
/// How long the backup's device lets a signal wait before it acts itself.
const BACKUP_PATIENCE_MS: u64 = 3000;
/// A late school's signal expires this long around the moment its devices start (seconds).
const LATE_EXPIRY_SPREAD: (i64, i64) = (-20, 40);
/// Expiring this close after the late start, either outcome is right.
const EITHER_WINDOW: (i64, i64) = (-2, 20);
/// After the sending, how long the run waits for outcomes beyond the last short expiry.
const DRAIN_SECS: u64 = 90;

/// Runs the chaos described by `config`; `Ok(true)` when every promise held.
pub fn run(config: &Config) -> Result<bool> {
    let began = Instant::now();
    // HWC_CHAOS_KEEP=1 keeps the run's directory (relay database, logs) to look into.
    let keep = std::env::var_os("HWC_CHAOS_KEEP").is_some();
    let root = tempfile::Builder::new().prefix("hwc-chaos-").disable_cleanup(keep).tempdir()?;
    if keep {
        eprintln!("chaos: map blijft bewaard: {}", root.path().display());
    }
    let (mut office, relay) = office_and_relay(root.path(), &["--sweep-interval-secs", "1"])?;
    let (office_dir, db) = (root.path().join("leerplicht"), relay.db_path().to_path_buf());

    let schools: Vec<Brin> = (0..config.schools)
        .map(|i| format!("{i:02}CH").parse::<Brin>().map_err(|e| anyhow!("{e}")))
        .collect::<Result<_>>()?;
    let late: Vec<bool> = (0..schools.len()).map(|i| i % LATE_EVERY == LATE_EVERY - 1).collect();
    eprintln!("chaos: {} scholen met elk een directeur en een achterwacht aanmelden", schools.len());
    let mut device_school = Vec::new();
    let mut devices: Vec<(PathBuf, u64)> = Vec::new();
    for (i, brin) in schools.iter().enumerate() {
        for (role, patience) in [(Role::Director, 0), (Role::Backup, BACKUP_PATIENCE_MS)] {
            drop(enroll_and_verify(&mut office, &relay.url(), *brin, role, root.path())?);
            device_school.push(i);
            devices.push((device_dir(root.path(), *brin, role), patience));
        }
    }
    let ledger = Arc::new(Mutex::new(Ledger::new(device_school.clone())));
    let mut fleet = Fleet::new(relay_binary()?.with_file_name("hwc-chaos-device"), ledger.clone());
    for (dir, patience) in &devices {
        fleet.add(dir.clone(), *patience);
    }
    let counters = fleet.counters.clone();
    let late_devices = (0..devices.len()).filter(|d| late[device_school[*d]]).collect();

    let send_time = Duration::from_secs_f64(config.signals as f64 / config.rate);
    let (start, start_utc) = (Instant::now(), Utc::now());
    let late_at = start + send_time / 2;
    let late_at_utc = start_utc + chrono::Duration::from_std(send_time / 2)?;
    let stop = Arc::new(AtomicBool::new(false));
    let plan = Plan { late_devices, late_at, quiet_after_late: Duration::from_secs(EITHER_WINDOW.1 as u64) };
    let monkey = monkey::spawn(relay, fleet, plan, config.seed, stop.clone());
    eprintln!(
        "chaos: {} signalen in {:.0} s, zaad {}; de relay en de apparaten worden intussen willekeurig gedood",
        config.signals,
        send_time.as_secs_f64(),
        config.seed
    );

    let signal = Signal::from_input("Sem de Vries", "2016-03-07", start_utc.date_naive())?;
    let mut rng = Rng::new(config.seed);
    let relay_url = office.relay_url().to_string();
    let mut desk = Desk { office: Some(office), dir: office_dir, relay_url, reopens: 0, unreachable: 0 };
    let mut next_receipts = Instant::now();
    let mut next_reopen = Instant::now() + Duration::from_millis(rng.between(5000, 15000));
    let mut last_short_expiry = start_utc;
    let mut uncertain_reasons = std::collections::BTreeMap::new();
    for i in 0..config.signals {
        let due = start + Duration::from_secs_f64(i as f64 / config.rate);
        loop {
            let now = Instant::now();
            if now >= next_receipts {
                desk.collect(&ledger);
                next_receipts = now + Duration::from_secs(1);
            }
            if now >= next_reopen {
                desk.reopen()?;
                next_reopen = now + Duration::from_millis(rng.between(5000, 15000));
            }
            if now >= due {
                break;
            }
            std::thread::sleep((due - now).min(Duration::from_millis(50)));
        }
        let school = rng.between(0, schools.len() as u64) as usize;
        let now = Utc::now();
        let (expires_at, expect) = if late[school] && Instant::now() < late_at {
            let offset =
                rng.between(0, (LATE_EXPIRY_SPREAD.1 - LATE_EXPIRY_SPREAD.0) as u64) as i64 + LATE_EXPIRY_SPREAD.0;
            let at = (late_at_utc + chrono::Duration::seconds(offset)).max(now + chrono::Duration::seconds(3));
            last_short_expiry = last_short_expiry.max(at);
            (at, expectation(at, late_at_utc))
        } else {
            (default_expiry(now), Expect::Deliver)
        };
        let outcome = desk.office()?.send_signal_expiring(schools[school], &signal, expires_at);
        let mut ledger = ledger.lock().map_err(|_| anyhow!("grootboek vergiftigd"))?;
        match outcome {
            Ok(id) => ledger.sent(id, school, expect, Sent::Accepted, expires_at.timestamp()),
            Err(SendError::SentUncertain { signal, reason, .. }) => {
                *uncertain_reasons.entry(reason).or_insert(0usize) += 1;
                ledger.sent(signal, school, expect, Sent::Uncertain, expires_at.timestamp())
            }
            Err(other) => ledger.refused(other.to_string()),
        }
    }
    drop(signal);

    // The sending is over: the monkey stops and brings everything up; outcomes come in.
    stop.store(true, Ordering::SeqCst);
    let (relay, fleet, tally) = monkey.join().map_err(|_| anyhow!("de chaos-draad brak af"))??;
    let wait_for_expiry = (last_short_expiry - Utc::now()).to_std().unwrap_or_default();
    let deadline = Instant::now() + wait_for_expiry + Duration::from_secs(DRAIN_SECS);
    loop {
        desk.collect(&ledger);
        let (awaiting, uncertain) = {
            let ledger = ledger.lock().map_err(|_| anyhow!("grootboek vergiftigd"))?;
            (ledger.awaiting(), ledger.uncertain_without_outcome())
        };
        if (awaiting == 0 && still_at_relay(&db, &uncertain)?.is_empty()) || Instant::now() > deadline {
            break;
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    // A few more rounds for the devices (colleague notices, waiting receipts), and for any
    // outcome reported twice to show up.
    std::thread::sleep(Duration::from_secs(5));
    desk.collect(&ledger);
    let device_dirs: Vec<PathBuf> = (0..fleet.len()).map(|d| fleet.dir(d).to_path_buf()).collect();
    drop(fleet);

    let mut faults = Vec::new();
    for (device, dir) in device_dirs.iter().enumerate() {
        faults.extend(vault_left_clean(device, dir));
    }
    faults.extend(relay_left_clean(&db)?);
    let open = ledger.lock().map_err(|_| anyhow!("grootboek vergiftigd"))?.without_outcome();
    let at_relay = still_at_relay(&db, &open)?;
    drop(relay);
    let ledger = Arc::try_unwrap(ledger)
        .map_err(|_| anyhow!("het grootboek is nog in gebruik"))?
        .into_inner()
        .map_err(|_| anyhow!("grootboek vergiftigd"))?;
    let (figures, mut problems) = ledger.finish(&at_relay);
    problems.extend(faults);

    let passed = figures.broken() == 0 && problems.is_empty();
    let summary = serde_json::json!({
        "command": format!(
            "cargo xtask chaos --signals {} --seed {} --schools {} --rate {}",
            config.signals, config.seed, config.schools, config.rate
        ),
        "date": Utc::now().to_rfc3339(),
        "seed": config.seed,
        "schools": schools.len(),
        "late_schools": late.iter().filter(|l| **l).count(),
        "devices": devices.len(),
        "relay_kills": tally.relay_kills,
        "relay_down_seconds": (tally.relay_down.as_secs_f64() * 10.0).round() / 10.0,
        "relay_down_longest_ms": tally.relay_down_longest.as_millis() as u64,
        "device_kills": tally.device_kills,
        "device_process_starts": counters.starts.load(Ordering::Relaxed),
        "device_fetches_while_relay_down": counters.offline_fetches.load(Ordering::Relaxed),
        "office_reopens": desk.reopens,
        "office_receipt_reads_while_relay_down": desk.unreachable,
        "uncertain_send_reasons": uncertain_reasons,
        "figures": figures,
        "problems": problems,
        "seconds": began.elapsed().as_secs(),
        "passed": passed,
    });
    print_summary(&figures, &summary);
    if let Some(parent) = config.summary.parent() {
        std::fs::create_dir_all(parent).with_context(|| format!("{} aanmaken", parent.display()))?;
    }
    std::fs::write(&config.summary, serde_json::to_vec_pretty(&summary)?)
        .with_context(|| format!("{} schrijven", config.summary.display()))?;
    eprintln!("samenvatting: {}", config.summary.display());
    Ok(passed)
}

/// Which outcome a late school's signal must have, by its expiry against the late start.
fn expectation(expires_at: DateTime<Utc>, late_at: DateTime<Utc>) -> Expect {
    let after = (expires_at - late_at).num_seconds();
    if after <= EITHER_WINDOW.0 {
        Expect::Expire
    } else if after >= EITHER_WINDOW.1 {
        Expect::Deliver
    } else {
        Expect::Either
    }
}

/// The office side: the `Office` (opened again now and then, as the officer's tool would be)
/// and what reading receipts met.
struct Desk {
    office: Option<Office>,
    dir: PathBuf,
    /// The test relay's address, given again after each opening (`--relay` in the CLI).
    relay_url: String,
    reopens: usize,
    unreachable: usize,
}

impl Desk {
    fn office(&mut self) -> Result<&mut Office> {
        self.office.as_mut().ok_or_else(|| anyhow!("het kantoor is niet geopend"))
    }

    /// Closes the office's database, then opens it again from disk.
    fn reopen(&mut self) -> Result<()> {
        drop(self.office.take());
        let mut office = Office::open(&self.dir, KeySource::Keyring)?;
        office.use_relay(&self.relay_url)?;
        self.office = Some(office);
        self.reopens += 1;
        Ok(())
    }

    /// Reads the office's receipts and expiry notices into the ledger; a relay that is down
    /// is counted, not fatal.
    fn collect(&mut self, ledger: &Mutex<Ledger>) {
        let reports = match self.office.as_mut().map(Office::fetch_receipts) {
            Some(Ok(reports)) => reports,
            _ => {
                self.unreachable += 1;
                return;
            }
        };
        let Ok(mut ledger) = ledger.lock() else { return };
        for report in reports {
            match report {
                ReceiptReport::Acknowledged { signal_id, .. } => ledger.outcome(signal_id, Outcome::Acknowledged),
                ReceiptReport::Expired { signal_id, expired_at, .. } => {
                    ledger.outcome(signal_id, Outcome::Expired { expired_at: expired_at.timestamp() })
                }
                ReceiptReport::Refused { reason, .. } => ledger.unexpected_report(format!("geweigerd ({reason:?})")),
                ReceiptReport::Unproven { signal_id, .. } => {
                    ledger.unexpected_report(format!("bevestiging zonder bewijs van openen, signaal {signal_id}"))
                }
                ReceiptReport::UnknownSignal { signal_id, .. } => {
                    ledger.unexpected_report(format!("onbekend signaal {signal_id}"))
                }
                ReceiptReport::Unconfirmed { signal_id, .. } => {
                    ledger.unexpected_report(format!("onbevestigd signaal {signal_id}"))
                }
                // The chaos run's devices send no school days.
                ReceiptReport::SchoolDays { school, .. } => {
                    ledger.unexpected_report(format!("schooldagen van school {school}"))
                }
            }
        }
    }
}

/// Which of `ids` the relay's database still holds as envelopes.
fn still_at_relay(db: &Path, ids: &[SignalId]) -> Result<BTreeSet<SignalId>> {
    if ids.is_empty() {
        return Ok(BTreeSet::new());
    }
    let conn = rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let mut found = BTreeSet::new();
    for id in ids {
        let n: i64 =
            conn.query_row("SELECT count(*) FROM signals WHERE signal_id = ?1", [id.to_string()], |r| r.get(0))?;
        if n > 0 {
            found.insert(*id);
        }
    }
    Ok(found)
}

/// After the run the relay's database passes SQLite's integrity check and holds no envelope.
fn relay_left_clean(db: &Path) -> Result<Vec<String>> {
    let conn = rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let integrity: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
    let envelopes: i64 = conn.query_row("SELECT count(*) FROM signals", [], |r| r.get(0))?;
    let mut faults = Vec::new();
    if integrity != "ok" {
        faults.push(format!("de database van de relay is beschadigd: {integrity}"));
    }
    if envelopes != 0 {
        faults.push(format!("de relay houdt na afloop nog {envelopes} enveloppen vast"));
    }
    Ok(faults)
}

/// After the run each device's vault opens, holds no signal and no receipt that still waits.
fn vault_left_clean(device: usize, dir: &Path) -> Option<String> {
    let status = SchoolClient::open(dir).and_then(|client| client.status());
    match status {
        Ok(s) if s.sealed_signals == 0 && s.receipts_waiting == 0 => None,
        Ok(s) => Some(format!(
            "apparaat {device} houdt na afloop {} signalen en {} wachtende bevestigingen vast",
            s.sealed_signals, s.receipts_waiting
        )),
        Err(e) => Some(format!("de kluis van apparaat {device} opent niet meer: {e}")),
    }
}

fn print_summary(figures: &Figures, summary: &serde_json::Value) {
    eprintln!("\nchaos-uitslag");
    for key in [
        "relay_kills",
        "relay_down_seconds",
        "relay_down_longest_ms",
        "device_kills",
        "device_process_starts",
        "office_reopens",
        "seconds",
    ] {
        eprintln!("  {key:<38} {}", summary[key]);
    }
    if let Ok(serde_json::Value::Object(map)) = serde_json::to_value(figures) {
        for (key, value) in map {
            eprintln!("  {key:<38} {value}");
        }
    }
    if let Some(problems) = summary["problems"].as_array() {
        for problem in problems {
            eprintln!("  PROBLEEM: {}", problem.as_str().unwrap_or_default());
        }
    }
    eprintln!("  {:<38} {}", "beloften gehouden", if summary["passed"] == true { "ja" } else { "NEE" });
}
