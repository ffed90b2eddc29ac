//! The vault: one SQLCipher database `vault.db` in the caller's data directory, encrypted with
//! a random key from the OS keyring (see [`key`]). Pragmas keep everything inside that one file:
//! `secure_delete=ON` (deleted rows are overwritten), `journal_mode=DELETE` (no WAL; the
//! rollback journal is removed after each commit) and `temp_store=MEMORY` (no temp files).
//!
//! What it holds is listed in [`schema`]; the typed accessors live in the sibling modules.
//! [`Vault::wipe`] removes every row, vacuums, closes, deletes the files and the keyring entries
//! (the vault key and the PIN pepper).

mod device_keys;
mod envelopes;
mod expired;
mod handled;
pub mod key;
mod outbox;
mod pin_guard;
mod schema;
mod settings;

pub use envelopes::StoredEnvelope;
pub use expired::{ExpiredSignal, EXPIRED_KEEP_SECS};
pub use outbox::QueuedReceipt;
pub use pin_guard::{PinClaim, PinFailures};
pub use settings::Setting;

use key::{PinPepper, VaultKey};
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};

/// The database file inside the data directory.
pub const VAULT_FILE: &str = "vault.db";
/// Files SQLite may put next to the database; removed by a wipe.
const SIDE_FILES: [&str; 3] = ["vault.db-journal", "vault.db-wal", "vault.db-shm"];

