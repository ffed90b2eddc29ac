//! Whether a school is open on a date: weekends, national days, the holidays of its region, the
//! days that differ per school, and the school's own closed and open days.

use crate::holidays::{in_mei_adviesweek, vacation, Vacation};
use crate::national::{national_day, usual_day, NationalDay, Usual};
use crate::region::Region;
use chrono::{Datelike, NaiveDate, Weekday};
use std::collections::BTreeSet;

/// Why a school is or may be closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reason {
    Weekend,
    National(NationalDay),
    Vacation(Vacation),
    Usually(Usual),
    /// A day the school itself closed (a study day, say).
    SchoolClosed,
}

impl Reason {
    /// The Dutch words, for texts ("kerstvakantie", "Goede Vrijdag").
    pub fn dutch(self) -> &'static str {
        match self {
            Reason::Weekend => "weekend",
            Reason::National(day) => day.dutch(),
            Reason::Vacation(vacation) => vacation.dutch(),
            Reason::Usually(day) => day.dutch(),
            Reason::SchoolClosed => "vrije dag van de school",
        }
    }
}

/// A school's day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Day {
    Open,
    /// Many schools close (an advisory holiday, Goede Vrijdag, 5 mei, …) and this school has not
    /// said it is open. A signal is not planned to be read on it.
    MaybeClosed(Reason),
    Closed(Reason),
}

impl Day {
    pub fn is_open(self) -> bool {
        self == Day::Open
    }
}

/// One school location's calendar. `region: None` is a school whose region the office has not
/// recorded yet: a day counts as open only when it is open in all three regions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SchoolCalendar {
    pub region: Option<Region>,
    /// Days the school is closed although the calendar would have it open (study days).
    pub closed: BTreeSet<NaiveDate>,
    /// Days the school is open although the calendar would have it possibly closed (it keeps
    /// lessons on Goede Vrijdag, say, or does not take an advisory holiday week).
    pub open: BTreeSet<NaiveDate>,
}

impl SchoolCalendar {
    /// A calendar with only the region's days.
    pub fn of_region(region: Option<Region>) -> Self {
        SchoolCalendar { region, ..Self::default() }
    }

    /// What `date` is for this school. First match wins: the school's own closed days,
    /// weekends, national days, the school's own open days, the region's holidays (compulsory
    /// ones closed, advisory ones possibly closed) and the days that differ per school.
    pub fn day(&self, date: NaiveDate) -> Day {
        if self.closed.contains(&date) {
            return Day::Closed(Reason::SchoolClosed);
        }
        if matches!(date.weekday(), Weekday::Sat | Weekday::Sun) {
            return Day::Closed(Reason::Weekend);
        }
        if let Some(day) = national_day(date) {
            return Day::Closed(Reason::National(day));
        }
        if self.open.contains(&date) {
            return Day::Open;
        }
        let regions: Vec<Region> = match self.region {
            Some(region) => vec![region],
            None => Region::ALL.to_vec(),
        };
        let holidays: Vec<Option<Vacation>> = regions.iter().map(|r| vacation(*r, date)).collect();
        if let Some(Some(vacation)) = holidays.iter().find(|v| v.is_some()) {
            let everywhere = holidays.iter().all(Option::is_some);
            return if vacation.compulsory() && everywhere {
                Day::Closed(Reason::Vacation(*vacation))
            } else {
                Day::MaybeClosed(Reason::Vacation(*vacation))
            };
        }
        // The ministry's advice week is for schools that follow the Regeling, not for `eigen`.
        if in_mei_adviesweek(date) && self.region != Some(Region::Eigen) {
            return Day::MaybeClosed(Reason::Usually(Usual::MeiAdviesweek));
        }
        let south = regions.contains(&Region::Zuid);
        match usual_day(date, south) {
            Some(usual) => Day::MaybeClosed(Reason::Usually(usual)),
            None => Day::Open,
        }
    }

    /// Whether `date` lies in this school's zomervakantie (for a school without a region: in any
    /// region's).
    pub fn in_summer(&self, date: NaiveDate) -> bool {
        match self.region {
            Some(region) => vacation(region, date) == Some(Vacation::Zomer),
            None => Region::ALL.into_iter().any(|r| vacation(r, date) == Some(Vacation::Zomer)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn the_days_of_a_school_year_are_told_apart() {
        let midden = SchoolCalendar::of_region(Some(Region::Midden));
        assert_eq!(midden.day(d(2026, 12, 4)), Day::Open);
        assert_eq!(midden.day(d(2026, 12, 5)), Day::Closed(Reason::Weekend));
        assert_eq!(midden.day(d(2026, 12, 21)), Day::Closed(Reason::Vacation(Vacation::Kerst)));
        assert_eq!(midden.day(d(2026, 12, 25)), Day::Closed(Reason::National(NationalDay::EersteKerstdag)));
        assert_eq!(midden.day(d(2026, 10, 19)), Day::MaybeClosed(Reason::Vacation(Vacation::Herfst)));
        assert_eq!(midden.day(d(2026, 4, 3)), Day::MaybeClosed(Reason::Usually(Usual::GoedeVrijdag)));
        assert_eq!(midden.day(d(2026, 5, 5)), Day::MaybeClosed(Reason::Usually(Usual::Bevrijdingsdag)));
        assert_eq!(midden.day(d(2026, 5, 15)), Day::MaybeClosed(Reason::Usually(Usual::VrijdagNaHemelvaart)));
        assert_eq!(midden.day(d(2026, 4, 20)), Day::MaybeClosed(Reason::Usually(Usual::MeiAdviesweek)));
        // Carnaval 2027 (8-12 February) is a possibly closed week in the south only.
        assert_eq!(midden.day(d(2027, 2, 9)), Day::Open);
        let zuid = SchoolCalendar::of_region(Some(Region::Zuid));
        assert_eq!(zuid.day(d(2027, 2, 9)), Day::MaybeClosed(Reason::Usually(Usual::Carnaval)));
    }

    #[test]
    fn a_school_without_a_region_is_open_only_where_all_regions_are() {
        let unknown = SchoolCalendar::of_region(None);
        // Herfst 2026: noord 10-18 October, midden and zuid 17-25 October.
        assert_eq!(unknown.day(d(2026, 10, 12)), Day::MaybeClosed(Reason::Vacation(Vacation::Herfst)));
        assert_eq!(unknown.day(d(2026, 10, 26)), Day::Open);
        // Zomer 2027 differs per region: closed somewhere is only possibly closed here.
        assert_eq!(unknown.day(d(2027, 7, 12)), Day::MaybeClosed(Reason::Vacation(Vacation::Zomer)));
        assert!(unknown.in_summer(d(2027, 7, 12)));
        assert!(!SchoolCalendar::of_region(Some(Region::Midden)).in_summer(d(2027, 7, 12)));
    }

    #[test]
    fn the_schools_own_days_come_first_but_never_open_a_weekend_or_national_day() {
        let mut cal = SchoolCalendar::of_region(Some(Region::Noord));
        cal.closed.insert(d(2026, 12, 7));
        cal.open.extend([d(2026, 4, 3), d(2026, 12, 26), d(2026, 12, 6)]);
        assert_eq!(cal.day(d(2026, 12, 7)), Day::Closed(Reason::SchoolClosed));
        assert_eq!(cal.day(d(2026, 4, 3)), Day::Open);
        assert_eq!(cal.day(d(2026, 12, 26)), Day::Closed(Reason::Weekend));
        assert_eq!(cal.day(d(2026, 12, 6)), Day::Closed(Reason::Weekend));
    }
}
