//! What the real relay and the real school client refuse, and that refusing a bad input never
//! loses or delays a valid one: wrong school, unverified device, tampered, forged, replayed,
//! expired, oversized and unknown-version envelopes, stale and replayed request signatures,
//! and the crafted inputs of the corpus in `tests/adversarial/`.

use chrono::{Duration, Utc};
use hwc_client::SchoolClient;
use hwc_protocol::{Brin, Envelope, Receipt, ReceiptKind, RequestParts, Role, Signal, SignalId, VerifiedEnvelope};
use hwc_system_tests::raw::{send, RawDevice, RawOffice};
use hwc_system_tests::RelayProcess;
use tempfile::TempDir;

const NAME: &str = "Sem de Vries";

fn signal() -> Signal {
    Signal::from_input(NAME, "2016-03-07", Utc::now().date_naive()).unwrap()
}

/// A relay trusting a raw office, and school 12AB with one real, verified school client.
struct Setup {
    _root: TempDir,
    relay: RelayProcess,
    office: RawOffice,
    school: Brin,
    client: SchoolClient,
}

fn setup() -> Setup {
    let root = tempfile::tempdir().unwrap();
    let key = hwc_protocol::OfficeSigningKey::generate().unwrap();
    let relay = RelayProcess::start(&root.path().join("relay.db"), &[key.public()]).unwrap();
    let office = RawOffice { key, relay: relay.url() };
    let school: Brin = "12AB".parse().unwrap();
    let code = office.enrollment_code(school, Role::Director).unwrap();
    let mut client =
        SchoolClient::enroll(&root.path().join("director"), &relay.url(), &code.display(), "246810").unwrap();
    assert_eq!(office.verify(client.device_id()).unwrap().status, 200);
    client.refresh_status().unwrap();
    client.unlock("246810").unwrap();
    Setup { _root: root, relay, office, school, client }
}

impl Setup {
    fn envelope(&self, expires_in: Duration) -> VerifiedEnvelope {
        let now = Utc::now();
        let keys = [self.client_keys()];
        Envelope::seal(
            &self.office.key,
            SignalId::random().unwrap(),
            self.school,
            now,
            now + expires_in,
            &keys,
            &signal(),
        )
        .unwrap()
    }

    fn client_keys(&self) -> hwc_protocol::DevicePublicKeys {
        // The device's public keys as the relay has them (checked by the safety code at enrollment).
        let answer = self.office.request("GET", &format!("/v1/schools/{}/devices", self.school), b"").unwrap();
        let list: hwc_protocol::api::DeviceList = serde_json::from_slice(&answer.body).unwrap();
        list.devices.iter().find(|d| d.device_id == self.client.device_id()).unwrap().keys
    }

    /// Sends one valid signal and checks the client gets it and it opens.
    fn valid_signal_still_arrives(&mut self) {
        let env = self.envelope(Duration::hours(30));
        let answer = self.office.post_signal(&env.bytes).unwrap();
        assert_eq!(answer.status, 201, "{}", answer.error_message());
        let report = self.client.fetch(5).unwrap();
        assert!(report.new_signals.contains(&env.envelope.signal_id), "{report:?}");
        assert_eq!(self.client.open_signal(&env.envelope.signal_id).unwrap().name().expose(), NAME);
    }
}

#[test]
fn tampered_forged_unknown_version_oversized_and_expired_envelopes_are_refused() {
    let mut s = setup();
    let good = s.envelope(Duration::hours(30));

    let mut tampered = good.bytes.clone();
    let middle = tampered.len() / 2;
    tampered[middle] ^= 0x01;
    let answer = s.office.post_signal(&tampered).unwrap();
    assert_eq!((answer.status, answer.error_code().as_deref()), (400, Some("invalid_envelope")));
    assert!(answer.error_message().contains("handtekening"), "{}", answer.error_message());

    // Signed by a key the relay does not know as an office.
    let forger = RawOffice::new(&s.relay.url()).unwrap();
    let answer = forger.post_signal(&good.bytes).unwrap();
    assert_eq!(answer.status, 401, "{}", answer.error_message());
    // A known office posting an envelope signed by someone else.
    let foreign = Envelope::seal(
        &forger.key,
        SignalId::random().unwrap(),
        s.school,
        Utc::now(),
        Utc::now() + Duration::hours(1),
        &[s.client_keys()],
        &signal(),
    )
    .unwrap();
    assert_eq!(s.office.post_signal(&foreign.bytes).unwrap().status, 400);

    let mut future_version = good.bytes.clone();
    future_version[3] = b'2';
    let answer = s.office.post_signal(&future_version).unwrap();
    assert_eq!(answer.status, 400);
    assert!(answer.error_message().contains("versie"), "{}", answer.error_message());

    let answer = s.office.post_signal(&vec![b'x'; 70 * 1024]).unwrap();
    assert_eq!((answer.status, answer.error_code().as_deref()), (413, Some("too_large")));

    let truncated = &good.bytes[..good.bytes.len() - 10];
    assert_eq!(s.office.post_signal(truncated).unwrap().status, 400);

    let short_lived = s.envelope(Duration::seconds(1));
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let answer = s.office.post_signal(&short_lived.bytes).unwrap();
    assert_eq!((answer.status, answer.error_code().as_deref()), (410, Some("expired")));

    // None of that reached the school, and a valid signal still does, at once.
    assert!(s.client.pending().unwrap().is_empty());
    s.valid_signal_still_arrives();
}

