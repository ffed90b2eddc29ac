//! The relay's systemd unit (`installer/relay/`), checked with systemd's own tools and then
//! run the way the unit runs it:
//!
//! - `systemd-analyze verify` accepts the unit with its TLS drop-in, without a warning;
//! - `systemd-analyze security` rates its exposure "OK" (at most 2.0 of 10), and the hardening
//!   the hosting party is promised is there;
//! - the relay binary, started with exactly the unit's and the example settings file's
//!   environment (and nothing else), serves a device's long-poll, and on SIGTERM (what
//!   `systemctl stop` sends) answers it at once and exits cleanly;
//! - a backup made as `docs/deploy-relay.md` says (SQLite's online backup while the relay runs)
//!   holds no name or birthdate, and after restoring it a device does not get a signal it
//!   already handled a second time.

use hwc_protocol::Role;
use hwc_send::{KeySource, Office};
use hwc_system_tests::relay_process::{relay_binary, RelayProcess};
use hwc_system_tests::world::{self, World};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn installer(file: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../installer/relay").join(file)
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The unit and its drop-in in a directory of their own, with `ExecStart` pointing at the
/// relay cargo built (verify checks that the program exists).
fn unit_in(dir: &Path) -> PathBuf {
    let unit = read(&installer("hwc-relay.service"))
        .replace("ExecStart=/usr/bin/hwc-relay", &format!("ExecStart={}", relay_binary().unwrap().display()));
    let path = dir.join("hwc-relay.service");
    std::fs::write(&path, unit).unwrap();
    std::fs::create_dir_all(dir.join("hwc-relay.service.d")).unwrap();
    std::fs::copy(installer("tls.conf"), dir.join("hwc-relay.service.d/tls.conf")).unwrap();
    path
}

#[test]
fn systemd_accepts_the_unit_and_rates_its_hardening_ok() {
    let dir = tempfile::tempdir().unwrap();
    let unit = unit_in(dir.path());
    let verify =
        Command::new("systemd-analyze").arg("verify").arg(&unit).output().expect("systemd-analyze (package systemd)");
    let said = String::from_utf8_lossy(&verify.stderr);
    assert!(verify.status.success() && said.trim().is_empty(), "systemd-analyze verify: {said}");

    let security = Command::new("systemd-analyze")
        .args(["security", "--offline=true", "--threshold=20", "--no-pager"])
        .arg(&unit)
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&security.stdout);
    assert!(security.status.success(), "exposure above 2.0:\n{report}");
    assert!(report.contains("Overall exposure level for hwc-relay.service"), "{report}");

    let text = read(&installer("hwc-relay.service"));
    for promised in [
        "DynamicUser=yes",
        "ProtectSystem=strict",
        "ProtectHome=yes",
        "PrivateTmp=yes",
        "NoNewPrivileges=yes",
        "CapabilityBoundingSet=CAP_NET_BIND_SERVICE",
        "StateDirectory=hwc-relay",
        "KillSignal=SIGTERM",
        "LimitCORE=0",
    ] {
        assert!(text.lines().any(|l| l == promised), "the unit lacks {promised}");
    }
}

/// `KEY=value` lines (comments and blank lines skipped), as systemd reads `Environment=` and
/// an `EnvironmentFile=`.
fn assignments(text: &str, prefix: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|l| l.strip_prefix(prefix))
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (k, v) = l.split_once('=').unwrap_or_else(|| panic!("not KEY=value: {l}"));
            (k.to_string(), v.to_string())
        })
        .collect()
}

