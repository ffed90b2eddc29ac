//! Test helpers: a real relay ([`hwc_relay::testing::TestRelay`]) and the leerplicht office
//! played with `hwc-protocol` directly (codes, verification, sealing and posting envelopes,
//! reading receipts), plus a forensic scan of a data directory.
#![allow(dead_code)]

pub mod hostile_relay;

use chrono::{DateTime, Duration, Utc};
use hwc_client::vault::key::{keyring_user, pepper_keyring_user, KEYRING_SERVICE};
use hwc_client::SchoolClient;
use hwc_protocol::api::{CreateEnrollment, DeviceInfo, DeviceList, OfficeItem, OfficeItems, SignalAccepted};
use hwc_protocol::{
    AuthHeaders, Brin, DevicePublicKeys, EnrollmentCode, Envelope, OfficePublicKey, OfficeSigningKey, Receipt,
    RequestParts, Role, SafetyCode, Signal, SignalId, VerifiedEnvelope, VerifiedReceipt,
};
use hwc_relay::testing::TestRelay;
use std::path::Path;

pub const NAME: &str = "Zoë van 't Hooft-Çelik";
pub const BIRTHDATE: &str = "2016-03-07";
pub const SCHOOL: &str = "12AB";
/// The PIN every test device is enrolled with.
pub const PIN: &str = "482916";

/// The leerplicht office, talking to one relay.
pub struct Office {
    pub key: OfficeSigningKey,
    pub url: String,
    http: reqwest::blocking::Client,
}

pub struct Answer {
    pub status: u16,
    pub body: Vec<u8>,
}

impl Office {
    pub fn new() -> Self {
        Self { key: OfficeSigningKey::generate().unwrap(), url: String::new(), http: reqwest::blocking::Client::new() }
    }

    pub fn public(&self) -> OfficePublicKey {
        self.key.public()
    }

    /// Starts a relay that trusts this office.
    pub fn start_relay(&mut self) -> TestRelay {
        let relay = TestRelay::start(vec![self.public()]);
        self.url = relay.url();
        relay
    }

    pub fn request(&self, method: &str, path: &str, body: &[u8], content_type: &str) -> Answer {
        let parts = RequestParts { relay: &self.url, method, path_and_query: path, body };
        let headers = AuthHeaders::sign_office(&self.key, &parts, Utc::now().timestamp()).unwrap();
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut request = self.http.request(method, format!("{}{}", self.url, path));
        for (name, value) in headers.to_pairs() {
            request = request.header(name, value);
        }
        if !body.is_empty() {
            request = request.header("content-type", content_type).body(body.to_vec());
        }
        let response = request.send().unwrap();
        Answer { status: response.status().as_u16(), body: response.bytes().unwrap().to_vec() }
    }

    /// A one-time enrollment code for a device slot, as the office would hand it over.
    pub fn code(&self, role: Role) -> String {
        let code = EnrollmentCode::generate().unwrap();
        let body = serde_json::to_vec(&CreateEnrollment {
            school: SCHOOL.parse().unwrap(),
            role,
            code_hash: code.hash_hex(),
            office_key_tag: code.office_key_tag(&self.public()),
            expires_at: (Utc::now() + Duration::days(7)).timestamp(),
        })
        .unwrap();
        let answer = self.request("POST", "/v1/enrollments", &body, "application/json");
        assert_eq!(answer.status, 201, "{}", String::from_utf8_lossy(&answer.body));
        code.display()
    }

    pub fn devices(&self) -> Vec<DeviceInfo> {
        let answer = self.request("GET", &format!("/v1/schools/{SCHOOL}/devices"), b"", "");
        assert_eq!(answer.status, 200, "{}", String::from_utf8_lossy(&answer.body));
        serde_json::from_slice::<DeviceList>(&answer.body).unwrap().devices
    }

    /// Compares the safety code the school reads out with its own, then verifies the device.
    pub fn verify(&self, client: &SchoolClient) {
        let device = self.devices().into_iter().find(|d| d.device_id == client.device_id()).expect("device listed");
        assert_eq!(SafetyCode::compute(&self.public(), &device.keys), client.safety_code(), "safety codes differ");
        let answer = self.request("POST", &format!("/v1/devices/{}/verify", client.device_id()), b"", "");
        assert_eq!(answer.status, 200, "{}", String::from_utf8_lossy(&answer.body));
    }

    /// The keys of every verified device of the school, as the office seals to them.
    pub fn recipients(&self) -> Vec<DevicePublicKeys> {
        self.devices()
            .into_iter()
            .filter(|d| d.status == hwc_protocol::api::DeviceStatus::Verified)
            .map(|d| d.keys)
            .collect()
    }

    pub fn seal_with(
        key: &OfficeSigningKey,
        recipients: &[DevicePublicKeys],
        created: DateTime<Utc>,
        expires: DateTime<Utc>,
    ) -> VerifiedEnvelope {
        let signal = Signal::from_input(NAME, BIRTHDATE, created.date_naive()).unwrap();
        let school: Brin = SCHOOL.parse().unwrap();
        Envelope::seal(key, SignalId::random().unwrap(), school, created, expires, recipients, &signal).unwrap()
    }

