//! The PIN that guards the device's open key (the key that decrypts signals).
//!
//! The two device keys are split by duty. The signing key (requests, receipts) is protected by
//! the vault alone, whose key is in the OS keyring, so the app can fetch, notify and send
//! queued receipts while locked. The open key is additionally sealed:
//!
//! ```text
//! guard     = the relay's PIN guard result for the PIN (hwc_protocol::pin_guard): 64 bytes
//! stretched = Argon2id(PIN, salt; m = 64 MiB, t = 3, p = 1) -> 32 bytes
//! wrap key  = HKDF-SHA256(salt = device id, ikm = guard ‖ stretched ‖ pepper,
//!                         info = "hwc-open-key-wrap-v2") -> 32 bytes
//! sealed    = ChaCha20-Poly1305(wrap key, nonce, open key, aad = "hwc-open-key-v1" ‖ device id)
//! ```
//!
//! `salt` (16 bytes) and `nonce` (12 bytes) are random per sealing and stored in the vault with
//! `sealed` (32 bytes + 16 tag). The `pepper` is 32 random bytes in the OS keyring under its own
//! entry (see [`crate::vault::key::pepper_keyring_user`]), never in the vault. The `guard` comes
//! from the relay, which counts every PIN it helps test ([`crate::lock`]): without it nobody can
//! test a PIN against a copy of the vault and the keyring, and a restored vault file gains no
//! tries. The relay alone learns nothing: it never sees the PIN, and without the pepper it
//! cannot test guesses either. Only the relay's operator together with a stolen vault and
//! keyring can search PINs, at one Argon2id per guess.
//!
//! A vault sealed before the PIN guard (`guarded = 0`) used
//! `HKDF-SHA256(salt = pepper, ikm = stretched, info = "hwc-open-key-wrap-v1")`; it is read
//! once more, at its next right PIN, and sealed again with the guard.
//!
//! The device's reset key for the guard is derived from the open key itself ([`reset_key`]),
//! so it does not change with the PIN and tells the relay nothing about it.
//!
//! Every intermediate (stretched PIN, Argon2 memory, guard result, wrap key, decrypted key) is
//! wiped after use.

use argon2::{Algorithm, Argon2, Block, Params, Version};
use chacha20poly1305::aead::{AeadInOut, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce, Tag};
use hkdf::Hkdf;
use hwc_protocol::pin_guard::PinResetKey;
use hwc_protocol::DeviceId;
use sha2_hkdf::Sha256;
use zeroize::{Zeroize, Zeroizing};

/// Fewest digits of a PIN.
pub const PIN_MIN_DIGITS: usize = 6;
/// Most digits of a PIN.
pub const PIN_MAX_DIGITS: usize = 12;

/// Argon2id memory cost in KiB (64 MiB).
pub const ARGON2_MEMORY_KIB: u32 = 64 * 1024;
/// Argon2id passes over the memory.
pub const ARGON2_ITERATIONS: u32 = 3;
/// Argon2id lanes (parallelism).
pub const ARGON2_LANES: u32 = 1;

/// Random salt per sealing, stored in the vault.
pub const SALT_LEN: usize = 16;
/// Random nonce per sealing, stored in the vault.
pub const NONCE_LEN: usize = 12;
/// The sealed open key: 32 bytes of key and a 16-byte tag.
pub const SEALED_LEN: usize = 32 + 16;

/// Wrong PINs in a row after which the device keys and the vault are wiped.
pub const MAX_WRONG_PINS: u32 = 10;
/// Wrong PINs in a row that cost no waiting; after that the wait doubles from 2 seconds.
pub const FREE_WRONG_PINS: u32 = 3;
/// From this many wrong PINs in a row on, errors say how many tries are left.
pub const WARN_FROM_WRONG_PIN: u32 = 7;

const HKDF_INFO_UNGUARDED: &[u8] = b"hwc-open-key-wrap-v1";
const HKDF_INFO: &[u8] = b"hwc-open-key-wrap-v2";
const RESET_INFO: &[u8] = b"hwc-pin-guard-reset-v1";
const AAD_LABEL: &[u8] = b"hwc-open-key-v1";

/// What is wrong with the form of a PIN. The PIN itself is never part of a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PinProblem {
    #[error("een pincode bestaat alleen uit cijfers (0 tot en met 9)")]
    NotDigits,
    #[error("een pincode heeft minstens 6 cijfers")]
    TooShort,
    #[error("een pincode heeft hoogstens 12 cijfers")]
    TooLong,
}

