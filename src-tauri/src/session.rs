//! The app's state between commands: the interactive `SchoolClient` (which holds the PIN-opened
//! key while unlocked), what the background poller last saw, and a change counter the page
//! watches. Nothing here holds a name or a birthdate.

use crate::paths::AppPaths;
use chrono::{DateTime, Utc};
use hwc_client::SchoolClient;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// What the poller last saw of the relay.
#[derive(Debug, Default, Clone)]
pub struct PollState {
    pub last_checked: Option<DateTime<Utc>>,
    /// Since when the relay could not be reached; cleared on the next success. (The relay's
    /// own words are not shown: a hostile relay could put instructions there.)
    pub offline_since: Option<DateTime<Utc>>,
    /// "Afgehandeld door uw collega om 08:05" lines, shown once in the inbox.
    pub notices: Vec<String>,
    /// The last round found a signal this computer's clock does not allow yet (it runs behind):
    /// the status line asks to set the clock; the signal comes once it is right.
    pub clock_behind: bool,
    /// Whether desktop notifications reach the person (the status line says so when not).
    pub notifications: crate::notify::Availability,
}

pub struct Session {
    pub paths: AppPaths,
    client: Mutex<Option<SchoolClient>>,
    poll: Mutex<PollState>,
    changes: AtomicU64,
    /// Moves whenever the vault is replaced (enrolled, wiped), so the poller reopens.
    generation: AtomicU64,
    stopping: AtomicBool,
    last_activity: Mutex<Instant>,
    /// The confirmation of the last acknowledgement, for the fresh page that replaces the one
    /// that showed the signal (see `window::renew_web_process`).
    confirmation: Mutex<Option<String>>,
    /// Told after every change, so the page learns of it without asking on a timer.
    on_change: Mutex<Option<Box<dyn Fn() + Send + Sync>>>,
}

/// The open key is dropped after this long without anything done in the window.
pub const IDLE_LOCK: Duration = Duration::from_secs(5 * 60);

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Session {
    pub fn new(paths: AppPaths) -> Self {
        Self {
            paths,
            client: Mutex::new(None),
            poll: Mutex::new(PollState::default()),
            changes: AtomicU64::new(0),
            generation: AtomicU64::new(0),
            stopping: AtomicBool::new(false),
            last_activity: Mutex::new(Instant::now()),
            confirmation: Mutex::new(None),
            on_change: Mutex::new(None),
        }
    }

    /// The interactive client, opened on first use when this computer is enrolled.
    pub fn client(&self) -> Result<MutexGuard<'_, Option<SchoolClient>>, hwc_client::ClientError> {
        let mut guard = lock(&self.client);
        if guard.is_none() && SchoolClient::is_enrolled(&self.paths.data_dir) {
            *guard = Some(SchoolClient::open(&self.paths.data_dir)?.held_to(&self.paths.config)?);
        }
        Ok(guard)
    }

    /// This school's words while the interactive client is open (`None` before enrolling or
    /// after a wipe); never opens one.
    pub fn open_words(&self) -> Option<hwc_client::ScreenWords> {
        lock(&self.client).as_ref().map(SchoolClient::screen_words)
    }

    /// Replaces the interactive client (after enrolling, or with `None` after a wipe).
    pub fn set_client(&self, client: Option<SchoolClient>) {
        *lock(&self.client) = client;
        self.generation.fetch_add(1, Ordering::SeqCst);
        self.bump();
    }

    /// Which vault the poller should be using (see `set_client`).
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    pub fn poll_state(&self) -> PollState {
        lock(&self.poll).clone()
    }

    pub fn update_poll(&self, change: impl FnOnce(&mut PollState)) {
        self.update_poll_quietly(change);
        self.bump();
    }

    /// Changes the poll state without telling the page.
    pub fn update_poll_quietly(&self, change: impl FnOnce(&mut PollState)) {
        change(&mut lock(&self.poll));
    }

    pub fn set_confirmation(&self, text: String) {
        *lock(&self.confirmation) = Some(text);
    }

    pub fn take_confirmation(&self) -> Option<String> {
        lock(&self.confirmation).take()
    }

    pub fn take_notices(&self) -> Vec<String> {
        std::mem::take(&mut lock(&self.poll).notices)
    }

    /// Something the page shows changed.
    pub fn bump(&self) {
        self.changes.fetch_add(1, Ordering::SeqCst);
        if let Some(tell) = lock(&self.on_change).as_ref() {
            tell();
        }
    }

    /// Calls `tell` after every change from now on (the window process tells its page).
    pub fn on_change(&self, tell: impl Fn() + Send + Sync + 'static) {
        *lock(&self.on_change) = Some(Box::new(tell));
    }

    pub fn change_count(&self) -> u64 {
        self.changes.load(Ordering::SeqCst)
    }

    /// The person did something in the window (unlocked, listed, opened, acknowledged).
    pub fn touch(&self) {
        *lock(&self.last_activity) = Instant::now();
    }

    /// Locks when the window was idle for [`IDLE_LOCK`]: the Rust side does not rely on the
    /// page's own timer. Returns whether it locked.
    pub fn lock_if_idle(&self) -> bool {
        if lock(&self.last_activity).elapsed() < IDLE_LOCK {
            return false;
        }
        let Ok(mut guard) = self.client.try_lock() else { return false };
        match guard.as_mut() {
            Some(client) if client.is_unlocked() => {
                client.lock();
                drop(guard);
                self.bump();
                true
            }
            _ => false,
        }
    }

    /// Locks at once (the window was minimised): drops the open key and redraws the page.
    pub fn lock_now(&self) {
        if let Some(client) = lock(&self.client).as_mut() {
            if client.is_unlocked() {
                client.lock();
                self.bump();
            }
        }
    }

    pub fn stopping(&self) -> bool {
        self.stopping.load(Ordering::SeqCst)
    }

    /// At exit: lock (drops the open key), stop the poller, end WebKit's helper processes, then
    /// wipe the webview's directory.
    pub fn shutdown(&self) {
        self.stopping.store(true, Ordering::SeqCst);
        if let Some(client) = lock(&self.client).as_mut() {
            client.lock();
        }
        crate::web_processes::end_web_children();
        crate::paths::wipe_dir(&self.paths.webview_dir);
    }
}
