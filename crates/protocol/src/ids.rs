//! Identifiers: a signal id (128 random bits) and a device id (derived from the device's
//! public keys). Both travel as 32 lowercase hex characters.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// Why an id could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("een id bestaat uit precies 32 tekens 0-9 en a-f")]
    Malformed,
    #[error("de willekeurige bron van het systeem werkt niet")]
    NoRandomness,
}

macro_rules! hex_id {
    ($name:ident, $doc:literal) => {
        #[doc = $doc]
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name([u8; 16]);

        impl $name {
            pub const fn from_bytes(bytes: [u8; 16]) -> Self {
                Self(bytes)
            }
            pub fn as_bytes(&self) -> &[u8; 16] {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&hex::encode(self.0))
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self)
            }
        }

        impl FromStr for $name {
            type Err = IdError;
            fn from_str(text: &str) -> Result<Self, IdError> {
                let valid = text.len() == 32 && text.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
                if !valid {
                    return Err(IdError::Malformed);
                }
                let mut bytes = [0u8; 16];
                hex::decode_to_slice(text, &mut bytes).map_err(|_| IdError::Malformed)?;
                Ok(Self(bytes))
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = <&str>::deserialize(d)?;
                text.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

hex_id!(SignalId, "The id of one signal: 128 random bits, chosen by the sender.");
hex_id!(DeviceId, "The id of one school device: the first 128 bits of a hash of its public keys.");

impl SignalId {
    /// A fresh random signal id.
    pub fn random() -> Result<Self, IdError> {
        let mut bytes = [0u8; 16];
        getrandom::fill(&mut bytes).map_err(|_| IdError::NoRandomness)?;
        Ok(Self(bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_refuse_bad_text() {
        let id = SignalId::random().unwrap();
        assert_eq!(id.to_string().parse::<SignalId>().unwrap(), id);
        assert_ne!(SignalId::random().unwrap(), id);
        for bad in ["", "abc", &"A".repeat(32), &"g".repeat(32), &"0".repeat(33)] {
            assert_eq!(bad.parse::<SignalId>(), Err(IdError::Malformed), "{bad}");
        }
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(serde_json::from_str::<SignalId>(&json).unwrap(), id);
    }
}
