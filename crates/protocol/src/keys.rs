//! The keys of the system and their public halves.
//!
//! - The leerplicht office holds one Ed25519 key: it signs envelopes and its requests.
//! - Each school device holds two keys with separate duties: an Ed25519 key that signs its
//!   requests and receipts ([`DeviceSigningKey`]) and an X25519 key that opens signals sealed to
//!   it ([`DeviceOpenKey`]). The app may protect them differently.
//!
//! Secret keys wipe their memory on drop and have no `Debug` that shows content.

use crate::encoding::{b64, unb64_array};
use crate::ids::DeviceId;
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use hpke::{Deserializable, Kem as _, Serializable};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest, Sha256};
use std::fmt;
use std::str::FromStr;
use zeroize::Zeroizing;

pub(crate) type SealKem = hpke::kem::X25519HkdfSha256;

/// Why a key could not be made or read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("de willekeurige bron van het systeem werkt niet")]
    NoRandomness,
    #[error("de sleutel is onleesbaar of heeft niet de juiste lengte")]
    Malformed,
}

pub(crate) fn random_32() -> Result<Zeroizing<[u8; 32]>, KeyError> {
    let mut bytes = Zeroizing::new([0u8; 32]);
    getrandom::fill(&mut *bytes).map_err(|_| KeyError::NoRandomness)?;
    Ok(bytes)
}

/// Checks an Ed25519 signature strictly (no malleable or small-order forms).
pub(crate) fn verify_ed25519(public: &[u8; 32], message: &[u8], signature: &[u8; 64]) -> bool {
    match VerifyingKey::from_bytes(public) {
        Ok(key) => key.verify_strict(message, &Signature::from_bytes(signature)).is_ok(),
        Err(_) => false,
    }
}

macro_rules! ed25519_secret {
    ($name:ident, $doc:literal) => {
        #[doc = $doc]
        pub struct $name(SigningKey);

        impl $name {
            pub fn generate() -> Result<Self, KeyError> {
                Ok(Self(SigningKey::from_bytes(&*random_32()?)))
            }
            pub fn from_secret_bytes(bytes: &[u8; 32]) -> Self {
                Self(SigningKey::from_bytes(bytes))
            }
            /// The secret, for storing it in a vault. Wiped when the returned value drops.
            pub fn secret_bytes(&self) -> Zeroizing<[u8; 32]> {
                Zeroizing::new(self.0.to_bytes())
            }
            pub fn public_bytes(&self) -> [u8; 32] {
                self.0.verifying_key().to_bytes()
            }
            pub(crate) fn sign(&self, message: &[u8]) -> [u8; 64] {
                self.0.sign(message).to_bytes()
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!(stringify!($name), "(..)"))
            }
        }
    };
}

ed25519_secret!(OfficeSigningKey, "The leerplicht office's signing key.");
ed25519_secret!(DeviceSigningKey, "A device's key for signing requests and receipts.");

impl OfficeSigningKey {
    pub fn public(&self) -> OfficePublicKey {
        OfficePublicKey(self.public_bytes())
    }
}

/// The office's public key: what relays and devices trust envelopes by.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct OfficePublicKey([u8; 32]);

impl OfficePublicKey {
    pub fn from_bytes(bytes: [u8; 32]) -> Result<Self, KeyError> {
        VerifyingKey::from_bytes(&bytes).map_err(|_| KeyError::Malformed)?;
        Ok(Self(bytes))
    }
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
    pub(crate) fn verify(&self, message: &[u8], signature: &[u8; 64]) -> bool {
        verify_ed25519(&self.0, message, signature)
    }

    /// A fingerprint to pin this key in a school's machine-wide configuration: lowercase hex of
    /// SHA-256 over a label and the key.
    pub fn fingerprint(&self) -> String {
        hex::encode(Sha256::new().chain_update(b"hwc-office-fingerprint-v1").chain_update(self.0).finalize())
    }
}

impl fmt::Display for OfficePublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&b64(&self.0))
    }
}

impl fmt::Debug for OfficePublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "OfficePublicKey({self})")
    }
}

impl FromStr for OfficePublicKey {
    type Err = KeyError;
    fn from_str(text: &str) -> Result<Self, KeyError> {
        Self::from_bytes(unb64_array(text.trim()).ok_or(KeyError::Malformed)?)
    }
}

impl Serialize for OfficePublicKey {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for OfficePublicKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        <&str>::deserialize(d)?.parse().map_err(serde::de::Error::custom)
    }
}

