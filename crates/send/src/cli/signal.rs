//! `hwc-send signal`: one signal with the name and birthdate from a hidden prompt (or two
//! lines of stdin), or a batch of `naam;geboortedatum;brin` lines. What is typed is never
//! printed back, not even in an error: errors name the field and the rule, reports name the
//! line number, the school and the signal id.

use super::input::{self, MAX_BATCH_BYTES};
use super::{CliError, Globals};
use chrono::Utc;
use hwc_protocol::expiry::{amsterdam_date, default_expiry};
use hwc_protocol::{Birthdate, Brin, ChildName};
use hwc_send::report::dutch_time;
use hwc_send::{parse_batch, SendError, Signal};
use std::process::ExitCode;

const ATTEMPTS: usize = 3;

/// Reads a BRIN code as typed (lower case is fine).
pub fn parse_brin(text: &str) -> Result<Brin, CliError> {
    text.trim().to_uppercase().parse().map_err(|e: hwc_protocol::BrinError| CliError::BadInput(e.to_string()))
}

/// Asks twice without echo until both entries agree and are valid.
fn ask_twice<T>(
    first: &str,
    again: &str,
    parse: impl Fn(&str) -> Result<T, String>,
    same: impl Fn(&T, &T) -> bool,
) -> Result<T, CliError> {
    for _ in 0..ATTEMPTS {
        let typed = input::hidden(first)?;
        let value = match parse(&typed) {
            Ok(v) => v,
            Err(reason) => {
                eprintln!("{reason}; probeer het opnieuw.");
                continue;
            }
        };
        let retyped = input::hidden(again)?;
        match parse(&retyped) {
            Ok(v) if same(&v, &value) => return Ok(value),
            _ => eprintln!("de twee invoeren zijn niet gelijk; probeer het opnieuw."),
        }
    }
    Err(CliError::BadInput("te vaak een ongeldige of ongelijke invoer; er is niets verstuurd".into()))
}

fn prompt_signal() -> Result<Signal, CliError> {
    let today = amsterdam_date(Utc::now());
    eprintln!("Wat u typt wordt niet getoond en niet bewaard. Typ elk gegeven twee keer ter controle.");
    let name = ask_twice(
        "Naam van het kind: ",
        "Naam nogmaals: ",
        |t| ChildName::parse(t).map_err(|e| format!("naam: {e}")),
        |a, b| a.expose() == b.expose(),
    )?;
    let birthdate = ask_twice(
        "Geboortedatum (dd-mm-jjjj of jjjj-mm-dd): ",
        "Geboortedatum nogmaals: ",
        |t| Birthdate::parse(t, today).map_err(|e| format!("geboortedatum: {e}")),
        |a, b| a == b,
    )?;
    // Only drawing the receipt key can fail here: the system's random source.
    Signal::new(name, birthdate).map_err(|e| CliError::Failed(format!("er is niets verstuurd: {e}")))
}

/// `hwc-send signal --school BRIN`
pub fn single(globals: &Globals, brin: &str) -> Result<ExitCode, CliError> {
    let brin = parse_brin(brin)?;
    let mut office = globals.open()?;
    // Say so before anyone types a name for nothing.
    if !office.schools()?.iter().any(|s| s.school == brin && !s.devices.is_empty()) {
        return Err(SendError::NoVerifiedDevice { brin }.into());
    }
    let signal = if input::interactive() {
        let signal = prompt_signal()?;
        let answer = input::visible(&format!("Signaal versturen naar school {brin}? [j/N] "))?;
        if !matches!(answer.to_lowercase().as_str(), "j" | "ja") {
            eprintln!("Niet verstuurd.");
            return Ok(ExitCode::from(1));
        }
        signal
    } else {
        let (name, birthdate) = input::two_lines_from_stdin()?;
        Signal::from_input(&name, &birthdate, amsterdam_date(Utc::now()))
            .map_err(|e| CliError::BadInput(e.to_string()))?
    };
    let signal_id = office.send_signal(brin, &signal)?;
    drop(signal);
    println!("Signaal verstuurd naar school {brin} (signaalnummer {signal_id}).");
    println!(
        "Het verloopt om {} als de school het niet eerder bevestigt. Bekijk de bevestigingen met: hwc-send receipts",
        dutch_time(default_expiry(Utc::now()))
    );
    Ok(ExitCode::SUCCESS)
}

/// `hwc-send signal --csv -` (the only value clap lets through: the lines come from stdin, so
/// no file name, and no CSV line pasted by mistake, is ever repeated).
pub fn batch(globals: &Globals) -> Result<ExitCode, CliError> {
    let mut office = globals.open()?;
    let bytes = input::all_stdin(MAX_BATCH_BYTES)?;
    let batch = parse_batch(&bytes, amsterdam_date(Utc::now()));
    drop(bytes);
    if batch.valid.is_empty() && batch.invalid.is_empty() {
        return Err(CliError::BadInput("de invoer bevat geen regels naam;geboortedatum;brin".into()));
    }
    for error in &batch.invalid {
        eprintln!("{error} (niet verstuurd)");
    }
    let mut sent = 0usize;
    let mut failed = 0usize;
    let mut uncertain = 0usize;
    for line in batch.valid {
        match office.send_signal(line.school, &line.signal) {
            Ok(id) => {
                sent += 1;
                println!("regel {}: verstuurd naar school {} (signaalnummer {id})", line.line, line.school);
            }
            Err(err @ SendError::SentUncertain { .. }) => {
                uncertain += 1;
                eprintln!("regel {}: mogelijk verstuurd: {err}", line.line);
            }
            Err(err) => {
                failed += 1;
                eprintln!("regel {}: niet verstuurd: {err}", line.line);
            }
        }
    }
    let invalid = batch.invalid.len();
    failed += uncertain;
    if uncertain > 0 {
        println!("{sent} verstuurd, {invalid} ongeldig, {failed} mislukt (waarvan {uncertain} mogelijk toch aangekomen: niet opnieuw versturen).");
    } else {
        println!("{sent} verstuurd, {invalid} ongeldig, {failed} mislukt.");
    }
    Ok(if failed > 0 {
        ExitCode::from(1)
    } else if invalid > 0 {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}
