//! A real relay for tests of this and other crates: [`TestRelay::start`] runs the server on a
//! free `127.0.0.1` port, on its own thread with its own tokio runtime and a temporary
//! database, and stops it when dropped.

use crate::config::Config;
use crate::server::{serve_state, ServeError};
use crate::state::AppState;
use hwc_protocol::OfficePublicKey;
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::thread::JoinHandle;
use tokio::sync::oneshot;

/// A running relay; dropping it shuts the server down and deletes its database.
pub struct TestRelay {
    addr: SocketAddr,
    db_path: PathBuf,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
    _dir: tempfile::TempDir,
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

    /// Starts a relay trusting `office_keys` that sweeps every `sweep_interval_secs`.
    pub fn try_start_with_sweep_interval(
        office_keys: Vec<OfficePublicKey>,
        sweep_interval_secs: u64,
    ) -> Result<TestRelay, ServeError> {
        let dir = tempfile::tempdir()?;
        let db_path = dir.path().join("relay.db");
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let addr = listener.local_addr()?;
        let mut config = Config::new(addr, db_path.clone(), office_keys);
        config.sweep_interval_secs = sweep_interval_secs.max(1);
        let state = AppState::open(&db_path, config.office_keys.clone())?;
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
        let (stop, stopped) = oneshot::channel::<()>();
        let thread = std::thread::Builder::new().name(format!("test-relay-{}", addr.port())).spawn(move || {
            let shutdown = async move {
                let _ = stopped.await;
            };
            if let Err(error) = runtime.block_on(serve_state(state, &config, listener, shutdown)) {
                eprintln!("test relay stopped with an error: {error}");
            }
        })?;
        Ok(TestRelay { addr, db_path, stop: Some(stop), thread: Some(thread), _dir: dir })
    }

    /// The base URL, like `http://127.0.0.1:41234` (no trailing slash).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The address the relay listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The relay's SQLite database file.
    pub fn db_path(&self) -> &Path {
        &self.db_path
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
