//! School days: a verified device passes its school's own closed days to the office that owns
//! the school; the relay checks the signed notice and queues it unchanged as an office item,
//! deleted like any other once the office reads past it.

use crate::common::{expect_error, now, Device, Env};
use chrono::{Days, NaiveDate, Utc};
use hwc_protocol::api::{OfficeItem, OfficeItems};
use hwc_protocol::{OfficeSigningKey, Role, SchoolDaysNotice};
use reqwest::StatusCode;

const PATH: &str = "/v1/school/days";

fn items(env: &Env, office: &OfficeSigningKey, after: u64) -> OfficeItems {
    let response = env.as_office(office, "GET", &format!("/v1/receipts?after={after}"), b"");
    assert_eq!(response.status(), StatusCode::OK);
    response.json().unwrap()
}

/// `days` days after today (the Dutch date).
fn ahead(days: u64) -> NaiveDate {
    hwc_protocol::expiry::amsterdam_date(Utc::now()) + Days::new(days)
}

/// A notice by `device` for `school`, made at `at`: two closed days and one given back.
fn notice_at(device: &Device, school: &str, at: i64) -> SchoolDaysNotice {
    SchoolDaysNotice {
        school: school.parse().unwrap(),
        device_id: device.id(),
        at,
        closed: vec![ahead(10), ahead(40)],
        cleared: vec![ahead(20)],
    }
}

fn signed(device: &Device, school: &str) -> Vec<u8> {
    notice_at(device, school, now()).sign(&device.sign).unwrap()
}

