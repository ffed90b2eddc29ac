//! The only things the page can ask for. Each command checks its input, calls `hwc-client` on a
//! blocking thread, and answers with a view (see `views.rs`) or one plain Dutch sentence.

use crate::session::Session;
use crate::views::{AppStatus, ExpiredNotice, PrivacyView, SignalListItem, SignalView, Wiped, Words};
use chrono::{DateTime, Utc};
use chrono_tz::Europe::Amsterdam;
use hwc_client::{ClientError, Delivery, DeviceStatus, ExpiredSignal, PinStatus, ReceiptKind, SchoolClient, SignalId};
use std::sync::Arc;
use tauri::{State, WebviewWindow};

type Answer<T> = Result<T, String>;

/// Runs `work` off the UI thread. Its error names whoever sends this school's signals, as
/// every screen does (the core writes "leerplicht"; see `ScreenWords::in_own_words`). The words
/// are taken before the work: a tenth wrong PIN wipes the device, and its message must still
/// name the sender who gives the new enrollment code.
async fn blocking<T: Send + 'static>(
    session: &State<'_, Arc<Session>>,
    work: impl FnOnce(&Session) -> Answer<T> + Send + 'static,
) -> Answer<T> {
    let session = Arc::clone(session);
    hwc_desktop_shell::off_the_ui_thread(move || {
        let before = session.open_words();
        work(&session).map_err(|text| match before.or_else(|| session.open_words()) {
            Some(words) => words.in_own_words(&text),
            None => text,
        })
    })
    .await
}

fn say(e: ClientError) -> String {
    e.to_string()
}

fn local_time(at: DateTime<Utc>) -> String {
    at.with_timezone(&Amsterdam).format("%H:%M").to_string()
}

fn status_line(session: &Session, waiting: usize) -> String {
    let poll = session.poll_state();
    let mut line = match waiting {
        0 => match poll.last_checked {
            Some(at) => format!("Geen nieuwe signalen, laatst gecontroleerd {}", local_time(at)),
            None => "Geen nieuwe signalen".to_string(),
        },
        1 => "1 nieuw signaal".to_string(),
        n => format!("{n} nieuwe signalen"),
    };
    if poll.offline_since.is_some() {
        line.push_str(". Geen verbinding met de relay; de app probeert het steeds opnieuw.");
    }
    if poll.clock_behind {
        line.push_str(
            ". Er staat een signaal klaar, maar de klok van deze computer loopt achter: zet de datum en tijd goed, dan komt het binnen.",
        );
    }
    if poll.notifications == crate::notify::Availability::Unavailable {
        line.push_str(
            ". Meldingen op het bureaublad werken niet op deze computer: kijk zelf in deze app of er een signaal is.",
        );
    }
    line
}

/// The lock screen's lasting warning once the next wrong PINs come close to the wipe.
fn pin_warning(pin: &PinStatus) -> Option<String> {
    if !pin.warn_of_wipe() {
        return None;
    }
    let tries = match pin.tries_left {
        1 => "nog 1 poging".to_string(),
        n => format!("nog {n} pogingen"),
    };
    Some(format!(
        "Let op: {tries} met een verkeerde pincode, daarna wordt dit apparaat gewist en moet het opnieuw worden aangemeld."
    ))
}

/// The notice of one signal that expired here unhandled. Only this computer's part is known: a
/// colleague may have handed it over while this computer was off (the relay's word of that is
/// gone once the signal expired).
fn expired_notice(expired: &ExpiredSignal, sender: &str) -> ExpiredNotice {
    let at = DateTime::from_timestamp(expired.expired_at, 0).unwrap_or_default().with_timezone(&Amsterdam);
    ExpiredNotice {
        id: expired.signal_id.to_string(),
        text: format!(
            "Een signaal is verlopen op {} om {} zonder dat het op deze computer is afgehandeld. Heeft ook uw collega het niet doorgegeven, dan krijgt {sender} daarvan bericht en neemt mogelijk contact met u op.",
            hwc_calendar::spoken_date(at.date_naive()),
            at.format("%H:%M")
        ),
    }
}

