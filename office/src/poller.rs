//! Reads the relay's receipts and expiry notices every few seconds, so "Vandaag" changes while
//! the officer watches (from "verzonden" to "doorgegeven"), and tells the page. The poller has
//! its own connection to the office's state, so a slow or absent relay never holds up the
//! window's commands. The window is then the office's reader of receipts: what it reads,
//! `hwc-send receipts` no longer shows.

use crate::session::Session;
use hwc_send::{KeySource, Office};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// How often the relay is asked.
const EVERY: Duration = Duration::from_secs(3);

/// Starts reading the relay for the office in `state_dir`; without an office there (the window
/// says why) nothing is read.
pub fn start(session: Arc<Session>, state_dir: PathBuf) {
    std::thread::spawn(move || {
        let Ok(mut office) = Office::open(&state_dir, KeySource::Keyring) else { return };
        loop {
            poll_once(&session, &mut office);
            std::thread::sleep(EVERY);
        }
    });
}

fn poll_once(session: &Session, office: &mut Office) {
    match office.fetch_receipts() {
        Ok(reports) => {
            let was_down = session.reports().relay_problem.is_some();
            if !reports.is_empty() || was_down {
                session.record(reports);
                session.bump();
            }
        }
        Err(problem) => {
            let problem = problem.to_string();
            let mut reports = session.reports();
            let changed = reports.relay_problem.as_deref() != Some(problem.as_str());
            reports.relay_problem = Some(problem);
            drop(reports);
            if changed {
                session.bump();
            }
        }
    }
}
