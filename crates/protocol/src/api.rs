//! The JSON bodies of the relay's HTTP API, shared by the relay, the sender and the school
//! client. Every body refuses unknown fields. Envelopes and receipts travel as raw signed
//! frames (`application/octet-stream`) when posted and as base64 inside JSON when listed.
//! See `docs/protocol.md` for the table of endpoints.

use crate::brin::Brin;
use crate::enrollment::Role;
use crate::ids::{DeviceId, SignalId};
use crate::keys::{DevicePublicKeys, OfficePublicKey};
use serde::{Deserialize, Serialize};

/// A signed frame (envelope, receipt, school profile or school days notice) as base64 inside JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Blob(#[serde(with = "crate::encoding::b64_vec")] pub Vec<u8>);

/// Every error response: a stable code for programs and a sentence for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiError {
    pub error: String,
    pub message: String,
}

/// `POST /v1/enrollments` (office): announce a one-time code for a device slot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateEnrollment {
    pub school: Brin,
    pub role: Role,
    /// [`crate::enrollment::EnrollmentCode::hash_hex`]
    pub code_hash: String,
    /// [`crate::enrollment::EnrollmentCode::office_key_tag`] for the signing office's key.
    pub office_key_tag: String,
    /// Unix seconds.
    pub expires_at: i64,
}

/// Answer to `POST /v1/office/successor`: `first` is false for a repeat.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SuccessorAccepted {
    pub first: bool,
}

/// `POST /v1/devices` (signed by the new device's own key): enroll with a code. The device sends
/// only the code's hash, never the code: the code is what makes the office key's tag, so a
/// relay that learnt it could tag an office key of its own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnrollDevice {
    /// [`crate::enrollment::EnrollmentCode::hash_hex`] of the typed code.
    pub code_hash: String,
    pub keys: DevicePublicKeys,
    /// The public half of the device's reset key for the PIN guard ([`crate::pin_guard`]),
    /// registered with the device, so that nobody else can register one first. Optional for
    /// clients from before the guard: the relay then registers the key of the first reset.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "crate::encoding::b64_32_option")]
    pub pin_reset_key: Option<[u8; 32]>,
}

impl EnrollDevice {
    /// The request for enrolling `keys` with `code`, without a reset key.
    pub fn new(code: &crate::enrollment::EnrollmentCode, keys: DevicePublicKeys) -> Self {
        Self { code_hash: code.hash_hex(), keys, pin_reset_key: None }
    }

    /// The request for enrolling `keys` with `code` and registering `pin_reset_key`.
    pub fn with_pin_reset_key(
        code: &crate::enrollment::EnrollmentCode,
        keys: DevicePublicKeys,
        pin_reset_key: [u8; 32],
    ) -> Self {
        Self { code_hash: code.hash_hex(), keys, pin_reset_key: Some(pin_reset_key) }
    }
}

/// Where a device stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeviceStatus {
    /// Enrolled, safety code not yet confirmed by leerplicht: receives nothing.
    Pending,
    /// Confirmed by leerplicht: receives signals.
    Verified,
    /// Taken out of use.
    Removed,
}

/// A device as the relay knows it (answer to enrollment, `GET /v1/device`, listings, verify).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceInfo {
    pub device_id: DeviceId,
    pub school: Brin,
    pub role: Role,
    pub status: DeviceStatus,
    pub keys: DevicePublicKeys,
    /// The office that issued the enrollment code.
    pub office_key: OfficePublicKey,
    pub enrolled_at: i64,
    /// Only in the answer to `POST /v1/devices`: the tag the office made from the code and its
    /// key. The device recomputes it from the code it was given and refuses the office key if
    /// it differs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub office_key_tag: Option<String>,
}

/// `GET /v1/schools/{brin}/devices` (office).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceList {
    pub devices: Vec<DeviceInfo>,
}

/// One device's last contact with the relay: the Dutch date of its last inbox or status
/// request (`None`: none since the relay began keeping it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LastContact {
    pub device_id: DeviceId,
    pub day: Option<chrono::NaiveDate>,
}

/// `GET /v1/schools/{brin}/last-contact` (office): the school's devices that are not removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LastContacts {
    pub devices: Vec<LastContact>,
}

/// `POST /v1/pin-guard` (device): test a PIN with the relay's help (see
/// [`crate::pin_guard`]). The relay counts the try before it answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PinGuardRequest {
    /// The blinded PIN: a ristretto255 point.
    #[serde(with = "crate::encoding::b64_32")]
    pub blinded: [u8; 32],
}

/// Answer to `POST /v1/pin-guard`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PinGuardAnswer {
    /// The blinded PIN evaluated under this device's key at the relay.
    #[serde(with = "crate::encoding::b64_32")]
    pub evaluated: [u8; 32],
    /// To sign for `POST /v1/pin-guard/reset` when the PIN was right; valid until the next try.
    #[serde(with = "crate::encoding::b64_32")]
    pub nonce: [u8; 32],
    /// Tries the relay still evaluates after this one, until a reset.
    pub tries_left: u32,
}

