//! Reading and writing the sender's records: the office key and relay address, the schools,
//! the devices verified by safety code, the outstanding signals (id, school, times: nothing
//! else), the ids of recently settled signals, the receipts cursor and the counts.

use super::tally::{self, TallyKind};
use super::Store;
use crate::error::{Result, SendError};
use crate::incident::Within;
use crate::phone::Phone;
use chrono::{NaiveDate, NaiveTime};
use hwc_calendar::Region;
use hwc_protocol::{Brin, DeviceId, DevicePublicKeys, ReceiptKey, Role, SignalId};
use rusqlite::{params, OptionalExtension, Row};
use zeroize::Zeroizing;

/// A device of a school whose safety code leerplicht has confirmed. Signals are sealed to
/// these keys only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalDevice {
    pub device_id: DeviceId,
    pub school: Brin,
    pub role: Role,
    pub keys: DevicePublicKeys,
    /// Unix seconds.
    pub verified_at: i64,
    /// Verified under an earlier office key, which is the only key it trusts: nothing is sealed
    /// to it any more; it must enroll again (its receipts are still checked).
    pub previous_key: bool,
}

/// What the office does with a signal that would wait through the school's zomervakantie.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SummerRule {
    /// Send it (the relay holds it until a week before school starts) and say so.
    Warn,
    /// Do not send it (as the Brabant manual has it: no signals in the summer holidays).
    Refuse,
}

/// A signal sent and not yet acknowledged or expired.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outstanding {
    pub signal_id: SignalId,
    pub school: Brin,
    /// Unix seconds.
    pub sent_at: i64,
    /// Unix seconds.
    pub expires_at: i64,
    /// The key sealed in the signal, which a receipt's proof must hold under. `None` only for
    /// signals sent before the store kept it.
    pub receipt_key: Option<ReceiptKey>,
    /// Unix seconds: for a signal sent before a long holiday, the moment the relay starts
    /// delivering it (its `created_at`); `None` when it was delivered at once.
    pub held_until: Option<i64>,
    /// Unix seconds: the start of the incident's hour, when the office entered it; only to
    /// count how soon after the incident the signal was sent and handed over.
    pub incident_at: Option<i64>,
}

/// The office's own counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub sent: u64,
    pub handed_over: u64,
    pub not_our_pupil: u64,
    pub expired: u64,
    /// Receipts without proof that the signal was opened: the office called the school instead.
    pub unproven: u64,
}

/// How long the id of a settled signal is kept, so that a repeated receipt or expiry notice is
/// recognised as a repeat and not reported as one for an unknown signal.
pub const SETTLED_KEEP_SECS: i64 = 30 * 24 * 3600;

/// How an outstanding signal was settled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settle {
    HandedOver,
    NotOurPupil,
    Expired,
    /// A receipt came without proof of opening (reported as such); the relay passes no later
    /// receipt for the signal, so the office settles it by calling the school.
    Unproven,
}

impl Settle {
    fn column(self) -> &'static str {
        match self {
            Settle::HandedOver => "handed_over",
            Settle::NotOurPupil => "not_our_pupil",
            Settle::Expired => "expired",
            Settle::Unproven => "unproven",
        }
    }

    fn tally_kind(self) -> TallyKind {
        match self {
            Settle::HandedOver => TallyKind::HandedOver,
            Settle::NotOurPupil => TallyKind::NotOurPupil,
            Settle::Expired => TallyKind::Expired,
            Settle::Unproven => TallyKind::Unproven,
        }
    }
}

/// Deletes one outstanding row in the caller's transaction and returns it, if it was there.
fn removed_outstanding(conn: &rusqlite::Connection, signal_id: SignalId) -> rusqlite::Result<Option<Outstanding>> {
    let open = conn
        .query_row(&format!("{SELECT_OUTSTANDING} WHERE signal_id = ?1"), [signal_id.to_string()], outstanding_from_row)
        .optional()?;
    if open.is_some() {
        conn.execute("DELETE FROM outstanding WHERE signal_id = ?1", [signal_id.to_string()])?;
    }
    Ok(open)
}

fn corrupt(what: &'static str) -> rusqlite::Error {
    rusqlite::Error::ToSqlConversionFailure(Box::new(SendError::CorruptState(what)))
}

fn parse<T: std::str::FromStr>(text: String, what: &'static str) -> rusqlite::Result<T> {
    text.parse().map_err(|_| corrupt(what))
}

fn key32(bytes: Vec<u8>, what: &'static str) -> rusqlite::Result<[u8; 32]> {
    bytes.try_into().map_err(|_| corrupt(what))
}