#[test]
fn a_copy_replayed_under_a_new_signal_id_does_not_open_and_the_original_still_does() {
    let mut s = setup();
    let original = s.envelope(Duration::hours(30));
    assert_eq!(s.office.post_signal(&original.bytes).unwrap().status, 201);
    // Someone with the office key re-wraps the sealed copy under a fresh id.
    let mut replay = original.envelope.clone();
    replay.signal_id = SignalId::random().unwrap();
    let bytes = replay.sign_as_is(&s.office.key);
    assert_eq!(s.office.post_signal(&bytes).unwrap().status, 201);
    let report = s.client.fetch(5).unwrap();
    assert_eq!(report.new_signals.len(), 2);
    let err = s.client.open_signal(&replay.signal_id).expect_err("a moved copy must not open");
    assert!(err.to_string().contains("ontsleuteld"), "{err}");
    assert!(!err.to_string().contains("Sem"), "{err}");
    assert_eq!(s.client.open_signal(&original.envelope.signal_id).unwrap().name().expose(), NAME);
}

#[test]
fn the_same_envelope_twice_is_stored_once() {
    let mut s = setup();
    let env = s.envelope(Duration::hours(30));
    assert_eq!(s.office.post_signal(&env.bytes).unwrap().status, 201);
    let again = s.office.post_signal(&env.bytes).unwrap();
    assert_eq!(again.status, 200);
    assert!(String::from_utf8_lossy(&again.body).contains("\"stored\":false"));
    assert_eq!(s.client.fetch(5).unwrap().new_signals, vec![env.envelope.signal_id]);
    assert!(s.client.fetch(0).unwrap().new_signals.is_empty());
}

#[test]
fn stale_replayed_and_misaddressed_request_signatures_are_refused() {
    let s = setup();
    let env = s.envelope(Duration::hours(30));
    let signed_for = |relay: &str, at: i64| {
        let request = RequestParts { relay, method: "POST", path_and_query: "/v1/signals", body: &env.bytes };
        hwc_protocol::AuthHeaders::sign_office(&s.office.key, &request, at).unwrap()
    };
    let stale = signed_for(&s.relay.url(), Utc::now().timestamp() - 600);
    let answer = send(&s.relay.url(), "POST", "/v1/signals", &env.bytes, Some(&stale)).unwrap();
    assert_eq!((answer.status, answer.error_code().as_deref()), (401, Some("stale_request")));
    // Signed for another relay (a test relay, another region's): this one refuses it.
    let elsewhere = signed_for("https://relay-test.example.nl", Utc::now().timestamp());
    let answer = send(&s.relay.url(), "POST", "/v1/signals", &env.bytes, Some(&elsewhere)).unwrap();
    assert_eq!((answer.status, answer.error_code().as_deref()), (401, Some("bad_signature")));

    let auth = s.office.sign("POST", "/v1/signals", &env.bytes).unwrap();
    assert_eq!(send(&s.relay.url(), "POST", "/v1/signals", &env.bytes, Some(&auth)).unwrap().status, 201);
    let replayed = send(&s.relay.url(), "POST", "/v1/signals", &env.bytes, Some(&auth)).unwrap();
    assert_eq!((replayed.status, replayed.error_code().as_deref()), (401, Some("replayed_request")));

    let unsigned = send(&s.relay.url(), "POST", "/v1/signals", &env.bytes, None).unwrap();
    assert_eq!(unsigned.status, 401);
}