/// `POST /v1/pin-guard/reset` (device): the PIN was right; clear the count and keep
/// `reset_key` from now on. `signature` is [`crate::pin_guard::reset_text`] signed with the
/// reset key the relay holds (with `reset_key` itself when it holds none yet).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PinGuardReset {
    #[serde(with = "crate::encoding::b64_32")]
    pub nonce: [u8; 32],
    #[serde(with = "crate::encoding::b64_32")]
    pub reset_key: [u8; 32],
    #[serde(with = "crate::encoding::b64_64")]
    pub signature: [u8; 64],
}

/// Answer to `POST /v1/signals`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignalAccepted {
    pub signal_id: SignalId,
    /// False when the relay already had this exact envelope (idempotent repeat).
    pub stored: bool,
}

/// A signal of this device's school that was acknowledged (by this device or a colleague),
/// with the proof: the receipt frame as the acknowledging device signed it, and that device's
/// public keys. A device believes it only when the keys make `by`, `by` holds a copy in the
/// envelope, and the receipt verifies under those keys for this signal and device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Handled {
    pub signal_id: SignalId,
    pub by: DeviceId,
    /// Unix seconds of the receipt, as the relay recorded it.
    pub at: i64,
    /// The signed receipt (`HWR1` frame).
    pub receipt: Blob,
    /// The public keys of `by`.
    pub by_keys: DevicePublicKeys,
}

/// Answer to `GET /v1/inbox?after=N&wait=S` (device).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Inbox {
    /// Pass as `after` next time.
    pub cursor: u64,
    /// Envelopes for this device, still waiting for a receipt.
    pub envelopes: Vec<Blob>,
    /// Signals for this device that were acknowledged since `after`.
    pub handled: Vec<Handled>,
}

/// Answer to `POST /v1/receipts` (device).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReceiptAccepted {
    pub signal_id: SignalId,
    /// False when the signal had already been acknowledged (by this or another device).
    pub first: bool,
}

/// One item for the office.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum OfficeItem {
    /// A device's signed receipt.
    Receipt { school: Brin, receipt: Blob },
    /// Nobody acknowledged the signal before it expired; the relay deleted it.
    Expired { signal_id: SignalId, school: Brin, expired_at: i64 },
    /// A device's signed notice of its school's own closed days (`HWK1` frame, see
    /// [`crate::school_days`]), as the device posted it; the office checks it with the keys of
    /// the school's devices it verified.
    SchoolDays { school: Brin, notice: Blob },
}

/// Answer to `GET /v1/receipts?after=N` (office). Items up to `after` are deleted by that call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OfficeItems {
    pub cursor: u64,
    pub items: Vec<OfficeItem>,
}

/// Signals sent on one day (Dutch date).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DayCount {
    /// `YYYY-MM-DD`
    pub day: String,
    pub count: u64,
}

/// How quickly signals were acknowledged after they were sent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AckBuckets {
    pub within_1h: u64,
    pub within_4h: u64,
    pub within_24h: u64,
    pub within_48h: u64,
    pub within_72h: u64,
    pub later: u64,
}

impl AckBuckets {
    /// Adds one acknowledgement that took `secs` seconds.
    pub fn add(&mut self, secs: i64) {
        let hours = secs.max(0) as f64 / 3600.0;
        let slot = match hours {
            h if h <= 1.0 => &mut self.within_1h,
            h if h <= 4.0 => &mut self.within_4h,
            h if h <= 24.0 => &mut self.within_24h,
            h if h <= 48.0 => &mut self.within_48h,
            h if h <= 72.0 => &mut self.within_72h,
            _ => &mut self.later,
        };
        *slot += 1;
    }

    /// The bucket name for an acknowledgement that took `secs` seconds.
    pub fn bucket_name(secs: i64) -> &'static str {
        let mut b = AckBuckets::default();
        b.add(secs);
        match b {
            AckBuckets { within_1h: 1, .. } => "within_1h",
            AckBuckets { within_4h: 1, .. } => "within_4h",
            AckBuckets { within_24h: 1, .. } => "within_24h",
            AckBuckets { within_48h: 1, .. } => "within_48h",
            AckBuckets { within_72h: 1, .. } => "within_72h",
            _ => "later",
        }
    }
}

/// Answer to `GET /v1/stats` (office): counts only, no identifiers of children.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Stats {
    pub sent_per_day: Vec<DayCount>,
    pub acknowledged: AckBuckets,
    pub expired: u64,
    pub not_our_pupil: u64,
}

/// Months an office's counts are kept (its per-day sent counts at the relay, its tally at the
/// office) unless the office sets otherwise: two school years.
pub const DEFAULT_STATS_KEEP_MONTHS: u32 = 24;
/// The longest an office can keep its counts: ten years.
pub const MAX_STATS_KEEP_MONTHS: u32 = 120;

