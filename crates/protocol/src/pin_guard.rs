//! The relay's PIN guard: the PIN is only testable with the relay's help, and the relay counts
//! every test (review finding 2; the decision and its costs are in `docs/design/pin-guard.md`).
//!
//! The relay keeps one secret OPRF key per device (RFC 9497, OPRF mode, ristretto255-SHA512, crate
//! `voprf`). To unlock, the device blinds `hwc-pin-v1:` and the PIN ([`PinBlinding::start`]),
//! the relay counts the try and evaluates the blinded element under the device's key
//! ([`PinGuardKey::evaluate`]), and the device unblinds and finalizes to 64 bytes that only
//! the PIN and that key make ([`PinBlinding::finish`]). The relay never sees the PIN or the
//! result; without the relay's key nobody can compute the result for a guess, so a copy of the
//! device's files cannot be searched offline.
//!
//! The device derives from that result (with the pepper in its keyring and the Argon2id-stretched
//! PIN) the key that seals its open key. The device also has an Ed25519 *reset key*, derived
//! from the open key itself, so only a device that opened its open key (a right PIN) has it,
//! and it does not depend on the PIN, so the relay cannot test PINs against its public half.
//! After a right PIN the device signs [`reset_text`] with it and the relay clears the count. The
//! device registers the key with its enrollment (a device enrolled before the guard: with its
//! first reset); after that the relay accepts only that key.

use crate::encoding::b64;
use crate::ids::DeviceId;
use crate::keys::verify_ed25519;
use ed25519_dalek::{Signer as _, SigningKey};
use rand_core_06::{CryptoRng, RngCore};
use voprf::{BlindedElement, EvaluationElement, OprfClient, OprfServer, Ristretto255};
use zeroize::Zeroizing;

/// Tries the relay evaluates for a device before it refuses all further ones, counted from the
/// last reset (a right PIN). The device wipes itself at the same number of its own wrong PINs.
pub const PIN_GUARD_TRIES: u32 = 10;
/// Bytes of a blinded or evaluated element (a compressed ristretto255 point).
pub const ELEMENT_BYTES: usize = 32;
/// Bytes of the finalized OPRF result (SHA-512).
pub const RESULT_BYTES: usize = 64;
/// Bytes of the relay's nonce for a reset.
pub const NONCE_BYTES: usize = 32;
/// The first line of the text a reset signature covers.
pub const RESET_DOMAIN: &str = "hwc-pin-guard-reset-v1";
/// The OPRF input is this prefix followed by the PIN's ASCII digits.
const INPUT_PREFIX: &[u8] = b"hwc-pin-v1:";
/// The `info` of RFC 9497's DeriveKeyPair when the relay makes a device's key from 32 random bytes.
const KEY_INFO: &[u8] = b"hwc-pin-guard-key-v1";

/// Why a PIN guard step failed. Nothing in a message depends on the PIN.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PinGuardError {
    #[error("de willekeurige bron van het systeem werkt niet")]
    NoRandomness,
    #[error("de server gaf een onbruikbaar antwoord op de pincodecontrole")]
    BadElement,
    #[error("de pincodesleutel van dit apparaat bij de server is onleesbaar")]
    BadKey,
}

/// voprf's randomness interface (rand_core 0.6) over the system source the rest of the protocol
/// uses. A failure is remembered and reported instead of panicking. The bytes it then gives are
/// 0x01, not zeros: voprf draws a scalar until it is not zero, and would wait for ever.
struct SystemRandom {
    failed: bool,
}

impl RngCore for SystemRandom {
    fn next_u32(&mut self) -> u32 {
        let mut bytes = [0u8; 4];
        self.fill_bytes(&mut bytes);
        u32::from_le_bytes(bytes)
    }

    fn next_u64(&mut self) -> u64 {
        let mut bytes = [0u8; 8];
        self.fill_bytes(&mut bytes);
        u64::from_le_bytes(bytes)
    }

    fn fill_bytes(&mut self, dest: &mut [u8]) {
        if getrandom::fill(dest).is_err() {
            self.failed = true;
            dest.fill(1);
        }
    }

    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core_06::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}

