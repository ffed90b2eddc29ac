//! Storing envelopes: checks, idempotency and conflicts.

use crate::common::{expect_error, now, Device, Env};
use hwc_protocol::api::{Blob, SignalAccepted};
use hwc_protocol::Role;
use reqwest::StatusCode;

#[test]
fn signal_is_stored_once_and_a_different_envelope_under_its_id_conflicts() {
    let env = Env::new();
    let device = env.verified_device("12AB", Role::Director);
    let envelope = env.seal("12AB", &[&device]);
    let first = env.post_signal(&envelope);
    assert_eq!(first.status(), StatusCode::CREATED);
    let accepted: SignalAccepted = first.json().unwrap();
    assert!(accepted.stored);
    assert_eq!(accepted.signal_id, envelope.envelope.signal_id);

    let again = env.post_signal(&envelope);
    assert_eq!(again.status(), StatusCode::OK);
    assert!(!again.json::<SignalAccepted>().unwrap().stored);

    // Same signal id, different envelope.
    let conflicting = hwc_protocol::Envelope::seal(
        &env.office,
        envelope.envelope.signal_id,
        envelope.envelope.school,
        envelope.envelope.created(),
        envelope.envelope.expires(),
        &[device.keys],
        &hwc_protocol::Signal::from_input("Noor Bakker", "2015-01-02", envelope.envelope.created().date_naive())
            .unwrap(),
    )
    .unwrap();
    expect_error(env.post_signal(&conflicting), StatusCode::CONFLICT, "conflict");
    assert_eq!(env.inbox(&device, 0, 0).envelopes.len(), 1);
}

#[test]
fn copies_must_be_for_verified_devices_of_that_school() {
    let env = Env::new();
    let verified = env.verified_device("12AB", Role::Director);
    let pending = Device::new();
    let code = env.code("12AB", Role::Backup);
    assert_eq!(env.enroll(&pending, &code.display()).status(), StatusCode::CREATED);
    let message = expect_error(
        env.post_signal(&env.seal("12AB", &[&verified, &pending])),
        StatusCode::FORBIDDEN,
        "device_not_verified",
    );
    assert!(message.contains(&pending.id().to_string()), "{message}");

    let elsewhere = env.verified_device("34CD", Role::Director);
    expect_error(
        env.post_signal(&env.seal("12AB", &[&verified, &elsewhere])),
        StatusCode::FORBIDDEN,
        "device_not_verified",
    );
    expect_error(env.post_signal(&env.seal("12AB", &[&Device::new()])), StatusCode::FORBIDDEN, "device_not_verified");
    assert_eq!(env.inbox(&verified, 0, 0).envelopes.len(), 0);
}

#[test]
fn envelope_must_be_signed_by_the_sending_office_for_its_own_school_and_not_expired() {
    let env = Env::with_offices(2);
    let other = &env.others[0];
    let device = env.verified_device("12AB", Role::Director);
    let t = now();

    let by_other = env.seal_from(other, "12AB", &[&device], t, t + 3600);
    let response = env.as_office(&env.office, "POST", "/v1/signals", &by_other.bytes);
    let message = expect_error(response, StatusCode::BAD_REQUEST, "invalid_envelope");
    assert!(message.contains("handtekening"), "{message}");

    let response = env.as_office(other, "POST", "/v1/signals", &by_other.bytes);
    expect_error(response, StatusCode::FORBIDDEN, "wrong_school");

    let unregistered = env.seal_from(&env.office, "99ZZ", &[&device], t, t + 3600);
    expect_error(env.post_signal(&unregistered), StatusCode::FORBIDDEN, "wrong_school");

    let expired = env.seal_from(&env.office, "12AB", &[&device], t - 7200, t - 1);
    expect_error(env.post_signal(&expired), StatusCode::GONE, "expired");

    expect_error(
        env.as_office(&env.office, "POST", "/v1/signals", b"HWE1 garbage"),
        StatusCode::BAD_REQUEST,
        "invalid_envelope",
    );
    let from_device = env.as_device(&device, "POST", "/v1/signals", &env.seal("12AB", &[&device]).bytes);
    expect_error(from_device, StatusCode::FORBIDDEN, "forbidden");
}

#[test]
fn an_envelope_created_for_later_is_held_unseen_and_then_reaches_a_waiting_device() {
    let env = Env::new();
    let device = env.verified_device("12AB", Role::Director);
    let t = now();
    // Created more than the five minutes of clock skew ahead: the relay holds it (rule E8).
    let held = env.seal_from(&env.office, "12AB", &[&device], t + 400, t + 3600);
    assert_eq!(env.post_signal(&held).status(), StatusCode::CREATED);
    assert_eq!(env.post_signal(&held).status(), StatusCode::OK, "held envelopes are idempotent too");
    assert!(env.inbox(&device, 0, 0).envelopes.is_empty(), "nothing is served before its time");
    assert_eq!(env.relay.count_rows("held_events").unwrap(), 1);
    // Within the skew (an office clock a few minutes fast) it is served at once, and it moves the
    // device's cursor past the held one.
    let soon = env.seal_from(&env.office, "12AB", &[&device], t + 200, t + 3600);
    assert_eq!(env.post_signal(&soon).status(), StatusCode::CREATED);
    let first = env.inbox(&device, 0, 0);
    assert_eq!(first.envelopes, vec![Blob(soon.bytes.clone())]);
    // The relay's clock passes its creation (moved in the store instead of waiting): the
    // background sweep, every second here, releases it to a device already waiting after that cursor.
    env.relay.execute("UPDATE held_events SET release_at = 0").unwrap();
    let waited = env.inbox(&device, first.cursor, 20);
    assert_eq!(waited.envelopes, vec![Blob(held.bytes.clone())]);
    assert!(waited.cursor > first.cursor);
    assert_eq!(env.relay.count_rows("held_events").unwrap(), 0);
    assert!(env.inbox(&device, waited.cursor, 0).envelopes.is_empty(), "released once");

    // More than eight weeks ahead is refused.
    let weeks = hwc_protocol::envelope::MAX_HOLD_SECS;
    let too_far = env.seal_from(&env.office, "12AB", &[&device], t + weeks + 600, t + weeks + 3600);
    expect_error(env.post_signal(&too_far), StatusCode::BAD_REQUEST, "invalid_envelope");
}
