//! Shared test helpers: keys, signed requests, enrollment and sealing shortcuts.

use chrono::{DateTime, Utc};
use hwc_protocol::api::{ApiError, CreateEnrollment, DeviceInfo, EnrollDevice, Inbox};
use hwc_protocol::{
    AuthHeaders, Brin, DeviceId, DeviceOpenKey, DevicePublicKeys, DeviceSigningKey, EnrollmentCode, Envelope,
    OfficeSigningKey, Receipt, ReceiptKind, RequestParts, Role, Signal, SignalId, VerifiedEnvelope,
};
use hwc_relay::config::Config;
use hwc_relay::school_assignments::SchoolAssignments;
use hwc_relay::testing::TestRelay;
use reqwest::blocking::{Client, Response};
use reqwest::StatusCode;
use std::time::Duration;

pub fn now() -> i64 {
    Utc::now().timestamp()
}

pub fn at(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, 0).unwrap()
}

pub fn brin(text: &str) -> Brin {
    text.parse().unwrap()
}

pub struct Device {
    pub sign: DeviceSigningKey,
    pub open: DeviceOpenKey,
    pub keys: DevicePublicKeys,
}

impl Device {
    pub fn new() -> Self {
        let sign = DeviceSigningKey::generate().unwrap();
        let open = DeviceOpenKey::generate().unwrap();
        let keys = DevicePublicKeys::of(&sign, &open);
        Self { sign, open, keys }
    }

    pub fn id(&self) -> DeviceId {
        self.keys.device_id()
    }
}

/// A relay, an HTTP client and one trusted office (plus `others` more).
pub struct Env {
    pub relay: TestRelay,
    /// The relay's origin, as clients sign it.
    pub origin: String,
    pub http: Client,
    pub office: OfficeSigningKey,
    pub others: Vec<OfficeSigningKey>,
}

impl Env {
    pub fn new() -> Self {
        Self::with_offices(1)
    }

    pub fn with_offices(n: usize) -> Self {
        Self::build(n, 1)
    }

    /// One office and a relay that sweeps only at start (and when the office reads its items),
    /// so expired envelopes stay in the database until the test asks for a sweep.
    pub fn without_background_sweeps() -> Self {
        Self::build(1, 86_400)
    }

    /// A relay whose assignment file names `offices`: for each, how many keys it has and its
    /// schools. `office` is the first office's first key; `others` every other key, in order.
    pub fn with_assignments(offices: &[(usize, &[&str])]) -> Self {
        let mut keys: Vec<OfficeSigningKey> = Vec::new();
        let mut file = String::new();
        for (index, (key_count, schools)) in offices.iter().enumerate() {
            let own: Vec<OfficeSigningKey> = (0..*key_count).map(|_| OfficeSigningKey::generate().unwrap()).collect();
            let quoted = |items: Vec<String>| items.iter().map(|i| format!("\"{i}\"")).collect::<Vec<_>>().join(", ");
            file += &format!(
                "[[office]]\nname = \"Kantoor {index}\"\nkeys = [{}]\nschools = [{}]\n",
                quoted(own.iter().map(|k| k.public().to_string()).collect()),
                quoted(schools.iter().map(ToString::to_string).collect())
            );
            keys.extend(own);
        }
        let relay = TestRelay::start_with_assignments(SchoolAssignments::parse(&file).unwrap());
        let office = keys.remove(0);
        Self::assemble(relay, office, keys)
    }

    /// One office and a relay whose settings `adjust` changes.
    pub fn with_settings(adjust: impl FnOnce(&mut Config)) -> Self {
        let office = OfficeSigningKey::generate().unwrap();
        let relay = TestRelay::start_with(vec![office.public()], adjust);
        Self::assemble(relay, office, Vec::new())
    }

    fn build(n: usize, sweep_interval_secs: u64) -> Self {
        let mut keys: Vec<OfficeSigningKey> = (0..n).map(|_| OfficeSigningKey::generate().unwrap()).collect();
        let relay =
            TestRelay::start_with_sweep_interval(keys.iter().map(|k| k.public()).collect(), sweep_interval_secs);
        let office = keys.remove(0);
        Self::assemble(relay, office, keys)
    }

    fn assemble(relay: TestRelay, office: OfficeSigningKey, others: Vec<OfficeSigningKey>) -> Self {
        let http = Client::builder().timeout(Duration::from_secs(30)).build().unwrap();
        let origin = relay.url();
        Self { relay, origin, http, office, others }
    }

    pub fn send(&self, method: &str, path: &str, body: &[u8], headers: Option<&AuthHeaders>) -> Response {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut request = self.http.request(method, format!("{}{}", self.relay.url(), path)).body(body.to_vec());
        if let Some(headers) = headers {
            for (name, value) in headers.to_pairs() {
                request = request.header(name, value);
            }
        }
        request.send().unwrap()
    }

    /// What a request to this relay signs (the test relay's origin is its URL).
    pub fn parts<'a>(&'a self, method: &'a str, path: &'a str, body: &'a [u8]) -> RequestParts<'a> {
        RequestParts { relay: &self.origin, method, path_and_query: path, body }
    }