/// Checks that `pin` is 6 to 12 ASCII digits, nothing else (no spaces, no other scripts' digits).
pub fn check_pin_format(pin: &str) -> Result<(), PinProblem> {
    if !pin.bytes().all(|b| b.is_ascii_digit()) {
        return Err(PinProblem::NotDigits);
    }
    match pin.len() {
        n if n < PIN_MIN_DIGITS => Err(PinProblem::TooShort),
        n if n > PIN_MAX_DIGITS => Err(PinProblem::TooLong),
        _ => Ok(()),
    }
}

/// Seconds to wait after `wrong` wrong PINs in a row before another try is accepted:
/// none after the first three, then 2, 4, 8, … seconds.
pub fn delay_after(wrong: u32) -> u64 {
    if wrong <= FREE_WRONG_PINS {
        0
    } else {
        1u64 << (wrong - FREE_WRONG_PINS).min(32)
    }
}

/// Tries left before the wipe, after `wrong` wrong PINs in a row.
pub fn tries_left(wrong: u32) -> u32 {
    MAX_WRONG_PINS.saturating_sub(wrong)
}

/// The open key as the vault stores it: its public half (public anyway: it is in the device id
/// and sent at enrollment), and salt, nonce and sealed secret, and whether the relay's PIN
/// guard is part of the sealing. Nothing here is secret.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct WrappedOpenKey {
    pub public_key: [u8; 32],
    pub salt: [u8; SALT_LEN],
    pub nonce: [u8; NONCE_LEN],
    pub sealed: [u8; SEALED_LEN],
    pub guarded: bool,
}

/// The relay's PIN guard result for one PIN (64 bytes, wiped on drop).
pub(crate) type GuardResult = Zeroizing<[u8; hwc_protocol::pin_guard::RESULT_BYTES]>;

/// Why sealing or unsealing failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WrapError {
    /// The tag did not verify: wrong PIN (or a pepper, salt or device id that is not this one's).
    WrongPin,
    /// Argon2 could not run (for instance out of memory) or the system's randomness failed.
    Unavailable,
}

/// Argon2id over the PIN, then HKDF-SHA256 over the guard result, the stretched PIN and the
/// pepper (or, for a vault sealed before the guard, keyed with the pepper alone).
fn wrap_key(
    pin: &str,
    salt: &[u8; SALT_LEN],
    pepper: &[u8; 32],
    device_id: &DeviceId,
    guard: Option<&GuardResult>,
) -> Result<Zeroizing<[u8; 32]>, WrapError> {
    let params = Params::new(ARGON2_MEMORY_KIB, ARGON2_ITERATIONS, ARGON2_LANES, Some(32))
        .map_err(|_| WrapError::Unavailable)?;
    let blocks = params.block_count();
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
    let mut memory: Vec<Block> = Vec::new();
    memory.try_reserve_exact(blocks).map_err(|_| WrapError::Unavailable)?;
    memory.resize(blocks, Block::new());
    let mut stretched = Zeroizing::new([0u8; 32]);
    let hashed = argon.hash_password_into_with_memory(pin.as_bytes(), salt, &mut stretched[..], &mut memory);
    // The Argon2 memory holds material derived from the PIN: wipe it before it is freed.
    memory.zeroize();
    hashed.map_err(|_| WrapError::Unavailable)?;

    let mut key = Zeroizing::new([0u8; 32]);
    match guard {
        None => Hkdf::<Sha256>::new(Some(&pepper[..]), &stretched[..]).expand(HKDF_INFO_UNGUARDED, &mut key[..]),
        Some(guard) => {
            let mut ikm = Zeroizing::new(Vec::with_capacity(guard.len() + 64));
            ikm.extend_from_slice(&guard[..]);
            ikm.extend_from_slice(&stretched[..]);
            ikm.extend_from_slice(&pepper[..]);
            Hkdf::<Sha256>::new(Some(device_id.as_bytes()), &ikm).expand(HKDF_INFO, &mut key[..])
        }
    }
    .map_err(|_| WrapError::Unavailable)?;
    Ok(key)
}

/// The device's reset key for the relay's PIN guard: Ed25519 from
/// `HKDF-SHA256(salt = device id, ikm = open key secret, info = "hwc-pin-guard-reset-v1")`.
pub(crate) fn reset_key(open_secret: &[u8; 32], device_id: &DeviceId) -> PinResetKey {
    let mut seed = Zeroizing::new([0u8; 32]);
    Hkdf::<Sha256>::new(Some(device_id.as_bytes()), &open_secret[..])
        .expand(RESET_INFO, &mut seed[..])
        .unwrap_or_else(|_| unreachable!("32 bytes is a valid HKDF-SHA256 length"));
    PinResetKey::from_seed(&seed)
}

fn aad(device_id: &DeviceId) -> Vec<u8> {
    let mut aad = AAD_LABEL.to_vec();
    aad.extend_from_slice(device_id.as_bytes());
    aad
}

