//! The PIN guard's rows (see `hwc_protocol::pin_guard` and `docs/design/pin-guard.md`): per
//! device the secret OPRF key, the tries since the last right PIN, the nonce the next reset must
//! sign and the public half of the device's reset key.
//!
//! A try is counted and the key read in one statement (`UPDATE … WHERE tries < 10 RETURNING`),
//! so parallel requests can never test more than ten PINs between two resets, on one relay or
//! several on one PostgreSQL. The row is made with the device's enrollment, with the reset key
//! the device sent ([`register`]); for a device enrolled before the guard, at its first try
//! (then the first reset registers the key). A removed device's row is deleted with its removal
//! and never made again.

use super::StoreError;
use hwc_protocol::api::PinGuardReset;
use hwc_protocol::pin_guard::{reset_signature_holds, PinGuardKey, PIN_GUARD_TRIES};
use hwc_protocol::DeviceId;
use rusqlite::{params, Connection, OptionalExtension};

/// The guard a device gets with its enrollment: a fresh key, and the public reset key the
/// device sent (absent from clients older than the guard).
#[derive(Debug)]
pub struct NewPinGuard {
    pub key: PinGuardKey,
    pub reset_key: Option<[u8; 32]>,
}

/// The outcome of counting a try.
#[derive(Debug)]
pub enum GuardTry {
    /// Counted: evaluate with `key`; `tries` is the count including this one.
    Counted { key: PinGuardKey, tries: u32 },
    /// Ten tries since the last right PIN: nothing is evaluated any more.
    Exhausted,
    /// The device was removed meanwhile: it has no guard any more.
    Removed,
}

/// The outcome of a reset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResetOutcome {
    /// The count is cleared and the reset key stored.
    Cleared,
    /// The nonce is not the last try's, or the signature does not hold: nothing changed.
    Refused,
}

/// Tries left after `tries` counted ones.
pub fn tries_left(tries: u32) -> u32 {
    PIN_GUARD_TRIES.saturating_sub(tries)
}

/// Whether `request` may clear the count of `device`, given what the row holds: the nonce of
/// the last try (each nonce serves once) and the registered reset key. The first reset
/// registers the key, which must then have made the signature itself; after that the request
/// must name the registered key and be signed with it (a key is never replaced: the device
/// derives it from its open key, which a new PIN does not change).
pub(crate) fn reset_allowed(
    device: &DeviceId,
    stored_nonce: Option<&[u8]>,
    stored_key: Option<&[u8]>,
    request: &PinGuardReset,
) -> bool {
    if stored_nonce != Some(&request.nonce[..]) {
        return false;
    }
    if stored_key.is_some_and(|key| key != &request.reset_key[..]) {
        return false;
    }
    reset_signature_holds(&request.reset_key, device, &request.nonce, &request.signature)
}

fn tries_u32(tries: i64) -> Result<u32, StoreError> {
    u32::try_from(tries).map_err(|_| StoreError::Corrupt("pin guard tries"))
}

/// Makes the guard of a device being enrolled (in the enrollment's transaction).
pub fn register(conn: &Connection, device: &DeviceId, guard: &NewPinGuard) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO pin_guard (device_id, oprf_key, tries, reset_key) VALUES (?1, ?2, 0, ?3)
         ON CONFLICT(device_id) DO NOTHING",
        params![device.to_string(), &guard.key.as_bytes()[..], guard.reset_key.as_ref().map(|k| &k[..])],
    )?;
    Ok(())
}

