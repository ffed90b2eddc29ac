//! The relay's storage, behind the trait [`backend::RelayStore`]. The default is one SQLite file holding routing data and ciphertext only. Writes go to
//! one writer thread that commits the writes arriving together in one transaction
//! ([`SqliteStore::call`], see [`group_commit`]); every write the API acknowledges is committed (WAL,
//! `synchronous=FULL`) before the answer goes out. Reads use connections of their own on
//! blocking threads ([`SqliteStore::read`]), so a long-poll never waits behind a commit.
//!
//! One file per concern: schema, schools, enrollments, devices, signals, inbox, receipts,
//! office items, stats, nonces and the expiry sweep.

pub mod backend;
pub mod devices;
pub mod enrollments;
pub mod group_commit;
pub mod inbox;
pub mod nonces;
pub mod office_items;
pub mod offices;
pub mod pin_guard;
pub mod postgres;
pub mod profiles;
pub mod receipts;
pub mod schema;
pub mod schools;
pub mod signals;
mod sqlite_backend;
pub mod stats;
pub mod sweep;

use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
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
    #[error("the database file's permissions cannot be restricted: {0}")]
    Permissions(#[from] std::io::Error),
    #[error("the database refused the setting {0}")]
    Setting(&'static str),
    #[error("the database could not commit: {0}")]
    CommitFailed(String),
    #[error("PostgreSQL: {0}")]
    Postgres(String),
    #[error("too many writes are waiting for the database")]
    Busy,
}

/// Makes the database file (and a `-wal` or `-shm` file left next to it) readable and writable
/// by the owner only, before SQLite opens it. A missing database file is first created empty
/// with that mode, so it is never readable by others, not even for a moment; SQLite takes an
/// empty file as a new database and gives the `-wal` and `-shm` files it makes the same mode.
#[cfg(unix)]
fn restrict_file(path: &Path) -> Result<(), std::io::Error> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    std::fs::OpenOptions::new().write(true).create(true).truncate(false).mode(0o600).open(path)?;
    let mut names = vec![path.to_path_buf()];
    for suffix in ["-wal", "-shm"] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        names.push(PathBuf::from(name));
    }
    for (i, name) in names.iter().enumerate() {
        match std::fs::set_permissions(name, std::fs::Permissions::from_mode(0o600)) {
            // Only the database itself must exist; SQLite makes the others when it needs them.
            Err(e) if i > 0 && e.kind() == std::io::ErrorKind::NotFound => {}
            other => other?,
        }
    }
    Ok(())
}

#[cfg(not(unix))]
fn restrict_file(_path: &Path) -> Result<(), std::io::Error> {
    Ok(())
}

/// Read connections: enough for both cores to read at once.
const READERS: usize = 2;

/// Handle to the relay database; cheap to clone.
#[derive(Clone)]
pub struct SqliteStore {
    writer: group_commit::Writer,
    readers: Arc<Vec<Mutex<Connection>>>,
    next_reader: Arc<AtomicUsize>,
    path: PathBuf,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SqliteStore({})", self.path.display())
    }
}

impl SqliteStore {
    /// Opens (or creates) the database file and brings its schema up. The file is readable and
    /// writable by the relay's user only (0600; SQLite gives its `-wal` and `-shm` files the
    /// same mode), and deleted rows are overwritten with zeros (`secure_delete`).
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        restrict_file(path)?;
        let conn = Connection::open(path)?;
        conn.busy_timeout(Duration::from_secs(5))?;
        // These pragmas answer with the resulting setting, so they are read, not executed.
        let secure: i64 = conn.query_row("PRAGMA secure_delete=ON", [], |row| row.get(0))?;
        if secure != 1 {
            return Err(StoreError::Setting("secure_delete"));
        }
        let _mode: String = conn.query_row("PRAGMA journal_mode=WAL", [], |row| row.get(0))?;
        conn.execute_batch("PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;")?;
        schema::create(&conn)?;
        let mut readers = Vec::with_capacity(READERS);
        for _ in 0..READERS {
            let reader =
                Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
            reader.busy_timeout(Duration::from_secs(5))?;
            readers.push(Mutex::new(reader));
        }
        Ok(Self {
            writer: group_commit::Writer::start(conn)?,
            readers: Arc::new(readers),
            next_reader: Arc::new(AtomicUsize::new(0)),
            path: path.to_path_buf(),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs the write `f` on the writer thread; answers once it is committed (or rolled back
    /// alone, when `f` fails).
    pub async fn call<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    {
        self.writer.call(f).await
    }

    /// Runs the read-only `f` on a read connection, on a blocking thread. It sees every write
    /// that was answered before it started.
    pub async fn read<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let readers = Arc::clone(&self.readers);
        let first = self.next_reader.fetch_add(1, Ordering::Relaxed);
        tokio::task::spawn_blocking(move || {
            // A free connection if there is one, else wait for the one in turn. A panic while
            // holding a lock leaves nothing half-done on a read connection.
            let free = (0..readers.len()).find_map(|i| readers[(first + i) % readers.len()].try_lock().ok());
            let guard = free.unwrap_or_else(|| {
                readers[first % readers.len()].lock().unwrap_or_else(|poisoned| poisoned.into_inner())
            });
            f(&guard)
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
    pub fn temp_store() -> (tempfile::TempDir, SqliteStore) {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("relay.db")).unwrap();
        (dir, store)
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::temp_store;

    #[test]
    fn deletes_securely() {
        let (_dir, store) = temp_store();
        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let secure: i64 =
            runtime.block_on(store.call(|conn| Ok(conn.query_row("PRAGMA secure_delete", [], |r| r.get(0))?))).unwrap();
        assert_eq!(secure, 1);
    }

    #[cfg(unix)]
    #[test]
    fn database_files_are_for_the_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let mode = |path: &std::path::Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("relay.db");
        let store = super::SqliteStore::open(&path).unwrap();
        // A write, so the -wal and -shm files certainly exist.
        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        runtime
            .block_on(store.call(|conn| Ok(conn.execute("INSERT INTO schools VALUES ('12AB', 'office', 1)", [])?)))
            .unwrap();
        for suffix in ["", "-wal", "-shm"] {
            let file = dir.path().join(format!("relay.db{suffix}"));
            assert_eq!(mode(&file), 0o600, "{}", file.display());
        }
        drop(store);

        // An existing database (and its leftovers) that others could read is restricted on open.
        for suffix in ["", "-wal", "-shm"] {
            let file = dir.path().join(format!("relay.db{suffix}"));
            if file.exists() {
                std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
            }
        }
        let _again = super::SqliteStore::open(&path).unwrap();
        for suffix in ["", "-wal", "-shm"] {
            let file = dir.path().join(format!("relay.db{suffix}"));
            if file.exists() {
                assert_eq!(mode(&file), 0o600, "{}", file.display());
            }
        }
    }

    #[test]
    fn opens_twice_with_wal_and_schema_version() {
        let (dir, store) = temp_store();
        drop(store);
        let _again = super::SqliteStore::open(&dir.path().join("relay.db")).unwrap();
        let conn = rusqlite::Connection::open(dir.path().join("relay.db")).unwrap();
        let mode: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
        assert_eq!(mode, "wal");
        let version: i64 = conn.query_row("SELECT version FROM schema_version", [], |r| r.get(0)).unwrap();
        assert_eq!(version, super::schema::VERSION);
    }
}
