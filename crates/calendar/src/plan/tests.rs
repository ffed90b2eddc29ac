//! The plan against the calendar: every hour of five school years, and the edges by name.

use super::*;
use crate::days::Day;
use crate::region::Region;
use chrono::{Duration, TimeZone};
use chrono_tz::Europe::Amsterdam;

fn utc(y: i32, m: u32, d: u32, h: u32, min: u32, s: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, s).unwrap()
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// Dutch wall-clock time to UTC.
fn dutch(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Amsterdam.with_ymd_and_hms(y, m, d, h, min, 0).earliest().unwrap().with_timezone(&Utc)
}

fn region(r: Region) -> SchoolCalendar {
    SchoolCalendar::of_region(Some(r))
}

#[test]
fn every_hour_of_five_school_years_is_planned_to_a_school_day_within_the_limits() {
    let mut with_study_days = region(Region::Midden);
    // A study day on the Monday after each herfstvakantie and a week in February.
    for day in [date(2025, 10, 27), date(2026, 10, 26), date(2027, 10, 25), date(2028, 10, 30), date(2029, 10, 29)] {
        with_study_days.closed.insert(day);
    }
    with_study_days.closed.extend(date(2027, 2, 1).iter_days().take(5));
    let calendars = [
        region(Region::Noord),
        region(Region::Midden),
        region(Region::Zuid),
        SchoolCalendar::of_region(None),
        with_study_days,
        region(Region::Eigen),
    ];
    let (mut held, mut summer) = (0, 0);
    for cal in &calendars {
        let mut sent = utc(2025, 8, 1, 0, 17, 0);
        while sent < utc(2030, 6, 1, 0, 0, 0) {
            let p = plan(cal, sent).unwrap_or_else(|e| panic!("{sent}: {e}"));
            let sending_day = amsterdam_date(sent);
            assert!(p.read_by > sending_day, "{sent}");
            assert_eq!(cal.day(p.read_by), Day::Open, "{sent}");
            let skipped = sending_day.iter_days().skip(1).take_while(|d| *d < p.read_by);
            assert!(skipped.clone().all(|d| !cal.day(d).is_open()), "{sent}: an open day was skipped");
            assert_eq!(p.expires_at, end_of(p.read_by));
            assert_eq!(amsterdam_date(p.expires_at), p.read_by);
            let lifetime = (p.expires_at - p.deliver_from).num_seconds();
            assert!(lifetime > 0 && lifetime <= MAX_LIFETIME_SECS, "{sent}: lifetime {lifetime}");
            assert!(p.deliver_from >= sent);
            assert!((p.deliver_from - sent).num_seconds() <= MAX_HOLD_SECS);
            assert_eq!(p.held, (p.expires_at - sent).num_seconds() > MAX_LIFETIME_SECS, "{sent}");
            assert_eq!(p.held, p.deliver_from != sent);
            assert!(!p.beyond_data);
            if cal.region == Some(Region::Eigen) {
                // Weekends and national days never close such a school for a week: the transport
                // tests, which use `eigen`, never see a held signal whatever the date.
                assert!(!p.held && !p.summer, "{sent}: {p:?}");
            }
            held += usize::from(p.held);
            summer += usize::from(p.summer);
            sent += Duration::hours(1);
        }
    }
    // The sweep met the long holidays every year (four summers before June 2030).
    assert!(held > 5 * 5 * 2 * 24, "held {held}");
    assert!(summer > 5 * 4 * 40 * 24, "summer {summer}");
}

