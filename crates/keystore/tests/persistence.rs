//! Secrets written to the credential store by one process are there for the next: what the
//! app needs when it starts again tomorrow. This program plays both: started by `cargo test`,
//! it writes and then starts itself again as a second process (`probe`) that reads. One
//! program for both keeps the macOS Keychain from asking whether another program may read the
//! item (the app's processes are one program too). On Linux this runs against a private GNOME
//! Keyring (`xtask/with-test-keyring.sh`), on Windows against the Credential Manager (under
//! wine in `cargo xtask windows`, for real in the Windows workflow); never the user's own.
//!
//! Its own `main` (no libtest), so it prints libtest's lines itself and ignores libtest's
//! options.

use keyring_core::api::CredentialStoreApi;
use std::process::{Command, ExitCode};

const SERVICE: &str = "nl.hwc.test.keystore";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("probe") {
        return probe(&args[1..]);
    }
    let tests: [(&str, fn()); 3] = [
        ("a_secret_written_by_one_process_is_read_by_the_next", a_secret_written_by_one_process_is_read_by_the_next),
        (
            "on_a_store_that_keeps_nothing_the_next_process_finds_nothing",
            on_a_store_that_keeps_nothing_the_next_process_finds_nothing,
        ),
        ("replacing_and_deleting_twice_are_fine", replacing_and_deleting_twice_are_fine),
    ];
    println!("\nrunning {} tests", tests.len());
    let mut failed = 0;
    for (name, test) in tests {
        let ok = std::panic::catch_unwind(test).is_ok();
        println!("test {name} ... {}", if ok { "ok" } else { "FAILED" });
        failed += usize::from(!ok);
    }
    let verdict = if failed == 0 { "ok" } else { "FAILED" };
    println!(
        "\ntest result: {verdict}. {} passed; {failed} failed; 0 ignored; 0 measured; 0 filtered out\n",
        tests.len() - failed
    );
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// The second process: `probe [--mock] ACCOUNT EXPECTED_HEX`. Exit 0: the same secret is
/// there, 3: none, 4: another, 2: a store error. It prints no secret.
fn probe(args: &[String]) -> ExitCode {
    let (mock, rest) = match args.split_first() {
        Some((flag, rest)) if flag == "--mock" => (true, rest),
        _ => (false, args),
    };
    let [account, expected] = rest else { return ExitCode::from(2) };
    let found = if mock {
        let entry = keyring_core::mock::Store::new().and_then(|store| store.build(SERVICE, account, None));
        match entry.and_then(|entry| entry.get_secret()) {
            Ok(secret) => Ok(Some(secret)),
            Err(keyring_core::Error::NoEntry) => Ok(None),
            Err(other) => Err(other.to_string()),
        }
    } else {
        hwc_keystore::load(SERVICE, account).map(|found| found.map(|secret| secret.to_vec())).map_err(|e| e.to_string())
    };
    match found {
        Ok(Some(secret)) if hex::encode(&secret) == *expected => ExitCode::SUCCESS,
        Ok(Some(_)) => ExitCode::from(4),
        Ok(None) => ExitCode::from(3),
        Err(error) => {
            eprintln!("{error}");
            ExitCode::from(2)
        }
    }
}

fn random_hex(len: usize) -> String {
    let mut bytes = vec![0u8; len];
    getrandom::fill(&mut bytes).unwrap();
    hex::encode(bytes)
}

/// Whether another process reads `secret` back (`mock`: from the mock store).
fn another_process_reads(mock: bool, account: &str, secret: &[u8]) -> bool {
    let mut probe = Command::new(std::env::current_exe().unwrap());
    probe.arg("probe");
    if mock {
        probe.arg("--mock");
    }
    let status = probe.args([account, &hex::encode(secret)]).status().expect("the probe starts");
    match status.code() {
        Some(0) => true,
        Some(3) => false,
        other => panic!("the probe failed ({other:?}): see its message above"),
    }
}

fn a_secret_written_by_one_process_is_read_by_the_next() {
    let account = format!("persist-{}", random_hex(8));
    let secret = hex::decode(random_hex(32)).unwrap();
    hwc_keystore::store(SERVICE, &account, &secret).unwrap();
    let read = another_process_reads(false, &account, &secret);
    hwc_keystore::delete(SERVICE, &account).unwrap();
    assert!(read, "the secret was not there for the next process: is the store only in memory?");
    assert!(!another_process_reads(false, &account, &secret), "deleted means gone for every process");
    assert!(hwc_keystore::load(SERVICE, &account).unwrap().is_none());
}

/// The check above can fail: with keyring-core's mock store, which is what `keyring` 3 quietly
/// used on platforms without a store feature, the next process finds nothing.
fn on_a_store_that_keeps_nothing_the_next_process_finds_nothing() {
    let account = format!("mock-{}", random_hex(8));
    let secret = hex::decode(random_hex(32)).unwrap();
    let store = keyring_core::mock::Store::new().unwrap();
    let entry = store.build(SERVICE, &account, None).unwrap();
    entry.set_secret(&secret).unwrap();
    assert_eq!(entry.get_secret().unwrap(), secret, "this process reads its own write");
    assert!(!another_process_reads(true, &account, &secret));
}

fn replacing_and_deleting_twice_are_fine() {
    let account = format!("replace-{}", random_hex(8));
    hwc_keystore::store(SERVICE, &account, b"first").unwrap();
    hwc_keystore::store(SERVICE, &account, b"second").unwrap();
    assert_eq!(hwc_keystore::load(SERVICE, &account).unwrap().unwrap().as_slice(), b"second");
    hwc_keystore::delete(SERVICE, &account).unwrap();
    hwc_keystore::delete(SERVICE, &account).unwrap();
    assert!(hwc_keystore::load(SERVICE, &account).unwrap().is_none());
}
