//! Small helpers for the text encodings used on the wire: base64 (standard, padded) for keys
//! and blobs, lowercase hex for ids, and serde adapters for fixed-size byte arrays.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;

/// Encodes bytes as standard padded base64.
pub fn b64(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

/// Decodes standard padded base64; `None` when the text is not valid base64.
pub fn unb64(text: &str) -> Option<Vec<u8>> {
    STANDARD.decode(text.as_bytes()).ok()
}

/// Decodes base64 into exactly `N` bytes.
pub fn unb64_array<const N: usize>(text: &str) -> Option<[u8; N]> {
    unb64(text)?.try_into().ok()
}

/// Serde adapter: `[u8; 32]` as base64 text.
pub mod b64_32 {
    use serde::{de::Error, Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8; 32], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::b64(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<[u8; 32], D::Error> {
        let text = <&str>::deserialize(d)?;
        super::unb64_array(text).ok_or_else(|| D::Error::custom("expected 32 bytes in base64"))
    }
}

/// Serde adapter: `Option<[u8; 32]>` as base64 text; absent when `None` (with
/// `#[serde(default, skip_serializing_if = "Option::is_none")]`).
pub mod b64_32_option {
    use serde::{Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &Option<[u8; 32]>, s: S) -> Result<S::Ok, S::Error> {
        match bytes {
            Some(bytes) => super::b64_32::serialize(bytes, s),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<[u8; 32]>, D::Error> {
        super::b64_32::deserialize(d).map(Some)
    }
}

/// Serde adapter: `[u8; 64]` (a signature) as base64 text.
pub mod b64_64 {
    use serde::{de::Error, Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8; 64], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::b64(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<[u8; 64], D::Error> {
        let text = <&str>::deserialize(d)?;
        super::unb64_array(text).ok_or_else(|| D::Error::custom("expected 64 bytes in base64"))
    }
}

/// Serde adapter: a byte vector as base64 text.
pub mod b64_vec {
    use serde::{de::Error, Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::b64(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = <&str>::deserialize(d)?;
        super::unb64(text).ok_or_else(|| D::Error::custom("expected base64"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trip_and_refusals() {
        assert_eq!(unb64(&b64(b"abc")).as_deref(), Some(&b"abc"[..]));
        assert_eq!(unb64("not base64!"), None);
        assert_eq!(unb64_array::<4>(&b64(b"abc")), None);
    }

    #[test]
    fn base64_is_standard_padded_and_canonical_only() {
        assert_eq!(unb64("YWI=").as_deref(), Some(&b"ab"[..]));
        for bad in
            ["YWI", "YWJ=", "YW I=", "YWI=\n", " YWI=", "+/8=".replace('+', "-").as_str(), "_w==", "YWI==", "YQ="]
        {
            assert_eq!(unb64(bad), None, "{bad:?}");
        }
        assert_eq!(unb64("+/8=").as_deref(), Some(&[0xfb, 0xff][..]));
    }
}
