//! The vault's tables. Only five kinds of thing are ever stored: the device's two secret keys
//! (separate rows, so the open key can later get its own PIN protection), a handful of named
//! settings, envelopes not yet handled (the sealed frames exactly as received), receipts not
//! yet delivered (signed frames), and the ids of handled signals with their envelope's expiry
//! (so a handled signal cannot come back; kept until that expiry). Never a name, a birthdate or
//! any decrypted content.

use rusqlite::Connection;

/// Bumped when the tables change; stored in `PRAGMA user_version`.
/// Version 2 added `handled`; a version-1 vault gains the table when opened.
pub(crate) const SCHEMA_VERSION: i64 = 2;

const CREATE: &str = "
CREATE TABLE IF NOT EXISTS device_keys (
    kind   TEXT PRIMARY KEY CHECK (kind IN ('signing', 'open')),
    secret BLOB NOT NULL CHECK (length(secret) = 32)
) STRICT;
CREATE TABLE IF NOT EXISTS settings (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS envelopes (
    signal_id   TEXT PRIMARY KEY CHECK (length(signal_id) = 32),
    frame       BLOB NOT NULL,
    received_at INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS outbox (
    signal_id TEXT PRIMARY KEY CHECK (length(signal_id) = 32),
    frame     BLOB NOT NULL,
    signed_at INTEGER NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS handled (
    signal_id  TEXT PRIMARY KEY CHECK (length(signal_id) = 32),
    expires_at INTEGER NOT NULL
) STRICT;
";

/// Creates the tables when missing and checks the version of an existing vault.
pub(crate) fn migrate(conn: &Connection) -> rusqlite::Result<Option<i64>> {
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if version > SCHEMA_VERSION {
        return Ok(Some(version));
    }
    conn.execute_batch(CREATE)?;
    conn.pragma_update(None, "user_version", SCHEMA_VERSION)?;
    Ok(None)
}

/// Every table, for wiping and for the privacy view.
pub(crate) const TABLES: [&str; 5] = ["device_keys", "settings", "envelopes", "outbox", "handled"];
