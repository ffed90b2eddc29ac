//! The `hwc-send` binary end to end against a real relay: output is Dutch, exit codes are
//! 0/1/2, and no name or birthdate appears in any output or file, even when one is pasted into
//! argv. On Unix with an explicit `--key-file` (so no keyring is needed); on Windows with the
//! Credential Manager, which every Windows has (under wine its ACLs are not kept, so a key
//! file's privacy cannot be checked there: see `hwc_hardening::private_fs`).

mod common;

use common::{assert_absent_in_text, assert_absent_under, TestDevice};
use hwc_protocol::{EnrollmentCode, OfficePublicKey, ReceiptKind, SafetyCode, SignalId};
use hwc_relay::testing::TestRelay;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const NAME: &str = "Sevda Çelik-Brouwer";
const OTHER: &str = "Thijmen Oostendorp";
const BIRTH_NL: &str = "03-11-2013";
const BIRTH_ISO: &str = "2013-11-03";
const SECRETS: [&str; 6] = [NAME, "Sevda", OTHER, "Thijmen", BIRTH_NL, BIRTH_ISO];

struct Sender {
    state: PathBuf,
    /// The key file; `None`: the OS credential store.
    key: Option<PathBuf>,
    relay: Option<String>,
}

struct Output {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Sender {
    /// A sender with its state in `dir`: a key file beside it on Unix, the credential store
    /// on Windows.
    fn in_dir(dir: &Path) -> Self {
        let key = cfg!(unix).then(|| dir.join("state.key"));
        Sender { state: dir.join("state"), key, relay: None }
    }

