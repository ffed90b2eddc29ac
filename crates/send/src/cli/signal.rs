//! `hwc-send signal`: one signal with the name and birthdate from a hidden prompt (or two
//! lines of stdin), or a batch of `naam;geboortedatum;brin` lines. What is typed is never
//! printed back, not even in an error: errors name the field and the rule, reports name the
//! line number, the school and the signal id.

use super::input::{self, MAX_BATCH_BYTES};
use super::{CliError, Globals};
use chrono::Utc;
use hwc_protocol::expiry::amsterdam_date;
use hwc_protocol::{Birthdate, Brin, ChildName};
use hwc_send::delivery_words::delivery_lines;
use hwc_send::report::dutch_time;
use hwc_send::{parse_batch, IncidentHour, SendError, Signal, SummerRule};
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

/// The incident's date and hour from `--incident`, or asked for (Enter: unknown) when a
/// person is at the keyboard; `None` when neither.
fn incident_hour(given: Option<&str>, interactive: bool) -> Result<Option<IncidentHour>, CliError> {
    if let Some(text) = given {
        return IncidentHour::parse(text, Utc::now()).map(Some).map_err(|e| CliError::BadInput(e.to_string()));
    }
    if !interactive {
        return Ok(None);
    }
    for _ in 0..ATTEMPTS {
        let typed = input::visible(
            "Datum en uur van het incident, zoals 05-12-2026 22 (alleen voor de tellingen; Enter als onbekend): ",
        )?;
        if typed.trim().is_empty() {
            return Ok(None);
        }
        match IncidentHour::parse(&typed, Utc::now()) {
            Ok(hour) => return Ok(Some(hour)),
            Err(e) => eprintln!("{e}; probeer het opnieuw."),
        }
    }
    Err(CliError::BadInput("te vaak een ongeldige datum en uur van het incident; er is niets verstuurd".into()))
}

/// Said when a signal cannot go to its school, so the evaluation counts it.
pub fn not_forwarded_hint(brin: Brin) -> String {
    format!("Kunt u dit signaal niet naar de school sturen, tel het dan voor de evaluatie met: hwc-send not-forwarded --school {brin}")
}

/// `hwc-send signal --school BRIN|VESTIGING [--incident "DATUM UUR"]`
pub fn single(globals: &Globals, school: &str, incident: Option<&str>) -> Result<ExitCode, CliError> {
    let to = super::locations::parse_destination(school)?;
    let brin = to.school();
    let mut office = globals.open()?;
    // Say so before anyone types a name for nothing: no device, or a location to choose.
    let devices = office.devices_for(to)?;
    if devices.is_empty() {
        eprintln!("{}", not_forwarded_hint(brin));
        return Err(match to.location() {
            Some(number) if office.schools()?.iter().any(|s| s.school == brin && !s.devices.is_empty()) => {
                SendError::NoDeviceAtLocation { brin, number }
            }
            _ => SendError::NoVerifiedDevice { brin },
        }
        .into());
    }
    let place = match to.location() {
        Some(_) => format!("vestiging {to}"),
        None => format!("school {brin}"),
    };
    // What the calendar means, told before anyone types a name (the send plans again).
    let rule = office.summer_rule()?;
    let delivery = office.plan_at(brin, Utc::now())?;
    if office.calendar(brin)?.region.is_none() {
        eprintln!("{}", super::commands::unknown_region(brin));
    }
    for line in delivery_lines(&delivery, rule) {
        eprintln!("{line}");
    }
    if delivery.summer && rule == SummerRule::Refuse {
        eprintln!("{}", not_forwarded_hint(brin));
        return Err(SendError::SummerRefused { brin, read_by: hwc_calendar::dutch_date(delivery.read_by) }.into());
    }
    // Asked before the name, so a mistyped date never costs a typed name.
    let incident = incident_hour(incident, input::interactive())?;
    let signal = if input::interactive() {
        let signal = prompt_signal()?;
        let answer = input::visible(&format!("Signaal versturen naar {place}? [j/N] "))?;
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
    let sent = office.send_signal_to(to, &signal, incident, Utc::now())?;
    drop(signal);
    println!("Signaal verstuurd naar {place} (signaalnummer {}).", sent.signal_id);
    if sent.delivery != delivery {
        for line in delivery_lines(&sent.delivery, rule) {
            println!("{line}");
        }
    }
    println!(
        "Het verloopt om {} als de school het niet eerder bevestigt. Bekijk de bevestigingen met: hwc-send receipts",
        dutch_time(sent.delivery.expires_at)
    );
    Ok(ExitCode::SUCCESS)
}

/// `hwc-send signal --csv -` (the only value clap lets through: the lines come from stdin, so
/// no file name, and no CSV line pasted by mistake, is ever repeated).
pub fn batch(globals: &Globals, incident: Option<&str>) -> Result<ExitCode, CliError> {
    // One incident for the whole batch (several children of one household), or unknown: the
    // lines come from stdin, so there is nobody to ask.
    let incident = incident_hour(incident, false)?;
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
    let rule = office.summer_rule()?;
    for line in batch.valid {
        match office.send_signal_to(line.to, &line.signal, incident, Utc::now()) {
            Ok(done) => {
                sent += 1;
                let place = if line.to.location().is_some() { "vestiging" } else { "school" };
                println!("regel {}: verstuurd naar {place} {} (signaalnummer {})", line.line, line.to, done.signal_id);
                for said in delivery_lines(&done.delivery, rule) {
                    println!("    {said}");
                }
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
