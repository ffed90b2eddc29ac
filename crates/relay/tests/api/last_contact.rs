//! Each device's last contact, for the office: the day of its last inbox or status request,
//! written at most once a day, only for the office's own schools.

use crate::common::{expect_error, Env};
use hwc_protocol::api::LastContacts;
use hwc_protocol::expiry::amsterdam_date;
use hwc_protocol::Role;
use reqwest::StatusCode;

fn last_contacts(env: &Env, school: &str) -> LastContacts {
    let response = env.as_office(&env.office, "GET", &format!("/v1/schools/{school}/last-contact"), b"");
    assert_eq!(response.status(), StatusCode::OK);
    response.json().unwrap()
}

#[test]
fn the_office_sees_each_devices_last_contact_day_written_once_a_day() {
    let env = Env::with_offices(2);
    let director = env.verified_device("12AB", Role::Director);
    let backup = env.verified_device("12AB", Role::Backup);
    let today = amsterdam_date(chrono::Utc::now());

    // The inbox and the status request count as contact (written in the background).
    env.inbox(&director, 0, 0);
    env.device_info(&backup);
    let started = std::time::Instant::now();
    let seen = loop {
        let seen = last_contacts(&env, "12AB");
        if seen.devices.iter().all(|d| d.day == Some(today)) || started.elapsed().as_secs() > 10 {
            break seen;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    assert_eq!(seen.devices.len(), 2);
    assert!(seen.devices.iter().all(|d| d.day == Some(today)), "{seen:?}");

    // Written once a day: moved back in the store, a second contact today does not write it again.
    env.relay.execute("UPDATE devices SET last_seen_day = '2026-01-05'").unwrap();
    env.inbox(&director, 0, 0);
    std::thread::sleep(std::time::Duration::from_millis(300));
    let kept = last_contacts(&env, "12AB");
    assert!(kept.devices.iter().all(|d| d.day == chrono::NaiveDate::from_ymd_opt(2026, 1, 5)), "{kept:?}");

    // Only the office that owns the school may ask; a removed device is left out.
    let other = &env.others[0];
    expect_error(
        env.as_office(other, "GET", "/v1/schools/12AB/last-contact", b""),
        StatusCode::FORBIDDEN,
        "wrong_school",
    );
    let removed = env.as_office(&env.office, "POST", &format!("/v1/devices/{}/remove", backup.id()), b"");
    assert_eq!(removed.status(), StatusCode::OK);
    assert_eq!(
        last_contacts(&env, "12AB").devices.iter().map(|d| d.device_id).collect::<Vec<_>>(),
        vec![director.id()]
    );
    expect_error(
        env.as_office(&env.office, "GET", "/v1/schools/xx/last-contact", b""),
        StatusCode::BAD_REQUEST,
        "bad_request",
    );
}
