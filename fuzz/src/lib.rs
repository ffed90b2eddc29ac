//! Shared pieces of the fuzz targets: the keys of the published test vectors
//! (`crates/protocol/test-vectors.json`), so that a target can sign a fuzzed body itself and
//! reach the parsing behind the signature check, and the fixed clock the vectors were made for.

use base64::Engine;
use chrono::{DateTime, NaiveDate, Utc};
use ed25519_dalek::Signer as _;
use hwc_protocol::{DeviceId, DeviceOpenKey, DevicePublicKeys, DeviceSigningKey, OfficePublicKey};
use std::sync::OnceLock;

/// One school device of the vectors.
pub struct Device {
    pub sign_secret: [u8; 32],
    pub open: DeviceOpenKey,
    pub public: DevicePublicKeys,
    pub id: DeviceId,
}

/// The office and the two devices of the test vectors.
pub struct Vectors {
    pub office_secret: [u8; 32],
    pub office_public: OfficePublicKey,
    pub devices: Vec<Device>,
    /// When the published envelope was made: the targets' "now" is one minute later.
    pub created_at: i64,
}

fn key(text: &serde_json::Value) -> [u8; 32] {
    let bytes = base64::engine::general_purpose::STANDARD.decode(text.as_str().expect("a key")).expect("base64");
    bytes.try_into().expect("32 bytes")
}

/// The vectors, read once per process.
pub fn vectors() -> &'static Vectors {
    static VECTORS: OnceLock<Vectors> = OnceLock::new();
    VECTORS.get_or_init(|| {
        let json: serde_json::Value =
            serde_json::from_str(include_str!("../../crates/protocol/test-vectors.json")).expect("vectors");
        let office_secret = key(&json["office_secret_key"]);
        let office_public = OfficePublicKey::from_bytes(key(&json["office_public_key"])).expect("office key");
        let devices = json["devices"]
            .as_array()
            .expect("devices")
            .iter()
            .map(|d| {
                let sign_secret = key(&d["sign_secret_key"]);
                let open = DeviceOpenKey::from_secret_bytes(&key(&d["open_secret_key"])).expect("open key");
                let public = DevicePublicKeys::of(&DeviceSigningKey::from_secret_bytes(&sign_secret), &open);
                let id = public.device_id();
                Device { sign_secret, open, public, id }
            })
            .collect();
        let created_at = json["envelope"]["created_at"].as_i64().expect("created_at");
        Vectors { office_secret, office_public, devices, created_at }
    })
}

impl Vectors {
    /// One minute after the published envelope was made: it is valid then.
    pub fn now(&self) -> DateTime<Utc> {
        DateTime::from_timestamp(self.created_at + 60, 0).expect("a valid time")
    }

    /// The Dutch date of [`Vectors::now`], for the age rule.
    pub fn today(&self) -> NaiveDate {
        self.now().date_naive()
    }
}

/// An Ed25519 signature with a secret key of the vectors.
pub fn sign(secret: &[u8; 32], message: &[u8]) -> [u8; 64] {
    ed25519_dalek::SigningKey::from_bytes(secret).sign(message).to_bytes()
}
