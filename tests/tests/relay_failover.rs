//! Several relay instances on one PostgreSQL database, as a hosting party runs them behind a
//! load balancer. Needs the test PostgreSQL server: `cargo xtask test` runs it in its
//! PostgreSQL round.
//!
//! - A device long-polling instance A hears at once of a signal stored through instance B
//!   (`LISTEN`/`NOTIFY`), and when director and backup acknowledge the same signal at the same
//!   moment through different instances, exactly one receipt is queued for the office.
//! - With a load balancer in front of both, instance A is killed (SIGKILL) in the middle of a
//!   stream of signals: the office and the devices carry on through B, and every signal the
//!   office sent is delivered and acknowledged exactly once.

use hwc_client::{Delivery, SchoolClient};
use hwc_protocol::{ReceiptKind, Role, Signal, SignalId};
use hwc_send::{ReceiptReport, SendError};
use hwc_system_tests::balancer::BalancerPort;
use hwc_system_tests::world::{self, World, PIN};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

fn require_postgres() -> String {
    hwc_relay::testing::postgres_admin_url()
        .expect("two relay instances need PostgreSQL: run this through `cargo xtask test` (its PostgreSQL round)")
}

fn signal() -> Signal {
    Signal::from_input("Noor Bakker-Yilmaz", "2016-10-04", chrono::Utc::now().date_naive()).unwrap()
}

fn receipt_items(url: &str, id: &SignalId) -> i64 {
    let sql = format!("SELECT COUNT(*) FROM office_items WHERE kind = 'receipt' AND signal_id = '{id}'");
    hwc_relay::testing::postgres_count(url, &sql).unwrap()
}

#[test]
fn two_instances_a_device_on_one_instance_hears_of_a_signal_stored_through_the_other_and_a_receipt_counts_once() {
    require_postgres();
    let root = tempfile::tempdir().unwrap();
    let (mut office, relay_a) = world::office_and_relay(root.path(), &[]).unwrap();
    let relay_b = relay_a.another_instance().unwrap();
    let db = relay_a.postgres_url().unwrap().to_string();
    let school = World::school();
    let director =
        world::enroll_and_verify(&mut office, &relay_a.url(), school, Role::Director, &root.path().join("a")).unwrap();
    let mut backup =
        world::enroll_and_verify(&mut office, &relay_b.url(), school, Role::Backup, &root.path().join("b")).unwrap();
    office.use_relay(&relay_b.url()).unwrap();

    // The director waits on A; the office stores through B.
    let waiting = std::thread::spawn(move || {
        let mut director = director;
        let started = Instant::now();
        let report = director.fetch(30).unwrap();
        (director, report, started.elapsed())
    });
    std::thread::sleep(Duration::from_millis(700));
    let id = office.send_signal(school, &signal()).unwrap();
    let (mut director, report, waited) = waiting.join().unwrap();
    assert_eq!(report.new_signals, vec![id]);
    assert!(waited < Duration::from_secs(10), "woken after {waited:?}, not by the other instance's notice");
    assert_eq!(backup.fetch(0).unwrap().new_signals, vec![id]);

    // Both hand over at the same moment, the director through A and the backup through B.
    director.unlock(PIN).unwrap();
    backup.unlock(PIN).unwrap();
    let start = Arc::new(Barrier::new(2));
    let both: Vec<_> = [director, backup]
        .into_iter()
        .map(|mut device| {
            let start = Arc::clone(&start);
            std::thread::spawn(move || {
                start.wait();
                device.acknowledge(&id, ReceiptKind::HandedOver).unwrap().delivery
            })
        })
        .collect();
    let deliveries: Vec<Delivery> = both.into_iter().map(|t| t.join().unwrap()).collect();
    let firsts = deliveries.iter().filter(|d| matches!(d, Delivery::Delivered { first: true })).count();
    assert_eq!(firsts, 1, "exactly one receipt is the first: {deliveries:?}");
    assert_eq!(receipt_items(&db, &id), 1, "exactly one receipt queued for the office");
    let reports = office.fetch_receipts().unwrap();
    assert_eq!(reports.len(), 1, "{reports:?}");
}

/// How many signals the office sends, and after which one instance A is killed.
const SIGNALS: usize = 24;
const KILL_AFTER: usize = 8;

#[test]
fn two_instances_one_is_killed_mid_flow_and_the_office_and_devices_carry_on_through_the_other() {
    require_postgres();
    let root = tempfile::tempdir().unwrap();
    let port = BalancerPort::take().unwrap();
    let front = port.url();
    let (mut office, mut relay_a) = world::office_and_relay(root.path(), &["--public-url", &front]).unwrap();
    let relay_b = relay_a.another_instance().unwrap();
    let db = relay_a.postgres_url().unwrap().to_string();
    let balancer = port.start(vec![relay_a.addr(), relay_b.addr()]);
    office.use_relay(&balancer.url()).unwrap();
    let school = World::school();
    let director =
        world::enroll_and_verify(&mut office, &balancer.url(), school, Role::Director, &root.path().join("d")).unwrap();

    // The director's computer: fetch and hand over whatever arrives, through the balancer,
    // until told to stop; connection errors while an instance dies are retried.
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let device = {
        let stop = Arc::clone(&stop);
        std::thread::spawn(move || {
            let mut director: SchoolClient = director;
            director.unlock(PIN).unwrap();
            let mut handled = BTreeSet::new();
            let mut errors = 0;
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                match director.fetch(1) {
                    Ok(_) => {}
                    Err(_) => {
                        errors += 1;
                        std::thread::sleep(Duration::from_millis(100));
                        continue;
                    }
                }
                for pending in director.pending().unwrap() {
                    director.acknowledge(&pending.signal_id, ReceiptKind::HandedOver).unwrap();
                    handled.insert(pending.signal_id);
                }
            }
            (handled, errors)
        })
    };

    let mut sent: Vec<SignalId> = Vec::new();
    for n in 0..SIGNALS {
        if n == KILL_AFTER {
            relay_a.kill();
        }
        match office.send_signal(school, &signal()) {
            Ok(id) => sent.push(id),
            Err(SendError::SentUncertain { signal, .. }) => sent.push(signal),
            Err(other) => panic!("signal {n} was not sent: {other}"),
        }
        std::thread::sleep(Duration::from_millis(50));
    }

    // Every signal is acknowledged, once: the office's reports, and the queue at the relay.
    let mut acknowledged: BTreeMap<SignalId, usize> = BTreeMap::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    while acknowledged.len() < sent.len() && Instant::now() < deadline {
        let queued = hwc_relay::testing::postgres_count(
            &db,
            "SELECT COALESCE(MAX(n), 0) FROM (SELECT COUNT(*) AS n FROM office_items WHERE kind = 'receipt' GROUP BY signal_id) q",
        )
        .unwrap();
        assert!(queued <= 1, "a receipt was queued twice");
        for report in office.fetch_receipts().unwrap_or_default() {
            if let ReceiptReport::Acknowledged { signal_id, .. } = report {
                *acknowledged.entry(signal_id).or_default() += 1;
            }
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    let (handled, device_errors) = device.join().unwrap();
    let missing: Vec<_> = sent.iter().filter(|id| !acknowledged.contains_key(id)).collect();
    assert!(missing.is_empty(), "not acknowledged after instance A died: {missing:?}");
    assert!(acknowledged.values().all(|n| *n == 1), "reported twice: {acknowledged:?}");
    assert_eq!(handled.len(), sent.len(), "the device handled each signal once");
    eprintln!("{} signals, A killed after {KILL_AFTER}; the device retried {device_errors} times", sent.len());
    drop(balancer);
}