/// The person has seen the notices of these expired signals (the inbox's "Gezien").
#[tauri::command]
pub async fn confirm_expired_seen(session: State<'_, Arc<Session>>, ids: Vec<String>) -> Answer<AppStatus> {
    let ids = ids
        .iter()
        .take(64)
        .map(|id| id.parse::<SignalId>().map_err(|_| "Onbekend signaalnummer.".to_string()))
        .collect::<Result<Vec<_>, _>>()?;
    blocking(&session, move |session| {
        {
            let mut guard = session.client().map_err(say)?;
            let client = guard.as_mut().ok_or_else(|| "Deze computer is niet aangemeld.".to_string())?;
            client.confirm_expired_seen(&ids).map_err(say)?;
        }
        session.bump();
        current_status(session, false)
    })
    .await
}

fn current_status(session: &Session, fresh_page: bool) -> Answer<AppStatus> {
    let mut guard = session.client().map_err(say)?;
    let Some(client) = guard.as_mut() else {
        let relay = session.paths.config.relay.clone();
        return Ok(AppStatus::Enroll { relay_fixed: relay.is_some(), default_relay: relay.unwrap_or_default() });
    };
    let device = client.device_info().map_err(say)?;
    let words = Words::of(&client.screen_words());
    Ok(match device.status {
        DeviceStatus::Pending => AppStatus::AwaitingVerification {
            safety_code: client.safety_code().to_string(),
            school: device.school.to_string(),
            role: words.role.clone(),
            words,
        },
        DeviceStatus::Removed => AppStatus::Removed { words },
        DeviceStatus::Verified => {
            // A signal that expired while the agent waited for the relay is noted now, so the
            // screen says so at once.
            if client.has_expired_waiting().map_err(say)? {
                client.sweep_expired().map_err(say)?;
            }
            let waiting = client.pending().map_err(say)?.len();
            let status_line = status_line(session, waiting);
            let expired =
                client.expired_unhandled().map_err(say)?.iter().map(|e| expired_notice(e, &words.sender)).collect();
            if client.is_unlocked() {
                let confirmation = if fresh_page { session.take_confirmation() } else { None };
                AppStatus::Inbox { waiting, status_line, notices: session.take_notices(), confirmation, expired, words }
            } else {
                let pin_warning = pin_warning(&client.pin_status().map_err(say)?);
                AppStatus::Locked { waiting, status_line, pin_warning, expired, words }
            }
        }
    })
}

/// `fresh`: the page's first look after loading (it takes a waiting confirmation).
#[tauri::command]
pub async fn app_status(session: State<'_, Arc<Session>>, fresh: Option<bool>) -> Answer<AppStatus> {
    let fresh_page = fresh.unwrap_or(false);
    blocking(&session, move |session| current_status(session, fresh_page)).await
}

/// The change counter: the page asks when the window process tells it something changed (the
/// `hwc-change` event, see `window_app.rs`) and redraws when it moved. It does not wait, because
/// a pending IPC request holds up WebKit's snapshots (screenshots, WebDriver).
#[tauri::command]
pub async fn change_count(session: State<'_, Arc<Session>>) -> Answer<u64> {
    Ok(session.change_count())
}

#[tauri::command]
pub async fn enroll(
    session: State<'_, Arc<Session>>,
    relay: String,
    code: String,
    pin: String,
    pin_again: String,
) -> Answer<AppStatus> {
    blocking(&session, move |session| {
        if pin != pin_again {
            return Err("De twee pincodes zijn niet gelijk. Typ dezelfde pincode twee keer.".into());
        }
        if SchoolClient::is_enrolled(&session.paths.data_dir) {
            return Err("Deze computer is al aangemeld. Wis eerst dit apparaat om opnieuw aan te melden.".into());
        }
        // A relay set by the school's IT cannot be changed here.
        let relay = session.paths.config.relay.clone().unwrap_or(relay);
        let client = SchoolClient::enroll(&session.paths.data_dir, &relay, &code, &pin)
            .and_then(|client| client.held_to(&session.paths.config))
            .map_err(say)?;
        session.set_client(Some(client));
        current_status(session, false)
    })
    .await
}

