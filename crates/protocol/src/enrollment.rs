//! Enrollment codes and device roles. The office issues a one-time code per device slot
//! (school and role); the relay only ever stores its hash.

use crate::keys::{random_32, KeyError, OfficePublicKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;
use zeroize::Zeroizing;

/// Letters and digits that cannot be mistaken for each other when read aloud or typed.
const ALPHABET: &[u8; 32] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
const CODE_CHARS: usize = 16;

/// Which contact person a device belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// De directeur: first contact.
    Director,
    /// De achterwacht (often the IB'er): backup contact.
    Backup,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Director => "director",
            Role::Backup => "backup",
        }
    }
    pub fn dutch(self) -> &'static str {
        match self {
            Role::Director => "directeur",
            Role::Backup => "achterwacht",
        }
    }
}

impl std::str::FromStr for Role {
    type Err = EnrollmentError;
    fn from_str(text: &str) -> Result<Self, EnrollmentError> {
        match text.trim().to_lowercase().as_str() {
            "director" | "directeur" => Ok(Role::Director),
            "backup" | "achterwacht" => Ok(Role::Backup),
            _ => Err(EnrollmentError::UnknownRole),
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why an enrollment code or role was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnrollmentError {
    #[error("een aanmeldcode bestaat uit 16 letters en cijfers, zoals ABCD-EFGH-JKLM-NPQR")]
    MalformedCode,
    #[error("de rol is 'directeur' of 'achterwacht'")]
    UnknownRole,
    #[error(transparent)]
    Key(#[from] KeyError),
}

/// A one-time enrollment code, as the office hands it to the school. Wiped on drop.
pub struct EnrollmentCode(Zeroizing<String>);

impl EnrollmentCode {
    pub fn generate() -> Result<Self, EnrollmentError> {
        let random = random_32()?;
        let code: String = random[..CODE_CHARS].iter().map(|b| ALPHABET[(*b % 32) as usize] as char).collect();
        Ok(Self(Zeroizing::new(code)))
    }

    /// Reads a typed code: case, spaces and dashes do not matter.
    pub fn parse(typed: &str) -> Result<Self, EnrollmentError> {
        let code: String = typed.chars().filter(|c| !matches!(c, ' ' | '-')).flat_map(char::to_uppercase).collect();
        if code.len() != CODE_CHARS || !code.bytes().all(|b| ALPHABET.contains(&b)) {
            return Err(EnrollmentError::MalformedCode);
        }
        Ok(Self(Zeroizing::new(code)))
    }

    /// The code in groups of four, for showing and reading aloud.
    pub fn display(&self) -> String {
        let chunks: Vec<&str> = (0..CODE_CHARS).step_by(4).map(|i| &self.0[i..i + 4]).collect();
        chunks.join("-")
    }

    /// Binds the office's public key to this code: hex SHA-256 over a label, the code and the
    /// key. The office gives it to the relay with the code's hash; the relay hands it to the
    /// enrolling device with the office key. Only someone who knows the code can make it, so a
    /// relay cannot give the device an office key of its own.
    pub fn office_key_tag(&self, office: &OfficePublicKey) -> String {
        hex::encode(
            Sha256::new()
                .chain_update(b"hwc-enrollment-office-v1")
                .chain_update(self.0.as_bytes())
                .chain_update(office.as_bytes())
                .finalize(),
        )
    }

    /// The code as the relay stores it: hex SHA-256 over a label and the code.
    pub fn hash_hex(&self) -> String {
        hex::encode(Sha256::new().chain_update(b"hwc-enrollment-v1").chain_update(self.0.as_bytes()).finalize())
    }
}

impl fmt::Debug for EnrollmentCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EnrollmentCode(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_reads_back_as_typed_loosely() {
        let code = EnrollmentCode::generate().unwrap();
        let shown = code.display();
        assert_eq!(shown.len(), 19);
        let typed = EnrollmentCode::parse(&shown.to_lowercase().replace('-', " ")).unwrap();
        assert_eq!(typed.hash_hex(), code.hash_hex());
        assert_ne!(EnrollmentCode::generate().unwrap().hash_hex(), code.hash_hex());
        assert_eq!(
            EnrollmentCode::parse("ABCD-EFGH-IJKL-MNOP").err(),
            Some(EnrollmentError::MalformedCode),
            "I and O are not in the alphabet"
        );
        assert_eq!(EnrollmentCode::parse("ABC").err(), Some(EnrollmentError::MalformedCode));
        let office = crate::OfficeSigningKey::generate().unwrap().public();
        let other = crate::OfficeSigningKey::generate().unwrap().public();
        assert_eq!(typed.office_key_tag(&office), code.office_key_tag(&office));
        assert_ne!(code.office_key_tag(&office), code.office_key_tag(&other));
        assert_ne!(EnrollmentCode::generate().unwrap().office_key_tag(&office), code.office_key_tag(&office));
    }

    #[test]
    fn roles_read_in_dutch_and_english() {
        assert_eq!("Directeur".parse::<Role>().unwrap(), Role::Director);
        assert_eq!("achterwacht".parse::<Role>().unwrap(), Role::Backup);
        assert!("leraar".parse::<Role>().is_err());
    }
}
