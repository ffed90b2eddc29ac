//! Starts the real `hwc-relay` binary as a child process on 127.0.0.1 and stops it again,
//! gently or with SIGKILL, to restart it on the same port and database.
//!
//! The store is the SQLite file at the given path, unless the tests run against PostgreSQL
//! (`HWC_TEST_POSTGRES`, see `hwc_relay::testing`): then the relay gets a fresh database of its
//! own on that server (through the environment, so the password is not on a command line), and
//! a restart keeps it.

use anyhow::{anyhow, bail, Context, Result};
use hwc_protocol::OfficePublicKey;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Duration;

/// Numbers the log files of further instances.
static INSTANCES: AtomicUsize = AtomicUsize::new(1);

/// A running relay process. Killed when dropped.
pub struct RelayProcess {
    child: Option<Child>,
    addr: SocketAddr,
    db: PathBuf,
    office_keys: Vec<OfficePublicKey>,
    extra_args: Vec<String>,
    log: PathBuf,
    /// The PostgreSQL database, when the tests run against PostgreSQL.
    postgres: Option<String>,
}

/// Where cargo put the `hwc-relay` binary: beside this executable, or one level up (tests run
/// from `target/<profile>/deps`).
pub fn relay_binary() -> Result<PathBuf> {
    let exe = std::env::current_exe().context("eigen pad onbekend")?;
    let mut dir = exe.parent();
    while let Some(d) = dir {
        let candidate = d.join("hwc-relay");
        if candidate.is_file() {
            return Ok(candidate);
        }
        if d.file_name().is_some_and(|n| n == "target") {
            break;
        }
        dir = d.parent();
    }
    bail!("hwc-relay is niet gebouwd; draai `cargo build -p hwc-relay` (cargo xtask test doet dat)")
}

impl RelayProcess {
    /// Starts a relay on a free port with a database at `db`, trusting `office_keys`.
    pub fn start(db: &Path, office_keys: &[OfficePublicKey]) -> Result<Self> {
        Self::start_with_args(db, office_keys, &[])
    }

    /// Starts a relay on the SQLite file at `db` whatever the tests run against (for tests of
    /// what the deployment guide says about that file).
    pub fn start_sqlite(db: &Path, office_keys: &[OfficePublicKey]) -> Result<Self> {
        Self::launch(db, office_keys, Vec::new(), db.with_extension("log"), None)
    }

    /// Like [`RelayProcess::start`], with extra command-line arguments (TLS files, say).
    pub fn start_with_args(db: &Path, office_keys: &[OfficePublicKey], extra_args: &[&str]) -> Result<Self> {
        let extra_args = extra_args.iter().map(|a| a.to_string()).collect();
        Self::launch(db, office_keys, extra_args, db.with_extension("log"), fresh_postgres_database()?)
    }

    /// Starts a relay process on a free port with these settings.
    fn launch(
        db: &Path,
        office_keys: &[OfficePublicKey],
        extra_args: Vec<String>,
        log: PathBuf,
        postgres: Option<String>,
    ) -> Result<Self> {
        let mut relay = Self {
            child: None,
            addr: "127.0.0.1:0".parse()?,
            db: db.to_path_buf(),
            office_keys: office_keys.to_vec(),
            extra_args,
            log,
            postgres,
        };
        relay.spawn()?;
        Ok(relay)
    }

    fn spawn(&mut self) -> Result<()> {
        let mut command = Command::new(relay_binary()?);
        command.arg("--listen").arg(self.addr.to_string()).arg("--db").arg(&self.db);
        match &self.postgres {
            Some(url) => command.env("HWC_RELAY_POSTGRES", url),
            None => command.env_remove("HWC_RELAY_POSTGRES"),
        };
        for key in &self.office_keys {
            command.arg("--office-key").arg(key.to_string());
        }
        command.args(&self.extra_args);
        let log = std::fs::OpenOptions::new().create(true).append(true).open(&self.log)?;
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log))
            .spawn()
            .context("hwc-relay kon niet starten")?;
        let stdout = child.stdout.take().ok_or_else(|| anyhow!("geen stdout"))?;
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            if let Some(Ok(line)) = lines.next() {
                let _ = tx.send(line);
            }
            for _ in lines {} // keep draining so the relay never blocks on a full pipe
        });
        let line = match rx.recv_timeout(Duration::from_secs(30)) {
            Ok(line) => line,
            Err(_) => {
                let _ = child.kill();
                bail!("hwc-relay meldde zich niet binnen 30 s; zie {}", self.log.display());
            }
        };
        let addr = line
            .strip_prefix("listening on ")
            .ok_or_else(|| anyhow!("onverwachte eerste regel van hwc-relay: {line}"))?;
        self.addr = addr.trim().parse().context("adres van hwc-relay")?;
        self.child = Some(child);
        Ok(())
    }

    /// The PostgreSQL database's address, when the store is PostgreSQL (else the store is the
    /// SQLite file at [`RelayProcess::db_path`]).
    pub fn postgres_url(&self) -> Option<&str> {
        self.postgres.as_deref()
    }

    /// Starts another relay process on a free port over the same store (the same PostgreSQL
    /// database): a second instance behind the load balancer.
    pub fn another_instance(&self) -> Result<Self> {
        anyhow::ensure!(self.postgres.is_some(), "two relay instances need a shared PostgreSQL store");
        let log = self.db.with_extension(format!("instance-{}.log", INSTANCES.fetch_add(1, Ordering::Relaxed)));
        Self::launch(&self.db, &self.office_keys, self.extra_args.clone(), log, self.postgres.clone())
    }

    /// `http://127.0.0.1:PORT`
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The running process's id, if it runs.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(std::process::Child::id)
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    pub fn db_path(&self) -> &Path {
        &self.db
    }

    /// Everything the relay wrote to stderr (its log).
    pub fn log_path(&self) -> &Path {
        &self.log
    }

    /// Kills the process with SIGKILL: no chance to flush or clean up.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts it again on the same address and database, trusting `office_keys` (what the
    /// hosting party does when an office rotates its key).
    pub fn restart_with_office_keys(&mut self, office_keys: &[OfficePublicKey]) -> Result<()> {
        self.office_keys = office_keys.to_vec();
        self.restart()
    }

    /// Starts it again on the same address and database.
    pub fn restart(&mut self) -> Result<()> {
        self.kill();
        let mut last = Ok(());
        for _ in 0..50 {
            last = self.spawn();
            if last.is_ok() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        last
    }
}

impl Drop for RelayProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A fresh database on the PostgreSQL server for tests, when the tests run against PostgreSQL.
fn fresh_postgres_database() -> Result<Option<String>> {
    let Some(admin) = hwc_relay::testing::postgres_admin_url() else {
        return Ok(None);
    };
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let url = runtime.block_on(hwc_relay::testing::fresh_postgres_database(&admin))?;
    Ok(Some(url))
}
