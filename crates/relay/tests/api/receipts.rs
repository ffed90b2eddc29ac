//! Receipts: the first one handles the signal everywhere, later ones change nothing.

use crate::common::{expect_error, now, Device, Env};
use chrono::{DateTime, Utc};
use hwc_protocol::api::{OfficeItem, OfficeItems, ReceiptAccepted, Stats};
use hwc_protocol::{Receipt, ReceiptKind, Role, SignalId};
use reqwest::StatusCode;

#[test]
fn first_receipt_deletes_every_copy_and_colleague_sees_handled() {
    let env = Env::new();
    let director = env.verified_device("12AB", Role::Director);
    let backup = env.verified_device("12AB", Role::Backup);
    let envelope = env.seal("12AB", &[&director, &backup]);
    let signal_id = envelope.envelope.signal_id;
    assert_eq!(env.post_signal(&envelope).status(), StatusCode::CREATED);
    let seen = env.inbox(&backup, 0, 0);
    assert_eq!(seen.envelopes.len(), 1);

    let first = env.receipt(&director, signal_id, ReceiptKind::HandedOver);
    assert_eq!(first.status(), StatusCode::OK);
    assert_eq!(first.json::<ReceiptAccepted>().unwrap(), ReceiptAccepted { signal_id, first: true });

    let after = env.inbox(&backup, seen.cursor, 0);
    assert!(after.envelopes.is_empty());
    assert_eq!(after.handled.len(), 1);
    assert_eq!(after.handled[0].signal_id, signal_id);
    assert_eq!(after.handled[0].by, director.id());
    let fresh = env.inbox(&backup, 0, 0);
    assert!(fresh.envelopes.is_empty(), "the colleague's copy is gone too");
    assert_eq!(fresh.handled.len(), 1);

    let second = env.receipt(&backup, signal_id, ReceiptKind::HandedOver);
    assert_eq!(second.json::<ReceiptAccepted>().unwrap(), ReceiptAccepted { signal_id, first: false });
    let retry = env.receipt(&director, signal_id, ReceiptKind::HandedOver);
    assert!(!retry.json::<ReceiptAccepted>().unwrap().first);

    let items: OfficeItems = env.as_office(&env.office, "GET", "/v1/receipts?after=0", b"").json().unwrap();
    assert_eq!(items.items.len(), 1, "exactly one item for the office");
    match &items.items[0] {
        OfficeItem::Receipt { school, receipt } => {
            assert_eq!(school.as_str(), "12AB");
            let verified = Receipt::verify(&receipt.0, &director.keys).unwrap();
            assert_eq!(verified.receipt.signal_id, signal_id);
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn long_poll_of_colleague_wakes_on_receipt() {
    let env = Env::new();
    let director = env.verified_device("12AB", Role::Director);
    let backup = env.verified_device("12AB", Role::Backup);
    let envelope = env.seal("12AB", &[&director, &backup]);
    assert_eq!(env.post_signal(&envelope).status(), StatusCode::CREATED);
    let cursor = env.inbox(&backup, 0, 0).cursor;
    std::thread::scope(|scope| {
        let waiter = scope.spawn(|| {
            let started = std::time::Instant::now();
            (env.inbox(&backup, cursor, 20), started.elapsed())
        });
        std::thread::sleep(std::time::Duration::from_millis(500));
        assert_eq!(
            env.receipt(&director, envelope.envelope.signal_id, ReceiptKind::HandedOver).status(),
            StatusCode::OK
        );
        let (inbox, elapsed) = waiter.join().unwrap();
        assert_eq!(inbox.handled.len(), 1);
        assert!(elapsed < std::time::Duration::from_secs(10), "{elapsed:?}");
    });
}

#[test]
fn receipts_for_other_schools_or_unknown_signals_are_refused() {
    let env = Env::new();
    let a = env.verified_device("12AB", Role::Director);
    let b = env.verified_device("34CD", Role::Director);
    let a_backup = env.verified_device("12AB", Role::Backup);
    let envelope = env.seal("12AB", &[&a]);
    let signal_id = envelope.envelope.signal_id;
    assert_eq!(env.post_signal(&envelope).status(), StatusCode::CREATED);
    expect_error(env.receipt(&b, signal_id, ReceiptKind::HandedOver), StatusCode::NOT_FOUND, "not_found");
    expect_error(env.receipt(&a_backup, signal_id, ReceiptKind::HandedOver), StatusCode::NOT_FOUND, "not_found");
    expect_error(
        env.receipt(&a, SignalId::random().unwrap(), ReceiptKind::HandedOver),
        StatusCode::NOT_FOUND,
        "not_found",
    );
    // A's receipt posted by B: the signature is not B's.
    let lying = Receipt::sign(
        &a.sign,
        a.id(),
        signal_id,
        ReceiptKind::HandedOver,
        chrono::Utc::now(),
        &hwc_protocol::ReceiptKey::from_bytes([0; 16]),
    );
    expect_error(env.as_device(&b, "POST", "/v1/receipts", &lying.bytes), StatusCode::BAD_REQUEST, "invalid_receipt");
    // A pending device may not acknowledge.
    let pending = Device::new();
    let code = env.code("12AB", Role::Backup);
    assert_eq!(env.enroll(&pending, &code.display()).status(), StatusCode::CREATED);
    expect_error(
        env.receipt(&pending, signal_id, ReceiptKind::HandedOver),
        StatusCode::FORBIDDEN,
        "device_not_verified",
    );
    // Still waiting for A.
    assert_eq!(env.inbox(&a, 0, 0).envelopes.len(), 1);
}

#[test]
fn stats_count_sent_acknowledged_and_not_our_pupil() {
    let env = Env::with_offices(2);
    let device = env.verified_device("12AB", Role::Director);
    let first = env.seal("12AB", &[&device]);
    let second = env.seal("12AB", &[&device]);
    assert_eq!(env.post_signal(&first).status(), StatusCode::CREATED);
    assert_eq!(env.post_signal(&second).status(), StatusCode::CREATED);
    assert_eq!(env.post_signal(&second).status(), StatusCode::OK, "a repeat is not counted");
    assert_eq!(env.receipt(&device, first.envelope.signal_id, ReceiptKind::HandedOver).status(), StatusCode::OK);
    assert_eq!(env.receipt(&device, second.envelope.signal_id, ReceiptKind::NotOurPupil).status(), StatusCode::OK);
    assert_eq!(env.receipt(&device, second.envelope.signal_id, ReceiptKind::NotOurPupil).status(), StatusCode::OK);

    let stats: Stats = env.as_office(&env.office, "GET", "/v1/stats", b"").json().unwrap();
    let today = hwc_protocol::expiry::amsterdam_date(first.envelope.created()).format("%Y-%m-%d").to_string();
    let total: u64 = stats.sent_per_day.iter().map(|d| d.count).sum();
    assert_eq!(total, 2);
    assert!(stats.sent_per_day.iter().any(|d| d.day == today), "{:?}", stats.sent_per_day);
    assert_eq!(stats.acknowledged.within_1h, 2);
    assert_eq!(stats.not_our_pupil, 1);
    assert_eq!(stats.expired, 0);

    let others: Stats = env.as_office(&env.others[0], "GET", "/v1/stats", b"").json().unwrap();
    assert!(others.sent_per_day.is_empty());
    assert_eq!(others.acknowledged.within_1h, 0);
    expect_error(env.as_device(&device, "GET", "/v1/stats", b""), StatusCode::FORBIDDEN, "forbidden");
}

#[test]
fn receipt_time_is_clamped_between_the_signal_and_the_relay_clock() {
    let env = Env::new();
    let director = env.verified_device("12AB", Role::Director);
    let backup = env.verified_device("12AB", Role::Backup);
    let t = now();
    let created = t - 7200;
    let future = env.seal_from(&env.office, "12AB", &[&director, &backup], created, t + 3600);
    let past = env.seal_from(&env.office, "12AB", &[&director, &backup], created, t + 3600);
    assert_eq!(env.post_signal(&future).status(), StatusCode::CREATED);
    assert_eq!(env.post_signal(&past).status(), StatusCode::CREATED);

    let claims_future =
        env.receipt_at(&director, future.envelope.signal_id, ReceiptKind::HandedOver, DateTime::<Utc>::MAX_UTC);
    assert_eq!(claims_future.status(), StatusCode::OK);
    let claims_past =
        env.receipt_at(&director, past.envelope.signal_id, ReceiptKind::HandedOver, DateTime::<Utc>::MIN_UTC);
    assert_eq!(claims_past.status(), StatusCode::OK);
    let checked = now();

    let inbox = env.inbox(&backup, 0, 0);
    assert_eq!(inbox.handled.len(), 2);
    let at = |id: SignalId| inbox.handled.iter().find(|h| h.signal_id == id).unwrap().at;
    let future_at = at(future.envelope.signal_id);
    assert!((t..=checked).contains(&future_at), "{future_at} not the relay's time");
    assert_eq!(at(past.envelope.signal_id), created);

    // Counted by the clamped times: about two hours, and no time at all.
    let stats: Stats = env.as_office(&env.office, "GET", "/v1/stats", b"").json().unwrap();
    assert_eq!((stats.acknowledged.within_1h, stats.acknowledged.within_4h, stats.acknowledged.later), (1, 1, 0));

    // The office gets the receipt as the device signed it.
    let items: OfficeItems = env.as_office(&env.office, "GET", "/v1/receipts?after=0", b"").json().unwrap();
    let claimed: Vec<i64> = items
        .items
        .iter()
        .map(|item| match item {
            OfficeItem::Receipt { receipt, .. } => Receipt::verify(&receipt.0, &director.keys).unwrap().receipt.at,
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(claimed, vec![DateTime::<Utc>::MAX_UTC.timestamp(), DateTime::<Utc>::MIN_UTC.timestamp()]);
}