fn cipher(key: &[u8; 32]) -> ChaCha20Poly1305 {
    // A reference into the wiped buffer: no copy of the key outside the cipher, which wipes its own.
    let key: &Key = key[..].try_into().unwrap_or_else(|_| unreachable!("32 bytes"));
    ChaCha20Poly1305::new(key)
}

/// Seals the open key's secret under `pin`, `pepper` and the relay's `guard` result, bound to
/// `device_id`, with a fresh salt and nonce. Without `guard` only while enrolling, until the
/// relay knows the device.
pub(crate) fn wrap(
    secret: &[u8; 32],
    public_key: [u8; 32],
    pin: &str,
    pepper: &[u8; 32],
    device_id: &DeviceId,
    guard: Option<&GuardResult>,
) -> Result<WrappedOpenKey, WrapError> {
    let mut salt = [0u8; SALT_LEN];
    let mut nonce = [0u8; NONCE_LEN];
    getrandom::fill(&mut salt).map_err(|_| WrapError::Unavailable)?;
    getrandom::fill(&mut nonce).map_err(|_| WrapError::Unavailable)?;
    let key = wrap_key(pin, &salt, pepper, device_id, guard)?;
    let mut buffer = Zeroizing::new(*secret);
    let nonce_ref: &Nonce = nonce[..].try_into().unwrap_or_else(|_| unreachable!("12 bytes"));
    let tag = cipher(&key)
        .encrypt_inout_detached(nonce_ref, &aad(device_id), (&mut buffer[..]).into())
        .map_err(|_| WrapError::Unavailable)?;
    let mut sealed = [0u8; SEALED_LEN];
    sealed[..32].copy_from_slice(&buffer[..]);
    sealed[32..].copy_from_slice(&tag);
    Ok(WrappedOpenKey { public_key, salt, nonce, sealed, guarded: guard.is_some() })
}

