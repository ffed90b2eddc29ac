//! Named settings: a fixed list of keys, each a short text value. Nothing personal: the relay
//! address, the office key, this device's id, school (BRIN), role and status, the inbox cursor,
//! a count of PIN tries the relay still counts (see [`crate::guard`]), and the date a backup
//! device last reminded that a signal waits (see [`crate::reminder`]).

use super::{Vault, VaultError};
use rusqlite::OptionalExtension;

/// The settings the vault may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Setting {
    RelayUrl,
    OfficeKey,
    DeviceId,
    School,
    Role,
    Status,
    InboxCursor,
    /// Tries the relay's PIN guard still counts although they were this computer's own (a
    /// reset after a right PIN that did not reach the relay).
    PinGuardUncleared,
    /// The Dutch date (`YYYY-MM-DD`) this backup device last reminded that a signal waits.
    RemindedOn,
    /// The school profile frame (base64), signed by the office: the sender's name and sector.
    Profile,
    /// Unix seconds of the last time the relay was asked for the profile.
    ProfileCheckedAt,
}

impl Setting {
    pub const ALL: [Setting; 11] = [
        Setting::RelayUrl,
        Setting::OfficeKey,
        Setting::DeviceId,
        Setting::School,
        Setting::Role,
        Setting::Status,
        Setting::InboxCursor,
        Setting::PinGuardUncleared,
        Setting::RemindedOn,
        Setting::Profile,
        Setting::ProfileCheckedAt,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Setting::RelayUrl => "relay_url",
            Setting::OfficeKey => "office_key",
            Setting::DeviceId => "device_id",
            Setting::School => "school",
            Setting::Role => "role",
            Setting::Status => "status",
            Setting::InboxCursor => "inbox_cursor",
            Setting::PinGuardUncleared => "pin_guard_uncleared",
            Setting::RemindedOn => "reminded_on",
            Setting::Profile => "profile",
            Setting::ProfileCheckedAt => "profile_checked_at",
        }
    }
}

impl Vault {
    pub fn get(&self, setting: Setting) -> Result<Option<String>, VaultError> {
        Ok(self
            .conn
            .query_row("SELECT value FROM settings WHERE name = ?1", [setting.name()], |r| r.get(0))
            .optional()?)
    }

    pub fn set(&mut self, setting: Setting, value: &str) -> Result<(), VaultError> {
        self.conn.execute(
            "INSERT INTO settings (name, value) VALUES (?1, ?2) ON CONFLICT(name) DO UPDATE SET value = excluded.value",
            [setting.name(), value],
        )?;
        Ok(())
    }

    /// Sets several settings in one transaction.
    pub fn set_all(&mut self, values: &[(Setting, &str)]) -> Result<(), VaultError> {
        let tx = self.conn.transaction()?;
        for (setting, value) in values {
            tx.execute(
                "INSERT INTO settings (name, value) VALUES (?1, ?2) ON CONFLICT(name) DO UPDATE SET value = excluded.value",
                [setting.name(), value],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Reads a setting that must be present and parse, naming it (not its value) when not.
    pub fn require<T: std::str::FromStr>(&self, setting: Setting) -> Result<T, VaultError> {
        self.get(setting)?
            .ok_or(VaultError::Corrupt(setting.name()))?
            .parse()
            .map_err(|_| VaultError::Corrupt(setting.name()))
    }

    pub(super) fn setting_names(&self) -> Result<Vec<&'static str>, VaultError> {
        let mut names = Vec::new();
        for setting in Setting::ALL {
            if self.get(setting)?.is_some() {
                names.push(setting.name());
            }
        }
        Ok(names)
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::vault_with_key;
    use super::*;

    #[test]
    fn settings_round_trip_and_overwrite() {
        let dir = tempfile::tempdir().unwrap();
        let mut vault = vault_with_key(dir.path(), 4, true).unwrap();
        assert_eq!(vault.get(Setting::InboxCursor).unwrap(), None);
        vault.set_all(&[(Setting::InboxCursor, "3"), (Setting::Role, "director")]).unwrap();
        vault.set(Setting::InboxCursor, "9").unwrap();
        drop(vault);
        let vault = vault_with_key(dir.path(), 4, false).unwrap();
        assert_eq!(vault.require::<u64>(Setting::InboxCursor).unwrap(), 9);
        assert!(matches!(vault.require::<u64>(Setting::Role), Err(VaultError::Corrupt("role"))));
        assert!(matches!(vault.require::<u64>(Setting::School), Err(VaultError::Corrupt("school"))));
    }
}
