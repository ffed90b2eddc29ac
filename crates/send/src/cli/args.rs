//! The command line, as clap reads it. There is deliberately no argument that takes a child's
//! name or birthdate: those come only from a hidden prompt or from stdin.

use clap::{ArgAction, Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

const TEMPLATE: &str = "{about}\n\nGebruik: {usage}\n\n{all-args}";

/// The whole command line.
#[derive(Debug, Parser)]
#[command(
    name = "hwc-send",
    about = "Handle with Care voor leerplicht: scholen aanmelden, apparaten verifiëren, signalen versturen en ontvangstbevestigingen lezen.",
    help_template = TEMPLATE,
    subcommand_help_heading = "Opdrachten",
    disable_help_flag = true,
    disable_help_subcommand = true,
    disable_version_flag = true
)]
pub struct Cli {
    /// Map met de versleutelde gegevens (standaard: $HWC_SEND_STATE, anders ~/.local/share/hwc-send).
    #[arg(long, global = true, value_name = "MAP", help_heading = "Algemene opties")]
    pub state_dir: Option<PathBuf>,
    /// Sleutelbestand in plaats van de sleutelbos van het systeem (alleen als er geen sleutelbos is).
    #[arg(long, global = true, value_name = "BESTAND", help_heading = "Algemene opties")]
    pub key_file: Option<PathBuf>,
    /// Adres van de relay (bij init verplicht; daarna alleen om tijdelijk een ander adres te gebruiken).
    #[arg(long, global = true, value_name = "URL", help_heading = "Algemene opties")]
    pub relay: Option<String>,
    /// Toon deze hulp.
    #[arg(short = 'h', long, global = true, action = ArgAction::Help, help_heading = "Algemene opties")]
    pub help: Option<bool>,
    #[command(subcommand)]
    pub command: Command,
}

/// What to do.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Richt deze computer in als verzender (eenmalig): maakt de sleutel van het bureau.
    #[command(help_template = TEMPLATE)]
    Init,
    /// Scholen en hun apparaten beheren.
    #[command(subcommand, help_template = TEMPLATE, subcommand_help_heading = "Opdrachten")]
    School(SchoolCommand),
    /// Verstuur een signaal: naam en geboortedatum worden gevraagd (of gelezen van stdin), nooit als argument.
    #[command(help_template = TEMPLATE)]
    Signal(SignalArgs),
    /// Haal ontvangstbevestigingen en verlopen signalen op.
    #[command(help_template = TEMPLATE)]
    Receipts,
    /// Toon de tellingen (alleen aantallen).
    #[command(help_template = TEMPLATE)]
    Stats,
    /// De sleutel van het bureau beheren.
    #[command(subcommand, help_template = TEMPLATE, subcommand_help_heading = "Opdrachten")]
    Key(KeyCommand),
    /// Toon of wijzig de instellingen van dit bureau.
    #[command(help_template = TEMPLATE)]
    Settings {
        /// Signalen die door de zomervakantie van de school heen zouden wachten: waarschuwen en versturen, of weigeren.
        #[arg(long, value_enum, value_name = "REGEL", help_heading = "Opties")]
        summer: Option<SummerArg>,
        /// Tijdstip van de ochtendlijst met signalen die nog niet zijn doorgegeven, zoals 08:30.
        #[arg(long, value_name = "UU:MM", help_heading = "Opties")]
        escalation: Option<String>,
        /// Hoeveel maanden de tellingen voor de evaluatie bewaard blijven (1 tot en met 120; standaard 24).
        #[arg(long, value_name = "MAANDEN", help_heading = "Opties")]
        keep_counts: Option<String>,
        /// De naam van de afzender zoals de scholen hem zien, zoals "Veilig Thuis Gooi en Vechtstreek" (standaard: leerplicht); "geen" zet hem terug.
        #[arg(long, value_name = "NAAM", help_heading = "Opties")]
        sender: Option<String>,
    },
    /// Tel een signaal dat dit bureau niet naar de school kon sturen (voor de tellingen; er wordt niets verstuurd).
    #[command(name = "not-forwarded", help_template = TEMPLATE)]
    NotForwarded {
        /// BRIN-code van de school waarvoor het signaal was.
        #[arg(long, value_name = "BRIN", help_heading = "Opties")]
        school: String,
    },
    /// Toon de tellingen voor de evaluatie per maand en school, of schrijf ze als CSV.
    #[command(help_template = TEMPLATE)]
    Counts {
        /// Schrijf de tellingen als CSV (met ; gescheiden) naar dit bestand, of naar stdout met '-'.
        #[arg(long, value_name = "BESTAND", help_heading = "Opties")]
        csv: Option<PathBuf>,
    },
    /// Toon per school de signalen die nog niet zijn doorgegeven, met het telefoonnummer (voor een geplande taak om 08:30; eindigt met code 1 als er een is).
    #[command(help_template = TEMPLATE)]
    Escalate,
}

