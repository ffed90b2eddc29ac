//! The machine-wide configuration that school IT deploys, as text: the relay address and,
//! optionally, the fingerprint of leerplicht's office key to pin. Only the parsing and the
//! checks live here (no I/O); the app reads the file from its place on each operating system.
//! A pinned value cannot be changed in the app: the relay field is then fixed, and an
//! enrollment whose office key does not match is undone.
//!
//! Installers write the file from the values IT gives them (`RELAY_URL`, `OFFICE_KEY`)
//! through [`MachineConfig::from_installer`] and [`MachineConfig::to_toml`], so a typo is
//! refused at install time rather than at the first start.
//!
//! ```toml
//! relay = "https://relay.voorbeeld.nl"
//! office_key_fingerprint = "3b0c…(64 hex)"
//! reminder_at = "08:15"   # a backup device reminds at this time when a signal still waits
//! ```

use chrono::NaiveTime;
use hwc_protocol::RelayAddress;
use serde::{Deserialize, Serialize};

/// When a backup device reminds that a signal still waits, if the school set no time.
pub const DEFAULT_REMINDER_AT: NaiveTime = match NaiveTime::from_hms_opt(8, 15, 0) {
    Some(at) => at,
    None => NaiveTime::MIN,
};

/// What the file may hold; anything else is refused.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct MachineConfig {
    pub relay: Option<String>,
    pub office_key_fingerprint: Option<String>,
    /// `uu:mm`, Dutch time: when a backup device reminds that a signal still waits (default
    /// [`DEFAULT_REMINDER_AT`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reminder_at: Option<String>,
}

/// Why the file was refused, in words school IT can act on. Never quotes the file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MachineConfigError {
    #[error(
        "het configuratiebestand is geen geldige TOML met alleen 'relay', 'office_key_fingerprint' en 'reminder_at'"
    )]
    NotToml,
    #[error("reminder_at: een tijd als \"08:15\" (uu:mm)")]
    ReminderAt,
    #[error("relay: {0}")]
    Relay(String),
    #[error("office_key_fingerprint: 64 tekens 0-9 en a-f, zoals hwc-send init het toont")]
    Fingerprint,
}

impl MachineConfig {
    /// When a backup device reminds that a signal still waits.
    pub fn reminder_at(&self) -> chrono::NaiveTime {
        self.reminder_at
            .as_deref()
            .and_then(|t| chrono::NaiveTime::parse_from_str(t, "%H:%M").ok())
            .unwrap_or(DEFAULT_REMINDER_AT)
    }

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
        if let Some(at) = &config.reminder_at {
            let time =
                chrono::NaiveTime::parse_from_str(at.trim(), "%H:%M").map_err(|_| MachineConfigError::ReminderAt)?;
            config.reminder_at = Some(time.format("%H:%M").to_string());
        }
        Ok(config)
    }

    /// The settings an installer was given: the relay address (required) and the office key
    /// fingerprint (empty: not pinned). Checked exactly as the file would be.
    pub fn from_installer(relay: &str, office_key_fingerprint: &str) -> Result<Self, MachineConfigError> {
        let address = RelayAddress::parse(relay).map_err(|e| MachineConfigError::Relay(e.to_string()))?;
        let fingerprint = office_key_fingerprint.trim();
        let config = Self {
            relay: Some(address.to_string()),
            office_key_fingerprint: (!fingerprint.is_empty()).then(|| fingerprint.to_ascii_lowercase()),
            reminder_at: None,
        };
        // One set of rules: what is written must read back the same.
        Self::parse(&config.to_toml())
    }

    /// The file's text, with a first line saying where it came from.
    pub fn to_toml(&self) -> String {
        let body = toml::to_string(self).unwrap_or_default();
        format!("# HwC School: machine-instellingen, geschreven door de installatie.\n{body}")
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

    #[test]
    fn the_reminder_time_is_a_time_of_day_or_the_default() {
        assert_eq!(MachineConfig::default().reminder_at(), DEFAULT_REMINDER_AT);
        let set = MachineConfig::parse("reminder_at = \"7:45\"").unwrap();
        assert_eq!(set.reminder_at.as_deref(), Some("07:45"));
        assert_eq!(set.reminder_at(), chrono::NaiveTime::from_hms_opt(7, 45, 0).unwrap());
        for bad in ["\"8.15\"", "\"25:00\"", "\"08:15:00\"", "\"\""] {
            assert_eq!(
                MachineConfig::parse(&format!("reminder_at = {bad}")),
                Err(MachineConfigError::ReminderAt),
                "{bad}"
            );
        }
        assert_eq!(MachineConfig::parse("reminder_at = 815"), Err(MachineConfigError::NotToml));
    }

    #[test]
    fn installer_values_are_checked_like_the_file_and_read_back_the_same() {
        let fingerprint = "0123456789abcdef".repeat(4);
        let config = MachineConfig::from_installer(" https://relay.example.nl/ ", &fingerprint.to_uppercase()).unwrap();
        assert_eq!(config.relay.as_deref(), Some("https://relay.example.nl"));
        assert_eq!(config.office_key_fingerprint.as_deref(), Some(fingerprint.as_str()));
        assert_eq!(MachineConfig::parse(&config.to_toml()), Ok(config));
        let unpinned = MachineConfig::from_installer("https://relay.example.nl", "").unwrap();
        assert_eq!(unpinned.office_key_fingerprint, None);
        assert!(!unpinned.to_toml().contains("office_key_fingerprint"));
        assert!(matches!(MachineConfig::from_installer("", ""), Err(MachineConfigError::Relay(_))));
        assert!(matches!(
            MachineConfig::from_installer("https://relay.example.nl\"\nextra = \"1", ""),
            Err(MachineConfigError::Relay(_))
        ));
        assert_eq!(
            MachineConfig::from_installer("https://relay.example.nl", "abc"),
            Err(MachineConfigError::Fingerprint)
        );
    }
}