impl CryptoRng for SystemRandom {}

/// The relay's secret OPRF key for one device (32 bytes, a ristretto255 scalar). Wiped on drop;
/// `Debug` shows nothing.
pub struct PinGuardKey(Zeroizing<[u8; 32]>);

impl std::fmt::Debug for PinGuardKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PinGuardKey(..)")
    }
}

impl PinGuardKey {
    /// A fresh key: RFC 9497 DeriveKeyPair over 32 bytes from the system's random source.
    pub fn generate() -> Result<Self, PinGuardError> {
        let mut seed = Zeroizing::new([0u8; 32]);
        getrandom::fill(&mut *seed).map_err(|_| PinGuardError::NoRandomness)?;
        Self::from_seed(&seed)
    }

    /// The key RFC 9497's DeriveKeyPair makes from `seed` with this protocol's `info`
    /// (`hwc-pin-guard-key-v1`); [`PinGuardKey::generate`] does this with a random seed.
    pub fn from_seed(seed: &[u8; 32]) -> Result<Self, PinGuardError> {
        let server = OprfServer::<Ristretto255>::new_from_seed(seed, KEY_INFO).map_err(|_| PinGuardError::BadKey)?;
        let mut bytes = Zeroizing::new([0u8; 32]);
        bytes.copy_from_slice(&server.serialize());
        Ok(Self(bytes))
    }

    /// A stored key; refused unless it is a canonical, non-zero scalar.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, PinGuardError> {
        OprfServer::<Ristretto255>::new_with_key(bytes).map_err(|_| PinGuardError::BadKey)?;
        let mut key = Zeroizing::new([0u8; 32]);
        key.copy_from_slice(bytes);
        Ok(Self(key))
    }

    /// The bytes to store (secret: the relay's database only).
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Evaluates a device's blinded element; refuses bytes that are not a valid, non-identity
    /// ristretto255 point.
    pub fn evaluate(&self, blinded: &[u8]) -> Result<[u8; ELEMENT_BYTES], PinGuardError> {
        let server = OprfServer::<Ristretto255>::new_with_key(&self.0[..]).map_err(|_| PinGuardError::BadKey)?;
        let element = BlindedElement::<Ristretto255>::deserialize(blinded).map_err(|_| PinGuardError::BadElement)?;
        let mut out = [0u8; ELEMENT_BYTES];
        out.copy_from_slice(&server.blind_evaluate(&element).serialize());
        Ok(out)
    }

    /// The result a device gets for `pin` through [`PinBlinding`], computed here without
    /// blinding (RFC 9497 `Evaluate`): for the published vectors and tests. A relay could do
    /// the same for every PIN, which is why the device mixes in secrets the relay never sees.
    #[doc(hidden)]
    pub fn result_for(&self, pin: &str) -> Result<Zeroizing<[u8; RESULT_BYTES]>, PinGuardError> {
        let server = OprfServer::<Ristretto255>::new_with_key(&self.0[..]).map_err(|_| PinGuardError::BadKey)?;
        let output = server.evaluate(&oprf_input(pin)).map_err(|_| PinGuardError::BadElement)?;
        let mut result = Zeroizing::new([0u8; RESULT_BYTES]);
        result.copy_from_slice(&output);
        Ok(result)
    }
}

/// Whether `bytes` is an element the relay evaluates: a canonical, non-identity ristretto255
/// point. Checked before a try is counted, so a malformed request costs the device no try.
pub fn is_element(bytes: &[u8]) -> bool {
    BlindedElement::<Ristretto255>::deserialize(bytes).is_ok()
}

/// The device's half of one PIN test: the blinding (secret, wiped on drop) and the element to
/// send to the relay.
pub struct PinBlinding {
    state: OprfClient<Ristretto255>,
    blinded: [u8; ELEMENT_BYTES],
}

impl std::fmt::Debug for PinBlinding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PinBlinding(..)")
    }
}

