//! The vault's tables. Only these kinds of thing are ever stored: the device's signing key, its
//! open key sealed with the PIN (salt, nonce and ciphertext, with the public half), the count
//! and time of wrong PINs in a row, a handful of named settings, envelopes not yet handled (the sealed frames exactly as received), receipts not
//! yet delivered (signed frames), and the ids of handled signals with their envelope's expiry
//! (so a handled signal cannot come back; kept until that expiry), and the ids of signals that
//! expired unhandled with the moment they expired (until the person has seen that). Never a
//! name, a birthdate or any decrypted content.

use rusqlite::Connection;

/// Bumped when the tables change; stored in `PRAGMA user_version`.
/// Version 2 added `handled`; a version-1 vault gains the table when opened.
/// Version 3 added `open_key` (the open key sealed with the PIN) and `pin_guard`; the open key
/// no longer has a row in `device_keys`. An older vault gains the tables but has no sealed open
/// key, so the device must be enrolled again (it never had a PIN).
/// Version 4 added `open_key.guarded`: 1 when the open key is sealed with the relay's PIN guard
/// in the derivation ([`crate::pin`]); a version-3 vault gains the column as 0 and is sealed
/// again with the guard at its next right PIN.
/// Version 5 added `expired`: the ids of signals that expired here unhandled, until the person
/// has seen the notice (at most two weeks).
pub(crate) const SCHEMA_VERSION: i64 = 5;

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
CREATE TABLE IF NOT EXISTS open_key (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    public_key BLOB NOT NULL CHECK (length(public_key) = 32),
    salt       BLOB NOT NULL CHECK (length(salt) = 16),
    nonce      BLOB NOT NULL CHECK (length(nonce) = 12),
    sealed     BLOB NOT NULL CHECK (length(sealed) = 48),
    guarded    INTEGER NOT NULL DEFAULT 0 CHECK (guarded IN (0, 1))
) STRICT;
CREATE TABLE IF NOT EXISTS pin_guard (
    id             INTEGER PRIMARY KEY CHECK (id = 1),
    wrong_in_a_row INTEGER NOT NULL CHECK (wrong_in_a_row >= 0),
    last_wrong_at  INTEGER NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS handled (
    signal_id  TEXT PRIMARY KEY CHECK (length(signal_id) = 32),
    expires_at INTEGER NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS expired (
    signal_id  TEXT PRIMARY KEY CHECK (length(signal_id) = 32),
    expired_at INTEGER NOT NULL
) STRICT;
";

/// Creates the tables when missing and checks the version of an existing vault.
pub(crate) fn migrate(conn: &Connection) -> rusqlite::Result<Option<i64>> {
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if version > SCHEMA_VERSION {
        return Ok(Some(version));
    }
    conn.execute_batch(CREATE)?;
    let has_guarded: i64 =
        conn.query_row("SELECT count(*) FROM pragma_table_info('open_key') WHERE name = 'guarded'", [], |r| r.get(0))?;
    if has_guarded == 0 {
        conn.execute_batch(
            "ALTER TABLE open_key ADD COLUMN guarded INTEGER NOT NULL DEFAULT 0 CHECK (guarded IN (0, 1))",
        )?;
    }
    conn.pragma_update(None, "user_version", SCHEMA_VERSION)?;
    Ok(None)
}

/// Every table, for wiping and for the privacy view.
pub(crate) const TABLES: [&str; 8] =
    ["device_keys", "open_key", "pin_guard", "settings", "envelopes", "outbox", "handled", "expired"];
