//! The school profile on the device, against a real relay: the defaults before the office
//! published one, the office's sender name and the sector's words after, kept across restarts,
//! and never replaced by an older profile or one the office did not sign for this school.

mod common;

use common::{relay_db, Office, PIN, SCHOOL};
use hwc_client::{ProfileFetch, SchoolClient};
use hwc_protocol::{OfficeSigningKey, Role, SchoolProfile, Sector, SenderName};

fn profile(school: &str, sector: Sector, issued_at: i64) -> SchoolProfile {
    SchoolProfile {
        school: school.parse().unwrap(),
        sender: SenderName::parse("Veilig Thuis Gooi en Vechtstreek").unwrap(),
        sector,
        issued_at,
    }
}

fn publish(office: &Office, frame: &[u8]) {
    let answer = office.request("POST", &format!("/v1/schools/{SCHOOL}/profile"), frame, "application/octet-stream");
    assert_eq!(answer.status, 200, "{}", String::from_utf8_lossy(&answer.body));
}

#[test]
fn the_device_shows_the_offices_name_and_the_sectors_words_from_the_signed_profile_only() {
    let mut office = Office::new();
    let relay = office.start_relay();
    let dir = tempfile::tempdir().unwrap();
    // Still pending: the profile already names the sender on the "read out the code" screen.
    let mut director = SchoolClient::enroll(dir.path(), &office.url, &office.code(Role::Director), PIN).unwrap();

    // Nothing published: the words of today.
    director.refresh_status().unwrap();
    let words = director.screen_words();
    assert_eq!((words.sender.as_str(), words.tell_whom, words.role_name), ("leerplicht", "de leerkracht", "directeur"));
    assert_eq!(director.refresh_profile().unwrap(), ProfileFetch::Unchanged);

    // The office publishes; the device takes it on its next check (at most six hours later,
    // at once when asked).
    publish(&office, &profile(SCHOOL, Sector::Vo, 100).seal(&office.key));
    director.refresh_status().unwrap();
    assert_eq!(director.screen_words().sender, "leerplicht", "checked less than six hours ago");
    assert_eq!(director.refresh_profile().unwrap(), ProfileFetch::Updated);
    let words = director.screen_words();
    assert_eq!(
        (words.sender.as_str(), words.tell_whom, words.role_name),
        ("Veilig Thuis Gooi en Vechtstreek", "de mentor", "zorgcoördinator")
    );
    drop(director);
    let mut director = SchoolClient::open(dir.path()).unwrap();
    assert_eq!(director.screen_words().tell_whom, "de mentor", "kept across a restart");

    // An older profile (a relay replaying one) changes nothing.
    publish(&office, &profile(SCHOOL, Sector::Po, 50).seal(&office.key));
    assert_eq!(director.refresh_profile().unwrap(), ProfileFetch::Unchanged);
    assert_eq!(director.screen_words().tell_whom, "de mentor");

    // A relay that puts in a profile of its own making, or another school's, is refused.
    let stranger = OfficeSigningKey::generate().unwrap();
    for frame in [profile(SCHOOL, Sector::Po, 200).seal(&stranger), profile("34CD", Sector::Po, 200).seal(&office.key)]
    {
        relay_db(&relay).execute("UPDATE school_profiles SET frame = ?1", [&frame]).unwrap();
        assert_eq!(director.refresh_profile().unwrap(), ProfileFetch::Refused);
        assert_eq!(director.screen_words().sender, "Veilig Thuis Gooi en Vechtstreek");
    }

    // A newer one from the office is taken.
    publish(&office, &profile(SCHOOL, Sector::Mbo, 300).seal(&office.key));
    assert_eq!(director.refresh_profile().unwrap(), ProfileFetch::Updated);
    assert_eq!(director.screen_words().role_name, "ondersteuningscoördinator");
    assert!(director.status().unwrap().settings.contains(&"profile"), "listed in the privacy view");

    // A fetch never waits for the profile; after a new signal's notification the app asks for
    // it, whatever the six-hour rhythm says (src-tauri's poller), and gets the newest.
    office.verify(&director);
    director.refresh_status().unwrap();
    publish(&office, &profile(SCHOOL, Sector::Po, 400).seal(&office.key));
    let id = office.send();
    assert_eq!(director.fetch(5).unwrap().new_signals, vec![id]);
    assert_eq!(director.screen_words().tell_whom, "de mentor of studieloopbaanbegeleider", "the fetch did not ask");
    assert_eq!(director.refresh_profile().unwrap(), ProfileFetch::Updated);
    assert_eq!(director.screen_words().tell_whom, "de leerkracht");

    // Signed by an office whose clock ran more than a day ahead: refused, so that later, correct
    // profiles are not all taken for older ones.
    let ahead = chrono::Utc::now().timestamp() + 2 * 86_400;
    publish(&office, &profile(SCHOOL, Sector::Vo, ahead).seal(&office.key));
    assert_eq!(director.refresh_profile().unwrap(), ProfileFetch::Refused);
    // Two publications within one second: the second, different one is taken; the same again
    // changes nothing.
    publish(&office, &profile(SCHOOL, Sector::Vo, 400).seal(&office.key));
    assert_eq!(director.refresh_profile().unwrap(), ProfileFetch::Updated);
    assert_eq!(director.screen_words().tell_whom, "de mentor");
    assert_eq!(director.refresh_profile().unwrap(), ProfileFetch::Unchanged);
}
