//! The forensic test: after real flows, every byte of every file in the data directories is
//! read; the child's name and birthdate occur nowhere (UTF-8, UTF-16LE/BE; `2016-03-07` and
//! `07-03-2016`), no journal or WAL file is left, and a wipe leaves no file and no keyring entry.

mod common;

use common::{assert_no_trace, enrolled, forbidden_patterns, Office, StoredSecret, NAME, PIN};
use hwc_client::{ReceiptKind, SchoolClient};
use hwc_protocol::Role;

#[test]
fn nothing_of_the_signal_reaches_the_disk() {
    let mut office = Office::new();
    let _relay = office.start_relay();
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let mut director = enrolled(&office, dir_a.path(), Role::Director);
    let mut backup = enrolled(&office, dir_b.path(), Role::Backup);
    let first = office.send();
    let second = office.send();
    director.fetch(5).unwrap();
    backup.fetch(5).unwrap();

    // Held sealed, opened in memory: still nothing on disk.
    director.unlock(PIN).unwrap();
    backup.unlock(PIN).unwrap();
    let signal = director.open_signal(&first).unwrap();
    assert_eq!(signal.name().expose(), NAME);
    assert!(assert_no_trace(dir_a.path()) >= 1);
    drop(signal);

    director.acknowledge(&first, ReceiptKind::HandedOver).unwrap();
    backup.fetch(5).unwrap();
    let _ = backup.open_signal(&second).unwrap();
    backup.acknowledge(&second, ReceiptKind::HandedOver).unwrap();
    director.fetch(5).unwrap();
    for client in [&director, &backup] {
        let status = client.status().unwrap();
        assert_eq!((status.sealed_signals, status.receipts_waiting), (0, 0));
    }
    assert!(assert_no_trace(dir_a.path()) >= 1);
    assert!(assert_no_trace(dir_b.path()) >= 1);

    // A wipe leaves nothing: no file, no keyring entry (vault key and PIN pepper).
    let entry = StoredSecret::vault_key(dir_a.path());
    let pepper = StoredSecret::pepper(dir_a.path());
    assert_eq!(entry.get().unwrap().len(), 32);
    assert_eq!(pepper.get().unwrap().len(), 32);
    director.wipe().unwrap();
    assert_eq!(std::fs::read_dir(dir_a.path()).unwrap().count(), 0);
    assert!(entry.get().is_none());
    assert!(pepper.get().is_none());
    assert!(!SchoolClient::is_enrolled(dir_a.path()));
    assert!(SchoolClient::open(dir_a.path()).is_err());
}

#[test]
fn a_vault_whose_key_is_gone_cannot_be_opened_and_can_be_wiped() {
    let mut office = Office::new();
    let _relay = office.start_relay();
    let dir = tempfile::tempdir().unwrap();
    drop(enrolled(&office, dir.path(), Role::Director));
    StoredSecret::vault_key(dir.path()).delete();
    let err = SchoolClient::open(dir.path()).unwrap_err();
    assert!(matches!(err, hwc_client::ClientError::Vault(hwc_client::VaultError::KeyMissing)), "{err}");
    assert!(SchoolClient::is_enrolled(dir.path()));
    let pepper = StoredSecret::pepper(dir.path());
    assert_eq!(pepper.get().unwrap().len(), 32);
    SchoolClient::wipe_data_dir(dir.path()).unwrap();
    assert!(!SchoolClient::is_enrolled(dir.path()));
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    assert!(pepper.get().is_none(), "the pepper goes too");
}

#[test]
fn the_scan_finds_what_it_looks_for() {
    for (label, pattern) in forbidden_patterns() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        let mut bytes = vec![0u8; 100];
        bytes.extend_from_slice(&pattern);
        std::fs::write(dir.path().join("sub").join("file"), &bytes).unwrap();
        let found = std::panic::catch_unwind(|| assert_no_trace(dir.path())).is_err();
        assert!(found, "{label} was not detected");
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("vault.db-journal"), b"x").unwrap();
    assert!(std::panic::catch_unwind(|| assert_no_trace(dir.path())).is_err(), "journal file not detected");
}