#[tauri::command]
pub async fn refresh_enrollment(session: State<'_, Arc<Session>>) -> Answer<AppStatus> {
    blocking(&session, |session| {
        if let Some(client) = session.client().map_err(say)?.as_mut() {
            client.refresh_status().map_err(say)?;
        }
        current_status(session, false)
    })
    .await
}

#[tauri::command]
pub async fn unlock(session: State<'_, Arc<Session>>, pin: String) -> Answer<AppStatus> {
    blocking(&session, move |session| {
        {
            let mut guard = session.client().map_err(say)?;
            let client = guard.as_mut().ok_or("Deze computer is niet aangemeld.")?;
            let result = client.unlock(&pin);
            let notices = if result.is_ok() { pin_guard_notices(client) } else { Vec::new() };
            if result.is_err() && !SchoolClient::is_enrolled(&session.paths.data_dir) {
                // Ten wrong PINs wiped the device: back to enrollment.
                *guard = None;
            }
            drop(guard);
            if !notices.is_empty() {
                session.update_poll_quietly(|poll| poll.notices.extend(notices));
            }
            session.touch();
            session.bump();
            result.map_err(say)?;
        }
        current_status(session, false)
    })
    .await
}

/// What the person should know about the relay's PIN guard after a right PIN: tries the relay
/// counted that this computer did not make, and a key not yet sealed with the guard.
fn pin_guard_notices(client: &SchoolClient) -> Vec<String> {
    let mut notices = Vec::new();
    match client.pin_tried_elsewhere() {
        0 => {}
        tries => notices.push(format!(
            "Let op: de relay telde sinds de vorige keer {tries} {} met de pincode van dit apparaat die niet van deze computer {}. Kunt u dat niet verklaren (bijvoorbeeld doordat de verbinding wegviel), dan kan iemand een kopie van de gegevens van dit apparaat hebben: meld het apparaat opnieuw aan (Instellingen) en laat uw ICT-beheerder de computer controleren.",
            if tries == 1 { "poging" } else { "pogingen" },
            if tries == 1 { "kwam" } else { "kwamen" },
        )),
    }
    if client.pin_guarded().is_ok_and(|guarded| !guarded) {
        notices.push(
            "De pincode van dit apparaat wordt nog niet door de relay bewaakt, omdat de relay net niet bereikbaar was. De app probeert het opnieuw bij de volgende keer ontgrendelen.".to_string(),
        );
    }
    notices
}

/// The new PIN must be typed the same twice; checked before the current PIN is tried, so a
/// typing slip costs no try.
fn same_new_pin(new: &str, new_again: &str) -> Answer<()> {
    if new == new_again {
        Ok(())
    } else {
        Err("De twee nieuwe pincodes zijn niet gelijk. Typ dezelfde nieuwe pincode twee keer.".into())
    }
}

/// Replaces the PIN. A wrong current PIN counts as a wrong try, like on the lock screen; when
/// it was the last one, the device is wiped and the page goes back to enrollment.
#[tauri::command]
pub async fn change_pin(
    session: State<'_, Arc<Session>>,
    current: String,
    new: String,
    new_again: String,
) -> Answer<String> {
    blocking(&session, move |session| {
        same_new_pin(&new, &new_again)?;
        let result = {
            let mut guard = session.client().map_err(say)?;
            let client = guard.as_mut().ok_or("Deze computer is niet aangemeld.")?;
            let result = client.change_pin(&current, &new);
            if result.is_err() && !SchoolClient::is_enrolled(&session.paths.data_dir) {
                // Ten wrong PINs wiped the device: back to enrollment.
                *guard = None;
            }
            result
        };
        session.touch();
        session.bump();
        result.map_err(say)?;
        Ok("Uw pincode is gewijzigd.".to_string())
    })
    .await
}

