//! What the commands answer the page with: plain data without markup, and never a child's
//! name or birthdate (the page already has what the officer typed).

use serde::Serialize;

/// The app's state, for the header and the first screen.
#[derive(Debug, Serialize)]
pub struct Status {
    /// Why the office cannot be used here (no office set up, the key missing), if so.
    pub problem: Option<String>,
    /// The line under the app's name.
    pub status_line: String,
    /// The confirmation of the last send, once, for a fresh page.
    pub confirmation: Option<String>,
}

/// "Vandaag".
#[derive(Debug, Serialize)]
pub struct Today {
    pub rows: Vec<TodayRow>,
    /// Reports that need the officer (a data breach with its steps, a school to call), and the
    /// schools' own days, in the office's words.
    pub notices: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct TodayRow {
    /// The signal number, as `hwc-send` and the receipts show it.
    pub number: String,
    pub school: String,
    /// `09:12 op 07-12-2026`, or empty when not known.
    pub sent: String,
    pub state: &'static str,
    pub detail: String,
    pub attention: bool,
}

/// One choice in the school list of "Nieuw signaal": a school, or one of its locations.
#[derive(Debug, Serialize)]
pub struct SchoolChoice {
    /// What `preview_signal` and `send_signal` take: `12AB` or `12AB01`.
    pub value: String,
    pub label: String,
}

/// What will go out, shown before sending.
#[derive(Debug, Serialize)]
pub struct Preview {
    /// "school 12AB" or "vestiging 12AB01 (De Linde)".
    pub to: String,
    /// One line per device that gets a copy: its role and number.
    pub devices: Vec<String>,
    /// When the school reads it, and any holiday or summer warning.
    pub plan: Vec<String>,
    pub codeword: &'static str,
}
