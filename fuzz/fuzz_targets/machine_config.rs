//! The school app's machine configuration (`/etc/hwc-school/config.toml` and its Windows and
//! macOS places), written by school IT: whatever is accepted holds a relay address that passes
//! the relay rule and a fingerprint of 64 lowercase hex characters, and reads the same again
//! when written back.
#![no_main]

use hwc_formats::MachineConfig;
use hwc_protocol::RelayAddress;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(config) = MachineConfig::parse(text) else { return };
    if let Some(relay) = &config.relay {
        assert!(RelayAddress::parse(relay).is_ok(), "an accepted relay passes the relay rule");
        assert!(!relay.chars().any(char::is_control), "no invisible character in an accepted relay");
    }
    if let Some(fingerprint) = &config.office_key_fingerprint {
        assert!(fingerprint.len() == 64 && fingerprint.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
    }
    let mut written = String::new();
    for (key, value) in [("relay", &config.relay), ("office_key_fingerprint", &config.office_key_fingerprint)] {
        if let Some(value) = value {
            let quoted: String = value
                .chars()
                .map(|c| match c {
                    '\\' | '"' => format!("\\{c}"),
                    c if c.is_control() => format!("\\u{:04X}", c as u32),
                    c => c.to_string(),
                })
                .collect();
            written.push_str(&format!("{key} = \"{quoted}\"\n"));
        }
    }
    assert_eq!(MachineConfig::parse(&written).as_ref(), Ok(&config), "written back: {written:?}");
});
