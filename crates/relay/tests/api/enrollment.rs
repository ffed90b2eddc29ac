//! Enrollment codes, device enrollment, verification and removal.

use crate::common::{brin, expect_error, now, Device, Env};
use hwc_protocol::api::{CreateEnrollment, DeviceInfo, DeviceList, DeviceStatus, EnrollDevice};
use hwc_protocol::{AuthHeaders, EnrollmentCode, OfficeSigningKey, Role};
use reqwest::StatusCode;

#[test]
fn device_enrolls_pending_and_receives_only_after_verify() {
    let env = Env::new();
    let code = env.code("12AB", Role::Director);
    let device = Device::new();
    let response = env.enroll(&device, &code.display());
    assert_eq!(response.status(), StatusCode::CREATED);
    let info: DeviceInfo = response.json().unwrap();
    assert_eq!(info.status, DeviceStatus::Pending);
    assert_eq!(info.device_id, device.id());
    assert_eq!(info.office_key, env.office.public());
    assert_eq!(info.role, Role::Director);
    assert_eq!(env.device_info(&device).status, DeviceStatus::Pending);

    let inbox = env.as_device(&device, "GET", "/v1/inbox?after=0&wait=0", b"");
    expect_error(inbox, StatusCode::FORBIDDEN, "device_not_verified");

    let list: DeviceList = env.as_office(&env.office, "GET", "/v1/schools/12AB/devices", b"").json().unwrap();
    assert_eq!(list.devices.len(), 1);
    assert_eq!(list.devices[0].status, DeviceStatus::Pending);

    let verified: DeviceInfo =
        env.as_office(&env.office, "POST", &format!("/v1/devices/{}/verify", device.id()), b"").json().unwrap();
    assert_eq!(verified.status, DeviceStatus::Verified);
    assert_eq!(env.inbox(&device, 0, 0).cursor, 0);

    let removed: DeviceInfo =
        env.as_office(&env.office, "POST", &format!("/v1/devices/{}/remove", device.id()), b"").json().unwrap();
    assert_eq!(removed.status, DeviceStatus::Removed);
    let inbox = env.as_device(&device, "GET", "/v1/inbox", b"");
    expect_error(inbox, StatusCode::FORBIDDEN, "device_not_verified");
    let again = env.as_office(&env.office, "POST", &format!("/v1/devices/{}/verify", device.id()), b"");
    expect_error(again, StatusCode::CONFLICT, "conflict");
}

#[test]
fn code_is_one_time_but_a_retry_by_the_same_device_is_answered() {
    let env = Env::new();
    let code = env.code("12AB", Role::Backup);
    let first = Device::new();
    assert_eq!(env.enroll(&first, &code.display()).status(), StatusCode::CREATED);
    let retry = env.enroll(&first, &code.display());
    assert_eq!(retry.status(), StatusCode::CREATED);
    assert_eq!(retry.json::<DeviceInfo>().unwrap().device_id, first.id());
    expect_error(env.enroll(&Device::new(), &code.display()), StatusCode::CONFLICT, "code_used");
}

#[test]
fn wrong_malformed_and_expired_codes_are_refused() {
    let env = Env::new();
    env.code("12AB", Role::Director);
    let unknown = EnrollmentCode::generate().unwrap();
    expect_error(env.enroll(&Device::new(), &unknown.display()), StatusCode::NOT_FOUND, "not_found");
    expect_error(env.enroll(&Device::new(), "not a code"), StatusCode::BAD_REQUEST, "bad_request");

    let (code, response) = env.code_from(&env.office, "12AB", Role::Director, now() + 1);
    assert_eq!(response.status(), StatusCode::CREATED);
    std::thread::sleep(std::time::Duration::from_millis(1100));
    expect_error(env.enroll(&Device::new(), &code.display()), StatusCode::GONE, "expired");

    let (_, past) = env.code_from(&env.office, "12AB", Role::Director, now() - 10);
    expect_error(past, StatusCode::BAD_REQUEST, "bad_request");
}

