//! The school's BRIN code: four characters, two digits then two capital letters or digits
//! (for example `12AB` or `00XY`), as DUO assigns them.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// A validated BRIN code.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Brin([u8; 4]);

/// Why a BRIN code was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BrinError {
    #[error("een BRIN-code bestaat uit 4 tekens: twee cijfers en dan twee hoofdletters of cijfers, zoals 12AB")]
    Malformed,
}

impl Brin {
    pub fn as_str(&self) -> &str {
        // Only ASCII is ever stored.
        std::str::from_utf8(&self.0).unwrap_or("????")
    }

    pub fn as_bytes(&self) -> &[u8; 4] {
        &self.0
    }
}

impl FromStr for Brin {
    type Err = BrinError;
    fn from_str(text: &str) -> Result<Self, BrinError> {
        let bytes: [u8; 4] = text.as_bytes().try_into().map_err(|_| BrinError::Malformed)?;
        let digits = bytes[..2].iter().all(u8::is_ascii_digit);
        let tail = bytes[2..].iter().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
        if digits && tail {
            Ok(Self(bytes))
        } else {
            Err(BrinError::Malformed)
        }
    }
}

impl fmt::Display for Brin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Brin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Brin({self})")
    }
}

impl Serialize for Brin {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Brin {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        <&str>::deserialize(d)?.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_real_shapes_and_refuses_others() {
        for good in ["12AB", "00XY", "99Z9", "1234"] {
            assert_eq!(good.parse::<Brin>().unwrap().as_str(), good);
        }
        for bad in ["", "12ab", "AB12", "12A", "12ABC", "12 B", "１２AB", "12AÉ"] {
            assert_eq!(bad.parse::<Brin>(), Err(BrinError::Malformed), "{bad}");
        }
    }
}
