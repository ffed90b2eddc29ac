//! A real relay for tests of this and other crates: [`TestRelay::start`] runs the server on a
//! free `127.0.0.1` port, on its own thread with its own tokio runtime and a temporary
//! database, and stops it when dropped.
//!
//! When the environment names a relay host ([`remote::HOST_ENV`], set by `cargo xtask windows`
//! for the tests it runs under wine), the relay is instead a real `hwc-relay` process on this
//! Linux machine that the host starts for the test and stops when the test lets go of it.
//!
//! The store is SQLite unless the environment names a PostgreSQL server for tests
//! ([`POSTGRES_ENV`], set by `cargo xtask test` for its PostgreSQL round): then every relay gets
//! a fresh database of its own on that server ([`fresh_postgres_database`]).

use crate::config::Config;
use crate::school_assignments::SchoolAssignments;
use crate::server::{serve_state, ServeError};
use crate::state::AppState;
use hwc_protocol::OfficePublicKey;
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::thread::JoinHandle;
use tokio::sync::oneshot;

pub mod remote;

/// The environment variable with the superuser address of a PostgreSQL server for tests
/// (`postgres://user:password@127.0.0.1:port/postgres`).
pub const POSTGRES_ENV: &str = "HWC_TEST_POSTGRES";

/// The test server's superuser address, when the tests run against PostgreSQL.
pub fn postgres_admin_url() -> Option<String> {
    std::env::var(POSTGRES_ENV).ok().filter(|url| !url.is_empty())
}

fn postgres_error(error: tokio_postgres::Error) -> std::io::Error {
    std::io::Error::other(format!("PostgreSQL for tests: {error}"))
}

/// Connects to `url`, runs `sql` (one or more statements) and closes the connection; the rows
/// come back as text.
async fn postgres_run(url: &str, sql: &str) -> std::io::Result<Vec<tokio_postgres::SimpleQueryMessage>> {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls).await.map_err(postgres_error)?;
    let task = tokio::spawn(connection);
    let result = client.simple_query(sql).await.map_err(postgres_error);
    drop(client);
    let _ = task.await;
    result
}

/// Runs `sql` on the test server as its superuser.
pub async fn postgres_admin(admin_url: &str, sql: &str) -> std::io::Result<()> {
    postgres_run(admin_url, sql).await.map(|_| ())
}

/// Creates an empty database with a random name on the test server; returns its address.
pub async fn fresh_postgres_database(admin_url: &str) -> std::io::Result<String> {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).map_err(|e| std::io::Error::other(e.to_string()))?;
    let name = format!("hwc_test_{}", hex::encode(bytes));
    postgres_admin(admin_url, &format!("CREATE DATABASE {name}")).await?;
    Ok(database_url(admin_url, &name))
}

/// `admin_url` with its database replaced by `name`.
pub fn database_url(admin_url: &str, name: &str) -> String {
    match admin_url.rsplit_once('/') {
        Some((server, _)) => format!("{server}/{name}"),
        None => admin_url.to_string(),
    }
}

/// The database name at the end of a `postgres://.../name` address.
fn database_name(url: &str) -> &str {
    url.rsplit_once('/').map(|(_, name)| name).unwrap_or_default()
}

/// A running relay; dropping it shuts the server down and deletes its database.
pub struct TestRelay {
    addr: SocketAddr,
    db_path: PathBuf,
    /// The PostgreSQL database's address, when the store is PostgreSQL.
    postgres: Option<String>,
    /// A connection holding SQLite's write lock (see [`TestRelay::make_store_unavailable`]).
    lock: std::sync::Mutex<Option<rusqlite::Connection>>,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
    /// The temporary folder of the database (a relay of the host keeps its own).
    _dir: Option<tempfile::TempDir>,
    /// The line to the relay host while it keeps a relay for this test.
    _remote: Option<std::net::TcpStream>,
}

impl TestRelay {
    /// Starts a relay trusting `office_keys`. Panics when it cannot start (tests only).
    pub fn start(office_keys: Vec<OfficePublicKey>) -> TestRelay {
        match Self::try_start(office_keys) {
            Ok(relay) => relay,
            Err(error) => panic!("test relay did not start: {error}"),
        }
    }