#[test]
fn a_verified_devices_notice_reaches_its_office_unchanged_and_goes_once_read_past() {
    let env = Env::with_offices(2);
    let device = env.verified_device("12AB", Role::Director);
    let frame = signed(&device, "12AB");
    let answer = env.as_device(&device, "POST", PATH, &frame);
    assert_eq!(answer.status(), StatusCode::OK);
    assert_eq!(answer.json::<serde_json::Value>().unwrap(), serde_json::json!({}));

    let read = items(&env, &env.office, 0);
    assert_eq!(read.items.len(), 1);
    match &read.items[0] {
        OfficeItem::SchoolDays { school, notice } => {
            assert_eq!(school.as_str(), "12AB");
            assert_eq!(notice.0, frame, "the exact bytes the device signed");
            let opened = SchoolDaysNotice::open(&notice.0, &device.keys).unwrap();
            assert_eq!(opened.closed, vec![ahead(10), ahead(40)]);
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(items(&env, &env.office, 0), read, "not deleted until confirmed");
    assert!(items(&env, &env.others[0], 0).items.is_empty(), "other offices see nothing");

    // Asking past it deletes it for good, like a receipt.
    let next = items(&env, &env.office, read.cursor);
    assert!(next.items.is_empty());
    assert_eq!(next.cursor, read.cursor);
    assert!(items(&env, &env.office, 0).items.is_empty(), "gone");
    assert_eq!(env.relay.count_rows("office_items").unwrap(), 0);
}

#[test]
fn a_notice_goes_to_the_office_that_owns_the_school() {
    let env = Env::with_offices(2);
    let other = &env.others[0];
    let device = Device::new();
    let (code, response) = env.code_from(other, "34CD", Role::Director, now() + 3600);
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(env.enroll(&device, &code.display()).status(), StatusCode::CREATED);
    let verify = format!("/v1/devices/{}/verify", device.id());
    assert_eq!(env.as_office(other, "POST", &verify, b"").status(), StatusCode::OK);

    let frame = signed(&device, "34CD");
    assert_eq!(env.as_device(&device, "POST", PATH, &frame).status(), StatusCode::OK);
    assert!(items(&env, &env.office, 0).items.is_empty());
    let read = items(&env, other, 0);
    assert_eq!(read.items.len(), 1);
    assert!(matches!(&read.items[0], OfficeItem::SchoolDays { school, notice }
        if school.as_str() == "34CD" && notice.0 == frame));
}

#[test]
fn refused_notices_queue_nothing() {
    let env = Env::new();
    let device = env.verified_device("12AB", Role::Director);
    let colleague = env.verified_device("12AB", Role::Backup);

    // A pending device: enrolled, safety code not yet compared.
    let pending = Device::new();
    assert_eq!(env.enroll(&pending, &env.code("12AB", Role::Backup).display()).status(), StatusCode::CREATED);
    expect_error(
        env.as_device(&pending, "POST", PATH, &signed(&pending, "12AB")),
        StatusCode::FORBIDDEN,
        "device_not_verified",
    );

    // A removed device.
    let removed = env.verified_device("12AB", Role::Backup);
    let remove = format!("/v1/devices/{}/remove", removed.id());
    assert_eq!(env.as_office(&env.office, "POST", &remove, b"").status(), StatusCode::OK);
    expect_error(
        env.as_device(&removed, "POST", PATH, &signed(&removed, "12AB")),
        StatusCode::FORBIDDEN,
        "device_not_verified",
    );

    // A notice for another school than the device's.
    let message = expect_error(
        env.as_device(&device, "POST", PATH, &signed(&device, "34CD")),
        StatusCode::FORBIDDEN,
        "wrong_school",
    );
    assert!(message.contains("andere school"), "{message}");

    // Signed by another device (the colleague's notice, posted by this device).
    let message = expect_error(
        env.as_device(&device, "POST", PATH, &signed(&colleague, "12AB")),
        StatusCode::BAD_REQUEST,
        "bad_request",
    );
    assert!(message.contains("schooldagen") && message.contains("handtekening"), "{message}");
    // Signed by this device but naming the colleague.
    let lying = SchoolDaysNotice { device_id: colleague.id(), ..notice_at(&device, "12AB", now()) };
    let message = expect_error(
        env.as_device(&device, "POST", PATH, &lying.sign(&device.sign).unwrap()),
        StatusCode::BAD_REQUEST,
        "bad_request",
    );
    assert!(message.contains("ander apparaat"), "{message}");

    // Made too long ago or too far ahead of the relay's clock (the request itself is fresh).
    for off in [-400, 400, -3600] {
        let frame = notice_at(&device, "12AB", now() + off).sign(&device.sign).unwrap();
        let message =
            expect_error(env.as_device(&device, "POST", PATH, &frame), StatusCode::BAD_REQUEST, "bad_request");
        assert!(message.contains("klok"), "{off}: {message}");
    }

    // Garbage, an empty body, another kind of frame.
    let receipt_kind = [b"HWR1".as_slice(), &signed(&device, "12AB")[4..]].concat();
    for garbage in
        [&b"not a frame at all, but long enough to be one if it were: ...................."[..], b"", &receipt_kind]
    {
        expect_error(env.as_device(&device, "POST", PATH, garbage), StatusCode::BAD_REQUEST, "bad_request");
    }

    // An office cannot post one.
    expect_error(
        env.as_office(&env.office, "POST", PATH, &signed(&device, "12AB")),
        StatusCode::FORBIDDEN,
        "forbidden",
    );

    assert!(items(&env, &env.office, 0).items.is_empty());
    assert_eq!(env.relay.count_rows("office_items").unwrap(), 0);

    // Within the clock's margin it is taken.
    let frame = notice_at(&device, "12AB", now() - 250).sign(&device.sign).unwrap();
    assert_eq!(env.as_device(&device, "POST", PATH, &frame).status(), StatusCode::OK);
    assert_eq!(items(&env, &env.office, 0).items.len(), 1);
}

#[test]
fn a_school_no_office_owns_is_told_so() {
    let env = Env::new();
    let device = env.verified_device("12AB", Role::Director);
    // Not reachable through the API (a device's school always has an office); stands in for a
    // database that lost the row.
    env.relay.execute("DELETE FROM schools WHERE brin = '12AB'").unwrap();
    let message = expect_error(
        env.as_device(&device, "POST", PATH, &signed(&device, "12AB")),
        StatusCode::NOT_FOUND,
        "not_found",
    );
    assert!(message.contains("leerplichtkantoor"), "{message}");
    assert_eq!(env.relay.count_rows("office_items").unwrap(), 0);
}
