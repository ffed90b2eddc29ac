//! `hwc-send init`, `school add|verify|list`, `receipts` and `stats`: thin wrappers that call
//! the library and print plain Dutch.

use super::input;
use super::signal::parse_brin;
use super::{CliError, Globals};
use chrono::DateTime;
use chrono::{NaiveDate, NaiveTime};
use hwc_protocol::Brin;
use hwc_protocol::{DeviceId, Role};
use hwc_send::report::dutch_time;
use hwc_send::{Office, Region, RelayError, SendError, SummerRule};
use std::process::ExitCode;

/// `hwc-send init --relay URL`
pub fn init(globals: &Globals) -> Result<ExitCode, CliError> {
    let url = globals.relay.as_deref().ok_or_else(|| {
        CliError::BadInput("geef het adres van de relay op: hwc-send init --relay https://...".into())
    })?;
    let office = Office::init(&globals.state_dir, globals.keys.clone(), url)?;
    println!("De verzender is ingericht in {}.", office.state_dir().display());
    println!("Publieke sleutel van dit leerplichtbureau:");
    println!();
    println!("    {}", office.public_key());
    println!();
    println!("Geef deze sleutel aan de beheerder van de relay; die zet hem bij het starten van de relay achter --office-key.");
    println!("Vingerafdruk voor het configuratiebestand dat de ICT van de scholen uitrolt (office_key_fingerprint):");
    println!();
    println!("    {}", office.public_key().fingerprint());
    println!();
    println!("Meld daarna scholen aan met: hwc-send school add BRIN");
    Ok(ExitCode::SUCCESS)
}

/// `hwc-send school add BRIN [--role ...]`
/// Reads a region as typed; `onbekend` is `None`.
fn parse_region(text: &str) -> Result<Option<Region>, CliError> {
    if text.trim().eq_ignore_ascii_case("onbekend") {
        return Ok(None);
    }
    text.parse().map(Some).map_err(|_: hwc_send::RegionError| {
        CliError::BadInput(
            "onbekende regio: kies noord, midden, zuid, eigen (eigen vakanties, zoals in het mbo) of onbekend".into(),
        )
    })
}

/// How a region reads in a sentence.
fn region_text(region: Option<Region>) -> String {
    match region {
        Some(Region::Eigen) => "eigen vakanties".into(),
        Some(region) => format!("regio {region}"),
        None => "regio nog niet vastgelegd (hwc-send school region)".into(),
    }
}

/// `hwc-send school add BRIN [--role ROL] [--region REGIO]`
pub fn school_add(
    globals: &Globals,
    brin: &str,
    role: Role,
    region: Option<&str>,
    sector: Option<&str>,
) -> Result<ExitCode, CliError> {
    let brin = parse_brin(brin)?;
    // Checked before the code is made, so a typing error costs nothing.
    let region = region.map(parse_region).transpose()?;
    let sector = sector.map(super::profile::parse_sector).transpose()?;
    let mut office = globals.open()?;
    let code = office.add_school_slot(brin, role)?;
    if let Some(region) = region {
        office.set_region(brin, region)?;
    }
    if let Some(sector) = sector {
        office.set_sector(brin, sector)?;
    }
    // The school's devices learn the sender's name and the sector's words from the relay; a
    // failure is said and does not cost the code.
    super::profile::publish(&office, brin);
    println!("Aanmeldcode voor een apparaat van school {brin} ({}):", role.dutch());
    println!();
    println!("    {}", code.display());
    println!();
    println!(
        "Geef deze code persoonlijk of telefonisch door aan de {} van de school, niet per e-mail. De code werkt één keer en is 14 dagen geldig.",
        role.dutch()
    );
    println!("Zodra de school het apparaat heeft aangemeld: bel de school en verifieer het apparaat met: hwc-send school verify {brin}");
    if office.calendar(brin)?.region.is_none() {
        println!("{}", unknown_region(brin));
    }
    Ok(ExitCode::SUCCESS)
}

/// After this many school days without contact a device is flagged in `school list`.
const SILENT_SCHOOL_DAYS: usize = 3;

