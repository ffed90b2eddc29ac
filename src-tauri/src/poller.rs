//! The background long-poll: its own `SchoolClient` on the same vault (it never needs the PIN:
//! fetching and sending queued receipts use the signing key only), so a waiting request never
//! blocks a command of the window. It raises the desktop notification for a new signal and
//! tells its owner whether something waits (the agent marks its tray icon with that). Each
//! long-poll asks for a random wait ([`hwc_client::rhythm`]), so the moments the relay answers
//! do not tell the network when a signal came.

use crate::notify::{self, Availability};
use crate::session::Session;
use chrono::Utc;
use chrono_tz::Europe::Amsterdam;
use hwc_client::{DeviceStatus, SchoolClient};
use std::sync::Arc;
use std::time::Duration;

/// Shown when the relay reports a receipt in this computer's name that it never made.
fn not_made_here(sender: &str) -> String {
    format!("Let op: namens deze computer is een bevestiging verstuurd die hier niet is gemaakt. Het signaal staat nog hier. Bel {sender} en uw ICT-beheerder.")
}
const RETRY_AFTER: Duration = Duration::from_secs(10);
const IDLE: Duration = Duration::from_secs(2);

/// What the poller's owner wants to hear and decide.
pub struct Hooks {
    /// Called after each round: whether at least one signal waits on this computer.
    pub on_waiting: Box<dyn Fn(bool) + Send>,
    /// Whether to leave the relay alone this round (the agent, while its window process
    /// does the long-poll itself).
    pub stand_aside: Box<dyn Fn() -> bool + Send>,
}

impl Default for Hooks {
    fn default() -> Self {
        Self { on_waiting: Box::new(|_| {}), stand_aside: Box::new(|| false) }
    }
}

/// Starts the long-poll on a thread of its own.
pub fn start(session: Arc<Session>, hooks: Hooks) {
    std::thread::Builder::new()
        .name("hwc-poller".into())
        .spawn(move || {
            // Asked once at start, off the UI thread, so the status line can say so at once.
            note_notifications(&session, notify::check());
            run(&session, &hooks)
        })
        .map(|_| ())
        .unwrap_or_else(|e| eprintln!("HwC School: ophalen op de achtergrond kon niet starten: {e}"));
}

/// Locks the window's session after [`crate::session::IDLE_LOCK`] without input.
pub fn start_idle_lock(session: Arc<Session>) {
    std::thread::Builder::new()
        .name("hwc-idle-lock".into())
        .spawn(move || {
            while !session.stopping() {
                session.lock_if_idle();
                std::thread::sleep(Duration::from_secs(5));
            }
        })
        .map(|_| ())
        .unwrap_or_else(|e| eprintln!("HwC School: automatisch vergrendelen kon niet starten: {e}"));
}

fn note_notifications(session: &Session, now: Availability) {
    if session.poll_state().notifications != now {
        if now == Availability::Unavailable {
            // For whoever reads the session log (school IT); the window says it in its status line.
            eprintln!("HwC School: meldingen op het bureaublad werken niet op deze computer; de app haalt wel op.");
        }
        session.update_poll(|poll| poll.notifications = now);
    }
}

fn report_waiting(hooks: &Hooks, client: &SchoolClient) {
    (hooks.on_waiting)(client.pending().map(|p| !p.is_empty()).unwrap_or(false));
}

/// The backup's reminder, once a day after the school's time (never on another device). Noted
/// only once a notification service took it, so a reminder due while that service is not up
/// yet (just after logging in) comes at a later poll.
fn remind_if_due(session: &Session, client: &mut SchoolClient) {
    let now = Utc::now();
    match client.reminder_due(now, session.paths.config.reminder_at()) {
        Ok(true) => {
            let shown = notify::reminder();
            note_notifications(session, shown);
            if shown == Availability::Works {
                if let Err(e) = client.note_reminded(now) {
                    eprintln!("HwC School: herinnering noteren mislukt: {e}");
                }
            }
        }
        Ok(false) => {}
        Err(e) => eprintln!("HwC School: herinnering nagaan mislukt: {e}"),
    }
}