    /// Starts a relay trusting `office_keys` that sweeps once at start and then only every
    /// `sweep_interval_secs` (`GET /v1/receipts` still sweeps), so a test can see what happens
    /// between an envelope's expiry and the sweep. Panics when it cannot start (tests only).
    pub fn start_with_sweep_interval(office_keys: Vec<OfficePublicKey>, sweep_interval_secs: u64) -> TestRelay {
        match Self::try_start_with_sweep_interval(office_keys, sweep_interval_secs) {
            Ok(relay) => relay,
            Err(error) => panic!("test relay did not start: {error}"),
        }
    }

    /// Starts a relay trusting `office_keys` that sweeps every second.
    pub fn try_start(office_keys: Vec<OfficePublicKey>) -> Result<TestRelay, ServeError> {
        Self::try_start_with_sweep_interval(office_keys, 1)
    }

    /// Starts a relay whose offices and their schools come from `assignments` (as with
    /// `--school-assignments`). Always in this process, also when tests run under wine.
    pub fn start_with_assignments(assignments: SchoolAssignments) -> TestRelay {
        let keys = assignments.keys().collect();
        Self::start_with(keys, |config| config.school_assignments = Some(assignments))
    }

    /// Starts a relay trusting `office_keys` with settings changed by `adjust` (in this process,
    /// also when tests run under wine). Panics when it cannot start (tests only).
    pub fn start_with(office_keys: Vec<OfficePublicKey>, adjust: impl FnOnce(&mut Config)) -> TestRelay {
        match Self::start_here(office_keys, 1, adjust) {
            Ok(relay) => relay,
            Err(error) => panic!("test relay did not start: {error}"),
        }
    }

    /// Starts a relay trusting `office_keys` behind the proxies or balancers at `fronts` (its
    /// `--public-url`s): it answers only requests signed for them, as in production.
    pub fn start_behind(office_keys: Vec<OfficePublicKey>, fronts: &[&str]) -> TestRelay {
        match Self::try_start_full(office_keys, 1, fronts.iter().map(ToString::to_string).collect()) {
            Ok(relay) => relay,
            Err(error) => panic!("test relay did not start: {error}"),
        }
    }

    /// Starts a relay trusting `office_keys` that sweeps every `sweep_interval_secs`.
    pub fn try_start_with_sweep_interval(
        office_keys: Vec<OfficePublicKey>,
        sweep_interval_secs: u64,
    ) -> Result<TestRelay, ServeError> {
        Self::try_start_full(office_keys, sweep_interval_secs, Vec::new())
    }

