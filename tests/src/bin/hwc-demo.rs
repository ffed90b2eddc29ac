//! `cargo xtask demo`: the whole signal path once, on this machine, with real parts: a relay
//! process on 127.0.0.1 with its own SQLite file, a leerplicht office (`hwc-send` library),
//! and school 12AB with a director's and a backup's device (`hwc-client`). It prints what each
//! party saw and a byte scan of both devices, then opens the real app window with a second
//! signal waiting (see `demo_window.rs`). The children are made up.

use anyhow::{ensure, Context, Result};
use chrono::Utc;
use chrono_tz::Europe::Amsterdam;
use hwc_client::{SchoolClient, VaultStatus};
use hwc_protocol::{ReceiptKind, Role, Signal};
use hwc_system_tests::world::PIN;
use hwc_system_tests::{scan_tree, Needles, World};

const NAME: &str = "Zoë van 't Hooft-Çelik";
const BIRTHDATE: &str = "07-03-2016";

fn step(text: &str) {
    println!("\n== {text}");
}

fn device_line(role: Role, client: &SchoolClient, office_code: &str) {
    println!(
        "   {:<11} apparaat {}  veiligheidscode {}  (leerplicht berekende {}: {})",
        role.dutch(),
        client.device_id(),
        client.safety_code(),
        office_code,
        if client.safety_code().to_string() == office_code { "klopt" } else { "VERSCHILT" }
    );
}

fn vault_line(role: Role, status: &VaultStatus) {
    println!(
        "   kluis {:<11}: apparaatsleutels {}, instellingen {}, {} verzegelde signalen, {} bevestigingen te versturen, {} afgehandelde signaalnummers (zonder inhoud)",
        role.dutch(),
        match (status.has_signing_key && status.has_open_key, status.open_key_pin_protected) {
            (true, true) => "ja (openen alleen met pincode)",
            (true, false) => "ja",
            _ => "nee",
        },
        status.settings.len(),
        status.sealed_signals,
        status.receipts_waiting,
        status.handled_signals
    );
}

fn main() -> Result<()> {
    println!("HwC School: demo van het signaalpad (alles draait lokaal, het kind is verzonnen)");

    step("1. Relay, leerplicht en school 12AB met twee apparaten");
    let mut w = World::new().context("de demo-omgeving opzetten")?;
    println!("   relay luistert op {} (SQLite: {})", w.relay.url(), w.relay.db_path().display());
    println!("   leerplicht-kantoor aangemaakt; kantoorsleutel {}", w.office.public_key());
    println!("   beide apparaten aangemeld met een eenmalige code en telefonisch gecontroleerd:");
    for summary in w.office.schools()? {
        for device in &summary.devices {
            let client = if device.role == Role::Director { &w.director } else { &w.backup };
            let office_code = hwc_protocol::SafetyCode::compute(&w.office.public_key(), &device.keys).to_string();
            device_line(device.role, client, &office_code);
        }
    }

    step("2. Leerplicht verstuurt een signaal");
    let signal = Signal::from_input(NAME, BIRTHDATE, Utc::now().date_naive())?;
    let id = w.office.send_signal(World::school(), &signal)?;
    drop(signal);
    println!("   signaal {id} versleuteld voor beide apparaten en afgegeven bij de relay");
    println!("   leerplicht bewaart alleen: signaalnummer, school en tijden");

    step("3. De directeur haalt op, ontgrendelt met de pincode, opent en bevestigt");
    let fetched = w.director.fetch(10)?;
    ensure!(fetched.new_signals == vec![id], "de directeur kreeg het signaal niet");
    println!("   directeur: \"1 nieuw signaal\"");
    let backup_fetch = w.backup.fetch(10)?;
    println!("   achterwacht: \"{} nieuw signaal\"", backup_fetch.new_signals.len());
    let locked = w.director.open_signal(&id);
    ensure!(matches!(locked, Err(hwc_client::ClientError::Locked)), "het signaal opende zonder pincode");
    println!("   vergrendeld: ophalen en melden werken, openen niet (\"{}\")", hwc_client::ClientError::Locked);
    w.director.unlock(PIN)?;
    println!("   directeur ontgrendelt met de pincode (Argon2id, een tweede geheim in de sleutelbos en de pincodewacht van de relay, die elke poging telt)");
    {
        let opened = w.director.open_signal(&id)?;
        let today = Utc::now().with_timezone(&Amsterdam).date_naive();
        println!("   directeur ziet (alleen in het geheugen):");
        println!("      {}", opened.codeword());
        println!("      {}", opened.name().expose());
        println!("      geboren {} ({} jaar)", opened.birthdate().to_dutch(), opened.birthdate().age_on(today));
        println!("      Vertel het vandaag mondeling aan de leerkracht. Maak geen aantekeningen.");
    }
    let ack = w.director.acknowledge(&id, ReceiptKind::HandedOver)?;
    w.director.lock();
    ensure!(ack.delivered_now(), "de bevestiging is niet verstuurd");
    println!("   directeur kiest \"Doorgegeven aan de leerkracht\":");
    println!("      Bevestiging verstuurd naar leerplicht. Dit signaal staat nergens meer op deze computer.");

    step("4. Wat ieder zag");
    for report in w.office.fetch_receipts()? {
        println!("   leerplicht:  {report}");
    }
    let later = w.backup.fetch(0)?;
    for handled in &later.handled_by_colleague {
        let at = handled.at.with_timezone(&Amsterdam).format("%H:%M");
        println!("   achterwacht: afgehandeld door collega om {at}");
    }
    ensure!(later.handled_by_colleague.len() == 1, "de achterwacht hoorde niet dat het signaal is afgehandeld");

    step("5. Bewijs: geen persoonsgegevens meer op de apparaten");
    let needles = Needles::for_child(NAME, "2016-03-07");
    let mut clean = true;
    for role in [Role::Director, Role::Backup] {
        let dir = w.device_dir(role);
        let report = scan_tree(&dir, &needles)?;
        clean &= report.findings.is_empty();
        println!(
            "   {:<11}: {} bestanden, {} bytes doorzocht op naam en geboortedatum (UTF-8, UTF-16, 2016-03-07 en 07-03-2016): {}",
            role.dutch(),
            report.files,
            report.bytes,
            if report.findings.is_empty() { "niets gevonden".to_string() } else { format!("GEVONDEN: {:?}", report.findings) }
        );
    }
    vault_line(Role::Director, &w.director.status()?);
    vault_line(Role::Backup, &w.backup.status()?);
    let relay_report = scan_tree(w.relay.db_path().parent().unwrap_or(w.root.path()), &needles)?;
    println!(
        "   relay en leerplicht: {} bestanden doorzocht: {}",
        relay_report.files,
        if relay_report.findings.is_empty() { "niets gevonden" } else { "GEVONDEN" }
    );
    ensure!(clean && relay_report.findings.is_empty(), "er zijn persoonsgegevens gevonden");

    step("6. Het echte venster: een tweede (verzonnen) signaal wacht op de directeur");
    // Without a display `cargo xtask demo` runs this under Xvfb and asks for the window to be driven.
    let drive = std::env::var_os("HWC_DEMO_DRIVE").is_some_and(|v| v == "1");
    let screens = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/demo-screens");
    hwc_system_tests::demo_window::show(&mut w, drive, &screens)?;
    println!("\nKlaar: het signaal is overgebracht, bevestigd en nergens bewaard.");
    Ok(())
}
