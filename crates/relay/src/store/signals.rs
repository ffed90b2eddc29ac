//! Storing a verified envelope: checks the school and its devices, is idempotent by signal id,
//! and appends one `envelope` event to the school's inbox feed, or, for an envelope created for
//! later (rule E8), holds that event back until the sweep releases it at its `created_at`.

use super::{devices, schools, stats, StoreError};
use hwc_protocol::api::DeviceStatus;
use hwc_protocol::envelope::MAX_CLOCK_SKEW_SECS;
use hwc_protocol::expiry::amsterdam_date;
use hwc_protocol::{DeviceId, OfficePublicKey, VerifiedEnvelope};
use rusqlite::{params, Connection, OptionalExtension};
use sha2::{Digest, Sha256};

/// What happened to an envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InsertOutcome {
    Stored,
    /// These exact bytes were stored before (still waiting, or already acknowledged).
    AlreadyStored,
    /// A different envelope with this signal id exists.
    Conflict,
    /// The school is not registered at all.
    UnknownSchool,
    /// The school belongs to another office.
    WrongSchool,
    /// A copy is for a device that is not a verified device of the school.
    DeviceNotVerified(DeviceId),
    /// A copy is for a device that enrolled under another (an earlier) office key: it would
    /// refuse the envelope.
    DeviceOfOtherKey(DeviceId),
}

pub(crate) fn envelope_hash(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Stores `envelope`, sent by `office`, in one transaction, at relay time `now`.
pub fn insert(
    conn: &mut Connection,
    office: &OfficePublicKey,
    envelope: &VerifiedEnvelope,
    now: i64,
) -> Result<InsertOutcome, StoreError> {
    let env = &envelope.envelope;
    let signal_id = env.signal_id.to_string();
    let hash = envelope_hash(&envelope.bytes);
    let tx = conn.savepoint()?;
    let known: Option<String> = tx
        .query_row(
            "SELECT envelope_hash FROM signals WHERE signal_id = ?1
             UNION ALL SELECT envelope_hash FROM handled WHERE signal_id = ?1",
            [&signal_id],
            |row| row.get(0),
        )
        .optional()?;
    if let Some(known) = known {
        return Ok(if known == hash { InsertOutcome::AlreadyStored } else { InsertOutcome::Conflict });
    }
    match schools::owner(&tx, &env.school)? {
        None => return Ok(InsertOutcome::UnknownSchool),
        Some(owner) if &owner != office => return Ok(InsertOutcome::WrongSchool),
        Some(_) => {}
    }
    for copy in &env.copies {
        let device = devices::get(&tx, &copy.device_id)?
            .filter(|d| d.school == env.school && d.status == DeviceStatus::Verified);
        match device {
            None => return Ok(InsertOutcome::DeviceNotVerified(copy.device_id)),
            Some(d) if &d.office_key != office => return Ok(InsertOutcome::DeviceOfOtherKey(copy.device_id)),
            Some(_) => {}
        }
    }
    tx.execute(
        "INSERT INTO signals (signal_id, school, office, created_at, expires_at, envelope, envelope_hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            signal_id,
            env.school.as_str(),
            office.to_string(),
            env.created_at,
            env.expires_at,
            envelope.bytes,
            hash
        ],
    )?;
    for copy in &env.copies {
        tx.execute(
            "INSERT INTO signal_copies (signal_id, device_id) VALUES (?1, ?2)",
            params![signal_id, copy.device_id.to_string()],
        )?;
    }
    if is_held(env.created_at, now) {
        tx.execute(
            "INSERT INTO held_events (signal_id, school, release_at) VALUES (?1, ?2, ?3)",
            params![signal_id, env.school.as_str(), env.created_at],
        )?;
    } else {
        append_event(&tx, env.school.as_str(), &signal_id)?;
    }
    let day = sent_day(env.created_at, now);
    stats::count_sent(&tx, office, &day)?;
    tx.commit()?;
    Ok(InsertOutcome::Stored)
}

/// Whether an envelope created at `created_at` is held at relay time `now`: created further
/// ahead than the clock skew every receiver allows (rule E8). Within the skew it is served at
/// once, as before holding existed, so an office clock a few minutes fast delays nothing.
pub fn is_held(created_at: i64, now: i64) -> bool {
    created_at > now.saturating_add(MAX_CLOCK_SKEW_SECS)
}

fn append_event(conn: &Connection, school: &str, signal_id: &str) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO events (school, kind, signal_id, by_device, at) VALUES (?1, 'envelope', ?2, NULL, NULL)",
        params![school, signal_id],
    )?;
    Ok(())
}

/// The Dutch day a signal counts as sent: the day the relay took it (a held envelope's
/// `created_at` lies ahead); shared with PostgreSQL.
pub(crate) fn sent_day(created_at: i64, now: i64) -> String {
    let at = chrono::DateTime::from_timestamp(created_at.min(now), 0).unwrap_or_default();
    amsterdam_date(at).format("%Y-%m-%d").to_string()
}

/// Appends the `envelope` events of held envelopes whose time has come, oldest first, and
/// returns their schools (not committed here).
pub(crate) fn release_held(conn: &Connection, now: i64) -> Result<Vec<String>, StoreError> {
    let due: Vec<(String, String)> = {
        let mut stmt = conn.prepare_cached(
            "SELECT signal_id, school FROM held_events WHERE release_at <= ?1 ORDER BY release_at, signal_id",
        )?;
        let rows = stmt.query_map([now], |row| Ok((row.get(0)?, row.get(1)?)))?;
        rows.collect::<Result<_, _>>()?
    };
    let mut schools = Vec::new();
    for (signal_id, school) in due {
        append_event(conn, &school, &signal_id)?;
        conn.execute("DELETE FROM held_events WHERE signal_id = ?1", [&signal_id])?;
        if !schools.contains(&school) {
            schools.push(school);
        }
    }
    Ok(schools)
}

/// Deletes a waiting signal with its copies and its `envelope` event (not committed here).
pub(crate) fn delete(conn: &Connection, signal_id: &str) -> Result<(), StoreError> {
    conn.execute("DELETE FROM held_events WHERE signal_id = ?1", [signal_id])?;
    conn.execute("DELETE FROM signals WHERE signal_id = ?1", [signal_id])?;
    conn.execute("DELETE FROM signal_copies WHERE signal_id = ?1", [signal_id])?;
    conn.execute("DELETE FROM events WHERE signal_id = ?1 AND kind = 'envelope'", [signal_id])?;
    Ok(())
}
