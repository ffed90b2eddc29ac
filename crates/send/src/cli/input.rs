//! Reading what the officer types. Personal data is read without echo from the terminal, or
//! from stdin when it is not a terminal, into buffers that are wiped when dropped. Nothing read
//! here is ever printed back.

use super::CliError;
use std::io::{BufRead, IsTerminal, Read, Write};
use zeroize::Zeroizing;

/// Most bytes read from stdin for one signal (two short lines).
const MAX_SINGLE_BYTES: u64 = 4096;
/// Most bytes read for a batch.
pub const MAX_BATCH_BYTES: u64 = 16 * 1024 * 1024;

/// Whether stdin is an interactive terminal.
pub fn interactive() -> bool {
    std::io::stdin().is_terminal()
}

/// Asks on the terminal without showing what is typed.
pub fn hidden(prompt: &str) -> Result<Zeroizing<String>, CliError> {
    rpassword::prompt_password(prompt)
        .map(Zeroizing::new)
        .map_err(|_| CliError::Failed("de invoer van de terminal kon niet worden gelezen".into()))
}

/// Asks on the terminal and shows what is typed (for codes and choices, never personal data).
pub fn visible(prompt: &str) -> Result<String, CliError> {
    eprint!("{prompt}");
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|_| CliError::Failed("de invoer kon niet worden gelezen".into()))?;
    Ok(line.trim().to_string())
}

/// Reads all of stdin (at most `limit` bytes) into a wiped buffer.
pub fn all_stdin(limit: u64) -> Result<Zeroizing<Vec<u8>>, CliError> {
    let mut buffer = Zeroizing::new(Vec::with_capacity(usize::try_from(limit.min(1 << 20)).unwrap_or(4096)));
    std::io::stdin()
        .lock()
        .take(limit + 1)
        .read_to_end(&mut buffer)
        .map_err(|_| CliError::Failed("de invoer kon niet worden gelezen".into()))?;
    if buffer.len() as u64 > limit {
        return Err(CliError::BadInput(format!("de invoer is te groot (meer dan {limit} bytes)")));
    }
    Ok(buffer)
}

/// Reads exactly two non-empty lines from stdin: the name and the birthdate.
pub fn two_lines_from_stdin() -> Result<(Zeroizing<String>, Zeroizing<String>), CliError> {
    let bytes = all_stdin(MAX_SINGLE_BYTES)?;
    let text = std::str::from_utf8(&bytes)
        .map_err(|_| CliError::BadInput("de invoer is geen leesbare tekst (gebruik UTF-8)".into()))?;
    let mut lines = text.lines().map(|l| l.trim_end_matches('\r')).filter(|l| !l.trim().is_empty());
    let usage = || CliError::BadInput("geef op stdin precies twee regels: eerst de naam, dan de geboortedatum".into());
    let name = Zeroizing::new(lines.next().ok_or_else(usage)?.to_string());
    let birthdate = Zeroizing::new(lines.next().ok_or_else(usage)?.to_string());
    if lines.next().is_some() {
        return Err(usage());
    }
    Ok((name, birthdate))
}
