//! The sender's local state: one SQLCipher database, `state.db`, in the state directory,
//! encrypted with the key from [`crate::db_key`]. `secure_delete` overwrites deleted rows and
//! the rollback journal (`journal_mode=DELETE`) is removed after each transaction, so no WAL
//! file lingers. Temporary tables live in memory.

mod locations;
mod profile;
mod queries;
mod schema;
mod tally;

pub use locations::Location;
pub use queries::{Counts, LocalDevice, Outstanding, Settle, SummerRule, SETTLED_KEEP_SECS};
pub use tally::{TallyKind, TallyRow, DEFAULT_COUNTS_KEEP_MONTHS, MAX_COUNTS_KEEP_MONTHS};

use crate::db_key::DbKey;
use crate::error::{Result, SendError};
use rusqlite::{Connection, OpenFlags};
use std::path::Path;

/// An open, unlocked sender database.
pub struct Store {
    conn: Connection,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Store(..)")
    }
}

impl Store {
    /// Creates a new database at `path` (which must not exist yet) with the tables.
    pub fn create(path: &Path, key: &DbKey) -> Result<Self> {
        // Create the file ourselves so it is private from the first byte on.
        hwc_hardening::private_fs::create_private_file(path)
            .map_err(|e| SendError::StateDir { dir: path.to_path_buf(), reason: crate::io_reason(&e) })?;
        let mut store = Self::unlock(path, key)?;
        let tx = store.conn.transaction()?;
        schema::create(&tx)?;
        tx.pragma_update(None, "user_version", schema::SCHEMA_VERSION)?;
        tx.commit()?;
        Ok(store)
    }

    /// Opens an existing database; a wrong key is [`SendError::WrongKey`].
    pub fn open(path: &Path, key: &DbKey) -> Result<Self> {
        let mut store = Self::unlock(path, key)?;
        let mut version: i64 = store.conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        // Each step in its own transaction, in order, so an interrupted upgrade resumes.
        let steps = [(1, schema::MIGRATE_1_TO_2), (2, schema::MIGRATE_2_TO_3), (3, schema::MIGRATE_3_TO_4)];
        for (from, step) in steps {
            if version == from {
                let tx = store.conn.transaction()?;
                tx.execute_batch(step)?;
                tx.pragma_update(None, "user_version", from + 1)?;
                tx.commit()?;
                version = from + 1;
            }
        }
        if version == 4 || version == 5 {
            let tx = store.conn.transaction()?;
            schema::complete_5(&tx)?;
            tx.pragma_update(None, "user_version", 5)?;
            tx.commit()?;
            version = 5;
        }
        if version == 5 || version == 6 {
            let tx = store.conn.transaction()?;
            schema::complete_6(&tx)?;
            tx.pragma_update(None, "user_version", 6)?;
            tx.commit()?;
            version = 6;
        }
        if version == 6 {
            let tx = store.conn.transaction()?;
            schema::complete_7(&tx)?;
            tx.pragma_update(None, "user_version", 7)?;
            tx.commit()?;
            version = 7;
        }
        if version != schema::SCHEMA_VERSION {
            return Err(SendError::CorruptState("onbekende schemaversie"));
        }
        Ok(store)
    }

    fn unlock(path: &Path, key: &DbKey) -> Result<Self> {
        let conn =
            Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
        // SQLCipher would otherwise print its own English lines on a wrong key.
        conn.execute_batch("PRAGMA cipher_log_level = NONE;")?;
        let statement = zeroize::Zeroizing::new(format!("PRAGMA key = \"x'{}'\";", key.hex().as_str()));
        conn.execute_batch(&statement)?;
        // The key is only checked when the first page is read.
        match conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0)) {
            Ok(_) => {}
            Err(rusqlite::Error::SqliteFailure(e, _)) if e.code == rusqlite::ErrorCode::NotADatabase => {
                return Err(SendError::WrongKey)
            }
            Err(e) => return Err(e.into()),
        }
        // Another hwc-send run may hold the lock for a moment.
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.pragma_update(None, "secure_delete", "ON")?;
        let mode: String = conn.pragma_update_and_check(None, "journal_mode", "DELETE", |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("delete") {
            return Err(SendError::CorruptState("journal_mode kon niet op DELETE worden gezet"));
        }
        conn.pragma_update(None, "temp_store", "MEMORY")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        Ok(Self { conn })
    }

    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }

    pub(crate) fn conn_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }
}

#[cfg(test)]
mod tests;