/// `hwc-send settings --summer`
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum SummerArg {
    Waarschuwen,
    Weigeren,
}

impl From<SummerArg> for hwc_send::SummerRule {
    fn from(rule: SummerArg) -> Self {
        match rule {
            SummerArg::Waarschuwen => hwc_send::SummerRule::Warn,
            SummerArg::Weigeren => hwc_send::SummerRule::Refuse,
        }
    }
}

/// `hwc-send key ...`
#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Vervang de sleutel van het bureau door een nieuwe. De eerste keer maakt dit de nieuwe sleutel (voor de beheerder van de relay); daarna draagt het de scholen over.
    #[command(help_template = TEMPLATE)]
    Rotate,
}

/// `hwc-send school ...`
#[derive(Debug, Subcommand)]
pub enum SchoolCommand {
    /// Maak een aanmeldcode voor een apparaat van een school.
    #[command(help_template = TEMPLATE)]
    Add {
        /// BRIN-code van de school, zoals 12AB.
        #[arg(value_name = "BRIN", help_heading = "Argumenten")]
        brin: String,
        /// Voor wie het apparaat is.
        #[arg(long, value_enum, default_value_t = RoleArg::Directeur, help_heading = "Opties")]
        role: RoleArg,
        /// Vakantieregio van de school: noord, midden, zuid, of eigen (eigen vakanties, zoals in het mbo).
        #[arg(long, value_name = "REGIO", help_heading = "Opties")]
        region: Option<String>,
        /// Soort school: po, so, vo of mbo (bepaalt aan wie de school het vertelt: de leerkracht of de mentor).
        #[arg(long, value_name = "SECTOR", help_heading = "Opties")]
        sector: Option<String>,
    },
    /// Leg het telefoonnummer van een school vast (voor de ochtendlijst); "geen" haalt het weg.
    #[command(help_template = TEMPLATE)]
    Phone {
        /// BRIN-code van de school, zoals 12AB.
        #[arg(value_name = "BRIN", help_heading = "Argumenten")]
        brin: String,
        /// Het telefoonnummer, zoals "030 123 45 67", of geen.
        #[arg(value_name = "NUMMER", help_heading = "Argumenten")]
        phone: String,
    },
    /// Leg eigen vrije dagen van een school vast (studiedagen), of dagen waarop ze open is terwijl veel scholen dicht zijn; zonder opties: toon ze.
    #[command(help_template = TEMPLATE)]
    Days {
        /// BRIN-code van de school, zoals 12AB.
        #[arg(value_name = "BRIN", help_heading = "Argumenten")]
        brin: String,
        /// Dagen waarop de school dicht is, zoals 26-10-2026 of 01-02-2027..05-02-2027 (meerdere met komma's).
        #[arg(long, value_name = "DAGEN", help_heading = "Opties")]
        closed: Option<String>,
        /// Dagen waarop de school open is terwijl veel scholen dicht zijn (Goede Vrijdag, 5 mei, een adviesvakantie).
        #[arg(long, value_name = "DAGEN", help_heading = "Opties")]
        open: Option<String>,
        /// Dagen terug naar de gewone kalender.
        #[arg(long, value_name = "DAGEN", help_heading = "Opties")]
        normal: Option<String>,
    },
    /// Leg de soort school vast (po, so, vo, mbo of onbekend); de schermen van de school noemen dan de juiste persoon (de leerkracht, de mentor).
    #[command(help_template = TEMPLATE)]
    Sector {
        /// BRIN-code van de school, zoals 12AB.
        #[arg(value_name = "BRIN", help_heading = "Argumenten")]
        brin: String,
        /// po, so, vo, mbo of onbekend.
        #[arg(value_name = "SECTOR", help_heading = "Argumenten")]
        sector: String,
    },
    /// Toon wat de schermen van de school over de afzender en de sector zeggen, en stuur het opnieuw naar de school.
    #[command(help_template = TEMPLATE)]
    Profile {
        /// BRIN-code van de school, zoals 12AB.
        #[arg(value_name = "BRIN", help_heading = "Argumenten")]
        brin: String,
    },
    /// Leg de vakantieregio van een school vast; daarmee rekent het bureau uit op welke schooldag de school een signaal leest.
    #[command(help_template = TEMPLATE)]
    Region {
        /// BRIN-code van de school, zoals 12AB.
        #[arg(value_name = "BRIN", help_heading = "Argumenten")]
        brin: String,
        /// noord, midden, zuid, eigen (eigen vakanties, zoals in het mbo) of onbekend.
        #[arg(value_name = "REGIO", help_heading = "Argumenten")]
        region: String,
    },
    /// Verifieer een aangemeld apparaat met de veiligheidscode die de school voorleest.
    #[command(help_template = TEMPLATE)]
    Verify {
        /// BRIN-code van de school, zoals 12AB.
        #[arg(value_name = "BRIN", help_heading = "Argumenten")]
        brin: String,
        /// Apparaatnummer (32 tekens); zonder deze optie wordt het gevraagd.
        #[arg(long, value_name = "ID", help_heading = "Opties")]
        device: Option<String>,
        /// De veiligheidscode zoals de school hem voorlas (24 cijfers); hoort bij --device.
        #[arg(long, value_name = "CODE", requires = "device", help_heading = "Opties")]
        code: Option<String>,
    },
    /// Neem een apparaat van een school uit gebruik (kwijt, gestolen, vervangen): het ontvangt daarna geen signalen meer.
    #[command(help_template = TEMPLATE)]
    Remove {
        /// BRIN-code van de school, zoals 12AB.
        #[arg(value_name = "BRIN", help_heading = "Argumenten")]
        brin: String,
        /// Apparaatnummer (32 tekens), zoals hwc-send school list het toont.
        #[arg(long, value_name = "ID", required = true, help_heading = "Opties")]
        device: String,
    },
    /// Toon de scholen met hun geverifieerde apparaten.
    #[command(help_template = TEMPLATE)]
    List,
    /// Leg een vestiging van een school vast (BRIN-code met vestigingsnummer, zoals 12AB01), met de naam waaronder u haar kent; met --remove: haal haar weg.
    #[command(help_template = TEMPLATE)]
    Location {
        /// De vestiging: BRIN-code met vestigingsnummer, zoals 12AB01.
        #[arg(value_name = "VESTIGING", help_heading = "Argumenten")]
        location: String,
        /// De naam van de vestiging, zoals "De Linde".
        #[arg(long = "name", value_name = "NAAM", conflicts_with = "remove", help_heading = "Opties")]
        label: Option<String>,
        /// Haal de vestiging weg.
        #[arg(long, help_heading = "Opties")]
        remove: bool,
    },
    /// Kies voor welke vestigingen een geverifieerd apparaat de signalen ontvangt (een directeur kan er meer hebben); standaard: alle.
    #[command(help_template = TEMPLATE)]
    Device {
        /// BRIN-code van de school, zoals 12AB.
        #[arg(value_name = "BRIN", help_heading = "Argumenten")]
        brin: String,
        /// Apparaatnummer (32 tekens), zoals hwc-send school list het toont.
        #[arg(long, value_name = "ID", required = true, help_heading = "Opties")]
        device: String,
        /// Vestigingsnummers met komma's, zoals 01,02, of alle.
        #[arg(long, value_name = "NUMMERS", required = true, help_heading = "Opties")]
        locations: String,
    },
}

