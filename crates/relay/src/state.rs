//! What every request handler shares: the store, the trusted office keys and the wake-ups.

use crate::store::backend::RelayStore;
use crate::store::{SqliteStore, StoreError};
use crate::waiters::Waiters;
use hwc_protocol::OfficePublicKey;
use std::collections::HashSet;
use std::sync::Arc;

/// The relay's shared state; cheap to clone.
#[derive(Debug, Clone)]
pub struct AppState {
    pub store: Arc<dyn RelayStore>,
    pub office_keys: Arc<HashSet<OfficePublicKey>>,
    pub waiters: Waiters,
}

impl AppState {
    /// The state over `store`; wake-ups other relay instances send through the store reach
    /// this instance's waiting requests.
    pub fn new(store: Arc<dyn RelayStore>, office_keys: impl IntoIterator<Item = OfficePublicKey>) -> Self {
        let waiters = Waiters::default();
        store.follow_wakeups(waiters.clone());
        Self { store, office_keys: Arc::new(office_keys.into_iter().collect()), waiters }
    }

    /// Opens the store `config` names (PostgreSQL with `--postgres`, else the SQLite file) and
    /// builds the state. Must run inside the runtime (PostgreSQL's wake-ups run as a task).
    pub async fn open_configured(config: &crate::Config) -> Result<Self, StoreError> {
        let keys = config.office_keys.clone();
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
        Ok(Self::new(store, keys))
    }

    /// Whether `key` is one of the configured offices.
    pub fn is_office(&self, key: &OfficePublicKey) -> bool {
        self.office_keys.contains(key)
    }
}

/// The current time in Unix seconds.
pub fn now_secs() -> i64 {
    chrono::Utc::now().timestamp()
}
