//! The app on a school laptop: how long from starting it (as the menu entry does) until the
//! lock screen is drawn, against an empty Tauri window built the same way and timed the same
//! way; the memory (PSS, summed over the app and all its WebKit processes) on the lock screen;
//! and, with the window closed, the memory, CPU time and wake-ups of what stays (the agent with
//! its long-poll) over a minute. Runs the release build under the test session's X server,
//! D-Bus and keyring (`cargo xtask bench` provides them).

use super::process::{usage_of_all, Usage};
use super::{Figure, Report};
use crate::desktop::{descendants, is_alive, terminate, wait_for, AppProcess};
use crate::release_app::{xdotool, SchoolComputer};

use anyhow::{Context, Result};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How the benchmark is sized.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct Size {
    /// Cold starts timed, of the app and of the baseline each.
    pub starts: usize,
    /// How long the window stays closed before the agent is measured.
    pub closed_secs: u64,
}

impl Size {
    pub fn full() -> Self {
        Self { starts: 7, closed_secs: 60 }
    }

    pub fn quick() -> Self {
        Self { starts: 1, closed_secs: 5 }
    }
}

/// The empty Tauri window (`tests/empty-window`), built in release beside the app.
fn empty_window_binary() -> PathBuf {
    crate::release_app::binary().with_file_name("hwc-empty-window")
}

const LOCK_TITLE: &str = "^Vergrendeld – HwC School$";
const EMPTY_TITLE: &str = "^Leeg – Basislijn$";
const WAIT: Duration = Duration::from_secs(30);