/// `hwc-send signal ...`: exactly one of `--school` or `--csv`, and the incident's hour.
#[derive(Debug, Args)]
pub struct SignalArgs {
    /// BRIN-code van de school, of van de vestiging van het kind (zoals 12AB01); naam en geboortedatum worden daarna gevraagd.
    #[arg(long, value_name = "BRIN", required_unless_present = "csv", conflicts_with = "csv", help_heading = "Opties")]
    pub school: Option<String>,
    /// Verstuur een reeks signalen uit regels naam;geboortedatum;brin, gelezen van stdin: alleen '-' is toegestaan (hwc-send signal --csv - < bestand.csv).
    #[arg(long, value_name = "-", value_parser = ["-"], hide_possible_values = true, help_heading = "Opties")]
    pub csv: Option<String>,
    /// Datum en uur van het incident, zoals "05-12-2026 22" (alleen voor de tellingen: hoe snel de school het wist; het blijft bij dit bureau). Zonder deze optie wordt het gevraagd, of telt het als onbekend.
    #[arg(long, value_name = "DATUM UUR", help_heading = "Opties")]
    pub incident: Option<String>,
}

/// A device role as typed on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RoleArg {
    Directeur,
    Achterwacht,
}

impl From<RoleArg> for hwc_protocol::Role {
    fn from(role: RoleArg) -> Self {
        match role {
            RoleArg::Directeur => hwc_protocol::Role::Director,
            RoleArg::Achterwacht => hwc_protocol::Role::Backup,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("hwc-send").chain(args.iter().copied()))
    }