/// Tells the school's sender that the school is closed on the days typed (its own study days:
/// `closed`), or that days told by mistake are ordinary school days again. Needs the device
/// unlocked. Only the dates travel, signed by this device; nothing of it stays on this computer.
#[tauri::command]
pub async fn report_school_days(session: State<'_, Arc<Session>>, days: String, closed: bool) -> Answer<String> {
    blocking(&session, move |session| {
        let days = hwc_calendar::parse_days(&days).map_err(|e| capitalised(&e.to_string()))?;
        let (notice, sender) = {
            let mut guard = session.client().map_err(say)?;
            let client = guard.as_mut().ok_or("Deze computer is niet aangemeld.")?;
            let none: [chrono::NaiveDate; 0] = [];
            let (shut, open) = if closed { (&days[..], &none[..]) } else { (&none[..], &days[..]) };
            let notice = client.report_school_days(shut, open).map_err(|e| capitalised(&say(e)))?;
            (notice, client.screen_words().sender)
        };
        session.touch();
        let listed = |days: &[chrono::NaiveDate]| {
            days.iter().map(|d| hwc_calendar::spoken_date(*d)).collect::<Vec<_>>().join(", ")
        };
        Ok(if closed {
            format!("Doorgegeven aan {sender}: uw school is dicht op {}.", listed(&notice.closed))
        } else {
            format!("Doorgegeven aan {sender}: uw school is weer gewoon open op {}.", listed(&notice.cleared))
        })
    })
    .await
}

/// `text` with a capital first letter, for a message that stands on its own.
fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

#[tauri::command]
pub async fn lock(session: State<'_, Arc<Session>>) -> Answer<AppStatus> {
    blocking(&session, |session| {
        if let Some(client) = session.client().map_err(say)?.as_mut() {
            client.lock();
        }
        session.bump();
        current_status(session, false)
    })
    .await
}

#[tauri::command]
pub async fn list_signals(session: State<'_, Arc<Session>>) -> Answer<Vec<SignalListItem>> {
    blocking(&session, |session| {
        let guard = session.client().map_err(say)?;
        let client = guard.as_ref().ok_or("Deze computer is niet aangemeld.")?;
        if !client.is_unlocked() {
            return Err("Ontgrendel eerst met uw pincode.".into());
        }
        let pending = client.pending().map_err(say)?;
        session.touch();
        Ok(pending
            .into_iter()
            .map(|p| SignalListItem { id: p.signal_id.to_string(), received: local_time(p.received_at) })
            .collect())
    })
    .await
}

fn parse_id(id: &str) -> Answer<SignalId> {
    id.parse().map_err(|_| "Dit signaal bestaat niet (meer) op deze computer.".to_string())
}

#[tauri::command]
pub async fn open_signal(session: State<'_, Arc<Session>>, id: String) -> Answer<SignalView> {
    blocking(&session, move |session| {
        let id = parse_id(&id)?;
        let mut guard = session.client().map_err(say)?;
        let client = guard.as_mut().ok_or("Deze computer is niet aangemeld.")?;
        let signal = client.open_signal(&id).map_err(say)?;
        session.touch();
        let today = Utc::now().with_timezone(&Amsterdam).date_naive();
        Ok(SignalView {
            id: id.to_string(),
            codeword: signal.codeword().to_string(),
            name: signal.name().expose().to_string(),
            birthdate: signal.birthdate().to_dutch(),
            age: signal.birthdate().age_on(today),
        })
    })
    .await
}

/// The page closed a signal. The Rust side keeps no plaintext between commands, so there is
/// nothing to drop here; the command exists so the page's closing is explicit and testable.
#[tauri::command]
pub async fn close_signal() -> Answer<()> {
    Ok(())
}

