//! Each [`RelayStore`](super::super::backend::RelayStore) operation as one PostgreSQL
//! transaction, with the same rules as the SQLite functions of the sibling modules.
//!
//! Appending to the two feeds a reader pages through by sequence number (`events`, read by
//! devices with `after=N`; `office_items`, read by offices) happens only under one advisory
//! lock ([`lock_feeds`]). Sequence numbers are drawn while it is held, so they are committed in
//! the order they were drawn: a reader can never see number 11 before number 10 exists, even
//! with several relay instances writing at once. The same lock makes a receipt "first" exactly
//! once across instances. These writes are small and few (a few hundred signals a day per
//! office), so one lock costs nothing that matters and rules out lock-order deadlocks.

use super::super::enrollments::{CreateOutcome, EnrollOutcome};
use super::super::offices::HandOver;
use super::super::pin_guard::NewPinGuard;
use super::super::receipts::{recorded_time, AckOutcome};
use super::super::signals::{envelope_hash, is_held, sent_day, InsertOutcome};
use super::super::sweep::{SweepReport, ENROLLMENT_KEEP_SECS};
use super::super::StoreError;
use super::super::{
    devices::parse_status, devices::status_str, inbox::MAX_EVENTS, nonces, office_items::MAX_ITEMS, parse_col, stats,
};
use super::CHANNEL;
use hwc_protocol::api::{
    AckBuckets, Blob, CreateEnrollment, DayCount, DeviceInfo, DeviceStatus, Handled, Inbox, LastContact, OfficeItem,
    OfficeItems, Stats,
};
use hwc_protocol::{
    Brin, DeviceId, DevicePublicKeys, OfficePublicKey, ReceiptKind, Role, VerifiedEnvelope, VerifiedReceipt,
};
use tokio_postgres::{Client, GenericClient, Row, Transaction};

/// Serialises the transactions that append to `events` or `office_items`.
const FEEDS_LOCK: i64 = 0x6877_635f_6664; // "hwc_fd"

async fn lock_feeds(tx: &Transaction<'_>) -> Result<(), StoreError> {
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&FEEDS_LOCK]).await?;
    Ok(())
}

/// Wakes the long-polls of `school` on every relay instance, once the transaction commits.
async fn notify(tx: &Transaction<'_>, school: &Brin) -> Result<(), StoreError> {
    tx.execute("SELECT pg_notify($1, $2)", &[&CHANNEL, &school.as_str()]).await?;
    Ok(())
}

fn seq_u64(seq: i64, what: &'static str) -> Result<u64, StoreError> {
    u64::try_from(seq).map_err(|_| StoreError::Corrupt(what))
}

fn after_i64(after: u64) -> i64 {
    i64::try_from(after).unwrap_or(i64::MAX)
}

// ---- nonces, offices, devices, schools ----

pub async fn remember_nonce(
    client: &Client,
    signer: &str,
    nonce: &[u8; 16],
    request_time: i64,
) -> Result<bool, StoreError> {
    let inserted = client
        .execute(
            "INSERT INTO seen_nonces (signer, nonce, expires_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            &[&signer, &hex::encode(nonce), &request_time.saturating_add(nonces::KEEP_SECS)],
        )
        .await?;
    Ok(inserted == 1)
}

pub async fn successor_of(
    client: &impl GenericClient,
    office: &OfficePublicKey,
) -> Result<Option<OfficePublicKey>, StoreError> {
    let row =
        client.query_opt("SELECT successor FROM office_successions WHERE old = $1", &[&office.to_string()]).await?;
    row.map(|row| parse_col(&row.get::<_, String>(0), "office key")).transpose()
}

const DEVICE_COLUMNS: &str = "device_id, school, role, office, sign_key, seal_key, status, enrolled_at";

fn device_info(row: &Row) -> Result<DeviceInfo, StoreError> {
    let key32 = |bytes: Vec<u8>| -> Result<[u8; 32], StoreError> {
        bytes.try_into().map_err(|_| StoreError::Corrupt("device key"))
    };
    let status = parse_status(row.get(6))?;
    let role: Role = parse_col(row.get(2), "device role")?;
    Ok(DeviceInfo {
        device_id: parse_col(row.get(0), "device id")?,
        school: parse_col(row.get(1), "school")?,
        role,
        status,
        keys: DevicePublicKeys { sign_key: key32(row.get(4))?, seal_key: key32(row.get(5))? },
        office_key: parse_col(row.get(3), "office key")?,
        enrolled_at: row.get(7),
        office_key_tag: None,
    })
}

