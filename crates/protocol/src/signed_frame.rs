//! The signed frame that envelopes, receipts, school profiles and school days notices travel in:
//!
//! ```text
//! magic (3 bytes: "HWE" envelope, "HWR" receipt, "HWP" school profile, "HWK" school days) | version (1 byte, ASCII '1') | body (JSON) | Ed25519 signature (64 bytes)
//! ```
//!
//! The signature covers everything before it. A receiver checks kind, version and signature on
//! the exact bytes it received before it parses the body.

/// Length of an Ed25519 signature.
pub const SIGNATURE_BYTES: usize = 64;
const HEADER_BYTES: usize = 4;

/// The kinds of signed frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameKind {
    Envelope,
    Receipt,
    Profile,
    /// A school's own closed days, signed by one of its devices ([`crate::school_days`]).
    SchoolDays,
}

impl FrameKind {
    fn magic(self) -> &'static [u8; 3] {
        match self {
            FrameKind::Envelope => b"HWE",
            FrameKind::Receipt => b"HWR",
            FrameKind::Profile => b"HWP",
            FrameKind::SchoolDays => b"HWK",
        }
    }
}

/// The only frame version this code understands.
pub const VERSION: u8 = b'1';

/// Why a frame was refused before its body was read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    #[error("het bericht is te kort of afgekapt")]
    Truncated,
    #[error("het bericht is groter dan toegestaan")]
    TooLarge,
    #[error("dit is geen {0} van Handle with Care")]
    WrongKind(&'static str),
    #[error("deze versie van het berichtformaat wordt niet ondersteund")]
    UnsupportedVersion,
    #[error("de handtekening klopt niet: het bericht is veranderd of niet door de juiste afzender ondertekend")]
    BadSignature,
}

/// Builds a frame around `body`, signing with `sign`.
pub fn seal_frame(kind: FrameKind, body: &[u8], sign: impl FnOnce(&[u8]) -> [u8; 64]) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER_BYTES + body.len() + SIGNATURE_BYTES);
    out.extend_from_slice(kind.magic());
    out.push(VERSION);
    out.extend_from_slice(body);
    let signature = sign(&out);
    out.extend_from_slice(&signature);
    out
}

/// Checks kind, version, size and signature; returns the body only when all hold.
pub fn open_frame(
    kind: FrameKind,
    bytes: &[u8],
    max_len: usize,
    verify: impl FnOnce(&[u8], &[u8; 64]) -> bool,
) -> Result<&[u8], FrameError> {
    if bytes.len() > max_len {
        return Err(FrameError::TooLarge);
    }
    if bytes.len() < HEADER_BYTES + SIGNATURE_BYTES + 2 {
        return Err(FrameError::Truncated);
    }
    if &bytes[..3] != kind.magic() {
        return Err(FrameError::WrongKind(match kind {
            FrameKind::Envelope => "envelop",
            FrameKind::Receipt => "ontvangstbevestiging",
            FrameKind::Profile => "schoolprofiel",
            FrameKind::SchoolDays => "doorgegeven schooldagen",
        }));
    }
    if bytes[3] != VERSION {
        return Err(FrameError::UnsupportedVersion);
    }
    let (signed, signature) = bytes.split_at(bytes.len() - SIGNATURE_BYTES);
    let signature: &[u8; 64] = signature.try_into().map_err(|_| FrameError::Truncated)?;
    if !verify(signed, signature) {
        return Err(FrameError::BadSignature);
    }
    Ok(&signed[HEADER_BYTES..])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::OfficeSigningKey;

    #[test]
    fn frame_opens_only_unchanged_and_with_the_right_key() {
        let key = OfficeSigningKey::generate().unwrap();
        let public = key.public();
        let frame = seal_frame(FrameKind::Envelope, b"{\"a\":1}", |m| key.sign(m));
        let verify = |m: &[u8], s: &[u8; 64]| public.verify(m, s);
        assert_eq!(open_frame(FrameKind::Envelope, &frame, 1000, verify).unwrap(), b"{\"a\":1}");
        for i in 0..frame.len() {
            let mut bad = frame.clone();
            bad[i] ^= 1;
            assert!(open_frame(FrameKind::Envelope, &bad, 1000, |m, s| public.verify(m, s)).is_err(), "byte {i}");
        }
        assert_eq!(
            open_frame(FrameKind::Receipt, &frame, 1000, |m, s| public.verify(m, s)),
            Err(FrameError::WrongKind("ontvangstbevestiging"))
        );
        let mut v2 = frame.clone();
        v2[3] = b'2';
        assert_eq!(open_frame(FrameKind::Envelope, &v2, 1000, |_, _| true), Err(FrameError::UnsupportedVersion));
        assert_eq!(open_frame(FrameKind::Envelope, &frame[..20], 1000, |_, _| true), Err(FrameError::Truncated));
        assert_eq!(open_frame(FrameKind::Envelope, &frame, 10, |_, _| true), Err(FrameError::TooLarge));
        let other = OfficeSigningKey::generate().unwrap().public();
        assert_eq!(
            open_frame(FrameKind::Envelope, &frame, 1000, |m, s| other.verify(m, s)),
            Err(FrameError::BadSignature)
        );
    }
}
