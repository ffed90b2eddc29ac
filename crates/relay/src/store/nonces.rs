//! Request nonces seen per signer, so a captured request cannot be replayed while its
//! timestamp is still accepted.

use super::StoreError;
use rusqlite::{params, Connection};

/// How long a nonce is remembered after the request's own time (longer than the accepted
/// clock skew on either side).
pub const KEEP_SECS: i64 = 600;

/// Remembers `nonce` for `signer`; false when it was already seen.
pub fn remember(conn: &Connection, signer: &str, nonce: &[u8; 16], request_time: i64) -> Result<bool, StoreError> {
    let inserted = conn.execute(
        "INSERT INTO seen_nonces (signer, nonce, expires_at) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
        params![signer, hex::encode(nonce), request_time.saturating_add(KEEP_SECS)],
    )?;
    Ok(inserted == 1)
}

/// Forgets nonces whose requests can no longer pass the time check.
pub fn purge(conn: &Connection, now: i64) -> Result<usize, StoreError> {
    Ok(conn.execute("DELETE FROM seen_nonces WHERE expires_at <= ?1", [now])?)
}