fn device_from_row(row: &Row<'_>) -> rusqlite::Result<LocalDevice> {
    Ok(LocalDevice {
        device_id: parse(row.get(0)?, "apparaatnummer")?,
        school: parse(row.get(1)?, "BRIN-code")?,
        role: parse(row.get(2)?, "rol")?,
        keys: DevicePublicKeys { sign_key: key32(row.get(3)?, "sleutel")?, seal_key: key32(row.get(4)?, "sleutel")? },
        verified_at: row.get(5)?,
        previous_key: row.get(6)?,
    })
}

/// The columns [`outstanding_from_row`] reads, in its order: one list for every query of them.
const SELECT_OUTSTANDING: &str =
    "SELECT signal_id, brin, sent_at, expires_at, receipt_key, deliver_from, incident_at FROM outstanding";

fn outstanding_from_row(row: &Row<'_>) -> rusqlite::Result<Outstanding> {
    Ok(Outstanding {
        signal_id: parse(row.get(0)?, "signaalnummer")?,
        school: parse(row.get(1)?, "BRIN-code")?,
        sent_at: row.get(2)?,
        expires_at: row.get(3)?,
        receipt_key: match row.get::<_, Option<Vec<u8>>>(4)? {
            None => None,
            Some(bytes) => {
                let bytes = Zeroizing::new(bytes);
                Some(ReceiptKey::from_bytes(bytes.as_slice().try_into().map_err(|_| corrupt("ontvangstsleutel"))?))
            }
        },
        held_until: row.get(5)?,
        incident_at: row.get(6)?,
    })
}

fn count(value: i64) -> u64 {
    u64::try_from(value).unwrap_or(0)
}

impl Store {
    /// The key that is to succeed the office key, once `key rotate` made one.
    pub fn successor(&self) -> Result<Option<Zeroizing<[u8; 32]>>> {
        let secret: Option<Zeroizing<Vec<u8>>> = self
            .conn()
            .query_row("SELECT secret_key FROM successor WHERE id = 1", [], |r| Ok(Zeroizing::new(r.get(0)?)))
            .optional()?;
        secret
            .map(|bytes| {
                let mut key = Zeroizing::new([0u8; 32]);
                if bytes.len() != 32 {
                    return Err(SendError::CorruptState("de nieuwe sleutel heeft niet de juiste lengte"));
                }
                key.copy_from_slice(&bytes);
                Ok(key)
            })
            .transpose()
    }

    /// Keeps `secret` as the successor of the office key, until the relay has agreed.
    pub fn set_successor(&self, secret: &[u8; 32], now: i64) -> Result<()> {
        self.conn().execute(
            "INSERT INTO successor (id, secret_key, created_at) VALUES (1, ?1, ?2)",
            params![&secret[..], now],
        )?;
        Ok(())
    }

    /// After the relay agreed: the successor becomes the office key, and every device verified
    /// so far is marked as verified under the previous key. One transaction.
    pub fn complete_rotation(&mut self) -> Result<()> {
        let tx = self.conn_mut().transaction()?;
        let moved = tx.execute("UPDATE office SET secret_key = (SELECT secret_key FROM successor WHERE id = 1) WHERE id = 1 AND EXISTS (SELECT 1 FROM successor)", [])?;
        if moved != 1 {
            return Err(SendError::CorruptState("er is geen nieuwe sleutel om over te zetten"));
        }
        tx.execute("UPDATE devices SET previous_key = 1", [])?;
        tx.execute("DELETE FROM successor", [])?;
        tx.commit()?;
        Ok(())
    }

    /// Stores the office key and relay address (once, at `init`).
    pub fn init_office(&self, secret_key: &[u8; 32], relay_url: &str, now: i64) -> Result<()> {
        self.conn().execute(
            "INSERT INTO office (id, secret_key, relay_url, created_at) VALUES (1, ?1, ?2, ?3)",
            params![&secret_key[..], relay_url, now],
        )?;
        Ok(())
    }

    /// Replaces the stored relay address.
    pub fn set_relay_url(&self, relay_url: &str) -> Result<()> {
        self.conn().execute("UPDATE office SET relay_url = ?1 WHERE id = 1", [relay_url])?;
        Ok(())
    }

