//! The school days notice: a school's own closed days ("studiedagen"), passed from the school app
//! to its office, which plans when a signal expires by the school's calendar. It holds no
//! personal data: a BRIN code, a device id, a time and dates.
//!
//! It travels in a signed frame, kind `HWK`, version `1` (see [`crate::signed_frame`]), signed
//! with the device's signing key; the body is the exact JSON
//! `{"school":"12AB","device_id":"…","at":…,"closed":["2026-12-04"],"cleared":["2027-01-08"]}`.
//! `closed` are days the school is closed; `cleared` are days given back to the calendar's own
//! rule (a study day entered by mistake). One notice holds 1 to [`MAX_SCHOOL_DAYS`] days in all,
//! each list strictly ascending, no day in both, and every day from the Dutch date of `at` up to
//! [`SCHOOL_DAYS_AHEAD`] days after it. A receiver accepts it only when signed by the device
//! it names.

use crate::brin::Brin;
use crate::ids::DeviceId;
use crate::keys::{DevicePublicKeys, DeviceSigningKey};
use crate::signed_frame::{open_frame, seal_frame, FrameError, FrameKind};
use chrono::{DateTime, Days, NaiveDate};
use serde::{Deserialize, Serialize};

/// Largest school days frame accepted, in bytes. The largest valid notice (31 days, an `at` of
/// 20 characters) is 585 bytes, so 1024 (as for receipts and profiles) leaves room to spare.
pub const MAX_SCHOOL_DAYS_BYTES: usize = 1024;
/// Most days in one notice, closed and cleared together.
pub const MAX_SCHOOL_DAYS: usize = 31;
/// A day may lie at most this many days after the Dutch date of the notice's `at`.
pub const SCHOOL_DAYS_AHEAD: u64 = 400;

/// The body of a school days frame.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SchoolDaysNotice {
    pub school: Brin,
    pub device_id: DeviceId,
    /// Unix seconds, UTC: when the device made it.
    pub at: i64,
    /// Days the school is closed (its own study days), "YYYY-MM-DD", ascending.
    #[serde(with = "day_list")]
    pub closed: Vec<NaiveDate>,
    /// Days given back to the calendar's rule (a study day entered by mistake), ascending.
    #[serde(with = "day_list")]
    pub cleared: Vec<NaiveDate>,
}

/// Why a school days notice was refused. The dates in the messages are written as people in the
/// Netherlands write them (`04-12-2026`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SchoolDaysError {
    #[error(transparent)]
    Frame(#[from] FrameError),
    #[error("de doorgegeven schooldagen hebben niet de juiste vorm")]
    Malformed,
    #[error("de doorgegeven schooldagen komen van een ander apparaat dan het ondertekenende")]
    WrongDevice,
    #[error("geef 1 tot {MAX_SCHOOL_DAYS} dagen tegelijk door")]
    DayCount,
    #[error("een dag staat twee keer in de lijst ({})", dutch(.0))]
    Duplicate(NaiveDate),
    #[error("de dagen staan niet op volgorde: {} staat na een latere dag", dutch(.0))]
    Unordered(NaiveDate),
    #[error("{} staat zowel bij de dagen dat de school dicht is als bij de teruggegeven dagen; kies er één", dutch(.0))]
    ClosedAndCleared(NaiveDate),
    #[error("een dag in het verleden kan niet worden doorgegeven ({})", dutch(.0))]
    InThePast(NaiveDate),
    #[error("een dag kan hooguit {SCHOOL_DAYS_AHEAD} dagen vooruit worden doorgegeven ({})", dutch(.0))]
    TooFarAhead(NaiveDate),
}

/// `day` as `DD-MM-YYYY`.
fn dutch(day: &NaiveDate) -> String {
    day.format("%d-%m-%Y").to_string()
}

