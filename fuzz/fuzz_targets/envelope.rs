//! Envelope frames from outside (the relay hands them to devices; the relay takes them from
//! offices). The first byte picks the mode: raw bytes as received, or the rest as a body that
//! this target signs with the vectors' office key, so the fuzzer reaches the body's parsing and
//! checks. A verified envelope keeps its exact bytes, and whatever opens is a valid signal.
#![no_main]

use hwc_fuzz::{sign, vectors};
use hwc_protocol::signed_frame::{seal_frame, FrameKind};
use hwc_protocol::{Envelope, Signal};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let v = vectors();
    let Some((mode, rest)) = data.split_first() else { return };
    let frame = if mode % 2 == 0 {
        rest.to_vec()
    } else {
        seal_frame(FrameKind::Envelope, rest, |m| sign(&v.office_secret, m))
    };
    let Ok(verified) = Envelope::verify(&frame, &v.office_public, v.now()) else { return };
    assert_eq!(verified.bytes, frame, "a verified envelope keeps the bytes it was given");
    assert!(verified.envelope.expires() > v.now() && verified.envelope.created() < verified.envelope.expires());
    for device in &v.devices {
        if !verified.envelope.is_for(&device.id) {
            continue;
        }
        if let Ok(signal) = verified.open(&device.id, &device.open) {
            let again = Signal::from_plaintext(&signal.to_plaintext(), v.today()).expect("an opened signal is valid");
            assert_eq!(again.name().expose(), signal.name().expose());
            assert_eq!(again.birthdate().to_iso(), signal.birthdate().to_iso());
        }
    }
});