/// Acknowledges, then replaces the web process that showed the signal with a fresh one
/// (`window::renew_web_process`); the fresh page shows the confirmation this returns.
#[tauri::command]
pub async fn acknowledge(
    session: State<'_, Arc<Session>>,
    window: WebviewWindow,
    id: String,
    kind: String,
) -> Answer<String> {
    let confirmation = blocking(&session, move |session| {
        let id = parse_id(&id)?;
        let kind: ReceiptKind = kind.parse().map_err(|_| "Onbekende keuze.".to_string())?;
        let (report, sender) = {
            let mut guard = session.client().map_err(say)?;
            let client = guard.as_mut().ok_or("Deze computer is niet aangemeld.")?;
            if !client.is_unlocked() {
                return Err("Ontgrendel eerst met uw pincode.".into());
            }
            let report = client.acknowledge(&id, kind).map_err(say)?;
            (report, client.screen_words().sender)
        };
        let sender_capitalised = crate::views::capitalised(&sender);
        session.touch();
        session.bump();
        Ok(match report.delivery {
            Delivery::Delivered { first: true } => {
                format!("Bevestiging verstuurd naar {sender}. Dit signaal staat nergens meer op deze computer.")
            }
            Delivery::Delivered { first: false } => format!("Dit signaal staat nergens meer op deze computer. {sender_capitalised} had voor dit signaal al een bevestiging (van een collega, of namens deze computer). Bel {sender} als u niet weet van wie."),
            Delivery::Waiting { .. } => format!("Dit signaal staat nergens meer op deze computer. De bevestiging wordt naar {sender} verstuurd zodra er weer verbinding is."),
            Delivery::Undeliverable { .. } => format!("Dit signaal staat nergens meer op deze computer, maar {sender} kon de bevestiging niet aannemen (het signaal was daar al verlopen). Bel {sender} om het door te geven."),
        })
    })
    .await?;
    if crate::window::renews_web_process() {
        // Kept for the fresh page, which takes it on its first look.
        session.set_confirmation(confirmation.clone());
        crate::window::renew_web_process(&window);
    }
    Ok(confirmation)
}

#[tauri::command]
pub async fn privacy_view(session: State<'_, Arc<Session>>) -> Answer<PrivacyView> {
    blocking(&session, |session| {
        let guard = session.client().map_err(say)?;
        let Some(client) = guard.as_ref() else {
            return Ok(PrivacyView { lines: vec!["Niets: deze computer is niet aangemeld.".into()] });
        };
        let status = client.status().map_err(say)?;
        let sender = client.screen_words().sender;
        let yes_no = |b: bool| if b { "ja" } else { "nee" };
        let settings: Vec<&str> = status.settings.iter().map(|name| setting_in_dutch(name)).collect();
        Ok(PrivacyView {
            lines: vec![
                format!("Sleutel om berichten te ondertekenen: {}", yes_no(status.has_signing_key)),
                format!(
                    "Sleutel om signalen te openen: {}{}",
                    yes_no(status.has_open_key),
                    if status.open_key_pin_protected { " (alleen te gebruiken met uw pincode)" } else { "" }
                ),
                format!("Instellingen: {}", settings.join(", ")),
                format!("Verzegelde signalen die wachten: {}", status.sealed_signals),
                format!("Bevestigingen die nog naar {sender} moeten: {}", status.receipts_waiting),
                format!("Nummers van afgehandelde signalen (zonder inhoud): {}", status.handled_signals),
                format!("Meldingen van verlopen signalen (zonder inhoud): {}", status.expired_unhandled),
                "Namen en geboortedata: geen. Die staan alleen in het geheugen zolang een signaal open is.".into(),
            ],
        })
    })
    .await
}

fn setting_in_dutch(name: &str) -> &str {
    match name {
        "relay_url" => "adres van de relay",
        "office_key" => "sleutel van de afzender van de signalen",
        "device_id" => "nummer van dit apparaat",
        "school" => "BRIN-code van de school",
        "role" => "rol (directeur of achterwacht)",
        "status" => "aangemeld en bevestigd of niet",
        "inbox_cursor" => "hoe ver de postbus is gelezen",
        "pin_guard_uncleared" => "pincodepogingen die de relay nog meetelt",
        "reminded_on" => "datum van de laatste herinnering",
        "profile" => "naam van de afzender en soort school (door de afzender ondertekend)",
        "profile_checked_at" => "wanneer de naam van de afzender voor het laatst is opgevraagd",
        other => other,
    }
}