impl SchoolDaysNotice {
    /// Checks that `at` is a time, then the days: 1 to [`MAX_SCHOOL_DAYS`] in all; in each list
    /// no day twice and every day after the one before it; no day in both lists; every day on or
    /// after the Dutch date of `at` and at most [`SCHOOL_DAYS_AHEAD`] days after it. In that
    /// order (rules K1, K3–K8 of `docs/protocol.md`); the first that fails is reported.
    pub fn validate(&self) -> Result<(), SchoolDaysError> {
        let at = DateTime::from_timestamp(self.at, 0).ok_or(SchoolDaysError::Malformed)?;
        let total = self.closed.len() + self.cleared.len();
        if !(1..=MAX_SCHOOL_DAYS).contains(&total) {
            return Err(SchoolDaysError::DayCount);
        }
        for list in [&self.closed, &self.cleared] {
            for (i, day) in list.iter().enumerate() {
                if list[..i].contains(day) {
                    return Err(SchoolDaysError::Duplicate(*day));
                }
            }
        }
        for list in [&self.closed, &self.cleared] {
            if let Some(pair) = list.windows(2).find(|pair| pair[0] >= pair[1]) {
                return Err(SchoolDaysError::Unordered(pair[1]));
            }
        }
        if let Some(day) = self.closed.iter().find(|day| self.cleared.contains(day)) {
            return Err(SchoolDaysError::ClosedAndCleared(*day));
        }
        let first = crate::expiry::amsterdam_date(at);
        let last = first.checked_add_days(Days::new(SCHOOL_DAYS_AHEAD)).unwrap_or(NaiveDate::MAX);
        let days = || self.closed.iter().chain(&self.cleared);
        if let Some(day) = days().find(|day| **day < first) {
            return Err(SchoolDaysError::InThePast(*day));
        }
        if let Some(day) = days().find(|day| **day > last) {
            return Err(SchoolDaysError::TooFarAhead(*day));
        }
        Ok(())
    }

    /// Validates, then seals the exact JSON body in an HWK1 frame signed with the device key.
    pub fn sign(&self, key: &DeviceSigningKey) -> Result<Vec<u8>, SchoolDaysError> {
        self.validate()?;
        // Fails only for a year outside 0 to 9999, which validation leaves to an `at` that far off.
        let body = serde_json::to_vec(self).map_err(|_| SchoolDaysError::Malformed)?;
        let bytes = seal_frame(FrameKind::SchoolDays, &body, |m| key.sign(m));
        if bytes.len() > MAX_SCHOOL_DAYS_BYTES {
            return Err(FrameError::TooLarge.into());
        }
        Ok(bytes)
    }

    /// Checks size, kind, version, signature against `keys`, exact JSON fields,
    /// `device_id == keys.device_id()`, and [`SchoolDaysNotice::validate`].
    pub fn open(bytes: &[u8], keys: &DevicePublicKeys) -> Result<SchoolDaysNotice, SchoolDaysError> {
        let body = open_frame(FrameKind::SchoolDays, bytes, MAX_SCHOOL_DAYS_BYTES, |m, s| keys.verify(m, s))?;
        let notice: SchoolDaysNotice = crate::exact_json::parse(body).ok_or(SchoolDaysError::Malformed)?;
        if notice.device_id != keys.device_id() {
            return Err(SchoolDaysError::WrongDevice);
        }
        notice.validate()?;
        Ok(notice)
    }
}

/// Serde adapter: a list of days as `"YYYY-MM-DD"` strings, exactly ten ASCII characters each
/// (digits, with `-` at positions 5 and 8) and a real date of the Gregorian calendar.
mod day_list {
    use chrono::{Datelike, NaiveDate};
    use serde::de::Error as _;
    use serde::ser::{Error as _, SerializeSeq};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(days: &[NaiveDate], s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(days.len()))?;
        for day in days {
            if !(0..=9999).contains(&day.year()) {
                return Err(S::Error::custom("a day's year must have four digits"));
            }
            seq.serialize_element(&format!("{:04}-{:02}-{:02}", day.year(), day.month(), day.day()))?;
        }
        seq.end()
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<NaiveDate>, D::Error> {
        Vec::<String>::deserialize(d)?
            .iter()
            .map(|text| parse(text).ok_or_else(|| D::Error::custom("expected a date written YYYY-MM-DD")))
            .collect()
    }

