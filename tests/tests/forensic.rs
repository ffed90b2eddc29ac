//! The forensic byte scan: after a full flow, no file of either school device, of the office,
//! or of the relay (its database and its log) holds the child's name or birthdate, in UTF-8 or
//! UTF-16, in either written form of the date. After wiping, the device's directory is empty.

use chrono::Utc;
use hwc_client::vault::key::{keyring_user, KEYRING_SERVICE};
use hwc_protocol::{ReceiptKind, Role, Signal};
use hwc_send::db_key::DbKey;
use hwc_send::KeySource;
use hwc_system_tests::world::PIN;
use hwc_system_tests::{decrypted_dump, scan_tree, Needles, World};

const NAME: &str = "Aïcha N'Diaye";
const BIRTHDATE: &str = "2014-12-01";

#[test]
fn no_personal_data_in_any_file_after_the_flow_and_nothing_left_after_wipe() {
    let mut w = World::new().unwrap();
    let needles = Needles::for_child(NAME, BIRTHDATE);
    let id = w
        .office
        .send_signal(World::school(), &Signal::from_input(NAME, BIRTHDATE, Utc::now().date_naive()).unwrap())
        .unwrap();
    w.director.fetch(5).unwrap();
    w.backup.fetch(5).unwrap();
    w.backup.unlock(PIN).unwrap();
    w.director.unlock(PIN).unwrap();
    let opened = w.backup.open_signal(&id).unwrap();
    assert_eq!(opened.name().expose(), NAME, "the scan looks for what was really shown");
    drop(opened);
    let opened = w.director.open_signal(&id).unwrap();
    drop(opened);
    w.director.acknowledge(&id, ReceiptKind::HandedOver).unwrap();
    w.backup.fetch(0).unwrap();
    w.office.fetch_receipts().unwrap();

    // Everything under the world's root: both devices, the office's state, the relay's
    // database (with any -wal/-shm file) and the relay's log.
    let report = scan_tree(w.root.path(), &needles).unwrap();
    assert!(report.files >= 4, "scanned only {} files", report.files);
    assert!(report.findings.is_empty(), "personal data found: {:?}", report.findings);
    for dir in [w.device_dir(Role::Director), w.device_dir(Role::Backup)] {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let name = entry.unwrap().file_name().to_string_lossy().into_owned();
            assert!(!name.ends_with("-journal") && !name.ends_with("-wal"), "{name} left in {}", dir.display());
        }
    }

    // The encrypted databases too, opened with their keys from the keyring and read row by row:
    // a byte scan of ciphertext alone could not catch a table that stored the name.
    for role in [Role::Director, Role::Backup] {
        let dir = std::fs::canonicalize(w.device_dir(role)).unwrap();
        let key = hwc_keystore::load(KEYRING_SERVICE, &keyring_user(&dir)).unwrap().expect("the vault key is stored");
        let dump = decrypted_dump(&dir.join("vault.db"), &key).unwrap();
        let device_id = if role == Role::Director { w.director.device_id() } else { w.backup.device_id() };
        assert!(
            String::from_utf8_lossy(&dump).contains(&device_id.to_string()),
            "the dump did not really decrypt the vault"
        );
        assert_eq!(needles.found_in(&dump), Vec::<String>::new(), "in the decrypted vault of the {}", role.dutch());
    }
    let office_dir = std::fs::canonicalize(w.office_dir()).unwrap();
    let office_key = DbKey::load(&KeySource::Keyring, &office_dir).unwrap();
    let office_key = hex::decode(office_key.hex().as_str()).unwrap();
    let dump = decrypted_dump(&office_dir.join("state.db"), &office_key).unwrap();
    assert!(
        String::from_utf8_lossy(&dump).contains(&id.to_string()),
        "the dump did not really decrypt the office state"
    );
    assert_eq!(needles.found_in(&dump), Vec::<String>::new(), "in the decrypted office state");

    let director_dir = w.device_dir(Role::Director);
    let World { director, .. } = w;
    director.wipe().unwrap();
    let left: Vec<_> = std::fs::read_dir(&director_dir).map(|d| d.collect()).unwrap_or_else(|_| Vec::new());
    assert!(left.is_empty(), "files left after wipe: {left:?}");
}
