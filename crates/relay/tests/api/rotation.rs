//! Several offices on one relay, and office key rotation: the old key hands its schools to a
//! configured successor that proves it agrees; everything waiting moves along, the old key is
//! refused from then on, and devices enrolled under the old key enroll again.

use crate::common::{expect_error, now, Device, Env};
use hwc_protocol::api::{OfficeItems, Stats, SuccessorAccepted};
use hwc_protocol::{OfficeSigningKey, OfficeSuccession, ReceiptKind, Role};
use reqwest::blocking::Response;
use reqwest::StatusCode;

fn hand_over(env: &Env, old: &OfficeSigningKey, succession: &OfficeSuccession) -> Response {
    env.as_office(old, "POST", "/v1/office/successor", &serde_json::to_vec(succession).unwrap())
}

fn stats(env: &Env, office: &OfficeSigningKey) -> Stats {
    let response = env.as_office(office, "GET", "/v1/stats", b"");
    assert_eq!(response.status(), StatusCode::OK);
    response.json().unwrap()
}

fn items(env: &Env, office: &OfficeSigningKey) -> OfficeItems {
    let response = env.as_office(office, "GET", "/v1/receipts?after=0", b"");
    assert_eq!(response.status(), StatusCode::OK);
    response.json().unwrap()
}

#[test]
fn offices_on_one_relay_see_only_their_own_schools_counts_and_receipts() {
    let env = Env::with_offices(2);
    let other = &env.others[0];
    let ours = env.verified_device("12AB", Role::Director);
    let signal = env.seal("12AB", &[&ours]);
    assert_eq!(env.post_signal(&signal).status(), StatusCode::CREATED);
    assert_eq!(env.receipt(&ours, signal.envelope.signal_id, ReceiptKind::HandedOver).status(), StatusCode::OK);

    assert_eq!(stats(&env, &env.office).sent_per_day.iter().map(|d| d.count).sum::<u64>(), 1);
    let theirs = stats(&env, other);
    assert!(theirs.sent_per_day.is_empty() && theirs.acknowledged == Default::default(), "{theirs:?}");
    assert_eq!(items(&env, &env.office).items.len(), 1);
    assert!(items(&env, other).items.is_empty());
    // The other office can neither see our school's devices nor send to it nor enroll for it.
    let list = env.as_office(other, "GET", "/v1/schools/12AB/devices", b"");
    expect_error(list, StatusCode::FORBIDDEN, "wrong_school");
    let theirs = env.seal_from(other, "12AB", &[&ours], now(), now() + 3600);
    expect_error(env.as_office(other, "POST", "/v1/signals", &theirs.bytes), StatusCode::FORBIDDEN, "wrong_school");
    let (_, enroll) = env.code_from(other, "12AB", Role::Backup, now() + 3600);
    expect_error(enroll, StatusCode::FORBIDDEN, "wrong_school");
}

