//! The sender's CSV batch (`hwc-send signal --csv -`): lines `naam;geboortedatum;brin`. Every
//! line is either sent or refused by number, never both, and what is accepted is a valid signal.
#![no_main]

use hwc_fuzz::vectors;
use hwc_protocol::Signal;
use hwc_formats::csv_batch::parse_batch;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let today = vectors().today();
    let batch = parse_batch(data, today);
    let lines = data.split(|b| *b == b'\n').count();
    assert!(batch.valid.len() + batch.invalid.len() <= lines);
    for line in &batch.valid {
        assert!(line.line >= 1 && line.line <= lines);
        assert!(batch.invalid.iter().all(|e| e.line != line.line), "line {} both sent and refused", line.line);
        let again = Signal::from_plaintext(&line.signal.to_plaintext(), today).expect("a sent line is a valid signal");
        assert_eq!(again.name().expose(), line.signal.name().expose());
    }
});
