//! The PostgreSQL tables: the same tables and columns as the SQLite schema (`../schema.rs`),
//! in PostgreSQL's types, created on connect under an advisory lock so that instances starting
//! together do not race, with the same schema version check.

use super::super::schema::VERSION;
use super::super::StoreError;
use tokio_postgres::Client;

/// Held while the schema is created or checked.
const SCHEMA_LOCK: i64 = 0x6877_635f_7363; // "hwc_sc"

const TABLES: &str = "
CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS schools (
    brin TEXT PRIMARY KEY, office TEXT NOT NULL, registered_at BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS enrollments (
    code_hash TEXT PRIMARY KEY, school TEXT NOT NULL, role TEXT NOT NULL, office TEXT NOT NULL,
    office_key_tag TEXT NOT NULL, expires_at BIGINT NOT NULL, used_by TEXT, created_at BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS devices (
    device_id TEXT PRIMARY KEY, school TEXT NOT NULL, role TEXT NOT NULL, office TEXT NOT NULL,
    sign_key BYTEA NOT NULL, seal_key BYTEA NOT NULL, status TEXT NOT NULL, enrolled_at BIGINT NOT NULL,
    last_seen_day TEXT);
CREATE INDEX IF NOT EXISTS devices_by_school ON devices (school);
CREATE TABLE IF NOT EXISTS signals (
    signal_id TEXT PRIMARY KEY, school TEXT NOT NULL, office TEXT NOT NULL,
    created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL,
    envelope BYTEA NOT NULL, envelope_hash TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS signals_by_expiry ON signals (expires_at);
CREATE TABLE IF NOT EXISTS signal_copies (
    signal_id TEXT NOT NULL, device_id TEXT NOT NULL, PRIMARY KEY (signal_id, device_id));
CREATE TABLE IF NOT EXISTS events (
    seq BIGSERIAL PRIMARY KEY, school TEXT NOT NULL, kind TEXT NOT NULL,
    signal_id TEXT NOT NULL, by_device TEXT, at BIGINT);
CREATE INDEX IF NOT EXISTS events_by_school ON events (school, seq);
CREATE INDEX IF NOT EXISTS events_by_signal ON events (signal_id);
CREATE TABLE IF NOT EXISTS handled (
    signal_id TEXT PRIMARY KEY, school TEXT NOT NULL, office TEXT NOT NULL, by_device TEXT NOT NULL,
    at BIGINT NOT NULL, keep_until BIGINT NOT NULL, envelope_hash TEXT NOT NULL, receipt BYTEA);
CREATE INDEX IF NOT EXISTS handled_by_keep_until ON handled (keep_until);
CREATE TABLE IF NOT EXISTS handled_copies (
    signal_id TEXT NOT NULL, device_id TEXT NOT NULL, PRIMARY KEY (signal_id, device_id));
CREATE TABLE IF NOT EXISTS office_items (
    seq BIGSERIAL PRIMARY KEY, office TEXT NOT NULL, kind TEXT NOT NULL,
    school TEXT NOT NULL, signal_id TEXT NOT NULL, receipt BYTEA, expired_at BIGINT);
CREATE INDEX IF NOT EXISTS office_items_by_office ON office_items (office, seq);
CREATE TABLE IF NOT EXISTS seen_nonces (
    signer TEXT NOT NULL, nonce TEXT NOT NULL, expires_at BIGINT NOT NULL,
    PRIMARY KEY (signer, nonce));
CREATE INDEX IF NOT EXISTS seen_nonces_by_expiry ON seen_nonces (expires_at);
CREATE TABLE IF NOT EXISTS stats_sent (
    office TEXT NOT NULL, day TEXT NOT NULL, count BIGINT NOT NULL, PRIMARY KEY (office, day));
CREATE TABLE IF NOT EXISTS office_successions (
    old TEXT PRIMARY KEY, successor TEXT NOT NULL, at BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS health_check (id INTEGER PRIMARY KEY CHECK (id = 1), at BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS stats_counts (
    office TEXT NOT NULL, name TEXT NOT NULL, count BIGINT NOT NULL, PRIMARY KEY (office, name));
CREATE TABLE IF NOT EXISTS school_profiles (
    school TEXT PRIMARY KEY, frame BYTEA NOT NULL, updated_at BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS stats_retention (
    office TEXT PRIMARY KEY, keep_months BIGINT NOT NULL CHECK (keep_months BETWEEN 1 AND 120));
CREATE TABLE IF NOT EXISTS pin_guard (
    device_id TEXT PRIMARY KEY, oprf_key BYTEA NOT NULL, tries BIGINT NOT NULL,
    nonce BYTEA, reset_key BYTEA);
CREATE TABLE IF NOT EXISTS held_events (
    signal_id TEXT PRIMARY KEY, school TEXT NOT NULL, release_at BIGINT NOT NULL);
CREATE INDEX IF NOT EXISTS held_events_by_release ON held_events (release_at);
";

/// Creates missing tables and checks (or writes) the schema version.
pub async fn create(client: &mut Client) -> Result<(), StoreError> {
    let tx = client.transaction().await?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&SCHEMA_LOCK]).await?;
    tx.batch_execute(TABLES).await?;
    let found: Option<i64> = tx.query_opt("SELECT version FROM schema_version", &[]).await?.map(|row| row.get(0));
    match found {
        None => {
            tx.execute("INSERT INTO schema_version (version) VALUES ($1)", &[&VERSION]).await?;
        }
        Some(VERSION) => {}
        Some(3) => {
            // Tombstones gain the signed receipt (older ones have none).
            tx.batch_execute("ALTER TABLE handled ADD COLUMN IF NOT EXISTS receipt BYTEA").await?;
            tx.execute("UPDATE schema_version SET version = $1", &[&VERSION]).await?;
        }
        Some(4 | 5) => {
            // Only new tables (`pin_guard`, `held_events`), just created.
            tx.execute("UPDATE schema_version SET version = $1", &[&VERSION]).await?;
        }
        Some(found) => return Err(StoreError::SchemaVersion { found, expected: VERSION }),
    }
    // Schema 6: devices of an older database gain their last contact. Looked up first, so a
    // database that has it is not locked by an ALTER at every start.
    let has_last_seen = tx
        .query_opt(
            "SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema()
             AND table_name = 'devices' AND column_name = 'last_seen_day'",
            &[],
        )
        .await?
        .is_some();
    if !has_last_seen {
        tx.batch_execute("ALTER TABLE devices ADD COLUMN last_seen_day TEXT").await?;
    }
    tx.commit().await?;
    Ok(())
}