/// Why the vault could not be used. Messages never contain stored content.
#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    #[error("er is nog geen kluis op deze computer: meld dit apparaat eerst aan")]
    NotFound,
    #[error("er staat al een kluis in deze map: wis die eerst of kies een andere map")]
    AlreadyExists,
    #[error(transparent)]
    Keyring(#[from] hwc_keystore::KeystoreError),
    #[error("de sleutel van de kluis ontbreekt in de sleutelbos; zonder die sleutel is de kluis niet te openen: wis de kluis en meld dit apparaat opnieuw aan")]
    KeyMissing,
    #[error("de sleutel van de kluis in de sleutelbos is beschadigd: wis de kluis en meld dit apparaat opnieuw aan")]
    KeyMalformed,
    #[error("de kluis kan niet worden geopend met de sleutel uit de sleutelbos: wis de kluis en meld dit apparaat opnieuw aan")]
    WrongKey,
    #[error("het tweede geheim van de pincode ontbreekt in de sleutelbos; zonder dat geheim kan dit apparaat geen signalen meer openen, ook niet met de juiste pincode: wis dit apparaat en meld het opnieuw aan")]
    PepperMissing,
    #[error("het tweede geheim van de pincode in de sleutelbos is beschadigd; dit apparaat kan geen signalen meer openen: wis dit apparaat en meld het opnieuw aan")]
    PepperMalformed,
    #[error("de sleutel die signalen opent is in deze kluis niet met een pincode beveiligd (gemaakt door een oudere versie of beschadigd): wis dit apparaat en meld het opnieuw aan")]
    NoPinProtection,
    #[error("de kluis is gemaakt door een nieuwere versie van deze app (versie {0}); werk de app bij")]
    TooNew(i64),
    #[error("de kluis bevat een onleesbare waarde ({0}): wis de kluis en meld dit apparaat opnieuw aan")]
    Corrupt(&'static str),
    #[error("de willekeurige bron van het systeem werkt niet")]
    NoRandomness,
    #[error("de kluis gaf een databasefout: {0}")]
    Database(#[from] rusqlite::Error),
    #[error("de map van de kluis is niet te gebruiken: {0}")]
    Io(#[from] std::io::Error),
}

/// What the vault holds, for the app's privacy view: presence and counts, no content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VaultStatus {
    /// The key that signs this device's requests and receipts (protected by the vault key).
    pub has_signing_key: bool,
    /// The key that opens signals.
    pub has_open_key: bool,
    /// The open key is sealed with the PIN and the pepper in the keyring: without the PIN,
    /// nothing on this computer opens a signal.
    pub open_key_pin_protected: bool,
    /// Wrong PINs entered in a row (kept across restarts; reset by a correct PIN).
    pub wrong_pin_attempts: u32,
    /// Names of the settings present (such as `relay_url`), never their values.
    pub settings: Vec<&'static str>,
    /// Sealed signals waiting to be handled.
    pub sealed_signals: usize,
    /// Signed receipts waiting to be delivered.
    pub receipts_waiting: usize,
    /// Ids of handled signals (no content), kept until their envelope's expiry so that a
    /// handled signal cannot come back.
    pub handled_signals: usize,
    /// Notices of signals that expired here unhandled, not yet seen.
    pub expired_unhandled: usize,
}

/// An open vault.
pub struct Vault {
    conn: Connection,
    dir: PathBuf,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Vault(..)")
    }
}

/// The canonical form of a data directory, which names the keyring entry.
fn canonical(dir: &Path) -> Result<PathBuf, VaultError> {
    match dir.canonicalize() {
        Ok(path) => Ok(path),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(VaultError::NotFound),
        Err(e) => Err(VaultError::Io(e)),
    }
}

/// Whether `dir` holds a vault file (it is created only by a completed enrollment).
pub fn exists(dir: &Path) -> bool {
    dir.join(VAULT_FILE).is_file()
}

impl Vault {
    /// Creates a new vault in `dir` (made if missing, and made private to this user) with a
    /// fresh key in the keyring.
    pub fn create(dir: &Path) -> Result<Self, VaultError> {
        hwc_hardening::private_fs::create_private_dir(dir)?;
        let dir = canonical(dir)?;
        if exists(&dir) {
            return Err(VaultError::AlreadyExists);
        }
        let key = VaultKey::generate()?;
        key::store(&dir, &key)?;
        match Self::open_file(&dir, &key, true) {
            Ok(vault) => Ok(vault),
            Err(e) => {
                let _ = key::delete(&dir);
                remove_files(&dir);
                Err(e)
            }
        }
    }

    /// Opens the existing vault in `dir` with its key from the keyring.
    pub fn open(dir: &Path) -> Result<Self, VaultError> {
        let dir = canonical(dir)?;
        if !exists(&dir) {
            return Err(VaultError::NotFound);
        }
        let key = key::load(&dir)?;
        Self::open_file(&dir, &key, false)
    }

    /// Opens (or creates) the database file with `key` and sets the pragmas.
    pub(crate) fn open_file(dir: &Path, key: &VaultKey, create: bool) -> Result<Self, VaultError> {
        let path = dir.join(VAULT_FILE);
        let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        if create {
            flags |= OpenFlags::SQLITE_OPEN_CREATE;
        }
        let conn = Connection::open_with_flags(&path, flags)?;
        // The app may hold two clients on one vault (window and background poll): wait for the
        // other's write instead of failing at once.
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        // Private to this user from here on (SQLite made it with the process's umask).
        let _ = hwc_hardening::private_fs::make_private(&path);
        // SQLCipher otherwise writes its own error lines (such as a failed page check) to stderr.
        conn.execute_batch("PRAGMA cipher_log_level = NONE;")?;
        conn.execute_batch(&key.pragma())?;
        // The first read shows whether the key fits: SQLCipher reports a wrong key as "not a database".
        match conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0)) {
            Ok(_) => {}
            Err(rusqlite::Error::SqliteFailure(e, _)) if e.code == rusqlite::ErrorCode::NotADatabase => {
                return Err(VaultError::WrongKey)
            }
            Err(e) => return Err(e.into()),
        }
        conn.pragma_update(None, "secure_delete", "ON")?;
        let mode: String = conn.query_row("PRAGMA journal_mode = DELETE", [], |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("delete") {
            return Err(VaultError::Corrupt("journal_mode"));
        }
        conn.pragma_update(None, "temp_store", "MEMORY")?;
        if let Some(version) = schema::migrate(&conn)? {
            return Err(VaultError::TooNew(version));
        }
        Ok(Self { conn, dir: dir.to_path_buf() })
    }

    /// The canonical data directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Presence and counts, for the privacy view.
    pub fn status(&self) -> Result<VaultStatus, VaultError> {
        let keys = self.key_presence()?;
        Ok(VaultStatus {
            has_signing_key: keys.signing,
            has_open_key: keys.wrapped_open || keys.plain_open,
            open_key_pin_protected: keys.wrapped_open && !keys.plain_open,
            wrong_pin_attempts: self.pin_failures()?.count,
            settings: self.setting_names()?,
            sealed_signals: self.envelope_count()?,
            receipts_waiting: self.outbox_count()?,
            handled_signals: self.handled_count()?,
            expired_unhandled: self.expired_count()?,
        })
    }

    /// Makes and stores a fresh PIN pepper in the keyring (enrollment).
    pub(crate) fn create_pin_pepper(&self) -> Result<PinPepper, VaultError> {
        key::create_pepper(&self.dir)
    }

    /// The PIN pepper from the keyring.
    pub(crate) fn pin_pepper(&self) -> Result<PinPepper, VaultError> {
        key::load_pepper(&self.dir)
    }

    /// [`Vault::wipe`] for a vault held inside another value: afterwards this `Vault` is an
    /// empty in-memory database and the files and keyring entries are gone.
    pub(crate) fn wipe_in_place(&mut self) -> Result<(), VaultError> {
        let placeholder = match Connection::open_in_memory() {
            Ok(conn) => conn,
            // Without a placeholder the connection stays; its files and keys go anyway.
            Err(_) => return destroy_canonical(&self.dir),
        };
        let conn = std::mem::replace(&mut self.conn, placeholder);
        let wiped = Vault { conn, dir: self.dir.clone() }.wipe();
        match wiped {
            Ok(()) => Ok(()),
            Err(e) => destroy_canonical(&self.dir).and(Err(e)),
        }
    }

    /// Deletes every row, vacuums, closes, deletes the files and the keyring entries.
    pub fn wipe(self) -> Result<(), VaultError> {
        for table in schema::TABLES {
            self.conn.execute(&format!("DELETE FROM {table}"), [])?;
        }
        self.conn.execute_batch("VACUUM")?;
        let dir = self.dir.clone();
        self.conn.close().map_err(|(_, e)| VaultError::Database(e))?;
        destroy_canonical(&dir)
    }
}