/// Spawns `command` and polls the X server every 5 ms for a window titled `title` (a page sets
/// its title once it has drawn its first screen); returns the time from spawn to found. When
/// the window does not come, the error says whether the program ended and what it printed
/// (the app prints fixed texts only, and the benchmark holds no signal).
fn time_to_title(mut command: Command, title: &str) -> Result<(AppProcess, Duration)> {
    let log = tempfile::NamedTempFile::new()?;
    let started = Instant::now();
    let mut app = AppProcess(command.stdin(Stdio::null()).stdout(Stdio::null()).stderr(log.reopen()?).spawn()?);
    loop {
        if !xdotool(&["search", "--name", title]).is_empty() {
            return Ok((app, started.elapsed()));
        }
        let ended = app.0.try_wait()?;
        if ended.is_some() || started.elapsed() >= WAIT {
            let printed = std::fs::read_to_string(log.path()).unwrap_or_default();
            let state = ended.map_or("draait nog".to_string(), |status| format!("stopte met {status}"));
            anyhow::bail!(
                "geen venster \"{title}\" na {:?}; het programma {state}; het schreef:\n{printed}",
                started.elapsed()
            );
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Ends `app` and everything it started, and waits until they are gone.
fn end(app: AppProcess) {
    let mut pids: Vec<u32> = descendants(app.pid()).iter().map(|p| p.pid).collect();
    pids.push(app.pid());
    terminate(app.pid(), WAIT);
    wait_for("every process of the app to end", WAIT, || pids.iter().all(|&p| !is_alive(p)).then_some(()));
}

fn median(mut values: Vec<Duration>) -> f64 {
    values.sort();
    values.get(values.len() / 2).map(|d| d.as_secs_f64() * 1000.0).unwrap_or(f64::NAN)
}

/// Each process of the tree under `root` (and `root`) with its name and usage.
fn per_process(root: u32) -> Vec<(u32, String, Usage)> {
    let mut list = vec![(root, "agent".to_string(), super::process::usage_of(root))];
    list.extend(descendants(root).into_iter().map(|p| (p.pid, p.name, super::process::usage_of(p.pid))));
    list
}

fn tree_usage(root: u32) -> (Usage, usize) {
    let mut pids: Vec<u32> = descendants(root).iter().map(|p| p.pid).collect();
    pids.push(root);
    (usage_of_all(&pids), pids.len())
}

pub fn run(size: Size, quick: bool) -> Result<Report> {
    anyhow::ensure!(std::env::var_os("DISPLAY").is_some(), "geen beeldscherm: draai dit via `cargo xtask bench`");
    let computer = SchoolComputer::new();
    let app_command = || computer.app();
    let empty_command = || {
        let mut c = Command::new(empty_window_binary());
        // Its web view data goes where the app's would: a private directory of this run.
        c.env("XDG_DATA_HOME", computer.home.join(".local/share")).env("XDG_CACHE_HOME", computer.home.join(".cache"));
        c
    };

    // Warm the file cache once for each, untimed: a school laptop starts it after boot too,
    // but a cold disk cache measures the disk, not the app.
    end(time_to_title(app_command(), LOCK_TITLE)?.0);
    end(time_to_title(empty_command(), EMPTY_TITLE)?.0);
    let mut app_starts = Vec::new();
    let mut window_starts = Vec::new();
    let mut empty_starts = Vec::new();
    for _ in 0..size.starts {
        let (app, took) = time_to_title(app_command(), LOCK_TITLE)?;
        app_starts.push(took);
        end(app);
        // The window process alone, as the agent starts it: what the agent adds is the rest.
        let mut window = app_command();
        window.arg("--venster");
        let (window, took) = time_to_title(window, LOCK_TITLE)?;
        window_starts.push(took);
        end(window);
        let (empty, took) = time_to_title(empty_command(), EMPTY_TITLE)?;
        empty_starts.push(took);
        end(empty);
    }
    let (app_start_ms, empty_start_ms) = (median(app_starts.clone()), median(empty_starts.clone()));

    // Memory with the window open on the lock screen, settled for five seconds; the empty
    // window first, each alone: PSS divides shared pages among every process that maps them,
    // so measuring both at once would make each look lighter than it is.
    let (empty, _) = time_to_title(empty_command(), EMPTY_TITLE)?;
    std::thread::sleep(Duration::from_secs(5));
    let (empty_open, empty_processes) = tree_usage(empty.pid());
    end(empty);
    let (app, _) = time_to_title(app_command(), LOCK_TITLE)?;
    std::thread::sleep(Duration::from_secs(5));
    let (open, open_processes) = tree_usage(app.pid());
    let open_each = per_process(app.pid());
    // And what the open window costs while nobody touches it (no timer in the page).
    std::thread::sleep(Duration::from_secs(size.closed_secs.min(20)));
    let (open_later, _) = tree_usage(app.pid());
    let open_each_later = per_process(app.pid());
    let open_secs = size.closed_secs.min(20) as f64;
    let open_cpu_percent = (open_later.cpu_secs() - open.cpu_secs()) / open_secs * 100.0;

    // The window closed (the window process ends as when its window is closed or the session
    // ends); the agent keeps its long-poll.
    let window = descendants(app.pid())
        .into_iter()
        .find(|p| p.args.iter().any(|a| a == "--venster"))
        .context("geen vensterproces onder de agent")?;
    terminate(window.pid, WAIT);
    wait_for("the window's processes to end", WAIT, || descendants(app.pid()).is_empty().then_some(()));
    std::thread::sleep(Duration::from_secs(2));
    let (closed_before, _) = tree_usage(app.pid());
    std::thread::sleep(Duration::from_secs(size.closed_secs));
    let (closed, closed_processes) = tree_usage(app.pid());
    let agent_memory = super::process::resident_by_mapping(app.pid());
    end(app);
    let minute = size.closed_secs as f64;
    let cpu_percent = (closed.cpu_secs() - closed_before.cpu_secs()) / minute * 100.0;
    let wakeups_per_minute = closed.switches.saturating_sub(closed_before.switches) as f64 * 60.0 / minute;

    let figures = vec![
        Figure::new("app_start_ms", "app start to lock screen drawn (median)", app_start_ms, "ms")
            .at_most(500.0, "≤ 500 ms")
            .baseline(empty_start_ms),
        Figure::new(
            "app_window_start_ms",
            "window process alone to lock screen drawn (median)",
            median(window_starts.clone()),
            "ms",
        )
        .baseline(empty_start_ms),
        Figure::new("app_start_ratio", "app start / empty Tauri window start", app_start_ms / empty_start_ms, "×")
            .at_most(1.5, "≤ 1.5×"),
        Figure::new("app_open_pss_mib", "app PSS, window open on the lock screen", open.pss_mib(), "MiB")
            .at_most(250.0, "≤ 250 MB")
            .baseline(empty_open.pss_mib()),
        Figure::new(
            "app_open_cpu_percent",
            "app CPU, window open on the lock screen, untouched",
            open_cpu_percent,
            "% of one core",
        ),
        Figure::new("app_closed_pss_mib", "app PSS, window closed, long-poll open", closed.pss_mib(), "MiB")
            .at_most(60.0, "≤ 60 MB"),
        Figure::new("app_closed_cpu_percent", "app CPU, window closed", cpu_percent, "% of one core")
            .at_most(0.5, "~0%"),
        Figure::new("app_closed_wakeups", "app context switches per minute, window closed", wakeups_per_minute, "/min"),
    ];
    let raw = serde_json::json!({
        "size": size,
        "app_starts_ms": app_starts.iter().map(|d| d.as_secs_f64() * 1000.0).collect::<Vec<_>>(),
        "window_process_starts_ms": window_starts.iter().map(|d| d.as_secs_f64() * 1000.0).collect::<Vec<_>>(),
        "empty_window_starts_ms": empty_starts.iter().map(|d| d.as_secs_f64() * 1000.0).collect::<Vec<_>>(),
        "open": { "usage": open, "processes": open_processes, "idle_seconds": open_secs,
                  "idle_cpu_seconds": open_later.cpu_secs() - open.cpu_secs(),
                  "idle_switches": open_later.switches.saturating_sub(open.switches),
                  "idle_by_process": open_each_later.iter().map(|(pid, name, later)| {
                      let before = open_each.iter().find(|(p, _, _)| p == pid).map(|(_, _, u)| *u).unwrap_or_default();
                      serde_json::json!({ "pid": pid, "name": name,
                          "cpu_ticks": later.cpu_ticks.saturating_sub(before.cpu_ticks),
                          "switches": later.switches.saturating_sub(before.switches) })
                  }).collect::<Vec<_>>() },
        "empty_window_open": { "usage": empty_open, "processes": empty_processes },
        "closed": { "usage": closed, "processes": closed_processes, "seconds": size.closed_secs,
                    "cpu_seconds": closed.cpu_secs() - closed_before.cpu_secs(),
                    "switches": closed.switches.saturating_sub(closed_before.switches),
                    "agent_resident_by_mapping": agent_memory.0.iter().take(15).collect::<Vec<_>>(),
                    "agent_threads": agent_memory.1 },
    });
    Ok(Report { benchmark: "app".into(), quick, figures, raw })
}

/// The size of the `.deb` built from the release app, when one was built.
pub fn deb_size(deb: Option<&Path>, quick: bool) -> Result<Report> {
    let mut figures = Vec::new();
    let mut raw = serde_json::json!({ "deb": null });
    if let Some(deb) = deb {
        let bytes = std::fs::metadata(deb).with_context(|| format!("{} ontbreekt", deb.display()))?.len();
        figures.push(
            Figure::new("deb_mib", ".deb size", bytes as f64 / (1024.0 * 1024.0), "MiB").at_most(10.0, "< 10 MB"),
        );
        raw = serde_json::json!({ "deb": deb, "bytes": bytes });
    }
    Ok(Report { benchmark: "package".into(), quick, figures, raw })
}