pub async fn device(client: &impl GenericClient, device: &DeviceId) -> Result<Option<DeviceInfo>, StoreError> {
    let sql = format!("SELECT {DEVICE_COLUMNS} FROM devices WHERE device_id = $1");
    client.query_opt(&sql, &[&device.to_string()]).await?.as_ref().map(device_info).transpose()
}

pub async fn list_devices(client: &Client, school: &Brin) -> Result<Vec<DeviceInfo>, StoreError> {
    let sql = format!("SELECT {DEVICE_COLUMNS} FROM devices WHERE school = $1 ORDER BY enrolled_at, device_id");
    client.query(&sql, &[&school.as_str()]).await?.iter().map(device_info).collect()
}

pub async fn touch_device(client: &Client, device: &DeviceId, day: &str) -> Result<(), StoreError> {
    client.execute("UPDATE devices SET last_seen_day = $2 WHERE device_id = $1", &[&device.to_string(), &day]).await?;
    Ok(())
}

pub async fn last_contacts(client: &Client, school: &Brin) -> Result<Vec<LastContact>, StoreError> {
    let rows = client
        .query(
            "SELECT device_id, last_seen_day FROM devices WHERE school = $1 AND status != 'removed'
             ORDER BY enrolled_at, device_id",
            &[&school.as_str()],
        )
        .await?;
    rows.iter().map(|row| super::super::devices::last_contact(row.get(0), row.get(1))).collect()
}

pub async fn set_device_status(client: &mut Client, device: &DeviceId, status: DeviceStatus) -> Result<(), StoreError> {
    let tx = client.transaction().await?;
    tx.execute("UPDATE devices SET status = $2 WHERE device_id = $1", &[&device.to_string(), &status_str(status)])
        .await?;
    if status == DeviceStatus::Removed {
        super::pin_guard::forget(&tx, device).await?;
    }
    tx.commit().await?;
    Ok(())
}

pub async fn school_owner(client: &impl GenericClient, school: &Brin) -> Result<Option<OfficePublicKey>, StoreError> {
    let row = client.query_opt("SELECT office FROM schools WHERE brin = $1", &[&school.as_str()]).await?;
    row.map(|row| parse_col(&row.get::<_, String>(0), "office key")).transpose()
}

pub async fn set_profile(client: &Client, school: &Brin, frame: &[u8], now: i64) -> Result<(), StoreError> {
    client
        .execute(
            "INSERT INTO school_profiles (school, frame, updated_at) VALUES ($1, $2, $3)
             ON CONFLICT (school) DO UPDATE SET frame = excluded.frame, updated_at = excluded.updated_at",
            &[&school.as_str(), &frame, &now],
        )
        .await?;
    Ok(())
}

pub async fn profile(client: &Client, school: &Brin) -> Result<Option<Vec<u8>>, StoreError> {
    let row = client.query_opt("SELECT frame FROM school_profiles WHERE school = $1", &[&school.as_str()]).await?;
    Ok(row.map(|row| row.get(0)))
}

// ---- enrollment ----

pub async fn enrollment_refusal(
    client: &Client,
    code_hash: &str,
    device: &DeviceId,
    now: i64,
) -> Result<Option<EnrollOutcome>, StoreError> {
    let row =
        client.query_opt("SELECT expires_at, used_by FROM enrollments WHERE code_hash = $1", &[&code_hash]).await?;
    Ok(super::super::enrollments::refusal_of(row.map(|row| (row.get(0), row.get(1))), device, now))
}

