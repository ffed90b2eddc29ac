//! Checks the published test vectors in `test-vectors.json`: sealing with fixed keys and fixed
//! ephemeral randomness gives exactly the published envelope bytes, each device opens its copy
//! to the published signal, and receipt signing (deterministic Ed25519) gives the published
//! bytes. Run with `HWC_WRITE_VECTORS=1` to regenerate the file after a deliberate format change.

use chrono::{DateTime, Utc};
use hwc_protocol::encoding::{b64, unb64, unb64_array};
use hwc_protocol::pin_guard::{reset_text, PinGuardKey, PinResetKey};
use hwc_protocol::{
    Birthdate, Brin, ChildName, DeviceOpenKey, DevicePublicKeys, DeviceSigningKey, Envelope, OfficeSigningKey, Receipt,
    ReceiptKey, ReceiptKind, SafetyCode, SchoolDaysNotice, SchoolProfile, Sector, SenderName, Signal, SignalId,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Vectors {
    description: String,
    office_secret_key: String,
    office_public_key: String,
    devices: Vec<DeviceVector>,
    signal: SignalVector,
    envelope: EnvelopeVector,
    receipt: ReceiptVector,
    pin_guard: PinGuardVector,
    profile: ProfileVector,
    school_days: SchoolDaysVector,
}

/// The school profile (frame `HWP1`): who sends and the school's sector, signed by the office.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProfileVector {
    school: String,
    sender: String,
    sector: String,
    issued_at: i64,
    frame: String,
}

