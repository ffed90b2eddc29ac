//! Receipt frames from school devices (the relay checks them; the office reads them). Raw bytes
//! or, by the first byte, a fuzzed body signed with the first device's key of the vectors. A
//! receipt that verifies names the device that signed it.
#![no_main]

use hwc_fuzz::{sign, vectors};
use hwc_protocol::signed_frame::{seal_frame, FrameKind};
use hwc_protocol::Receipt;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let v = vectors();
    let device = &v.devices[0];
    let Some((mode, rest)) = data.split_first() else { return };
    let frame = if mode % 2 == 0 {
        rest.to_vec()
    } else {
        seal_frame(FrameKind::Receipt, rest, |m| sign(&device.sign_secret, m))
    };
    if let Ok(verified) = Receipt::verify(&frame, &device.public) {
        assert_eq!(verified.receipt.device_id, device.id, "a receipt names its signer");
        assert_eq!(verified.bytes, frame);
        // The other device's key never verifies it.
        assert!(Receipt::verify(&frame, &v.devices[1].public).is_err());
    }
});
