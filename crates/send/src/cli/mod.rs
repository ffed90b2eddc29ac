//! The `hwc-send` command line: argument parsing with Dutch usage errors that never repeat what
//! was typed (a name pasted into argv must not end up in an error message), dispatch to the
//! commands, and exit codes (0 ok, 1 failure, 2 bad input).

mod args;
mod commands;
mod counts;
mod input;
mod locations;
mod profile;
mod signal;

use args::{Cli, Command, KeyCommand, SchoolCommand};
use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::Parser;
use hwc_send::{KeySource, Office, SendError};
use std::path::PathBuf;
use std::process::ExitCode;

/// Why a command did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Send(#[from] SendError),
    /// The user's input (exit code 2).
    #[error("{0}")]
    BadInput(String),
    /// Something else failed (exit code 1).
    #[error("{0}")]
    Failed(String),
}

impl CliError {
    fn exit_code(&self) -> u8 {
        match self {
            CliError::Send(e) if e.is_bad_input() => 2,
            CliError::BadInput(_) => 2,
            _ => 1,
        }
    }
}

/// The global options every command gets.
pub struct Globals {
    pub state_dir: PathBuf,
    pub keys: KeySource,
    pub relay: Option<String>,
}

impl Globals {
    /// Opens the office, with the `--relay` override when given.
    pub fn open(&self) -> Result<Office, CliError> {
        let mut office = Office::open(&self.state_dir, self.keys.clone())?;
        if let Some(url) = &self.relay {
            office.use_relay(url)?;
        }
        Ok(office)
    }
}

/// A Dutch usage error that names the flag at most, never a typed value.
pub fn usage_error_text(err: &clap::Error) -> String {
    let flag = match err.get(ContextKind::InvalidArg) {
        Some(ContextValue::String(s)) => Some(s.clone()),
        Some(ContextValue::Strings(v)) => Some(v.join(", ")),
        _ => None,
    };
    let reason = match (err.kind(), flag) {
        (ErrorKind::UnknownArgument, _) => "onbekend of overbodig argument. Namen en geboortedata gaan nooit via de opdrachtregel: het programma vraagt ze zelf".to_string(),
        (ErrorKind::InvalidSubcommand, _) => "onbekende opdracht".to_string(),
        (ErrorKind::MissingRequiredArgument, Some(flag)) => format!("er ontbreekt een verplicht argument: {flag}"),
        (ErrorKind::MissingSubcommand | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand, _) => "geef een opdracht".to_string(),
        (ErrorKind::ArgumentConflict, _) => "deze opties gaan niet samen".to_string(),
        (ErrorKind::InvalidValue | ErrorKind::ValueValidation, Some(flag)) => match err.get(ContextKind::ValidValue) {
            // The allowed values come from this program, never from what was typed.
            Some(ContextValue::Strings(valid)) if valid.as_slice() == ["-"] => {
                format!("ongeldige waarde bij {flag}: alleen - is toegestaan; geef de regels op stdin, zoals: hwc-send signal --csv - < bestand.csv")
            }
            Some(ContextValue::Strings(valid)) => format!("ongeldige waarde bij {flag}; toegestaan: {}", valid.join(", ")),
            _ => format!("ongeldige waarde bij {flag}"),
        },
        (ErrorKind::TooManyValues, Some(flag)) => format!("{flag} is te vaak gegeven"),
        (ErrorKind::NoEquals | ErrorKind::TooFewValues | ErrorKind::WrongNumberOfValues, Some(flag)) => format!("er ontbreekt een waarde bij {flag}"),
        (ErrorKind::MissingRequiredArgument, None) => "er ontbreekt een verplicht argument".to_string(),
        _ => "de opdrachtregel klopt niet".to_string(),
    };
    format!("fout: {reason}\nZie: hwc-send --help")
}

/// Runs the program.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) if matches!(err.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) => {
            let _ = err.print();
            return ExitCode::SUCCESS;
        }
        Err(err) => {
            eprintln!("{}", usage_error_text(&err));
            return ExitCode::from(2);
        }
    };
    match run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("fout: {err}");
            ExitCode::from(err.exit_code())
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode, CliError> {
    let state_dir = match cli.state_dir {
        Some(dir) => dir,
        None => hwc_send::default_state_dir()?,
    };
    let keys = match cli.key_file {
        Some(path) => KeySource::File(path),
        None => KeySource::Keyring,
    };
    let globals = Globals { state_dir, keys, relay: cli.relay };
    match cli.command {
        Command::Init => commands::init(&globals),
        Command::School(SchoolCommand::Add { brin, role, region, sector }) => {
            commands::school_add(&globals, &brin, role.into(), region.as_deref(), sector.as_deref())
        }
        Command::School(SchoolCommand::Sector { brin, sector }) => profile::school_sector(&globals, &brin, &sector),
        Command::School(SchoolCommand::Profile { brin }) => profile::school_profile(&globals, &brin),
        Command::School(SchoolCommand::Region { brin, region }) => commands::school_region(&globals, &brin, &region),
        Command::School(SchoolCommand::Days { brin, closed, open, normal }) => {
            commands::school_days(&globals, &brin, closed.as_deref(), open.as_deref(), normal.as_deref())
        }
        Command::Settings { summer, escalation, keep_counts, sender } => commands::settings(
            &globals,
            summer.map(Into::into),
            escalation.as_deref(),
            keep_counts.as_deref(),
            sender.as_deref(),
        ),
        Command::NotForwarded { school } => counts::not_forwarded(&globals, &school),
        Command::Counts { csv } => counts::counts(&globals, csv.as_deref()),
        Command::Escalate => commands::escalate(&globals),
        Command::School(SchoolCommand::Phone { brin, phone }) => commands::school_phone(&globals, &brin, &phone),
        Command::School(SchoolCommand::Verify { brin, device, code }) => {
            commands::school_verify(&globals, &brin, device.as_deref(), code.as_deref())
        }
        Command::School(SchoolCommand::Remove { brin, device }) => commands::school_remove(&globals, &brin, &device),
        Command::School(SchoolCommand::List) => commands::school_list(&globals),
        Command::School(SchoolCommand::Location { location, label, remove }) => {
            locations::school_location(&globals, &location, label.as_deref(), remove)
        }
        Command::School(SchoolCommand::Device { brin, device, locations }) => {
            locations::school_device(&globals, &brin, &device, &locations)
        }
        Command::Signal(args) => match (args.school, args.csv) {
            (Some(school), None) => signal::single(&globals, &school, args.incident.as_deref()),
            (None, Some(_stdin)) => signal::batch(&globals, args.incident.as_deref()),
            _ => Err(CliError::BadInput("geef precies één van --school of --csv".into())),
        },
        Command::Receipts => commands::receipts(&globals),
        Command::Stats => commands::stats(&globals),
        Command::Key(KeyCommand::Rotate) => commands::key_rotate(&globals),
    }
}
