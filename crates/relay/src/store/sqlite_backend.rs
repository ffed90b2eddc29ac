//! [`RelayStore`] for the SQLite file: each operation is one of the store functions of this
//! module's siblings, run as a write on the group-commit writer or as a read on a read
//! connection.

use super::backend::{RelayStore, StoreFuture};
use super::enrollments::{self, CreateOutcome, EnrollOutcome};
use super::offices::{self, HandOver};
use super::pin_guard::{self, GuardTry, NewPinGuard, ResetOutcome};
use super::receipts::{self, AckOutcome};
use super::signals::{self, InsertOutcome};
use super::sweep::{self, SweepReport};
use super::{devices, inbox, nonces, office_items, profiles, schools, stats, SqliteStore};
use hwc_protocol::api::{
    CreateEnrollment, DeviceInfo, DeviceStatus, Inbox, LastContact, OfficeItems, PinGuardReset, Stats,
};
use hwc_protocol::pin_guard::PinGuardKey;
use hwc_protocol::{Brin, DeviceId, DevicePublicKeys, OfficePublicKey, VerifiedEnvelope, VerifiedReceipt};

impl RelayStore for SqliteStore {
    fn remember_nonce(&self, signer: String, nonce: [u8; 16], request_time: i64) -> StoreFuture<bool> {
        let store = self.clone();
        Box::pin(async move { store.call(move |conn| nonces::remember(conn, &signer, &nonce, request_time)).await })
    }

    fn successor_of(&self, office: OfficePublicKey) -> StoreFuture<Option<OfficePublicKey>> {
        let store = self.clone();
        Box::pin(async move { store.read(move |conn| offices::successor_of(conn, &office)).await })
    }

    fn device(&self, device: DeviceId) -> StoreFuture<Option<DeviceInfo>> {
        let store = self.clone();
        Box::pin(async move { store.read(move |conn| devices::get(conn, &device)).await })
    }

    fn list_devices(&self, school: Brin) -> StoreFuture<Vec<DeviceInfo>> {
        let store = self.clone();
        Box::pin(async move { store.read(move |conn| devices::list(conn, &school)).await })
    }

    fn touch_device(&self, device: DeviceId, day: String) -> StoreFuture<()> {
        let store = self.clone();
        Box::pin(async move { store.call(move |conn| devices::touch(conn, &device, &day)).await })
    }

    fn last_contacts(&self, school: Brin) -> StoreFuture<Vec<LastContact>> {
        let store = self.clone();
        Box::pin(async move { store.read(move |conn| devices::last_contacts(conn, &school)).await })
    }

    fn set_device_status(&self, device: DeviceId, status: DeviceStatus) -> StoreFuture<()> {
        let store = self.clone();
        Box::pin(async move {
            store
                .call(move |conn| {
                    devices::set_status(conn, &device, status)?;
                    if status == DeviceStatus::Removed {
                        pin_guard::forget(conn, &device)?;
                    }
                    Ok(())
                })
                .await
        })
    }

    fn set_profile(&self, school: Brin, frame: Vec<u8>, now: i64) -> StoreFuture<()> {
        let store = self.clone();
        Box::pin(async move { store.call(move |conn| profiles::set(conn, &school, &frame, now)).await })
    }

    fn profile(&self, school: Brin) -> StoreFuture<Option<Vec<u8>>> {
        let store = self.clone();
        Box::pin(async move { store.read(move |conn| profiles::get(conn, &school)).await })
    }

    fn school_owner(&self, school: Brin) -> StoreFuture<Option<OfficePublicKey>> {
        let store = self.clone();
        Box::pin(async move { store.read(move |conn| schools::owner(conn, &school)).await })
    }

    fn create_enrollment(
        &self,
        office: OfficePublicKey,
        request: CreateEnrollment,
        now: i64,
    ) -> StoreFuture<CreateOutcome> {
        let store = self.clone();
        Box::pin(async move { store.call(move |conn| enrollments::create(conn, &office, &request, now)).await })
    }

    fn enrollment_refusal(&self, code_hash: String, device: DeviceId, now: i64) -> StoreFuture<Option<EnrollOutcome>> {
        let store = self.clone();
        Box::pin(async move { store.read(move |conn| enrollments::refusal(conn, &code_hash, &device, now)).await })
    }

