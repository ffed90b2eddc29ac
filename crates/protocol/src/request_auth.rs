//! Authentication of requests to the relay. Each request carries four headers:
//!
//! | header | value |
//! |---|---|
//! | `x-hwc-signer` | `office <base64 public key>` or `device <device id>` |
//! | `x-hwc-time` | Unix seconds when signed |
//! | `x-hwc-nonce` | 32 hex characters, random per request |
//! | `x-hwc-signature` | base64 Ed25519 signature over the canonical string below |
//!
//! Canonical string: `hwc-request-v2`, the relay's origin, method, path with query, signer,
//! time, nonce and the hex SHA-256 of the body, joined by `\n` (see [`canonical_string`]). The
//! origin binds the request to one relay: a request signed for a test relay, or for another
//! region's, is refused by every other. Each header value has one written form; any other is
//! refused as malformed. The relay refuses times more than 5 minutes away from its clock and
//! nonces it has seen before (that part is the relay's state).

use crate::encoding::{b64, unb64_array};
use crate::ids::DeviceId;
use crate::keys::{random_32, verify_ed25519, DeviceSigningKey, KeyError, OfficePublicKey, OfficeSigningKey};
use sha2::{Digest, Sha256};
use std::fmt;

pub const HEADER_SIGNER: &str = "x-hwc-signer";
pub const HEADER_TIME: &str = "x-hwc-time";
pub const HEADER_NONCE: &str = "x-hwc-nonce";
pub const HEADER_SIGNATURE: &str = "x-hwc-signature";
/// How far a request's time may be from the relay's clock.
pub const MAX_SKEW_SECS: i64 = 300;

/// Who signed a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Signer {
    Office(OfficePublicKey),
    Device(DeviceId),
}

impl fmt::Display for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Signer::Office(key) => write!(f, "office {key}"),
            Signer::Device(id) => write!(f, "device {id}"),
        }
    }
}

impl std::str::FromStr for Signer {
    type Err = AuthError;
    /// Reads the header value in its one written form: `office <base64 key>` or
    /// `device <device id>`, one space, nothing around it.
    fn from_str(text: &str) -> Result<Self, AuthError> {
        let signer = match text.split_once(' ') {
            Some(("office", key)) => Signer::Office(key.parse().map_err(|_| AuthError::Malformed)?),
            Some(("device", id)) => Signer::Device(id.parse().map_err(|_| AuthError::Malformed)?),
            _ => return Err(AuthError::Malformed),
        };
        // The key parser forgives surrounding spaces; the header does not.
        if signer.to_string() != text {
            return Err(AuthError::Malformed);
        }
        Ok(signer)
    }
}

/// Why a request's authentication was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    #[error("het verzoek is niet ondertekend")]
    Missing,
    #[error("de ondertekening van het verzoek is onleesbaar")]
    Malformed,
    #[error("het verzoek is te oud of komt uit de toekomst; controleer de klok van deze computer")]
    Stale,
    #[error("de handtekening op het verzoek klopt niet")]
    BadSignature,
}

/// The four authentication headers of one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthHeaders {
    pub signer: Signer,
    pub time: i64,
    pub nonce: [u8; 16],
    pub signature: [u8; 64],
}

/// What a request signature covers besides its signer, time and nonce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestParts<'a> {
    /// The relay's origin as [`crate::RelayAddress::origin`] writes it (`https://relay.example.nl`):
    /// for the client the relay it means to reach, for the relay its own public address.
    pub relay: &'a str,
    pub method: &'a str,
    /// The path with its query, as sent.
    pub path_and_query: &'a str,
    pub body: &'a [u8],
}

/// The exact bytes a request signature covers: eight lines joined by `\n` (no final newline):
/// `hwc-request-v2`, the relay's origin, the method in ASCII upper case, the path with query
/// as sent, the signer header value, the time in decimal, the nonce in lowercase hex and the
/// lowercase hex SHA-256 of the body.
pub fn canonical_string(request: &RequestParts<'_>, signer: &Signer, time: i64, nonce: &[u8; 16]) -> Vec<u8> {
    format!(
        "hwc-request-v2\n{}\n{}\n{}\n{}\n{}\n{}\n{}",
        request.relay,
        request.method.to_ascii_uppercase(),
        request.path_and_query,
        signer,
        time,
        hex::encode(nonce),
        hex::encode(Sha256::digest(request.body))
    )
    .into_bytes()
}

