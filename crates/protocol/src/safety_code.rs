//! The safety code: 24 digits in six groups of four, derived from the office's public key and
//! one device's public keys. The school reads it from its screen, leerplicht compares it with
//! what its own tool computed; if the relay swapped any key in between, the digits differ.

use crate::keys::{DevicePublicKeys, OfficePublicKey};
use sha2::{Digest, Sha256};
use std::fmt;

const GROUPS: usize = 6;

/// A computed safety code.
#[derive(Clone, PartialEq, Eq)]
pub struct SafetyCode([u16; GROUPS]);

/// Why typed digits could not be read as a safety code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SafetyCodeError {
    #[error("een veiligheidscode bestaat uit 24 cijfers (spaties en streepjes mogen)")]
    Malformed,
}

impl SafetyCode {
    pub fn compute(office: &OfficePublicKey, device: &DevicePublicKeys) -> Self {
        let digest = Sha256::new()
            .chain_update(b"hwc-safety-code-v1")
            .chain_update(office.as_bytes())
            .chain_update(device.sign_key)
            .chain_update(device.seal_key)
            .finalize();
        let mut groups = [0u16; GROUPS];
        for (group, chunk) in groups.iter_mut().zip(digest.chunks_exact(4)) {
            let value = u32::from_be_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
            *group = (value % 10_000) as u16;
        }
        Self(groups)
    }

    /// Reads a code as typed: digits with any spaces or dashes between them.
    pub fn parse(typed: &str) -> Result<Self, SafetyCodeError> {
        let digits: Vec<u16> = typed
            .chars()
            .filter(|c| !matches!(c, ' ' | '-'))
            .map(|c| c.to_digit(10).map(|d| d as u16).ok_or(SafetyCodeError::Malformed))
            .collect::<Result<_, _>>()?;
        if digits.len() != GROUPS * 4 {
            return Err(SafetyCodeError::Malformed);
        }
        let mut groups = [0u16; GROUPS];
        for (group, four) in groups.iter_mut().zip(digits.chunks_exact(4)) {
            *group = four.iter().fold(0, |acc, d| acc * 10 + d);
        }
        Ok(Self(groups))
    }
}

impl fmt::Display for SafetyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text: Vec<String> = self.0.iter().map(|g| format!("{g:04}")).collect();
        f.write_str(&text.join(" "))
    }
}

impl fmt::Debug for SafetyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SafetyCode({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::{DeviceOpenKey, DeviceSigningKey, OfficeSigningKey};

    #[test]
    fn code_reads_back_and_changes_with_any_key() {
        let office = OfficeSigningKey::generate().unwrap().public();
        let device = DevicePublicKeys::of(&DeviceSigningKey::generate().unwrap(), &DeviceOpenKey::generate().unwrap());
        let code = SafetyCode::compute(&office, &device);
        let text = code.to_string();
        assert_eq!(text.len(), 29, "{text}");
        assert_eq!(SafetyCode::parse(&text).unwrap(), code);
        assert_eq!(SafetyCode::parse(&text.replace(' ', "-")).unwrap(), code);
        let other_office = OfficeSigningKey::generate().unwrap().public();
        assert_ne!(SafetyCode::compute(&other_office, &device), code);
        let mut swapped = device;
        swapped.seal_key = DeviceOpenKey::generate().unwrap().public_bytes();
        assert_ne!(SafetyCode::compute(&office, &swapped), code);
        assert_eq!(SafetyCode::parse("1234"), Err(SafetyCodeError::Malformed));
        assert_eq!(SafetyCode::parse(&"1".repeat(23).replace('1', "x")), Err(SafetyCodeError::Malformed));
    }
}