pub async fn create_enrollment(
    client: &mut Client,
    office: &OfficePublicKey,
    request: &CreateEnrollment,
    now: i64,
) -> Result<CreateOutcome, StoreError> {
    let office_text = office.to_string();
    let tx = client.transaction().await?;
    // The first office to announce a code for a school owns it.
    tx.execute(
        "INSERT INTO schools (brin, office, registered_at) VALUES ($1, $2, $3) ON CONFLICT (brin) DO NOTHING",
        &[&request.school.as_str(), &office_text, &now],
    )
    .await?;
    if school_owner(&tx, &request.school).await?.as_ref() != Some(office) {
        return Ok(CreateOutcome::WrongSchool);
    }
    let inserted = tx
        .execute(
            "INSERT INTO enrollments (code_hash, school, role, office, office_key_tag, expires_at, used_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, NULL, $7) ON CONFLICT (code_hash) DO NOTHING",
            &[
                &request.code_hash,
                &request.school.as_str(),
                &request.role.as_str(),
                &office_text,
                &request.office_key_tag,
                &request.expires_at,
                &now,
            ],
        )
        .await?;
    let outcome = if inserted == 1 {
        CreateOutcome::Created
    } else {
        let row = tx
            .query_one(
                "SELECT school, role, office, office_key_tag, expires_at FROM enrollments WHERE code_hash = $1",
                &[&request.code_hash],
            )
            .await?;
        let same = row.get::<_, &str>(0) == request.school.as_str()
            && row.get::<_, &str>(1) == request.role.as_str()
            && row.get::<_, &str>(2) == office_text
            && row.get::<_, &str>(3) == request.office_key_tag
            && row.get::<_, i64>(4) == request.expires_at;
        if same {
            CreateOutcome::AlreadyKnown
        } else {
            CreateOutcome::Conflict
        }
    };
    tx.commit().await?;
    Ok(outcome)
}

pub async fn enroll(
    client: &mut Client,
    code_hash: &str,
    keys: &DevicePublicKeys,
    guard: &NewPinGuard,
    now: i64,
) -> Result<EnrollOutcome, StoreError> {
    let device_id = keys.device_id();
    let tx = client.transaction().await?;
    // FOR UPDATE: two devices enrolling with one code at once, through two instances, queue here.
    let row = tx
        .query_opt(
            "SELECT school, role, office, office_key_tag, expires_at, used_by FROM enrollments
             WHERE code_hash = $1 FOR UPDATE",
            &[&code_hash],
        )
        .await?;
    let Some(row) = row else {
        return Ok(EnrollOutcome::UnknownCode);
    };
    let office_key_tag: String = row.get(3);
    if let Some(used_by) = row.get::<_, Option<String>>(5) {
        if used_by == device_id.to_string() {
            if let Some(device) = device(&tx, &device_id).await? {
                return Ok(EnrollOutcome::Enrolled(DeviceInfo { office_key_tag: Some(office_key_tag), ..device }));
            }
        }
        return Ok(EnrollOutcome::CodeUsed);
    }
    if row.get::<_, i64>(4) <= now {
        return Ok(EnrollOutcome::CodeExpired);
    }
    if device(&tx, &device_id).await?.is_some() {
        return Ok(EnrollOutcome::DeviceExists);
    }
    let device = DeviceInfo {
        device_id,
        school: parse_col(row.get(0), "school")?,
        role: parse_col(row.get(1), "role")?,
        status: DeviceStatus::Pending,
        keys: *keys,
        office_key: parse_col(row.get(2), "office key")?,
        enrolled_at: now,
        office_key_tag: None,
    };
    let inserted = tx
        .execute(
            &format!(
                "INSERT INTO devices ({DEVICE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING"
            ),
            &[
                &device.device_id.to_string(),
                &device.school.as_str(),
                &device.role.as_str(),
                &device.office_key.to_string(),
                &device.keys.sign_key.as_slice(),
                &device.keys.seal_key.as_slice(),
                &status_str(device.status),
                &device.enrolled_at,
            ],
        )
        .await?;
    if inserted != 1 {
        return Ok(EnrollOutcome::DeviceExists);
    }
    super::pin_guard::register(&tx, &device_id, guard).await?;
    tx.execute("UPDATE enrollments SET used_by = $2 WHERE code_hash = $1", &[&code_hash, &device_id.to_string()])
        .await?;
    tx.commit().await?;
    Ok(EnrollOutcome::Enrolled(DeviceInfo { office_key_tag: Some(office_key_tag), ..device }))
}

// ---- signals, inbox, receipts ----