fn fresh_nonce() -> Result<[u8; 16], KeyError> {
    let mut nonce = [0u8; 16];
    nonce.copy_from_slice(&random_32()?[..16]);
    Ok(nonce)
}

/// `x-hwc-time`: decimal digits, no sign, no leading zero (except `0` itself), within `i64`.
fn parse_time(text: &str) -> Result<i64, AuthError> {
    let digits = !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
    if !digits || (text.len() > 1 && text.starts_with('0')) {
        return Err(AuthError::Malformed);
    }
    text.parse().map_err(|_| AuthError::Malformed)
}

/// `x-hwc-nonce`: exactly 32 lowercase hex characters.
fn parse_nonce(text: &str) -> Result<[u8; 16], AuthError> {
    if text.len() != 32 || !text.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
        return Err(AuthError::Malformed);
    }
    let mut nonce = [0u8; 16];
    hex::decode_to_slice(text, &mut nonce).map_err(|_| AuthError::Malformed)?;
    Ok(nonce)
}

impl AuthHeaders {
    /// Signs a request as the office.
    pub fn sign_office(key: &OfficeSigningKey, request: &RequestParts<'_>, now: i64) -> Result<Self, KeyError> {
        Ok(Self::sign_office_with_nonce(key, request, now, fresh_nonce()?))
    }

    /// Signs a request as a device.
    pub fn sign_device(
        key: &DeviceSigningKey,
        device: DeviceId,
        request: &RequestParts<'_>,
        now: i64,
    ) -> Result<Self, KeyError> {
        Ok(Self::sign_device_with_nonce(key, device, request, now, fresh_nonce()?))
    }

    /// Like [`AuthHeaders::sign_office`] with the nonce given. Only for published test vectors:
    /// a real request needs a fresh nonce.
    #[doc(hidden)]
    pub fn sign_office_with_nonce(
        key: &OfficeSigningKey,
        request: &RequestParts<'_>,
        now: i64,
        nonce: [u8; 16],
    ) -> Self {
        Self::signed(Signer::Office(key.public()), |m| key.sign(m), request, now, nonce)
    }

    /// Like [`AuthHeaders::sign_device`] with the nonce given. Only for published test vectors.
    #[doc(hidden)]
    pub fn sign_device_with_nonce(
        key: &DeviceSigningKey,
        device: DeviceId,
        request: &RequestParts<'_>,
        now: i64,
        nonce: [u8; 16],
    ) -> Self {
        Self::signed(Signer::Device(device), |m| key.sign(m), request, now, nonce)
    }

    /// The headers of `signer`, with `sign` making the signature over the canonical string.
    fn signed(
        signer: Signer,
        sign: impl Fn(&[u8]) -> [u8; 64],
        request: &RequestParts<'_>,
        now: i64,
        nonce: [u8; 16],
    ) -> Self {
        let signature = sign(&canonical_string(request, &signer, now, &nonce));
        Self { signer, time: now, nonce, signature }
    }

    /// The headers as name/value pairs, to put on a request.
    pub fn to_pairs(&self) -> [(&'static str, String); 4] {
        [
            (HEADER_SIGNER, self.signer.to_string()),
            (HEADER_TIME, self.time.to_string()),
            (HEADER_NONCE, hex::encode(self.nonce)),
            (HEADER_SIGNATURE, b64(&self.signature)),
        ]
    }

    /// Reads the headers from a request; `get` looks a header up by its lowercase name.
    pub fn from_headers<'a>(get: impl Fn(&str) -> Option<&'a str>) -> Result<Self, AuthError> {
        let (signer, time, nonce, signature) =
            match (get(HEADER_SIGNER), get(HEADER_TIME), get(HEADER_NONCE), get(HEADER_SIGNATURE)) {
                (Some(a), Some(b), Some(c), Some(d)) => (a, b, c, d),
                (None, None, None, None) => return Err(AuthError::Missing),
                _ => return Err(AuthError::Malformed),
            };
        Ok(Self {
            signer: signer.parse()?,
            time: parse_time(time)?,
            nonce: parse_nonce(nonce)?,
            signature: unb64_array(signature).ok_or(AuthError::Malformed)?,
        })
    }

