//! The whole signal path once with every part at its most verbose logging, plus requests from
//! a broken peer that carry the name where the relay does not expect it, and a byte scan of
//! all the log output and of the relay's answers. The relay process runs with `RUST_LOG=trace` (every crate: axum, hyper, rusqlite,
//! its own spans). The office (the `hwc-send` library) and both school clients (`hwc-client`)
//! run in this process under a TRACE subscriber that also takes the `log` records of reqwest,
//! rustls and the other dependencies. Neither `hwc-send` nor `hwc-client` nor the app has a
//! logger of its own: what they print is fixed text, scanned by `cli_flow.rs`, `app_agent.rs`
//! and `app_release.rs`.

use chrono::Utc;
use hwc_protocol::{ReceiptKind, Signal};
use hwc_system_tests::raw::RawDevice;
use hwc_system_tests::world::PIN;
use hwc_system_tests::{Needles, World};
use std::io::Write;
use std::sync::{Arc, Mutex, PoisonError};

const NAME: &str = "Mila-Sophie van der Berg";
const BIRTHDATE: &str = "2016-03-07";

/// Everything the subscriber writes, kept in memory.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn no_personal_data_in_any_log_line_at_trace_level() {
    let captured = Captured::default();
    let writer = captured.clone();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .try_init()
        .expect("the only subscriber in this test binary");
    // Inherited by the relay process that World starts.
    std::env::set_var("RUST_LOG", "trace");

    let needles = Needles::for_child(NAME, BIRTHDATE);
    let mut w = World::new().unwrap();
    let signal = Signal::from_input(NAME, BIRTHDATE, Utc::now().date_naive()).unwrap();
    let id = w.office.send_signal(World::school(), &signal).unwrap();
    drop(signal);
    w.director.fetch(5).unwrap();
    w.backup.fetch(5).unwrap();
    w.director.unlock(PIN).unwrap();
    let opened = w.director.open_signal(&id).unwrap();
    assert_eq!(opened.name().expose(), NAME, "the logs were written while the real name was open");
    drop(opened);
    w.director.acknowledge(&id, ReceiptKind::HandedOver).unwrap();
    w.backup.fetch(0).unwrap();
    assert_eq!(w.office.fetch_receipts().unwrap().len(), 1);
    // A broken peer that puts the name where the relay expects something else: the relay's
    // refusal (and any trace of it, axum's included) must not repeat what it was sent.
    let stranger = RawDevice::new(&w.relay.url()).unwrap();
    for body in [
        format!(r#"{{"code_hash":"{NAME}","keys":"{NAME} {BIRTHDATE}"}}"#),
        format!(r#"{{"code_hash":1,"keys":{{"sign":"{NAME}","seal":"{BIRTHDATE}"}}}}"#),
        format!(r#"{{"{NAME}":"{BIRTHDATE}"}}"#),
    ] {
        let answer = stranger.request("POST", "/v1/devices", body.as_bytes()).unwrap();
        assert_eq!(answer.status, 400, "{}", answer.error_message());
        assert_eq!(needles.found_in(&answer.body), Vec::<String>::new(), "in the relay's answer");
    }
    let path = format!("/v1/inbox?after={}&wait={}", NAME.replace(' ', "%20"), BIRTHDATE);
    let answer = stranger.request("GET", &path, b"").unwrap();
    assert_eq!(answer.status, 401, "{}", answer.error_message());
    assert_eq!(needles.found_in(&answer.body), Vec::<String>::new(), "in the relay's answer");

    let in_process = captured.0.lock().unwrap_or_else(PoisonError::into_inner).clone();
    let relay_log = std::fs::read(w.relay.log_path()).unwrap();
    let in_process_text = String::from_utf8_lossy(&in_process);
    let relay_text = String::from_utf8_lossy(&relay_log);
    eprintln!("trace output: {} bytes in this process, {} bytes from the relay", in_process.len(), relay_log.len());

    // A scan of empty logs proves nothing: both must really be at trace level.
    assert!(in_process.len() > 20_000, "only {} bytes of trace output in this process", in_process.len());
    assert!(
        ["rustls", "reqwest", "hyper"].iter().any(|c| in_process_text.contains(c)),
        "no dependency logged in this process"
    );
    assert!(in_process_text.contains("TRACE"), "no TRACE line in this process");
    // At trace level the relay writes the same lines as at info: neither its own code nor
    // axum (whose `tracing` feature traces only its own extractors' rejections, which the relay
    // does not use) has anything below info on this path. Every request has its line,
    // the refused ones too.
    let request_lines = relay_text.lines().filter(|l| l.contains("request method=")).count();
    assert!(request_lines >= 20, "only {request_lines} request lines in the relay's log");
    assert!(relay_text.contains("status=400") && relay_text.contains("status=401"), "{relay_text}");
    assert_eq!(needles.found_in(&in_process), Vec::<String>::new(), "in the trace output of the office and clients");
    assert_eq!(needles.found_in(&relay_log), Vec::<String>::new(), "in the relay's trace log");
}