fn oprf_input(pin: &str) -> Zeroizing<Vec<u8>> {
    let mut input = Zeroizing::new(Vec::with_capacity(INPUT_PREFIX.len() + pin.len()));
    input.extend_from_slice(INPUT_PREFIX);
    input.extend_from_slice(pin.as_bytes());
    input
}

impl PinBlinding {
    /// Blinds `pin` with a fresh random scalar.
    pub fn start(pin: &str) -> Result<Self, PinGuardError> {
        let mut rng = SystemRandom { failed: false };
        let blind = OprfClient::<Ristretto255>::blind(&oprf_input(pin), &mut rng);
        if rng.failed {
            return Err(PinGuardError::NoRandomness);
        }
        let blind = blind.map_err(|_| PinGuardError::NoRandomness)?;
        let mut blinded = [0u8; ELEMENT_BYTES];
        blinded.copy_from_slice(&blind.message.serialize());
        Ok(Self { state: blind.state, blinded })
    }

    /// The element for the relay (reveals nothing about the PIN).
    pub fn blinded(&self) -> &[u8; ELEMENT_BYTES] {
        &self.blinded
    }

    /// Unblinds the relay's answer and finalizes: the 64-byte OPRF result for `pin` under the
    /// device's key at the relay. A relay that answers junk gives a result that opens nothing.
    pub fn finish(&self, pin: &str, evaluated: &[u8]) -> Result<Zeroizing<[u8; RESULT_BYTES]>, PinGuardError> {
        let element =
            EvaluationElement::<Ristretto255>::deserialize(evaluated).map_err(|_| PinGuardError::BadElement)?;
        let output = self.state.finalize(&oprf_input(pin), &element).map_err(|_| PinGuardError::BadElement)?;
        let mut result = Zeroizing::new([0u8; RESULT_BYTES]);
        result.copy_from_slice(&output);
        Ok(result)
    }
}

/// The text a reset signature covers, UTF-8 without a final newline:
/// `hwc-pin-guard-reset-v1\n<device id hex>\n<nonce base64>\n<reset key base64>`, the
/// reset key being the public half of the signing one.
pub fn reset_text(device_id: &DeviceId, nonce: &[u8; NONCE_BYTES], reset_key: &[u8; 32]) -> String {
    format!("{RESET_DOMAIN}\n{device_id}\n{}\n{}", b64(nonce), b64(reset_key))
}

/// The device's reset key, made from 32 bytes the device derives from its open key. Wiped on drop.
pub struct PinResetKey(SigningKey);

impl PinResetKey {
    pub fn from_seed(seed: &[u8; 32]) -> Self {
        Self(SigningKey::from_bytes(seed))
    }

    /// The public half the relay stores.
    pub fn public(&self) -> [u8; 32] {
        self.0.verifying_key().to_bytes()
    }

    /// Signs [`reset_text`].
    pub fn sign_reset(&self, device_id: &DeviceId, nonce: &[u8; NONCE_BYTES]) -> [u8; 64] {
        self.0.sign(reset_text(device_id, nonce, &self.public()).as_bytes()).to_bytes()
    }
}

