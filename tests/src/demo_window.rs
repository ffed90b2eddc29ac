//! The demo's last part: the real app window with a demo signal waiting. On a desktop the
//! person unlocks it, opens the signal, hands it over and closes the window; without a display
//! (`cargo xtask demo` then runs under Xvfb) the demo drives the window itself through
//! WebDriver and saves a screenshot of each screen in `target/demo-screens/`.

use crate::webdriver::{Session, TauriDriver};
use crate::world::{World, PIN};
use crate::{scan_tree, Needles};
use anyhow::{ensure, Context, Result};
use chrono::Utc;
use hwc_protocol::{Role, Signal};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

const NAME: &str = "Noor Bakker";
const BIRTHDATE: &str = "2017-09-12";
const WAIT: Duration = Duration::from_secs(30);

fn app_binary() -> Result<PathBuf> {
    Ok(crate::relay_process::relay_binary()?.with_file_name("hwc-school"))
}

/// Sends a demo signal and shows it in the real window. `drive` is set when there is no
/// person at a display to click.
pub fn show(w: &mut World, drive: bool, screens: &Path) -> Result<()> {
    let signal = Signal::from_input(NAME, BIRTHDATE, Utc::now().date_naive())?;
    w.office.send_signal(World::school(), &signal)?;
    drop(signal);
    let config = w.root.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "relay = \"{}\"\noffice_key_fingerprint = \"{}\"\n",
            w.relay.url(),
            w.office.public_key().fingerprint()
        ),
    )?;
    let data_dir = w.device_dir(Role::Director);
    let webview_dir = w.root.path().join("app-webview");
    let env: [(&str, &Path); 3] =
        [("HWC_SCHOOL_DATA_DIR", &data_dir), ("HWC_SCHOOL_WEBVIEW_DIR", &webview_dir), ("HWC_SCHOOL_CONFIG", &config)];
    if drive {
        drive_window(&env, screens)?;
    } else {
        println!("   het venster gaat open. Pincode: {PIN}. Open het signaal, kies \"Doorgegeven aan de leerkracht\"");
        println!("   en sluit daarna het venster.");
        let status = Command::new(app_binary()?).arg("--venster").envs(env).status().context("hwc-school starten")?;
        ensure!(status.success(), "het venster eindigde met {status}");
    }
    let receipts = w.office.fetch_receipts()?;
    for report in &receipts {
        println!("   leerplicht:  {report}");
    }
    let needles = Needles::for_child(NAME, BIRTHDATE);
    let mut found = scan_tree(&data_dir, &needles)?.findings;
    found.extend(scan_tree(&webview_dir, &needles)?.findings);
    println!(
        "   na het venster: vault en webview-map doorzocht op naam en geboortedatum: {}",
        if found.is_empty() { "niets gevonden" } else { "GEVONDEN" }
    );
    ensure!(found.is_empty(), "persoonsgegevens gevonden: {found:?}");
    Ok(())
}

fn drive_window(env: &[(&str, &Path); 3], screens: &Path) -> Result<()> {
    std::fs::create_dir_all(screens)?;
    let mut driven: Vec<(&str, &Path)> = env.to_vec();
    driven.push(("HWC_SCHOOL_E2E_DRIVEN", Path::new("1")));
    let driver = TauriDriver::start(&driven, &screens.join("tauri-driver.log"))?;
    let app = Session::start(&driver, &app_binary()?)?;
    app.wait_for("#unlock-pin", WAIT)?;
    app.screenshot(&screens.join("1-vergrendeld.png"))?;
    app.find("#unlock-pin")?.send_keys(PIN)?;
    app.find("button[type=submit]")?.click()?;
    app.wait_for_text("main h2", "1 nieuw signaal", WAIT)?;
    app.screenshot(&screens.join("2-overzicht.png"))?;
    app.wait_for(".signals button", WAIT)?.click()?;
    app.wait_for(".child-name", WAIT)?;
    app.screenshot(&screens.join("3-signaal.png"))?;
    app.find(".signal button.primary")?.click()?;
    app.wait_for_text(".done", "Bevestiging verstuurd naar leerplicht", WAIT)?;
    app.screenshot(&screens.join("4-bevestigd.png"))?;
    app.end()?;
    println!("   schermafdrukken van het venster: {}", screens.display());
    Ok(())
}