pub async fn insert_signal(
    client: &mut Client,
    office: &OfficePublicKey,
    envelope: &VerifiedEnvelope,
    now: i64,
) -> Result<InsertOutcome, StoreError> {
    let env = &envelope.envelope;
    let signal_id = env.signal_id.to_string();
    let hash = envelope_hash(&envelope.bytes);
    let tx = client.transaction().await?;
    lock_feeds(&tx).await?;
    let known = tx
        .query_opt(
            "SELECT envelope_hash FROM signals WHERE signal_id = $1
             UNION ALL SELECT envelope_hash FROM handled WHERE signal_id = $1",
            &[&signal_id],
        )
        .await?;
    if let Some(known) = known {
        let same = known.get::<_, &str>(0) == hash;
        return Ok(if same { InsertOutcome::AlreadyStored } else { InsertOutcome::Conflict });
    }
    match school_owner(&tx, &env.school).await? {
        None => return Ok(InsertOutcome::UnknownSchool),
        Some(owner) if &owner != office => return Ok(InsertOutcome::WrongSchool),
        Some(_) => {}
    }
    for copy in &env.copies {
        let found = device(&tx, &copy.device_id)
            .await?
            .filter(|d| d.school == env.school && d.status == DeviceStatus::Verified);
        match found {
            None => return Ok(InsertOutcome::DeviceNotVerified(copy.device_id)),
            Some(d) if &d.office_key != office => return Ok(InsertOutcome::DeviceOfOtherKey(copy.device_id)),
            Some(_) => {}
        }
    }
    let office_text = office.to_string();
    tx.execute(
        "INSERT INTO signals (signal_id, school, office, created_at, expires_at, envelope, envelope_hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        &[&signal_id, &env.school.as_str(), &office_text, &env.created_at, &env.expires_at, &envelope.bytes, &hash],
    )
    .await?;
    for copy in &env.copies {
        tx.execute(
            "INSERT INTO signal_copies (signal_id, device_id) VALUES ($1, $2)",
            &[&signal_id, &copy.device_id.to_string()],
        )
        .await?;
    }
    let held = is_held(env.created_at, now);
    if held {
        tx.execute(
            "INSERT INTO held_events (signal_id, school, release_at) VALUES ($1, $2, $3)",
            &[&signal_id, &env.school.as_str(), &env.created_at],
        )
        .await?;
    } else {
        append_envelope_event(&tx, env.school.as_str(), &signal_id).await?;
    }
    let day = sent_day(env.created_at, now);
    tx.execute(
        "INSERT INTO stats_sent (office, day, count) VALUES ($1, $2, 1)
         ON CONFLICT (office, day) DO UPDATE SET count = stats_sent.count + 1",
        &[&office_text, &day],
    )
    .await?;
    if !held {
        notify(&tx, &env.school).await?;
    }
    tx.commit().await?;
    Ok(InsertOutcome::Stored)
}

async fn append_envelope_event(tx: &Transaction<'_>, school: &str, signal_id: &str) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO events (school, kind, signal_id, by_device, at) VALUES ($1, 'envelope', $2, NULL, NULL)",
        &[&school, &signal_id],
    )
    .await?;
    Ok(())
}

/// The highest event sequence number ever given out (0 when none was).
async fn max_seq(client: &Client) -> Result<u64, StoreError> {
    let row = client
        .query_one("SELECT pg_sequence_last_value(pg_get_serial_sequence('events', 'seq')::regclass)", &[])
        .await?;
    seq_u64(row.get::<_, Option<i64>>(0).unwrap_or_default(), "event sequence")
}

