//! The backup's reminder: when a signal has waited since before the time the school set
//! (default 08:15) and the director has not handled it, the backup's device says so once a day
//! ("Een signaal wacht nog"). A colleague's receipt removes the signal from this device (the
//! relay's `handled` event), so "still waiting here" is exactly "nobody acted yet".

use crate::client::SchoolClient;
use crate::error::Result;
use crate::vault::Setting;
use chrono::{DateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Europe::Amsterdam;
use hwc_protocol::Role;

/// When the reminder is due if the school set no time.
pub const DEFAULT_REMINDER_AT: NaiveTime = match NaiveTime::from_hms_opt(8, 15, 0) {
    Some(at) => at,
    None => NaiveTime::MIN,
};

impl SchoolClient {
    /// Whether this device should remind now: it is a backup device, it is at or after `at`
    /// (Dutch time) today, a signal that arrived before that moment still waits unexpired, and
    /// it has not reminded today. When it should, today is noted, so the next call says no until
    /// tomorrow.
    pub fn take_reminder(&mut self, now: DateTime<Utc>, at: NaiveTime) -> Result<bool> {
        self.alive()?;
        if self.device_info()?.role != Role::Backup {
            return Ok(false);
        }
        let local = now.with_timezone(&Amsterdam);
        let today = local.date_naive();
        let Some(due) = Amsterdam.from_local_datetime(&today.and_time(at)).earliest() else {
            return Ok(false);
        };
        if now < due {
            return Ok(false);
        }
        let waiting = self.pending()?.iter().any(|p| p.received_at < due && p.expires_at > now);
        let day = today.format("%Y-%m-%d").to_string();
        if !waiting || self.vault.get(Setting::RemindedOn)?.as_deref() == Some(day.as_str()) {
            return Ok(false);
        }
        self.vault.set(Setting::RemindedOn, &day)?;
        Ok(true)
    }
}
