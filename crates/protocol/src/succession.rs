//! Office key rotation: the request with which an office hands its schools to a new key.
//!
//! The request (`POST /v1/office/successor`) is signed by the old key like any office request;
//! its body names the new key and carries the new key's signature over
//! `"hwc-office-successor-v1" ‖ old public key ‖ new public key`, so both keys agree: the old
//! one gives, the new one accepts. Devices keep the key they enrolled under; after a rotation
//! they enroll again with a code from the new key.

use crate::encoding::{b64, unb64_array};
use crate::keys::{verify_ed25519, OfficePublicKey, OfficeSigningKey};
use serde::{Deserialize, Serialize};

const CONTEXT: &[u8] = b"hwc-office-successor-v1";

/// `POST /v1/office/successor` (signed by the old office key).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OfficeSuccession {
    pub successor: OfficePublicKey,
    /// Base64 of the successor's 64-byte signature, see [`OfficeSuccession::sign`].
    pub proof: String,
}

fn message(old: &OfficePublicKey, new: &OfficePublicKey) -> Vec<u8> {
    [CONTEXT, old.as_bytes(), new.as_bytes()].concat()
}

impl OfficeSuccession {
    /// The body with which `old` hands over to `new`, made by the holder of the new key.
    pub fn sign(old: &OfficePublicKey, new: &OfficeSigningKey) -> Self {
        let proof = new.sign(&message(old, &new.public()));
        Self { successor: new.public(), proof: b64(&proof) }
    }

    /// Whether the successor accepted the hand-over from `old`.
    pub fn verify(&self, old: &OfficePublicKey) -> bool {
        match unb64_array::<64>(&self.proof) {
            Some(proof) => verify_ed25519(self.successor.as_bytes(), &message(old, &self.successor), &proof),
            None => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_proof_binds_both_keys_and_only_the_new_key_can_make_it() {
        let old = OfficeSigningKey::generate().unwrap();
        let new = OfficeSigningKey::generate().unwrap();
        let other = OfficeSigningKey::generate().unwrap();
        let succession = OfficeSuccession::sign(&old.public(), &new);
        assert!(succession.verify(&old.public()));
        assert!(!succession.verify(&other.public()), "made for another old key");
        let forged = OfficeSuccession { successor: other.public(), ..succession.clone() };
        assert!(!forged.verify(&old.public()), "another successor cannot reuse the proof");
        let garbled = OfficeSuccession { proof: "AAAA".into(), ..succession };
        assert!(!garbled.verify(&old.public()));
    }
}