    /// The office's secret key and relay address.
    pub fn office(&self) -> Result<(Zeroizing<[u8; 32]>, String)> {
        let (secret, url): (Zeroizing<Vec<u8>>, String) = self
            .conn()
            .query_row("SELECT secret_key, relay_url FROM office WHERE id = 1", [], |r| {
                Ok((Zeroizing::new(r.get(0)?), r.get(1)?))
            })
            .optional()?
            .ok_or(SendError::CorruptState("de sleutel van het bureau ontbreekt"))?;
        let mut key = Zeroizing::new([0u8; 32]);
        if secret.len() != 32 {
            return Err(SendError::CorruptState("de sleutel van het bureau heeft niet de juiste lengte"));
        }
        key.copy_from_slice(&secret);
        Ok((key, url))
    }

    /// Registers a school (nothing happens when it is already known).
    pub fn add_school(&self, brin: Brin, now: i64) -> Result<()> {
        self.conn()
            .execute("INSERT OR IGNORE INTO schools (brin, added_at) VALUES (?1, ?2)", params![brin.as_str(), now])?;
        Ok(())
    }

    /// Records the holiday region of a known school (`None`: not known); false when the school
    /// is not registered here.
    pub fn set_region(&self, brin: Brin, region: Option<Region>) -> Result<bool> {
        let changed = self.conn().execute(
            "UPDATE schools SET region = ?2 WHERE brin = ?1",
            params![brin.as_str(), region.map(Region::as_str)],
        )?;
        Ok(changed == 1)
    }

    /// The holiday region of a school (`None` when not recorded or the school is unknown).
    pub fn region(&self, brin: Brin) -> Result<Option<Region>> {
        let text: Option<Option<String>> = self
            .conn()
            .query_row("SELECT region FROM schools WHERE brin = ?1", [brin.as_str()], |r| r.get(0))
            .optional()?;
        match text.flatten() {
            None => Ok(None),
            Some(text) => text.parse().map(Some).map_err(|_| SendError::CorruptState("onbekende regio")),
        }
    }

    /// Records a known school's phone number (`None`: none); false when the school is unknown.
    pub fn set_phone(&self, brin: Brin, phone: Option<&Phone>) -> Result<bool> {
        let changed = self.conn().execute(
            "UPDATE schools SET phone = ?2 WHERE brin = ?1",
            params![brin.as_str(), phone.map(Phone::as_str)],
        )?;
        Ok(changed == 1)
    }

    /// A school's phone number, when recorded.
    pub fn phone(&self, brin: Brin) -> Result<Option<Phone>> {
        let text: Option<Option<String>> = self
            .conn()
            .query_row("SELECT phone FROM schools WHERE brin = ?1", [brin.as_str()], |r| r.get(0))
            .optional()?;
        text.flatten().map(|t| t.parse().map_err(|_| SendError::CorruptState("telefoonnummer"))).transpose()
    }

    /// The time of day (Dutch time) the morning's list of signals not yet handed over is due.
    pub fn escalation_at(&self) -> Result<NaiveTime> {
        let text: String =
            self.conn().query_row("SELECT escalation_at FROM settings WHERE id = 1", [], |r| r.get(0))?;
        NaiveTime::parse_from_str(&text, "%H:%M").map_err(|_| SendError::CorruptState("tijdstip"))
    }

    pub fn set_escalation_at(&self, at: NaiveTime) -> Result<()> {
        self.conn().execute("UPDATE settings SET escalation_at = ?1 WHERE id = 1", [at.format("%H:%M").to_string()])?;
        Ok(())
    }

    /// What the office does with a signal that would wait through a zomervakantie.
    pub fn summer_rule(&self) -> Result<SummerRule> {
        let text: String = self.conn().query_row("SELECT summer_rule FROM settings WHERE id = 1", [], |r| r.get(0))?;
        match text.as_str() {
            "warn" => Ok(SummerRule::Warn),
            "refuse" => Ok(SummerRule::Refuse),
            _ => Err(SendError::CorruptState("onbekende zomerregel")),
        }
    }

    pub fn set_summer_rule(&self, rule: SummerRule) -> Result<()> {
        let text = match rule {
            SummerRule::Warn => "warn",
            SummerRule::Refuse => "refuse",
        };
        self.conn().execute("UPDATE settings SET summer_rule = ?1 WHERE id = 1", [text])?;
        Ok(())
    }

    /// The school's own closed and open days (the office records them; see
    /// [`hwc_calendar::SchoolCalendar`]).
    pub fn school_days(&self, brin: Brin) -> Result<(Vec<NaiveDate>, Vec<NaiveDate>)> {
        let mut stmt = self.conn().prepare("SELECT day, open FROM school_days WHERE brin = ?1 ORDER BY day")?;
        let rows = stmt.query_map([brin.as_str()], |r| Ok((r.get::<_, String>(0)?, r.get::<_, bool>(1)?)))?;
        let (mut closed, mut open) = (Vec::new(), Vec::new());
        for row in rows {
            let (day, is_open) = row?;
            let day = NaiveDate::parse_from_str(&day, "%Y-%m-%d").map_err(|_| SendError::CorruptState("datum"))?;
            if is_open {
                open.push(day)
            } else {
                closed.push(day)
            }
        }
        Ok((closed, open))
    }

