//! `hwc-send school location` and `hwc-send school device`: a school's locations (*vestigingen*)
//! and which of them each verified device serves.

use super::signal::parse_brin;
use super::{CliError, Globals};
use hwc_protocol::{Destination, DeviceId, LocationNumber, SchoolLocation};
use std::process::ExitCode;

/// Reads a school or location as typed: `12AB` or `12ab01`.
pub fn parse_destination(text: &str) -> Result<Destination, CliError> {
    text.trim().to_uppercase().parse().map_err(|e: hwc_protocol::LocationError| CliError::BadInput(e.to_string()))
}

/// `hwc-send school location 12AB01 [--name NAAM] [--remove]`
pub fn school_location(
    globals: &Globals,
    location: &str,
    name: Option<&str>,
    remove: bool,
) -> Result<ExitCode, CliError> {
    let location: SchoolLocation = location
        .trim()
        .to_uppercase()
        .parse()
        .map_err(|e: hwc_protocol::LocationError| CliError::BadInput(e.to_string()))?;
    let mut office = globals.open()?;
    if remove {
        office.remove_location(location)?;
        println!("Vestiging {location} is verwijderd; haar apparaten ontvangen nu de signalen van hun andere vestigingen, of van de hele school als dit hun enige was.");
        return Ok(ExitCode::SUCCESS);
    }
    office.set_location(location, name)?;
    let count = office.locations(location.school)?.len();
    println!("Vestiging {location} is vastgelegd.");
    if count > 1 {
        println!(
            "School {} heeft nu {count} vestigingen: een signaal gaat naar één vestiging, zoals hwc-send signal --school {location}. Wijs de apparaten toe met: hwc-send school device {} --device ID --locations {}",
            location.school, location.school, location.number
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Reads `01,02` or `alle` (the whole school).
fn parse_numbers(text: &str) -> Result<Vec<LocationNumber>, CliError> {
    let text = text.trim();
    if text.eq_ignore_ascii_case("alle") {
        return Ok(Vec::new());
    }
    text.split(',')
        .map(|part| {
            part.trim().parse().map_err(|e: hwc_protocol::LocationError| {
                CliError::BadInput(format!("{e}; meerdere met komma's, zoals 01,02, of alle voor de hele school"))
            })
        })
        .collect()
}

/// `hwc-send school device BRIN --device ID --locations 01,02|alle`
pub fn school_device(globals: &Globals, brin: &str, device: &str, locations: &str) -> Result<ExitCode, CliError> {
    let brin = parse_brin(brin)?;
    let device_id: DeviceId =
        device.trim().parse().map_err(|e: hwc_protocol::IdError| CliError::BadInput(format!("apparaatnummer: {e}")))?;
    let numbers = parse_numbers(locations)?;
    let mut office = globals.open()?;
    office.set_device_locations(brin, device_id, &numbers)?;
    if numbers.is_empty() {
        println!("Apparaat {device_id} ontvangt de signalen voor alle vestigingen van school {brin}.");
    } else {
        let list = numbers.iter().map(|n| format!("{brin}{n}")).collect::<Vec<_>>().join(", ");
        println!("Apparaat {device_id} ontvangt de signalen voor vestiging {list}.");
    }
    Ok(ExitCode::SUCCESS)
}

/// How `school list` names a school's locations, or `None` when it has none.
pub fn locations_line(office: &hwc_send::Office, school: hwc_protocol::Brin) -> Result<Option<String>, CliError> {
    let locations = office.locations(school)?;
    if locations.is_empty() {
        return Ok(None);
    }
    let named: Vec<String> = locations
        .iter()
        .map(|l| match &l.name {
            Some(name) => format!("{school}{} {name}", l.number),
            None => format!("{school}{}", l.number),
        })
        .collect();
    Ok(Some(format!("    vestigingen: {}", named.join("; "))))
}

/// What `school list` says about a device's locations.
pub fn device_locations_text(office: &hwc_send::Office, device: DeviceId) -> Result<String, CliError> {
    let numbers = office.device_locations(device)?;
    Ok(if numbers.is_empty() {
        String::new()
    } else {
        format!(", vestiging {}", numbers.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "))
    })
}
