//! Reads the relay's receipts and expiry notices every few seconds, so "Vandaag" changes while
//! the officer watches (from "verzonden" to "doorgegeven"), and tells the page. The window is
//! then the office's reader of receipts: what it reads, `hwc-send receipts` no longer shows.

use crate::session::Session;
use std::sync::Arc;
use std::time::Duration;

/// How often the relay is asked.
const EVERY: Duration = Duration::from_secs(3);

pub fn start(session: Arc<Session>) {
    std::thread::spawn(move || loop {
        poll_once(&session);
        std::thread::sleep(EVERY);
    });
}

fn poll_once(session: &Session) {
    let fetched = match session.office().as_mut() {
        Ok(office) => office.fetch_receipts().map_err(|e| e.to_string()),
        Err(_) => return,
    };
    match fetched {
        Ok(reports) => {
            let was_down = session.reports().relay_problem.is_some();
            if !reports.is_empty() || was_down {
                session.record(reports);
                session.bump();
            }
        }
        Err(problem) => {
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