    fn parse(text: &str) -> Option<NaiveDate> {
        let bytes = text.as_bytes();
        let shape = bytes.len() == 10
            && bytes.iter().enumerate().all(|(i, b)| if i == 4 || i == 7 { *b == b'-' } else { b.is_ascii_digit() });
        if !shape {
            return None;
        }
        let number = |range: std::ops::Range<usize>| text[range].parse::<u32>().ok();
        NaiveDate::from_ymd_opt(i32::try_from(number(0..4)?).ok()?, number(5..7)?, number(8..10)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::DeviceOpenKey;

    /// Monday 23 November 2026, 08:00 in the Netherlands.
    const AT: i64 = 1_795_417_200;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn device() -> (DeviceSigningKey, DevicePublicKeys) {
        let sign = DeviceSigningKey::generate().unwrap();
        let keys = DevicePublicKeys::of(&sign, &DeviceOpenKey::generate().unwrap());
        (sign, keys)
    }

    fn notice(keys: &DevicePublicKeys, closed: &[&str], cleared: &[&str]) -> SchoolDaysNotice {
        SchoolDaysNotice {
            school: "12AB".parse().unwrap(),
            device_id: keys.device_id(),
            at: AT,
            closed: closed.iter().map(|d| day(d)).collect(),
            cleared: cleared.iter().map(|d| day(d)).collect(),
        }
    }

    #[test]
    fn a_notice_opens_unchanged_with_its_devices_keys() {
        let (sign, keys) = device();
        let sent = notice(&keys, &["2026-12-04", "2027-02-15"], &["2027-01-08"]);
        let frame = sent.sign(&sign).unwrap();
        let body = format!(
            "HWK1{{\"school\":\"12AB\",\"device_id\":\"{}\",\"at\":{AT},\"closed\":[\"2026-12-04\",\"2027-02-15\"],\"cleared\":[\"2027-01-08\"]}}",
            keys.device_id()
        );
        assert!(frame.starts_with(body.as_bytes()), "{}", String::from_utf8_lossy(&frame));
        assert_eq!(frame.len(), body.len() + 64);
        assert_eq!(SchoolDaysNotice::open(&frame, &keys).unwrap(), sent);
        // Only one list is fine too.
        let only_closed = notice(&keys, &["2026-11-23"], &[]);
        assert_eq!(SchoolDaysNotice::open(&only_closed.sign(&sign).unwrap(), &keys).unwrap(), only_closed);
        let only_cleared = notice(&keys, &[], &["2027-12-28"]);
        assert_eq!(SchoolDaysNotice::open(&only_cleared.sign(&sign).unwrap(), &keys).unwrap(), only_cleared);
    }

    #[test]
    fn the_largest_notice_fits_the_frame_limit() {
        let (sign, keys) = device();
        let first = day("2026-11-23");
        let days: Vec<NaiveDate> = (0..MAX_SCHOOL_DAYS as u64).map(|i| first + Days::new(i)).collect();
        let mut largest = SchoolDaysNotice { closed: days, ..notice(&keys, &[], &[]) };
        let frame = largest.sign(&sign).unwrap();
        // `at` at its longest: 20 characters, as an i64 below zero would be (not a valid time
        // for these days, so the size is counted by hand).
        let longest = frame.len() + (20 - AT.to_string().len());
        assert_eq!(longest, 585);
        assert!(longest <= MAX_SCHOOL_DAYS_BYTES);
        largest.closed.push(first + Days::new(MAX_SCHOOL_DAYS as u64));
        assert_eq!(largest.sign(&sign), Err(SchoolDaysError::DayCount));
    }

    #[test]
    fn every_rule_is_refused_with_its_own_error() {
        let (sign, keys) = device();
        let d = |text: &str| day(text);
        let cases: Vec<(SchoolDaysNotice, SchoolDaysError)> = vec![
            (notice(&keys, &[], &[]), SchoolDaysError::DayCount),
            (
                SchoolDaysNotice {
                    closed: (0..20).map(|i| d("2026-12-01") + Days::new(i)).collect(),
                    cleared: (0..12).map(|i| d("2027-01-01") + Days::new(i)).collect(),
                    ..notice(&keys, &[], &[])
                },
                SchoolDaysError::DayCount,
            ),
            (notice(&keys, &["2026-12-04", "2026-12-04"], &[]), SchoolDaysError::Duplicate(d("2026-12-04"))),
            (
                notice(&keys, &["2026-12-04"], &["2027-01-08", "2027-01-09", "2027-01-08"]),
                SchoolDaysError::Duplicate(d("2027-01-08")),
            ),
            (notice(&keys, &["2026-12-04", "2026-12-03"], &[]), SchoolDaysError::Unordered(d("2026-12-03"))),
            (notice(&keys, &[], &["2027-01-09", "2027-01-08"]), SchoolDaysError::Unordered(d("2027-01-08"))),
            (
                notice(&keys, &["2026-12-04", "2027-01-08"], &["2027-01-08"]),
                SchoolDaysError::ClosedAndCleared(d("2027-01-08")),
            ),
            // At 08:00 on 23 November the Dutch date is the 23rd: the 22nd has passed.
            (notice(&keys, &["2026-11-22"], &[]), SchoolDaysError::InThePast(d("2026-11-22"))),
            (notice(&keys, &["2026-12-04"], &["2025-06-01"]), SchoolDaysError::InThePast(d("2025-06-01"))),
            // 400 days after 23 November 2026 is 28 December 2027.
            (notice(&keys, &["2027-12-29"], &[]), SchoolDaysError::TooFarAhead(d("2027-12-29"))),
            (notice(&keys, &[], &["2026-12-04", "9999-12-31"]), SchoolDaysError::TooFarAhead(d("9999-12-31"))),
            (SchoolDaysNotice { at: i64::MAX, ..notice(&keys, &["2026-12-04"], &[]) }, SchoolDaysError::Malformed),
            (SchoolDaysNotice { at: i64::MIN, ..notice(&keys, &[], &[]) }, SchoolDaysError::Malformed),
        ];
        for (bad, error) in cases {
            assert_eq!(bad.validate(), Err(error.clone()), "{bad:?}");
            assert_eq!(bad.sign(&sign), Err(error.clone()), "{bad:?}");
            // Signed anyway, the receiver refuses it the same way.
            let body = serde_json::to_vec(&bad).unwrap();
            let frame = seal_frame(FrameKind::SchoolDays, &body, |m| sign.sign(m));
            assert_eq!(SchoolDaysNotice::open(&frame, &keys), Err(error), "{bad:?}");
        }
        // The edges are accepted: today, and exactly 400 days ahead.
        notice(&keys, &["2026-11-23", "2027-12-28"], &[]).validate().unwrap();
        // The Dutch date decides: 23:30 UTC on 23 November is already the 24th.
        let late = SchoolDaysNotice { at: AT + 16 * 3600 + 1800, ..notice(&keys, &["2026-11-23"], &[]) };
        assert_eq!(late.validate(), Err(SchoolDaysError::InThePast(d("2026-11-23"))));
        assert_eq!(
            SchoolDaysError::InThePast(d("2026-11-22")).to_string(),
            "een dag in het verleden kan niet worden doorgegeven (22-11-2026)"
        );
    }

    #[test]
    fn a_changed_byte_another_key_or_another_device_id_is_refused() {
        let (sign, keys) = device();
        let frame = notice(&keys, &["2026-12-04"], &[]).sign(&sign).unwrap();
        for i in 0..frame.len() {
            let mut bad = frame.clone();
            bad[i] ^= 1;
            assert!(SchoolDaysNotice::open(&bad, &keys).is_err(), "byte {i}");
        }
        let (_, stranger) = device();
        assert_eq!(SchoolDaysNotice::open(&frame, &stranger), Err(SchoolDaysError::Frame(FrameError::BadSignature)));
        // Signed by this device, but naming another.
        let lying = SchoolDaysNotice { device_id: stranger.device_id(), ..notice(&keys, &["2026-12-04"], &[]) };
        let lying = lying.sign(&sign).unwrap();
        assert_eq!(SchoolDaysNotice::open(&lying, &keys), Err(SchoolDaysError::WrongDevice));
        // Another kind of frame with the same body and a valid signature is not a notice.
        let receipt_kind = seal_frame(FrameKind::Receipt, &frame[4..frame.len() - 64], |m| sign.sign(m));
        assert_eq!(
            SchoolDaysNotice::open(&receipt_kind, &keys),
            Err(SchoolDaysError::Frame(FrameError::WrongKind("doorgegeven schooldagen")))
        );
        let mut too_large = frame[..frame.len() - 64].to_vec();
        too_large.resize(MAX_SCHOOL_DAYS_BYTES + 1 - 64, b' ');
        let too_large = seal_frame(FrameKind::SchoolDays, &too_large[4..], |m| sign.sign(m));
        assert_eq!(too_large.len(), MAX_SCHOOL_DAYS_BYTES + 1);
        assert_eq!(SchoolDaysNotice::open(&too_large, &keys), Err(SchoolDaysError::Frame(FrameError::TooLarge)));
    }

    #[test]
    fn only_the_exact_json_with_the_listed_fields_is_read() {
        let (sign, keys) = device();
        let sent = notice(&keys, &["2026-12-04"], &["2027-01-08"]);
        let body = serde_json::to_string(&sent).unwrap();
        let variants = [
            body.replacen('}', ",\"note\":\"x\"}", 1),
            body.replacen(",\"cleared\":[\"2027-01-08\"]", "", 1),
            body.replacen("\"at\"", "\"at\" ", 1),
            format!("{body} "),
            body.replacen("\"2026-12-04\"", "\"2026-12-4\"", 1),
            body.replacen("\"2026-12-04\"", "\"04-12-2026\"", 1),
            body.replacen("\"2026-12-04\"", "\"2026-02-30\"", 1),
            body.replacen("\"2026-12-04\"", "\"2026-12-04T00:00:00\"", 1),
            body.replacen("\"2026-12-04\"", "\"+2026-12-04\"", 1),
            body.replacen("\"2026-12-04\"", "\"2026\\u002d12-04\"", 1),
            body.replacen("\"school\":\"12AB\",\"device_id\"", "\"device_id\"", 1).replacen(
                '}',
                ",\"school\":\"12AB\"}",
                1,
            ),
            body.replacen("\"12AB\"", "\"12ab\"", 1),
        ];
        for text in variants {
            let frame = seal_frame(FrameKind::SchoolDays, text.as_bytes(), |m| sign.sign(m));
            assert_eq!(SchoolDaysNotice::open(&frame, &keys), Err(SchoolDaysError::Malformed), "{text}");
        }
    }
}