#[test]
fn school_belongs_to_the_office_that_registered_it() {
    let env = Env::with_offices(2);
    let other = &env.others[0];
    let device = env.verified_device("12AB", Role::Director);
    let (_, response) = env.code_from(other, "12AB", Role::Backup, now() + 3600);
    expect_error(response, StatusCode::FORBIDDEN, "wrong_school");
    let verify = env.as_office(other, "POST", &format!("/v1/devices/{}/remove", device.id()), b"");
    expect_error(verify, StatusCode::FORBIDDEN, "wrong_school");
    let list = env.as_office(other, "GET", "/v1/schools/12AB/devices", b"");
    expect_error(list, StatusCode::FORBIDDEN, "wrong_school");
    assert_eq!(env.device_info(&device).status, DeviceStatus::Verified);
}

/// Whether a school uses the system is nobody's business but its own office's: another
/// office hears the same about a school in use and one that is not, when it lists its devices
/// and when it sends it a signal.
#[test]
fn another_offices_school_and_an_unused_one_get_the_same_answer() {
    let env = Env::with_offices(2);
    let other = &env.others[0];
    let device = env.verified_device("12AB", Role::Director);
    let answers = |school: &str| {
        let list = env.as_office(other, "GET", &format!("/v1/schools/{school}/devices"), b"");
        let list = (list.status(), list.text().unwrap());
        let t = now();
        let envelope = env.seal_from(other, school, &[&device], t, t + 3600);
        let send = env.as_office(other, "POST", "/v1/signals", &envelope.bytes);
        (list, (send.status(), send.text().unwrap()))
    };
    let in_use = answers("12AB");
    assert_eq!(in_use.0 .0, StatusCode::FORBIDDEN, "{in_use:?}");
    assert_eq!(in_use, answers("99ZZ"), "a school in use and an unused one are told apart");
}

#[test]
fn enrollment_must_be_signed_by_the_enrolled_key() {
    let env = Env::new();
    let code = env.code("12AB", Role::Director);
    let device = Device::new();
    let impostor = Device::new();
    let body = serde_json::to_vec(&hwc_protocol::api::EnrollDevice::new(&code, device.keys)).unwrap();
    let response = env.as_device(&impostor, "POST", "/v1/devices", &body);
    expect_error(response, StatusCode::UNAUTHORIZED, "bad_signature");
    // The code is still usable by the real device.
    assert_eq!(env.enroll(&device, &code.display()).status(), StatusCode::CREATED);
}

#[test]
fn only_the_enrollment_answer_carries_the_office_key_tag() {
    let env = Env::new();
    let code = env.code("12AB", Role::Director);
    let tag = code.office_key_tag(&env.office.public());
    let device = Device::new();
    let first: DeviceInfo = env.enroll(&device, &code.display()).json().unwrap();
    assert_eq!(first.office_key_tag.as_deref(), Some(tag.as_str()));
    let retry: DeviceInfo = env.enroll(&device, &code.display()).json().unwrap();
    assert_eq!(retry.office_key_tag.as_deref(), Some(tag.as_str()), "the idempotent repeat carries it too");

    assert_eq!(env.device_info(&device).office_key_tag, None);
    let raw: serde_json::Value = env.as_device(&device, "GET", "/v1/device", b"").json().unwrap();
    assert!(raw.get("office_key_tag").is_none(), "{raw}");
    let list: DeviceList = env.as_office(&env.office, "GET", "/v1/schools/12AB/devices", b"").json().unwrap();
    assert_eq!(list.devices[0].office_key_tag, None);
    let verified: DeviceInfo =
        env.as_office(&env.office, "POST", &format!("/v1/devices/{}/verify", device.id()), b"").json().unwrap();
    assert_eq!(verified.office_key_tag, None);
    let removed: DeviceInfo =
        env.as_office(&env.office, "POST", &format!("/v1/devices/{}/remove", device.id()), b"").json().unwrap();
    assert_eq!(removed.office_key_tag, None);
}

