//! School devices: their public keys, role, school, and status (pending until leerplicht has
//! compared safety codes, then verified; removed when taken out of use).

use super::{parse_col, StoreError};
use hwc_protocol::api::{DeviceInfo, DeviceStatus, LastContact};
use hwc_protocol::{Brin, DeviceId, DevicePublicKeys, Role};
use rusqlite::{params, Connection, OptionalExtension, Row};

const COLUMNS: &str = "device_id, school, role, office, sign_key, seal_key, status, enrolled_at";

pub(crate) fn status_str(status: DeviceStatus) -> &'static str {
    match status {
        DeviceStatus::Pending => "pending",
        DeviceStatus::Verified => "verified",
        DeviceStatus::Removed => "removed",
    }
}

pub(crate) fn parse_status(text: &str) -> Result<DeviceStatus, StoreError> {
    match text {
        "pending" => Ok(DeviceStatus::Pending),
        "verified" => Ok(DeviceStatus::Verified),
        "removed" => Ok(DeviceStatus::Removed),
        _ => Err(StoreError::Corrupt("device status")),
    }
}

fn key32(bytes: Vec<u8>) -> Result<[u8; 32], StoreError> {
    bytes.try_into().map_err(|_| StoreError::Corrupt("device key"))
}

type RawDevice = (String, String, String, String, Vec<u8>, Vec<u8>, String, i64);

fn raw(row: &Row<'_>) -> rusqlite::Result<RawDevice> {
    Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?, row.get(5)?, row.get(6)?, row.get(7)?))
}

fn info(raw: RawDevice) -> Result<DeviceInfo, StoreError> {
    let (device_id, school, role, office, sign_key, seal_key, status, enrolled_at) = raw;
    let role: Role = parse_col(&role, "device role")?;
    Ok(DeviceInfo {
        device_id: parse_col(&device_id, "device id")?,
        school: parse_col(&school, "school")?,
        role,
        status: parse_status(&status)?,
        keys: DevicePublicKeys { sign_key: key32(sign_key)?, seal_key: key32(seal_key)? },
        office_key: parse_col(&office, "office key")?,
        enrolled_at,
        // Only the answer to enrollment carries the tag; it is not kept with the device.
        office_key_tag: None,
    })
}

/// One device by id.
pub fn get(conn: &Connection, device: &DeviceId) -> Result<Option<DeviceInfo>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM devices WHERE device_id = ?1");
    conn.query_row(&sql, [device.to_string()], raw).optional()?.map(info).transpose()
}

/// All devices of a school, oldest first.
pub fn list(conn: &Connection, school: &Brin) -> Result<Vec<DeviceInfo>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM devices WHERE school = ?1 ORDER BY enrolled_at, device_id");
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map([school.as_str()], raw)?.collect::<Result<Vec<_>, _>>()?;
    rows.into_iter().map(info).collect()
}

/// Stores a newly enrolled device.
pub fn insert(conn: &Connection, device: &DeviceInfo) -> Result<(), StoreError> {
    conn.execute(
        &format!("INSERT INTO devices ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"),
        params![
            device.device_id.to_string(),
            device.school.as_str(),
            device.role.as_str(),
            device.office_key.to_string(),
            device.keys.sign_key.to_vec(),
            device.keys.seal_key.to_vec(),
            status_str(device.status),
            device.enrolled_at,
        ],
    )?;
    Ok(())
}

/// Sets a device's status.
pub fn set_status(conn: &Connection, device: &DeviceId, status: DeviceStatus) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE devices SET status = ?2 WHERE device_id = ?1",
        params![device.to_string(), status_str(status)],
    )?;
    Ok(())
}

/// Notes that `device` was in contact on `day` (a Dutch date, `YYYY-MM-DD`).
pub fn touch(conn: &Connection, device: &DeviceId, day: &str) -> Result<(), StoreError> {
    conn.execute("UPDATE devices SET last_seen_day = ?2 WHERE device_id = ?1", params![device.to_string(), day])?;
    Ok(())
}

/// The last contact of each device of `school` that is not removed.
pub fn last_contacts(conn: &Connection, school: &Brin) -> Result<Vec<LastContact>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT device_id, last_seen_day FROM devices WHERE school = ?1 AND status != 'removed'
         ORDER BY enrolled_at, device_id",
    )?;
    let rows = stmt
        .query_map([school.as_str()], |row| Ok((row.get::<_, String>(0)?, row.get::<_, Option<String>>(1)?)))?
        .collect::<Result<Vec<_>, _>>()?;
    rows.into_iter().map(|(id, day)| last_contact(&id, day.as_deref())).collect()
}

/// One row of [`last_contacts`]; shared with PostgreSQL.
pub(crate) fn last_contact(id: &str, day: Option<&str>) -> Result<LastContact, StoreError> {
    let day = day
        .map(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|_| StoreError::Corrupt("last contact day")))
        .transpose()?;
    Ok(LastContact { device_id: parse_col(id, "device id")?, day })
}
