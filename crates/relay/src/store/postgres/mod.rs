//! [`RelayStore`] on PostgreSQL, for several relay instances behind a load balancer that share
//! one database (with PostgreSQL's own replication for availability). The SQLite file stays
//! the default; this store is chosen with `--postgres URL`.
//!
//! What makes several instances behave as one:
//! - every write is one transaction, durable at commit (`synchronous_commit` as configured on
//!   the server, `on` by default);
//! - the feeds that readers page through by sequence number are appended under one advisory
//!   lock, so numbers become visible in order, and a receipt is "first" exactly once
//!   ([`ops`]);
//! - a stored or handled signal sends `NOTIFY hwc_inbox, '<BRIN>'`, and every instance
//!   `LISTEN`s ([`listener`]) and wakes its own long-polls for that school: a device waiting on
//!   instance 1 hears at once of a signal stored through instance 2.
//!
//! The connection address is a secret (it may hold a password): it is never logged or put in
//! an error message.

mod listener;
mod ops;
mod pin_guard;
mod schema;

use super::backend::{RelayStore, StoreFuture};
use super::enrollments::{CreateOutcome, EnrollOutcome};
use super::offices::HandOver;
use super::pin_guard::{GuardTry, NewPinGuard, ResetOutcome};
use super::receipts::AckOutcome;
use super::signals::InsertOutcome;
use super::sweep::SweepReport;
use super::StoreError;
use crate::waiters::Waiters;
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use hwc_protocol::api::{
    CreateEnrollment, DeviceInfo, DeviceStatus, Inbox, LastContact, OfficeItems, PinGuardReset, Stats,
};
use hwc_protocol::pin_guard::PinGuardKey;
use hwc_protocol::{Brin, DeviceId, DevicePublicKeys, OfficePublicKey, VerifiedEnvelope, VerifiedReceipt};
use tokio_postgres::NoTls;

/// The notification channel for inbox wake-ups; the payload is a BRIN code.
pub(crate) const CHANNEL: &str = "hwc_inbox";

/// How long making a connection may take, unless the address says otherwise.
const CONNECT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// Most connections one relay instance opens (plus one for `LISTEN`).
const POOL_SIZE: usize = 16;

/// Handle to the PostgreSQL database; cheap to clone.
#[derive(Clone)]
pub struct PgStore {
    pool: Pool,
    config: tokio_postgres::Config,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Not the address: it may hold a password.
        f.write_str("PgStore")
    }
}

impl From<tokio_postgres::Error> for StoreError {
    fn from(error: tokio_postgres::Error) -> Self {
        StoreError::Postgres(error.to_string())
    }
}

impl From<deadpool_postgres::PoolError> for StoreError {
    fn from(error: deadpool_postgres::PoolError) -> Self {
        StoreError::Postgres(error.to_string())
    }
}

impl PgStore {
    /// Connects to the database at `url` (`postgres://user:password@host:port/database`, or
    /// `host=/run/postgresql dbname=hwc` for a local socket) and brings its schema up.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let mut config: tokio_postgres::Config = url.parse().map_err(|_| {
            StoreError::Postgres(
                "the PostgreSQL address cannot be read; expected postgres://user:password@host:port/database".into(),
            )
        })?;
        if config.get_connect_timeout().is_none() {
            // A database that does not answer is reported (health: 503) instead of waited for.
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        let manager =
            Manager::from_config(config.clone(), NoTls, ManagerConfig { recycling_method: RecyclingMethod::Fast });
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .build()
            .map_err(|e| StoreError::Postgres(format!("cannot set up the connection pool: {e}")))?;
        let store = Self { pool, config };
        let mut client = store.pool.get().await?;
        schema::create(&mut client).await?;
        Ok(store)
    }

    async fn client(&self) -> Result<deadpool_postgres::Object, StoreError> {
        Ok(self.pool.get().await?)
    }
}

/// Runs `op` on a pooled connection as a `'static` future.
macro_rules! with_client {
    ($self:ident, |$client:ident| $body:expr) => {{
        let store = $self.clone();
        Box::pin(async move {
            #[allow(unused_mut)]
            let mut $client = store.client().await?;
            $body
        })
    }};
}

impl RelayStore for PgStore {
    fn remember_nonce(&self, signer: String, nonce: [u8; 16], request_time: i64) -> StoreFuture<bool> {
        with_client!(self, |client| ops::remember_nonce(&client, &signer, &nonce, request_time).await)
    }

    fn successor_of(&self, office: OfficePublicKey) -> StoreFuture<Option<OfficePublicKey>> {
        with_client!(self, |client| ops::successor_of(&**client, &office).await)
    }

    fn device(&self, device: DeviceId) -> StoreFuture<Option<DeviceInfo>> {
        with_client!(self, |client| ops::device(&**client, &device).await)
    }

    fn list_devices(&self, school: Brin) -> StoreFuture<Vec<DeviceInfo>> {
        with_client!(self, |client| ops::list_devices(&client, &school).await)
    }