    /// Records `days` of a school as closed (`Some(false)`), open (`Some(true)`) or back to the
    /// calendar's own rule (`None`), in one transaction.
    pub fn set_school_days(&mut self, brin: Brin, days: &[NaiveDate], open: Option<bool>) -> Result<()> {
        let tx = self.conn_mut().transaction()?;
        for day in days {
            let text = day.format("%Y-%m-%d").to_string();
            match open {
                Some(open) => tx.execute(
                    "INSERT INTO school_days (brin, day, open) VALUES (?1, ?2, ?3)
                     ON CONFLICT (brin, day) DO UPDATE SET open = excluded.open",
                    params![brin.as_str(), text, open],
                )?,
                None => {
                    tx.execute("DELETE FROM school_days WHERE brin = ?1 AND day = ?2", params![brin.as_str(), text])?
                }
            };
        }
        tx.commit()?;
        Ok(())
    }

    /// Forgets a school's own days that lie before `before` (they no longer matter).
    pub fn forget_school_days_before(&self, before: NaiveDate) -> Result<()> {
        self.conn().execute("DELETE FROM school_days WHERE day < ?1", [before.format("%Y-%m-%d").to_string()])?;
        Ok(())
    }

    /// All registered schools, sorted.
    pub fn schools(&self) -> Result<Vec<Brin>> {
        let mut stmt = self.conn().prepare("SELECT brin FROM schools ORDER BY brin")?;
        let rows = stmt.query_map([], |r| parse(r.get(0)?, "BRIN-code"))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Stores a device verified by safety code (a repeat of the same device is ignored).
    pub fn add_device(&self, device: &LocalDevice) -> Result<()> {
        self.add_school(device.school, device.verified_at)?;
        self.conn().execute(
            "INSERT OR IGNORE INTO devices (device_id, brin, role, sign_key, seal_key, verified_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                device.device_id.to_string(),
                device.school.as_str(),
                device.role.as_str(),
                &device.keys.sign_key[..],
                &device.keys.seal_key[..],
                device.verified_at
            ],
        )?;
        Ok(())
    }