/// The relay's PIN guard for the first device: its OPRF key from a seed (RFC 9497
/// DeriveKeyPair with info `hwc-pin-guard-key-v1`), the result for one PIN (RFC 9497
/// `Evaluate` of `hwc-pin-v1:` and the PIN; what the device gets after unblinding), and a reset
/// signed with a reset key from a seed.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct PinGuardVector {
    device_index: usize,
    key_seed: String,
    key: String,
    pin: String,
    result: String,
    reset_key_seed: String,
    reset_key: String,
    nonce: String,
    reset_text: String,
    reset_signature: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct DeviceVector {
    sign_secret_key: String,
    open_secret_key: String,
    sign_public_key: String,
    seal_public_key: String,
    device_id: String,
    safety_code: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SignalVector {
    name: String,
    birthdate: String,
    receipt_key: String,
    plaintext: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct EnvelopeVector {
    signal_id: String,
    school: String,
    created_at: i64,
    expires_at: i64,
    ephemeral_randomness: Vec<String>,
    frame: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ReceiptVector {
    device_index: usize,
    kind: String,
    at: i64,
    frame: String,
}

fn fixed(label: &str) -> [u8; 32] {
    Sha256::digest(format!("hwc test vector: {label}")).into()
}

fn time(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, 0).unwrap()
}

/// Builds the vectors from their fixed inputs.
fn build() -> Vectors {
    let office = OfficeSigningKey::from_secret_bytes(&fixed("office"));
    let devices: Vec<(DeviceSigningKey, DeviceOpenKey)> = ["director", "backup"]
        .iter()
        .map(|role| {
            let sign = DeviceSigningKey::from_secret_bytes(&fixed(&format!("{role} sign")));
            let open = DeviceOpenKey::from_secret_bytes(&fixed(&format!("{role} open"))).unwrap();
            (sign, open)
        })
        .collect();
    let publics: Vec<DevicePublicKeys> = devices.iter().map(|(s, o)| DevicePublicKeys::of(s, o)).collect();
    let (created_at, expires_at) = (1_795_417_200, 1_795_561_199);
    let receipt_key = ReceiptKey::from_bytes(fixed("receipt key")[..16].try_into().unwrap());
    let signal = Signal::with_receipt_key(
        ChildName::parse("Zoë van 't Hooft-Çelik").unwrap(),
        Birthdate::parse("2016-03-07", time(created_at).date_naive()).unwrap(),
        receipt_key,
    );
    let signal_id = SignalId::from_bytes(fixed("signal id")[..16].try_into().unwrap());
    let school: Brin = "12AB".parse().unwrap();
    let randomness = [fixed("ephemeral 0"), fixed("ephemeral 1")];
    let envelope = Envelope::seal_with_randomness(
        &office,
        signal_id,
        school,
        time(created_at),
        time(expires_at),
        &publics,
        &signal,
        &randomness,
    )
    .unwrap();
    let receipt = Receipt::sign(
        &devices[0].0,
        publics[0].device_id(),
        signal_id,
        ReceiptKind::HandedOver,
        time(created_at + 3720),
        signal.receipt_key(),
    );

    Vectors {
        description: "Handle with Care protocol v1 test vectors. Keys and randomness are SHA-256 of the string 'hwc test vector: <label>'. Byte strings are standard base64.".into(),
        office_secret_key: b64(&*office.secret_bytes()),
        office_public_key: office.public().to_string(),
        devices: devices
            .iter()
            .zip(&publics)
            .map(|((sign, open), public)| DeviceVector {
                sign_secret_key: b64(&*sign.secret_bytes()),
                open_secret_key: b64(&*open.secret_bytes()),
                sign_public_key: b64(&public.sign_key),
                seal_public_key: b64(&public.seal_key),
                device_id: public.device_id().to_string(),
                safety_code: SafetyCode::compute(&office.public(), public).to_string(),
            })
            .collect(),
        signal: SignalVector {
            name: signal.name().expose().into(),
            birthdate: signal.birthdate().to_iso(),
            receipt_key: signal.receipt_key().to_b64().to_string(),
            plaintext: b64(&signal.to_plaintext()),
        },
        envelope: EnvelopeVector {
            signal_id: signal_id.to_string(),
            school: school.to_string(),
            created_at,
            expires_at,
            ephemeral_randomness: randomness.iter().map(|r| b64(r)).collect(),
            frame: b64(&envelope.bytes),
        },
        receipt: ReceiptVector { device_index: 0, kind: "handed_over".into(), at: created_at + 3720, frame: b64(&receipt.bytes) },
        pin_guard: pin_guard_vector(publics[0].device_id()),
        profile: profile_vector(&office, school, created_at),
        school_days: school_days_vector(&devices[0].0, &publics[0], school, created_at),
    }
}

fn school_days_vector(sign: &DeviceSigningKey, public: &DevicePublicKeys, school: Brin, at: i64) -> SchoolDaysVector {
    let (closed, cleared) = (["2026-12-04", "2027-02-15", "2027-06-11"], ["2027-01-08"]);
    let notice = SchoolDaysNotice {
        school,
        device_id: public.device_id(),
        at,
        closed: closed.iter().map(|d| d.parse().unwrap()).collect(),
        cleared: cleared.iter().map(|d| d.parse().unwrap()).collect(),
    };
    SchoolDaysVector {
        device_index: 0,
        school: school.to_string(),
        at,
        closed: closed.map(String::from).to_vec(),
        cleared: cleared.map(String::from).to_vec(),
        frame: b64(&notice.sign(sign).unwrap()),
    }
}

fn profile_vector(office: &OfficeSigningKey, school: Brin, issued_at: i64) -> ProfileVector {
    let profile = SchoolProfile {
        school,
        sender: SenderName::parse("Veilig Thuis Gooi en Vechtstreek").unwrap(),
        sector: Sector::Vo,
        issued_at,
    };
    ProfileVector {
        school: school.to_string(),
        sender: profile.sender.to_string(),
        sector: profile.sector.as_str().into(),
        issued_at,
        frame: b64(&profile.seal(office)),
    }
}

fn pin_guard_vector(device: hwc_protocol::DeviceId) -> PinGuardVector {
    let key = PinGuardKey::from_seed(&fixed("pin guard key")).unwrap();
    let pin = "482916";
    let reset = PinResetKey::from_seed(&fixed("pin guard reset key"));
    let nonce = fixed("pin guard nonce");
    PinGuardVector {
        device_index: 0,
        key_seed: b64(&fixed("pin guard key")),
        key: b64(key.as_bytes()),
        pin: pin.into(),
        result: b64(&*key.result_for(pin).unwrap()),
        reset_key_seed: b64(&fixed("pin guard reset key")),
        reset_key: b64(&reset.public()),
        nonce: b64(&nonce),
        reset_text: reset_text(&device, &nonce, &reset.public()),
        reset_signature: b64(&reset.sign_reset(&device, &nonce)),
    }
}

fn path() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("test-vectors.json")
}

#[test]
fn published_vectors_match_the_code() {
    let built = serde_json::to_string_pretty(&build()).unwrap() + "\n";
    if std::env::var_os("HWC_WRITE_VECTORS").is_some() {
        std::fs::write(path(), &built).unwrap();
        panic!("test-vectors.json rewritten; run again without HWC_WRITE_VECTORS to check it");
    }
    let published = std::fs::read_to_string(path()).expect("test-vectors.json is published beside Cargo.toml");
    assert_eq!(published, built, "the code no longer produces the published vectors");
}

#[test]
fn published_envelope_opens_and_receipt_verifies_from_the_file_alone() {
    let v: Vectors = serde_json::from_str(&std::fs::read_to_string(path()).unwrap()).unwrap();
    let office_public = v.office_public_key.parse().unwrap();
    let frame = unb64(&v.envelope.frame).unwrap();
    let verified = Envelope::verify(&frame, &office_public, time(v.envelope.created_at + 60)).unwrap();
    assert_eq!(verified.envelope.signal_id.to_string(), v.envelope.signal_id);
    for device in &v.devices {
        let open = DeviceOpenKey::from_secret_bytes(&unb64_array(&device.open_secret_key).unwrap()).unwrap();
        let signal = verified.open(&device.device_id.parse().unwrap(), &open).unwrap();
        assert_eq!(signal.name().expose(), v.signal.name);
        assert_eq!(signal.birthdate().to_iso(), v.signal.birthdate);
        assert_eq!(b64(&signal.to_plaintext()), v.signal.plaintext);
        assert_eq!(*signal.receipt_key().to_b64(), v.signal.receipt_key);
    }
    let d = &v.devices[v.receipt.device_index];
    let public = DevicePublicKeys {
        sign_key: unb64_array(&d.sign_public_key).unwrap(),
        seal_key: unb64_array(&d.seal_public_key).unwrap(),
    };
    assert_eq!(SafetyCode::compute(&office_public, &public).to_string(), d.safety_code);
    let receipt = Receipt::verify(&unb64(&v.receipt.frame).unwrap(), &public).unwrap();
    assert_eq!(receipt.receipt.kind.as_str(), v.receipt.kind);
    assert_eq!(receipt.receipt.at, v.receipt.at);
    // The proof holds under the receipt key sealed in the signal, and under no other key.
    assert!(receipt.receipt.proves_opening(&ReceiptKey::from_b64(&v.signal.receipt_key).unwrap()));
    assert!(!receipt.receipt.proves_opening(&ReceiptKey::from_bytes([0; 16])));
}

/// A school days notice (frame `HWK1`): the school's own closed days and a day given back,
/// signed by a device of the school.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SchoolDaysVector {
    device_index: usize,
    school: String,
    at: i64,
    closed: Vec<String>,
    cleared: Vec<String>,
    frame: String,
}