#[test]
fn the_last_friday_before_kerst_is_held_until_a_week_before_the_first_school_day() {
    // Kerstvakantie 2026: 19 December to 3 January; the school reads it on Monday 4 January 2027.
    for sent in [dutch(2026, 12, 18, 10, 0), dutch(2026, 12, 18, 16, 0), dutch(2026, 12, 18, 23, 59)] {
        let p = plan(&region(Region::Midden), sent).unwrap();
        assert_eq!(p.read_by, date(2027, 1, 4));
        assert_eq!(p.expires_at, utc(2027, 1, 4, 22, 59, 59));
        assert!(p.held);
        assert_eq!(p.deliver_from, utc(2026, 12, 28, 23, 59, 59));
        assert!(!p.summer);
    }
    // Saturday 00:30 is the same.
    let p = plan(&region(Region::Noord), dutch(2026, 12, 19, 0, 30)).unwrap();
    assert_eq!((p.read_by, p.held), (date(2027, 1, 4), true));
}

#[test]
fn easter_hemelvaart_and_5_mei_give_the_next_day_a_school_is_surely_open() {
    // Thursday before Easter 2026 at 18:00: Goede Vrijdag, the weekend, 2e Paasdag; Tuesday 7 April.
    let p = plan(&region(Region::Midden), dutch(2026, 4, 2, 18, 0)).unwrap();
    assert_eq!((p.read_by, p.held), (date(2026, 4, 7), false));
    // Hemelvaart 2026 is Thursday 14 May; the Friday after may be closed: Monday 18 May.
    let p = plan(&region(Region::Zuid), dutch(2026, 5, 13, 18, 0)).unwrap();
    assert_eq!((p.read_by, p.held), (date(2026, 5, 18), false));
    // 5 mei 2026 is a Tuesday.
    let p = plan(&region(Region::Noord), dutch(2026, 5, 4, 9, 0)).unwrap();
    assert_eq!(p.read_by, date(2026, 5, 6));
    // A school that says it is open on 5 mei reads it then.
    let mut open = region(Region::Noord);
    open.open.insert(date(2026, 5, 5));
    assert_eq!(plan(&open, dutch(2026, 5, 4, 9, 0)).unwrap().read_by, date(2026, 5, 5));
}

#[test]
fn a_study_day_after_the_herfstvakantie_moves_the_expiry() {
    // Herfst 2026 in midden: 17-25 October (advisory, so possibly closed); clocks go back on the 25th.
    let plain = plan(&region(Region::Midden), dutch(2026, 10, 16, 12, 0)).unwrap();
    assert_eq!((plain.read_by, plain.held), (date(2026, 10, 26), true));
    assert_eq!(plain.expires_at, utc(2026, 10, 26, 22, 59, 59));
    let mut study = region(Region::Midden);
    study.closed.insert(date(2026, 10, 26));
    let p = plan(&study, dutch(2026, 10, 16, 12, 0)).unwrap();
    assert_eq!(p.read_by, date(2026, 10, 27));
    assert_eq!(p.expires_at, utc(2026, 10, 27, 22, 59, 59));
    // An ordinary Monday evening with a study day on Tuesday: Wednesday.
    let mut tuesday = region(Region::Midden);
    tuesday.closed.insert(date(2026, 12, 8));
    assert_eq!(plan(&tuesday, dutch(2026, 12, 7, 19, 0)).unwrap().read_by, date(2026, 12, 9));
}

#[test]
fn carnaval_is_a_possibly_closed_week_in_the_south_only() {
    // Carnaval 2027: 8-12 February; zuid's voorjaarsvakantie follows (13-21 February).
    let sent = dutch(2027, 2, 5, 12, 0);
    let zuid = plan(&region(Region::Zuid), sent).unwrap();
    assert_eq!((zuid.read_by, zuid.held), (date(2027, 2, 22), true));
    assert_eq!(plan(&region(Region::Midden), sent).unwrap().read_by, date(2027, 2, 8));
}

