//! The office's queue: deletion by cursor, expiry notices.

use crate::common::{expect_error, now, Env};
use hwc_protocol::api::{OfficeItem, OfficeItems, Stats};
use hwc_protocol::{ReceiptKind, Role};
use reqwest::StatusCode;

fn items(env: &Env, office: &hwc_protocol::OfficeSigningKey, after: u64) -> OfficeItems {
    let response = env.as_office(office, "GET", &format!("/v1/receipts?after={after}"), b"");
    assert_eq!(response.status(), StatusCode::OK);
    response.json().unwrap()
}

#[test]
fn items_are_deleted_once_the_office_asks_past_them() {
    let env = Env::with_offices(2);
    let device = env.verified_device("12AB", Role::Director);
    let signals: Vec<_> = (0..3).map(|_| env.seal("12AB", &[&device])).collect();
    for s in &signals {
        assert_eq!(env.post_signal(s).status(), StatusCode::CREATED);
    }
    for s in &signals[..2] {
        assert_eq!(env.receipt(&device, s.envelope.signal_id, ReceiptKind::HandedOver).status(), StatusCode::OK);
    }
    let first = items(&env, &env.office, 0);
    assert_eq!(first.items.len(), 2);
    let again = items(&env, &env.office, 0);
    assert_eq!(again, first, "not deleted until confirmed");
    assert!(items(&env, &env.others[0], 0).items.is_empty(), "other offices see nothing");

    let confirmed = items(&env, &env.office, first.cursor);
    assert!(confirmed.items.is_empty());
    assert_eq!(confirmed.cursor, first.cursor);
    assert_eq!(env.receipt(&device, signals[2].envelope.signal_id, ReceiptKind::HandedOver).status(), StatusCode::OK);
    let next = items(&env, &env.office, first.cursor);
    assert_eq!(next.items.len(), 1);
    assert!(next.cursor > first.cursor);
    assert_eq!(items(&env, &env.office, 0).items.len(), 1, "the first two are gone for good");
}

#[test]
fn unacknowledged_envelopes_expire_and_are_reported() {
    let env = Env::new();
    let device = env.verified_device("12AB", Role::Director);
    let t = now();
    let short = env.seal_from(&env.office, "12AB", &[&device], t - 60, t + 2);
    assert_eq!(env.post_signal(&short).status(), StatusCode::CREATED);
    assert_eq!(env.inbox(&device, 0, 0).envelopes.len(), 1);
    std::thread::sleep(std::time::Duration::from_millis(2100));

    let report = items(&env, &env.office, 0);
    assert_eq!(report.items.len(), 1);
    match &report.items[0] {
        OfficeItem::Expired { signal_id, school, expired_at } => {
            assert_eq!(*signal_id, short.envelope.signal_id);
            assert_eq!(school.as_str(), "12AB");
            assert_eq!(*expired_at, t + 2);
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(env.inbox(&device, 0, 0).envelopes.is_empty());
    let stats: Stats = env.as_office(&env.office, "GET", "/v1/stats", b"").json().unwrap();
    assert_eq!(stats.expired, 1);
    crate::common::expect_error(
        env.receipt(&device, short.envelope.signal_id, ReceiptKind::HandedOver),
        StatusCode::NOT_FOUND,
        "not_found",
    );
}

#[test]
fn expired_envelope_is_neither_served_nor_acknowledged_before_the_sweep() {
    let env = Env::without_background_sweeps();
    let director = env.verified_device("12AB", Role::Director);
    let backup = env.verified_device("12AB", Role::Backup);
    let t = now();
    let short = env.seal_from(&env.office, "12AB", &[&director, &backup], t - 60, t + 2);
    let signal_id = short.envelope.signal_id;
    assert_eq!(env.post_signal(&short).status(), StatusCode::CREATED);
    assert_eq!(env.inbox(&director, 0, 0).envelopes.len(), 1);
    std::thread::sleep(std::time::Duration::from_millis(2100));

    // Still in the database (no sweep yet), but past its expiry.
    let stored = env.relay.count_rows("signals").unwrap();
    assert_eq!(stored, 1, "the background sweep ran after all");
    for device in [&director, &backup] {
        let inbox = env.inbox(device, 0, 0);
        assert!(inbox.envelopes.is_empty(), "an expired envelope was served");
        assert!(inbox.cursor > 0, "the cursor still moves past it");
    }
    expect_error(env.receipt(&director, signal_id, ReceiptKind::HandedOver), StatusCode::GONE, "expired");
    expect_error(env.receipt(&backup, signal_id, ReceiptKind::NotOurPupil), StatusCode::GONE, "expired");

    // The office learns that it expired, not that it was handled.
    let report = items(&env, &env.office, 0);
    assert_eq!(report.items.len(), 1);
    assert!(matches!(report.items[0], OfficeItem::Expired { signal_id: id, .. } if id == signal_id));
    let stats: Stats = env.as_office(&env.office, "GET", "/v1/stats", b"").json().unwrap();
    assert_eq!((stats.expired, stats.acknowledged.within_1h, stats.not_our_pupil), (1, 0, 0));
    assert!(env.inbox(&backup, 0, 0).handled.is_empty());
    // After the sweep the relay no longer knows the signal at all.
    expect_error(env.receipt(&director, signal_id, ReceiptKind::HandedOver), StatusCode::NOT_FOUND, "not_found");
}
