//! The receipt key: 16 fresh random bytes the office draws for each signal and seals inside the
//! plaintext, next to the name. Only a device that opened the signal knows it, and every receipt
//! carries an HMAC-SHA256 under it (the receipt's `proof`), so a receipt the office accepts
//! proves that someone opened the signal: a process holding only the device's signing key (the
//! keyring secret, without the PIN) cannot make one.

use crate::encoding::{b64, unb64_array};
use crate::ids::{DeviceId, SignalId};
use crate::keys::KeyError;
use crate::receipt::ReceiptKind;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::fmt;
use zeroize::Zeroizing;

/// Length of a receipt key in bytes.
pub const RECEIPT_KEY_BYTES: usize = 16;

/// The first line of the text a receipt's proof is computed over.
pub const PROOF_DOMAIN: &str = "hwc-receipt-proof-v1";

/// One signal's receipt key. Wiped on drop; `Debug` shows nothing.
#[derive(Clone, PartialEq, Eq)]
pub struct ReceiptKey(Zeroizing<[u8; RECEIPT_KEY_BYTES]>);

impl ReceiptKey {
    /// A fresh key from the system's random source.
    pub fn random() -> Result<Self, KeyError> {
        let mut bytes = Zeroizing::new([0u8; RECEIPT_KEY_BYTES]);
        getrandom::fill(&mut *bytes).map_err(|_| KeyError::NoRandomness)?;
        Ok(Self(bytes))
    }

    pub fn from_bytes(bytes: [u8; RECEIPT_KEY_BYTES]) -> Self {
        Self(Zeroizing::new(bytes))
    }

    pub fn as_bytes(&self) -> &[u8; RECEIPT_KEY_BYTES] {
        &self.0
    }

    /// Standard padded base64, the form inside the plaintext (24 characters).
    pub fn to_b64(&self) -> Zeroizing<String> {
        Zeroizing::new(b64(&*self.0))
    }

    /// Reads the plaintext form: exactly 24 characters of standard padded base64 for 16 bytes.
    pub fn from_b64(text: &str) -> Option<Self> {
        unb64_array::<RECEIPT_KEY_BYTES>(text).map(Self::from_bytes)
    }

    /// The proof for one receipt: HMAC-SHA256 under this key over
    /// `hwc-receipt-proof-v1\n<signal_id>\n<device_id>\n<kind>\n<at>` (ids in lowercase hex,
    /// `at` in decimal Unix seconds, UTF-8, no newline at the end).
    pub fn prove(&self, signal_id: &SignalId, device_id: &DeviceId, kind: ReceiptKind, at: i64) -> [u8; 32] {
        self.mac(signal_id, device_id, kind, at).finalize().into_bytes().into()
    }

    /// Whether `proof` is this key's proof for those receipt fields (compared in constant time).
    pub fn confirms(
        &self,
        proof: &[u8; 32],
        signal_id: &SignalId,
        device_id: &DeviceId,
        kind: ReceiptKind,
        at: i64,
    ) -> bool {
        self.mac(signal_id, device_id, kind, at).verify_slice(proof).is_ok()
    }

    fn mac(&self, signal_id: &SignalId, device_id: &DeviceId, kind: ReceiptKind, at: i64) -> Hmac<Sha256> {
        // HMAC accepts a key of any length, so this cannot fail.
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&*self.0).unwrap_or_else(|_| unreachable!());
        mac.update(format!("{PROOF_DOMAIN}\n{signal_id}\n{device_id}\n{kind}\n{at}").as_bytes());
        mac
    }
}

impl fmt::Debug for ReceiptKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ReceiptKey(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_proof_binds_every_field_and_the_key() {
        let key = ReceiptKey::random().unwrap();
        let (signal, device) = (SignalId::random().unwrap(), DeviceId::from_bytes([7; 16]));
        let proof = key.prove(&signal, &device, ReceiptKind::HandedOver, 1000);
        assert!(key.confirms(&proof, &signal, &device, ReceiptKind::HandedOver, 1000));
        assert!(!key.confirms(&proof, &SignalId::random().unwrap(), &device, ReceiptKind::HandedOver, 1000));
        assert!(!key.confirms(&proof, &signal, &DeviceId::from_bytes([8; 16]), ReceiptKind::HandedOver, 1000));
        assert!(!key.confirms(&proof, &signal, &device, ReceiptKind::NotOurPupil, 1000));
        assert!(!key.confirms(&proof, &signal, &device, ReceiptKind::HandedOver, 1001));
        assert!(!ReceiptKey::random().unwrap().confirms(&proof, &signal, &device, ReceiptKind::HandedOver, 1000));
    }

    #[test]
    fn the_proof_is_hmac_sha256_over_the_documented_text() {
        let key = ReceiptKey::from_bytes([0x0b; 16]);
        let signal: SignalId = "000102030405060708090a0b0c0d0e0f".parse().unwrap();
        let device: DeviceId = "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff".parse().unwrap();
        let text = "hwc-receipt-proof-v1\n000102030405060708090a0b0c0d0e0f\nf0f1f2f3f4f5f6f7f8f9fafbfcfdfeff\nnot_our_pupil\n1795420920";
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&[0x0b; 16]).unwrap();
        mac.update(text.as_bytes());
        let expected: [u8; 32] = mac.finalize().into_bytes().into();
        assert_eq!(key.prove(&signal, &device, ReceiptKind::NotOurPupil, 1_795_420_920), expected);
    }

    #[test]
    fn the_text_form_is_strict_base64_of_sixteen_bytes() {
        let key = ReceiptKey::random().unwrap();
        let text = key.to_b64();
        assert_eq!(text.len(), 24);
        assert_eq!(ReceiptKey::from_b64(&text).as_ref(), Some(&key));
        for bad in
            ["", "AAAAAAAAAAAAAAAAAAAAAA", "AAAAAAAAAAAAAAAAAAAAAAA=", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="]
        {
            assert!(ReceiptKey::from_b64(bad).is_none(), "{bad}");
        }
        assert_eq!(format!("{key:?}"), "ReceiptKey(..)");
    }
}
