//! The only things the office's page can ask for. Each checks its input, works on the office
//! on a blocking thread and answers with a view (`views.rs`) or one plain Dutch sentence. A
//! typed name and birthdate are wiped here when the command ends (the strings it was given and
//! the `Signal`); the copies Tauri's IPC made on the way in are freed memory, which the
//! hardening overwrites on Linux. Nothing of them is kept, logged or sent back to the page.

use crate::session::Session;
use crate::today;
use crate::views::{Preview, SchoolChoice, Status, Today, TodayRow};
use chrono::{Timelike, Utc};
use chrono_tz::Europe::Amsterdam;
use hwc_protocol::expiry::amsterdam_date;
use hwc_protocol::{Destination, Signal, CODEWORD};
use hwc_send::delivery_words::delivery_lines;
use hwc_send::report::dutch_time;
use hwc_send::{IncidentHour, Office, SummerRule, UnreadReceipts};
use std::collections::HashMap;
use std::sync::Arc;
use tauri::{State, WebviewWindow};
use zeroize::Zeroizing;

type Answer<T> = Result<T, String>;

/// Runs `work` off the UI thread.
async fn blocking<T: Send + 'static>(
    session: &State<'_, Arc<Session>>,
    work: impl FnOnce(&Session) -> Answer<T> + Send + 'static,
) -> Answer<T> {
    let session = Arc::clone(session);
    hwc_desktop_shell::off_the_ui_thread(move || work(&session)).await
}

/// `work` on the open office, or why there is none.
fn with_office<T>(session: &Session, work: impl FnOnce(&mut Office) -> Answer<T>) -> Answer<T> {
    match session.office().as_mut() {
        Ok(office) => work(office),
        Err(problem) => Err(problem.clone()),
    }
}

/// A message of the library as a sentence of its own.
fn sentence(text: impl ToString) -> String {
    let text = text.to_string();
    let mut chars = text.chars();
    let first: String = chars.next().map(|c| c.to_uppercase().collect()).unwrap_or_default();
    let rest: String = chars.collect();
    if rest.ends_with('.') {
        format!("{first}{rest}")
    } else {
        format!("{first}{rest}.")
    }
}

#[tauri::command]
pub async fn office_status(session: State<'_, Arc<Session>>, fresh: Option<bool>) -> Answer<Status> {
    blocking(&session, move |session| {
        let problem = session.office().as_ref().err().cloned();
        let sender = session.office().as_ref().ok().and_then(|o| o.sender_name().ok().flatten());
        let status_line = match (&problem, &session.reports().relay_problem) {
            (Some(_), _) => "Niet ingericht".to_string(),
            (None, Some(relay)) => {
                format!("Geen verbinding met de relay ({relay}); de status wordt bijgewerkt zodra die er weer is.")
            }
            (None, None) => format!(
                "Afzender: {}. De status van de signalen wordt vanzelf bijgewerkt.",
                sender.as_ref().map_or(hwc_send::office::DEFAULT_SENDER, |s| s.as_str())
            ),
        };
        let confirmation = if fresh == Some(true) { session.take_confirmation() } else { None };
        Ok(Status { problem, status_line, confirmation })
    })
    .await
}

#[tauri::command]
pub async fn change_count(session: State<'_, Arc<Session>>) -> Answer<u64> {
    Ok(session.changes())
}

#[tauri::command]
pub async fn today(session: State<'_, Arc<Session>>) -> Answer<Today> {
    blocking(&session, |session| {
        let now = Utc::now();
        let (open, escalated) = with_office(session, |office| {
            let open = office.open_signals().map_err(sentence)?;
            let mut escalated = HashMap::new();
            let at = office.escalation_at().map_err(sentence)?;
            let local = now.with_timezone(&Amsterdam);
            if (local.hour(), local.minute()) >= (at.hour(), at.minute()) {
                for school in office.escalations(now, &UnreadReceipts::default()).map_err(sentence)? {
                    for signal in school.signals {
                        escalated.insert(signal.signal_id, school.phone.as_ref().map(ToString::to_string));
                    }
                }
            }
            Ok((open, escalated))
        })?;
        let mut reports = session.reports();
        for signal in &open {
            reports.sent.insert(signal.signal_id, signal.sent_at);
        }
        let rows = today::rows(&open, &escalated, &reports.settled, &reports.sent, now)
            .into_iter()
            .map(|row| TodayRow {
                number: row.signal_id.to_string(),
                school: row.school.to_string(),
                sent: row.sent_at.map(dutch_time).unwrap_or_default(),
                state: row.state,
                detail: row.detail,
                attention: row.attention,
            })
            .collect();
        Ok(Today { rows, notices: reports.notices.clone() })
    })
    .await
}

#[tauri::command]
pub async fn schools(session: State<'_, Arc<Session>>) -> Answer<Vec<SchoolChoice>> {
    blocking(&session, |session| {
        with_office(session, |office| {
            let mut choices = Vec::new();
            for school in office.schools().map_err(sentence)? {
                let locations = office.locations(school.school).map_err(sentence)?;
                let count = |n: usize| match n {
                    0 => "nog geen geverifieerd apparaat".to_string(),
                    1 => "1 apparaat".to_string(),
                    n => format!("{n} apparaten"),
                };
                if locations.len() >= 2 {
                    for location in locations {
                        let to = Destination::Location(hwc_protocol::SchoolLocation {
                            school: school.school,
                            number: location.number,
                        });
                        let devices =
                            office.devices_for(to).map(|d| d.iter().filter(|d| !d.previous_key).count()).unwrap_or(0);
                        let name = location.name.map(|n| format!(" {n}")).unwrap_or_default();
                        choices.push(SchoolChoice {
                            value: to.to_string(),
                            label: format!("{to}{name} ({})", count(devices)),
                        });
                    }
                } else {
                    let name =
                        locations.first().and_then(|l| l.name.clone()).map(|n| format!(" {n}")).unwrap_or_default();
                    let devices = school.devices.iter().filter(|d| !d.previous_key).count();
                    choices.push(SchoolChoice {
                        value: school.school.to_string(),
                        label: format!("{}{name} ({})", school.school, count(devices)),
                    });
                }
            }
            Ok(choices)
        })
    })
    .await
}