    fn touch_device(&self, device: DeviceId, day: String) -> StoreFuture<()> {
        with_client!(self, |client| ops::touch_device(&client, &device, &day).await)
    }

    fn last_contacts(&self, school: Brin) -> StoreFuture<Vec<LastContact>> {
        with_client!(self, |client| ops::last_contacts(&client, &school).await)
    }

    fn set_device_status(&self, device: DeviceId, status: DeviceStatus) -> StoreFuture<()> {
        with_client!(self, |client| ops::set_device_status(&mut client, &device, status).await)
    }

    fn set_profile(&self, school: Brin, frame: Vec<u8>, now: i64) -> StoreFuture<()> {
        with_client!(self, |client| ops::set_profile(&client, &school, &frame, now).await)
    }

    fn profile(&self, school: Brin) -> StoreFuture<Option<Vec<u8>>> {
        with_client!(self, |client| ops::profile(&client, &school).await)
    }

    fn school_owner(&self, school: Brin) -> StoreFuture<Option<OfficePublicKey>> {
        with_client!(self, |client| ops::school_owner(&**client, &school).await)
    }

    fn create_enrollment(
        &self,
        office: OfficePublicKey,
        request: CreateEnrollment,
        now: i64,
    ) -> StoreFuture<CreateOutcome> {
        with_client!(self, |client| ops::create_enrollment(&mut client, &office, &request, now).await)
    }

    fn enrollment_refusal(&self, code_hash: String, device: DeviceId, now: i64) -> StoreFuture<Option<EnrollOutcome>> {
        with_client!(self, |client| ops::enrollment_refusal(&client, &code_hash, &device, now).await)
    }

    fn enroll(
        &self,
        code_hash: String,
        keys: DevicePublicKeys,
        guard: NewPinGuard,
        now: i64,
    ) -> StoreFuture<EnrollOutcome> {
        with_client!(self, |client| ops::enroll(&mut client, &code_hash, &keys, &guard, now).await)
    }

    fn insert_signal(
        &self,
        office: OfficePublicKey,
        envelope: VerifiedEnvelope,
        now: i64,
    ) -> StoreFuture<InsertOutcome> {
        with_client!(self, |client| ops::insert_signal(&mut client, &office, &envelope, now).await)
    }

    fn inbox(&self, school: Brin, device: DeviceId, after: u64, now: i64) -> StoreFuture<Inbox> {
        with_client!(self, |client| ops::inbox(&client, &school, &device, after, now).await)
    }

    fn acknowledge(&self, school: Brin, receipt: VerifiedReceipt, now: i64) -> StoreFuture<AckOutcome> {
        with_client!(self, |client| ops::acknowledge(&mut client, &school, &receipt, now).await)
    }

    fn queue_school_days(&self, school: Brin, notice: Vec<u8>) -> StoreFuture<bool> {
        with_client!(self, |client| ops::queue_school_days(&mut client, &school, &notice).await)
    }

    fn take_office_items(&self, office: OfficePublicKey, after: u64, now: i64) -> StoreFuture<OfficeItems> {
        with_client!(self, |client| ops::take_office_items(&mut client, &office, after, now).await)
    }

    fn stats(&self, office: OfficePublicKey) -> StoreFuture<Stats> {
        with_client!(self, |client| ops::stats(&client, &office).await)
    }

    fn set_stats_retention(&self, office: OfficePublicKey, keep_months: u32, now: i64) -> StoreFuture<()> {
        with_client!(self, |client| ops::set_stats_retention(&mut client, &office, keep_months, now).await)
    }

    fn sweep(&self, now: i64) -> StoreFuture<SweepReport> {
        with_client!(self, |client| ops::sweep(&mut client, now).await)
    }

    fn hand_over(&self, old: OfficePublicKey, new: OfficePublicKey, now: i64) -> StoreFuture<HandOver> {
        with_client!(self, |client| ops::hand_over(&mut client, &old, &new, now).await)
    }

    fn pin_guard_try(&self, device: DeviceId, fresh_key: PinGuardKey, nonce: [u8; 32]) -> StoreFuture<GuardTry> {
        with_client!(self, |client| pin_guard::try_pin(&client, &device, &fresh_key, &nonce).await)
    }

    fn pin_guard_reset(&self, device: DeviceId, request: PinGuardReset) -> StoreFuture<ResetOutcome> {
        with_client!(self, |client| pin_guard::reset(&mut client, &device, &request).await)
    }

    fn health(&self, now: i64) -> StoreFuture<()> {
        with_client!(self, |client| ops::health(&client, now).await)
    }

    fn follow_wakeups(&self, waiters: Waiters) {
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                runtime.spawn(listener::run(self.config.clone(), waiters));
            }
            Err(_) => tracing::error!("no runtime: wake-ups from other relay instances are not followed"),
        }
    }
}
