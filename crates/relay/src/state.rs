//! What every request handler shares: the store, the trusted office keys (with the schools each
//! may register) and the wake-ups.

use crate::enrollment_guard::{self, EnrollmentGuard};
use crate::school_assignments::SchoolAssignments;
use crate::store::backend::RelayStore;
use crate::store::{SqliteStore, StoreError};
use crate::waiters::Waiters;
use hwc_protocol::{Brin, DeviceId, OfficePublicKey};
use std::collections::HashSet;
use std::net::IpAddr;
use std::sync::Arc;

/// The relay's shared state; cheap to clone.
#[derive(Debug, Clone)]
pub struct AppState {
    pub store: Arc<dyn RelayStore>,
    pub office_keys: Arc<HashSet<OfficePublicKey>>,
    pub waiters: Waiters,
    /// Which schools each office may register; `None`: the first office to register a school owns it.
    pub school_assignments: Option<Arc<SchoolAssignments>>,
    /// Failed enrollments per client network.
    pub enrollment_guard: Arc<EnrollmentGuard>,
    /// Reverse proxies whose `X-Forwarded-For` names the client.
    pub trusted_proxies: Arc<Vec<IpAddr>>,
    /// The origins a signed request may name: this relay's public addresses
    /// ([`crate::Config::origins`]; set when serving starts).
    pub relay_origins: Arc<Vec<String>>,
    /// The last contact day written per device, so it is written at most once a day (a
    /// long-poll never waits behind a write for it).
    pub last_contact: Arc<std::sync::Mutex<std::collections::HashMap<DeviceId, String>>>,
}

impl AppState {
    /// The state over `store`; wake-ups other relay instances send through the store reach
    /// this instance's waiting requests.
    pub fn new(store: Arc<dyn RelayStore>, office_keys: impl IntoIterator<Item = OfficePublicKey>) -> Self {
        let waiters = Waiters::default();
        store.follow_wakeups(waiters.clone());
        Self {
            store,
            office_keys: Arc::new(office_keys.into_iter().collect()),
            waiters,
            school_assignments: None,
            enrollment_guard: Arc::new(guard(enrollment_guard::DEFAULT_MAX_FAILURES)),
            trusted_proxies: Arc::new(Vec::new()),
            relay_origins: Arc::new(Vec::new()),
            last_contact: Arc::default(),
        }
    }

    /// Notes that `device` is in contact today (Dutch date): written to the store once a day,
    /// in the background, so the request never waits for it. A failed write is logged; the
    /// day stays noted here, so a store in trouble is not asked again by every request (the
    /// next day's contact writes again).
    pub fn note_contact(&self, device: DeviceId) {
        let today = hwc_protocol::expiry::amsterdam_date(chrono::Utc::now()).format("%Y-%m-%d").to_string();
        {
            let mut seen = self.last_contact.lock().unwrap_or_else(|p| p.into_inner());
            if seen.get(&device) == Some(&today) {
                return;
            }
            seen.insert(device, today.clone());
        }
        let store = self.store.clone();
        tokio::spawn(async move {
            if let Err(error) = store.touch_device(device, today).await {
                tracing::warn!(%error, "last contact not written");
            }
        });
    }

    /// Opens the store `config` names (PostgreSQL with `--postgres`, else the SQLite file) and
    /// builds the state. Must run inside the runtime (PostgreSQL's wake-ups run as a task).
    pub async fn open_configured(config: &crate::Config) -> Result<Self, StoreError> {
        let keys = config.all_office_keys();
        let store: Arc<dyn RelayStore> = match &config.postgres {
            Some(url) => Arc::new(crate::store::postgres::PgStore::connect(url).await?),
            None => {
                let db = config.db.clone();
                Arc::new(
                    tokio::task::spawn_blocking(move || SqliteStore::open(&db))
                        .await
                        .map_err(|_| StoreError::TaskFailed)??,
                )
            }
        };
        let mut state = Self::new(store, keys);
        state.school_assignments = config.school_assignments.clone().map(Arc::new);
        state.enrollment_guard = Arc::new(guard(config.max_failed_enrollments));
        state.trusted_proxies = Arc::new(config.trusted_proxies.clone());
        Ok(state)
    }

    /// Whether `key` is one of the configured offices.
    pub fn is_office(&self, key: &OfficePublicKey) -> bool {
        self.office_keys.contains(key)
    }

    /// Whether the office holding `key` may register `school` (always, without an assignment file).
    pub fn may_register(&self, key: &OfficePublicKey, school: Brin) -> bool {
        self.school_assignments.as_ref().is_none_or(|assignments| assignments.may_register(key, school))
    }

    /// Whether a key rotation from `old` to `new` stays within one office (always, without an
    /// assignment file).
    pub fn same_office(&self, old: &OfficePublicKey, new: &OfficePublicKey) -> bool {
        self.school_assignments.as_ref().is_none_or(|assignments| assignments.same_office(old, new))
    }
}

/// The guard for `max_failures` failed enrollments per network in [`enrollment_guard::WINDOW`].
fn guard(max_failures: u64) -> EnrollmentGuard {
    EnrollmentGuard::new(usize::try_from(max_failures).unwrap_or(usize::MAX), enrollment_guard::WINDOW)
}

/// The current time in Unix seconds.
pub fn now_secs() -> i64 {
    chrono::Utc::now().timestamp()
}