#[test]
fn office_key_tag_must_be_sha256_hex_and_belongs_to_the_idempotent_repeat() {
    let env = Env::new();
    let code = EnrollmentCode::generate().unwrap();
    let tag = code.office_key_tag(&env.office.public());
    let expires_at = now() + 3600;
    let announce = |office_key_tag: &str| {
        let body = CreateEnrollment {
            school: brin("12AB"),
            role: Role::Director,
            code_hash: code.hash_hex(),
            office_key_tag: office_key_tag.to_string(),
            expires_at,
        };
        env.as_office(&env.office, "POST", "/v1/enrollments", &serde_json::to_vec(&body).unwrap())
    };
    for bad in [format!("{}A", &tag[..63]), tag[..63].to_string(), format!("{tag}0"), String::new(), "g".repeat(64)] {
        expect_error(announce(&bad), StatusCode::BAD_REQUEST, "bad_request");
    }
    let missing = serde_json::json!({
        "school": "12AB", "role": "director", "code_hash": code.hash_hex(), "expires_at": expires_at
    });
    let response = env.as_office(&env.office, "POST", "/v1/enrollments", &serde_json::to_vec(&missing).unwrap());
    expect_error(response, StatusCode::BAD_REQUEST, "bad_request");

    assert_eq!(announce(&tag).status(), StatusCode::CREATED);
    assert_eq!(announce(&tag).status(), StatusCode::CREATED, "the same announcement again");
    let foreign = code.office_key_tag(&OfficeSigningKey::generate().unwrap().public());
    expect_error(announce(&foreign), StatusCode::CONFLICT, "conflict");

    let info: DeviceInfo = env.enroll(&Device::new(), &code.display()).json().unwrap();
    assert_eq!(info.office_key_tag, Some(tag), "the first announcement's tag");
}

/// A flood of enrollments with made-up codes (each correctly signed by a fresh key, so only
/// the code is wrong) writes nothing, not even a nonce, and is cut off after the network's
/// allowance of wrong codes, while a verified device keeps polling and gets the signal sent in
/// the middle of it.
#[test]
fn a_flood_of_made_up_codes_writes_nothing_and_devices_keep_their_signals() {
    let env = std::sync::Arc::new(Env::new());
    let device = env.verified_device("12AB", Role::Director);
    let nonces_before = env.relay.count_rows("seen_nonces").unwrap();
    let devices_before = env.relay.count_rows("devices").unwrap();
    let flooders: Vec<_> = (0..4)
        .map(|_| {
            let env = env.clone();
            std::thread::spawn(move || {
                let mut looked_up = 0;
                for _ in 0..150 {
                    let made_up = EnrollmentCode::generate().unwrap();
                    let answer = env.enroll(&Device::new(), &made_up.display());
                    match answer.status() {
                        StatusCode::NOT_FOUND => looked_up += 1,
                        _ => {
                            expect_error(answer, StatusCode::TOO_MANY_REQUESTS, "too_many_attempts");
                        }
                    }
                }
                looked_up
            })
        })
        .collect();
    let sent = env.seal("12AB", &[&device]);
    assert_eq!(env.post_signal(&sent).status(), StatusCode::CREATED);
    let mut arrived = false;
    for _ in 0..50 {
        if !env.inbox(&device, 0, 0).envelopes.is_empty() {
            arrived = true;
            break;
        }
    }
    let looked_up: usize = flooders.into_iter().map(|flooder| flooder.join().unwrap()).sum();
    assert!(arrived, "the device's signal arrived during the flood");
    // 20 wrong codes per network in ten minutes, also when they arrive in parallel.
    assert_eq!(looked_up, 20, "made-up codes looked up");
    assert_eq!(env.relay.count_rows("devices").unwrap(), devices_before);
    // The device's own polls and the office's send each wrote their nonce; the 600 refused
    // enrollments wrote none.
    let written = env.relay.count_rows("seen_nonces").unwrap() - nonces_before;
    assert!(written <= 51, "{written} nonces written: refused enrollments wrote");
}

/// A client that connects from `local` (any 127.x address reaches the relay on 127.0.0.1).
fn client_from(local: &str) -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder().local_address(local.parse::<std::net::IpAddr>().unwrap()).build().unwrap()
}

