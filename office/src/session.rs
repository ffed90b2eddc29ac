//! The app's state between commands: the office (opened once, from `hwc-send`'s encrypted
//! state), what the relay reported since the window opened (ids, schools, roles and times
//! only), a change counter the page follows, and the confirmation of the last send, kept for
//! the fresh page after the web process that held the name was replaced.

use crate::today::Settled;
use hwc_protocol::SignalId;
use hwc_send::{KeySource, Office, ReceiptReport, SendError};
use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

type Hook = Box<dyn Fn() + Send + Sync>;

pub struct Session {
    office: Mutex<Result<Office, String>>,
    reports: Mutex<Reports>,
    confirmation: Mutex<Option<String>>,
    changes: AtomicU64,
    on_change: Mutex<Option<Hook>>,
}

/// What the relay reported since the window opened.
#[derive(Default)]
pub struct Reports {
    /// Signals handed over, refused as "not our pupil", expired or unconfirmed.
    pub settled: Vec<Settled>,
    /// Every report that needs the officer, and the schools' own days, in the office's words.
    pub notices: Vec<String>,
    /// Why the relay could not be read the last time, if it could not.
    pub relay_problem: Option<String>,
    /// When the signals seen open were sent (Unix seconds), to show it once they are settled.
    pub sent: HashMap<SignalId, i64>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Session {
    /// Opens the office in `state_dir`; when that fails, the window says why.
    pub fn open(state_dir: &Path) -> Self {
        let office = Office::open(state_dir, KeySource::Keyring).map_err(|e| match e {
            SendError::NotInitialised { .. } => format!(
                "Op deze computer is nog geen bureau ingericht (in {}). Richt het eerst in met: hwc-send init --relay ADRES",
                state_dir.display()
            ),
            other => other.to_string(),
        });
        Self {
            office: Mutex::new(office),
            reports: Mutex::default(),
            confirmation: Mutex::default(),
            changes: AtomicU64::new(0),
            on_change: Mutex::default(),
        }
    }

    pub fn office(&self) -> MutexGuard<'_, Result<Office, String>> {
        lock(&self.office)
    }

    pub fn reports(&self) -> MutexGuard<'_, Reports> {
        lock(&self.reports)
    }

    /// Takes what the relay reported (after `fetch_receipts`).
    pub fn record(&self, reports: Vec<ReceiptReport>) {
        let mut kept = self.reports();
        kept.relay_problem = None;
        for report in reports {
            match Settled::from_report(&report) {
                Some(settled) => {
                    if report.needs_attention() {
                        kept.notices.push(report.to_string());
                    }
                    kept.settled.push(settled);
                }
                None => kept.notices.push(report.to_string()),
            }
        }
    }

    /// Keeps the confirmation of a send for the page's next fresh look.
    pub fn confirm(&self, text: String) {
        *lock(&self.confirmation) = Some(text);
    }

    pub fn take_confirmation(&self) -> Option<String> {
        lock(&self.confirmation).take()
    }

    pub fn changes(&self) -> u64 {
        self.changes.load(Ordering::SeqCst)
    }

    /// Something changed: the page is told and asks what.
    pub fn bump(&self) {
        self.changes.fetch_add(1, Ordering::SeqCst);
        if let Some(hook) = lock(&self.on_change).as_ref() {
            hook();
        }
    }

    pub fn on_change(&self, hook: impl Fn() + Send + Sync + 'static) {
        *lock(&self.on_change) = Some(Box::new(hook));
    }
}