/// "Wis dit apparaat" and "Opnieuw aanmelden": with the PIN (not needed once leerplicht removed
/// the device, or when the vault can no longer be opened), the relay is told and everything
/// here is wiped. A wrong PIN wipes nothing (and counts, as when unlocking).
#[tauri::command]
pub async fn wipe_device(session: State<'_, Arc<Session>>, pin: Option<String>) -> Answer<Wiped> {
    blocking(&session, move |session| {
        // The lock is held through the wipe: a status request meanwhile would otherwise find
        // no client, see a vault still on disk, and try to open it half wiped.
        let mut guard = match session.client() {
            Ok(guard) => guard,
            Err(_) => {
                // A vault that cannot be opened: nothing in it can be used, so no PIN to ask.
                SchoolClient::wipe_data_dir(&session.paths.data_dir).map_err(say)?;
                session.set_client(None);
                return Ok(Wiped { next: current_status(session, false)?, leerplicht_told: false });
            }
        };
        let outcome = match guard.as_mut() {
            Some(client) => client.retire(pin.as_deref()).map(|retired| retired.relay_told),
            None => SchoolClient::wipe_data_dir(&session.paths.data_dir).map(|()| true),
        };
        // Wiped (also by the tenth wrong PIN): this client is done.
        let gone = outcome.is_ok() || !SchoolClient::is_enrolled(&session.paths.data_dir);
        if gone {
            *guard = None;
        }
        drop(guard);
        session.touch();
        if gone {
            session.set_client(None);
        }
        let told = outcome.map_err(say)?;
        Ok(Wiped { next: current_status(session, false)?, leerplicht_told: told })
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pin(wrong_in_a_row: u32) -> PinStatus {
        PinStatus {
            unlocked: false,
            wrong_in_a_row,
            tries_left: hwc_client::pin::MAX_WRONG_PINS - wrong_in_a_row,
            wait_seconds: 0,
        }
    }

    fn session() -> Session {
        Session::new(crate::paths::AppPaths {
            data_dir: "/nonexistent/data".into(),
            webview_dir: "/nonexistent/webview".into(),
            tray_dir: "/nonexistent/tray".into(),
            config: Default::default(),
        })
    }

    #[test]
    fn the_status_line_says_when_desktop_notifications_do_not_work() {
        let session = session();
        assert_eq!(status_line(&session, 1), "1 nieuw signaal");
        session.update_poll(|poll| poll.notifications = crate::notify::Availability::Unavailable);
        let line = status_line(&session, 0);
        assert!(line.starts_with("Geen nieuwe signalen"), "{line}");
        assert!(line.contains("Meldingen op het bureaublad werken niet op deze computer"), "{line}");
        session.update_poll(|poll| poll.notifications = crate::notify::Availability::Works);
        assert_eq!(status_line(&session, 2), "2 nieuwe signalen");
        session.update_poll(|poll| poll.clock_behind = true);
        let line = status_line(&session, 0);
        assert!(line.contains("de klok van deze computer loopt achter: zet de datum en tijd goed"), "{line}");
    }

    #[test]
    fn the_new_pin_must_be_typed_the_same_twice() {
        assert!(same_new_pin("246810", "246810").is_ok());
        let refused = same_new_pin("246810", "246811").unwrap_err();
        assert!(refused.contains("niet gelijk"), "{refused}");
        assert!(!refused.contains("246810"), "the PIN itself is never part of a message");
    }

    #[test]
    fn the_lock_screen_warns_from_the_seventh_wrong_pin_on() {
        assert_eq!(pin_warning(&pin(0)), None);
        assert_eq!(pin_warning(&pin(6)), None);
        let seventh = pin_warning(&pin(7)).unwrap();
        assert_eq!(
            seventh,
            "Let op: nog 3 pogingen met een verkeerde pincode, daarna wordt dit apparaat gewist en moet het opnieuw worden aangemeld."
        );
        assert!(pin_warning(&pin(9)).unwrap().starts_with("Let op: nog 1 poging met"));
    }
}