    fn run(&self, args: &[&str], stdin: &str) -> Output {
        let mut command = Command::new(env!("CARGO_BIN_EXE_hwc-send"));
        command.arg("--state-dir").arg(&self.state);
        if let Some(key) = &self.key {
            command.arg("--key-file").arg(key);
        }
        if let Some(relay) = &self.relay {
            command.args(["--relay", relay]);
        }
        let mut child = command
            .args(args)
            .env_remove("HWC_SEND_STATE")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
        let out = child.wait_with_output().unwrap();
        let output = Output {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8(out.stdout).unwrap(),
            stderr: String::from_utf8(out.stderr).unwrap(),
        };
        assert_absent_in_text(&output.stdout, &SECRETS);
        assert_absent_in_text(&output.stderr, &SECRETS);
        output
    }
}

fn find_line<T>(text: &str, parse: impl Fn(&str) -> Option<T>) -> T {
    text.lines().find_map(|l| parse(l.trim())).unwrap_or_else(|| panic!("not found in: {text}"))
}

fn signal_ids(text: &str) -> Vec<SignalId> {
    text.lines()
        .filter_map(|l| l.split("signaalnummer ").nth(1))
        .filter_map(|rest| rest.get(..32)?.parse().ok())
        .collect()
}

#[test]
fn command_line_flow() {
    let tmp = tempfile::tempdir().unwrap();
    let mut sender = Sender::in_dir(tmp.path());

    let init = sender.run(&["init", "--relay", "http://127.0.0.1:9"], "");
    assert_eq!(init.code, 0, "{}", init.stderr);
    assert!(init.stdout.contains("--office-key"), "{}", init.stdout);
    let office_key: OfficePublicKey = find_line(&init.stdout, |l| l.parse().ok());
    if let Some(key) = &sender.key {
        assert!(hwc_hardening::private_fs::is_private(key).unwrap());
    }
    assert_eq!(sender.run(&["init", "--relay", "http://127.0.0.1:9"], "").code, 1);

    let relay = TestRelay::start(vec![office_key]);
    sender.relay = Some(relay.url());

    // Enrollment code for the school; the device enrolls with it.
    // A mistyped region costs no code; `eigen` (no regional holidays) keeps this flow the same on
    // every date: the calendar's holds are tested in hwc-calendar and office_flow.
    let typo = sender.run(&["school", "add", "12ab", "--region", "oost"], "");
    assert_eq!(typo.code, 2, "{}", typo.stderr);
    assert!(typo.stderr.contains("noord, midden, zuid, eigen"), "{}", typo.stderr);
    let add = sender.run(&["school", "add", "12ab", "--region", "eigen"], "");
    assert_eq!(add.code, 0, "{}", add.stderr);
    let code: EnrollmentCode =
        find_line(&add.stdout, |l| (l.len() == 19).then(|| EnrollmentCode::parse(l).ok()).flatten());
    let device = TestDevice::new();
    device.enroll(&relay.url(), &code.display());

    // Wrong safety code: refused with a warning; right one: verified.
    let id = device.id.to_string();
    let wrong = sender.run(&["school", "verify", "12AB", "--device", &id, "--code", &"1".repeat(24)], "");
    assert_eq!(wrong.code, 1);
    assert!(wrong.stderr.contains("klopt NIET"), "{}", wrong.stderr);
    let right = SafetyCode::compute(&office_key, &device.keys).to_string();
    let verify = sender.run(&["school", "verify", "12AB", "--device", &id, "--code", &right], "");
    assert_eq!(verify.code, 0, "{}", verify.stderr);
    let list = sender.run(&["school", "list"], "");
    assert!(list.stdout.contains("12AB: 1 geverifieerd apparaat"), "{}", list.stdout);
    assert!(list.stdout.contains("eigen vakanties"), "{}", list.stdout);
    // The school's profile: the sector decides whom the school tells, the office's name is on
    // every school screen; both go to the relay signed, for the devices to fetch.
    assert_eq!(sender.run(&["school", "sector", "12AB", "hbo"], "").code, 2);
    assert_eq!(sender.run(&["school", "profile", "99ZZ"], "").code, 2, "not a school of this office");
    let sector = sender.run(&["school", "sector", "12ab", "vo"], "");
    assert_eq!(sector.code, 0, "{}", sector.stderr);
    assert!(
        sector.stdout.contains("vertellen aan de mentor") && sector.stdout.contains("zorgcoördinator"),
        "{}",
        sector.stdout
    );
    let bad_name = sender.run(&["settings", "--sender", "<b>VT</b>"], "");
    assert_eq!(bad_name.code, 2, "{}", bad_name.stderr);
    assert!(bad_name.stderr.contains("alleen letters"), "{}", bad_name.stderr);
    let named = sender.run(&["settings", "--sender", "Veilig Thuis Gooi en Vechtstreek"], "");
    assert_eq!(named.code, 0, "{}", named.stderr);
    assert!(
        named.stdout.contains("Naam van de afzender op de schermen van de scholen: Veilig Thuis Gooi en Vechtstreek."),
        "{}",
        named.stdout
    );
    assert_eq!(relay.count_rows("school_profiles").unwrap(), 1);
    let profile = sender.run(&["school", "profile", "12AB"], "");
    assert_eq!(profile.code, 0, "{}", profile.stderr);
    assert!(profile.stdout.contains("afzender \"Veilig Thuis Gooi en Vechtstreek\""), "{}", profile.stdout);
    assert!(sender.run(&["school", "list"], "").stdout.contains("voortgezet onderwijs"));
    let settings = sender.run(&["settings", "--summer", "weigeren"], "");
    assert_eq!(settings.code, 0, "{}", settings.stderr);
    assert!(settings.stdout.contains("weigeren"), "{}", settings.stdout);
    assert!(sender.run(&["settings"], "").stdout.contains("weigeren"));
    // A school's own days: a mistyped date changes nothing; a study day and a range are listed.
    let bad_day = sender.run(&["school", "days", "12AB", "--closed", "26-10-2026", "--open", "31-02-2027"], "");
    assert_eq!(bad_day.code, 2, "{}", bad_day.stderr);
    assert!(bad_day.stderr.contains("dd-mm-jjjj"), "{}", bad_day.stderr);
    assert!(sender.run(&["school", "days", "12AB"], "").stdout.contains("(dicht): geen"));
    let days = sender.run(&["school", "days", "12AB", "--closed", "26-10-2026,01-02-2027..03-02-2027"], "");
    assert_eq!(days.code, 0, "{}", days.stderr);
    assert!(days.stdout.contains("26-10-2026, 01-02-2027, 02-02-2027, 03-02-2027"), "{}", days.stdout);
    let normal = sender.run(&["school", "days", "12AB", "--normal", "01-02-2027..03-02-2027"], "");
    assert!(normal.stdout.contains("(dicht): 26-10-2026\n"), "{}", normal.stdout);
    sender.run(&["school", "days", "12AB", "--normal", "26-10-2026"], "");

    // A name on the command line is a usage error that does not repeat it.
    let argv = sender.run(&["signal", "--school", "12AB", NAME], "");
    assert_eq!(argv.code, 2);
    assert!(argv.stderr.contains("nooit via de opdrachtregel"), "{}", argv.stderr);

    // The incident's hour, only for the counts: a date that does not exist is refused before
    // anything is read or sent, without repeating it.
    let no_day =
        sender.run(&["signal", "--school", "12AB", "--incident", "31-02-2026 22"], &format!("{NAME}\n{BIRTH_NL}\n"));
    assert_eq!(no_day.code, 2, "{}", no_day.stderr);
    assert!(
        no_day.stderr.contains("datum en uur van het incident") && !no_day.stderr.contains("31-02"),
        "{}",
        no_day.stderr
    );
    assert!(signal_ids(&no_day.stdout).is_empty());
    let incident = (chrono::Utc::now() - chrono::Duration::hours(2))
        .with_timezone(&chrono_tz::Europe::Amsterdam)
        .format("%d-%m-%Y %H")
        .to_string();

    // One signal from two lines of stdin.
    let single = sender.run(&["signal", "--school", "12AB", "--incident", &incident], &format!("{NAME}\n{BIRTH_NL}\n"));
    assert_eq!(single.code, 0, "{}", single.stderr);
    assert!(single.stderr.contains("De school kan het signaal lezen tot en met"), "{}", single.stderr);
    let mut sent = signal_ids(&single.stdout);
    assert_eq!(sent.len(), 1, "{}", single.stdout);

    // Invalid input is refused without echo.
    let bad = sender.run(&["signal", "--school", "12AB"], &format!("{NAME}\n31-02-2013\n"));
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("geboortedatum"), "{}", bad.stderr);