/// The typed signal, checked with the protocol's rules and messages.
fn read_signal(name: &str, birthdate: &str) -> Answer<Signal> {
    Signal::from_input(name, birthdate, amsterdam_date(Utc::now())).map_err(sentence)
}

fn read_destination(school: &str) -> Answer<Destination> {
    if school.trim().is_empty() {
        return Err("Kies de school van het kind.".into());
    }
    school.trim().to_uppercase().parse().map_err(sentence)
}

fn read_incident(incident: Option<&str>) -> Answer<Option<IncidentHour>> {
    match incident.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(text) => IncidentHour::parse(text, Utc::now())
            .map(Some)
            .map_err(|e| sentence(format!("datum en uur van het incident: {e}"))),
    }
}

/// "school 12AB" or "vestiging 12AB01 (De Linde)".
fn destination_words(office: &Office, to: Destination) -> String {
    match to {
        Destination::School(school) => format!("school {school}"),
        Destination::Location(location) => {
            let name = office
                .locations(location.school)
                .ok()
                .and_then(|all| all.into_iter().find(|l| l.number == location.number))
                .and_then(|l| l.name);
            match name {
                Some(name) => format!("vestiging {location} ({name})"),
                None => format!("vestiging {location}"),
            }
        }
    }
}

/// Checks everything a send checks and says what would go out, to which devices, and which
/// school day the school reads it. Nothing is sent or kept.
#[tauri::command]
pub async fn preview_signal(
    session: State<'_, Arc<Session>>,
    name: String,
    birthdate: String,
    school: String,
    incident: Option<String>,
) -> Answer<Preview> {
    let (name, birthdate) = (Zeroizing::new(name), Zeroizing::new(birthdate));
    blocking(&session, move |session| {
        drop(read_signal(&name, &birthdate)?);
        let to = read_destination(&school)?;
        read_incident(incident.as_deref())?;
        with_office(session, |office| {
            let devices: Vec<String> = office
                .devices_for(to)
                .map_err(sentence)?
                .into_iter()
                .filter(|d| !d.previous_key)
                .map(|d| format!("{} (apparaat {})", d.role.dutch(), d.device_id))
                .collect();
            if devices.is_empty() {
                return Err(format!(
                    "{} heeft geen geverifieerd apparaat; er kan niets naartoe.",
                    sentence(destination_words(office, to)).trim_end_matches('.')
                ));
            }
            let rule = office.summer_rule().map_err(sentence)?;
            let delivery = office.plan_at(to.school(), Utc::now()).map_err(sentence)?;
            if delivery.summer && rule == SummerRule::Refuse {
                return Err(delivery_lines(&delivery, rule).join(" "));
            }
            Ok(Preview {
                to: destination_words(office, to),
                devices,
                plan: delivery_lines(&delivery, rule),
                codeword: CODEWORD,
            })
        })
    })
    .await
}

/// Seals and sends the signal. Afterwards the web process that held the typed name is replaced
/// (where the platform allows), and the fresh page shows the confirmation.
#[tauri::command]
pub async fn send_signal(
    window: WebviewWindow,
    session: State<'_, Arc<Session>>,
    name: String,
    birthdate: String,
    school: String,
    incident: Option<String>,
) -> Answer<String> {
    let (name, birthdate) = (Zeroizing::new(name), Zeroizing::new(birthdate));
    let text = blocking(&session, move |session| {
        let signal = read_signal(&name, &birthdate)?;
        let to = read_destination(&school)?;
        let incident = read_incident(incident.as_deref())?;
        let text = with_office(session, |office| {
            let sent = office.send_signal_to(to, &signal, incident, Utc::now()).map_err(sentence)?;
            Ok(format!(
                "Verstuurd naar {} (signaalnummer {}). De school kan het lezen tot en met {}.",
                destination_words(office, to),
                sent.signal_id,
                hwc_calendar::spoken_date(sent.delivery.read_by)
            ))
        })?;
        drop(signal);
        session.confirm(text.clone());
        session.bump();
        Ok(text)
    })
    .await?;
    if !crate::paths::driven_by_tests() && hwc_desktop_shell::renew_web_process(&window) {
        return Ok(text);
    }
    // Not replaced (Windows, macOS, the driven tests): this page shows the answer itself.
    session.take_confirmation();
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_input_is_checked_with_plain_dutch_sentences() {
        assert!(read_signal("Sem de Vries", "31-02-2016").unwrap_err().contains("eboortedatum"));
        assert_eq!(read_destination(" ").unwrap_err(), "Kies de school van het kind.");
        assert!(read_destination("12AB0").unwrap_err().contains("12AB01"));
        assert_eq!(read_destination("12ab01").unwrap().to_string(), "12AB01");
        assert!(read_incident(Some("")).unwrap().is_none());
        assert!(read_incident(Some("31-02-2026 22")).unwrap_err().starts_with("Datum en uur van het incident"));
        assert_eq!(sentence("de school is dicht"), "De school is dicht.");
    }
}
