//! The envelope: routing fields in the clear (signal id, school, creation and expiry time) and
//! the signal sealed separately to each device of the school with HPKE (RFC 9180, base mode,
//! DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, ChaCha20-Poly1305). The routing fields and the
//! device id are bound to each sealed copy as associated data, so a copy cannot be moved to
//! another envelope, school or device. The whole envelope is a signed frame (see
//! [`crate::signed_frame`]) signed by the office.

use crate::brin::Brin;
use crate::expiry::amsterdam_date;
use crate::ids::{DeviceId, SignalId};
use crate::keys::{random_32, DeviceOpenKey, DevicePublicKeys, KeyError, OfficePublicKey, OfficeSigningKey, SealKem};
use crate::signal::{Signal, SignalError, PLAINTEXT_BYTES};
use crate::signed_frame::{open_frame, seal_frame, FrameError, FrameKind};
use crate::{MAX_COPIES, MAX_ENVELOPE_BYTES};
use chrono::{DateTime, Utc};
use hpke::aead::ChaCha20Poly1305;
use hpke::kdf::HkdfSha256;
use hpke::{Deserializable, OpModeR, OpModeS, Serializable};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::convert::Infallible;

/// HPKE `info` for every sealed copy.
pub const HPKE_INFO: &[u8] = b"hwc signal v1";
/// Longest an envelope may live, from creation to expiry.
pub const MAX_LIFETIME_SECS: i64 = 7 * 24 * 3600;
/// How far in the future a creation time may lie (clock skew).
pub const MAX_CLOCK_SKEW_SECS: i64 = 300;
/// How far in the future the relay accepts a creation time (rule E8): an envelope for a school
/// that is closed for longer than [`MAX_LIFETIME_SECS`] is created for the end of the holiday,
/// and the relay holds it unseen until its `created_at`. Eight weeks covers the longest
/// zomervakantie with study days around it.
pub const MAX_HOLD_SECS: i64 = 56 * 24 * 3600;
const SEALED_BYTES: usize = PLAINTEXT_BYTES + 16;

/// One device's sealed copy of the signal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SealedCopy {
    pub device_id: DeviceId,
    /// The HPKE encapsulated key.
    #[serde(with = "crate::encoding::b64_32")]
    pub enc: [u8; 32],
    /// The HPKE ciphertext with its tag.
    #[serde(with = "crate::encoding::b64_vec")]
    pub ct: Vec<u8>,
}

/// The JSON body of an envelope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Envelope {
    pub signal_id: SignalId,
    pub school: Brin,
    /// Unix seconds, UTC.
    pub created_at: i64,
    /// Unix seconds, UTC.
    pub expires_at: i64,
    pub copies: Vec<SealedCopy>,
}

/// An envelope whose signature, shape and times were checked, with the exact bytes received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedEnvelope {
    pub envelope: Envelope,
    pub bytes: Vec<u8>,
}