    /// The verified devices of one school, also those verified under an earlier office key.
    pub fn devices(&self, brin: Brin) -> Result<Vec<LocalDevice>> {
        let mut stmt = self.conn().prepare(
            "SELECT device_id, brin, role, sign_key, seal_key, verified_at, previous_key FROM devices WHERE brin = ?1 ORDER BY verified_at, device_id",
        )?;
        let rows = stmt.query_map([brin.as_str()], device_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Records a signal as outstanding and counts it as sent, in one transaction. Called BEFORE
    /// the envelope goes to the relay, so that a receipt can never arrive for a signal the
    /// sender does not know.
    pub fn record_outstanding(&mut self, signal: &Outstanding) -> Result<()> {
        let tx = self.conn_mut().transaction()?;
        tx.execute(
            "INSERT OR IGNORE INTO outstanding (signal_id, brin, sent_at, expires_at, receipt_key, deliver_from, incident_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                signal.signal_id.to_string(),
                signal.school.as_str(),
                signal.sent_at,
                signal.expires_at,
                signal.receipt_key.as_ref().map(|key| key.as_bytes().to_vec()),
                signal.held_until,
                signal.incident_at
            ],
        )?;
        tx.execute("UPDATE counts SET sent = sent + 1 WHERE id = 1", [])?;
        tally::purge(&tx, signal.sent_at)?;
        let within = Within::of(signal.incident_at, signal.sent_at);
        tally::bump(&tx, signal.school, &tally::month_of(signal.sent_at), TallyKind::Sent, Some(within), 1)?;
        tx.commit()?;
        Ok(())
    }

    /// Undoes [`Store::record_outstanding`] for a signal the relay definitively refused.
    pub fn forget_refused(&mut self, signal_id: SignalId) -> Result<()> {
        let tx = self.conn_mut().transaction()?;
        let row = removed_outstanding(&tx, signal_id)?;
        if let Some(open) = row {
            tx.execute("UPDATE counts SET sent = sent - 1 WHERE id = 1 AND sent > 0", [])?;
            let within = Within::of(open.incident_at, open.sent_at);
            tally::bump(&tx, open.school, &tally::month_of(open.sent_at), TallyKind::Sent, Some(within), -1)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Outstanding signals that expired before `before` (Unix seconds), oldest first.
    pub fn outstanding_expired_before(&self, before: i64) -> Result<Vec<Outstanding>> {
        let mut stmt = self.conn().prepare(&format!("{SELECT_OUTSTANDING} WHERE expires_at < ?1 ORDER BY sent_at"))?;
        let rows = stmt.query_map([before], outstanding_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Whether the signal was settled here within the last [`SETTLED_KEEP_SECS`].
    pub fn is_settled(&self, signal_id: SignalId) -> Result<bool> {
        Ok(self
            .conn()
            .query_row("SELECT 1 FROM settled WHERE signal_id = ?1", [signal_id.to_string()], |_| Ok(()))
            .optional()?
            .is_some())
    }

    /// Deletes a verified device of a school; whether there was one.
    pub fn remove_device(&self, brin: Brin, device_id: DeviceId) -> Result<bool> {
        let removed = self.conn().execute(
            "DELETE FROM devices WHERE device_id = ?1 AND brin = ?2",
            params![device_id.to_string(), brin.as_str()],
        )?;
        Ok(removed == 1)
    }

    /// One outstanding signal, if it is still outstanding.
    pub fn outstanding(&self, signal_id: SignalId) -> Result<Option<Outstanding>> {
        Ok(self
            .conn()
            .query_row(
                &format!("{SELECT_OUTSTANDING} WHERE signal_id = ?1"),
                [signal_id.to_string()],
                outstanding_from_row,
            )
            .optional()?)
    }

    /// All outstanding signals, oldest first.
    pub fn all_outstanding(&self) -> Result<Vec<Outstanding>> {
        let mut stmt = self.conn().prepare(&format!("{SELECT_OUTSTANDING} ORDER BY sent_at"))?;
        let rows = stmt.query_map([], outstanding_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Where the next `GET /v1/receipts` starts.
    pub fn receipts_cursor(&self) -> Result<u64> {
        let after: i64 = self.conn().query_row("SELECT after FROM receipts_cursor WHERE id = 1", [], |r| r.get(0))?;
        Ok(count(after))
    }

    /// Settles signals (deletes their outstanding rows, bumps the counts and the tally,
    /// remembers their ids for [`SETTLED_KEEP_SECS`]), forgets settled ids older than that, and
    /// stores the new cursor, all in one transaction: a crash before the commit repeats the
    /// whole batch, a crash after it repeats nothing. `at` (Unix seconds) is when each was
    /// handed over, refused or expired.
    pub fn settle(&mut self, settled: &[(SignalId, Settle, i64)], new_cursor: u64, now: i64) -> Result<()> {
        let tx = self.conn_mut().transaction()?;
        for (signal_id, how, at) in settled {
            if let Some(open) = removed_outstanding(&tx, *signal_id)? {
                let sql = format!("UPDATE counts SET {0} = {0} + 1 WHERE id = 1", how.column());
                tx.execute(&sql, [])?;
                let within = (*how == Settle::HandedOver).then(|| Within::of(open.incident_at, *at));
                tally::bump(&tx, open.school, &tally::month_of(open.sent_at), how.tally_kind(), within, 1)?;
            }
            tx.execute(
                "INSERT OR IGNORE INTO settled (signal_id, settled_at) VALUES (?1, ?2)",
                params![signal_id.to_string(), now],
            )?;
        }
        tx.execute("DELETE FROM settled WHERE settled_at < ?1", [now.saturating_sub(SETTLED_KEEP_SECS)])?;
        tally::purge(&tx, now)?;
        let cursor = i64::try_from(new_cursor).map_err(|_| SendError::CorruptState("cursor te groot"))?;
        tx.execute("UPDATE receipts_cursor SET after = ?1 WHERE id = 1", [cursor])?;
        tx.commit()?;
        Ok(())
    }

    /// The office's own counts.
    pub fn counts(&self) -> Result<Counts> {
        Ok(self.conn().query_row(
            "SELECT sent, handed_over, not_our_pupil, expired, unproven FROM counts WHERE id = 1",
            [],
            |r| {
                Ok(Counts {
                    sent: count(r.get(0)?),
                    handed_over: count(r.get(1)?),
                    not_our_pupil: count(r.get(2)?),
                    expired: count(r.get(3)?),
                    unproven: count(r.get(4)?),
                })
            },
        )?)
    }
}