/// Counts a try for `device` (making its row with `fresh_key` at the first one, for a device
/// enrolled before the guard and not removed) and remembers `nonce` for the reset.
pub fn try_pin(
    conn: &Connection,
    device: &DeviceId,
    fresh_key: &PinGuardKey,
    nonce: &[u8; 32],
) -> Result<GuardTry, StoreError> {
    let id = device.to_string();
    conn.execute(
        "INSERT INTO pin_guard (device_id, oprf_key, tries)
         SELECT ?1, ?2, 0 WHERE EXISTS (SELECT 1 FROM devices WHERE device_id = ?1 AND status <> 'removed')
         ON CONFLICT(device_id) DO NOTHING",
        params![id, &fresh_key.as_bytes()[..]],
    )?;
    let counted = conn
        .query_row(
            "UPDATE pin_guard SET tries = tries + 1, nonce = ?2 WHERE device_id = ?1 AND tries < ?3
             RETURNING oprf_key, tries",
            params![id, &nonce[..], i64::from(PIN_GUARD_TRIES)],
            |row| Ok((row.get::<_, Vec<u8>>(0)?, row.get::<_, i64>(1)?)),
        )
        .optional()?;
    match counted {
        None => {
            let exists: bool =
                conn.query_row("SELECT EXISTS (SELECT 1 FROM pin_guard WHERE device_id = ?1)", [&id], |r| r.get(0))?;
            Ok(if exists { GuardTry::Exhausted } else { GuardTry::Removed })
        }
        Some((key, tries)) => Ok(GuardTry::Counted {
            key: PinGuardKey::from_bytes(&key).map_err(|_| StoreError::Corrupt("pin guard key"))?,
            tries: tries_u32(tries)?,
        }),
    }
}

/// Clears the count of `device` when `request` proves a right PIN ([`reset_allowed`]).
pub fn reset(conn: &Connection, device: &DeviceId, request: &PinGuardReset) -> Result<ResetOutcome, StoreError> {
    let id = device.to_string();
    let row = conn
        .query_row("SELECT nonce, reset_key FROM pin_guard WHERE device_id = ?1", [&id], |row| {
            Ok((row.get::<_, Option<Vec<u8>>>(0)?, row.get::<_, Option<Vec<u8>>>(1)?))
        })
        .optional()?;
    let Some((nonce, key)) = row else { return Ok(ResetOutcome::Refused) };
    if !reset_allowed(device, nonce.as_deref(), key.as_deref(), request) {
        return Ok(ResetOutcome::Refused);
    }
    conn.execute(
        "UPDATE pin_guard SET tries = 0, nonce = NULL, reset_key = ?2 WHERE device_id = ?1",
        params![id, &request.reset_key[..]],
    )?;
    Ok(ResetOutcome::Cleared)
}

