//! The machine-wide configuration that school IT deploys: the relay address and, optionally,
//! the fingerprint of leerplicht's office key to pin. A pinned value cannot be changed in the
//! app: the relay field is then fixed, and an enrollment whose office key does not match is
//! undone.
//!
//! ```toml
//! relay = "https://relay.voorbeeld.nl"
//! office_key_fingerprint = "3b0c…(64 hex)"
//! ```

use hwc_protocol::RelayAddress;
use serde::Deserialize;
use std::path::PathBuf;

/// What the file may hold; anything else is refused.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MachineConfig {
    pub relay: Option<String>,
    pub office_key_fingerprint: Option<String>,
}

/// Where the file lives on this operating system (debug builds: `HWC_SCHOOL_CONFIG` may point
/// elsewhere, for the tests).
pub fn path() -> PathBuf {
    if cfg!(debug_assertions) {
        if let Some(path) = std::env::var_os("HWC_SCHOOL_CONFIG") {
            return PathBuf::from(path);
        }
    }
    if cfg!(windows) {
        let base =
            std::env::var_os("ProgramData").map(PathBuf::from).unwrap_or_else(|| PathBuf::from(r"C:\ProgramData"));
        base.join("HwC School").join("config.toml")
    } else if cfg!(target_os = "macos") {
        PathBuf::from("/Library/Application Support/HwC School/config.toml")
    } else {
        PathBuf::from("/etc/hwc-school/config.toml")
    }
}

impl MachineConfig {
    /// Reads and checks the file. No file means no settings; a bad file is an error that says
    /// what to fix (the app then refuses to start rather than silently ignore a pin).
    pub fn load() -> Result<Self, String> {
        let path = path();
        match std::fs::read_to_string(&path) {
            Ok(text) => Self::parse(&text).map_err(|e| format!("{}: {e}", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Self::default()),
            Err(e) => Err(format!("{} kan niet worden gelezen: {e}", path.display())),
        }
    }

    pub fn parse(text: &str) -> Result<Self, String> {
        let config: Self = toml::from_str(text).map_err(|_| {
            "het configuratiebestand is geen geldige TOML met alleen 'relay' en 'office_key_fingerprint'".to_string()
        })?;
        if let Some(relay) = &config.relay {
            RelayAddress::parse(relay).map_err(|e| format!("relay: {e}"))?;
        }
        if let Some(fingerprint) = &config.office_key_fingerprint {
            let valid = fingerprint.len() == 64
                && fingerprint.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
            if !valid {
                return Err("office_key_fingerprint: 64 tekens 0-9 en a-f, zoals hwc-send init het toont".into());
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
        assert!(MachineConfig::parse("relay = \"http://relay.example.nl\"").is_err(), "plain http to another host");
        assert!(MachineConfig::parse("relay = \"https://relay.example.nl\"\nextra = 1").is_err(), "unknown key");
        assert!(MachineConfig::parse("office_key_fingerprint = \"ABC\"").is_err());
        assert!(MachineConfig::parse("relay = [").is_err());
    }
}