#[test]
fn the_relay_run_as_the_unit_runs_it_answers_a_waiting_device_on_sigterm_and_exits_cleanly() {
    let root = tempfile::tempdir().unwrap();
    let mut office = Office::init(&root.path().join("leerplicht"), KeySource::Keyring, "http://127.0.0.1:9").unwrap();
    let state = root.path().join("state");
    std::fs::create_dir_all(&state).unwrap();

    // The environment systemd would give: the unit's Environment= lines, then the settings
    // file, with the office key filled in and the paths moved into the test's directory.
    let mut env = assignments(&read(&installer("hwc-relay.service")), "Environment=");
    env.extend(assignments(&read(&installer("relay.env")), ""));
    let (mut listen_seen, mut public_url_seen) = (false, false);
    for (key, value) in &mut env {
        match key.as_str() {
            "HWC_RELAY_OFFICE_KEYS" => *value = office.public_key().to_string(),
            "HWC_RELAY_PUBLIC_URLS" => public_url_seen = true,
            "HWC_RELAY_DB" => *value = value.replace("/var/lib/hwc-relay", &state.to_string_lossy()),
            "HWC_RELAY_LISTEN" => {
                listen_seen = true;
                *value = "127.0.0.1:0".into();
            }
            _ => {}
        }
    }
    assert!(listen_seen, "relay.env sets HWC_RELAY_LISTEN");
    // The test speaks to the relay on its loopback address, not through a proxy with a public
    // name: without HWC_RELAY_PUBLIC_URLS that is the one address the relay answers for.
    assert!(public_url_seen, "relay.env asks for HWC_RELAY_PUBLIC_URLS");
    env.retain(|(key, _)| key != "HWC_RELAY_PUBLIC_URLS");
    let mut relay = Command::new(relay_binary().unwrap())
        .env_clear()
        .envs(env)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(relay.stdout.take().unwrap()).read_line(&mut first).unwrap();
    let url = format!("http://{}", first.trim().strip_prefix("listening on ").expect("listening on <addr>"));
    assert!(state.join("relay.db").is_file(), "the database is where the unit puts it");

    office.use_relay(&url).unwrap();
    let mut device = world::enroll_and_verify(&mut office, &url, World::school(), Role::Director, root.path()).unwrap();
    let waiting = std::thread::spawn(move || {
        let started = Instant::now();
        let report = device.fetch(30);
        (report.map(|r| r.new_signals.len()), started.elapsed())
    });
    std::thread::sleep(Duration::from_millis(700));
    let stopping = Instant::now();
    // What `systemctl stop` does: SIGTERM, then wait.
    assert_eq!(unsafe { libc::kill(relay.id() as i32, libc::SIGTERM) }, 0);
    let (fetched, waited) = waiting.join().unwrap();
    assert_eq!(fetched.expect("the waiting device got an answer"), 0);
    assert!(waited < Duration::from_secs(10), "answered after {waited:?}, not at the end of its 30 s");
    let status = relay.wait().unwrap();
    assert!(status.success(), "exit after SIGTERM: {status}");
    assert!(stopping.elapsed() < Duration::from_secs(10), "stopped in {:?}", stopping.elapsed());
}

#[test]
fn a_backup_as_documented_holds_no_personal_data_and_a_restore_does_not_repeat_a_handled_signal() {
    const NAME: &str = "Mila Hendriks-Okafor";
    const BIRTHDATE: &str = "2015-08-30";
    let root = tempfile::tempdir().unwrap();
    // The guide's backup is of the SQLite file; on PostgreSQL, PostgreSQL's own tools back up.
    let mut office = Office::init(&root.path().join("leerplicht"), KeySource::Keyring, "http://127.0.0.1:9").unwrap();
    let mut relay = RelayProcess::start_sqlite(&root.path().join("relay.db"), &[office.public_key()]).unwrap();
    office.use_relay(&relay.url()).unwrap();
    let mut device =
        world::enroll_and_verify(&mut office, &relay.url(), World::school(), Role::Director, root.path()).unwrap();
    device.unlock(world::PIN).unwrap();
    let signal = hwc_protocol::Signal::from_input(NAME, BIRTHDATE, chrono::Utc::now().date_naive()).unwrap();
    let id = office.send_signal(World::school(), &signal).unwrap();
    drop(signal);

    // The documented command, while the relay runs.
    let backups = root.path().join("backups");
    std::fs::create_dir_all(&backups).unwrap();
    let backup = backups.join("relay-backup.db");
    let out = Command::new("sqlite3")
        .arg(relay.db_path())
        .arg(format!(".backup '{}'", backup.display()))
        .output()
        .expect("sqlite3 (package sqlite3)");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let findings =
        hwc_system_tests::scan_tree(&backups, &hwc_system_tests::Needles::for_child(NAME, BIRTHDATE)).unwrap().findings;
    assert!(findings.is_empty(), "the backup holds personal data: {findings:?}");
    let waiting: i64 = rusqlite::Connection::open(&backup)
        .unwrap()
        .query_row("SELECT count(*) FROM signals", [], |row| row.get(0))
        .unwrap();
    assert_eq!(waiting, 1, "the backup holds the waiting envelope (as ciphertext)");

    // The signal is handled; then the relay is restored from the backup, which still has it.
    assert_eq!(device.fetch(5).unwrap().new_signals, vec![id]);
    device.acknowledge(&id, hwc_protocol::ReceiptKind::HandedOver).unwrap();
    // The device's position moves past the `handled` event, beyond anything in the backup: the
    // restored relay then serves it everything that waits for it again, this envelope included.
    device.fetch(0).unwrap();
    relay.kill();
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", relay.db_path().display()));
    }
    std::fs::copy(&backup, relay.db_path()).unwrap();
    relay.restart().unwrap();
    let after = device.fetch(0).unwrap();
    assert!(after.new_signals.is_empty(), "a handled signal came back as new: {:?}", after.new_signals);
}