#[test]
fn a_rotated_key_hands_everything_over_and_devices_enroll_again_under_the_new_key() {
    // office: the old key; others[0]: its successor; others[1]: another office on the relay.
    let env = Env::with_offices(3);
    let (old, new, neighbour) = (&env.office, &env.others[0], &env.others[1]);
    let director = env.verified_device("12AB", Role::Director);
    let waiting = env.seal("12AB", &[&director]);
    assert_eq!(env.post_signal(&waiting).status(), StatusCode::CREATED);
    let (_, neighbour_code) = env.code_from(neighbour, "34CD", Role::Director, now() + 3600);
    assert_eq!(neighbour_code.status(), StatusCode::CREATED);
    let unused = env.code("12AB", Role::Backup);

    // Refused: a proof made by another key, and a successor the relay was not configured with.
    let forged = OfficeSuccession { successor: new.public(), ..OfficeSuccession::sign(&old.public(), neighbour) };
    expect_error(hand_over(&env, old, &forged), StatusCode::BAD_REQUEST, "bad_request");
    let unconfigured = OfficeSigningKey::generate().unwrap();
    let message = expect_error(
        hand_over(&env, old, &OfficeSuccession::sign(&old.public(), &unconfigured)),
        StatusCode::FORBIDDEN,
        "forbidden",
    );
    assert!(message.contains(&unconfigured.public().to_string()), "names the key to add: {message}");
    // A successor that already acts for schools of its own is refused too.
    let busy = hand_over(&env, old, &OfficeSuccession::sign(&old.public(), neighbour));
    expect_error(busy, StatusCode::CONFLICT, "conflict");
    assert_eq!(stats(&env, old).sent_per_day.iter().map(|d| d.count).sum::<u64>(), 1, "nothing changed");

    let succession = OfficeSuccession::sign(&old.public(), new);
    let first: SuccessorAccepted = hand_over(&env, old, &succession).json().unwrap();
    assert!(first.first);
    let again: SuccessorAccepted = hand_over(&env, old, &succession).json().unwrap();
    assert!(!again.first, "a retry answers the same");

    // The old key is refused for everything else from now on.
    let refused = expect_error(env.as_office(old, "GET", "/v1/stats", b""), StatusCode::UNAUTHORIZED, "unknown_signer");
    assert!(refused.contains("vervangen"), "{refused}");
    let late = env.seal("12AB", &[&director]);
    expect_error(env.post_signal(&late), StatusCode::UNAUTHORIZED, "unknown_signer");
    // Its unused code went with it: a device enrolling with it would trust the retired key.
    expect_error(env.enroll(&Device::new(), &unused.display()), StatusCode::NOT_FOUND, "not_found");

    // The waiting envelope still reaches the device that trusts the old key, and its receipt
    // and the counts are the new key's now.
    assert_eq!(stats(&env, new).sent_per_day.iter().map(|d| d.count).sum::<u64>(), 1);
    assert_eq!(env.inbox(&director, 0, 0).envelopes.len(), 1);
    assert_eq!(env.receipt(&director, waiting.envelope.signal_id, ReceiptKind::HandedOver).status(), StatusCode::OK);
    assert_eq!(items(&env, new).items.len(), 1);

    // The new key cannot send to the device enrolled under the old one...
    let to_old_device = env.seal_from(new, "12AB", &[&director], now(), now() + 3600);
    let message = expect_error(
        env.as_office(new, "POST", "/v1/signals", &to_old_device.bytes),
        StatusCode::FORBIDDEN,
        "device_not_verified",
    );
    assert!(message.contains("opnieuw aanmelden"), "{message}");
    // ...so the school enrolls again with the new key's code, and the old device is removed.
    let (code, created) = env.code_from(new, "12AB", Role::Director, now() + 3600);
    assert_eq!(created.status(), StatusCode::CREATED);
    let renewed = Device::new();
    assert_eq!(env.enroll(&renewed, &code.display()).status(), StatusCode::CREATED);
    assert_eq!(env.device_info(&renewed).office_key, new.public());
    let verify = env.as_office(new, "POST", &format!("/v1/devices/{}/verify", renewed.id()), b"");
    assert_eq!(verify.status(), StatusCode::OK);
    let remove = env.as_office(new, "POST", &format!("/v1/devices/{}/remove", director.id()), b"");
    assert_eq!(remove.status(), StatusCode::OK);
    let fresh = env.seal_from(new, "12AB", &[&renewed], now(), now() + 3600);
    assert_eq!(env.as_office(new, "POST", "/v1/signals", &fresh.bytes).status(), StatusCode::CREATED);
    assert_eq!(env.inbox(&renewed, 0, 0).envelopes.len(), 1);

    // The neighbour office was never touched.
    assert!(items(&env, neighbour).items.is_empty());
    // And a key that was handed over cannot be handed over again, to anyone.
    let twice = hand_over(&env, old, &OfficeSuccession::sign(&old.public(), neighbour));
    expect_error(twice, StatusCode::CONFLICT, "conflict");
}
