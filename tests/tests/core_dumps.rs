//! Core dumps of the app and the sender are off: each is started from a shell that allows
//! unlimited core files, in a directory of its own, and then killed with SIGABRT. A control
//! process started the same way does leave a core file (when the kernel writes core files to
//! the working directory), so the test can tell "switched off" from "never written here".

use hwc_system_tests::desktop::AppProcess;
use hwc_system_tests::relay_process::relay_binary;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(20);

fn binary(name: &str) -> PathBuf {
    relay_binary().expect("binaries are built").with_file_name(name)
}

/// `program args…` started by `sh` after `ulimit -c unlimited`, in `dir`.
fn start_with_core_files_allowed(dir: &Path, program: &Path, args: &[&str], env: &[(&str, &Path)]) -> AppProcess {
    let child = Command::new("sh")
        .arg("-c")
        .arg("ulimit -c unlimited && exec \"$0\" \"$@\"")
        .arg(program)
        .args(args)
        .envs(env.iter().copied())
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    AppProcess(child)
}

/// The soft and hard core file limit of a running process, as /proc shows them.
fn core_limit(pid: u32) -> Option<(String, String)> {
    let limits = std::fs::read_to_string(format!("/proc/{pid}/limits")).ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max core file size"))?;
    let mut words = line.split_whitespace().skip(4);
    Some((words.next()?.to_string(), words.next()?.to_string()))
}

/// The core limit of `pid` once it runs `program` (the shell has exec'd it) and has had up to
/// 10 s to set `expected` itself: the limit as the process left it, for the caller to compare.
fn limit_once_running(pid: u32, program: &Path, expected: &str) -> (String, String) {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let exe = std::fs::read_link(format!("/proc/{pid}/exe")).ok();
        let limit = core_limit(pid);
        if let (Some(exe), Some(limit)) = (exe, limit) {
            if exe == program && (limit.0 == expected || std::time::Instant::now() > deadline) {
                return limit;
            }
        }
        assert!(std::time::Instant::now() < deadline + WAIT, "{} did not start", program.display());
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Kills `process` with SIGABRT (its default action dumps core; Rust and GTK catch SIGSEGV,
/// so a SIGSEGV sent from outside does not end them) and says whether a core file appeared.
fn crash_leaves_core_file(mut process: AppProcess, dir: &Path) -> bool {
    let sent = Command::new("kill").args(["-ABRT", &process.pid().to_string()]).status().unwrap();
    assert!(sent.success(), "kill -ABRT {}", process.pid());
    let status = process.0.wait().unwrap();
    assert!(!status.success());
    std::thread::sleep(Duration::from_millis(300));
    std::fs::read_dir(dir).unwrap().flatten().any(|e| e.file_name().to_string_lossy().starts_with("core"))
}

/// Whether the kernel writes core files as `core…` into the crashing process's directory.
fn cores_land_in_the_working_directory() -> bool {
    let pattern = std::fs::read_to_string("/proc/sys/kernel/core_pattern").unwrap_or_default();
    let pattern = pattern.trim();
    !pattern.starts_with('|') && !pattern.contains('/') && pattern.starts_with("core")
}

#[test]
fn the_app_and_the_sender_leave_no_core_dump() {
    let root = tempfile::tempdir().unwrap();
    let in_dir = |name: &str| {
        let dir = root.path().join(name);
        std::fs::create_dir(&dir).unwrap();
        dir
    };

    // The control: `sleep` started the same way keeps the unlimited limit and dumps.
    let control_dir = in_dir("control");
    let sleep = PathBuf::from("/bin/sleep").canonicalize().unwrap();
    let control = start_with_core_files_allowed(&control_dir, &sleep, &["60"], &[]);
    let limit = limit_once_running(control.pid(), &sleep, "unlimited");
    assert_eq!(limit, ("unlimited".into(), "unlimited".into()), "the control's limit");
    let checks_files = cores_land_in_the_working_directory();
    let control_dumped = crash_leaves_core_file(control, &control_dir);
    if checks_files {
        assert!(control_dumped, "the control left no core file: the test could not see one from the app either");
    } else {
        eprintln!("core_pattern does not write to the working directory: only the limits are checked");
    }

    // The sender, while it reads a batch from stdin (the moment it holds names).
    let sender_dir = in_dir("sender");
    let sender = binary("hwc-send");
    let state = sender_dir.join("state");
    let key = sender_dir.join("key");
    let init = Command::new(&sender)
        .arg("--state-dir")
        .arg(&state)
        .arg("--key-file")
        .arg(&key)
        .args(["init", "--relay", "http://127.0.0.1:9"])
        .output()
        .unwrap();
    assert!(init.status.success(), "{}", String::from_utf8_lossy(&init.stderr));
    let (state_arg, key_arg) = (state.to_string_lossy().into_owned(), key.to_string_lossy().into_owned());
    let reading = start_with_core_files_allowed(
        &sender_dir,
        &sender,
        &["--state-dir", &state_arg, "--key-file", &key_arg, "signal", "--csv", "-"],
        &[],
    );
    assert_eq!(limit_once_running(reading.pid(), &sender, "0"), ("0".into(), "0".into()), "hwc-send's core limit");
    assert!(!crash_leaves_core_file(reading, &sender_dir), "hwc-send left a core file");

    // The app's agent (the window process is the same binary and starts the same way).
    let app_dir = in_dir("app");
    let app = binary("hwc-school");
    let (data, webview, config) = (app_dir.join("data"), app_dir.join("webview"), app_dir.join("none.toml"));
    let env: [(&str, &Path); 3] =
        [("HWC_SCHOOL_DATA_DIR", &data), ("HWC_SCHOOL_WEBVIEW_DIR", &webview), ("HWC_SCHOOL_CONFIG", &config)];
    let agent = start_with_core_files_allowed(&app_dir, &app, &["--achtergrond"], &env);
    assert_eq!(limit_once_running(agent.pid(), &app, "0"), ("0".into(), "0".into()), "hwc-school's core limit");
    assert!(!crash_leaves_core_file(agent, &app_dir), "hwc-school left a core file");
}
