//! The PIN guard over HTTP: ten evaluated tries between right PINs, counted atomically also when
//! requests race (which only PostgreSQL's round can get wrong: SQLite has one writer), cleared
//! only with the device's registered reset key (sent with its enrollment, or for a client from
//! before the guard, the first reset's), and gone with the device.

use crate::common::{expect_error, Device, Env};
use hwc_protocol::api::{EnrollDevice, PinGuardAnswer, PinGuardRequest, PinGuardReset};
use hwc_protocol::pin_guard::{PinBlinding, PinResetKey, PIN_GUARD_TRIES};
use hwc_protocol::Role;
use reqwest::StatusCode;

fn try_pin(env: &Env, device: &Device, blinding: &PinBlinding) -> reqwest::blocking::Response {
    let body = serde_json::to_vec(&PinGuardRequest { blinded: *blinding.blinded() }).unwrap();
    env.as_device(device, "POST", "/v1/pin-guard", &body)
}

fn answer(env: &Env, device: &Device, pin: &str) -> (PinBlinding, PinGuardAnswer) {
    let blinding = PinBlinding::start(pin).unwrap();
    let response = try_pin(env, device, &blinding);
    assert_eq!(response.status(), StatusCode::OK);
    (blinding, response.json().unwrap())
}

fn reset(env: &Env, device: &Device, key: &PinResetKey, nonce: [u8; 32]) -> reqwest::blocking::Response {
    let body = PinGuardReset { nonce, reset_key: key.public(), signature: key.sign_reset(&device.id(), &nonce) };
    env.as_device(device, "POST", "/v1/pin-guard/reset", &serde_json::to_vec(&body).unwrap())
}

/// Whether the relay's database still has a guard row for `device` (SQLite; on PostgreSQL the
/// store's own test and the removal's single transaction stand for it).
fn guard_row_exists(env: &Env, device: &Device) -> Option<bool> {
    if env.relay.postgres_url().is_some() {
        return None;
    }
    let db = rusqlite::Connection::open(env.relay.db_path()).unwrap();
    db.busy_timeout(std::time::Duration::from_secs(10)).unwrap();
    Some(
        db.query_row("SELECT EXISTS (SELECT 1 FROM pin_guard WHERE device_id = ?1)", [device.id().to_string()], |r| {
            r.get(0)
        })
        .unwrap(),
    )
}

#[test]
fn the_reset_key_sent_with_the_enrollment_is_the_only_one_accepted() {
    let env = Env::new();
    let code = env.code("12AB", Role::Director);
    let device = Device::new();
    let own = PinResetKey::from_seed(&[5; 32]);
    let body = serde_json::to_vec(&EnrollDevice::with_pin_reset_key(&code, device.keys, own.public())).unwrap();
    assert_eq!(env.as_device(&device, "POST", "/v1/devices", &body).status(), StatusCode::CREATED);
    assert!(guard_row_exists(&env, &device).unwrap_or(true), "made with the enrollment");

    // Someone with a copy of the device's signing key tries first: no first come, first served.
    let (_, answer) = answer(&env, &device, "000000");
    let thief = PinResetKey::from_seed(&[6; 32]);
    expect_error(reset(&env, &device, &thief, answer.nonce), StatusCode::FORBIDDEN, "forbidden");
    assert_eq!(reset(&env, &device, &own, answer.nonce).status(), StatusCode::OK);
}

/// A client from before the guard enrolls without a reset key; the first reset registers one.
#[test]
fn ten_tries_then_refusal_until_the_registered_key_proves_a_right_pin() {
    let env = Env::new();
    let code = env.code("12AB", Role::Director);
    let device = Device::new();
    assert_eq!(env.enroll(&device, &code.display()).status(), StatusCode::CREATED);

    // The same PIN gives the same result under the device's key, through different blindings.
    let (first, first_answer) = answer(&env, &device, "482916");
    assert_eq!(first_answer.tries_left, PIN_GUARD_TRIES - 1);
    let (second, second_answer) = answer(&env, &device, "482916");
    assert_ne!(first.blinded(), second.blinded());
    assert_eq!(
        *first.finish("482916", &first_answer.evaluated).unwrap(),
        *second.finish("482916", &second_answer.evaluated).unwrap()
    );

    // A malformed element costs no try; an office may not use the guard.
    let body = br#"{"blinded":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}"#;
    expect_error(env.as_device(&device, "POST", "/v1/pin-guard", body), StatusCode::BAD_REQUEST, "bad_request");
    let office_body = serde_json::to_vec(&PinGuardRequest { blinded: *first.blinded() }).unwrap();
    expect_error(env.as_office(&env.office, "POST", "/v1/pin-guard", &office_body), StatusCode::FORBIDDEN, "forbidden");

    let mut last = second_answer;
    for left in (0..PIN_GUARD_TRIES - 2).rev() {
        last = answer(&env, &device, "000000").1;
        assert_eq!(last.tries_left, left);
    }
    let refused = try_pin(&env, &device, &PinBlinding::start("482916").unwrap());
    expect_error(refused, StatusCode::LOCKED, "pin_tries_used_up");

    // The first reset registers its key; a thief's key cannot clear the count after that, and a
    // used nonce serves no second time.
    let key = PinResetKey::from_seed(&[5; 32]);
    let thief = PinResetKey::from_seed(&[6; 32]);
    expect_error(reset(&env, &device, &key, [0; 32]), StatusCode::FORBIDDEN, "forbidden");
    assert_eq!(reset(&env, &device, &key, last.nonce).status(), StatusCode::OK);
    expect_error(reset(&env, &device, &key, last.nonce), StatusCode::FORBIDDEN, "forbidden");
    let after = answer(&env, &device, "482916").1;
    assert_eq!(after.tries_left, PIN_GUARD_TRIES - 1);
    expect_error(reset(&env, &device, &thief, after.nonce), StatusCode::FORBIDDEN, "forbidden");
    assert_eq!(reset(&env, &device, &key, after.nonce).status(), StatusCode::OK);

    // Removal deletes the guard: a removed device gets no more tries.
    assert_ne!(guard_row_exists(&env, &device), Some(false));
    let path = format!("/v1/devices/{}/remove", device.id());
    assert_eq!(env.as_office(&env.office, "POST", &path, b"").status(), StatusCode::OK);
    assert_ne!(guard_row_exists(&env, &device), Some(true), "the guard goes with the device");
    let removed = try_pin(&env, &device, &PinBlinding::start("482916").unwrap());
    expect_error(removed, StatusCode::FORBIDDEN, "device_not_verified");
}

#[test]
fn tries_that_race_are_counted_one_by_one() {
    let env = Env::new();
    let device = env.verified_device("12AB", Role::Director);
    let accepted: usize = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..3 * PIN_GUARD_TRIES)
            .map(|_| {
                scope.spawn(|| {
                    let response = try_pin(&env, &device, &PinBlinding::start("123456").unwrap());
                    match response.status() {
                        StatusCode::OK => 1,
                        StatusCode::LOCKED => 0,
                        other => panic!("unexpected answer {other}"),
                    }
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap()).sum()
    });
    assert_eq!(accepted, PIN_GUARD_TRIES as usize);
}