pub async fn inbox(
    client: &Client,
    school: &Brin,
    device: &DeviceId,
    after: u64,
    now: i64,
) -> Result<Inbox, StoreError> {
    let after = if after > max_seq(client).await? { 0 } else { after };
    let rows = client
        .query(
            "SELECT e.seq, e.kind, e.signal_id, e.by_device, e.at,
                    CASE e.kind
                      WHEN 'envelope' THEN (SELECT s.envelope FROM signals s
                            JOIN signal_copies c ON c.signal_id = s.signal_id AND c.device_id = $3
                            WHERE s.signal_id = e.signal_id AND s.expires_at > $5)
                      ELSE NULL END,
                    CASE e.kind
                      WHEN 'handled' THEN EXISTS (SELECT 1 FROM handled_copies h
                            WHERE h.signal_id = e.signal_id AND h.device_id = $3)
                      ELSE false END,
                    CASE e.kind
                      WHEN 'handled' THEN (SELECT h.receipt FROM handled h WHERE h.signal_id = e.signal_id)
                      ELSE NULL END,
                    (SELECT d.sign_key FROM devices d WHERE d.device_id = e.by_device),
                    (SELECT d.seal_key FROM devices d WHERE d.device_id = e.by_device)
             FROM events e
             WHERE e.school = $1 AND e.seq > $2
             ORDER BY e.seq
             LIMIT $4",
            &[&school.as_str(), &after_i64(after), &device.to_string(), &MAX_EVENTS, &now],
        )
        .await?;
    let mut inbox = Inbox { cursor: after, envelopes: Vec::new(), handled: Vec::new() };
    for row in rows {
        inbox.cursor = seq_u64(row.get(0), "event sequence")?;
        match row.get::<_, &str>(1) {
            "envelope" => {
                if let Some(bytes) = row.get::<_, Option<Vec<u8>>>(5) {
                    inbox.envelopes.push(Blob(bytes));
                }
            }
            "handled" => {
                let proof: super::super::inbox::HandledProof = (row.get(7), row.get(8), row.get(9));
                if let (true, (Some(receipt), Some(sign_key), Some(seal_key))) = (row.get::<_, bool>(6), proof) {
                    let by: Option<&str> = row.get(3);
                    inbox.handled.push(Handled {
                        signal_id: parse_col(row.get(2), "signal id")?,
                        by: parse_col(by.ok_or(StoreError::Corrupt("handled event without device"))?, "device id")?,
                        at: row.get::<_, Option<i64>>(4).unwrap_or_default(),
                        receipt: Blob(receipt),
                        by_keys: super::super::inbox::device_keys(&sign_key, &seal_key)?,
                    });
                }
            }
            _ => return Err(StoreError::Corrupt("event kind")),
        }
    }
    Ok(inbox)
}

async fn bump(tx: &Transaction<'_>, office: &str, name: &str) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO stats_counts (office, name, count) VALUES ($1, $2, 1)
         ON CONFLICT (office, name) DO UPDATE SET count = stats_counts.count + 1",
        &[&office, &name],
    )
    .await?;
    Ok(())
}

/// Deletes a waiting signal with its copies and its `envelope` event.
async fn delete_signal(tx: &Transaction<'_>, signal_id: &str) -> Result<(), StoreError> {
    tx.execute("DELETE FROM held_events WHERE signal_id = $1", &[&signal_id]).await?;
    tx.execute("DELETE FROM signals WHERE signal_id = $1", &[&signal_id]).await?;
    tx.execute("DELETE FROM signal_copies WHERE signal_id = $1", &[&signal_id]).await?;
    tx.execute("DELETE FROM events WHERE signal_id = $1 AND kind = 'envelope'", &[&signal_id]).await?;
    Ok(())
}

