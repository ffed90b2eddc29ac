//! What a memory dump of the app's processes still holds a minute after a signal was
//! acknowledged. The release build runs as at a school: a person starts the app, the agent
//! (tray, long-poll) starts the window process, and the signal is opened and handed over by
//! keyboard alone. A minute later every process of the app is read through
//! `/proc/<pid>/mem` and searched for the child's name and birthdate in every form
//! ([`Needles`]). The figures go to `target/memory-report.json`.
//!
//! The same scan while the signal is on screen is the control: it must find the child there.
//! A minute after the acknowledgement every process must hold nothing: the agent never
//! decrypts, every process of the app overwrites memory it frees (`hwc_hardening`), and the
//! web process that showed the signal has been replaced by a fresh one.

use chrono::Utc;
use hwc_protocol::Signal;
use hwc_system_tests::desktop::{descendants, terminate, wait_for, AppProcess, Process};
use hwc_system_tests::memory::{scan_process, MemoryScan};
use hwc_system_tests::release_app::{binary, keys, type_pin, wait_for_screen, SchoolComputer, SCREEN_WAIT};
use hwc_system_tests::{world, Needles};
use std::process::Stdio;
use std::time::Duration;

const NAME: &str = "Jesse Boukhari-Lindqvist";
const BIRTHDATE: &str = "2015-10-09";

/// How long after the acknowledgement the memory is read.
const AFTER_ACK: Duration = Duration::from_secs(60);

fn role(process: &Process, agent: u32) -> &'static str {
    if process.pid == agent {
        "agent"
    } else if process.args.iter().any(|a| a == "--venster") {
        "venster"
    } else if process.name.starts_with("WebKitWebProces") {
        "webinhoud (WebKit)"
    } else if process.name.starts_with("WebKitNetworkPr") {
        "netwerk (WebKit)"
    } else {
        "ander"
    }
}

/// Reads the memory of the agent and every process under it.
fn dump(agent: u32, needles: &Needles) -> (Vec<Process>, Vec<(String, MemoryScan)>) {
    let mut processes = vec![Process { pid: agent, name: "hwc-school".into(), args: Vec::new() }];
    processes.extend(descendants(agent));
    let scans = processes
        .iter()
        .filter_map(|p| Some((role(p, agent).to_string(), scan_process(p.pid, needles).ok()?)))
        .collect();
    (processes, scans)
}

fn as_json(scans: &[(String, MemoryScan)]) -> serde_json::Value {
    scans
        .iter()
        .map(|(role, scan)| {
            let mut value = serde_json::to_value(scan).unwrap_or_default();
            value["role"] = role.as_str().into();
            value
        })
        .collect()
}

#[test]
fn a_minute_after_the_acknowledgement_the_apps_memory_is_read_and_reported() {
    assert!(std::env::var_os("DISPLAY").is_some(), "no display: run this through `cargo xtask test`");
    let mut computer = SchoolComputer::new();
    let signal = Signal::from_input(NAME, BIRTHDATE, Utc::now().date_naive()).unwrap();
    computer.office.send_signal(world::World::school(), &signal).unwrap();
    drop(signal);

    let log = std::fs::File::create(computer.root.path().join("app.log")).unwrap();
    let agent =
        AppProcess(computer.app().stdin(Stdio::null()).stdout(log.try_clone().unwrap()).stderr(log).spawn().unwrap());
    let window = wait_for_screen("Vergrendeld");
    type_pin(&window);
    let window = wait_for_screen("Overzicht");
    keys(&window, &["Tab", "Return"]);
    let needles = Needles::for_child(NAME, BIRTHDATE);
    let window = wait_for_screen("Signaal");
    // The control: while the signal is on screen the same scan must find it, so that finding
    // nothing later means something.
    let (_, on_screen) = dump(agent.pid(), &needles);
    assert!(
        on_screen.iter().any(|(role, scan)| role != "agent" && scan.total_found() > 0),
        "the scan finds the child while the signal is on screen: {on_screen:?}"
    );
    keys(&window, &["Tab", "Return"]);
    wait_for_screen("Bevestigd");
    std::thread::sleep(AFTER_ACK);
    let (_, scans) = dump(agent.pid(), &needles);

    let report = serde_json::json!({
        "after_acknowledgement_seconds": AFTER_ACK.as_secs(),
        "forms_searched": needles.len(),
        "while_on_screen": as_json(&on_screen),
        "after_acknowledgement": as_json(&scans),
    });
    let target = binary().parent().and_then(std::path::Path::parent).unwrap().to_path_buf();
    std::fs::write(target.join("memory-report.json"), serde_json::to_vec_pretty(&report).unwrap()).unwrap();
    for (when, list) in [("op het scherm", &on_screen), ("na een minuut", &scans)] {
        for (role, scan) in list {
            eprintln!(
                "{when}: {role:<20} pid {:>7} {:>6} MB gelezen: {} vondsten {:?}",
                scan.pid,
                scan.bytes_read >> 20,
                scan.total_found(),
                scan.found
            );
        }
    }

    let (processes, _) = dump(agent.pid(), &needles);
    assert!(scans.iter().any(|(role, _)| role == "venster"), "the window process runs: {processes:?}");
    for (role, scan) in &scans {
        // The agent never decrypts; the window process overwrites what it frees; the web
        // process that showed the signal was replaced by a fresh one at the acknowledgement.
        assert_eq!(scan.total_found(), 0, "{role} (pid {}) still holds {:?}", scan.pid, scan.found);
        let environ = std::fs::read(format!("/proc/{}/environ", scan.pid)).unwrap_or_default();
        let marked = environ.split(|b| *b == 0).any(|v| v.starts_with(hwc_hardening::MARK.as_bytes()));
        assert!(marked, "{role} (pid {}) runs without freed memory being overwritten", scan.pid);
    }
    let web = |list: &[(String, MemoryScan)]| -> Vec<u32> {
        list.iter().filter(|(role, _)| role.starts_with("webinhoud")).map(|(_, s)| s.pid).collect()
    };
    let (before, after) = (web(&on_screen), web(&scans));
    assert!(
        !after.is_empty() && after.iter().all(|pid| !before.contains(pid)),
        "web process replaced: {before:?} → {after:?}"
    );

    terminate(agent.pid(), SCREEN_WAIT);
    wait_for("the window process to end", SCREEN_WAIT, || {
        processes.iter().all(|p| !hwc_system_tests::desktop::is_alive(p.pid)).then_some(())
    });
}
