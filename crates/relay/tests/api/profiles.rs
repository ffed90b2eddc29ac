//! The school profile: the office publishes it for its own school, signed; the relay checks it
//! before storing; the school's devices, pending or verified, fetch it; nobody else does.

use crate::common::{expect_error, Device, Env};
use hwc_protocol::api::Blob;
use hwc_protocol::{Role, SchoolProfile, Sector, SenderName};
use reqwest::StatusCode;

fn profile(school: &str, sector: Sector, issued_at: i64) -> SchoolProfile {
    SchoolProfile {
        school: school.parse().unwrap(),
        sender: SenderName::parse("Veilig Thuis Gooi en Vechtstreek").unwrap(),
        sector,
        issued_at,
    }
}

#[test]
fn the_office_publishes_its_schools_profile_and_the_schools_devices_fetch_it() {
    let env = Env::with_offices(2);
    let verified = env.verified_device("12AB", Role::Director);
    let pending = Device::new();
    assert_eq!(env.enroll(&pending, &env.code("12AB", Role::Backup).display()).status(), StatusCode::CREATED);

    // Nothing published yet.
    expect_error(env.as_device(&verified, "GET", "/v1/school/profile", b""), StatusCode::NOT_FOUND, "not_found");

    let path = "/v1/schools/12AB/profile";
    let frame = profile("12AB", Sector::Vo, 10).seal(&env.office);
    assert_eq!(env.as_office(&env.office, "POST", path, &frame).status(), StatusCode::OK);
    for device in [&verified, &pending] {
        let fetched: Blob = env.as_device(device, "GET", "/v1/school/profile", b"").json().unwrap();
        assert_eq!(fetched.0, frame);
    }
    // A newer one replaces it.
    let newer = profile("12AB", Sector::Po, 20).seal(&env.office);
    assert_eq!(env.as_office(&env.office, "POST", path, &newer).status(), StatusCode::OK);
    let fetched: Blob = env.as_device(&verified, "GET", "/v1/school/profile", b"").json().unwrap();
    assert_eq!(fetched.0, newer);

    // Refused, and nothing changes: another school's profile, another office's signature, a
    // frame that is no profile, another office, a device.
    let other_school = profile("34CD", Sector::Vo, 30).seal(&env.office);
    let message =
        expect_error(env.as_office(&env.office, "POST", path, &other_school), StatusCode::BAD_REQUEST, "bad_request");
    assert!(message.contains("schoolprofiel"), "{message}");
    let forged = profile("12AB", Sector::Vo, 30).seal(&env.others[0]);
    expect_error(env.as_office(&env.office, "POST", path, &forged), StatusCode::BAD_REQUEST, "bad_request");
    expect_error(env.as_office(&env.office, "POST", path, b"HWP1{}"), StatusCode::BAD_REQUEST, "bad_request");
    expect_error(env.as_office(&env.others[0], "POST", path, &forged), StatusCode::FORBIDDEN, "wrong_school");
    expect_error(env.as_device(&verified, "POST", path, &newer), StatusCode::FORBIDDEN, "forbidden");
    expect_error(env.as_office(&env.office, "GET", "/v1/school/profile", b""), StatusCode::FORBIDDEN, "forbidden");
    let fetched: Blob = env.as_device(&pending, "GET", "/v1/school/profile", b"").json().unwrap();
    assert_eq!(fetched.0, newer);

    // A removed device gets nothing.
    let remove = format!("/v1/devices/{}/remove", verified.id());
    assert_eq!(env.as_office(&env.office, "POST", &remove, b"").status(), StatusCode::OK);
    expect_error(env.as_device(&verified, "GET", "/v1/school/profile", b""), StatusCode::FORBIDDEN, "forbidden");
}