    /// Starts a relay, at the relay host when tests run under wine, else in this process.
    fn try_start_full(
        office_keys: Vec<OfficePublicKey>,
        sweep_interval_secs: u64,
        public_urls: Vec<String>,
    ) -> Result<TestRelay, ServeError> {
        if let Some(host) = remote::host() {
            let asked =
                remote::RemoteRequest { sweep_interval_secs: sweep_interval_secs.max(1), office_keys, public_urls };
            let relay = remote::start(&host, &asked)?;
            return Ok(TestRelay {
                addr: relay.addr,
                db_path: relay.db_path,
                postgres: None,
                lock: Default::default(),
                stop: None,
                thread: None,
                _dir: None,
                _remote: Some(relay.line),
            });
        }
        let public_urls = public_urls
            .iter()
            .map(|url| hwc_protocol::RelayAddress::parse(url))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| ServeError::Settings(e.to_string()))?;
        Self::start_here(office_keys, sweep_interval_secs, |config| config.public_urls = public_urls)
    }

    /// Starts a relay in this process, on a fresh database.
    fn start_here(
        office_keys: Vec<OfficePublicKey>,
        sweep_interval_secs: u64,
        adjust: impl FnOnce(&mut Config),
    ) -> Result<TestRelay, ServeError> {
        let dir = tempfile::tempdir()?;
        let db_path = dir.path().join("relay.db");
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let addr = listener.local_addr()?;
        let mut config = Config::new(addr, db_path.clone(), office_keys);
        config.sweep_interval_secs = sweep_interval_secs.max(1);
        adjust(&mut config);
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
        if let Some(admin) = postgres_admin_url() {
            config.postgres = Some(runtime.block_on(fresh_postgres_database(&admin))?);
        }
        let postgres = config.postgres.clone();
        let state = runtime.block_on(AppState::open_configured(&config))?;
        let (stop, stopped) = oneshot::channel::<()>();
        let thread = std::thread::Builder::new().name(format!("test-relay-{}", addr.port())).spawn(move || {
            let shutdown = async move {
                let _ = stopped.await;
            };
            if let Err(error) = runtime.block_on(serve_state(state, &config, listener, shutdown)) {
                eprintln!("test relay stopped with an error: {error}");
            }
        })?;
        Ok(TestRelay {
            addr,
            db_path,
            postgres,
            lock: Default::default(),
            stop: Some(stop),
            thread: Some(thread),
            _dir: Some(dir),
            _remote: None,
        })
    }

    /// The base URL, like `http://127.0.0.1:41234` (no trailing slash).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The address the relay listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The relay's SQLite database file (unused when the store is PostgreSQL).
    pub fn db_path(&self) -> &Path {
        &self.db_path
    }

    /// The PostgreSQL database's address, when the store is PostgreSQL.
    pub fn postgres_url(&self) -> Option<&str> {
        self.postgres.as_deref()
    }

    /// Counts the rows of `table` in the relay's store, whichever it is (for tests that look
    /// at what the relay keeps). `table` must be one of the relay's table names.
    pub fn count_rows(&self, table: &str) -> std::io::Result<i64> {
        assert!(table.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'), "a table name");
        let sql = format!("SELECT COUNT(*) FROM {table}");
        match &self.postgres {
            Some(url) => postgres_count(url, &sql),
            None => rusqlite::Connection::open(&self.db_path)
                .and_then(|conn| conn.query_row(&sql, [], |row| row.get(0)))
                .map_err(|e| std::io::Error::other(e.to_string())),
        }
    }

    /// Runs `sql` (statements without results) on the relay's store, whichever it is: for tests
    /// that stand in for time passing, say, by moving a stored moment.
    pub fn execute(&self, sql: &str) -> std::io::Result<()> {
        match &self.postgres {
            Some(url) => block_on_admin(url, sql),
            None => rusqlite::Connection::open(&self.db_path)
                .and_then(|conn| conn.execute_batch(sql))
                .map_err(|e| std::io::Error::other(e.to_string())),
        }
    }

    /// Makes the store refuse writes until [`TestRelay::make_store_available`]: SQLite's write
    /// lock taken by another connection, or the PostgreSQL database closed to connections and
    /// the relay's connections ended.
    pub fn make_store_unavailable(&mut self) -> std::io::Result<()> {
        match &self.postgres {
            Some(url) => {
                let admin = postgres_admin_url().ok_or_else(|| std::io::Error::other("no PostgreSQL admin address"))?;
                let name = database_name(url);
                let sql = format!(
                    "ALTER DATABASE {name} ALLOW_CONNECTIONS false;
                     SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}';"
                );
                block_on_admin(&admin, &sql)
            }
            None => {
                let conn =
                    rusqlite::Connection::open(&self.db_path).map_err(|e| std::io::Error::other(e.to_string()))?;
                conn.execute_batch("BEGIN EXCLUSIVE").map_err(|e| std::io::Error::other(e.to_string()))?;
                *self.lock.lock().unwrap_or_else(|p| p.into_inner()) = Some(conn);
                Ok(())
            }
        }
    }

    /// Undoes [`TestRelay::make_store_unavailable`].
    pub fn make_store_available(&mut self) -> std::io::Result<()> {
        match &self.postgres {
            Some(url) => {
                let admin = postgres_admin_url().ok_or_else(|| std::io::Error::other("no PostgreSQL admin address"))?;
                block_on_admin(&admin, &format!("ALTER DATABASE {} ALLOW_CONNECTIONS true", database_name(url)))
            }
            None => {
                if let Some(conn) = self.lock.lock().unwrap_or_else(|p| p.into_inner()).take() {
                    conn.execute_batch("COMMIT").map_err(|e| std::io::Error::other(e.to_string()))?;
                }
                Ok(())
            }
        }
    }
}

impl Drop for TestRelay {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Runs a `SELECT COUNT(*) ...` (or any one-number query) on the PostgreSQL database at `url`.
pub fn postgres_count(url: &str, sql: &str) -> std::io::Result<i64> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let messages = runtime.block_on(postgres_run(url, sql))?;
    messages
        .iter()
        .find_map(|message| match message {
            tokio_postgres::SimpleQueryMessage::Row(row) => row.get(0).and_then(|text| text.parse().ok()),
            _ => None,
        })
        .ok_or_else(|| std::io::Error::other("the query gave no number"))
}

fn block_on_admin(admin: &str, sql: &str) -> std::io::Result<()> {
    tokio::runtime::Builder::new_current_thread().enable_all().build()?.block_on(postgres_admin(admin, sql))
}