/// A device's key for opening signals sealed to it (HPKE X25519).
pub struct DeviceOpenKey(<SealKem as hpke::Kem>::PrivateKey);

impl DeviceOpenKey {
    pub fn generate() -> Result<Self, KeyError> {
        let ikm = random_32()?;
        Ok(Self(SealKem::derive_keypair(&*ikm).0))
    }
    pub fn from_secret_bytes(bytes: &[u8; 32]) -> Result<Self, KeyError> {
        <SealKem as hpke::Kem>::PrivateKey::from_bytes(bytes).map(Self).map_err(|_| KeyError::Malformed)
    }
    pub fn secret_bytes(&self) -> Zeroizing<[u8; 32]> {
        let mut out = Zeroizing::new([0u8; 32]);
        out.copy_from_slice(&self.0.to_bytes());
        out
    }
    pub fn public_bytes(&self) -> [u8; 32] {
        let mut out = [0u8; 32];
        out.copy_from_slice(&SealKem::sk_to_pk(&self.0).to_bytes());
        out
    }
    pub(crate) fn hpke_key(&self) -> &<SealKem as hpke::Kem>::PrivateKey {
        &self.0
    }
}

impl fmt::Debug for DeviceOpenKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DeviceOpenKey(..)")
    }
}

/// The public halves of one device's keys, as sent at enrollment and checked by safety code.
#[derive(Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DevicePublicKeys {
    /// Ed25519: verifies the device's requests and receipts.
    #[serde(with = "crate::encoding::b64_32")]
    pub sign_key: [u8; 32],
    /// X25519: signals are sealed to it.
    #[serde(with = "crate::encoding::b64_32")]
    pub seal_key: [u8; 32],
}

impl DevicePublicKeys {
    pub fn of(sign: &DeviceSigningKey, open: &DeviceOpenKey) -> Self {
        Self { sign_key: sign.public_bytes(), seal_key: open.public_bytes() }
    }

    /// Refuses keys that are not valid curve points.
    pub fn validate(&self) -> Result<(), KeyError> {
        VerifyingKey::from_bytes(&self.sign_key).map_err(|_| KeyError::Malformed)?;
        <SealKem as hpke::Kem>::PublicKey::from_bytes(&self.seal_key).map_err(|_| KeyError::Malformed)?;
        Ok(())
    }

    /// The device id: the first 16 bytes of SHA-256 over a label and both public keys.
    pub fn device_id(&self) -> DeviceId {
        let digest = Sha256::new()
            .chain_update(b"hwc-device-id-v1")
            .chain_update(self.sign_key)
            .chain_update(self.seal_key)
            .finalize();
        let mut id = [0u8; 16];
        id.copy_from_slice(&digest[..16]);
        DeviceId::from_bytes(id)
    }

    pub(crate) fn verify(&self, message: &[u8], signature: &[u8; 64]) -> bool {
        verify_ed25519(&self.sign_key, message, signature)
    }
}

impl fmt::Debug for DevicePublicKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DevicePublicKeys({})", self.device_id())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_keys_round_trip_and_hide_content() {
        let office = OfficeSigningKey::generate().unwrap();
        let again = OfficeSigningKey::from_secret_bytes(&office.secret_bytes());
        assert_eq!(again.public(), office.public());
        assert_eq!(format!("{office:?}"), "OfficeSigningKey(..)");
        let open = DeviceOpenKey::generate().unwrap();
        let again = DeviceOpenKey::from_secret_bytes(&open.secret_bytes()).unwrap();
        assert_eq!(again.public_bytes(), open.public_bytes());
        assert_eq!(format!("{open:?}"), "DeviceOpenKey(..)");
    }

    #[test]
    fn device_id_depends_on_both_keys() {
        let sign = DeviceSigningKey::generate().unwrap();
        let open = DeviceOpenKey::generate().unwrap();
        let keys = DevicePublicKeys::of(&sign, &open);
        keys.validate().unwrap();
        let other = DevicePublicKeys::of(&sign, &DeviceOpenKey::generate().unwrap());
        assert_ne!(keys.device_id(), other.device_id());
    }

    #[test]
    fn office_key_text_form_round_trips_and_refuses_garbage() {
        let public = OfficeSigningKey::generate().unwrap().public();
        assert_eq!(public.to_string().parse::<OfficePublicKey>().unwrap(), public);
        assert_eq!("abc".parse::<OfficePublicKey>(), Err(KeyError::Malformed));
        let other = OfficeSigningKey::generate().unwrap().public();
        assert_eq!(public.fingerprint().len(), 64);
        assert_ne!(public.fingerprint(), other.fingerprint());
    }
}
