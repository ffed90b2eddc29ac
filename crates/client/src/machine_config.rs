//! The machine-wide configuration that school IT deploys, as text: the relay address and,
//! optionally, the fingerprint of leerplicht's office key to pin. Only the parsing and the
//! checks live here (no I/O); the app reads the file from its place on each operating system.
//! A pinned value cannot be changed in the app: the relay field is then fixed, and an
//! enrollment whose office key does not match is undone.
//!
//! ```toml
//! relay = "https://relay.voorbeeld.nl"
//! office_key_fingerprint = "3b0c…(64 hex)"
//! ```

use hwc_protocol::RelayAddress;
use serde::Deserialize;

/// What the file may hold; anything else is refused.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MachineConfig {
    pub relay: Option<String>,
    pub office_key_fingerprint: Option<String>,
}

/// Why the file was refused, in words school IT can act on. Never quotes the file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MachineConfigError {
    #[error("het configuratiebestand is geen geldige TOML met alleen 'relay' en 'office_key_fingerprint'")]
    NotToml,
    #[error("relay: {0}")]
    Relay(String),
    #[error("office_key_fingerprint: 64 tekens 0-9 en a-f, zoals hwc-send init het toont")]
    Fingerprint,
}

impl MachineConfig {
    /// Reads and checks the text of the file. Empty text means no settings. The relay address
    /// comes back in its plain form (`https://relay.voorbeeld.nl`, without spaces around it).
    pub fn parse(text: &str) -> Result<Self, MachineConfigError> {
        let mut config: Self = toml::from_str(text).map_err(|_| MachineConfigError::NotToml)?;
        if let Some(relay) = &config.relay {
            let address = RelayAddress::parse(relay).map_err(|e| MachineConfigError::Relay(e.to_string()))?;
            config.relay = Some(address.to_string());
        }
        if let Some(fingerprint) = &config.office_key_fingerprint {
            let valid = fingerprint.len() == 64
                && fingerprint.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
            if !valid {
                return Err(MachineConfigError::Fingerprint);
            }
        }
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_relay_and_pin_and_refuses_anything_else() {
        let fingerprint = "a".repeat(64);
        let config = MachineConfig::parse(&format!(
            "relay = \"https://relay.example.nl\"\noffice_key_fingerprint = \"{fingerprint}\"\n"
        ))
        .unwrap();
        assert_eq!(config.relay.as_deref(), Some("https://relay.example.nl"));
        assert_eq!(config.office_key_fingerprint, Some(fingerprint));
        assert_eq!(MachineConfig::parse("").unwrap(), MachineConfig::default());
        assert!(
            matches!(MachineConfig::parse("relay = \"http://relay.example.nl\""), Err(MachineConfigError::Relay(_))),
            "plain http to another host"
        );
        let unknown = MachineConfig::parse("relay = \"https://relay.example.nl\"\nextra = 1");
        assert_eq!(unknown, Err(MachineConfigError::NotToml), "unknown key");
        assert_eq!(MachineConfig::parse("office_key_fingerprint = \"ABC\""), Err(MachineConfigError::Fingerprint));
        assert_eq!(MachineConfig::parse("relay = ["), Err(MachineConfigError::NotToml));
        let plain = MachineConfig::parse("relay = \" https://relay.example.nl/ \"").unwrap();
        assert_eq!(plain.relay.as_deref(), Some("https://relay.example.nl"));
        let invisible = MachineConfig::parse("relay = \"https://relay.example.nl/\\u0019\"");
        assert!(
            matches!(invisible, Err(MachineConfigError::Relay(ref e)) if e.contains("onzichtbaar teken")),
            "{invisible:?}"
        );
    }
}
