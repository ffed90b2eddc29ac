//! The PIN guard on PostgreSQL: the same rows and rules as `../pin_guard.rs`. The count is
//! raised and read in one `UPDATE … RETURNING`, which PostgreSQL runs under the row's lock, so
//! relay instances sharing the database cannot evaluate more than ten tries between resets.

use super::super::pin_guard::{reset_allowed, GuardTry, NewPinGuard, ResetOutcome};
use super::super::StoreError;
use hwc_protocol::api::PinGuardReset;
use hwc_protocol::pin_guard::{PinGuardKey, PIN_GUARD_TRIES};
use hwc_protocol::DeviceId;
use tokio_postgres::{Client, GenericClient};

/// Makes the guard of a device being enrolled (in the enrollment's transaction).
pub async fn register(client: &impl GenericClient, device: &DeviceId, guard: &NewPinGuard) -> Result<(), StoreError> {
    let reset_key = guard.reset_key.as_ref().map(|k| k.to_vec());
    client
        .execute(
            "INSERT INTO pin_guard (device_id, oprf_key, tries, reset_key) VALUES ($1, $2, 0, $3)
             ON CONFLICT (device_id) DO NOTHING",
            &[&device.to_string(), &&guard.key.as_bytes()[..], &reset_key],
        )
        .await?;
    Ok(())
}

pub async fn try_pin(
    client: &Client,
    device: &DeviceId,
    fresh_key: &PinGuardKey,
    nonce: &[u8; 32],
) -> Result<GuardTry, StoreError> {
    let id = device.to_string();
    client
        .execute(
            "INSERT INTO pin_guard (device_id, oprf_key, tries)
             SELECT $1, $2, 0 WHERE EXISTS (SELECT 1 FROM devices WHERE device_id = $1 AND status <> 'removed')
             ON CONFLICT (device_id) DO NOTHING",
            &[&id, &&fresh_key.as_bytes()[..]],
        )
        .await?;
    let row = client
        .query_opt(
            "UPDATE pin_guard SET tries = tries + 1, nonce = $2 WHERE device_id = $1 AND tries < $3
             RETURNING oprf_key, tries",
            &[&id, &&nonce[..], &i64::from(PIN_GUARD_TRIES)],
        )
        .await?;
    let Some(row) = row else {
        let exists: bool =
            client.query_one("SELECT EXISTS (SELECT 1 FROM pin_guard WHERE device_id = $1)", &[&id]).await?.get(0);
        return Ok(if exists { GuardTry::Exhausted } else { GuardTry::Removed });
    };
    let key: Vec<u8> = row.get(0);
    let tries: i64 = row.get(1);
    Ok(GuardTry::Counted {
        key: PinGuardKey::from_bytes(&key).map_err(|_| StoreError::Corrupt("pin guard key"))?,
        tries: u32::try_from(tries).map_err(|_| StoreError::Corrupt("pin guard tries"))?,
    })
}

pub async fn reset(
    client: &mut Client,
    device: &DeviceId,
    request: &PinGuardReset,
) -> Result<ResetOutcome, StoreError> {
    let id = device.to_string();
    let tx = client.transaction().await?;
    let row = tx.query_opt("SELECT nonce, reset_key FROM pin_guard WHERE device_id = $1 FOR UPDATE", &[&id]).await?;
    let Some(row) = row else { return Ok(ResetOutcome::Refused) };
    let nonce: Option<Vec<u8>> = row.get(0);
    let key: Option<Vec<u8>> = row.get(1);
    if !reset_allowed(device, nonce.as_deref(), key.as_deref(), request) {
        return Ok(ResetOutcome::Refused);
    }
    tx.execute(
        "UPDATE pin_guard SET tries = 0, nonce = NULL, reset_key = $2 WHERE device_id = $1",
        &[&id, &&request.reset_key[..]],
    )
    .await?;
    tx.commit().await?;
    Ok(ResetOutcome::Cleared)
}

pub async fn forget(client: &impl GenericClient, device: &DeviceId) -> Result<(), StoreError> {
    client.execute("DELETE FROM pin_guard WHERE device_id = $1", &[&device.to_string()]).await?;
    Ok(())
}