/// Opens a sealed open key with `pin`, `pepper` and, when it was sealed with one, the relay's
/// `guard` result; the secret comes back in wiped memory. A guarded key without a guard result
/// (or the other way round) does not open.
pub(crate) fn unwrap(
    wrapped: &WrappedOpenKey,
    pin: &str,
    pepper: &[u8; 32],
    device_id: &DeviceId,
    guard: Option<&GuardResult>,
) -> Result<Zeroizing<[u8; 32]>, WrapError> {
    if wrapped.guarded != guard.is_some() {
        return Err(WrapError::WrongPin);
    }
    let key = wrap_key(pin, &wrapped.salt, pepper, device_id, guard)?;
    let mut buffer = Zeroizing::new([0u8; 32]);
    buffer.copy_from_slice(&wrapped.sealed[..32]);
    let nonce: &Nonce = wrapped.nonce[..].try_into().unwrap_or_else(|_| unreachable!("12 bytes"));
    let tag: &Tag = wrapped.sealed[32..].try_into().unwrap_or_else(|_| unreachable!("16 bytes"));
    cipher(&key)
        .decrypt_inout_detached(nonce, &aad(device_id), (&mut buffer[..]).into(), tag)
        .map_err(|_| WrapError::WrongPin)?;
    Ok(buffer)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PIN: &str = "482916";

    #[test]
    fn pin_format_is_six_to_twelve_ascii_digits() {
        for good in ["000000", "482916", "123456789012"] {
            assert_eq!(check_pin_format(good), Ok(()), "{good}");
        }
        assert_eq!(check_pin_format(""), Err(PinProblem::TooShort));
        assert_eq!(check_pin_format("12345"), Err(PinProblem::TooShort));
        assert_eq!(check_pin_format("1234567890123"), Err(PinProblem::TooLong));
        for bad in ["12345a", "123 456", " 123456", "123456\n", "١٢٣٤٥٦", "１２３４５６", "12345-6", "-123456"]
        {
            assert_eq!(check_pin_format(bad), Err(PinProblem::NotDigits), "{bad:?}");
        }
    }

    #[test]
    fn pin_messages_are_dutch_and_never_contain_the_pin() {
        for (pin, problem) in
            [("98765", PinProblem::TooShort), ("9876543210987", PinProblem::TooLong), ("98765x", PinProblem::NotDigits)]
        {
            let err = check_pin_format(pin).unwrap_err();
            assert_eq!(err, problem);
            let text = err.to_string();
            assert!(text.contains("pincode") && !text.contains("98765"), "{text}");
        }
    }

    #[test]
    fn delays_grow_after_three_wrong_pins() {
        let delays: Vec<u64> = (0..=MAX_WRONG_PINS).map(delay_after).collect();
        assert_eq!(delays, vec![0, 0, 0, 0, 2, 4, 8, 16, 32, 64, 128]);
        assert_eq!(tries_left(7), 3);
        assert_eq!(tries_left(12), 0);
        assert_eq!(delay_after(u32::MAX), 1 << 32);
    }

    fn guard(byte: u8) -> GuardResult {
        Zeroizing::new([byte; 64])
    }

    #[test]
    fn sealed_open_key_opens_only_with_pin_pepper_guard_and_device() {
        let secret = [7u8; 32];
        let pepper = [9u8; 32];
        let device = DeviceId::from_bytes([1; 16]);
        let g = guard(3);
        let wrapped = wrap(&secret, [2; 32], PIN, &pepper, &device, Some(&g)).unwrap();
        assert!(wrapped.guarded && wrapped.public_key == [2; 32]);
        assert_ne!(&wrapped.sealed[..32], &secret[..], "the secret is encrypted");
        assert_eq!(*unwrap(&wrapped, PIN, &pepper, &device, Some(&g)).unwrap(), secret);

        // The same PIN seals differently each time (fresh salt and nonce).
        let again = wrap(&secret, [2; 32], PIN, &pepper, &device, Some(&g)).unwrap();
        assert!(again.salt != wrapped.salt && again.nonce != wrapped.nonce && again.sealed != wrapped.sealed);

        let refused =
            |wrapped: &WrappedOpenKey, pin: &str, pepper: &[u8; 32], device: &DeviceId, g: Option<&GuardResult>| {
                unwrap(wrapped, pin, pepper, device, g).err()
            };
        assert_eq!(refused(&wrapped, "482917", &pepper, &device, Some(&g)), Some(WrapError::WrongPin));
        assert_eq!(refused(&wrapped, PIN, &[8u8; 32], &device, Some(&g)), Some(WrapError::WrongPin), "pepper");
        assert_eq!(refused(&wrapped, PIN, &pepper, &device, Some(&guard(4))), Some(WrapError::WrongPin), "guard");
        assert_eq!(refused(&wrapped, PIN, &pepper, &device, None), Some(WrapError::WrongPin), "no guard");
        let other_device = DeviceId::from_bytes([2; 16]);
        assert_eq!(refused(&wrapped, PIN, &pepper, &other_device, Some(&g)), Some(WrapError::WrongPin), "device");
        let mut tampered = wrapped.clone();
        tampered.salt[0] ^= 1;
        assert_eq!(refused(&tampered, PIN, &pepper, &device, Some(&g)), Some(WrapError::WrongPin), "salt");
        let mut downgraded = wrapped.clone();
        downgraded.guarded = false;
        assert_eq!(refused(&downgraded, PIN, &pepper, &device, None), Some(WrapError::WrongPin), "downgrade");

        // A key sealed before the guard opens without one, and only so.
        let unguarded = wrap(&secret, [2; 32], PIN, &pepper, &device, None).unwrap();
        assert!(!unguarded.guarded);
        assert_eq!(*unwrap(&unguarded, PIN, &pepper, &device, None).unwrap(), secret);
        assert_eq!(refused(&unguarded, PIN, &pepper, &device, Some(&g)), Some(WrapError::WrongPin));
    }

    #[test]
    fn the_wrap_key_depends_on_pin_salt_pepper_guard_and_device() {
        let salt = [3u8; SALT_LEN];
        let pepper = [4u8; 32];
        let device = DeviceId::from_bytes([1; 16]);
        let g = guard(5);
        let key = wrap_key(PIN, &salt, &pepper, &device, Some(&g)).unwrap();
        assert_eq!(*key, *wrap_key(PIN, &salt, &pepper, &device, Some(&g)).unwrap());
        assert_ne!(*key, *wrap_key("482917", &salt, &pepper, &device, Some(&g)).unwrap());
        assert_ne!(*key, *wrap_key(PIN, &[5u8; SALT_LEN], &pepper, &device, Some(&g)).unwrap());
        assert_ne!(*key, *wrap_key(PIN, &salt, &[6u8; 32], &device, Some(&g)).unwrap());
        assert_ne!(*key, *wrap_key(PIN, &salt, &pepper, &device, Some(&guard(6))).unwrap());
        assert_ne!(*key, *wrap_key(PIN, &salt, &pepper, &DeviceId::from_bytes([2; 16]), Some(&g)).unwrap());
        assert_ne!(*key, *wrap_key(PIN, &salt, &pepper, &device, None).unwrap());
    }

    #[test]
    fn the_reset_key_comes_from_the_open_key_and_device_only() {
        let device = DeviceId::from_bytes([1; 16]);
        let key = reset_key(&[7; 32], &device).public();
        assert_eq!(key, reset_key(&[7; 32], &device).public());
        assert_ne!(key, reset_key(&[8; 32], &device).public());
        assert_ne!(key, reset_key(&[7; 32], &DeviceId::from_bytes([2; 16])).public());
    }
}
