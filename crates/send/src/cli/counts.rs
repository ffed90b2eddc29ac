//! `hwc-send counts [--csv BESTAND|-]` and `hwc-send not-forwarded --school BRIN`: the
//! evaluation's figures per month and school, and counting a signal that could not be sent.
//! Numbers, months and BRIN codes only.

use super::signal::parse_brin;
use super::{CliError, Globals};
use chrono::Utc;
use hwc_send::evaluation::{self, MonthCounts};
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

/// `hwc-send not-forwarded --school BRIN`
pub fn not_forwarded(globals: &Globals, brin: &str) -> Result<ExitCode, CliError> {
    let brin = parse_brin(brin)?;
    let mut office = globals.open()?;
    office.note_not_forwarded(brin, Utc::now())?;
    println!("Geteld: een signaal voor school {brin} dat niet kon worden doorgestuurd (er is niets verstuurd).");
    Ok(ExitCode::SUCCESS)
}

/// `hwc-send counts [--csv BESTAND|-]`
pub fn counts(globals: &Globals, csv: Option<&Path>) -> Result<ExitCode, CliError> {
    let mut office = globals.open()?;
    let months = office.evaluation(Utc::now())?;
    let keep = office.counts_keep_months()?;
    match csv {
        Some(path) => {
            let text = evaluation::to_csv(&months);
            if path == Path::new("-") {
                std::io::stdout()
                    .write_all(text.as_bytes())
                    .map_err(|e| CliError::Failed(format!("de tellingen konden niet worden geschreven: {e}")))?;
            } else {
                std::fs::write(path, text).map_err(|e| {
                    CliError::Failed(format!("de tellingen konden niet naar {} worden geschreven: {e}", path.display()))
                })?;
                eprintln!("{} regels geschreven naar {}.", months.len(), path.display());
            }
        }
        None => {
            println!("Tellingen voor de evaluatie (bewaard: de laatste {keep} maanden; uren gerekend vanaf het uur van het incident):");
            if months.is_empty() {
                println!("  nog niets geteld.");
            }
            for month in &months {
                println!("{}", line(month));
            }
            if months.len() > 1 {
                println!("{}", line(&evaluation::total(&months)));
            }
            println!("Nog niet afgehandelde signalen tellen mee zodra de school ze bevestigt of ze verlopen.");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// One row in words.
fn line(m: &MonthCounts) -> String {
    let school = m.school.map(|s| s.to_string()).unwrap_or_default();
    format!(
        "  {} {:<4}  verstuurd {} (binnen 24/48/72 uur: {}/{}/{}; incidentuur onbekend: {}), doorgegeven {} (binnen 24/48/72 uur: {}/{}/{}), niet onze leerling {}, verlopen {}, zonder bewijs {}, niet doorgestuurd {}",
        m.month,
        school,
        m.sent,
        m.sent_within[0],
        m.sent_within[1],
        m.sent_within[2],
        m.sent_incident_unknown,
        m.handed_over,
        m.handed_over_within[0],
        m.handed_over_within[1],
        m.handed_over_within[2],
        m.not_our_pupil,
        m.expired,
        m.unproven,
        m.not_forwarded
    )
}