pub async fn acknowledge(
    client: &mut Client,
    school: &Brin,
    receipt: &VerifiedReceipt,
    now: i64,
) -> Result<AckOutcome, StoreError> {
    let r = &receipt.receipt;
    let signal_id = r.signal_id.to_string();
    let device_id = r.device_id.to_string();
    let tx = client.transaction().await?;
    lock_feeds(&tx).await?;
    let waiting = tx
        .query_opt(
            "SELECT s.office, s.created_at, s.expires_at, s.envelope_hash FROM signals s
             JOIN signal_copies c ON c.signal_id = s.signal_id AND c.device_id = $3
             WHERE s.signal_id = $1 AND s.school = $2",
            &[&signal_id, &school.as_str(), &device_id],
        )
        .await?;
    let Some(waiting) = waiting else {
        let handled = tx
            .query_opt(
                "SELECT 1 FROM handled h JOIN handled_copies c ON c.signal_id = h.signal_id AND c.device_id = $3
                 WHERE h.signal_id = $1 AND h.school = $2",
                &[&signal_id, &school.as_str(), &device_id],
            )
            .await?;
        return Ok(if handled.is_some() { AckOutcome::Repeat } else { AckOutcome::NotFound });
    };
    let (office, created_at, expires_at, hash): (String, i64, i64, String) =
        (waiting.get(0), waiting.get(1), waiting.get(2), waiting.get(3));
    if expires_at <= now {
        return Ok(AckOutcome::Expired);
    }
    let at = recorded_time(r.at, created_at, now);
    tx.execute(
        "INSERT INTO handled_copies (signal_id, device_id) SELECT signal_id, device_id FROM signal_copies WHERE signal_id = $1",
        &[&signal_id],
    )
    .await?;
    delete_signal(&tx, &signal_id).await?;
    tx.execute(
        "INSERT INTO handled (signal_id, school, office, by_device, at, keep_until, envelope_hash, receipt)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        &[&signal_id, &school.as_str(), &office, &device_id, &at, &expires_at, &hash, &receipt.bytes],
    )
    .await?;
    tx.execute(
        "INSERT INTO events (school, kind, signal_id, by_device, at) VALUES ($1, 'handled', $2, $3, $4)",
        &[&school.as_str(), &signal_id, &device_id, &at],
    )
    .await?;
    tx.execute(
        "INSERT INTO office_items (office, kind, school, signal_id, receipt, expired_at) VALUES ($1, 'receipt', $2, $3, $4, NULL)",
        &[&office, &school.as_str(), &signal_id, &receipt.bytes],
    )
    .await?;
    bump(&tx, &office, AckBuckets::bucket_name(at.saturating_sub(created_at))).await?;
    if r.kind == ReceiptKind::NotOurPupil {
        bump(&tx, &office, stats::NOT_OUR_PUPIL).await?;
    }
    notify(&tx, school).await?;
    tx.commit().await?;
    Ok(AckOutcome::First)
}

// ---- the office's side ----

async fn sweep_in(tx: &Transaction<'_>, now: i64) -> Result<SweepReport, StoreError> {
    let expired = tx
        .query(
            "SELECT signal_id, school, office, expires_at FROM signals WHERE expires_at <= $1 ORDER BY signal_id",
            &[&now],
        )
        .await?;
    let mut report = SweepReport { expired: expired.len(), ..SweepReport::default() };
    let due = tx
        .query(
            "SELECT signal_id, school FROM held_events WHERE release_at <= $1 ORDER BY release_at, signal_id",
            &[&now],
        )
        .await?;
    for row in &due {
        let (signal_id, school): (&str, &str) = (row.get(0), row.get(1));
        append_envelope_event(tx, school, signal_id).await?;
        tx.execute("DELETE FROM held_events WHERE signal_id = $1", &[&signal_id]).await?;
        let brin: Brin = parse_col(school, "school")?;
        if !report.released_schools.contains(&brin) {
            notify(tx, &brin).await?;
            report.released_schools.push(brin);
        }
    }
    for row in &expired {
        let (signal_id, school, office, expires_at): (&str, &str, &str, i64) =
            (row.get(0), row.get(1), row.get(2), row.get(3));
        delete_signal(tx, signal_id).await?;
        tx.execute(
            "INSERT INTO office_items (office, kind, school, signal_id, receipt, expired_at) VALUES ($1, 'expired', $2, $3, NULL, $4)",
            &[&office, &school, &signal_id, &expires_at],
        )
        .await?;
        bump(tx, office, stats::EXPIRED).await?;
        let brin: Brin = parse_col(school, "school")?;
        if !report.expired_schools.contains(&brin) {
            report.expired_schools.push(brin);
        }
    }
    tx.execute(
        "DELETE FROM events WHERE kind = 'handled' AND signal_id IN (SELECT signal_id FROM handled WHERE keep_until <= $1)",
        &[&now],
    )
    .await?;
    tx.execute(
        "DELETE FROM handled_copies WHERE signal_id IN (SELECT signal_id FROM handled WHERE keep_until <= $1)",
        &[&now],
    )
    .await?;
    report.tombstones =
        usize::try_from(tx.execute("DELETE FROM handled WHERE keep_until <= $1", &[&now]).await?).unwrap_or(usize::MAX);
    report.nonces = usize::try_from(tx.execute("DELETE FROM seen_nonces WHERE expires_at <= $1", &[&now]).await?)
        .unwrap_or(usize::MAX);
    tx.execute("DELETE FROM enrollments WHERE expires_at <= $1", &[&now.saturating_sub(ENROLLMENT_KEEP_SECS)]).await?;
    purge_stats(tx, now).await?;
    Ok(report)
}