    // A batch: header, one valid line, two invalid ones.
    let csv =
        format!("naam;geboortedatum;brin\n{OTHER};{BIRTH_ISO};12AB\n{NAME}<b>;{BIRTH_NL};12AB\n{OTHER};{BIRTH_NL}\n");
    let batch = sender.run(&["signal", "--csv", "-"], &csv);
    assert_eq!(batch.code, 2, "{}", batch.stderr);
    assert!(batch.stderr.contains("regel 3: naam:") && batch.stderr.contains("regel 4:"), "{}", batch.stderr);
    assert!(batch.stdout.contains("1 verstuurd, 2 ongeldig, 0 mislukt"), "{}", batch.stdout);
    sent.extend(signal_ids(&batch.stdout));
    assert_eq!(sent.len(), 2);

    for signal in &sent {
        device.acknowledge(&relay.url(), *signal, ReceiptKind::HandedOver);
    }
    let receipts = sender.run(&["receipts"], "");
    assert_eq!(receipts.code, 0, "{}", receipts.stderr);
    // 12AB was recorded as VO above: the receipts read in its words.
    assert_eq!(
        receipts.stdout.matches("(zorgcoördinator): doorgegeven aan de mentor").count(),
        2,
        "{}",
        receipts.stdout
    );
    assert!(sender.run(&["receipts"], "").stdout.contains("Geen nieuwe"));
    // Everything was handed over: the morning list is empty and says so.
    assert_eq!(sender.run(&["school", "phone", "12AB", "bel maar"], "").code, 2);
    assert_eq!(sender.run(&["school", "phone", "12AB", "030 123 45 67"], "").code, 0);
    let list = sender.run(&["school", "list"], "");
    assert!(list.stdout.contains("telefoon 030 123 45 67"), "{}", list.stdout);
    assert!(list.stdout.contains("; laatst contact op "), "the device fetched today: {}", list.stdout);
    assert_eq!(sender.run(&["settings", "--escalation", "8.30"], "").code, 2);
    assert!(sender.run(&["settings", "--escalation", "08:15"], "").stdout.contains("om 08:15"));
    let escalate = sender.run(&["escalate"], "");
    assert_eq!(escalate.code, 0, "{}{}", escalate.stdout, escalate.stderr);
    assert!(escalate.stdout.contains("Alle signalen van voor 08:15"), "{}", escalate.stdout);
    let stats = sender.run(&["stats"], "");
    assert_eq!(stats.code, 0, "{}", stats.stderr);
    assert!(stats.stdout.contains("verstuurd:                      2"), "{}", stats.stdout);

