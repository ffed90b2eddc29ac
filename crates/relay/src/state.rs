//! What every request handler shares: the store, the trusted office keys and the wake-ups.

use crate::store::{Store, StoreError};
use crate::waiters::Waiters;
use hwc_protocol::OfficePublicKey;
use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;

/// The relay's shared state; cheap to clone.
#[derive(Debug, Clone)]
pub struct AppState {
    pub store: Store,
    pub office_keys: Arc<HashSet<OfficePublicKey>>,
    pub waiters: Waiters,
}

impl AppState {
    pub fn new(store: Store, office_keys: impl IntoIterator<Item = OfficePublicKey>) -> Self {
        Self { store, office_keys: Arc::new(office_keys.into_iter().collect()), waiters: Waiters::default() }
    }

    /// Opens the database at `db` and builds the state.
    pub fn open(db: &Path, office_keys: impl IntoIterator<Item = OfficePublicKey>) -> Result<Self, StoreError> {
        Ok(Self::new(Store::open(db)?, office_keys))
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
