//! Wake-ups for long-polling inboxes: one [`Notify`] per school, fired when an envelope or
//! receipt changes that school's feed, and all of them fired at shutdown so waiting requests
//! answer at once instead of holding the server open.

use hwc_protocol::Brin;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::Notify;

/// The per-school wake-up registry; cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct Waiters {
    schools: Arc<Mutex<HashMap<Brin, Arc<Notify>>>>,
    closed: Arc<AtomicBool>,
}

impl Waiters {
    /// The wake-up of `school`, created when first asked for.
    pub fn school(&self, school: Brin) -> Arc<Notify> {
        let mut map = self.schools.lock().unwrap_or_else(|p| p.into_inner());
        Arc::clone(map.entry(school).or_default())
    }

    /// Wakes every request waiting on `school`.
    pub fn wake(&self, school: Brin) {
        let map = self.schools.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(notify) = map.get(&school) {
            notify.notify_waiters();
        }
    }

    /// Wakes every waiting request, to look again (the server keeps running).
    pub fn wake_all(&self) {
        let map = self.schools.lock().unwrap_or_else(|p| p.into_inner());
        for notify in map.values() {
            notify.notify_waiters();
        }
    }

    /// Marks the server as stopping and wakes every waiting request.
    pub fn close(&self) {
        self.closed.store(true, Ordering::SeqCst);
        self.wake_all();
    }

    /// Whether the server is stopping.
    pub fn is_closed(&self) -> bool {
        self.closed.load(Ordering::SeqCst)
    }
}
