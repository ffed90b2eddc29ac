//! The receipt: a device's signed, content-free statement about one signal. It holds the
//! signal id, the device id, what happened and when, and a proof that the device opened the
//! signal (see [`crate::receipt_key`]); never a name, a birthdate or free text.

use crate::ids::{DeviceId, SignalId};
use crate::keys::{DevicePublicKeys, DeviceSigningKey};
use crate::receipt_key::ReceiptKey;
use crate::signed_frame::{open_frame, seal_frame, FrameError, FrameKind};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Largest receipt accepted, in bytes.
pub const MAX_RECEIPT_BYTES: usize = 1024;

/// What the school did with a signal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReceiptKind {
    /// Told to the teacher, verbally.
    HandedOver,
    /// The child is not at this school: a misdirected signal, which leerplicht handles as a breach.
    NotOurPupil,
}

impl ReceiptKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ReceiptKind::HandedOver => "handed_over",
            ReceiptKind::NotOurPupil => "not_our_pupil",
        }
    }

    /// How leerplicht reads it, in Dutch.
    pub fn dutch(self) -> &'static str {
        match self {
            ReceiptKind::HandedOver => "doorgegeven aan de leerkracht",
            ReceiptKind::NotOurPupil => "leerling zit niet op deze school (verkeerd verstuurd: datalek afhandelen)",
        }
    }
}

impl fmt::Display for ReceiptKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for ReceiptKind {
    type Err = ReceiptError;
    fn from_str(text: &str) -> Result<Self, ReceiptError> {
        match text {
            "handed_over" => Ok(Self::HandedOver),
            "not_our_pupil" => Ok(Self::NotOurPupil),
            _ => Err(ReceiptError::Malformed),
        }
    }
}

/// The JSON body of a receipt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Receipt {
    pub signal_id: SignalId,
    pub device_id: DeviceId,
    pub kind: ReceiptKind,
    /// Unix seconds, UTC.
    pub at: i64,
    /// HMAC-SHA256 under the signal's receipt key: proves the signal was opened.
    #[serde(with = "crate::encoding::b64_32")]
    pub proof: [u8; 32],
}

/// A receipt whose signature was checked, with its exact bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedReceipt {
    pub receipt: Receipt,
    pub bytes: Vec<u8>,
}

/// Why a receipt was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReceiptError {
    #[error(transparent)]
    Frame(#[from] FrameError),
    #[error("de ontvangstbevestiging heeft niet de juiste vorm")]
    Malformed,
    #[error("de ontvangstbevestiging komt van een ander apparaat dan het ondertekenende")]
    WrongDevice,
}

impl Receipt {
    /// Makes and signs a receipt, with its proof under `opened` (the receipt key from the opened
    /// signal). Signing happens at the moment of the action, so a queued receipt can be sent
    /// later without either key.
    pub fn sign(
        key: &DeviceSigningKey,
        device_id: DeviceId,
        signal_id: SignalId,
        kind: ReceiptKind,
        at: DateTime<Utc>,
        opened: &ReceiptKey,
    ) -> VerifiedReceipt {
        let at = at.timestamp();
        let proof = opened.prove(&signal_id, &device_id, kind, at);
        let receipt = Receipt { signal_id, device_id, kind, at, proof };
        // A struct of ids, an enum and a number always serialises.
        let body = serde_json::to_vec(&receipt).unwrap_or_default();
        let bytes = seal_frame(FrameKind::Receipt, &body, |m| key.sign(m));
        VerifiedReceipt { receipt, bytes }
    }

    /// Checks the signature with the device's key, then the body, and that the body names
    /// that same device. The body must be exactly the JSON this crate writes for it.
    pub fn verify(bytes: &[u8], device: &DevicePublicKeys) -> Result<VerifiedReceipt, ReceiptError> {
        let body = open_frame(FrameKind::Receipt, bytes, MAX_RECEIPT_BYTES, |m, s| device.verify(m, s))?;
        let receipt: Receipt = crate::exact_json::parse(body).ok_or(ReceiptError::Malformed)?;
        if receipt.device_id != device.device_id() {
            return Err(ReceiptError::WrongDevice);
        }
        Ok(VerifiedReceipt { receipt, bytes: bytes.to_vec() })
    }

    pub fn time(&self) -> DateTime<Utc> {
        DateTime::from_timestamp(self.at, 0).unwrap_or_default()
    }