/// Why an envelope could not be made or was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnvelopeError {
    #[error(transparent)]
    Frame(#[from] FrameError),
    #[error("de inhoud van het envelop heeft niet de juiste vorm")]
    Malformed,
    #[error("het envelop is voor geen enkel apparaat of voor te veel apparaten bestemd (1 tot {MAX_COPIES})")]
    CopyCount,
    #[error("het envelop bevat twee kopieën voor hetzelfde apparaat")]
    DuplicateDevice,
    #[error("de vervaltijd van het envelop ligt niet tussen het aanmaken en 7 dagen later")]
    BadLifetime,
    #[error("het envelop is verlopen")]
    Expired,
    #[error("het envelop is aangemaakt in de toekomst; controleer de klok")]
    FromTheFuture,
    #[error("versleutelen is mislukt: {0}")]
    Seal(&'static str),
    #[error(transparent)]
    Key(#[from] KeyError),
}

/// Why a verified envelope could not be opened by a device.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OpenError {
    #[error("dit signaal is niet voor dit apparaat versleuteld")]
    NotForThisDevice,
    #[error("het signaal kan niet worden ontsleuteld: het is veranderd of voor een andere sleutel bestemd")]
    Decrypt,
    #[error("het ontsleutelde signaal is ongeldig: {0}")]
    Invalid(#[from] SignalError),
}

/// The associated data bound to one sealed copy.
fn associated_data(env: &Envelope, device: &DeviceId) -> Vec<u8> {
    let mut aad = Vec::with_capacity(64);
    aad.extend_from_slice(b"hwc-envelope-v1");
    aad.extend_from_slice(env.signal_id.as_bytes());
    aad.extend_from_slice(env.school.as_bytes());
    aad.extend_from_slice(&env.created_at.to_be_bytes());
    aad.extend_from_slice(&env.expires_at.to_be_bytes());
    aad.extend_from_slice(device.as_bytes());
    aad
}

/// Hands HPKE exactly the 32 bytes of ephemeral randomness it needs for one copy.
struct OneShotRng<'a>(&'a [u8; 32], usize);

impl hpke::rand_core::TryRng for OneShotRng<'_> {
    type Error = Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        let mut b = [0u8; 4];
        self.try_fill_bytes(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        let mut b = [0u8; 8];
        self.try_fill_bytes(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        for byte in dst {
            // HPKE asks for exactly 32 bytes; should it ever ask for more, it gets a repeat of
            // fresh bytes rather than zeros. Tests pin the 32-byte use.
            *byte = self.0[self.1 % 32];
            self.1 += 1;
        }
        Ok(())
    }
}
impl hpke::rand_core::TryCryptoRng for OneShotRng<'_> {}

/// One fresh ephemeral secret per recipient.
fn fresh_randomness(count: usize) -> Result<Vec<[u8; 32]>, EnvelopeError> {
    let mut randomness = Vec::with_capacity(count);
    for _ in 0..count {
        randomness.push(*random_32()?);
    }
    Ok(randomness)
}

impl Envelope {
    /// Seals `signal` to every device in `recipients` and signs the envelope.
    pub fn seal(
        office: &OfficeSigningKey,
        signal_id: SignalId,
        school: Brin,
        created_at: DateTime<Utc>,
        expires_at: DateTime<Utc>,
        recipients: &[DevicePublicKeys],
        signal: &Signal,
    ) -> Result<VerifiedEnvelope, EnvelopeError> {
        let randomness = fresh_randomness(recipients.len())?;
        Self::seal_with_randomness(office, signal_id, school, created_at, expires_at, recipients, signal, &randomness)
    }

    /// Like [`Envelope::seal`] with the ephemeral randomness given, one 32-byte value per
    /// recipient. Only for published test vectors: real envelopes use [`Envelope::seal`].
    #[doc(hidden)]
    #[allow(clippy::too_many_arguments)]
    pub fn seal_with_randomness(
        office: &OfficeSigningKey,
        signal_id: SignalId,
        school: Brin,
        created_at: DateTime<Utc>,
        expires_at: DateTime<Utc>,
        recipients: &[DevicePublicKeys],
        signal: &Signal,
        randomness: &[[u8; 32]],
    ) -> Result<VerifiedEnvelope, EnvelopeError> {
        if recipients.is_empty() || recipients.len() > MAX_COPIES || randomness.len() != recipients.len() {
            return Err(EnvelopeError::CopyCount);
        }
        let plaintext = signal.to_plaintext();
        Self::header(signal_id, school, created_at, expires_at)?.seal_copies(office, recipients, &plaintext, randomness)
    }

    /// Seals bytes that were never validated as a signal: a name with a bidi override, markup,
    /// a birthdate in the future. Only for the adversarial tests, which prove that a device
    /// refuses such a plaintext after opening it; behind the `adversarial` feature, which no
    /// shipped binary enables.
    #[cfg(feature = "adversarial")]
    #[doc(hidden)]
    pub fn seal_unchecked_plaintext(
        office: &OfficeSigningKey,
        signal_id: SignalId,
        school: Brin,
        created_at: DateTime<Utc>,
        expires_at: DateTime<Utc>,
        recipients: &[DevicePublicKeys],
        plaintext: &[u8],
    ) -> Result<VerifiedEnvelope, EnvelopeError> {
        let randomness = fresh_randomness(recipients.len())?;
        Self::header(signal_id, school, created_at, expires_at)?.seal_copies(office, recipients, plaintext, &randomness)
    }

    /// The envelope without copies yet, its lifetime checked.
    fn header(
        signal_id: SignalId,
        school: Brin,
        created_at: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<Envelope, EnvelopeError> {
        let envelope = Envelope {
            signal_id,
            school,
            created_at: created_at.timestamp(),
            expires_at: expires_at.timestamp(),
            copies: Vec::new(),
        };
        envelope.check_shape_times()?;
        Ok(envelope)
    }

    /// Seals `plaintext` once per recipient into this (copy-less) envelope and signs it.
    fn seal_copies(
        self,
        office: &OfficeSigningKey,
        recipients: &[DevicePublicKeys],
        plaintext: &[u8],
        randomness: &[[u8; 32]],
    ) -> Result<VerifiedEnvelope, EnvelopeError> {
        if recipients.is_empty() || recipients.len() > MAX_COPIES || randomness.len() != recipients.len() {
            return Err(EnvelopeError::CopyCount);
        }
        let mut envelope = self;
        envelope.copies = Vec::with_capacity(recipients.len());
        for (device, random) in recipients.iter().zip(randomness) {
            device.validate()?;
            let device_id = device.device_id();
            let public =
                <SealKem as hpke::Kem>::PublicKey::from_bytes(&device.seal_key).map_err(|_| KeyError::Malformed)?;
            let aad = associated_data(&envelope, &device_id);
            let (enc, ct) = hpke::single_shot_seal_with_rng::<ChaCha20Poly1305, HkdfSha256, SealKem>(
                &OpModeS::Base,
                &public,
                HPKE_INFO,
                plaintext,
                &aad,
                &mut OneShotRng(random, 0),
            )
            .map_err(|_| EnvelopeError::Seal("HPKE"))?;
            let mut enc_bytes = [0u8; 32];
            enc_bytes.copy_from_slice(&enc.to_bytes());
            envelope.copies.push(SealedCopy { device_id, enc: enc_bytes, ct });
        }
        envelope.check_copies()?;
        let body = serde_json::to_vec(&envelope).map_err(|_| EnvelopeError::Malformed)?;
        let bytes = seal_frame(FrameKind::Envelope, &body, |m| office.sign(m));
        if bytes.len() > MAX_ENVELOPE_BYTES {
            return Err(EnvelopeError::Frame(FrameError::TooLarge));
        }
        Ok(VerifiedEnvelope { envelope, bytes })
    }

    /// Signs this body as it stands, without sealing or checking anything. Only for building
    /// adversarial test inputs (a copy moved under a new id, say); real envelopes come from
    /// [`Envelope::seal`].
    #[doc(hidden)]
    pub fn sign_as_is(&self, office: &OfficeSigningKey) -> Vec<u8> {
        let body = serde_json::to_vec(self).unwrap_or_default();
        seal_frame(FrameKind::Envelope, &body, |m| office.sign(m))
    }

    /// Checks the office's signature over the exact bytes, then the body's shape and times.
    /// The body must be exactly the JSON this crate writes for it (see [`crate::exact_json`]).
    pub fn verify(
        bytes: &[u8],
        office: &OfficePublicKey,
        now: DateTime<Utc>,
    ) -> Result<VerifiedEnvelope, EnvelopeError> {
        Self::verify_ahead(bytes, office, now, MAX_CLOCK_SKEW_SECS)
    }

    /// [`Envelope::verify`] for the relay, which may be handed an envelope to hold: its
    /// `created_at` may lie up to [`MAX_HOLD_SECS`] ahead (rule E8). The relay serves it to no
    /// device before then.
    pub fn verify_to_hold(
        bytes: &[u8],
        office: &OfficePublicKey,
        now: DateTime<Utc>,
    ) -> Result<VerifiedEnvelope, EnvelopeError> {
        Self::verify_ahead(bytes, office, now, MAX_HOLD_SECS)
    }

    fn verify_ahead(
        bytes: &[u8],
        office: &OfficePublicKey,
        now: DateTime<Utc>,
        ahead: i64,
    ) -> Result<VerifiedEnvelope, EnvelopeError> {
        let body = open_frame(FrameKind::Envelope, bytes, MAX_ENVELOPE_BYTES, |m, s| office.verify(m, s))?;
        let envelope: Envelope = crate::exact_json::parse(body).ok_or(EnvelopeError::Malformed)?;
        envelope.check_shape_times()?;
        envelope.check_copies()?;
        let now = now.timestamp();
        if envelope.created_at > now.saturating_add(ahead) {
            return Err(EnvelopeError::FromTheFuture);
        }
        if envelope.expires_at <= now {
            return Err(EnvelopeError::Expired);
        }
        Ok(VerifiedEnvelope { envelope, bytes: bytes.to_vec() })
    }

    fn check_shape_times(&self) -> Result<(), EnvelopeError> {
        let lifetime = self.expires_at.checked_sub(self.created_at).unwrap_or(-1);
        if lifetime <= 0 || lifetime > MAX_LIFETIME_SECS {
            return Err(EnvelopeError::BadLifetime);
        }
        Ok(())
    }

    fn check_copies(&self) -> Result<(), EnvelopeError> {
        if self.copies.is_empty() || self.copies.len() > MAX_COPIES {
            return Err(EnvelopeError::CopyCount);
        }
        let mut seen = HashSet::new();
        for copy in &self.copies {
            if !seen.insert(copy.device_id) {
                return Err(EnvelopeError::DuplicateDevice);
            }
            if copy.ct.len() != SEALED_BYTES {
                return Err(EnvelopeError::Malformed);
            }
        }
        Ok(())
    }

    /// Whether this envelope carries a copy for `device`.
    pub fn is_for(&self, device: &DeviceId) -> bool {
        self.copies.iter().any(|c| &c.device_id == device)
    }

    pub fn created(&self) -> DateTime<Utc> {
        DateTime::from_timestamp(self.created_at, 0).unwrap_or_default()
    }

    pub fn expires(&self) -> DateTime<Utc> {
        DateTime::from_timestamp(self.expires_at, 0).unwrap_or_default()
    }
}

impl VerifiedEnvelope {
    /// Opens this device's copy. The signal is validated again, with the creation day as the
    /// sending day; it lives in memory only.
    pub fn open(&self, device: &DeviceId, key: &DeviceOpenKey) -> Result<Signal, OpenError> {
        let env = &self.envelope;
        let copy = env.copies.iter().find(|c| &c.device_id == device).ok_or(OpenError::NotForThisDevice)?;
        let enc = <SealKem as hpke::Kem>::EncappedKey::from_bytes(&copy.enc).map_err(|_| OpenError::Decrypt)?;
        let aad = associated_data(env, device);
        let plaintext = hpke::single_shot_open::<ChaCha20Poly1305, HkdfSha256, SealKem>(
            &OpModeR::Base,
            key.hpke_key(),
            &enc,
            HPKE_INFO,
            &copy.ct,
            &aad,
        )
        .map_err(|_| OpenError::Decrypt)?;
        let plaintext = zeroize::Zeroizing::new(plaintext);
        Ok(Signal::from_plaintext(&plaintext, amsterdam_date(env.created()))?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::DeviceSigningKey;
    use chrono::TimeZone;

    struct Device {
        open: DeviceOpenKey,
        public: DevicePublicKeys,
    }

    fn device() -> Device {
        let open = DeviceOpenKey::generate().unwrap();
        let public = DevicePublicKeys::of(&DeviceSigningKey::generate().unwrap(), &open);
        Device { open, public }
    }

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 23, 7, 0, 0).unwrap()
    }

    fn sealed(office: &OfficeSigningKey, devices: &[&Device]) -> VerifiedEnvelope {
        let signal = Signal::from_input("Sem de Vries", "2016-03-07", now().date_naive()).unwrap();
        let keys: Vec<_> = devices.iter().map(|d| d.public).collect();
        Envelope::seal(
            office,
            SignalId::random().unwrap(),
            "12AB".parse().unwrap(),
            now(),
            now() + chrono::Duration::hours(30),
            &keys,
            &signal,
        )
        .unwrap()
    }

    #[test]
    fn each_device_opens_its_own_copy() {
        let office = OfficeSigningKey::generate().unwrap();
        let (director, backup, stranger) = (device(), device(), device());
        let env = sealed(&office, &[&director, &backup]);
        let verified = Envelope::verify(&env.bytes, &office.public(), now()).unwrap();
        for d in [&director, &backup] {
            let signal = verified.open(&d.public.device_id(), &d.open).unwrap();
            assert_eq!(signal.name().expose(), "Sem de Vries");
            assert_eq!(signal.birthdate().to_iso(), "2016-03-07");
        }
        assert_eq!(
            verified.open(&stranger.public.device_id(), &stranger.open).err(),
            Some(OpenError::NotForThisDevice)
        );
        assert_eq!(verified.open(&director.public.device_id(), &backup.open).err(), Some(OpenError::Decrypt));
    }

    #[test]
    fn envelope_holds_no_plaintext() {
        let office = OfficeSigningKey::generate().unwrap();
        let env = sealed(&office, &[&device()]);
        let text = String::from_utf8_lossy(&env.bytes);
        // Whole forms only: a fragment such as "Sem" turns up in random base64 now and then
        // (about once in 300 runs), while spaces and hyphens never occur in base64.
        for needle in ["Sem de Vries", "2016-03-07", "07-03-2016"] {
            assert!(!text.contains(needle), "{needle} in {text}");
        }
    }

    #[test]
    fn refuses_wrong_signer_expired_and_future() {
        let office = OfficeSigningKey::generate().unwrap();
        let env = sealed(&office, &[&device()]);
        let other = OfficeSigningKey::generate().unwrap().public();
        assert_eq!(
            Envelope::verify(&env.bytes, &other, now()).err(),
            Some(EnvelopeError::Frame(FrameError::BadSignature))
        );
        let later = now() + chrono::Duration::hours(31);
        assert_eq!(Envelope::verify(&env.bytes, &office.public(), later).err(), Some(EnvelopeError::Expired));
        let earlier = now() - chrono::Duration::hours(1);
        assert_eq!(Envelope::verify(&env.bytes, &office.public(), earlier).err(), Some(EnvelopeError::FromTheFuture));
        // The relay may hold it: created up to eight weeks ahead, not a second more.
        assert!(Envelope::verify_to_hold(&env.bytes, &office.public(), earlier).is_ok());
        let created = env.envelope.created_at;
        let at = |t: i64| DateTime::from_timestamp(t, 0).unwrap();
        assert!(Envelope::verify_to_hold(&env.bytes, &office.public(), at(created - MAX_HOLD_SECS)).is_ok());
        assert_eq!(
            Envelope::verify_to_hold(&env.bytes, &office.public(), at(created - MAX_HOLD_SECS - 1)).err(),
            Some(EnvelopeError::FromTheFuture)
        );
    }

    #[test]
    fn a_copy_moved_to_another_envelope_does_not_open() {
        let office = OfficeSigningKey::generate().unwrap();
        let d = device();
        let first = sealed(&office, &[&d]);
        let mut second = sealed(&office, &[&d]).envelope;
        second.copies = first.envelope.copies.clone();
        let bytes = second.sign_as_is(&office);
        let replayed = Envelope::verify(&bytes, &office.public(), now()).unwrap();
        assert_eq!(replayed.open(&d.public.device_id(), &d.open).err(), Some(OpenError::Decrypt));
    }

    #[test]
    fn refuses_unknown_fields_and_duplicate_devices() {
        let office = OfficeSigningKey::generate().unwrap();
        let d = device();
        let env = sealed(&office, &[&d]);
        let mut value: serde_json::Value = serde_json::to_value(&env.envelope).unwrap();
        value["note"] = "x".into();
        let bytes = seal_frame(FrameKind::Envelope, &serde_json::to_vec(&value).unwrap(), |m| office.sign(m));
        assert_eq!(Envelope::verify(&bytes, &office.public(), now()).err(), Some(EnvelopeError::Malformed));
        let mut doubled = env.envelope.clone();
        doubled.copies.push(doubled.copies[0].clone());
        let bytes = seal_frame(FrameKind::Envelope, &serde_json::to_vec(&doubled).unwrap(), |m| office.sign(m));
        assert_eq!(Envelope::verify(&bytes, &office.public(), now()).err(), Some(EnvelopeError::DuplicateDevice));
    }

    #[test]
    fn refuses_a_body_that_is_not_the_exact_json() {
        let office = OfficeSigningKey::generate().unwrap();
        let env = sealed(&office, &[&device()]);
        let body = serde_json::to_string(&env.envelope).unwrap();
        let sorted = serde_json::to_string(&serde_json::to_value(&env.envelope).unwrap()).unwrap();
        assert_ne!(sorted, body, "a Value sorts its keys");
        let variants = [
            serde_json::to_string_pretty(&env.envelope).unwrap(),
            format!("{body} "),
            format!(" {body}"),
            format!("{body}\n"),
            sorted,
            body.replacen("\"school\"", "\"sch\\u006fol\"", 1),
            body.replacen(
                &format!("\"created_at\":{}", env.envelope.created_at),
                &format!("\"created_at\":{}.0", env.envelope.created_at),
                1,
            ),
        ];
        for (i, text) in variants.iter().enumerate() {
            let bytes = seal_frame(FrameKind::Envelope, text.as_bytes(), |m| office.sign(m));
            assert_eq!(
                Envelope::verify(&bytes, &office.public(), now()).err(),
                Some(EnvelopeError::Malformed),
                "variant {i}"
            );
        }
        let exact = seal_frame(FrameKind::Envelope, body.as_bytes(), |m| office.sign(m));
        assert!(Envelope::verify(&exact, &office.public(), now()).is_ok());
    }

    #[test]
    fn time_edges_are_as_documented() {
        let office = OfficeSigningKey::generate().unwrap();
        let env = sealed(&office, &[&device()]);
        let (created, expires) = (env.envelope.created_at, env.envelope.expires_at);
        let at = |secs: i64| DateTime::from_timestamp(secs, 0).unwrap();
        assert!(Envelope::verify(&env.bytes, &office.public(), at(created - MAX_CLOCK_SKEW_SECS)).is_ok());
        assert_eq!(
            Envelope::verify(&env.bytes, &office.public(), at(created - MAX_CLOCK_SKEW_SECS - 1)).err(),
            Some(EnvelopeError::FromTheFuture)
        );
        assert!(Envelope::verify(&env.bytes, &office.public(), at(expires - 1)).is_ok());
        assert_eq!(Envelope::verify(&env.bytes, &office.public(), at(expires)).err(), Some(EnvelopeError::Expired));
    }
}
