//! The backup's reminder: when a signal has waited since before the time the school set
//! (default 08:15) and the director has not handled it, the backup's device says so once a day
//! ("Een signaal wacht nog"). A colleague's receipt removes the signal from this device (the
//! relay's `handled` event), so "still waiting here" is exactly "nobody acted yet".

use crate::client::SchoolClient;
use crate::error::Result;
use crate::reports::PendingSignal;
use crate::vault::Setting;
use chrono::{DateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Europe::Amsterdam;
use hwc_protocol::Role;

/// When the reminder is due if the school set no time (the machine configuration's default).
pub use hwc_formats::DEFAULT_REMINDER_AT;

impl SchoolClient {
    /// Whether this device should remind now: it is a backup device, it is at or after `at`
    /// (Dutch time) today, a signal the relay had ready before that moment (its `created_at`:
    /// also when this computer was off and fetched it later) still waits here unexpired, and it
    /// has not reminded today. Ask after a fetch, so a colleague's receipt has arrived; once the
    /// reminder was shown, [`SchoolClient::note_reminded`].
    pub fn reminder_due(&self, now: DateTime<Utc>, at: NaiveTime) -> Result<bool> {
        self.alive()?;
        if self.device_info()?.role != Role::Backup {
            return Ok(false);
        }
        let today = now.with_timezone(&Amsterdam).date_naive();
        let Some(due) = Amsterdam.from_local_datetime(&today.and_time(at)).earliest() else {
            return Ok(false);
        };
        if now < due || self.vault.get(Setting::RemindedOn)?.as_deref() == Some(day_text(today).as_str()) {
            return Ok(false);
        }
        for pending in self.pending()? {
            if pending.expires_at > now && self.ready_since(&pending)? < due {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Notes that today's reminder was shown: no other until tomorrow (in this process or the
    /// other one, which shares the vault).
    pub fn note_reminded(&mut self, now: DateTime<Utc>) -> Result<()> {
        self.alive()?;
        self.vault.set(Setting::RemindedOn, &day_text(now.with_timezone(&Amsterdam).date_naive()))?;
        Ok(())
    }

    /// When the relay had the signal ready: its envelope's `created_at` (checked as it was when
    /// it arrived), or the arrival itself if the stored frame cannot be read back.
    fn ready_since(&self, pending: &PendingSignal) -> Result<DateTime<Utc>> {
        let Some(stored) = self.vault.envelope(&pending.signal_id)? else {
            return Ok(pending.received_at);
        };
        Ok(self
            .check_envelope(&stored.frame, pending.received_at)
            .map(|verified| verified.envelope.created())
            .unwrap_or(pending.received_at))
    }
}

fn day_text(day: chrono::NaiveDate) -> String {
    day.format("%Y-%m-%d").to_string()
}