#[test]
fn other_schools_and_unverified_devices_get_nothing() {
    let mut s = setup();
    let other_school: Brin = "34CD".parse().unwrap();

    // An enrolled but unverified device of 12AB: no signal may be sealed to it, and it may
    // not read the inbox.
    let unverified = RawDevice::new(&s.relay.url()).unwrap();
    assert_eq!(unverified.enroll(&s.office.enrollment_code(s.school, Role::Backup).unwrap()).unwrap().status, 201);
    let inbox = unverified.request("GET", "/v1/inbox?after=0&wait=0", b"").unwrap();
    assert_eq!((inbox.status, inbox.error_code().as_deref()), (403, Some("device_not_verified")));
    let to_unverified = Envelope::seal(
        &s.office.key,
        SignalId::random().unwrap(),
        s.school,
        Utc::now(),
        Utc::now() + Duration::hours(1),
        &[s.client_keys(), unverified.public],
        &signal(),
    )
    .unwrap();
    let answer = s.office.post_signal(&to_unverified.bytes).unwrap();
    assert_eq!((answer.status, answer.error_code().as_deref()), (403, Some("device_not_verified")));

    // A verified device of another school sees none of 12AB's envelopes and cannot
    // acknowledge them.
    let stranger = RawDevice::new(&s.relay.url()).unwrap();
    assert_eq!(stranger.enroll(&s.office.enrollment_code(other_school, Role::Director).unwrap()).unwrap().status, 201);
    assert_eq!(s.office.verify(stranger.id()).unwrap().status, 200);
    let env = s.envelope(Duration::hours(30));
    assert_eq!(s.office.post_signal(&env.bytes).unwrap().status, 201);
    let inbox = stranger.request("GET", "/v1/inbox?after=0&wait=0", b"").unwrap();
    assert_eq!(inbox.status, 200);
    let inbox: hwc_protocol::api::Inbox = serde_json::from_slice(&inbox.body).unwrap();
    assert!(inbox.envelopes.is_empty(), "another school's device got an envelope");
    let receipt = Receipt::sign(
        &stranger.sign,
        stranger.id(),
        env.envelope.signal_id,
        ReceiptKind::HandedOver,
        Utc::now(),
        &hwc_protocol::ReceiptKey::from_bytes([0; 16]),
    );
    let answer = stranger.request("POST", "/v1/receipts", &receipt.bytes).unwrap();
    assert!(matches!(answer.status, 403 | 404), "{} {}", answer.status, answer.error_message());
    // 12AB's own device still receives its signal, untouched by all of the above.
    assert_eq!(s.client.fetch(5).unwrap().new_signals, vec![env.envelope.signal_id]);
}

/// One crafted input of `tests/adversarial/` (the format is in its README).
struct Case {
    file: String,
    status: u16,
    code: String,
    kind: String,
    input: String,
}

fn corpus() -> Vec<Case> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("adversarial");
    let mut cases = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        if file == "README.md" {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let (head, input) = text.split_once("\n---\n").unwrap_or_else(|| panic!("{file}: no --- line"));
        let field = |name: &str| {
            head.lines()
                .find_map(|l| l.strip_prefix(name))
                .map(str::trim)
                .unwrap_or_else(|| panic!("{file}: no {name} line"))
                .to_string()
        };
        let expect = field("expect:");
        let (status, code) = expect.split_once(' ').unwrap_or_else(|| panic!("{file}: expect: <status> <code>"));
        assert!(head.lines().any(|l| l.starts_with('#')), "{file}: says what it is in a # line");
        cases.push(Case {
            status: status.parse().unwrap_or_else(|_| panic!("{file}: status")),
            code: code.to_string(),
            kind: field("kind:"),
            input: input.trim_end_matches('\n').to_string(),
            file,
        });
    }
    cases.sort_by(|a, b| a.file.cmp(&b.file));
    cases
}

impl Setup {
    /// The case's input with its placeholders filled in, as the bytes to post.
    fn crafted(&self, case: &Case) -> Vec<u8> {
        let now = Utc::now().timestamp();
        let text = case
            .input
            .replace("{id}", &SignalId::random().unwrap().to_string())
            .replace("{device}", &self.client.device_id().to_string())
            .replace("{stranger}", &RawDevice::new(&self.relay.url()).unwrap().id().to_string())
            .replace("{now}", &now.to_string())
            .replace("{later}", &(now + 20 * 3600).to_string())
            .replace("{enc}", &hwc_protocol::encoding::b64(&[7; 32]))
            .replace("{ct}", &hwc_protocol::encoding::b64(&[9; 528]));
        match case.kind.as_str() {
            "frame" => text.into_bytes(),
            "body" => {
                let key = ed25519_dalek::SigningKey::from_bytes(&self.office.key.secret_bytes());
                hwc_protocol::signed_frame::seal_frame(
                    hwc_protocol::signed_frame::FrameKind::Envelope,
                    text.as_bytes(),
                    |m| ed25519_dalek::Signer::sign(&key, m).to_bytes(),
                )
            }
            other => panic!("{}: unknown kind {other}", case.file),
        }
    }
}