/// Sends `device`'s enrollment with `code` through `http`, with an `X-Forwarded-For` line for
/// each of `forwarded_for`.
fn enroll_via(
    env: &Env,
    http: &reqwest::blocking::Client,
    device: &Device,
    code: &EnrollmentCode,
    forwarded_for: &[&[u8]],
) -> reqwest::blocking::Response {
    let body = serde_json::to_vec(&EnrollDevice::new(code, device.keys)).unwrap();
    let auth =
        AuthHeaders::sign_device(&device.sign, device.id(), &env.parts("POST", "/v1/devices", &body), now()).unwrap();
    let mut request = http.post(format!("{}/v1/devices", env.relay.url())).body(body);
    for (name, value) in auth.to_pairs() {
        request = request.header(name, value);
    }
    for line in forwarded_for {
        request = request.header("x-forwarded-for", reqwest::header::HeaderValue::from_bytes(line).unwrap());
    }
    request.send().unwrap()
}

/// Twenty wrong codes from one network in ten minutes, and that network's next enrollment is
/// refused, even with a good code and whatever it writes in `X-Forwarded-For`; a school on
/// another network enrolls as usual.
#[test]
fn wrong_codes_are_limited_per_network_and_other_schools_enroll_as_usual() {
    let env = Env::new();
    let (guesser, school) = (client_from("127.0.0.3"), client_from("127.0.0.4"));
    for _ in 0..20 {
        let made_up = EnrollmentCode::generate().unwrap();
        expect_error(enroll_via(&env, &guesser, &Device::new(), &made_up, &[]), StatusCode::NOT_FOUND, "not_found");
    }
    let good = env.code("12AB", Role::Director);
    let refused = enroll_via(&env, &guesser, &Device::new(), &good, &[b"192.0.2.7"]);
    let message = expect_error(refused, StatusCode::TOO_MANY_REQUESTS, "too_many_attempts");
    assert!(message.contains("tien minuten"), "{message}");
    assert_eq!(enroll_via(&env, &school, &Device::new(), &good, &[]).status(), StatusCode::CREATED);
}

/// Behind a reverse proxy every connection comes from the proxy; with `--trusted-proxy` the
/// relay counts per client address the proxy names, so one guesser does not block every school.
#[test]
fn behind_a_trusted_proxy_the_forwarded_address_is_counted() {
    let env = Env::with_settings(|config| config.trusted_proxies = vec!["127.0.0.5".parse().unwrap()]);
    let proxy = client_from("127.0.0.5");
    for _ in 0..20 {
        let made_up = EnrollmentCode::generate().unwrap();
        let answer = enroll_via(&env, &proxy, &Device::new(), &made_up, &[b"10.1.1.1, 198.51.100.9"]);
        expect_error(answer, StatusCode::NOT_FOUND, "not_found");
    }
    let good = env.code("12AB", Role::Director);
    let blocked = enroll_via(&env, &proxy, &Device::new(), &good, &[b"198.51.100.9"]);
    expect_error(blocked, StatusCode::TOO_MANY_REQUESTS, "too_many_attempts");
    // A client that writes its own line before the proxy's gains nothing: the last line counts.
    let forged: &[&[u8]] = &[b"203.0.113.50", b"198.51.100.9"];
    let still_blocked = enroll_via(&env, &proxy, &Device::new(), &good, forged);
    expect_error(still_blocked, StatusCode::TOO_MANY_REQUESTS, "too_many_attempts");
    // An unreadable address is refused, not charged to the proxy every school shares.
    for unreadable in [&b"\xff"[..], b"198.51.100.9, garbage"] {
        let refused = enroll_via(&env, &proxy, &Device::new(), &good, &[unreadable]);
        expect_error(refused, StatusCode::BAD_REQUEST, "bad_request");
    }
    let other_school = enroll_via(&env, &proxy, &Device::new(), &good, &[b"203.0.113.20"]);
    assert_eq!(other_school.status(), StatusCode::CREATED);
}
