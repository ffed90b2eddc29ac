//! A school reports its own study day from its device: the signed, content-free notice goes
//! through a real relay process to the office, whose planning then counts the school closed that
//! day, so a signal sent the evening before can still be read on the next day the school is open.

use chrono::{Days, NaiveDate, TimeZone, Utc};
use chrono_tz::Europe::Amsterdam;
use hwc_client::ClientError;
use hwc_protocol::expiry::amsterdam_date;
use hwc_send::ReceiptReport;
use hwc_system_tests::world::PIN;
use hwc_system_tests::World;

/// The first day at least ten days ahead that is a school day, with the day before it one too.
fn ordinary_school_day(w: &World) -> NaiveDate {
    let calendar = w.office.calendar(World::school()).unwrap();
    let mut day = amsterdam_date(Utc::now()) + Days::new(10);
    while !(calendar.day(day).is_open() && calendar.day(day - Days::new(1)).is_open()) {
        day = day + Days::new(1);
    }
    day
}

#[test]
fn a_study_day_reported_from_the_school_moves_the_offices_planning() {
    let mut w = World::new().unwrap();
    let study_day = ordinary_school_day(&w);
    let evening_before = Amsterdam
        .from_local_datetime(&(study_day - Days::new(1)).and_hms_opt(18, 0, 0).unwrap())
        .single()
        .unwrap()
        .with_timezone(&Utc);
    assert_eq!(w.office.plan_at(World::school(), evening_before).unwrap().read_by, study_day);

    // Locked, nothing is sent; a day in the past is refused before anything is sent.
    assert!(matches!(w.director.report_school_days(&[study_day], &[]), Err(ClientError::Locked)));
    w.director.unlock(PIN).unwrap();
    let yesterday = amsterdam_date(Utc::now()) - Days::new(1);
    let past = w.director.report_school_days(&[yesterday], &[]).unwrap_err();
    assert!(past.to_string().contains("in het verleden"), "{past}");

    w.director.report_school_days(&[study_day, study_day], &[]).unwrap();
    let reports = w.office.fetch_receipts().unwrap();
    assert_eq!(reports.len(), 1, "{reports:?}");
    match &reports[0] {
        ReceiptReport::SchoolDays { school, closed, cleared, .. } => {
            assert_eq!((*school, closed.as_slice(), cleared.len()), (World::school(), &[study_day][..], 0));
        }
        other => panic!("expected the school's days, got {other:?}"),
    }
    assert!(reports[0].to_string().contains("De planning van dit bureau rekent er vanaf nu mee"), "{}", reports[0]);
    let after = w.office.plan_at(World::school(), evening_before).unwrap();
    assert!(after.read_by > study_day, "the study day still counts as a school day: {after:?}");

    // Reported by mistake: given back, the day is a school day again.
    w.director.report_school_days(&[], &[study_day]).unwrap();
    w.office.fetch_receipts().unwrap();
    assert_eq!(w.office.plan_at(World::school(), evening_before).unwrap().read_by, study_day);
    assert!(w.office.fetch_receipts().unwrap().is_empty(), "a notice was reported twice");
}