    // The evaluation's counts: per month and school, how soon after the incident, and a signal
    // that could not be forwarded; as CSV for a spreadsheet, kept as long as the office says.
    assert_eq!(sender.run(&["not-forwarded", "--school", "99zz"], "").code, 0);
    assert_eq!(sender.run(&["not-forwarded", "--school", "9"], "").code, 2);
    let counts = sender.run(&["counts"], "");
    assert_eq!(counts.code, 0, "{}", counts.stderr);
    assert!(counts.stdout.contains("de laatste 24 maanden"), "{}", counts.stdout);
    assert!(counts.stdout.contains("12AB  verstuurd 2 (binnen 24/48/72 uur: 1/1/1; incidentuur onbekend: 1), doorgegeven 2 (binnen 24/48/72 uur: 1/1/1)"), "{}", counts.stdout);
    let csv = sender.run(&["counts", "--csv", "-"], "");
    assert_eq!(csv.code, 0, "{}", csv.stderr);
    let rows: Vec<&str> = csv.stdout.lines().collect();
    assert_eq!(rows.len(), 3, "{}", csv.stdout);
    assert!(rows[0].starts_with("maand;brin;verstuurd;"), "{}", rows[0]);
    let school = |brin: &str| {
        rows.iter().find_map(|r| r.split_once(&format!(";{brin};")).map(|(_, rest)| rest.to_string())).unwrap()
    };
    assert_eq!(school("12AB"), "2;1;1;1;1;2;1;1;1;0;0;0;0");
    assert_eq!(school("99ZZ"), "0;0;0;0;0;0;0;0;0;0;0;0;1");
    let file = tmp.path().join("tellingen.csv");
    assert_eq!(sender.run(&["counts", "--csv", file.to_str().unwrap()], "").code, 0);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), csv.stdout);
    assert_eq!(sender.run(&["counts", "--csv", tmp.path().to_str().unwrap()], "").code, 1, "a folder is no file");
    assert_eq!(sender.run(&["settings", "--keep-counts", "0"], "").code, 2);
    assert!(sender.run(&["settings", "--keep-counts", "12"], "").stdout.contains("de laatste 12 maanden"));
    assert_eq!(relay.count_rows("stats_retention").unwrap(), 1, "the relay keeps this office's counts as long");

    // Locations: once the school has two, a signal names the child's location, and goes only
    // to a device that serves it.
    assert_eq!(sender.run(&["school", "location", "12AB1"], "").code, 2);
    assert_eq!(sender.run(&["school", "location", "12ab01", "--name", "De Linde"], "").code, 0);
    let second = sender.run(&["school", "location", "12AB02"], "");
    assert!(second.stdout.contains("2 vestigingen"), "{}", second.stdout);
    let whole = sender.run(&["signal", "--school", "12AB"], &format!("{NAME}\n{BIRTH_NL}\n"));
    assert_eq!(whole.code, 2, "{}", whole.stderr);
    assert!(whole.stderr.contains("meer vestigingen (01, 02)") && whole.stderr.contains("12AB01"), "{}", whole.stderr);
    let serve = sender.run(&["school", "device", "12AB", "--device", &id, "--locations", "02"], "");
    assert_eq!(serve.code, 0, "{}", serve.stderr);
    let nobody = sender.run(&["signal", "--school", "12AB01"], &format!("{NAME}\n{BIRTH_NL}\n"));
    assert_eq!(nobody.code, 1, "{}", nobody.stderr);
    assert!(nobody.stderr.contains("vestiging 12AB01 heeft geen geverifieerd apparaat"), "{}", nobody.stderr);
    let to_eik = sender.run(&["signal", "--school", "12ab02"], &format!("{NAME}\n{BIRTH_NL}\n"));
    assert_eq!(to_eik.code, 0, "{}", to_eik.stderr);
    assert!(to_eik.stdout.contains("naar vestiging 12AB02"), "{}", to_eik.stdout);
    let list = sender.run(&["school", "list"], "").stdout;
    assert!(
        list.contains("vestigingen: 12AB01 De Linde; 12AB02") && list.contains("(directeur, vestiging 02)"),
        "{list}"
    );
    for out in [&whole, &nobody, &to_eik] {
        assert!(!out.stdout.contains(NAME) && !out.stderr.contains(NAME));
    }

    // Taking the device out of use: it is gone from the list, and a send now has no recipient.
    let remove = sender.run(&["school", "remove", "12ab", "--device", &id], "");
    assert_eq!(remove.code, 0, "{}", remove.stderr);
    assert!(
        remove.stdout.contains("uit gebruik genomen") && remove.stdout.contains("geen geverifieerd apparaat meer"),
        "{}",
        remove.stdout
    );
    assert!(sender.run(&["school", "list"], "").stdout.contains("12AB: nog geen geverifieerd apparaat"));
    let unknown = sender.run(&["school", "remove", "12AB", "--device", &"0".repeat(32)], "");
    assert_eq!(unknown.code, 2, "{}", unknown.stderr);

    assert_absent_under(tmp.path(), &SECRETS);

    // A key file others can read is refused.
    #[cfg(unix)]
    if let Some(key) = &sender.key {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(key, std::fs::Permissions::from_mode(0o644)).unwrap();
        let open = sender.run(&["school", "list"], "");
        assert_eq!(open.code, 1);
        assert!(open.stderr.contains("chmod 600"), "{}", open.stderr);
    }
    check_no_name_flag_in_help(Path::new(env!("CARGO_BIN_EXE_hwc-send")));
}