    pub fn as_office(&self, office: &OfficeSigningKey, method: &str, path: &str, body: &[u8]) -> Response {
        let headers = AuthHeaders::sign_office(office, &self.parts(method, path, body), now()).unwrap();
        self.send(method, path, body, Some(&headers))
    }

    pub fn as_device(&self, device: &Device, method: &str, path: &str, body: &[u8]) -> Response {
        let headers =
            AuthHeaders::sign_device(&device.sign, device.id(), &self.parts(method, path, body), now()).unwrap();
        self.send(method, path, body, Some(&headers))
    }

    /// Announces a code for `school` as `office`.
    pub fn code_from(
        &self,
        office: &OfficeSigningKey,
        school: &str,
        role: Role,
        expires_at: i64,
    ) -> (EnrollmentCode, Response) {
        let code = EnrollmentCode::generate().unwrap();
        let body = CreateEnrollment {
            school: brin(school),
            role,
            code_hash: code.hash_hex(),
            office_key_tag: code.office_key_tag(&office.public()),
            expires_at,
        };
        let response = self.as_office(office, "POST", "/v1/enrollments", &serde_json::to_vec(&body).unwrap());
        (code, response)
    }

    pub fn code(&self, school: &str, role: Role) -> EnrollmentCode {
        let (code, response) = self.code_from(&self.office, school, role, now() + 3600);
        assert_eq!(response.status(), StatusCode::CREATED);
        code
    }

    /// Enrolls `device` with `code` as typed; text that is no code goes to the relay as the hash.
    pub fn enroll(&self, device: &Device, code: &str) -> Response {
        let request = match EnrollmentCode::parse(code) {
            Ok(code) => EnrollDevice::new(&code, device.keys),
            Err(_) => EnrollDevice { code_hash: code.to_string(), keys: device.keys, pin_reset_key: None },
        };
        let body = serde_json::to_vec(&request).unwrap();
        self.as_device(device, "POST", "/v1/devices", &body)
    }

    /// A new device of `school`, enrolled and verified by the main office.
    pub fn verified_device(&self, school: &str, role: Role) -> Device {
        let device = Device::new();
        let code = self.code(school, role);
        assert_eq!(self.enroll(&device, &code.display()).status(), StatusCode::CREATED);
        let path = format!("/v1/devices/{}/verify", device.id());
        let response = self.as_office(&self.office, "POST", &path, b"");
        assert_eq!(response.status(), StatusCode::OK);
        device
    }

    pub fn seal_from(
        &self,
        office: &OfficeSigningKey,
        school: &str,
        devices: &[&Device],
        created: i64,
        expires: i64,
    ) -> VerifiedEnvelope {
        let signal = Signal::from_input("Sem de Vries", "2016-03-07", at(created).date_naive()).unwrap();
        let keys: Vec<DevicePublicKeys> = devices.iter().map(|d| d.keys).collect();
        Envelope::seal(office, SignalId::random().unwrap(), brin(school), at(created), at(expires), &keys, &signal)
            .unwrap()
    }

    pub fn seal(&self, school: &str, devices: &[&Device]) -> VerifiedEnvelope {
        let t = now();
        self.seal_from(&self.office, school, devices, t, t + 24 * 3600)
    }

    pub fn post_signal(&self, envelope: &VerifiedEnvelope) -> Response {
        self.as_office(&self.office, "POST", "/v1/signals", &envelope.bytes)
    }

    pub fn inbox(&self, device: &Device, after: u64, wait: u64) -> Inbox {
        let response = self.as_device(device, "GET", &format!("/v1/inbox?after={after}&wait={wait}"), b"");
        assert_eq!(response.status(), StatusCode::OK);
        response.json().unwrap()
    }

    pub fn receipt(&self, device: &Device, signal_id: SignalId, kind: ReceiptKind) -> Response {
        self.receipt_at(device, signal_id, kind, Utc::now())
    }

    /// A receipt claiming time `at` (the device's clock, which the relay does not trust).
    pub fn receipt_at(&self, device: &Device, signal_id: SignalId, kind: ReceiptKind, at: DateTime<Utc>) -> Response {
        // The relay cannot check the proof (it never sees the receipt key), so any key serves here.
        let receipt = Receipt::sign(
            &device.sign,
            device.id(),
            signal_id,
            kind,
            at,
            &hwc_protocol::ReceiptKey::from_bytes([0; 16]),
        );
        self.as_device(device, "POST", "/v1/receipts", &receipt.bytes)
    }

    pub fn device_info(&self, device: &Device) -> DeviceInfo {
        let response = self.as_device(device, "GET", "/v1/device", b"");
        assert_eq!(response.status(), StatusCode::OK);
        response.json().unwrap()
    }
}

/// Asserts an error answer's status and code and returns its message.
pub fn expect_error(response: Response, status: StatusCode, code: &str) -> String {
    assert_eq!(response.status(), status, "expected {code}");
    let body: ApiError = response.json().unwrap();
    assert_eq!(body.error, code, "{}", body.message);
    assert!(!body.message.is_empty());
    body.message
}