/// Deletes every office's per-day counts older than it keeps them (see `store::stats::purge`).
async fn purge_stats(tx: &Transaction<'_>, now: i64) -> Result<(), StoreError> {
    tx.execute(
        "DELETE FROM stats_sent WHERE day < $1 AND office NOT IN (SELECT office FROM stats_retention)",
        &[&stats::first_kept_day(now, hwc_protocol::api::DEFAULT_STATS_KEEP_MONTHS)],
    )
    .await?;
    for row in tx.query("SELECT office, keep_months FROM stats_retention", &[]).await? {
        let (office, keep): (&str, i64) = (row.get(0), row.get(1));
        let keep = u32::try_from(keep).unwrap_or(hwc_protocol::api::DEFAULT_STATS_KEEP_MONTHS);
        tx.execute(
            "DELETE FROM stats_sent WHERE office = $1 AND day < $2",
            &[&office, &stats::first_kept_day(now, keep)],
        )
        .await?;
    }
    Ok(())
}

/// Sets how many months `office`'s per-day counts are kept, and deletes older ones at once.
pub async fn set_stats_retention(
    client: &mut Client,
    office: &OfficePublicKey,
    keep_months: u32,
    now: i64,
) -> Result<(), StoreError> {
    let tx = client.transaction().await?;
    tx.execute(
        "INSERT INTO stats_retention (office, keep_months) VALUES ($1, $2)
         ON CONFLICT (office) DO UPDATE SET keep_months = excluded.keep_months",
        &[&office.to_string(), &i64::from(keep_months)],
    )
    .await?;
    purge_stats(&tx, now).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn sweep(client: &mut Client, now: i64) -> Result<SweepReport, StoreError> {
    let tx = client.transaction().await?;
    lock_feeds(&tx).await?;
    let report = sweep_in(&tx, now).await?;
    tx.commit().await?;
    Ok(report)
}

/// Queues a school days notice for the office that owns `school` (see
/// `store::office_items::queue_school_days`), under the feeds' lock like every append to
/// `office_items`; false when no office owns the school.
pub async fn queue_school_days(client: &mut Client, school: &Brin, notice: &[u8]) -> Result<bool, StoreError> {
    let tx = client.transaction().await?;
    lock_feeds(&tx).await?;
    let inserted = tx
        .execute(
            "INSERT INTO office_items (office, kind, school, signal_id, receipt, expired_at)
             SELECT office, 'school_days', brin, '', $2::BYTEA, NULL FROM schools WHERE brin = $1",
            &[&school.as_str(), &notice],
        )
        .await?;
    tx.commit().await?;
    Ok(inserted == 1)
}

pub async fn take_office_items(
    client: &mut Client,
    office: &OfficePublicKey,
    after: u64,
    now: i64,
) -> Result<OfficeItems, StoreError> {
    let office = office.to_string();
    let after_seq = after_i64(after);
    let tx = client.transaction().await?;
    lock_feeds(&tx).await?;
    sweep_in(&tx, now).await?;
    tx.execute("DELETE FROM office_items WHERE office = $1 AND seq <= $2", &[&office, &after_seq]).await?;
    let rows = tx
        .query(
            "SELECT seq, kind, school, signal_id, receipt, expired_at FROM office_items
             WHERE office = $1 AND seq > $2 ORDER BY seq LIMIT $3",
            &[&office, &after_seq, &MAX_ITEMS],
        )
        .await?;
    let mut items = OfficeItems { cursor: after, items: Vec::new() };
    for row in rows {
        items.cursor = seq_u64(row.get(0), "item sequence")?;
        let school = parse_col(row.get(2), "school")?;
        let item = match row.get::<_, &str>(1) {
            "receipt" => {
                let bytes: Option<Vec<u8>> = row.get(4);
                OfficeItem::Receipt { school, receipt: Blob(bytes.ok_or(StoreError::Corrupt("receipt item"))?) }
            }
            "expired" => OfficeItem::Expired {
                signal_id: parse_col(row.get(3), "signal id")?,
                school,
                expired_at: row.get::<_, Option<i64>>(5).ok_or(StoreError::Corrupt("expiry item"))?,
            },
            "school_days" => {
                let bytes: Option<Vec<u8>> = row.get(4);
                OfficeItem::SchoolDays { school, notice: Blob(bytes.ok_or(StoreError::Corrupt("school days item"))?) }
            }
            _ => return Err(StoreError::Corrupt("item kind")),
        };
        items.items.push(item);
    }
    tx.commit().await?;
    Ok(items)
}

pub async fn stats(client: &Client, office: &OfficePublicKey) -> Result<Stats, StoreError> {
    let office = office.to_string();
    let count = |n: i64| u64::try_from(n).unwrap_or_default();
    let mut stats =
        Stats { sent_per_day: Vec::new(), acknowledged: AckBuckets::default(), expired: 0, not_our_pupil: 0 };
    for row in client.query("SELECT day, count FROM stats_sent WHERE office = $1 ORDER BY day", &[&office]).await? {
        stats.sent_per_day.push(DayCount { day: row.get(0), count: count(row.get(1)) });
    }
    for row in client.query("SELECT name, count FROM stats_counts WHERE office = $1", &[&office]).await? {
        stats::set_counter(&mut stats, row.get(0), count(row.get(1)))?;
    }
    Ok(stats)
}

pub async fn hand_over(
    client: &mut Client,
    old: &OfficePublicKey,
    new: &OfficePublicKey,
    now: i64,
) -> Result<HandOver, StoreError> {
    let tx = client.transaction().await?;
    lock_feeds(&tx).await?;
    match successor_of(&tx, old).await? {
        Some(earlier) if &earlier == new => return Ok(HandOver::AlreadyDone),
        Some(_) => return Ok(HandOver::OtherSuccessor),
        None => {}
    }
    let (old_text, new_text) = (old.to_string(), new.to_string());
    let in_use: bool = tx
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM schools WHERE office = $1)
                 OR EXISTS (SELECT 1 FROM office_successions WHERE old = $1)",
            &[&new_text],
        )
        .await?
        .get(0);
    if in_use {
        return Ok(HandOver::SuccessorInUse);
    }
    let schools = tx.execute("UPDATE schools SET office = $2 WHERE office = $1", &[&old_text, &new_text]).await?;
    for table in ["signals", "handled", "office_items"] {
        tx.execute(&format!("UPDATE {table} SET office = $2 WHERE office = $1"), &[&old_text, &new_text]).await?;
    }
    tx.execute(
        "INSERT INTO stats_sent (office, day, count) SELECT $2, day, count FROM stats_sent WHERE office = $1
         ON CONFLICT (office, day) DO UPDATE SET count = stats_sent.count + excluded.count",
        &[&old_text, &new_text],
    )
    .await?;
    tx.execute(
        "INSERT INTO stats_counts (office, name, count) SELECT $2, name, count FROM stats_counts WHERE office = $1
         ON CONFLICT (office, name) DO UPDATE SET count = stats_counts.count + excluded.count",
        &[&old_text, &new_text],
    )
    .await?;
    tx.execute(
        "INSERT INTO stats_retention (office, keep_months) SELECT $2, keep_months FROM stats_retention WHERE office = $1
         ON CONFLICT (office) DO UPDATE SET keep_months = excluded.keep_months",
        &[&old_text, &new_text],
    )
    .await?;
    tx.execute("DELETE FROM stats_retention WHERE office = $1", &[&old_text]).await?;
    tx.execute("DELETE FROM stats_sent WHERE office = $1", &[&old_text]).await?;
    tx.execute("DELETE FROM stats_counts WHERE office = $1", &[&old_text]).await?;
    tx.execute("DELETE FROM enrollments WHERE office = $1 AND used_by IS NULL", &[&old_text]).await?;
    tx.execute(
        "INSERT INTO office_successions (old, successor, at) VALUES ($1, $2, $3)",
        &[&old_text, &new_text, &now],
    )
    .await?;
    tx.commit().await?;
    Ok(HandOver::Done { schools: usize::try_from(schools).unwrap_or(usize::MAX) })
}

pub async fn health(client: &Client, now: i64) -> Result<(), StoreError> {
    let one: i32 = client.query_one("SELECT 1", &[]).await?.get(0);
    if one != 1 {
        return Err(StoreError::Corrupt("SELECT 1"));
    }
    client
        .execute(
            "INSERT INTO health_check (id, at) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET at = excluded.at",
            &[&now],
        )
        .await?;
    Ok(())
}
