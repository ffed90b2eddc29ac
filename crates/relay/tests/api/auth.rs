//! Request authentication, limits and error shapes.

use crate::common::{expect_error, now, Device, Env};
use hwc_protocol::{AuthHeaders, OfficeSigningKey, Role};
use reqwest::StatusCode;

#[test]
fn health_needs_no_signature_and_unknown_routes_answer_json() {
    let env = Env::new();
    let health = env.send("GET", "/healthz", b"", None);
    assert_eq!(health.status(), StatusCode::OK);
    assert_eq!(health.text().unwrap(), "ok");
    expect_error(env.send("GET", "/v1/nothing", b"", None), StatusCode::NOT_FOUND, "not_found");
    expect_error(env.send("GET", "/v1/stats", b"", None), StatusCode::UNAUTHORIZED, "unauthenticated");
}

#[test]
fn health_says_unavailable_while_the_database_cannot_be_written_and_ok_again_after() {
    let mut env = Env::new();
    // SQLite: another process holds the write lock (a backup tool run the wrong way, say).
    // PostgreSQL: the database refuses connections and the relay's were ended.
    env.relay.make_store_unavailable().unwrap();
    expect_error(env.send("GET", "/healthz", b"", None), StatusCode::SERVICE_UNAVAILABLE, "unavailable");
    env.relay.make_store_available().unwrap();
    let health = env.send("GET", "/healthz", b"", None);
    assert_eq!(health.status(), StatusCode::OK);
}

#[test]
fn stale_replayed_and_tampered_requests_are_refused() {
    let env = Env::new();
    let old = AuthHeaders::sign_office(&env.office, &env.parts("GET", "/v1/stats", b""), now() - 400).unwrap();
    expect_error(env.send("GET", "/v1/stats", b"", Some(&old)), StatusCode::UNAUTHORIZED, "stale_request");

    let fresh = AuthHeaders::sign_office(&env.office, &env.parts("GET", "/v1/stats", b""), now()).unwrap();
    assert_eq!(env.send("GET", "/v1/stats", b"", Some(&fresh)).status(), StatusCode::OK);
    expect_error(env.send("GET", "/v1/stats", b"", Some(&fresh)), StatusCode::UNAUTHORIZED, "replayed_request");

    let signed = AuthHeaders::sign_office(&env.office, &env.parts("GET", "/v1/receipts?after=0", b""), now()).unwrap();
    expect_error(
        env.send("GET", "/v1/receipts?after=5", b"", Some(&signed)),
        StatusCode::UNAUTHORIZED,
        "bad_signature",
    );
}

#[test]
fn unknown_signers_are_refused() {
    let env = Env::new();
    let stranger = OfficeSigningKey::generate().unwrap();
    expect_error(env.as_office(&stranger, "GET", "/v1/stats", b""), StatusCode::UNAUTHORIZED, "unknown_signer");
    expect_error(env.as_device(&Device::new(), "GET", "/v1/device", b""), StatusCode::UNAUTHORIZED, "unknown_signer");
}

#[test]
fn bodies_over_64_kib_are_refused_with_json() {
    let env = Env::new();
    let big = vec![b'x'; 64 * 1024 + 1];
    expect_error(env.as_office(&env.office, "POST", "/v1/signals", &big), StatusCode::PAYLOAD_TOO_LARGE, "too_large");
    expect_error(env.send("POST", "/v1/devices", &big, None), StatusCode::PAYLOAD_TOO_LARGE, "too_large");
}

#[test]
fn unknown_json_fields_are_refused() {
    let env = Env::new();
    let code = hwc_protocol::EnrollmentCode::generate().unwrap();
    let body = serde_json::json!({
        "school": "12AB", "role": "director", "code_hash": code.hash_hex(),
        "office_key_tag": code.office_key_tag(&env.office.public()), "expires_at": now() + 3600, "name": "x"
    });
    let response = env.as_office(&env.office, "POST", "/v1/enrollments", &serde_json::to_vec(&body).unwrap());
    expect_error(response, StatusCode::BAD_REQUEST, "bad_request");
    let device = env.verified_device("12AB", Role::Director);
    let body = serde_json::json!({"code_hash": code.hash_hex(), "keys": device.keys, "extra": 1});
    expect_error(
        env.as_device(&device, "POST", "/v1/devices", &serde_json::to_vec(&body).unwrap()),
        StatusCode::BAD_REQUEST,
        "bad_request",
    );
}
