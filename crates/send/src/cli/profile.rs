//! `hwc-send settings --sender`, `school sector` and `school profile`: what the school's
//! screens call the sender and whom they say to tell, published to each school's devices.

use super::signal::parse_brin;
use super::{CliError, Globals};
use chrono::Utc;
use hwc_protocol::{Brin, Role, Sector, SenderName};
use hwc_send::Office;
use std::process::ExitCode;

/// Reads a sector as typed; `onbekend` is `None`.
pub fn parse_sector(text: &str) -> Result<Option<Sector>, CliError> {
    if text.trim().eq_ignore_ascii_case("onbekend") {
        return Ok(None);
    }
    text.parse::<Sector>().map(Some).map_err(|e| CliError::BadInput(format!("{e} (of onbekend)")))
}

/// Reads a sender's name as typed; `geen` is `None` (the schools then see "leerplicht").
pub fn parse_sender(text: &str) -> Result<Option<SenderName>, CliError> {
    if text.trim().eq_ignore_ascii_case("geen") {
        return Ok(None);
    }
    SenderName::parse(text.trim()).map(Some).map_err(|e| CliError::BadInput(e.to_string()))
}

/// What the school's screens say with this profile, in one line.
pub fn describe(office: &Office, brin: Brin) -> Result<String, CliError> {
    let profile = office.profile_of(brin, Utc::now())?;
    let sector = match office.sector(brin)? {
        Some(sector) => sector.dutch().to_string(),
        None => "sector onbekend, dus de woorden van het basisonderwijs".to_string(),
    };
    Ok(format!(
        "School {brin} ({sector}): afzender \"{}\", vertellen aan {}, apparaten: {} en {}",
        profile.sender,
        profile.sector.tell_whom(),
        profile.sector.role_name(Role::Director),
        profile.sector.role_name(Role::Backup)
    ))
}

/// Publishes the profile of `brin` and says what happened; false when the relay refused or
/// could not be reached.
pub fn publish(office: &Office, brin: Brin) -> bool {
    match office.publish_profile(brin, Utc::now()) {
        Ok(()) => true,
        Err(err) => {
            eprintln!("{err}");
            false
        }
    }
}

/// Publishes every school's profile (after the sender's name or the office key changed);
/// how many failed.
pub fn publish_all(office: &Office) -> Result<usize, CliError> {
    let schools = office.schools()?;
    let failed = schools.iter().filter(|s| !publish(office, s.school)).count();
    if !schools.is_empty() && failed == 0 {
        println!("De scholen zien dit vanaf hun volgende contact met de relay ({} scholen).", schools.len());
    }
    Ok(failed)
}

/// `hwc-send school sector BRIN po|so|vo|mbo|onbekend`
pub fn school_sector(globals: &Globals, brin: &str, sector: &str) -> Result<ExitCode, CliError> {
    let brin = parse_brin(brin)?;
    let sector = parse_sector(sector)?;
    let mut office = globals.open()?;
    office.set_sector(brin, sector)?;
    println!("{}", describe(&office, brin)?);
    Ok(if publish(&office, brin) { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// `hwc-send school profile BRIN`: shows the school's profile and publishes it again.
pub fn school_profile(globals: &Globals, brin: &str) -> Result<ExitCode, CliError> {
    let brin = parse_brin(brin)?;
    let office = globals.open()?;
    if !office.schools()?.iter().any(|s| s.school == brin) {
        return Err(hwc_send::SendError::SchoolNotKnown { brin }.into());
    }
    println!("{}", describe(&office, brin)?);
    Ok(if publish(&office, brin) { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
