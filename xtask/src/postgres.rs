//! A throwaway PostgreSQL cluster for the tests: Debian's server binaries, a fresh data directory
//! under `target/postgres-test`, listening on 127.0.0.1 at a free port, stopped and removed on
//! drop. PostgreSQL refuses to run as root, so as root (CI) every PostgreSQL program runs as the
//! `postgres` system user of Debian's package. `cargo xtask postgres-smoke` tries it out.

use anyhow::{bail, Context, Result};
use std::fs;
use std::io::{ErrorKind, Read, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

/// Where Debian's packages put each major version: `<version>/bin/postgres`.
const VERSIONS: &str = "/usr/lib/postgresql";
/// How long the server may take to accept connections.
const READY_TIMEOUT: Duration = Duration::from_secs(30);
/// How often a server is started on a new port when another process took the free one first.
const PORT_ATTEMPTS: usize = 5;
/// Longest Unix socket path (`sun_path` holds 108 bytes, with the terminating NUL).
const SOCKET_PATH_MAX: usize = 107;

/// A PostgreSQL server of Debian's package, in a temporary directory, for the tests: its own data
/// directory under `target/postgres-test`, TCP on 127.0.0.1 only (its Unix socket in the data
/// directory, so it never meets a system cluster in /var/run/postgresql), superuser `hwc` with a
/// random password. Dropping it stops the server and removes the directory.
pub struct Cluster {
    /// `/usr/lib/postgresql/<highest version>/bin`.
    bin: PathBuf,
    /// The data directory, `<root>/target/postgres-test/<pid>-<n>`; also holds `server.log`.
    dir: PathBuf,
    port: u16,
    password: String,
    /// uid and gid of `postgres` when running as root: PostgreSQL's programs then run as that user.
    postgres_user: Option<(u32, u32)>,
    /// The server process (with `runuser` in front of it as root), while it runs.
    server: Option<Child>,
}

impl Cluster {
    /// Starts it (initdb + postgres on 127.0.0.1 at a free port), waits until it accepts connections.
    pub fn start(root: &Path) -> Result<Cluster> {
        let began = Instant::now();
        let bin = bin_dir()?;
        let postgres_user = if current_uid()? == 0 { Some(postgres_ids()?) } else { None };
        let parent = root.join("target/postgres-test");
        prepare_parent(&parent, postgres_user.is_some())?;
        remove_leftovers(&parent);
        let dir = fresh_dir(&parent)?;
        let mut cluster = Cluster { bin, dir, port: 0, password: random_hex(16)?, postgres_user, server: None };
        // From here on a failing step leaves the cleaning up to Drop.
        cluster.hand_over(&cluster.dir)?;
        cluster.check_access()?;
        cluster.initdb()?;
        cluster.serve()?;
        eprintln!(
            "PostgreSQL ({}) gestart op 127.0.0.1:{} in {} ms",
            cluster.bin.display(),
            cluster.port,
            began.elapsed().as_millis()
        );
        Ok(cluster)
    }

    /// `postgres://hwc:<password>@127.0.0.1:<port>/postgres` — a superuser URL tests use to create a database per relay.
    pub fn admin_url(&self) -> String {
        self.url("postgres")
    }

    /// Creates the database `name` (only `a-z`, `0-9` and `_`) and returns its URL, for the same
    /// superuser. For a smoke check: tests create theirs through `admin_url` themselves.
    pub fn create_database(&self, name: &str) -> Result<String> {
        let valid = !name.is_empty()
            && name.len() <= 63
            && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !valid {
            bail!("ongeldige databasenaam {name:?}: alleen a-z, 0-9 en _, hoogstens 63 tekens");
        }
        // Quoted, so that a name starting with a digit is fine too; the check above keeps the quotes safe.
        self.psql(&self.admin_url(), &format!("CREATE DATABASE \"{name}\""))
            .with_context(|| format!("database {name} aanmaken mislukte"))?;
        Ok(self.url(name))
    }

    fn url(&self, database: &str) -> String {
        format!("postgres://hwc:{}@127.0.0.1:{}/{database}", self.password, self.port)
    }

    /// Runs `sql` through `psql` against `url`; returns what it printed, unaligned and without headers.
    fn psql(&self, url: &str, sql: &str) -> Result<String> {
        let output =
            self.command("psql").args(["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql]).output();
        let output = checked("psql", output)?;
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    }

    /// A PostgreSQL program of `bin`, as `postgres` when we are root, without PG* settings of the
    /// caller (PGHOST, PGPORT, PGDATA… would point it elsewhere) and with English messages (the
    /// server log is searched for them).
    fn command(&self, program: &str) -> Command {
        let path = self.bin.join(program);
        let mut command = if self.postgres_user.is_some() {
            let mut runuser = Command::new("runuser");
            runuser.args(["-u", "postgres", "--"]).arg(path);
            runuser
        } else {
            Command::new(path)
        };
        for (key, _) in std::env::vars_os() {
            if key.to_string_lossy().starts_with("PG") {
                command.env_remove(key);
            }
        }
        // "/" rather than the caller's directory, which `postgres` may not be allowed to enter.
        command.env("LC_ALL", "C").current_dir("/").stdin(Stdio::null());
        command
    }

    /// Gives `path` to `postgres` when we are root; nothing otherwise.
    fn hand_over(&self, path: &Path) -> Result<()> {
        if let Some((uid, gid)) = self.postgres_user {
            std::os::unix::fs::chown(path, Some(uid), Some(gid))
                .with_context(|| format!("kon {} niet aan de gebruiker postgres geven", path.display()))?;
        }
        Ok(())
    }

    /// As root: proves that `postgres` reaches the data directory, i.e. that every directory
    /// above it lets others through.
    fn check_access(&self) -> Result<()> {
        if self.postgres_user.is_none() {
            return Ok(());
        }
        let status = Command::new("runuser")
            .args(["-u", "postgres", "--", "test", "-w"])
            .arg(&self.dir)
            .current_dir("/")
            .status()
            .context("runuser kon niet starten")?;
        if !status.success() {
            bail!(
                "de gebruiker postgres kan {} niet bereiken: elke map erboven moet voor anderen doorzoekbaar zijn (chmod o+x)",
                self.dir.display()
            );
        }
        Ok(())
    }

    /// initdb with the random password (from a file that exists only meanwhile), UTF-8, locale
    /// C.UTF-8 or, where that locale is missing, none.
    fn initdb(&self) -> Result<()> {
        let pwfile = pwfile(&self.dir);
        let written = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&pwfile)
            .and_then(|mut file| file.write_all(self.password.as_bytes()));
        written.with_context(|| format!("kon {} niet schrijven", pwfile.display()))?;
        let result = self.hand_over(&pwfile).and_then(|()| {
            let mut output = self.initdb_with(&pwfile, "--locale=C.UTF-8");
            if output
                .as_ref()
                .is_ok_and(|out| !out.status.success() && String::from_utf8_lossy(&out.stderr).contains("locale"))
            {
                // A system without C.UTF-8. initdb checks the locale before writing anything.
                output = self.initdb_with(&pwfile, "--no-locale");
            }
            checked("initdb", output).map(drop)
        });
        let _ = fs::remove_file(&pwfile);
        result
    }

    fn initdb_with(&self, pwfile: &Path, locale: &str) -> std::io::Result<Output> {
        self.command("initdb")
            .args(["--auth=scram-sha-256", "--username=hwc", "--encoding=UTF8", locale])
            .arg(format!("--pwfile={}", pwfile.display()))
            .arg("-D")
            .arg(&self.dir)
            .output()
    }

    /// Starts the server and waits for it, on a new port whenever another process took the last one.
    fn serve(&mut self) -> Result<()> {
        let mut attempts = 0;
        loop {
            attempts += 1;
            self.port = free_port()?;
            match self.spawn_and_wait()? {
                Started::Ready => return Ok(()),
                Started::PortTaken if attempts < PORT_ATTEMPTS => {
                    eprintln!("poort {} was al bezet; opnieuw met een andere", self.port)
                }
                Started::PortTaken => bail!("PostgreSQL vond {PORT_ATTEMPTS} keer zijn poort al bezet"),
            }
        }
    }

    fn spawn_and_wait(&mut self) -> Result<Started> {
        let log_path = self.dir.join("server.log");
        let log = fs::File::create(&log_path).with_context(|| format!("kon {} niet maken", log_path.display()))?;
        let out = log.try_clone().context("kon het serverlog niet delen")?;
        // The socket in the data directory; none at all when that path is too long for a Unix
        // socket (the tests use TCP anyway).
        let socket = self.dir.join(format!(".s.PGSQL.{}", self.port));
        let socket_dir = if socket.as_os_str().len() <= SOCKET_PATH_MAX { self.dir.clone() } else { PathBuf::new() };
        let mut command = self.command("postgres");
        command
            .arg("-D")
            .arg(&self.dir)
            .args(["-c", "listen_addresses=127.0.0.1", "-p", &self.port.to_string(), "-k"])
            .arg(&socket_dir)
            .args(["-c", "shared_buffers=32MB", "-c", "max_connections=200", "-c", "fsync=on"])
            .args(["-c", "logging_collector=off"])
            .stdout(out)
            .stderr(log);
        self.server = Some(command.spawn().context("kon de PostgreSQL-server niet starten")?);
        let deadline = Instant::now() + READY_TIMEOUT;
        loop {
            if let Some(server) = self.server.as_mut() {
                if let Some(status) = server.try_wait().context("kon de PostgreSQL-server niet volgen")? {
                    self.server = None;
                    let log = fs::read_to_string(&log_path).unwrap_or_default();
                    if log.contains("Address already in use") || log.contains("could not create any TCP/IP sockets") {
                        return Ok(Started::PortTaken);
                    }
                    bail!(
                        "de PostgreSQL-server stopte meteen ({status}); einde van {}:\n{}",
                        log_path.display(),
                        tail(&log)
                    );
                }
            }
            if self.ready() {
                return Ok(Started::Ready);
            }
            if Instant::now() > deadline {
                // Drop stops it.
                let log = fs::read_to_string(&log_path).unwrap_or_default();
                bail!(
                    "de PostgreSQL-server nam na {} s nog geen verbindingen aan op poort {}; einde van {}:\n{}",
                    READY_TIMEOUT.as_secs(),
                    self.port,
                    log_path.display(),
                    tail(&log)
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Whether our server accepts connections: its postmaster.pid says "ready" for our port (so
    /// another server that grabbed the port does not count) and pg_isready reaches it over TCP.
    fn ready(&self) -> bool {
        let pid_file = fs::read_to_string(self.dir.join("postmaster.pid")).unwrap_or_default();
        let lines: Vec<&str> = pid_file.lines().map(str::trim).collect();
        if lines.get(3) != Some(&self.port.to_string().as_str()) || lines.get(7) != Some(&"ready") {
            return false;
        }
        self.command("pg_isready")
            .args(["-q", "-h", "127.0.0.1", "-p", &self.port.to_string(), "-t", "1"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|status| status.success())
    }

    /// `pg_ctl stop -m immediate`: the cluster is deleted right after, so it needs no shutdown
    /// checkpoint (with `fsync=on`, after a round's hundreds of test databases, a fast shutdown
    /// took over 30 s here and was then cut off); when even that does not end it, SIGQUIT to
    /// the postmaster and at last SIGKILL.
    fn stop(&self, mut server: Child) {
        let stopped = self
            .command("pg_ctl")
            .arg("-D")
            .arg(&self.dir)
            .args(["stop", "-m", "immediate", "-w", "-t", "30"])
            .stdout(Stdio::null())
            .status()
            .is_ok_and(|status| status.success());
        // After a successful pg_ctl the postmaster is gone; runuser (as root) follows at once.
        let wait = if stopped { Duration::from_secs(5) } else { Duration::ZERO };
        if exited(&mut server, wait) {
            return;
        }
        eprintln!("de PostgreSQL-server in {} stopte niet netjes; afbreken", self.dir.display());
        // As root the child is runuser; the postmaster's own pid is in postmaster.pid.
        let postmaster = postmaster_pid(&self.dir).unwrap_or(server.id());
        signal("QUIT", postmaster);
        if !exited(&mut server, Duration::from_secs(5)) {
            signal("KILL", postmaster);
            let _ = server.kill();
            let _ = server.wait();
        }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if let Some(server) = self.server.take() {
            self.stop(server);
        }
        let _ = fs::remove_file(pwfile(&self.dir));
        if let Err(error) = fs::remove_dir_all(&self.dir) {
            if error.kind() != ErrorKind::NotFound {
                eprintln!("kon {} niet verwijderen: {error}", self.dir.display());
            }
        }
    }
}

enum Started {
    Ready,
    PortTaken,
}

/// `cargo xtask postgres-smoke`: starts a cluster, creates a database, asks it `select 1`,
/// stops the cluster again.
pub fn smoke(root: &Path) -> Result<()> {
    crate::system_packages::ensure(&["postgresql"])?;
    let cluster = Cluster::start(root)?;
    let url = cluster.create_database("smoke")?;
    let answer = cluster.psql(&url, "select 1")?;
    if answer.trim() != "1" {
        bail!("select 1 gaf {:?} in plaats van 1", answer.trim());
    }
    println!("{}", cluster.admin_url());
    drop(cluster);
    println!("ok");
    Ok(())
}

/// `/usr/lib/postgresql/<highest version>/bin`.
fn bin_dir() -> Result<PathBuf> {
    let missing = || format!("geen PostgreSQL-server in {VERSIONS}: installeer het pakket postgresql");
    let entries = fs::read_dir(VERSIONS).with_context(missing)?;
    let mut best: Option<(Vec<u32>, PathBuf)> = None;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Ok(version) = name.split('.').map(str::parse::<u32>).collect::<Result<Vec<u32>, _>>() else {
            continue;
        };
        let bin = entry.path().join("bin");
        if bin.join("postgres").is_file() && best.as_ref().is_none_or(|(highest, _)| version > *highest) {
            best = Some((version, bin));
        }
    }
    best.map(|(_, bin)| bin).with_context(missing)
}

/// The output of `id <args>`, as a number.
fn id(args: &[&str]) -> Result<u32> {
    let output = checked("id", Command::new("id").args(args).output())?;
    let text = String::from_utf8_lossy(&output.stdout);
    text.trim().parse().with_context(|| format!("id {} gaf {:?}", args.join(" "), text.trim()))
}

fn current_uid() -> Result<u32> {
    id(&["-u"])
}

/// uid and gid of Debian's `postgres` user.
fn postgres_ids() -> Result<(u32, u32)> {
    let context =
        "geen gebruiker postgres: als root draait PostgreSQL als die gebruiker; installeer het pakket postgresql";
    Ok((id(&["-u", "postgres"]).context(context)?, id(&["-g", "postgres"]).context(context)?))
}

/// Makes `target/postgres-test`; as root, lets others (`postgres`) through it and through `target`.
fn prepare_parent(parent: &Path, as_postgres: bool) -> Result<()> {
    fs::create_dir_all(parent).with_context(|| format!("kon {} niet maken", parent.display()))?;
    if !as_postgres {
        return Ok(());
    }
    for dir in [parent.parent(), Some(parent)].into_iter().flatten() {
        let mode = fs::metadata(dir).with_context(|| format!("kon {} niet lezen", dir.display()))?.permissions().mode();
        if mode & 0o001 == 0 {
            fs::set_permissions(dir, fs::Permissions::from_mode((mode | 0o011) & 0o7777))
                .with_context(|| format!("kon {} niet doorzoekbaar maken voor postgres", dir.display()))?;
        }
    }
    Ok(())
}

/// A new, empty directory `<pid>-<n>` in `parent`, mode 0700.
fn fresh_dir(parent: &Path) -> Result<PathBuf> {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    loop {
        let dir = parent.join(format!("{}-{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed)));
        match fs::DirBuilder::new().mode(0o700).create(&dir) {
            // A leftover of an earlier process with our pid: take the next name.
            Err(error) if error.kind() == ErrorKind::AlreadyExists => continue,
            Err(error) => return Err(error).with_context(|| format!("kon {} niet maken", dir.display())),
            Ok(()) => {
                fs::set_permissions(&dir, fs::Permissions::from_mode(0o700))
                    .with_context(|| format!("kon de rechten van {} niet zetten", dir.display()))?;
                return Ok(dir);
            }
        }
    }
}

/// Removes the clusters of xtask processes that no longer exist (killed before Drop could run),
/// first ending a server still running in one.
fn remove_leftovers(parent: &Path) {
    let Ok(entries) = fs::read_dir(parent) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(Ok(owner)) = name.split('-').next().map(str::parse::<u32>) else { continue };
        if Path::new("/proc").join(owner.to_string()).exists() {
            continue;
        }
        let path = entry.path();
        if path.is_dir() {
            if let Some(postmaster) = postmaster_pid(&path) {
                let cmdline = fs::read(format!("/proc/{postmaster}/cmdline")).unwrap_or_default();
                if String::from_utf8_lossy(&cmdline).contains(&*path.to_string_lossy()) {
                    eprintln!("achtergebleven PostgreSQL-server in {} stoppen", path.display());
                    signal("QUIT", postmaster);
                    let deadline = Instant::now() + Duration::from_secs(5);
                    while Path::new("/proc").join(postmaster.to_string()).exists() && Instant::now() < deadline {
                        std::thread::sleep(Duration::from_millis(50));
                    }
                }
            }
            let _ = fs::remove_dir_all(&path);
        } else {
            let _ = fs::remove_file(&path);
        }
    }
}

/// Where initdb reads the password from: beside the data directory, which must be empty for initdb.
fn pwfile(dir: &Path) -> PathBuf {
    dir.with_extension("pwfile")
}

/// The postmaster's pid, the first line of its `postmaster.pid`.
fn postmaster_pid(dir: &Path) -> Option<u32> {
    fs::read_to_string(dir.join("postmaster.pid")).ok()?.lines().next()?.trim().parse().ok()
}

fn signal(name: &str, pid: u32) {
    let _ = Command::new("kill").arg(format!("-{name}")).arg(pid.to_string()).stderr(Stdio::null()).status();
}

/// Waits up to `timeout` for `child` to end; whether it did.
fn exited(child: &mut Child, timeout: Duration) -> bool {
    let deadline = Instant::now() + timeout;
    loop {
        match child.try_wait() {
            Ok(Some(_)) => return true,
            Err(_) => return false,
            Ok(None) if Instant::now() >= deadline => return false,
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
        }
    }
}

/// A port on 127.0.0.1 that was free a moment ago.
fn free_port() -> Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").context("kon geen vrije poort vinden")?;
    Ok(listener.local_addr().context("kon geen vrije poort vinden")?.port())
}

/// `bytes` random bytes from /dev/urandom, as hex.
fn random_hex(bytes: usize) -> Result<String> {
    let mut buffer = vec![0; bytes];
    fs::File::open("/dev/urandom")
        .and_then(|mut random| random.read_exact(&mut buffer))
        .context("kon /dev/urandom niet lezen")?;
    Ok(buffer.iter().map(|b| format!("{b:02x}")).collect())
}

/// The output of a finished program, or an error with its stderr (and stdout) when it failed.
fn checked(program: &str, output: std::io::Result<Output>) -> Result<Output> {
    let output = output.with_context(|| format!("kon {program} niet starten"))?;
    if !output.status.success() {
        bail!(
            "{program} eindigde met {}:\n{}{}",
            output.status,
            String::from_utf8_lossy(&output.stderr),
            String::from_utf8_lossy(&output.stdout)
        );
    }
    Ok(output)
}

/// The last lines of a server log.
fn tail(log: &str) -> String {
    let lines: Vec<&str> = log.lines().collect();
    lines[lines.len().saturating_sub(20)..].join("\n")
}