    pub fn seal(&self, created: DateTime<Utc>, expires: DateTime<Utc>) -> VerifiedEnvelope {
        Self::seal_with(&self.key, &self.recipients(), created, expires)
    }

    pub fn post(&self, envelope: &VerifiedEnvelope) -> SignalId {
        let answer = self.request("POST", "/v1/signals", &envelope.bytes, "application/octet-stream");
        assert!(
            answer.status == 201 || answer.status == 200,
            "{} {}",
            answer.status,
            String::from_utf8_lossy(&answer.body)
        );
        serde_json::from_slice::<SignalAccepted>(&answer.body).unwrap().signal_id
    }

    /// Seals a signal to every verified device (expiry in 30 hours) and sends it.
    pub fn send(&self) -> SignalId {
        let now = Utc::now();
        self.post(&self.seal(now, now + Duration::hours(30)))
    }

    /// The receipts waiting for the office, verified against the listed device keys.
    pub fn receipts(&self, after: u64) -> (u64, Vec<VerifiedReceipt>) {
        let answer = self.request("GET", &format!("/v1/receipts?after={after}"), b"", "");
        assert_eq!(answer.status, 200, "{}", String::from_utf8_lossy(&answer.body));
        let items: OfficeItems = serde_json::from_slice(&answer.body).unwrap();
        let devices = self.devices();
        let receipts = items
            .items
            .into_iter()
            .filter_map(|item| match item {
                OfficeItem::Receipt { receipt, .. } => Some(
                    devices.iter().find_map(|d| Receipt::verify(&receipt.0, &d.keys).ok()).expect("receipt verifies"),
                ),
                OfficeItem::Expired { .. } | OfficeItem::SchoolDays { .. } => None,
            })
            .collect();
        (items.cursor, receipts)
    }
}

/// Enrolls a device in `dir` with [`PIN`] and has the office verify it. It starts locked.
pub fn enrolled(office: &Office, dir: &Path, role: Role) -> SchoolClient {
    let mut client = SchoolClient::enroll(dir, &office.url, &office.code(role), PIN).unwrap();
    office.verify(&client);
    assert_eq!(client.refresh_status().unwrap(), hwc_protocol::api::DeviceStatus::Verified);
    client
}

/// A port nothing listens on.
/// The relay's own database, opened as a hostile or broken relay would change it (waits up to
/// 10 s for the relay's writer).
pub fn relay_db(relay: &TestRelay) -> rusqlite::Connection {
    let db = rusqlite::Connection::open(relay.db_path()).unwrap();
    db.busy_timeout(std::time::Duration::from_secs(10)).unwrap();
    db
}

pub fn dead_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}

fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
    text.encode_utf16().flat_map(|u| if big_endian { u.to_be_bytes() } else { u.to_le_bytes() }).collect()
}

/// The byte patterns that must never be found on disk.
pub fn forbidden_patterns() -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for text in [NAME, "Hooft-Çelik", BIRTHDATE, "07-03-2016"] {
        out.push((format!("{text:?} utf-8"), text.as_bytes().to_vec()));
        out.push((format!("{text:?} utf-16le"), utf16(text, false)));
        out.push((format!("{text:?} utf-16be"), utf16(text, true)));
    }
    out
}

/// Reads every file under `dir`: no journal or WAL files, and none of the patterns anywhere.
/// Returns how many files were scanned.
pub fn assert_no_trace(dir: &Path) -> usize {
    let patterns = forbidden_patterns();
    let mut scanned = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(path) = stack.pop() {
        for entry in std::fs::read_dir(&path).unwrap() {
            let entry = entry.unwrap();
            let path = entry.path();
            if entry.file_type().unwrap().is_dir() {
                stack.push(path);
                continue;
            }
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            assert!(
                !name.ends_with("-wal") && !name.ends_with("-journal") && !name.ends_with("-shm"),
                "side file left: {name}"
            );
            let bytes = std::fs::read(&path).unwrap();
            for (label, pattern) in &patterns {
                assert!(!bytes.windows(pattern.len()).any(|w| w == pattern.as_slice()), "{label} found in {name}");
            }
            scanned += 1;
        }
    }
    scanned
}

/// One of a device's two entries in the OS credential store: its vault key or its PIN pepper.
pub struct StoredSecret(String);

impl StoredSecret {
    pub fn vault_key(dir: &Path) -> Self {
        Self(keyring_user(&dir.canonicalize().unwrap()))
    }

    pub fn pepper(dir: &Path) -> Self {
        Self(pepper_keyring_user(&dir.canonicalize().unwrap()))
    }

    /// The stored bytes, or `None` when the entry is gone.
    pub fn get(&self) -> Option<Vec<u8>> {
        hwc_keystore::load(KEYRING_SERVICE, &self.0).unwrap().map(|secret| secret.to_vec())
    }

    pub fn set(&self, secret: &[u8]) {
        hwc_keystore::store(KEYRING_SERVICE, &self.0, secret).unwrap()
    }

    pub fn delete(&self) {
        hwc_keystore::delete(KEYRING_SERVICE, &self.0).unwrap()
    }
}