/// The PIN guard's vector, checked from the file: the key from its seed, the result a device
/// gets through a real blinded round for the published PIN, and the reset signature.
#[test]
fn published_pin_guard_vector_checks_from_the_file_alone() {
    use hwc_protocol::pin_guard::{reset_signature_holds, PinBlinding};
    let v: Vectors = serde_json::from_str(&std::fs::read_to_string(path()).unwrap()).unwrap();
    let g = &v.pin_guard;
    let key = PinGuardKey::from_seed(&unb64_array(&g.key_seed).unwrap()).unwrap();
    assert_eq!(b64(key.as_bytes()), g.key);
    let blinding = PinBlinding::start(&g.pin).unwrap();
    let result = blinding.finish(&g.pin, &key.evaluate(blinding.blinded()).unwrap()).unwrap();
    assert_eq!(b64(&*result), g.result);
    let device: hwc_protocol::DeviceId = v.devices[g.device_index].device_id.parse().unwrap();
    let reset = PinResetKey::from_seed(&unb64_array(&g.reset_key_seed).unwrap());
    assert_eq!(b64(&reset.public()), g.reset_key);
    let nonce: [u8; 32] = unb64_array(&g.nonce).unwrap();
    assert_eq!(reset_text(&device, &nonce, &reset.public()), g.reset_text);
    let signature: [u8; 64] = unb64_array(&g.reset_signature).unwrap();
    assert!(reset_signature_holds(&reset.public(), &device, &nonce, &signature));
}

/// The profile's vector, checked from the file: it opens under the published office key for its
/// school only, with the published fields.
#[test]
fn published_profile_vector_opens_from_the_file_alone() {
    let v: Vectors = serde_json::from_str(&std::fs::read_to_string(path()).unwrap()).unwrap();
    let office_public = v.office_public_key.parse().unwrap();
    let frame = unb64(&v.profile.frame).unwrap();
    let school: Brin = v.profile.school.parse().unwrap();
    let profile = SchoolProfile::open(&frame, &office_public, school).unwrap();
    assert_eq!(profile.sender.as_str(), v.profile.sender);
    assert_eq!(profile.sector.as_str(), v.profile.sector);
    assert_eq!(profile.issued_at, v.profile.issued_at);
    assert!(SchoolProfile::open(&frame, &office_public, "34CD".parse().unwrap()).is_err(), "another school");
}

/// The school days vector, checked from the file: it opens under the keys of the device that
/// signed it, with the published fields, and under no other device's keys.
#[test]
fn published_school_days_vector_opens_from_the_file_alone() {
    let v: Vectors = serde_json::from_str(&std::fs::read_to_string(path()).unwrap()).unwrap();
    let keys = |d: &DeviceVector| DevicePublicKeys {
        sign_key: unb64_array(&d.sign_public_key).unwrap(),
        seal_key: unb64_array(&d.seal_public_key).unwrap(),
    };
    let k = &v.school_days;
    let frame = unb64(&k.frame).unwrap();
    let signer = keys(&v.devices[k.device_index]);
    let notice = SchoolDaysNotice::open(&frame, &signer).unwrap();
    assert_eq!(notice.school.as_str(), k.school);
    assert_eq!(notice.device_id.to_string(), v.devices[k.device_index].device_id);
    assert_eq!(notice.at, k.at);
    let written =
        |days: &[chrono::NaiveDate]| days.iter().map(|d| d.format("%Y-%m-%d").to_string()).collect::<Vec<_>>();
    assert_eq!(written(&notice.closed), k.closed);
    assert_eq!(written(&notice.cleared), k.cleared);
    let colleague = keys(&v.devices[1 - k.device_index]);
    assert!(SchoolDaysNotice::open(&frame, &colleague).is_err(), "another device");
}