/// Removes the vault files and the keyring entries of `dir` without opening the vault (for a
/// vault whose key is lost). Missing pieces are fine.
pub fn destroy(dir: &Path) -> Result<(), VaultError> {
    match canonical(dir) {
        Ok(dir) => destroy_canonical(&dir),
        Err(VaultError::NotFound) => Ok(()),
        Err(e) => Err(e),
    }
}

fn destroy_canonical(dir: &Path) -> Result<(), VaultError> {
    for name in std::iter::once(VAULT_FILE).chain(SIDE_FILES) {
        match std::fs::remove_file(dir.join(name)) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e.into()),
        }
    }
    key::delete(dir)
}

fn remove_files(dir: &Path) {
    for name in std::iter::once(VAULT_FILE).chain(SIDE_FILES) {
        let _ = std::fs::remove_file(dir.join(name));
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A stand-in for a stored envelope (the frame is filler): id `[byte; 16]`, received at 100.
    pub(crate) fn stub_envelope(byte: u8, expires_at: i64) -> StoredEnvelope {
        StoredEnvelope {
            signal_id: hwc_protocol::SignalId::from_bytes([byte; 16]),
            frame: vec![byte; 40],
            received_at: 100,
            expires_at,
        }
    }

    /// A vault opened with a fixed key, without the keyring.
    pub(crate) fn vault_with_key(dir: &Path, byte: u8, create: bool) -> Result<Vault, VaultError> {
        Vault::open_file(dir, &VaultKey::from_bytes([byte; 32]), create)
    }

    /// Uses the real OS keyring (run under `xtask/with-test-keyring.sh`).
    #[test]
    fn keyring_backed_vault_round_trips_and_wipes_completely() {
        let dir = tempfile::tempdir().unwrap();
        let mut vault = Vault::create(dir.path()).unwrap();
        assert!(matches!(Vault::create(dir.path()), Err(VaultError::AlreadyExists)));
        vault.set(Setting::School, "12AB").unwrap();
        drop(vault);
        let vault = Vault::open(dir.path()).unwrap();
        assert_eq!(vault.get(Setting::School).unwrap().as_deref(), Some("12AB"));
        let canonical = vault.dir().to_path_buf();
        vault.wipe().unwrap();
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        assert!(matches!(key::load(&canonical), Err(VaultError::KeyMissing)));
        assert!(matches!(Vault::open(dir.path()), Err(VaultError::NotFound)));
        destroy(dir.path()).unwrap();
    }

    /// The folder (a user name with a space and a diaeresis in its path) and the vault file are
    /// readable by this user alone: mode 0700/0600, or on Windows an access list for the user.
    #[test]
    fn vault_folder_and_file_are_private_to_the_user() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("Zoë de Vries").join("HwC School");
        let vault = Vault::create(&dir).unwrap();
        assert!(hwc_hardening::private_fs::is_private(&dir).unwrap());
        assert!(hwc_hardening::private_fs::is_private(&dir.join(VAULT_FILE)).unwrap());
        vault.wipe().unwrap();
    }

    /// Uses the real OS keyring: the pepper has its own entry, and a wipe removes it too.
    #[test]
    fn pin_pepper_lives_in_its_own_keyring_entry_and_goes_with_a_wipe() {
        let dir = tempfile::tempdir().unwrap();
        let vault = Vault::create(dir.path()).unwrap();
        assert!(matches!(vault.pin_pepper(), Err(VaultError::PepperMissing)));
        let made = vault.create_pin_pepper().unwrap();
        assert_eq!(vault.pin_pepper().unwrap().bytes(), made.bytes());
        let vault_key = key::load(vault.dir()).unwrap();
        assert!(!vault_key.pragma().contains(&hex::encode(made.bytes())), "a separate secret");
        let canonical = vault.dir().to_path_buf();
        let mut vault = vault;
        vault.wipe_in_place().unwrap();
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        assert!(matches!(key::load_pepper(&canonical), Err(VaultError::PepperMissing)));
        assert!(matches!(key::load(&canonical), Err(VaultError::KeyMissing)));
    }

    #[test]
    fn wrong_key_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let mut vault = vault_with_key(dir.path(), 1, true).unwrap();
        vault.set(Setting::RelayUrl, "https://relay.example").unwrap();
        drop(vault);
        assert!(matches!(vault_with_key(dir.path(), 2, false), Err(VaultError::WrongKey)));
        let vault = vault_with_key(dir.path(), 1, false).unwrap();
        assert_eq!(vault.get(Setting::RelayUrl).unwrap().as_deref(), Some("https://relay.example"));
    }

    #[test]
    fn file_is_not_readable_as_plain_sqlite_and_has_no_side_files() {
        let dir = tempfile::tempdir().unwrap();
        let mut vault = vault_with_key(dir.path(), 7, true).unwrap();
        vault.set(Setting::School, "12AB").unwrap();
        drop(vault);
        let bytes = std::fs::read(dir.path().join(VAULT_FILE)).unwrap();
        assert!(!bytes.starts_with(b"SQLite format 3"));
        assert!(!bytes.windows(4).any(|w| w == b"12AB"));
        assert!(!bytes.windows(8).any(|w| w == b"settings"));
        for side in SIDE_FILES {
            assert!(!dir.path().join(side).exists(), "{side}");
        }
    }

    #[test]
    fn status_counts_without_content() {
        let dir = tempfile::tempdir().unwrap();
        let mut vault = vault_with_key(dir.path(), 3, true).unwrap();
        let empty = vault.status().unwrap();
        assert_eq!(
            empty,
            VaultStatus {
                has_signing_key: false,
                has_open_key: false,
                open_key_pin_protected: false,
                wrong_pin_attempts: 0,
                settings: vec![],
                sealed_signals: 0,
                receipts_waiting: 0,
                handled_signals: 0,
                expired_unhandled: 0,
            }
        );
        vault.set(Setting::School, "12AB").unwrap();
        vault.set(Setting::InboxCursor, "4").unwrap();
        let status = vault.status().unwrap();
        assert_eq!(status.settings, vec!["school", "inbox_cursor"]);
    }
}
