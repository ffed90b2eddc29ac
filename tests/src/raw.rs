//! Raw protocol actors for adversarial system tests: an office and a device that speak to the
//! relay with hand-built requests, so a test can send exactly the bytes an attacker would
//! (tampered, forged, replayed, oversized) and check how the real relay answers.

use anyhow::{Context, Result};
use chrono::Utc;
use hwc_protocol::api::{ApiError, CreateEnrollment, EnrollDevice};
use hwc_protocol::request_auth::{AuthHeaders, RequestParts};
use hwc_protocol::RelayAddress;
use hwc_protocol::{
    Brin, DeviceId, DeviceOpenKey, DevicePublicKeys, DeviceSigningKey, EnrollmentCode, OfficeSigningKey, Role,
};
use reqwest::blocking::Client;

/// What the relay answered.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub body: Vec<u8>,
}

impl Answer {
    /// The `error` code of a JSON error answer.
    pub fn error_code(&self) -> Option<String> {
        serde_json::from_slice::<ApiError>(&self.body).ok().map(|e| e.error)
    }

    pub fn error_message(&self) -> String {
        serde_json::from_slice::<ApiError>(&self.body).map(|e| e.message).unwrap_or_default()
    }
}

/// Sends one request with the given (possibly deliberately wrong) auth headers.
pub fn send(relay: &str, method: &str, path: &str, body: &[u8], auth: Option<&AuthHeaders>) -> Result<Answer> {
    let client = Client::new();
    let url = format!("{relay}{path}");
    let mut request = match method {
        "GET" => client.get(&url),
        _ => client.post(&url).body(body.to_vec()),
    };
    if let Some(auth) = auth {
        for (name, value) in auth.to_pairs() {
            request = request.header(name, value);
        }
    }
    if method != "GET" {
        request = request.header("content-type", "application/octet-stream");
    }
    let response = request.send().context("relay niet bereikbaar")?;
    Ok(Answer { status: response.status().as_u16(), body: response.bytes()?.to_vec() })
}

fn json_post(relay: &str, path: &str, body: &[u8], auth: &AuthHeaders) -> Result<Answer> {
    let mut request = Client::new().post(format!("{relay}{path}")).body(body.to_vec());
    for (name, value) in auth.to_pairs() {
        request = request.header(name, value);
    }
    let response = request.header("content-type", "application/json").send()?;
    Ok(Answer { status: response.status().as_u16(), body: response.bytes()?.to_vec() })
}

/// An office speaking raw protocol (registered with the relay like any office).
pub struct RawOffice {
    pub key: OfficeSigningKey,
    pub relay: String,
}

impl RawOffice {
    pub fn new(relay: &str) -> Result<Self> {
        Ok(Self { key: OfficeSigningKey::generate()?, relay: relay.to_string() })
    }

    pub fn sign(&self, method: &str, path: &str, body: &[u8]) -> Result<AuthHeaders> {
        let relay = RelayAddress::parse(&self.relay)?.origin();
        let request = RequestParts { relay: &relay, method, path_and_query: path, body };
        Ok(AuthHeaders::sign_office(&self.key, &request, Utc::now().timestamp())?)
    }

    /// A signed request as the office.
    pub fn request(&self, method: &str, path: &str, body: &[u8]) -> Result<Answer> {
        let auth = self.sign(method, path, body)?;
        send(&self.relay, method, path, body, Some(&auth))
    }

    pub fn enrollment_code(&self, school: Brin, role: Role) -> Result<EnrollmentCode> {
        let code = EnrollmentCode::generate()?;
        let body = serde_json::to_vec(&CreateEnrollment {
            school,
            role,
            code_hash: code.hash_hex(),
            office_key_tag: code.office_key_tag(&self.key.public()),
            expires_at: Utc::now().timestamp() + 3600,
        })?;
        let auth = self.sign("POST", "/v1/enrollments", &body)?;
        let answer = json_post(&self.relay, "/v1/enrollments", &body, &auth)?;
        anyhow::ensure!(answer.status == 201, "enrollment: {} {}", answer.status, answer.error_message());
        Ok(code)
    }

    pub fn verify(&self, device: DeviceId) -> Result<Answer> {
        self.request("POST", &format!("/v1/devices/{device}/verify"), b"")
    }

    pub fn post_signal(&self, envelope: &[u8]) -> Result<Answer> {
        self.request("POST", "/v1/signals", envelope)
    }
}

/// A school device speaking raw protocol.
pub struct RawDevice {
    pub sign: DeviceSigningKey,
    pub open: DeviceOpenKey,
    pub public: DevicePublicKeys,
    pub relay: String,
}

impl RawDevice {
    pub fn new(relay: &str) -> Result<Self> {
        let sign = DeviceSigningKey::generate()?;
        let open = DeviceOpenKey::generate()?;
        let public = DevicePublicKeys::of(&sign, &open);
        Ok(Self { sign, open, public, relay: relay.to_string() })
    }

    pub fn id(&self) -> DeviceId {
        self.public.device_id()
    }

    pub fn sign(&self, method: &str, path: &str, body: &[u8]) -> Result<AuthHeaders> {
        let relay = RelayAddress::parse(&self.relay)?.origin();
        let request = RequestParts { relay: &relay, method, path_and_query: path, body };
        Ok(AuthHeaders::sign_device(&self.sign, self.id(), &request, Utc::now().timestamp())?)
    }

    pub fn request(&self, method: &str, path: &str, body: &[u8]) -> Result<Answer> {
        let auth = self.sign(method, path, body)?;
        send(&self.relay, method, path, body, Some(&auth))
    }

    pub fn enroll(&self, code: &EnrollmentCode) -> Result<Answer> {
        let body = serde_json::to_vec(&EnrollDevice::new(code, self.public))?;
        let auth = self.sign("POST", "/v1/devices", &body)?;
        json_post(&self.relay, "/v1/devices", &body, &auth)
    }
}
