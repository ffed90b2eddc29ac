//! The tables, created on open, and the schema version row that guards against opening a
//! database written by an incompatible relay.

use super::StoreError;
use rusqlite::{Connection, OptionalExtension};

/// The schema this relay writes. 2: enrollments carry the office key tag. 3: office key
/// rotation (`office_successions`) and the health check's row. 4: a tombstone keeps the signed
/// receipt, so colleagues get proof with "handled". 5: the PIN guard (`pin_guard`). 6: held
/// envelopes (`held_events`, rule E8) and each device's last contact (`devices.last_seen_day`).
/// Versions 2 to 5 are upgraded in place.
pub const VERSION: i64 = 6;

const TABLES: &str = "
CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);
-- A school (BRIN) belongs to the office that first created an enrollment code for it.
CREATE TABLE IF NOT EXISTS schools (
    brin TEXT PRIMARY KEY, office TEXT NOT NULL, registered_at INTEGER NOT NULL);
-- One-time enrollment codes, by hash only. office_key_tag: the office's binding of the code to
-- its key, handed to the enrolling device. used_by: the device that used the code.
CREATE TABLE IF NOT EXISTS enrollments (
    code_hash TEXT PRIMARY KEY, school TEXT NOT NULL, role TEXT NOT NULL, office TEXT NOT NULL,
    office_key_tag TEXT NOT NULL, expires_at INTEGER NOT NULL, used_by TEXT, created_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS devices (
    device_id TEXT PRIMARY KEY, school TEXT NOT NULL, role TEXT NOT NULL, office TEXT NOT NULL,
    sign_key BLOB NOT NULL, seal_key BLOB NOT NULL, status TEXT NOT NULL, enrolled_at INTEGER NOT NULL,
    last_seen_day TEXT);
CREATE INDEX IF NOT EXISTS devices_by_school ON devices (school);
-- Waiting envelopes (ciphertext) and which devices hold a copy.
CREATE TABLE IF NOT EXISTS signals (
    signal_id TEXT PRIMARY KEY, school TEXT NOT NULL, office TEXT NOT NULL,
    created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL,
    envelope BLOB NOT NULL, envelope_hash TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS signals_by_expiry ON signals (expires_at);
CREATE TABLE IF NOT EXISTS signal_copies (
    signal_id TEXT NOT NULL, device_id TEXT NOT NULL, PRIMARY KEY (signal_id, device_id));
-- The inbox feed per school: kind 'envelope' or 'handled'.
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, school TEXT NOT NULL, kind TEXT NOT NULL,
    signal_id TEXT NOT NULL, by_device TEXT, at INTEGER);
CREATE INDEX IF NOT EXISTS events_by_school ON events (school, seq);
CREATE INDEX IF NOT EXISTS events_by_signal ON events (signal_id);
-- Tombstones of acknowledged signals, kept until the signal's original expiry, and the
-- devices that had a copy (they see the 'handled' event).
CREATE TABLE IF NOT EXISTS handled (
    signal_id TEXT PRIMARY KEY, school TEXT NOT NULL, office TEXT NOT NULL, by_device TEXT NOT NULL,
    at INTEGER NOT NULL, keep_until INTEGER NOT NULL, envelope_hash TEXT NOT NULL, receipt BLOB);
CREATE INDEX IF NOT EXISTS handled_by_keep_until ON handled (keep_until);
CREATE TABLE IF NOT EXISTS handled_copies (
    signal_id TEXT NOT NULL, device_id TEXT NOT NULL, PRIMARY KEY (signal_id, device_id));
-- Receipts, expiry notices and school days notices waiting for the office. kind 'receipt',
-- 'expired' or 'school_days' (signal_id '', the frame in receipt).
CREATE TABLE IF NOT EXISTS office_items (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, office TEXT NOT NULL, kind TEXT NOT NULL,
    school TEXT NOT NULL, signal_id TEXT NOT NULL, receipt BLOB, expired_at INTEGER);
CREATE INDEX IF NOT EXISTS office_items_by_office ON office_items (office, seq);
CREATE TABLE IF NOT EXISTS seen_nonces (
    signer TEXT NOT NULL, nonce TEXT NOT NULL, expires_at INTEGER NOT NULL,
    PRIMARY KEY (signer, nonce));
CREATE INDEX IF NOT EXISTS seen_nonces_by_expiry ON seen_nonces (expires_at);
-- Counts only: signals sent per Dutch day, and named counters (acknowledgement buckets,
-- expired, not_our_pupil).
CREATE TABLE IF NOT EXISTS stats_sent (
    office TEXT NOT NULL, day TEXT NOT NULL, count INTEGER NOT NULL, PRIMARY KEY (office, day));
-- Retired office keys and the key that took over their schools. A retired key is refused.
CREATE TABLE IF NOT EXISTS office_successions (
    old TEXT PRIMARY KEY, successor TEXT NOT NULL, at INTEGER NOT NULL);
-- One row, rewritten by each health check to prove the database takes writes.
CREATE TABLE IF NOT EXISTS health_check (id INTEGER PRIMARY KEY CHECK (id = 1), at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS stats_counts (
    office TEXT NOT NULL, name TEXT NOT NULL, count INTEGER NOT NULL, PRIMARY KEY (office, name));
-- Each school's profile frame (sender's name, sector), signed by its office; no personal data.
-- Added without a version bump, like stats_retention: an older relay ignores it.
CREATE TABLE IF NOT EXISTS school_profiles (
    school TEXT PRIMARY KEY, frame BLOB NOT NULL, updated_at INTEGER NOT NULL);
-- How many months an office keeps its per-day counts (no row: two years); older days are
-- deleted by the sweep. Added without a version bump: an older relay just never deletes them.
CREATE TABLE IF NOT EXISTS stats_retention (
    office TEXT PRIMARY KEY, keep_months INTEGER NOT NULL CHECK (keep_months BETWEEN 1 AND 120));
-- The PIN guard per device: the secret OPRF key, tries since the last right PIN, the nonce the
-- next reset signs, and the public half of the device's reset key (see store/pin_guard.rs).
CREATE TABLE IF NOT EXISTS pin_guard (
    device_id TEXT PRIMARY KEY, oprf_key BLOB NOT NULL, tries INTEGER NOT NULL,
    nonce BLOB, reset_key BLOB);
-- Envelopes created for later (rule E8: a school closed for more than a week): the signal and
-- its copies are stored, but its 'envelope' event is appended only when the sweep releases it at
-- release_at (its created_at), so no device sees it before.
CREATE TABLE IF NOT EXISTS held_events (
    signal_id TEXT PRIMARY KEY, school TEXT NOT NULL, release_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS held_events_by_release ON held_events (release_at);
";

/// Creates missing tables and checks (or writes) the schema version.
pub fn create(conn: &Connection) -> Result<(), StoreError> {
    conn.execute_batch(&format!("BEGIN IMMEDIATE; {TABLES} COMMIT;"))?;
    upgrade(conn)?;
    // Schema 6: devices of an older database gain their last contact (unknown until the next
    // one); checked by column, so a version-6 file from before the column is completed too.
    let has_last_seen: i64 =
        conn.query_row("SELECT count(*) FROM pragma_table_info('devices') WHERE name = 'last_seen_day'", [], |row| {
            row.get(0)
        })?;
    if has_last_seen == 0 {
        conn.execute_batch("BEGIN IMMEDIATE; ALTER TABLE devices ADD COLUMN last_seen_day TEXT; COMMIT;")?;
    }
    Ok(())
}

/// Checks (or writes) the schema version and upgrades an older database's tables; refuses a
/// newer one before anything of it is changed.
fn upgrade(conn: &Connection) -> Result<(), StoreError> {
    let found: Option<i64> = conn.query_row("SELECT version FROM schema_version", [], |row| row.get(0)).optional()?;
    match found {
        None => {
            conn.execute("INSERT INTO schema_version (version) VALUES (?1)", [VERSION])?;
            Ok(())
        }
        Some(VERSION) => Ok(()),
        Some(2 | 3) => {
            // New tables were just created; the tombstones gain the receipt (older ones have none).
            conn.execute_batch(&format!(
                "BEGIN IMMEDIATE; ALTER TABLE handled ADD COLUMN receipt BLOB; UPDATE schema_version SET version = {VERSION}; COMMIT;"
            ))?;
            Ok(())
        }
        Some(4 | 5) => {
            // Only new tables (`pin_guard`, `held_events`), just created.
            conn.execute("UPDATE schema_version SET version = ?1", [VERSION])?;
            Ok(())
        }
        Some(found) => Err(StoreError::SchemaVersion { found, expected: VERSION }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn version(conn: &Connection) -> i64 {
        conn.query_row("SELECT version FROM schema_version", [], |row| row.get(0)).unwrap()
    }

    #[test]
    fn a_version_2_database_is_upgraded_in_place_and_a_newer_one_is_refused() {
        let conn = Connection::open_in_memory().unwrap();
        create(&conn).unwrap();
        // What a relay of schema 2 left: without the rotation and health tables, and tombstones
        // without receipts.
        conn.execute_batch(
            "DROP TABLE office_successions; DROP TABLE health_check; ALTER TABLE handled DROP COLUMN receipt;
             UPDATE schema_version SET version = 2;",
        )
        .unwrap();
        create(&conn).unwrap();
        assert_eq!(version(&conn), VERSION);
        conn.execute("INSERT INTO office_successions VALUES ('a', 'b', 1)", []).unwrap();
        conn.execute("INSERT INTO health_check VALUES (1, 1)", []).unwrap();
        conn.execute("INSERT INTO handled VALUES ('s', '12AB', 'o', 'd', 1, 2, 'h', x'01')", []).unwrap();

        // A relay of schema 4 gains the PIN guard.
        conn.execute_batch("DROP TABLE pin_guard; UPDATE schema_version SET version = 4;").unwrap();
        create(&conn).unwrap();
        assert_eq!(version(&conn), VERSION);
        conn.execute("INSERT INTO pin_guard VALUES ('d', x'01', 0, NULL, NULL)", []).unwrap();

        // A relay of schema 5 gains held envelopes and the devices' last contact.
        conn.execute("INSERT INTO devices (device_id, school, role, office, sign_key, seal_key, status, enrolled_at) VALUES ('d', '12AB', 'director', 'o', x'00', x'00', 'verified', 1)", []).unwrap();
        conn.execute_batch(
            "DROP TABLE held_events; ALTER TABLE devices DROP COLUMN last_seen_day; UPDATE schema_version SET version = 5;",
        )
        .unwrap();
        create(&conn).unwrap();
        assert_eq!(version(&conn), VERSION);
        conn.execute("INSERT INTO held_events VALUES ('s', '12AB', 10)", []).unwrap();
        let seen: Option<String> =
            conn.query_row("SELECT last_seen_day FROM devices WHERE device_id = 'd'", [], |r| r.get(0)).unwrap();
        assert_eq!(seen, None, "kept devices, last contact unknown");

        conn.execute("UPDATE schema_version SET version = ?1", [VERSION + 1]).unwrap();
        assert!(matches!(create(&conn), Err(StoreError::SchemaVersion { found, .. }) if found == VERSION + 1));
    }
}