#[test]
fn crafted_envelopes_from_the_corpus_are_refused_and_a_valid_one_still_arrives() {
    let mut s = setup();
    let cases = corpus();
    assert!(cases.len() >= 14, "only {} cases in tests/adversarial", cases.len());
    let needles = hwc_system_tests::Needles::for_child("Sem de Vries", "2016-03-07");
    s.valid_signal_still_arrives();
    for (i, case) in cases.iter().enumerate() {
        let answer = s.office.post_signal(&s.crafted(case)).unwrap();
        assert_eq!(
            (answer.status, answer.error_code().as_deref()),
            (case.status, Some(case.code.as_str())),
            "{}: {}",
            case.file,
            answer.error_message()
        );
        let message = answer.error_message();
        assert!(message.len() > 20 && message.ends_with('.'), "{}: not a plain sentence: {message}", case.file);
        assert_eq!(needles.found_in(&answer.body), Vec::<String>::new(), "{}: the answer repeats the input", case.file);
        if i == cases.len() / 2 {
            s.valid_signal_still_arrives();
        }
    }
    s.valid_signal_still_arrives();
    // Only the three valid signals reached the school.
    assert_eq!(s.client.pending().unwrap().len(), 3);
    eprintln!("{} crafted envelopes refused, 3 valid ones delivered around them", cases.len());
}

/// A plaintext padded like a real one (512 bytes), with whatever fields it is given and a
/// well-formed receipt key as the last field, so each case is refused for its own fault.
fn padded(json: &str) -> Vec<u8> {
    let json = json.strip_suffix('}').map(|open| format!(r#"{open},"receipt_key":"AAAAAAAAAAAAAAAAAAAAAA=="}}"#));
    let mut bytes = json.unwrap_or_default().into_bytes();
    bytes.resize(512.max(bytes.len()), b' ');
    bytes
}

#[test]
fn crafted_plaintexts_are_refused_by_the_device_after_opening_and_nothing_is_shown() {
    let mut s = setup();
    let future = (Utc::now() + Duration::days(400)).format("%Y-%m-%d").to_string();
    let cases = [
        (
            "a name with a bidi override",
            // The override character itself (a JSON escape would be refused as an escape).
            padded(
                "{\"name\":\"Sem \u{202E}seirv ed\",\"birthdate\":\"2016-03-07\",\"codeword\":\"Handle with Care\"}",
            ),
        ),
        (
            "a name with markup",
            padded(
                r#"{"name":"<img src=x onerror=alert(1)>Sem","birthdate":"2016-03-07","codeword":"Handle with Care"}"#,
            ),
        ),
        (
            "a birthdate in the future",
            padded(&format!(r#"{{"name":"Sem de Vries","birthdate":"{future}","codeword":"Handle with Care"}}"#)),
        ),
        (
            "a field more",
            padded(r#"{"name":"Sem de Vries","birthdate":"2016-03-07","codeword":"Handle with Care","school":"12AB"}"#),
        ),
        (
            "another codeword",
            padded(r#"{"name":"Sem de Vries","birthdate":"2016-03-07","codeword":"Handle with care!"}"#),
        ),
    ];
    let needles = hwc_system_tests::Needles::for_child("Sem de Vries", "2016-03-07");
    for (what, plaintext) in cases {
        let now = Utc::now();
        let envelope = Envelope::seal_unchecked_plaintext(
            &s.office.key,
            SignalId::random().unwrap(),
            s.school,
            now,
            now + Duration::hours(20),
            &[s.client_keys()],
            &plaintext,
        )
        .unwrap();
        let id = envelope.envelope.signal_id;
        // The relay cannot tell: it holds ciphertext only.
        assert_eq!(s.office.post_signal(&envelope.bytes).unwrap().status, 201, "{what}");
        assert!(s.client.fetch(5).unwrap().new_signals.contains(&id), "{what}");
        let refused = s.client.open_signal(&id).map(|_| ()).expect_err(what);
        let message = refused.to_string();
        assert!(message.len() > 20, "{what}: {message}");
        assert_eq!(needles.found_in(message.as_bytes()), Vec::<String>::new(), "{what}: {message}");
        for echoed in ["onerror", "seirv", "\u{202E}", "care!", "school"] {
            assert!(!message.contains(echoed), "{what}: the refusal repeats the input: {message}");
        }
        eprintln!("{what}: {message}");
    }
    s.valid_signal_still_arrives();
}
