//! The storage trait: every operation the relay's API needs, each one atomic, in the words of
//! the API rather than of a database. Two implementations: [`super::SqliteStore`] (one file,
//! the default) and [`super::postgres::PgStore`] (several relay instances on one PostgreSQL).
//!
//! Methods take owned arguments and return boxed futures, so the relay holds the store as
//! `Arc<dyn RelayStore>` without knowing which one it is.

use super::enrollments::{CreateOutcome, EnrollOutcome};
use super::offices::HandOver;
use super::pin_guard::{GuardTry, NewPinGuard, ResetOutcome};
use super::receipts::AckOutcome;
use super::signals::InsertOutcome;
use super::sweep::SweepReport;
use super::StoreError;
use crate::waiters::Waiters;
use hwc_protocol::api::{
    CreateEnrollment, DeviceInfo, DeviceStatus, Inbox, LastContact, OfficeItems, PinGuardReset, Stats,
};
use hwc_protocol::pin_guard::PinGuardKey;
use hwc_protocol::{Brin, DeviceId, DevicePublicKeys, OfficePublicKey, VerifiedEnvelope, VerifiedReceipt};
use std::future::Future;
use std::pin::Pin;

/// What every store method returns.
pub type StoreFuture<T> = Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send + 'static>>;

/// The relay's storage. Every write is durable before its future completes.
pub trait RelayStore: Send + Sync + std::fmt::Debug {
    /// Records a request nonce of `signer`; false when it was seen before (a replay).
    fn remember_nonce(&self, signer: String, nonce: [u8; 16], request_time: i64) -> StoreFuture<bool>;
    /// The key that took over from `office`, when `office` is retired.
    fn successor_of(&self, office: OfficePublicKey) -> StoreFuture<Option<OfficePublicKey>>;
    fn device(&self, device: DeviceId) -> StoreFuture<Option<DeviceInfo>>;
    fn list_devices(&self, school: Brin) -> StoreFuture<Vec<DeviceInfo>>;
    /// Notes the device's contact on `day` (Dutch date, `YYYY-MM-DD`).
    fn touch_device(&self, device: DeviceId, day: String) -> StoreFuture<()>;
    /// The last contact of each device of `school` that is not removed.
    fn last_contacts(&self, school: Brin) -> StoreFuture<Vec<LastContact>>;
    /// Sets a device's status; a removed device's PIN guard row is deleted with it.
    fn set_device_status(&self, device: DeviceId, status: DeviceStatus) -> StoreFuture<()>;
    /// Stores `frame` (checked by the caller) as `school`'s profile, replacing an older one.
    fn set_profile(&self, school: Brin, frame: Vec<u8>, now: i64) -> StoreFuture<()>;
    /// `school`'s profile frame, if its office published one.
    fn profile(&self, school: Brin) -> StoreFuture<Option<Vec<u8>>>;
    /// The office that owns `school`, if any.
    fn school_owner(&self, school: Brin) -> StoreFuture<Option<OfficePublicKey>>;
    /// Announces an enrollment code; registers the school to `office` when nobody owns it.
    fn create_enrollment(
        &self,
        office: OfficePublicKey,
        request: CreateEnrollment,
        now: i64,
    ) -> StoreFuture<CreateOutcome>;
    /// How enrolling `device` with the code whose hash is `code_hash` would be refused, read only
    /// (see [`super::enrollments::refusal`]); `None` when it may go on.
    fn enrollment_refusal(&self, code_hash: String, device: DeviceId, now: i64) -> StoreFuture<Option<EnrollOutcome>>;
    /// A device enrolls itself with the code whose hash is `code_hash`; its PIN guard is made
    /// in the same transaction.
    fn enroll(
        &self,
        code_hash: String,
        keys: DevicePublicKeys,
        guard: NewPinGuard,
        now: i64,
    ) -> StoreFuture<EnrollOutcome>;
    /// Stores a verified envelope sent by `office` (idempotent by signal id).
    fn insert_signal(
        &self,
        office: OfficePublicKey,
        envelope: VerifiedEnvelope,
        now: i64,
    ) -> StoreFuture<InsertOutcome>;
    /// The inbox feed of `device` (of `school`) after sequence number `after`.
    fn inbox(&self, school: Brin, device: DeviceId, after: u64, now: i64) -> StoreFuture<Inbox>;
    /// A device's receipt: deletes the envelope, records `handled`, queues the receipt once.
    fn acknowledge(&self, school: Brin, receipt: VerifiedReceipt, now: i64) -> StoreFuture<AckOutcome>;
    /// Queues a device's school days notice (an `HWK1` frame, checked by the caller) for the
    /// office that owns `school`, read in the same transaction; false when no office owns it.
    fn queue_school_days(&self, school: Brin, notice: Vec<u8>) -> StoreFuture<bool>;
    /// Sweeps expired envelopes, then returns the office's items after `after` and deletes those
    /// at or below it.
    fn take_office_items(&self, office: OfficePublicKey, after: u64, now: i64) -> StoreFuture<OfficeItems>;
    fn stats(&self, office: OfficePublicKey) -> StoreFuture<Stats>;
    /// How many months `office`'s per-day counts are kept; older ones are deleted at once.
    fn set_stats_retention(&self, office: OfficePublicKey, keep_months: u32, now: i64) -> StoreFuture<()>;
    /// Deletes what expired at `now` and reports it to the offices.
    fn sweep(&self, now: i64) -> StoreFuture<SweepReport>;
    /// Office key rotation (see [`super::offices`]).
    fn hand_over(&self, old: OfficePublicKey, new: OfficePublicKey, now: i64) -> StoreFuture<HandOver>;
    /// Counts a PIN try of `device` (its row is made with `fresh_key` at the first one) and
    /// keeps `nonce` for the reset (see [`super::pin_guard`]).
    fn pin_guard_try(&self, device: DeviceId, fresh_key: PinGuardKey, nonce: [u8; 32]) -> StoreFuture<GuardTry>;
    /// Clears the count of `device` when `request` proves a right PIN.
    fn pin_guard_reset(&self, device: DeviceId, request: PinGuardReset) -> StoreFuture<ResetOutcome>;
    /// Reads and commits a one-row write: proof that the store works.
    fn health(&self, now: i64) -> StoreFuture<()>;
    /// Starts forwarding wake-ups that other relay instances on the same store send (a signal
    /// stored or handled through another instance) to `waiters`. A store only one process can
    /// use has none to forward.
    fn follow_wakeups(&self, waiters: Waiters) {
        let _ = waiters;
    }
}