fn run(session: &Session, hooks: &Hooks) {
    let mut client: Option<SchoolClient> = None;
    let mut caught_up = false;
    let mut generation = session.generation();
    let mut stood_aside = false;
    while !session.stopping() {
        if (hooks.stand_aside)() {
            stood_aside = true;
            std::thread::sleep(Duration::from_secs(1));
            continue;
        }
        if std::mem::take(&mut stood_aside) {
            // The window process may have acknowledged, wiped or enrolled meanwhile.
            client = None;
        }
        if generation != session.generation() {
            // Enrolled anew or wiped: never touch the old vault again.
            client = None;
            generation = session.generation();
        }
        if client.is_none() {
            if !SchoolClient::is_enrolled(&session.paths.data_dir) {
                (hooks.on_waiting)(false);
                std::thread::sleep(IDLE);
                continue;
            }
            client = SchoolClient::open(&session.paths.data_dir)
                .and_then(|opened| opened.held_to(&session.paths.config))
                .ok();
            if let Some(c) = &client {
                report_waiting(hooks, c);
            }
        }
        let Some(c) = client.as_mut() else {
            std::thread::sleep(IDLE);
            continue;
        };
        let known = c.device_info().map(|d| d.status).ok();
        match c.refresh_status() {
            Ok(status) if Some(status) != known => {
                // Leerplicht verified (or removed) this device: the page moves on at once.
                session.bump();
                if status != DeviceStatus::Verified {
                    continue;
                }
            }
            Ok(DeviceStatus::Verified) => {}
            Ok(_) => {
                std::thread::sleep(IDLE);
                continue;
            }
            Err(e) if e.is_offline() => {
                offline(session);
                std::thread::sleep(RETRY_AFTER);
                continue;
            }
            Err(e) => {
                // Wiped or re-enrolled underneath us: open again next round.
                eprintln!("HwC School: status opvragen mislukt: {e}");
                client = None;
                std::thread::sleep(IDLE);
                continue;
            }
        }
        // The first poll after the start only catches up (a colleague's receipt from while this
        // computer was off), so the reminder below does not announce a signal already handled.
        let wait = if caught_up { hwc_client::rhythm::next_wait() } else { 0 };
        match c.fetch(wait) {
            Ok(report) => {
                caught_up = true;
                if !report.new_signals.is_empty() {
                    note_notifications(session, notify::new_signal());
                    // A new signal is when the sender's name and whom to tell matter: the profile
                    // is asked for again whatever the six-hour rhythm says, after the
                    // notification, so a slow relay never delays it, and before the page is told,
                    // so the signal opens with the new words (a failure changes nothing).
                    let _ = c.refresh_profile();
                }
                remind_if_due(session, c);
                report_waiting(hooks, c);
                let before = session.poll_state();
                let now = Utc::now();
                let sender = c.screen_words().sender;
                let visible = !report.new_signals.is_empty()
                    || !report.handled_by_colleague.is_empty()
                    || !report.expired.is_empty()
                    || report.receipts_not_made_here > 0
                    || before.offline_since.is_some()
                    || before.clock_behind != report.clock_behind
                    || before.last_checked.map(|t| t.format("%H:%M").to_string())
                        != Some(now.format("%H:%M").to_string());
                session.update_poll_quietly(|poll| {
                    poll.last_checked = Some(now);
                    poll.offline_since = None;
                    poll.clock_behind = report.clock_behind;
                    for handled in &report.handled_by_colleague {
                        let at = handled.at.with_timezone(&Amsterdam).format("%H:%M");
                        poll.notices.push(format!("Afgehandeld door uw collega om {at}"));
                    }
                    if report.receipts_not_made_here > 0 {
                        poll.notices.push(not_made_here(&sender));
                    }
                });
                // Only what the page shows moves the counter, so the page does not redraw
                // (and lose what the person is typing) after every quiet long-poll.
                if visible {
                    session.bump();
                }
                if report.clock_behind {
                    // The relay answers at once while the signal waits for the clock: ask again
                    // in a while, not in a loop.
                    std::thread::sleep(RETRY_AFTER);
                }
            }
            Err(e) if e.is_offline() => {
                offline(session);
                std::thread::sleep(RETRY_AFTER);
            }
            Err(e) => {
                eprintln!("HwC School: ophalen mislukt: {e}");
                offline(session);
                client = None;
                std::thread::sleep(RETRY_AFTER);
            }
        }
    }
}

fn offline(session: &Session) {
    if session.poll_state().offline_since.is_none() {
        session.update_poll(|poll| poll.offline_since = Some(Utc::now()));
    }
}