fn check_no_name_flag_in_help(binary: &Path) {
    let help = Command::new(binary).args(["signal", "--help"]).output().unwrap();
    assert_eq!(help.status.code(), Some(0));
    let text = String::from_utf8_lossy(&help.stdout).to_lowercase();
    assert!(text.contains("--school") && text.contains("--csv"), "{text}");
    assert!(!text.contains("--naam") && !text.contains("--name") && !text.contains("--geboortedatum"), "{text}");
}

#[test]
fn a_csv_line_pasted_after_csv_is_refused_without_repeating_it() {
    let tmp = tempfile::tempdir().unwrap();
    let sender = Sender::in_dir(tmp.path());
    for args in [
        &["signal", "--csv", "Sem de Vries;07-03-2016;12AB"][..],
        &["signal", "--csv=Sem de Vries;07-03-2016;12AB"],
        &["signal", "--csv", "leerlingen.csv"],
    ] {
        let out = sender.run(args, "");
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
        assert!(out.stderr.contains("--csv") && out.stderr.contains("alleen - is toegestaan"), "{}", out.stderr);
        for text in [&out.stdout, &out.stderr] {
            for secret in ["Sem", "Vries", "07-03-2016", "2016", "leerlingen"] {
                assert!(!text.contains(secret), "{args:?} repeats {secret}: {text}");
            }
        }
    }
    assert!(!tmp.path().join("state").exists(), "nothing was written");
}

#[test]
fn key_rotate_first_makes_the_key_then_hands_over_once_the_relay_knows_it() {
    let tmp = tempfile::tempdir().unwrap();
    let mut sender = Sender::in_dir(tmp.path());
    let init = sender.run(&["init", "--relay", "http://127.0.0.1:9"], "");
    let old: OfficePublicKey = find_line(&init.stdout, |l| l.parse().ok());

    let first = sender.run(&["key", "rotate"], "");
    assert_eq!(first.code, 0, "{}", first.stderr);
    let new: OfficePublicKey = find_line(&first.stdout, |l| l.parse().ok());
    assert!(first.stdout.contains(&new.fingerprint()) && first.stdout.contains("beheerder van de relay"));

    let relay = TestRelay::start(vec![old]);
    sender.relay = Some(relay.url());
    let refused = sender.run(&["key", "rotate"], "");
    assert_eq!(refused.code, 1);
    assert!(refused.stderr.contains("geweigerd") && refused.stderr.contains(&new.to_string()), "{}", refused.stderr);
    drop(relay);

    let relay = TestRelay::start(vec![old, new]);
    sender.relay = Some(relay.url());
    let done = sender.run(&["key", "rotate"], "");
    assert_eq!(done.code, 0, "{}", done.stderr);
    assert!(done.stdout.contains("vervangen") && done.stdout.contains(&new.fingerprint()), "{}", done.stdout);
    let stats = sender.run(&["stats"], "");
    assert_eq!(stats.code, 0, "the new key is in use: {}", stats.stderr);
}
