//! Office key rotation: a retired key, and the hand-over of everything an office owns to its
//! successor in one transaction. Devices keep the key they enrolled under (they trust only
//! that key), so the successor cannot send to them; they enroll again with its codes.

use super::{parse_col, StoreError};
use hwc_protocol::OfficePublicKey;
use rusqlite::{params, Connection, OptionalExtension};

/// The key that took over from `office`, when `office` is retired.
pub fn successor_of(conn: &Connection, office: &OfficePublicKey) -> Result<Option<OfficePublicKey>, StoreError> {
    let found: Option<String> = conn
        .query_row("SELECT successor FROM office_successions WHERE old = ?1", [office.to_string()], |row| row.get(0))
        .optional()?;
    found.map(|text| parse_col(&text, "office key")).transpose()
}

/// What a hand-over did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HandOver {
    /// Done now: the old key is retired; this many schools moved.
    Done { schools: usize },
    /// Done before, to the same successor (a retry).
    AlreadyDone,
    /// The old key was handed over to another key before.
    OtherSuccessor,
    /// The successor is itself retired, or already acts for schools of its own.
    SuccessorInUse,
}

/// Hands every school of `old`, with its waiting envelopes, acknowledgements, queued receipts
/// and notices and its counts, to `new`, and retires `old`. Unused enrollment codes of `old`
/// are dropped (a device enrolling with one would trust the retired key).
pub fn hand_over(
    conn: &mut Connection,
    old: &OfficePublicKey,
    new: &OfficePublicKey,
    now: i64,
) -> Result<HandOver, StoreError> {
    let tx = conn.savepoint()?;
    match successor_of(&tx, old)? {
        Some(earlier) if &earlier == new => return Ok(HandOver::AlreadyDone),
        Some(_) => return Ok(HandOver::OtherSuccessor),
        None => {}
    }
    let (old_text, new_text) = (old.to_string(), new.to_string());
    let new_in_use: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM schools WHERE office = ?1)
             OR EXISTS (SELECT 1 FROM office_successions WHERE old = ?1)",
        [&new_text],
        |row| row.get(0),
    )?;
    if new_in_use {
        return Ok(HandOver::SuccessorInUse);
    }
    let schools = tx.execute("UPDATE schools SET office = ?2 WHERE office = ?1", params![old_text, new_text])?;
    for table in ["signals", "handled", "office_items"] {
        tx.execute(&format!("UPDATE {table} SET office = ?2 WHERE office = ?1"), params![old_text, new_text])?;
    }
    tx.execute(
        "INSERT INTO stats_sent (office, day, count) SELECT ?2, day, count FROM stats_sent WHERE office = ?1
         ON CONFLICT (office, day) DO UPDATE SET count = count + excluded.count",
        params![old_text, new_text],
    )?;
    tx.execute(
        "INSERT INTO stats_counts (office, name, count) SELECT ?2, name, count FROM stats_counts WHERE office = ?1
         ON CONFLICT (office, name) DO UPDATE SET count = count + excluded.count",
        params![old_text, new_text],
    )?;
    tx.execute(
        "INSERT INTO stats_retention (office, keep_months) SELECT ?2, keep_months FROM stats_retention WHERE office = ?1
         ON CONFLICT (office) DO UPDATE SET keep_months = excluded.keep_months",
        params![old_text, new_text],
    )?;
    tx.execute("DELETE FROM stats_retention WHERE office = ?1", [&old_text])?;
    tx.execute("DELETE FROM stats_sent WHERE office = ?1", [&old_text])?;
    tx.execute("DELETE FROM stats_counts WHERE office = ?1", [&old_text])?;
    tx.execute("DELETE FROM enrollments WHERE office = ?1 AND used_by IS NULL", [&old_text])?;
    tx.execute(
        "INSERT INTO office_successions (old, successor, at) VALUES (?1, ?2, ?3)",
        params![old_text, new_text, now],
    )?;
    tx.commit()?;
    Ok(HandOver::Done { schools })
}