/// The warning for a school whose region is not recorded.
pub fn unknown_region(brin: Brin) -> String {
    format!(
        "LET OP: de vakantieregio van school {brin} is niet vastgelegd. Tot dan telt een dag alleen als schooldag als hij dat in alle drie de regio's is, zodat een signaal soms pas dagen later zichtbaar wordt. Leg de regio vast met: hwc-send school region {brin} noord|midden|zuid|eigen"
    )
}

/// Reads one date (`dd-mm-jjjj` or `jjjj-mm-dd`) or a range `van..tot`, up to a year long.
fn parse_days(text: &str) -> Result<Vec<NaiveDate>, CliError> {
    hwc_calendar::parse_days(text).map_err(|e| CliError::BadInput(e.to_string()))
}

/// `hwc-send school days BRIN [--closed DAGEN] [--open DAGEN] [--normal DAGEN]`
pub fn school_days(
    globals: &Globals,
    brin: &str,
    closed: Option<&str>,
    open: Option<&str>,
    normal: Option<&str>,
) -> Result<ExitCode, CliError> {
    let brin = parse_brin(brin)?;
    // Every argument is read before anything is stored, so a typing error changes nothing.
    let changes = [(closed, Some(false)), (open, Some(true)), (normal, None)]
        .into_iter()
        .filter_map(|(text, open)| text.map(|t| parse_days(t).map(|days| (days, open))))
        .collect::<Result<Vec<_>, _>>()?;
    let mut office = globals.open()?;
    for (days, open) in &changes {
        office.set_school_days(brin, days, *open)?;
    }
    let calendar = office.calendar(brin)?;
    let list = |days: &std::collections::BTreeSet<NaiveDate>| {
        if days.is_empty() {
            "geen".to_string()
        } else {
            days.iter().map(|d| hwc_calendar::dutch_date(*d)).collect::<Vec<_>>().join(", ")
        }
    };
    println!("School {brin}, {}:", region_text(calendar.region));
    println!("    eigen vrije dagen (dicht): {}", list(&calendar.closed));
    println!("    open op dagen dat veel scholen dicht zijn: {}", list(&calendar.open));
    Ok(ExitCode::SUCCESS)
}

/// Tells the officer about signals the relay still holds for a school whose devices change
/// (after the change itself succeeded, so a failure here only leaves the warning out).
fn warn_of_held(office: &Office, brin: Brin) {
    let Ok(held) = office.held_signals(brin, chrono::Utc::now()) else {
        return;
    };
    if let Some(last) = held.iter().filter_map(|o| o.held_until).max() {
        let until = DateTime::from_timestamp(last, 0).map(dutch_time).unwrap_or_default();
        println!(
            "LET OP: de relay bewaart nog {} signaal/signalen voor school {brin} om het in de week voor de school weer opengaat te bezorgen (de laatste om {until}). Alleen de apparaten die geverifieerd waren toen het werd verstuurd kunnen het openen. Bel de school; verstuur het signaal opnieuw zodra het nieuwe apparaat is geverifieerd.",
            held.len()
        );
    }
}

/// `hwc-send school phone BRIN NUMMER`
pub fn school_phone(globals: &Globals, brin: &str, phone: &str) -> Result<ExitCode, CliError> {
    let brin = parse_brin(brin)?;
    let phone = if phone.trim().eq_ignore_ascii_case("geen") {
        None
    } else {
        Some(phone.parse::<hwc_send::Phone>().map_err(|e| CliError::BadInput(e.to_string()))?)
    };
    let mut office = globals.open()?;
    office.set_phone(brin, phone.as_ref())?;
    match phone {
        Some(phone) => println!("School {brin}: telefoon {phone}."),
        None => println!("School {brin}: geen telefoonnummer."),
    }
    Ok(ExitCode::SUCCESS)
}