    /// Whether the proof was made with `key`, the receipt key the office sealed into this
    /// signal: then the device that signed had opened it. Only the office (and a device that
    /// opened the signal) can check this; a relay cannot.
    pub fn proves_opening(&self, key: &ReceiptKey) -> bool {
        key.confirms(&self.proof, &self.signal_id, &self.device_id, self.kind, self.at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::DeviceOpenKey;

    fn opened() -> ReceiptKey {
        ReceiptKey::random().unwrap()
    }

    #[test]
    fn the_proof_holds_only_under_the_signals_receipt_key() {
        let key = DeviceSigningKey::generate().unwrap();
        let public = DevicePublicKeys::of(&key, &DeviceOpenKey::generate().unwrap());
        let sealed_in_the_signal = opened();
        let id = SignalId::random().unwrap();
        let signed =
            Receipt::sign(&key, public.device_id(), id, ReceiptKind::HandedOver, Utc::now(), &sealed_in_the_signal);
        let back = Receipt::verify(&signed.bytes, &public).unwrap();
        assert!(back.receipt.proves_opening(&sealed_in_the_signal));
        // Signed by the right device, but without having opened the signal: a guessed key.
        let guessed = Receipt::sign(&key, public.device_id(), id, ReceiptKind::HandedOver, Utc::now(), &opened());
        let back = Receipt::verify(&guessed.bytes, &public).unwrap();
        assert!(!back.receipt.proves_opening(&sealed_in_the_signal));
    }

    #[test]
    fn receipt_verifies_with_its_device_only() {
        let key = DeviceSigningKey::generate().unwrap();
        let public = DevicePublicKeys::of(&key, &DeviceOpenKey::generate().unwrap());
        let id = SignalId::random().unwrap();
        let signed = Receipt::sign(&key, public.device_id(), id, ReceiptKind::NotOurPupil, Utc::now(), &opened());
        let back = Receipt::verify(&signed.bytes, &public).unwrap();
        assert_eq!(back.receipt, signed.receipt);
        let other_key = DeviceSigningKey::generate().unwrap();
        let other = DevicePublicKeys::of(&other_key, &DeviceOpenKey::generate().unwrap());
        assert!(Receipt::verify(&signed.bytes, &other).is_err());
        let lying = Receipt::sign(&key, other.device_id(), id, ReceiptKind::HandedOver, Utc::now(), &opened());
        assert_eq!(Receipt::verify(&lying.bytes, &public).err(), Some(ReceiptError::WrongDevice));
        let text = String::from_utf8_lossy(&signed.bytes);
        assert!(text.contains("\"kind\":\"not_our_pupil\""), "{text}");
    }

    #[test]
    fn refuses_a_body_that_is_not_the_exact_json() {
        let key = DeviceSigningKey::generate().unwrap();
        let public = DevicePublicKeys::of(&key, &DeviceOpenKey::generate().unwrap());
        let signed = Receipt::sign(
            &key,
            public.device_id(),
            SignalId::random().unwrap(),
            ReceiptKind::HandedOver,
            Utc::now(),
            &opened(),
        );
        let body = serde_json::to_string(&signed.receipt).unwrap();
        let variants = [
            serde_json::to_string_pretty(&signed.receipt).unwrap(),
            format!("{body} "),
            serde_json::to_string(&serde_json::to_value(&signed.receipt).unwrap())
                .unwrap()
                .replacen("\"at\"", "\"at\" ", 1),
            body.replacen("\"kind\"", "\"k\\u0069nd\"", 1),
            body.replacen("\"handed_over\"", "\"handed\\u005fover\"", 1),
        ];
        for (i, text) in variants.iter().enumerate() {
            let bytes = seal_frame(FrameKind::Receipt, text.as_bytes(), |m| key.sign(m));
            assert_eq!(Receipt::verify(&bytes, &public).err(), Some(ReceiptError::Malformed), "variant {i}");
        }
        let mut reordered = serde_json::Map::new();
        let value = serde_json::to_value(&signed.receipt).unwrap();
        for field in ["device_id", "signal_id", "kind", "at", "proof"] {
            reordered.insert(field.into(), value[field].clone());
        }
        let text = serde_json::to_string(&reordered).unwrap();
        let bytes = seal_frame(FrameKind::Receipt, text.as_bytes(), |m| key.sign(m));
        assert_eq!(Receipt::verify(&bytes, &public).err(), Some(ReceiptError::Malformed), "{text}");
    }
}
