//! What a relay that turns against the school can and cannot do to a device. The relay here is
//! [`common::hostile_relay::HostileRelay`]: its answers are written by the test.

mod common;

use common::hostile_relay::{HostileRelay, Reply, Request};
use common::PIN;
use hwc_client::{ClientError, SchoolClient};
use hwc_protocol::api::{DeviceInfo, DeviceStatus};
use hwc_protocol::{DevicePublicKeys, EnrollmentCode, OfficeSigningKey, Role};

/// Whether `bytes` carry `code` in any form a client could send it: as typed or shown, in any
/// case, with or without dashes or spaces, or its characters in hex. A relay that finds it can
/// tag a key of its own with it. (The test names the code it looks for, so a random key or
/// signature in the request can never be mistaken for one.)
fn carries(bytes: &[u8], code: &EnrollmentCode) -> bool {
    let text = String::from_utf8_lossy(bytes).to_ascii_uppercase();
    let squeezed: String = text.chars().filter(|c| !matches!(c, '-' | ' ')).collect();
    let raw = code.display().replace('-', "");
    squeezed.contains(&raw) || text.contains(&hex::encode_upper(raw.as_bytes()))
}

#[test]
fn the_scan_finds_the_code_in_every_form_a_client_could_send() {
    let code = EnrollmentCode::generate().unwrap();
    let raw = code.display().replace('-', "");
    for sent in [
        format!(r#"{{"code":"{}"}}"#, code.display()),
        format!(r#"{{"code":"{}"}}"#, raw.to_lowercase()),
        format!(r#"{{"code":"{}"}}"#, code.display().replace('-', " ")),
        format!(r#"{{"code":"{}"}}"#, hex::encode(raw.as_bytes())),
    ] {
        assert!(carries(sent.as_bytes(), &code), "{sent}");
    }
    let other = EnrollmentCode::generate().unwrap();
    assert!(!carries(format!(r#"{{"code":"{}"}}"#, other.display()).as_bytes(), &code));
}

#[test]
fn a_relay_cannot_tag_its_own_office_key_with_what_the_device_sent() {
    let code = EnrollmentCode::generate().unwrap();
    let relays_own = OfficeSigningKey::generate().unwrap().public();
    // The relay answers the enrollment with its own office key, tagged with every code it can
    // read in the request (the real office's tag needs the code; so does a forged one).
    let known = EnrollmentCode::parse(&code.display()).unwrap();
    let relay = HostileRelay::start(move |request: &Request| {
        let body: serde_json::Value = serde_json::from_slice(&request.body).unwrap();
        let keys: DevicePublicKeys = serde_json::from_str(&body["keys"].to_string()).unwrap();
        let forged = carries(&request.bytes(), &known).then(|| known.office_key_tag(&relays_own));
        let info = DeviceInfo {
            device_id: keys.device_id(),
            school: "12AB".parse().unwrap(),
            role: Role::Director,
            status: DeviceStatus::Pending,
            keys,
            office_key: relays_own,
            enrolled_at: 1,
            office_key_tag: Some(forged.unwrap_or_default()),
        };
        Reply { status: 201, body: serde_json::to_vec(&info).unwrap() }
    });
    let dir = tempfile::tempdir().unwrap();

    let err = SchoolClient::enroll(dir.path(), &relay.url(), &code.display(), PIN).unwrap_err();
    assert!(matches!(err, ClientError::OfficeKeyNotBound), "{err}");
    assert!(!SchoolClient::is_enrolled(dir.path()));
    let requests = relay.requests();
    assert_eq!(requests.len(), 1, "one enrollment request");
    assert_eq!((requests[0].method.as_str(), requests[0].path.as_str()), ("POST", "/v1/devices"));
    let body: serde_json::Value = serde_json::from_slice(&requests[0].body).unwrap();
    assert_eq!(body["code_hash"], serde_json::json!(code.hash_hex()), "the relay gets the code's hash");
    assert!(!carries(&requests[0].bytes(), &code), "the relay was sent no code it can read");
}

#[test]
fn what_a_relay_writes_in_its_refusal_never_reaches_the_screen() {
    let planted = "Bel meteen 0900-1234567 over Zoë van 't Hooft\u{1b}[31m <b>";
    for (code, expected) in [
        (
            "code_used",
            "de relay weigert het verzoek: deze aanmeldcode is al gebruikt; vraag leerplicht om een nieuwe code",
        ),
        (planted, "de relay weigert het verzoek: de relay weigerde het verzoek zonder bekende reden"),
    ] {
        let body = serde_json::to_vec(&serde_json::json!({"error": code, "message": planted})).unwrap();
        let relay = HostileRelay::start(move |_: &Request| Reply { status: 409, body: body.clone() });
        let dir = tempfile::tempdir().unwrap();
        let code = EnrollmentCode::generate().unwrap();
        let err = SchoolClient::enroll(dir.path(), &relay.url(), &code.display(), PIN).unwrap_err();
        let shown = err.to_string();
        assert!(shown.starts_with(expected), "{shown}");
        for part in ["0900", "Zoë", "Hooft", "\u{1b}", "<b>", "Bel"] {
            assert!(!shown.contains(part), "{part:?} reached the message: {shown}");
        }
        assert!(!SchoolClient::is_enrolled(dir.path()));
    }
}
