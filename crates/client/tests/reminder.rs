//! The backup's reminder ("Een signaal wacht nog"): after the school's time, once a day, only on
//! a backup device, only while a signal the relay had before that time still waits there.

mod common;

use chrono::{Duration, NaiveTime, TimeZone, Timelike, Utc};
use chrono_tz::Europe::Amsterdam;
use common::{enrolled, Office, PIN};
use hwc_client::{ManualClock, ReceiptKind, SchoolClient};
use hwc_protocol::Role;
use std::sync::Arc;

/// Asks whether a reminder is due and, as the app does once it has shown it, notes it.
fn remind(client: &mut SchoolClient, now: chrono::DateTime<Utc>, at: NaiveTime) -> hwc_client::Result<bool> {
    let due = client.reminder_due(now, at)?;
    if due {
        client.note_reminded(now)?;
    }
    Ok(due)
}

#[test]
fn the_backup_reminds_once_a_day_after_the_set_time_while_a_signal_waits() {
    let mut office = Office::new();
    let _relay = office.start_relay();
    let (backup_dir, director_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    drop(enrolled(&office, backup_dir.path(), Role::Backup));
    let mut director = enrolled(&office, director_dir.path(), Role::Director);
    // The clock stays near the relay's (requests are signed); the reminder is asked at chosen moments.
    let clock = Arc::new(ManualClock::starting_now());
    let mut backup = SchoolClient::open_with_clock(backup_dir.path(), clock.clone()).unwrap();

    let first = office.send();
    // The school's time: two minutes after the signal was sent (Dutch time, whole minutes).
    let sent = Utc::now().with_timezone(&Amsterdam);
    let at = NaiveTime::from_hms_opt(sent.hour(), sent.minute(), 0).unwrap() + Duration::minutes(2);
    let today = (sent + Duration::minutes(2)).date_naive();
    let due = Amsterdam.from_local_datetime(&today.and_time(at)).earliest().unwrap().to_utc();
    // The backup's laptop comes on only after that time: what counts is when the relay had it.
    clock.advance(Duration::minutes(3));
    assert_eq!(backup.fetch(5).unwrap().new_signals, vec![first]);
    assert!(backup.pending().unwrap()[0].received_at > due);
    assert_eq!(director.fetch(5).unwrap().new_signals, vec![first]);

    assert!(!remind(&mut backup, due - Duration::seconds(1), at).unwrap(), "not before the time");
    assert!(!remind(&mut director, due + Duration::seconds(1), at).unwrap(), "the director's device never reminds");
    // Not shown (no notification service yet): still due.
    assert!(backup.reminder_due(due + Duration::seconds(1), at).unwrap());
    assert!(remind(&mut backup, due + Duration::seconds(1), at).unwrap());
    assert!(!remind(&mut backup, due + Duration::hours(2), at).unwrap(), "once a day");

    // The director hands it over: the next day nothing waits, so no reminder (it has not expired:
    // it lives until the end of the next working day).
    director.unlock(PIN).unwrap();
    director.acknowledge(&first, ReceiptKind::HandedOver).unwrap();
    assert_eq!(backup.fetch(5).unwrap().handled_by_colleague.len(), 1);
    let next_day = due + Duration::days(1) + Duration::seconds(1);
    assert!(!remind(&mut backup, next_day, at).unwrap(), "nothing waits");

    // A new signal that waits past the time the next day is reminded of.
    let second = office.send();
    assert_eq!(backup.fetch(5).unwrap().new_signals, vec![second]);
    assert!(remind(&mut backup, next_day, at).unwrap());
    assert!(!remind(&mut backup, next_day + Duration::minutes(5), at).unwrap());
}
