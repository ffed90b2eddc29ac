//! One-time enrollment codes (stored as hashes) and enrolling a device with one.

use super::pin_guard::NewPinGuard;
use super::{devices, schools, StoreError};
use hwc_protocol::api::{CreateEnrollment, DeviceInfo, DeviceStatus};
use hwc_protocol::{DeviceId, DevicePublicKeys, OfficePublicKey};
use rusqlite::{params, Connection, OptionalExtension};

/// What happened to a new enrollment code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CreateOutcome {
    Created,
    /// The same code for the same slot was announced before (a retry).
    AlreadyKnown,
    /// That code hash is already in use for something else.
    Conflict,
    /// The school belongs to another office.
    WrongSchool,
}

/// Announces a code for a device slot, registering the school to `office` if it is new.
pub fn create(
    conn: &mut Connection,
    office: &OfficePublicKey,
    request: &CreateEnrollment,
    now: i64,
) -> Result<CreateOutcome, StoreError> {
    let tx = conn.savepoint()?;
    if !schools::claim(&tx, &request.school, office, now)? {
        return Ok(CreateOutcome::WrongSchool);
    }
    let existing: Option<(String, String, String, String, i64)> = tx
        .query_row(
            "SELECT school, role, office, office_key_tag, expires_at FROM enrollments WHERE code_hash = ?1",
            [&request.code_hash],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?)),
        )
        .optional()?;
    let outcome = match existing {
        Some((school, role, owner, tag, expires_at)) => {
            let same = school == request.school.as_str()
                && role == request.role.as_str()
                && owner == office.to_string()
                && tag == request.office_key_tag
                && expires_at == request.expires_at;
            if same {
                CreateOutcome::AlreadyKnown
            } else {
                CreateOutcome::Conflict
            }
        }
        None => {
            tx.execute(
                "INSERT INTO enrollments (code_hash, school, role, office, office_key_tag, expires_at, used_by, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, NULL, ?7)",
                params![
                    request.code_hash,
                    request.school.as_str(),
                    request.role.as_str(),
                    office.to_string(),
                    request.office_key_tag,
                    request.expires_at,
                    now
                ],
            )?;
            CreateOutcome::Created
        }
    };
    tx.commit()?;
    Ok(outcome)
}

/// What happened when a device used a code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnrollOutcome {
    /// Enrolled now, or earlier with this very code (a retry): the device as stored, with the
    /// code's office key tag (the only answer that carries it).
    Enrolled(DeviceInfo),
    UnknownCode,
    CodeUsed,
    CodeExpired,
    /// A device with these keys already exists (enrolled with another code).
    DeviceExists,
}

/// How [`enroll`] would refuse `device` with the code whose hash is `code_hash` at `now`, read
/// only: an unknown, used or expired code is refused without a write (not even the request's
/// nonce). `None` when the code may enroll it (unused and valid, or used by this very device).
pub fn refusal(
    conn: &Connection,
    code_hash: &str,
    device: &DeviceId,
    now: i64,
) -> Result<Option<EnrollOutcome>, StoreError> {
    let row: Option<(i64, Option<String>)> = conn
        .query_row("SELECT expires_at, used_by FROM enrollments WHERE code_hash = ?1", [code_hash], |row| {
            Ok((row.get(0)?, row.get(1)?))
        })
        .optional()?;
    Ok(refusal_of(row, device, now))
}

/// The refusal for a code row (`expires_at`, `used_by`), or its absence; shared with PostgreSQL.
pub fn refusal_of(row: Option<(i64, Option<String>)>, device: &DeviceId, now: i64) -> Option<EnrollOutcome> {
    match row {
        None => Some(EnrollOutcome::UnknownCode),
        Some((_, Some(used_by))) if used_by != device.to_string() => Some(EnrollOutcome::CodeUsed),
        Some((_, Some(_))) => None,
        Some((expires_at, None)) if expires_at <= now => Some(EnrollOutcome::CodeExpired),
        Some(_) => None,
    }
}

/// Enrolls the device with `keys` using the code whose hash is `code_hash`.
pub fn enroll(
    conn: &mut Connection,
    code_hash: &str,
    keys: &DevicePublicKeys,
    guard: &NewPinGuard,
    now: i64,
) -> Result<EnrollOutcome, StoreError> {
    let device_id = keys.device_id();
    let tx = conn.savepoint()?;
    let row: Option<(String, String, String, String, i64, Option<String>)> = tx
        .query_row(
            "SELECT school, role, office, office_key_tag, expires_at, used_by FROM enrollments WHERE code_hash = ?1",
            [code_hash],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?, row.get(5)?)),
        )
        .optional()?;
    let Some((school, role, office, office_key_tag, expires_at, used_by)) = row else {
        return Ok(EnrollOutcome::UnknownCode);
    };
    if let Some(used_by) = used_by {
        if used_by == device_id.to_string() {
            if let Some(device) = devices::get(&tx, &device_id)? {
                return Ok(EnrollOutcome::Enrolled(DeviceInfo { office_key_tag: Some(office_key_tag), ..device }));
            }
        }
        return Ok(EnrollOutcome::CodeUsed);
    }
    if expires_at <= now {
        return Ok(EnrollOutcome::CodeExpired);
    }
    if devices::get(&tx, &device_id)?.is_some() {
        return Ok(EnrollOutcome::DeviceExists);
    }
    let device = DeviceInfo {
        device_id,
        school: super::parse_col(&school, "school")?,
        role: super::parse_col(&role, "role")?,
        status: DeviceStatus::Pending,
        keys: *keys,
        office_key: super::parse_col(&office, "office key")?,
        enrolled_at: now,
        office_key_tag: None,
    };
    devices::insert(&tx, &device)?;
    super::pin_guard::register(&tx, &device_id, guard)?;
    tx.execute("UPDATE enrollments SET used_by = ?2 WHERE code_hash = ?1", params![code_hash, device_id.to_string()])?;
    tx.commit()?;
    Ok(EnrollOutcome::Enrolled(DeviceInfo { office_key_tag: Some(office_key_tag), ..device }))
}
