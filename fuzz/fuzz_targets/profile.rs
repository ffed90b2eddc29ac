//! School profile frames (`HWP1`) from the relay, which a school device checks before it shows
//! the sender's name and whom to tell. Raw bytes or, by the first byte, a fuzzed body signed
//! with the office key of the vectors. A profile that opens is for the school it was opened
//! for, carries a sender's name that passes the name rule, and seals again to a frame that
//! opens to the same profile.
#![no_main]

use hwc_fuzz::{sign, vectors};
use hwc_protocol::signed_frame::{seal_frame, FrameKind};
use hwc_protocol::{Brin, OfficeSigningKey, SchoolProfile, SenderName};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let v = vectors();
    let Some((mode, rest)) = data.split_first() else { return };
    let frame =
        if mode % 2 == 0 { rest.to_vec() } else { seal_frame(FrameKind::Profile, rest, |m| sign(&v.office_secret, m)) };
    let school: Brin = "12AB".parse().expect("a BRIN code");
    if let Ok(profile) = SchoolProfile::open(&frame, &v.office_public, school) {
        assert_eq!(profile.school, school, "a profile opens only for its own school");
        assert!(SenderName::parse(profile.sender.as_str()).is_ok(), "an accepted sender passes the name rule");
        let other: Brin = "34CD".parse().expect("a BRIN code");
        assert!(SchoolProfile::open(&frame, &v.office_public, other).is_err(), "never for another school");
        let office = OfficeSigningKey::from_secret_bytes(&v.office_secret);
        let again = profile.seal(&office);
        assert_eq!(
            SchoolProfile::open(&again, &v.office_public, school),
            Ok(profile),
            "sealed again, it opens the same"
        );
    }
});
