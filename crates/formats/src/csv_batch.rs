//! Batch input for `hwc-send signal --csv -`: lines `naam;geboortedatum;brin` (the BRIN code,
//! or the BRIN code with a location number, `12AB01`), an optional
//! header line, empty lines ignored. Every line is validated; a bad line is reported by its
//! line number and the reason only, never by its content. The input buffer is the caller's
//! (wiped by them); the parsed signals wipe themselves.

use chrono::NaiveDate;
use hwc_protocol::{Destination, LocationError, Signal, SignalError};
use std::fmt;

/// A valid line, ready to send.
#[derive(Debug)]
pub struct BatchLine {
    /// 1-based line number in the input.
    pub line: usize,
    /// The school, or one of its locations.
    pub to: Destination,
    pub signal: Signal,
}

/// Why a line was refused. The text never contains the line's content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineProblem {
    /// Not valid UTF-8.
    NotText,
    /// Not exactly three fields separated by `;`.
    FieldCount(usize),
    Signal(SignalError),
    School(LocationError),
}

/// A refused line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    /// 1-based line number in the input.
    pub line: usize,
    pub problem: LineProblem,
}

impl fmt::Display for LineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "regel {}: ", self.line)?;
        match &self.problem {
            LineProblem::NotText => f.write_str("de regel is geen leesbare tekst (gebruik UTF-8)"),
            LineProblem::FieldCount(n) => {
                write!(f, "de regel heeft {n} veld(en); verwacht zijn er 3: naam;geboortedatum;brin")
            }
            LineProblem::Signal(e) => write!(f, "{e}"),
            LineProblem::School(e) => write!(f, "brin: {e}"),
        }
    }
}

/// The result of reading a batch.
#[derive(Debug, Default)]
pub struct Batch {
    pub valid: Vec<BatchLine>,
    pub invalid: Vec<LineError>,
}

fn is_header(fields: &[&str]) -> bool {
    let names: Vec<String> = fields.iter().map(|f| f.trim().to_lowercase()).collect();
    names == ["naam", "geboortedatum", "brin"]
}

/// Reads a batch; `today` is the Dutch date of sending (for the age rule).
pub fn parse_batch(input: &[u8], today: NaiveDate) -> Batch {
    let input = input.strip_prefix("\u{feff}".as_bytes()).unwrap_or(input);
    let mut batch = Batch::default();
    let mut seen_content = false;
    for (index, raw) in input.split(|b| *b == b'\n').enumerate() {
        let line = index + 1;
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        let Ok(text) = std::str::from_utf8(raw) else {
            batch.invalid.push(LineError { line, problem: LineProblem::NotText });
            seen_content = true;
            continue;
        };
        if text.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = text.split(';').collect();
        let first = !seen_content;
        seen_content = true;
        if first && is_header(&fields) {
            continue;
        }
        if fields.len() != 3 {
            batch.invalid.push(LineError { line, problem: LineProblem::FieldCount(fields.len()) });
            continue;
        }
        let signal = match Signal::from_input(fields[0], fields[1], today) {
            Ok(s) => s,
            Err(e) => {
                batch.invalid.push(LineError { line, problem: LineProblem::Signal(e) });
                continue;
            }
        };
        match fields[2].trim().to_uppercase().parse::<Destination>() {
            Ok(to) => batch.valid.push(BatchLine { line, to, signal }),
            Err(e) => batch.invalid.push(LineError { line, problem: LineProblem::School(e) }),
        }
    }
    batch
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    #[test]
    fn reads_valid_lines_with_optional_header_and_both_date_forms() {
        let input = "\u{feff}naam;geboortedatum;brin\r\nSem de Vries;07-03-2016;12AB\r\n\nZoë van 't Hooft-Çelik;2015-01-31;99z9\nSem Jansen;07-03-2016;12ab01\n";
        let batch = parse_batch(input.as_bytes(), today());
        assert!(batch.invalid.is_empty(), "{:?}", batch.invalid);
        let lines: Vec<(usize, String)> = batch.valid.iter().map(|l| (l.line, l.to.to_string())).collect();
        assert_eq!(lines, vec![(2, "12AB".into()), (4, "99Z9".into()), (5, "12AB01".into())]);
        assert_eq!(batch.valid[0].signal.birthdate().to_iso(), "2016-03-07");
    }

    #[test]
    fn bad_lines_are_reported_by_number_and_reason_without_content() {
        let input = "Sem de Vries;07-03-2016;12AB\n\
                     Jan<script>;07-03-2016;12AB\n\
                     Fenna Jansen;31-02-2016;12AB\n\
                     Daan Bakker;07-03-2016\n\
                     Lotte Visser;07-03-2016;XYZW\n\
                     Noor Smit;07-03-2030;12AB\n\
                     Bram de Boer;vorige week;12AB\n";
        let mut bytes = input.as_bytes().to_vec();
        bytes.extend_from_slice(b"Ma\xffrit;07-03-2016;12AB\n");
        let batch = parse_batch(&bytes, today());
        assert_eq!(batch.valid.len(), 1);
        let lines: Vec<usize> = batch.invalid.iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![2, 3, 4, 5, 6, 7, 8]);
        for error in &batch.invalid {
            let text = error.to_string();
            assert!(text.starts_with(&format!("regel {}: ", error.line)), "{text}");
            for secret in [
                "Jan", "script", "Fenna", "Jansen", "31-02", "Daan", "Bakker", "Lotte", "XYZW", "Noor", "2030", "Bram",
                "vorige", "Ma",
            ] {
                assert!(!text.contains(secret), "{text} contains {secret}");
            }
        }
    }

    #[test]
    fn header_only_counts_as_first_line() {
        let batch = parse_batch(b"Sem;07-03-2016;12AB\nnaam;geboortedatum;brin\n", today());
        assert_eq!(batch.valid.len(), 1);
        assert_eq!(batch.invalid.len(), 1);
        assert_eq!(batch.invalid[0].line, 2);
    }
}