    fn enroll(
        &self,
        code_hash: String,
        keys: DevicePublicKeys,
        guard: NewPinGuard,
        now: i64,
    ) -> StoreFuture<EnrollOutcome> {
        let store = self.clone();
        Box::pin(async move { store.call(move |conn| enrollments::enroll(conn, &code_hash, &keys, &guard, now)).await })
    }

    fn insert_signal(
        &self,
        office: OfficePublicKey,
        envelope: VerifiedEnvelope,
        now: i64,
    ) -> StoreFuture<InsertOutcome> {
        let store = self.clone();
        Box::pin(async move { store.call(move |conn| signals::insert(conn, &office, &envelope, now)).await })
    }

    fn inbox(&self, school: Brin, device: DeviceId, after: u64, now: i64) -> StoreFuture<Inbox> {
        let store = self.clone();
        Box::pin(async move { store.read(move |conn| inbox::read(conn, &school, &device, after, now)).await })
    }

    fn acknowledge(&self, school: Brin, receipt: VerifiedReceipt, now: i64) -> StoreFuture<AckOutcome> {
        let store = self.clone();
        Box::pin(async move { store.call(move |conn| receipts::acknowledge(conn, &school, &receipt, now)).await })
    }

    fn queue_school_days(&self, school: Brin, notice: Vec<u8>) -> StoreFuture<bool> {
        let store = self.clone();
        Box::pin(async move { store.call(move |conn| office_items::queue_school_days(conn, &school, &notice)).await })
    }

    fn take_office_items(&self, office: OfficePublicKey, after: u64, now: i64) -> StoreFuture<OfficeItems> {
        let store = self.clone();
        Box::pin(async move {
            store
                .call(move |conn| {
                    // Expiries only: releasing held envelopes is the background sweep's, which
                    // wakes the school's waiting devices (nothing here could).
                    sweep::expire(conn, now)?;
                    office_items::take(conn, &office, after)
                })
                .await
        })
    }

    fn stats(&self, office: OfficePublicKey) -> StoreFuture<Stats> {
        let store = self.clone();
        Box::pin(async move { store.read(move |conn| stats::read(conn, &office)).await })
    }

    fn set_stats_retention(&self, office: OfficePublicKey, keep_months: u32, now: i64) -> StoreFuture<()> {
        let store = self.clone();
        Box::pin(async move { store.call(move |conn| stats::set_retention(conn, &office, keep_months, now)).await })
    }

    fn sweep(&self, now: i64) -> StoreFuture<SweepReport> {
        let store = self.clone();
        Box::pin(async move { store.call(move |conn| sweep::run(conn, now)).await })
    }

    fn hand_over(&self, old: OfficePublicKey, new: OfficePublicKey, now: i64) -> StoreFuture<HandOver> {
        let store = self.clone();
        Box::pin(async move { store.call(move |conn| offices::hand_over(conn, &old, &new, now)).await })
    }

    fn pin_guard_try(&self, device: DeviceId, fresh_key: PinGuardKey, nonce: [u8; 32]) -> StoreFuture<GuardTry> {
        let store = self.clone();
        Box::pin(async move { store.call(move |conn| pin_guard::try_pin(conn, &device, &fresh_key, &nonce)).await })
    }

    fn pin_guard_reset(&self, device: DeviceId, request: PinGuardReset) -> StoreFuture<ResetOutcome> {
        let store = self.clone();
        Box::pin(async move { store.call(move |conn| pin_guard::reset(conn, &device, &request)).await })
    }

    fn health(&self, now: i64) -> StoreFuture<()> {
        let store = self.clone();
        Box::pin(async move {
            let one: i64 = store.read(|conn| Ok(conn.query_row("SELECT 1", [], |row| row.get(0))?)).await?;
            if one != 1 {
                return Err(super::StoreError::Corrupt("SELECT 1"));
            }
            store
                .call(move |conn| {
                    conn.execute("INSERT OR REPLACE INTO health_check (id, at) VALUES (1, ?1)", [now])?;
                    Ok(())
                })
                .await
        })
    }
}