/// Whether `signature` is `reset_key`'s strict Ed25519 signature over [`reset_text`].
pub fn reset_signature_holds(
    reset_key: &[u8; 32],
    device_id: &DeviceId,
    nonce: &[u8; NONCE_BYTES],
    signature: &[u8; 64],
) -> bool {
    verify_ed25519(reset_key, reset_text(device_id, nonce, reset_key).as_bytes(), signature)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_result_depends_on_pin_and_key_and_not_on_the_blinding() {
        let key = PinGuardKey::generate().unwrap();
        let run = |key: &PinGuardKey, pin: &str| {
            let blinding = PinBlinding::start(pin).unwrap();
            let answer = key.evaluate(blinding.blinded()).unwrap();
            *blinding.finish(pin, &answer).unwrap()
        };
        let first = run(&key, "482916");
        assert_eq!(first, run(&key, "482916"), "a fresh blinding gives the same result");
        assert_eq!(first, *key.result_for("482916").unwrap(), "the same as RFC 9497 Evaluate");
        assert_ne!(first, run(&key, "482917"));
        assert_ne!(first, run(&PinGuardKey::generate().unwrap(), "482916"));

        // The relay sees a different element every time, even for the same PIN.
        let a = PinBlinding::start("482916").unwrap();
        let b = PinBlinding::start("482916").unwrap();
        assert_ne!(a.blinded(), b.blinded());
    }

    #[test]
    fn stored_keys_round_trip_and_bad_ones_are_refused() {
        let key = PinGuardKey::generate().unwrap();
        let again = PinGuardKey::from_bytes(key.as_bytes()).unwrap();
        let blinding = PinBlinding::start("000000").unwrap();
        assert_eq!(key.evaluate(blinding.blinded()).unwrap(), again.evaluate(blinding.blinded()).unwrap());
        assert_eq!(PinGuardKey::from_bytes(&[0u8; 32]).err(), Some(PinGuardError::BadKey), "zero");
        assert_eq!(PinGuardKey::from_bytes(&[0xff; 32]).err(), Some(PinGuardError::BadKey), "not canonical");
        assert_eq!(PinGuardKey::from_bytes(&[1u8; 31]).err(), Some(PinGuardError::BadKey), "short");
    }

    #[test]
    fn junk_elements_are_refused_on_both_sides() {
        let key = PinGuardKey::generate().unwrap();
        let blinding = PinBlinding::start("123456").unwrap();
        assert!(is_element(blinding.blinded()));
        for junk in [&[0u8; 32][..], &[0xffu8; 32][..], &[1u8; 31][..], &[][..]] {
            assert!(!is_element(junk));
            assert_eq!(key.evaluate(junk).err(), Some(PinGuardError::BadElement), "{junk:?}");
            assert_eq!(blinding.finish("123456", junk).err(), Some(PinGuardError::BadElement), "{junk:?}");
        }
    }

    #[test]
    fn the_reset_signature_covers_device_nonce_and_key() {
        let device = DeviceId::from_bytes([7; 16]);
        let other = DeviceId::from_bytes([8; 16]);
        let reset = PinResetKey::from_seed(&[3; 32]);
        let stranger = PinResetKey::from_seed(&[4; 32]).public();
        let nonce = [9u8; NONCE_BYTES];
        assert_eq!(
            reset_text(&device, &nonce, &reset.public()),
            format!("hwc-pin-guard-reset-v1\n{}\n{}\n{}", "07".repeat(16), b64(&nonce), b64(&reset.public()))
        );

        let sig = reset.sign_reset(&device, &nonce);
        assert!(reset_signature_holds(&reset.public(), &device, &nonce, &sig));
        assert!(!reset_signature_holds(&reset.public(), &other, &nonce, &sig), "device");
        assert!(!reset_signature_holds(&reset.public(), &device, &[1; 32], &sig), "nonce");
        assert!(!reset_signature_holds(&stranger, &device, &nonce, &sig), "signer");
    }

    /// RFC 9497 appendix A.1.1 (ristretto255-SHA512, OPRF mode), first test vector: the crate
    /// computes the standard function, so an independent implementation can check a relay.
    #[test]
    fn the_oprf_is_rfc_9497_ristretto255_sha512() {
        let seed = [0xa3u8; 32];
        let info = hex::decode("74657374206b6579").unwrap();
        let server = OprfServer::<Ristretto255>::new_from_seed(&seed, &info).unwrap();
        assert_eq!(hex::encode(server.serialize()), "5ebcea5ee37023ccb9fc2d2019f9d7737be85591ae8652ffa9ef0f4d37063b0e");
        // Evaluate(input = 0x00) without blinding, as the RFC's expected output.
        let output = server.evaluate(&[0x00]).unwrap();
        assert_eq!(
            hex::encode(output),
            "527759c3d9366f277d8c6020418d96bb393ba2afb20ff90df23fb7708264e2f3ab9135e3bd69955851de4b1f9fe8a0973396719b7912ba9ee8aa7d0b5e24bcf6"
        );
    }
}