/// Body of `POST /v1/stats/retention` (office) and its answer: how many calendar months, the
/// current one included, the relay keeps this office's per-day counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatsRetention {
    pub keep_months: u32,
}

impl StatsRetention {
    /// Whether `keep_months` is within 1 to [`MAX_STATS_KEEP_MONTHS`].
    pub fn is_valid(&self) -> bool {
        (1..=MAX_STATS_KEEP_MONTHS).contains(&self.keep_months)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_retention_is_one_month_to_ten_years() {
        assert!(!StatsRetention { keep_months: 0 }.is_valid());
        assert!(StatsRetention { keep_months: 1 }.is_valid());
        assert!(StatsRetention { keep_months: MAX_STATS_KEEP_MONTHS }.is_valid());
        assert!(!StatsRetention { keep_months: MAX_STATS_KEEP_MONTHS + 1 }.is_valid());
        assert!(serde_json::from_str::<StatsRetention>(r#"{"keep_months":-1}"#).is_err());
        assert!(serde_json::from_str::<StatsRetention>(r#"{"keep_months":3,"x":1}"#).is_err());
    }

    #[test]
    fn buckets_are_inclusive_upper_bounds() {
        assert_eq!(AckBuckets::bucket_name(0), "within_1h");
        assert_eq!(AckBuckets::bucket_name(3600), "within_1h");
        assert_eq!(AckBuckets::bucket_name(3601), "within_4h");
        assert_eq!(AckBuckets::bucket_name(25 * 3600), "within_48h");
        assert_eq!(AckBuckets::bucket_name(100 * 3600), "later");
    }

    #[test]
    fn an_enrollment_carries_the_reset_key_only_when_given() {
        let keys = DevicePublicKeys { sign_key: [1; 32], seal_key: [2; 32] };
        let code = crate::enrollment::EnrollmentCode::generate().unwrap();
        let plain = serde_json::to_string(&EnrollDevice::new(&code, keys)).unwrap();
        assert!(!plain.contains("pin_reset_key"), "{plain}");
        assert_eq!(serde_json::from_str::<EnrollDevice>(&plain).unwrap().pin_reset_key, None);
        let bound = serde_json::to_string(&EnrollDevice::with_pin_reset_key(&code, keys, [3; 32])).unwrap();
        assert_eq!(serde_json::from_str::<EnrollDevice>(&bound).unwrap().pin_reset_key, Some([3; 32]));
        let broken = bound.replace("AwMD", "!!!!");
        assert!(serde_json::from_str::<EnrollDevice>(&broken).is_err());
        let null = plain.replace('}', r#","pin_reset_key":null}"#);
        assert!(serde_json::from_str::<EnrollDevice>(&null).is_err(), "absent, not null");
    }

    #[test]
    fn bodies_refuse_unknown_fields() {
        let json = r#"{"cursor":1,"envelopes":[],"handled":[],"name":"x"}"#;
        assert!(serde_json::from_str::<Inbox>(json).is_err());
        let item =
            r#"{"kind":"expired","signal_id":"00000000000000000000000000000000","school":"12AB","expired_at":5}"#;
        assert!(serde_json::from_str::<OfficeItem>(item).is_ok());
    }

    #[test]
    fn office_items_keep_their_wire_form_and_read_school_days() {
        let school: Brin = "12AB".parse().unwrap();
        let receipt = OfficeItem::Receipt { school, receipt: Blob(b"HWR1".to_vec()) };
        assert_eq!(
            serde_json::to_string(&receipt).unwrap(),
            r#"{"kind":"receipt","school":"12AB","receipt":"SFdSMQ=="}"#
        );
        let expired = OfficeItem::Expired { signal_id: SignalId::from_bytes([0; 16]), school, expired_at: 5 };
        assert_eq!(
            serde_json::to_string(&expired).unwrap(),
            r#"{"kind":"expired","signal_id":"00000000000000000000000000000000","school":"12AB","expired_at":5}"#
        );
        let json = r#"{"kind":"school_days","school":"12AB","notice":"SFdLMQ=="}"#;
        let item: OfficeItem = serde_json::from_str(json).unwrap();
        assert_eq!(item, OfficeItem::SchoolDays { school, notice: Blob(b"HWK1".to_vec()) });
        assert_eq!(serde_json::to_string(&item).unwrap(), json);
        for bad in [
            r#"{"kind":"school_days","school":"12AB","notice":"SFdLMQ==","extra":1}"#,
            r#"{"kind":"school_days","school":"12AB"}"#,
            r#"{"kind":"school_days","school":"12AB","receipt":"SFdLMQ=="}"#,
            r#"{"kind":"schooldays","school":"12AB","notice":"SFdLMQ=="}"#,
        ] {
            assert!(serde_json::from_str::<OfficeItem>(bad).is_err(), "{bad}");
        }
    }
}
