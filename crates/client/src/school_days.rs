//! The school's own closed days (study days), reported from this device to its office's
//! planning: a signed `HWK1` notice (only dates, see `hwc_protocol::school_days`) posted to the
//! relay, which queues it for the office like a receipt. The office then plans a signal's expiry
//! around those days. Nothing of it is kept on this device: the office's planning is the record.

use crate::client::SchoolClient;
use crate::error::{ClientError, Result};
use chrono::NaiveDate;
use hwc_protocol::SchoolDaysNotice;

impl SchoolClient {
    /// Reports `closed` days (the school is closed: a study day) and `cleared` days (back to the
    /// school calendar's rule, for a day reported by mistake) to the office. Each list is sorted
    /// and without repeats first. Needs the device unlocked ([`ClientError::Locked`]): only the
    /// person with the PIN speaks for the school. A refusal of the days themselves (in the past,
    /// more than 400 days ahead, more than 31) is [`ClientError::SchoolDays`], and nothing is sent.
    pub fn report_school_days(&mut self, closed: &[NaiveDate], cleared: &[NaiveDate]) -> Result<SchoolDaysNotice> {
        self.alive()?;
        if !self.is_unlocked() {
            return Err(ClientError::Locked);
        }
        let sorted = |days: &[NaiveDate]| {
            let mut days = days.to_vec();
            days.sort();
            days.dedup();
            days
        };
        let notice = SchoolDaysNotice {
            school: self.school,
            device_id: self.device_id,
            at: self.now(),
            closed: sorted(closed),
            cleared: sorted(cleared),
        };
        let key = self.signing_key()?;
        let frame = notice.sign(&key)?;
        self.relay.post_school_days(&self.auth(&key), &frame, self.now())?;
        Ok(notice)
    }
}