    /// Checks time and signature against the signer's public key (an office key, or the
    /// device's signing key looked up by the caller).
    pub fn verify(&self, public_key: &[u8; 32], request: &RequestParts<'_>, now: i64) -> Result<(), AuthError> {
        if self.time.abs_diff(now) > MAX_SKEW_SECS.unsigned_abs() {
            return Err(AuthError::Stale);
        }
        let message = canonical_string(request, &self.signer, self.time, &self.nonce);
        if verify_ed25519(public_key, &message, &self.signature) {
            Ok(())
        } else {
            Err(AuthError::BadSignature)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::{DeviceOpenKey, DevicePublicKeys};
    use std::collections::HashMap;

    const RELAY: &str = "https://relay.example.nl";

    fn parts<'a>(method: &'a str, path_and_query: &'a str, body: &'a [u8]) -> RequestParts<'a> {
        RequestParts { relay: RELAY, method, path_and_query, body }
    }

    #[test]
    fn signed_request_verifies_and_any_change_is_refused() {
        let key = DeviceSigningKey::generate().unwrap();
        let public = DevicePublicKeys::of(&key, &DeviceOpenKey::generate().unwrap());
        let id = public.device_id();
        let headers = AuthHeaders::sign_device(&key, id, &parts("POST", "/v1/receipts", b"body"), 1000).unwrap();
        let map: HashMap<&str, String> = headers.to_pairs().into_iter().collect();
        let back = AuthHeaders::from_headers(|n| map.get(n).map(String::as_str)).unwrap();
        assert_eq!(back, headers);
        let sign_key = &public.sign_key;
        back.verify(sign_key, &parts("POST", "/v1/receipts", b"body"), 1100).unwrap();
        let bad = |request: RequestParts<'_>, now: i64| back.verify(sign_key, &request, now);
        assert_eq!(bad(parts("POST", "/v1/receipts", b"body!"), 1100), Err(AuthError::BadSignature));
        assert_eq!(bad(parts("GET", "/v1/receipts", b"body"), 1100), Err(AuthError::BadSignature));
        assert_eq!(bad(parts("POST", "/v1/inbox", b"body"), 1100), Err(AuthError::BadSignature));
        let elsewhere =
            RequestParts { relay: "https://relay-test.example.nl", ..parts("POST", "/v1/receipts", b"body") };
        assert_eq!(bad(elsewhere, 1100), Err(AuthError::BadSignature), "signed for another relay");
        assert_eq!(bad(parts("POST", "/v1/receipts", b"body"), 1301), Err(AuthError::Stale));
        assert_eq!(bad(parts("POST", "/v1/receipts", b"body"), 699), Err(AuthError::Stale));
        let mut extreme = back.clone();
        extreme.time = i64::MIN;
        assert_eq!(extreme.verify(sign_key, &parts("POST", "/v1/receipts", b"body"), 1000), Err(AuthError::Stale));
        let office = OfficeSigningKey::generate().unwrap();
        assert_eq!(
            back.verify(office.public().as_bytes(), &parts("POST", "/v1/receipts", b"body"), 1000),
            Err(AuthError::BadSignature)
        );
    }

    #[test]
    fn missing_or_garbled_headers_are_refused() {
        assert_eq!(AuthHeaders::from_headers(|_| None), Err(AuthError::Missing));
        assert_eq!(AuthHeaders::from_headers(|n| (n == HEADER_TIME).then_some("1")), Err(AuthError::Malformed));
        assert_eq!(AuthHeaders::from_headers(|_| Some("x")), Err(AuthError::Malformed));
    }

    #[test]
    fn header_values_have_one_written_form() {
        let key = OfficeSigningKey::generate().unwrap();
        let headers = AuthHeaders::sign_office_with_nonce(&key, &parts("GET", "/v1/stats", b""), 1000, [0xab; 16]);
        let good: HashMap<&str, String> = headers.to_pairs().into_iter().collect();
        assert!(AuthHeaders::from_headers(|n| good.get(n).map(String::as_str)).is_ok());
        let signer = good[HEADER_SIGNER].clone();
        let nonce = good[HEADER_NONCE].clone();
        let changes = [
            (HEADER_SIGNER, signer.replacen(' ', "  ", 1)),
            (HEADER_SIGNER, signer.replacen("office", "Office", 1)),
            (HEADER_SIGNER, format!("{signer} ")),
            (HEADER_TIME, "+1000".to_string()),
            (HEADER_TIME, "01000".to_string()),
            (HEADER_TIME, " 1000".to_string()),
            (HEADER_NONCE, nonce.to_ascii_uppercase()),
        ];
        for (name, value) in changes {
            let mut map = good.clone();
            map.insert(name, value.clone());
            assert_eq!(
                AuthHeaders::from_headers(|n| map.get(n).map(String::as_str)),
                Err(AuthError::Malformed),
                "{name}: {value:?}"
            );
        }
    }
}