/// `hwc-send escalate`: per school the signals that are still waiting. The relay's receipts are
/// looked at but left for `hwc-send receipts` (a scheduled run's output may go unread, and a
/// "not our pupil" receipt must reach the officer).
pub fn escalate(globals: &Globals) -> Result<ExitCode, CliError> {
    let office = globals.open()?;
    let mut attention = false;
    let unread = match office.unread_receipts() {
        Ok(unread) => {
            if unread.breach {
                attention = true;
                println!("LET OP: er is een bevestiging \"leerling zit niet op onze school\" (een datalek). Lees hem nu met: hwc-send receipts");
            } else if unread.count > 0 {
                println!("Er wachten {} nieuwe ontvangstbevestigingen; lees ze met: hwc-send receipts", unread.count);
            }
            unread
        }
        Err(err) => {
            attention = true;
            println!("LET OP: de relay kon niet worden gelezen ({err}); de lijst hieronder kan signalen bevatten die al zijn doorgegeven.");
            hwc_send::UnreadReceipts::default()
        }
    };
    let now = chrono::Utc::now();
    let at = office.escalation_at()?;
    if now.with_timezone(&chrono_tz::Europe::Amsterdam).time() < at {
        println!("Het is nog geen {}: scholen kunnen nog bezig zijn.", at.format("%H:%M"));
    }
    let list = office.escalations(now, &unread)?;
    if list.is_empty() {
        println!("Alle signalen van voor {} zijn doorgegeven of verlopen.", at.format("%H:%M"));
    }
    for school in &list {
        let phone = school
            .phone
            .as_ref()
            .map_or("telefoonnummer onbekend (hwc-send school phone)".to_string(), |p| format!("bel {p}"));
        let closed = school.maybe_closed.map(|why| format!(" (school mogelijk dicht: {why})")).unwrap_or_default();
        println!(
            "LET OP: school {}: {} signaal/signalen nog niet doorgegeven; {phone}{closed}",
            school.school,
            school.signals.len()
        );
        for signal in &school.signals {
            let sent = DateTime::from_timestamp(signal.held_until.unwrap_or(signal.sent_at), 0)
                .map(dutch_time)
                .unwrap_or_default();
            let expires = DateTime::from_timestamp(signal.expires_at, 0).map(dutch_time).unwrap_or_default();
            println!("    signaal {}: bij de school sinds {sent}, verloopt om {expires}", signal.signal_id);
        }
    }
    Ok(if attention || !list.is_empty() { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

/// `hwc-send school region BRIN REGIO`
pub fn school_region(globals: &Globals, brin: &str, region: &str) -> Result<ExitCode, CliError> {
    let brin = parse_brin(brin)?;
    let region = parse_region(region)?;
    let mut office = globals.open()?;
    office.set_region(brin, region)?;
    println!("School {brin}: {}.", region_text(region));
    if region.is_none() {
        println!("Zolang de regio niet is vastgelegd, telt een dag alleen als schooldag als hij dat in alle drie de regio's is.");
    }
    Ok(ExitCode::SUCCESS)
}

/// `hwc-send settings [--summer waarschuwen|weigeren] [--escalation UU:MM]`
pub fn settings(
    globals: &Globals,
    summer: Option<SummerRule>,
    escalation: Option<&str>,
    keep_counts: Option<&str>,
    sender_name: Option<&str>,
) -> Result<ExitCode, CliError> {
    let sender_name = sender_name.map(super::profile::parse_sender).transpose()?;
    let escalation = escalation
        .map(|t| {
            NaiveTime::parse_from_str(t.trim(), "%H:%M")
                .map_err(|_| CliError::BadInput("tijdstip: gebruik uu:mm, zoals 08:30".into()))
        })
        .transpose()?;
    let keep_counts = keep_counts
        .map(|t| {
            t.trim()
                .parse::<u32>()
                .ok()
                .filter(|m| (1..=hwc_send::store::MAX_COUNTS_KEEP_MONTHS).contains(m))
                .ok_or_else(|| {
                    CliError::BadInput(format!(
                        "bewaartermijn van de tellingen: geef een aantal maanden van 1 tot en met {}",
                        hwc_send::store::MAX_COUNTS_KEEP_MONTHS
                    ))
                })
        })
        .transpose()?;
    let mut office = globals.open()?;
    // Every setting is saved here first; what the relay could not take is said at the end.
    if let Some(rule) = summer {
        office.set_summer_rule(rule)?;
    }
    if let Some(at) = escalation {
        office.set_escalation_at(at)?;
    }
    if let Some(name) = &sender_name {
        office.set_sender_name(name.as_ref())?;
    }
    let mut failed = 0;
    if let Some(months) = keep_counts {
        match office.set_counts_keep_months(months, chrono::Utc::now()) {
            Ok(()) => {}
            Err(err @ SendError::RetentionAtRelay { .. }) => {
                eprintln!("{err}");
                failed += 1;
            }
            Err(err) => return Err(err.into()),
        }
    }
    if sender_name.is_some() {
        failed += super::profile::publish_all(&office)?;
    }
    println!(
        "Ochtendlijst met signalen die nog niet zijn doorgegeven: om {} (hwc-send escalate).",
        office.escalation_at()?.format("%H:%M")
    );
    let text = match office.summer_rule()? {
        SummerRule::Warn => "waarschuwen (het signaal wordt verstuurd en de relay bewaart het tot een week voor de school weer opengaat)",
        SummerRule::Refuse => "weigeren (in de zomervakantie van de school wordt er niets verstuurd)",
    };
    println!("Signalen in de zomervakantie: {text}.");
    println!(
        "Tellingen voor de evaluatie: de laatste {} maanden bewaard (hwc-send counts).",
        office.counts_keep_months()?
    );
    let sender =
        office.sender_name()?.map(|n| n.to_string()).unwrap_or_else(|| hwc_send::office::DEFAULT_SENDER.into());
    println!("Naam van de afzender op de schermen van de scholen: {sender}.");
    if failed > 0 {
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

/// `hwc-send school verify BRIN [--device ID --code CODE]`
pub fn school_verify(
    globals: &Globals,
    brin: &str,
    device: Option<&str>,
    code: Option<&str>,
) -> Result<ExitCode, CliError> {
    let brin = parse_brin(brin)?;
    let mut office = globals.open()?;
    let device_id: DeviceId = match device {
        Some(text) => text
            .trim()
            .parse()
            .map_err(|e: hwc_protocol::IdError| CliError::BadInput(format!("apparaatnummer: {e}")))?,
        None => {
            if !input::interactive() {
                return Err(CliError::BadInput("zonder terminal zijn --device en --code verplicht".into()));
            }
            let pending = office.pending_devices(brin)?;
            if pending.is_empty() {
                println!("Er wacht geen apparaat van school {brin} op verificatie.");
                return Ok(ExitCode::SUCCESS);
            }
            println!("Apparaten van school {brin} die wachten op verificatie:");
            for (n, d) in pending.iter().enumerate() {
                let at = DateTime::from_timestamp(d.enrolled_at, 0).map(dutch_time).unwrap_or_default();
                println!("  {}. apparaat {} ({}), aangemeld om {at}", n + 1, d.device_id, d.role.dutch());
            }
            let index = if pending.len() == 1 {
                0
            } else {
                let answer = input::visible("Welk apparaat verifieert u? Typ het nummer: ")?;
                match answer.parse::<usize>() {
                    Ok(n) if (1..=pending.len()).contains(&n) => n - 1,
                    _ => return Err(CliError::BadInput("dat nummer staat niet in de lijst".into())),
                }
            };
            pending[index].device_id
        }
    };
    let typed = match code {
        Some(code) => code.to_string(),
        None => {
            if !input::interactive() {
                return Err(CliError::BadInput("zonder terminal is --code verplicht".into()));
            }
            println!("Bel de school op een nummer dat u zelf opzoekt en vraag de veiligheidscode die op het scherm van het apparaat staat.");
            input::visible("Typ de voorgelezen veiligheidscode (24 cijfers): ")?
        }
    };
    office.verify_device(brin, device_id, &typed)?;
    println!("De veiligheidscode klopt. Apparaat {device_id} van school {brin} is geverifieerd en ontvangt voortaan signalen.");
    Ok(ExitCode::SUCCESS)
}

/// `hwc-send school remove BRIN --device ID`
pub fn school_remove(globals: &Globals, brin: &str, device: &str) -> Result<ExitCode, CliError> {
    let brin = parse_brin(brin)?;
    let device_id: DeviceId =
        device.trim().parse().map_err(|e: hwc_protocol::IdError| CliError::BadInput(format!("apparaatnummer: {e}")))?;
    let mut office = globals.open()?;
    office.remove_device(brin, device_id)?;
    println!("Apparaat {device_id} van school {brin} is uit gebruik genomen en ontvangt geen signalen meer.");
    let left = office.schools()?.into_iter().find(|s| s.school == brin).map_or(0, |s| s.devices.len());
    if left == 0 {
        println!("LET OP: school {brin} heeft nu geen geverifieerd apparaat meer en kan geen signalen ontvangen. Maak een nieuwe aanmeldcode met: hwc-send school add {brin}");
    }
    warn_of_held(&office, brin);
    Ok(ExitCode::SUCCESS)
}

/// `hwc-send school list`
pub fn school_list(globals: &Globals) -> Result<ExitCode, CliError> {
    let office = globals.open()?;
    let schools = office.schools()?;
    if schools.is_empty() {
        println!("Er zijn nog geen scholen. Meld er een aan met: hwc-send school add BRIN");
    }
    // After the relay failed once it is not asked again for the next schools, so the list
    // comes at once when the relay is away.
    let mut relay_problem: Option<String> = None;
    for school in schools {
        let devices = match school.devices.len() {
            0 => "nog geen geverifieerd apparaat".to_string(),
            1 => "1 geverifieerd apparaat".to_string(),
            n => format!("{n} geverifieerde apparaten"),
        };
        let phone = office.phone(school.school)?.map(|p| format!(", telefoon {p}")).unwrap_or_default();
        let sector = office.sector(school.school)?.map(|s| s.dutch()).unwrap_or("sector onbekend");
        println!(
            "{}: {devices}, {} signaal/signalen open, {}, {sector}{phone}",
            school.school,
            school.outstanding,
            region_text(school.region)
        );
        if let Some(line) = super::locations::locations_line(&office, school.school)? {
            println!("{line}");
        }
        // The relay's last contact per device; the list still shows when the relay cannot be reached.
        let contacts = match &relay_problem {
            Some(problem) => Err(problem.clone()),
            None => office.last_contacts(school.school, chrono::Utc::now()).map_err(|e| {
                let problem = match &e {
                    SendError::Relay(RelayError::Api { status: 404, .. }) => {
                        "onbekend (de relay is ouder en houdt het niet bij)"
                    }
                    _ => "onbekend (relay niet bereikbaar)",
                };
                relay_problem = Some(problem.to_string());
                problem.to_string()
            }),
        };
        for d in school.devices {
            let at = DateTime::from_timestamp(d.verified_at, 0).map(dutch_time).unwrap_or_default();
            let note = if d.previous_key { "; onder de vorige sleutel: laat opnieuw aanmelden" } else { "" };
            let contact = match &contacts {
                Ok(list) => match list.iter().find(|(c, _)| c.device_id == d.device_id) {
                    Some((c, Some(silent))) if *silent >= SILENT_SCHOOL_DAYS => format!(
                        "; LET OP: laatst contact op {}, al {silent} schooldagen niet: bel de school of de computer nog aan staat",
                        c.day.map(hwc_calendar::spoken_date).unwrap_or_default()
                    ),
                    Some((c, Some(_))) => {
                        format!("; laatst contact op {}", c.day.map(hwc_calendar::spoken_date).unwrap_or_default())
                    }
                    _ => "; laatst contact nog niet bekend".to_string(),
                },
                Err(problem) => format!("; laatst contact {problem}"),
            };
            let serves = super::locations::device_locations_text(&office, d.device_id)?;
            println!("    apparaat {} ({}{serves}), geverifieerd om {at}{note}{contact}", d.device_id, d.role.dutch());
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `hwc-send receipts`
pub fn receipts(globals: &Globals) -> Result<ExitCode, CliError> {
    let mut office = globals.open()?;
    let reports = office.fetch_receipts()?;
    if reports.is_empty() {
        println!("Geen nieuwe ontvangstbevestigingen.");
    }
    let mut attention = false;
    for report in &reports {
        if report.needs_attention() {
            attention = true;
            println!("LET OP: {report}");
        } else {
            println!("{report}");
        }
    }
    Ok(if attention { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

/// `hwc-send stats`
pub fn stats(globals: &Globals) -> Result<ExitCode, CliError> {
    let office = globals.open()?;
    let stats = office.stats()?;
    let local = stats.local;
    println!("Deze verzender:");
    println!("  verstuurd:                      {}", local.sent);
    println!("  doorgegeven aan de leerkracht:  {}", local.handed_over);
    println!("  leerling niet op de school:     {}", local.not_our_pupil);
    println!("  verlopen zonder bevestiging:    {}", local.expired);
    println!("  bevestigd zonder bewijs:        {}", local.unproven);
    println!("  nog open:                       {}", stats.outstanding);
    let relay = stats.relay;
    println!("Relay:");
    for day in &relay.sent_per_day {
        println!("  verstuurd op {}: {}", day.day, day.count);
    }
    let a = relay.acknowledged;
    println!(
        "  bevestigd binnen 1 uur: {}, 4 uur: {}, 24 uur: {}, 48 uur: {}, 72 uur: {}, later: {}",
        a.within_1h, a.within_4h, a.within_24h, a.within_48h, a.within_72h, a.later
    );
    println!("  verlopen: {}, leerling niet op de school: {}", relay.expired, relay.not_our_pupil);
    Ok(ExitCode::SUCCESS)
}

/// `hwc-send key rotate`: the first run makes the new key and says what the relay's
/// administrator must add; a later run (once the relay knows it) hands the schools over.
pub fn key_rotate(globals: &Globals) -> Result<ExitCode, CliError> {
    let mut office = globals.open()?;
    let fresh = !office.has_successor()?;
    let successor = office.successor_key()?;
    if fresh {
        println!("Er is een nieuwe sleutel gemaakt. Geef deze publieke sleutel aan de beheerder van de relay,");
        println!("die hem toevoegt aan de sleutels van leerplicht (naast de huidige):");
        println!();
        println!("    {successor}");
        println!();
        println!("Vingerafdruk (voor de ICT van de scholen, office_key_fingerprint): {}", successor.fingerprint());
        println!("Draai daarna opnieuw: hwc-send key rotate");
        return Ok(ExitCode::SUCCESS);
    }
    let to_enroll = office.rotate_key()?;
    println!("De sleutel van dit bureau is vervangen. De relay neemt de oude sleutel niet meer aan;");
    println!("de beheerder kan hem uit de instellingen van de relay halen.");
    println!("Nieuwe vingerafdruk (office_key_fingerprint): {}", office.public_key().fingerprint());
    // Each school's profile again, signed with the new key (the devices that enroll again
    // trust only that one).
    let unpublished = super::profile::publish_all(&office)?;
    let done = if unpublished == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) };
    if to_enroll.is_empty() {
        return Ok(done);
    }
    println!();
    println!("Deze apparaten vertrouwen alleen de oude sleutel en moeten opnieuw worden aangemeld.");
    println!("Signalen die al klaarstonden krijgen ze nog; nieuwe signalen niet:");
    for d in &to_enroll {
        println!("    school {}: apparaat {} ({})", d.school, d.device_id, d.role.dutch());
    }
    println!("Maak per apparaat een nieuwe code (hwc-send school add BRIN --role ...), verifieer het nieuwe");
    println!("apparaat en neem daarna het oude uit gebruik (hwc-send school remove BRIN --device ID).");
    let mut schools: Vec<Brin> = to_enroll.iter().map(|d| d.school).collect();
    schools.dedup();
    for school in schools {
        warn_of_held(&office, school);
    }
    Ok(done)
}