#[test]
fn the_summer_is_flagged_and_its_last_weekend_is_not() {
    // Midden zomer 2027: 17 July to 29 August.
    let p = plan(&region(Region::Midden), dutch(2027, 7, 16, 10, 0)).unwrap();
    assert_eq!((p.read_by, p.held, p.summer), (date(2027, 8, 30), true, true));
    assert_eq!(p.expires_at, utc(2027, 8, 30, 21, 59, 59));
    assert_eq!(p.deliver_from, utc(2027, 8, 23, 22, 59, 59));
    // Sent in the last week, only the weekend lies between: no summer to warn about.
    let p = plan(&region(Region::Midden), dutch(2027, 8, 26, 10, 0)).unwrap();
    assert_eq!((p.read_by, p.summer, p.held), (date(2027, 8, 30), true, false));
    let p = plan(&region(Region::Midden), dutch(2027, 8, 27, 10, 0)).unwrap();
    assert_eq!((p.read_by, p.summer, p.held), (date(2027, 8, 30), false, false));
    // A school without a region waits for the last region's summer to end.
    let p = plan(&SchoolCalendar::of_region(None), dutch(2027, 7, 9, 10, 0)).unwrap();
    assert!(p.summer && p.held);
}

#[test]
fn the_clock_change_keeps_the_end_of_the_day_at_2359_dutch_time() {
    // Summer time starts on 29 March 2026: Friday 27 March 18:00 → Monday 30 March 23:59:59 CEST.
    let p = plan(&region(Region::Noord), dutch(2026, 3, 27, 18, 0)).unwrap();
    assert_eq!(p.expires_at, utc(2026, 3, 30, 21, 59, 59));
    // 23:30 UTC on Sunday is already Monday in the Netherlands: Tuesday.
    let p = plan(&region(Region::Noord), utc(2026, 11, 29, 23, 30, 0)).unwrap();
    assert_eq!(p.read_by, date(2026, 12, 1));
}

#[test]
fn beyond_the_data_only_weekends_and_national_days_count_and_it_says_so() {
    let p = plan(&region(Region::Noord), dutch(2030, 9, 13, 10, 0)).unwrap();
    assert_eq!(p.read_by, date(2030, 9, 16));
    assert!(p.beyond_data);
    assert!(!plan(&region(Region::Noord), dutch(2029, 9, 14, 10, 0)).unwrap().beyond_data);
}

#[test]
fn a_school_closed_too_long_is_refused_with_a_reason() {
    let mut closed = region(Region::Midden);
    closed.closed.extend(date(2026, 12, 1).iter_days().take(80));
    let err = plan(&closed, dutch(2026, 11, 30, 10, 0)).unwrap_err();
    assert_eq!(err, PlanError::NoSchoolDay { from: date(2026, 11, 30) });
    assert!(err.to_string().contains("30-11-2026"));
    // Three weeks of study days after the zomervakantie: more than eight weeks to hold.
    let mut late = region(Region::Midden);
    late.closed.extend(date(2027, 8, 30).iter_days().take(21));
    let err = plan(&late, dutch(2027, 7, 16, 10, 0)).unwrap_err();
    assert_eq!(err, PlanError::TooFar { read_by: date(2027, 9, 20) });
    // Sent a week later, it fits.
    assert!(plan(&late, dutch(2027, 7, 26, 10, 0)).unwrap().held);
}

#[test]
fn a_school_with_its_own_holidays_counts_only_weekends_national_days_and_its_own_days() {
    let own = region(Region::Eigen);
    // The Friday before kerst: Monday, not after the holiday; never beyond the data.
    let p = plan(&own, dutch(2026, 12, 18, 10, 0)).unwrap();
    assert_eq!((p.read_by, p.held, p.summer, p.beyond_data), (date(2026, 12, 21), false, false, false));
    // Christmas Eve: Christmas, the weekend, Monday 28 December.
    assert_eq!(plan(&own, dutch(2026, 12, 24, 18, 0)).unwrap().read_by, date(2026, 12, 28));
    let mut study = region(Region::Eigen);
    study.closed.extend(date(2026, 12, 21).iter_days().take(12));
    assert_eq!(plan(&study, dutch(2026, 12, 18, 10, 0)).unwrap().read_by, date(2027, 1, 4));
    // The ministry's optional May week (22-30 April 2028) is not this school's.
    assert_eq!(plan(&own, dutch(2028, 4, 24, 10, 0)).unwrap().read_by, date(2028, 4, 25));
}
