//! The app's state between commands: the interactive `SchoolClient` (which holds the PIN-opened
//! key while unlocked), what the background poller last saw, and a change counter the page
//! watches. Nothing here holds a name or a birthdate.

use crate::paths::AppPaths;
use chrono::{DateTime, Utc};
use hwc_client::SchoolClient;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};

/// What the poller last saw of the relay.
#[derive(Debug, Default, Clone)]
pub struct PollState {
    pub last_checked: Option<DateTime<Utc>>,
    /// A plain sentence when the relay could not be reached, cleared on the next success.
    pub problem: Option<String>,
    /// "Afgehandeld door uw collega om 08:05" lines, shown once in the inbox.
    pub notices: Vec<String>,
}

pub struct Session {
    pub paths: AppPaths,
    client: Mutex<Option<SchoolClient>>,
    poll: Mutex<PollState>,
    changes: AtomicU64,
    stopping: AtomicBool,
}

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
            stopping: AtomicBool::new(false),
        }
    }

    /// The interactive client, opened on first use when this computer is enrolled.
    pub fn client(&self) -> Result<MutexGuard<'_, Option<SchoolClient>>, hwc_client::ClientError> {
        let mut guard = lock(&self.client);
        if guard.is_none() && SchoolClient::is_enrolled(&self.paths.data_dir) {
            *guard = Some(SchoolClient::open(&self.paths.data_dir)?);
        }
        Ok(guard)
    }

    /// Replaces the interactive client (after enrolling, or with `None` after a wipe).
    pub fn set_client(&self, client: Option<SchoolClient>) {
        *lock(&self.client) = client;
        self.bump();
    }

    pub fn poll_state(&self) -> PollState {
        lock(&self.poll).clone()
    }

    pub fn update_poll(&self, change: impl FnOnce(&mut PollState)) {
        change(&mut lock(&self.poll));
        self.bump();
    }

    pub fn take_notices(&self) -> Vec<String> {
        std::mem::take(&mut lock(&self.poll).notices)
    }

    /// Something the page shows changed.
    pub fn bump(&self) {
        self.changes.fetch_add(1, Ordering::SeqCst);
    }

    pub fn change_count(&self) -> u64 {
        self.changes.load(Ordering::SeqCst)
    }

    pub fn stopping(&self) -> bool {
        self.stopping.load(Ordering::SeqCst)
    }

    /// At exit: lock (drops the open key), stop the poller, wipe the webview's directory.
    pub fn shutdown(&self) {
        self.stopping.store(true, Ordering::SeqCst);
        if let Some(client) = lock(&self.client).as_mut() {
            client.lock();
        }
        crate::paths::wipe_dir(&self.paths.webview_dir);
    }
}