    #[test]
    fn definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn a_name_cannot_be_passed_as_an_argument() {
        for args in [
            &["signal", "--school", "12AB", "Sem"][..],
            &["signal", "--school", "12AB", "Sem de Vries", "07-03-2016"],
            &["signal", "--school", "12AB", "--name", "Sem"],
            &["signal", "--school", "12AB", "--naam", "Sem"],
            &["signal", "--school", "12AB", "--birthdate", "2016-03-07"],
            &["signal", "--school", "12AB", "--geboortedatum", "2016-03-07"],
            &["signal", "Sem"],
            &["signal", "--school", "12AB", "--csv", "-"],
            &["signal", "--csv", "Sem de Vries;07-03-2016;12AB"],
            &["signal", "--csv=Sem de Vries;07-03-2016;12AB"],
            &["signal", "--csv", "/tmp/Sem 2016.csv"],
        ] {
            let err = parse(args).expect_err(&format!("{args:?} must be refused"));
            assert_ne!(err.exit_code(), 0);
            let text = super::super::usage_error_text(&err);
            assert!(!text.contains("Sem") && !text.contains("2016"), "{text}");
        }
    }

    #[test]
    fn no_argument_is_named_like_personal_data() {
        fn walk(cmd: &clap::Command) {
            for arg in cmd.get_arguments() {
                let id = arg.get_id().as_str().to_lowercase();
                for banned in ["name", "naam", "birth", "geboort", "child", "kind"] {
                    assert!(!id.contains(banned), "{} has argument {id}", cmd.get_name());
                }
            }
            cmd.get_subcommands().for_each(walk);
        }
        walk(&Cli::command());
    }

    #[test]
    fn valid_command_lines_parse() {
        let cli = parse(&["--state-dir", "/tmp/x", "init", "--relay", "https://r.example"]).unwrap();
        assert!(matches!(cli.command, Command::Init));
        assert_eq!(cli.relay.as_deref(), Some("https://r.example"));
        let cli = parse(&["key", "rotate"]).unwrap();
        assert!(matches!(cli.command, Command::Key(KeyCommand::Rotate)));
        let cli = parse(&["school", "remove", "12AB", "--device", "ab"]).unwrap();
        assert!(matches!(cli.command, Command::School(SchoolCommand::Remove { .. })));
        assert!(parse(&["school", "remove", "12AB"]).is_err(), "--device is required");
        let cli = parse(&["school", "add", "12AB", "--role", "achterwacht"]).unwrap();
        assert!(matches!(cli.command, Command::School(SchoolCommand::Add { role: RoleArg::Achterwacht, .. })));
        let cli = parse(&["signal", "--csv", "-", "--key-file", "/tmp/k"]).unwrap();
        assert!(matches!(cli.command, Command::Signal(SignalArgs { csv: Some(_), school: None, incident: None })));
        assert!(cli.key_file.is_some());
        assert!(parse(&["school", "verify", "12AB", "--code", "1234"]).is_err(), "--code needs --device");
        assert!(parse(&["school", "add", "12AB", "--role", "leraar"]).is_err());
        assert!(parse(&["signal"]).is_err());
    }
}
