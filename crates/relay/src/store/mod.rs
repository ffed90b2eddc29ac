//! The relay's storage: one SQLite file holding routing data and ciphertext only. The
//! connection lives behind a mutex and is used from blocking threads ([`Store::call`]); every
//! write the API acknowledges is committed (WAL, `synchronous=FULL`) before the answer goes out.
//!
//! One file per concern: schema, schools, enrollments, devices, signals, inbox, receipts,
//! office items, stats, nonces and the expiry sweep.

pub mod devices;
pub mod enrollments;
pub mod inbox;
pub mod nonces;
pub mod office_items;
pub mod receipts;
pub mod schema;
pub mod schools;
pub mod signals;
pub mod stats;
pub mod sweep;

use rusqlite::Connection;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Why the database could not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("the database was made by a different relay version (schema {found}, expected {expected})")]
    SchemaVersion { found: i64, expected: i64 },
    #[error("the database holds a value this relay cannot read ({0})")]
    Corrupt(&'static str),
    #[error("a database task stopped unexpectedly")]
    TaskFailed,
}

/// Handle to the relay database; cheap to clone.
#[derive(Clone)]
pub struct Store {
    conn: Arc<Mutex<Connection>>,
    path: PathBuf,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Store({})", self.path.display())
    }
}

impl Store {
    /// Opens (or creates) the database file and brings its schema up.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(Duration::from_secs(5))?;
        // `journal_mode` answers with the resulting mode, so it is read, not executed.
        let _mode: String = conn.query_row("PRAGMA journal_mode=WAL", [], |row| row.get(0))?;
        conn.execute_batch("PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;")?;
        schema::create(&conn)?;
        Ok(Self { conn: Arc::new(Mutex::new(conn)), path: path.to_path_buf() })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `f` with the connection on a blocking thread.
    pub async fn call<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let conn = Arc::clone(&self.conn);
        tokio::task::spawn_blocking(move || {
            // A panic while holding the lock leaves no open transaction behind (rusqlite rolls
            // back on drop), so a poisoned lock is safe to take over.
            let mut guard = conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            f(&mut guard)
        })
        .await
        .map_err(|_| StoreError::TaskFailed)?
    }
}

/// Reads a text column into a protocol type.
pub(crate) fn parse_col<T: std::str::FromStr>(text: &str, what: &'static str) -> Result<T, StoreError> {
    text.parse().map_err(|_| StoreError::Corrupt(what))
}

#[cfg(test)]
pub(crate) mod test_support {
    use super::*;

    /// A store in a fresh temporary directory (kept alive by the returned guard).
    pub fn temp_store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("relay.db")).unwrap();
        (dir, store)
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::temp_store;

    #[test]
    fn opens_twice_with_wal_and_schema_version() {
        let (dir, store) = temp_store();
        drop(store);
        let again = super::Store::open(&dir.path().join("relay.db")).unwrap();
        let conn = again.conn.lock().unwrap();
        let mode: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
        assert_eq!(mode, "wal");
        let version: i64 = conn.query_row("SELECT version FROM schema_version", [], |r| r.get(0)).unwrap();
        assert_eq!(version, super::schema::VERSION);
    }
}