/// Deletes the row of a removed device.
pub fn forget(conn: &Connection, device: &DeviceId) -> Result<(), StoreError> {
    conn.execute("DELETE FROM pin_guard WHERE device_id = ?1", [device.to_string()])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use hwc_protocol::pin_guard::PinResetKey;

    fn conn() -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        super::super::schema::create(&conn).unwrap();
        for (id, status) in [([1u8; 16], "verified"), ([2u8; 16], "verified"), ([3u8; 16], "removed")] {
            conn.execute(
                "INSERT INTO devices (device_id, school, role, office, sign_key, seal_key, status, enrolled_at)
                 VALUES (?1, '12AB', 'director', 'o', x'00', x'00', ?2, 0)",
                params![DeviceId::from_bytes(id).to_string(), status],
            )
            .unwrap();
        }
        conn
    }

    #[test]
    fn a_key_registered_at_enrollment_is_the_only_one_and_a_removed_device_gets_no_guard() {
        let conn = conn();
        let device = DeviceId::from_bytes([2; 16]);
        let own = PinResetKey::from_seed(&[5; 32]);
        let guard = NewPinGuard { key: PinGuardKey::generate().unwrap(), reset_key: Some(own.public()) };
        register(&conn, &device, &guard).unwrap();
        let fresh = PinGuardKey::generate().unwrap();
        let GuardTry::Counted { key, tries: 1 } = try_pin(&conn, &device, &fresh, &[1; 32]).unwrap() else {
            panic!("counted")
        };
        assert_eq!(key.as_bytes(), guard.key.as_bytes(), "the key made at enrollment");
        let thief = PinResetKey::from_seed(&[6; 32]);
        let first_come = reset_request(&device, &thief, [1; 32], thief.public());
        assert_eq!(reset(&conn, &device, &first_come).unwrap(), ResetOutcome::Refused, "no first come, first served");
        assert_eq!(
            reset(&conn, &device, &reset_request(&device, &own, [1; 32], own.public())).unwrap(),
            ResetOutcome::Cleared
        );

        let removed = DeviceId::from_bytes([3; 16]);
        assert!(matches!(try_pin(&conn, &removed, &fresh, &[2; 32]).unwrap(), GuardTry::Removed));
        let rows: i64 = conn
            .query_row("SELECT count(*) FROM pin_guard WHERE device_id = ?1", [removed.to_string()], |r| r.get(0))
            .unwrap();
        assert_eq!(rows, 0, "no guard is made for a removed device");
    }

    fn reset_request(device: &DeviceId, signer: &PinResetKey, nonce: [u8; 32], named: [u8; 32]) -> PinGuardReset {
        PinGuardReset { nonce, reset_key: named, signature: signer.sign_reset(device, &nonce) }
    }

    #[test]
    fn ten_tries_then_nothing_until_a_reset_signed_with_the_registered_key() {
        let conn = conn();
        let device = DeviceId::from_bytes([1; 16]);
        let first_key = PinGuardKey::generate().unwrap();
        let mut keys = Vec::new();
        for n in 1..=PIN_GUARD_TRIES {
            let fresh = PinGuardKey::generate().unwrap();
            match try_pin(&conn, &device, &fresh, &[n as u8; 32]).unwrap() {
                GuardTry::Counted { key, tries } => {
                    assert_eq!(tries, n);
                    keys.push(*key.as_bytes());
                }
                GuardTry::Exhausted | GuardTry::Removed => panic!("try {n} refused"),
            }
        }
        assert!(keys.windows(2).all(|w| w[0] == w[1]), "the key made at the first try stays");
        assert!(matches!(try_pin(&conn, &device, &first_key, &[99; 32]).unwrap(), GuardTry::Exhausted));

        // The first reset registers its key; the nonce is the last counted try's.
        let reset_key = PinResetKey::from_seed(&[5; 32]);
        let stale = reset_request(&device, &reset_key, [9; 32], reset_key.public());
        assert_eq!(reset(&conn, &device, &stale).unwrap(), ResetOutcome::Refused, "an older try's nonce");
        let good = reset_request(&device, &reset_key, [10; 32], reset_key.public());
        assert_eq!(reset(&conn, &device, &good).unwrap(), ResetOutcome::Cleared);
        assert_eq!(reset(&conn, &device, &good).unwrap(), ResetOutcome::Refused, "a nonce serves once");
        assert!(matches!(try_pin(&conn, &device, &first_key, &[11; 32]).unwrap(), GuardTry::Counted { tries: 1, .. }));

        // From now on only the registered key clears the count; it is never replaced.
        let thief = PinResetKey::from_seed(&[6; 32]);
        let forged = reset_request(&device, &thief, [11; 32], thief.public());
        assert_eq!(reset(&conn, &device, &forged).unwrap(), ResetOutcome::Refused);
        let replace = reset_request(&device, &reset_key, [11; 32], thief.public());
        assert_eq!(reset(&conn, &device, &replace).unwrap(), ResetOutcome::Refused);
        let again = reset_request(&device, &reset_key, [11; 32], reset_key.public());
        assert_eq!(reset(&conn, &device, &again).unwrap(), ResetOutcome::Cleared);
        try_pin(&conn, &device, &first_key, &[12; 32]).unwrap();

        forget(&conn, &device).unwrap();
        let unknown = reset_request(&device, &reset_key, [12; 32], reset_key.public());
        assert_eq!(reset(&conn, &device, &unknown).unwrap(), ResetOutcome::Refused);
    }
}
