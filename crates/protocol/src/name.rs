//! The child's name and the rule that decides which names a signal may carry.
//!
//! The rule: after trimming and Unicode normalisation (NFC), 1 to 100 characters, at least one
//! letter, and nothing but letters of any script (with their combining accents), spaces,
//! hyphens, apostrophes and dots. That excludes control characters, bidirectional overrides
//! and isolates, invisible characters, markup, digits and any other punctuation. Errors name the
//! kind of problem and a position, never the name itself.

use secrecy::{ExposeSecret, SecretString};
use std::fmt;
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// Most characters a name may have after trimming.
pub const MAX_NAME_CHARS: usize = 100;
/// Most combining marks in a row (after NFC, real names need one or two; more is decoration).
const MAX_STACKED_MARKS: usize = 3;

/// A validated child's name. Held in memory that is wiped on drop; never printed.
pub struct ChildName(SecretString);

/// Why a name was refused. Messages are for the person typing the name and contain no part of it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    #[error("de naam is leeg")]
    Empty,
    #[error("de naam is te lang: hoogstens {MAX_NAME_CHARS} tekens")]
    TooLong,
    #[error("de naam bevat een stuurteken (zoals een regelovergang of tab) op positie {position}")]
    ControlCharacter { position: usize },
    #[error("de naam bevat een teken dat de leesrichting omdraait op positie {position}")]
    BidiControl { position: usize },
    #[error("de naam bevat een onzichtbaar teken op positie {position}")]
    Invisible { position: usize },
    #[error("de naam bevat HTML-opmaak (< of >); typ alleen de naam")]
    Markup,
    #[error("de naam bevat een teken dat niet is toegestaan op positie {position}: alleen letters, spaties, koppeltekens, apostroffen en punten")]
    NotAllowed { position: usize },
    #[error("de naam bevat geen letters")]
    NoLetters,
    #[error("de naam moet met een letter beginnen")]
    MustStartWithLetter,
    #[error("de naam bevat te veel accenttekens achter elkaar op positie {position}")]
    StackedMarks { position: usize },
}

const APOSTROPHES: [char; 3] = ['\'', '\u{2019}', '\u{02BC}'];
const HYPHENS: [char; 2] = ['-', '\u{2010}'];

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
        | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200D}' | '\u{2060}'..='\u{2064}'
        | '\u{206A}'..='\u{206F}' | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}'
        | '\u{FFA0}' | '\u{FFF0}'..='\u{FFFB}' | '\u{E0000}'..='\u{E0FFF}')
}

fn is_allowed(c: char) -> bool {
    c.is_alphabetic()
        || is_combining_mark(c)
        || c == ' '
        || c == '.'
        || APOSTROPHES.contains(&c)
        || HYPHENS.contains(&c)
}

impl ChildName {
    /// Validates and normalises a name as typed.
    pub fn parse(raw: &str) -> Result<Self, NameError> {
        let normalized: String = raw.trim().nfc().collect();
        let normalized = SecretString::from(normalized);
        let text = normalized.expose_secret();
        if text.is_empty() {
            return Err(NameError::Empty);
        }
        if text.chars().count() > MAX_NAME_CHARS {
            return Err(NameError::TooLong);
        }
        for (index, c) in text.chars().enumerate() {
            let position = index + 1;
            if c.is_control() {
                return Err(NameError::ControlCharacter { position });
            }
            if is_bidi_control(c) {
                return Err(NameError::BidiControl { position });
            }
            if is_invisible(c) {
                return Err(NameError::Invisible { position });
            }
        }
        if text.contains(['<', '>']) {
            return Err(NameError::Markup);
        }
        if let Some(index) = text.chars().position(|c| !is_allowed(c)) {
            return Err(NameError::NotAllowed { position: index + 1 });
        }
        if !text.chars().any(char::is_alphabetic) {
            return Err(NameError::NoLetters);
        }
        if !text.chars().next().is_some_and(char::is_alphabetic) {
            return Err(NameError::MustStartWithLetter);
        }
        let mut run = 0;
        for (index, c) in text.chars().enumerate() {
            run = if is_combining_mark(c) { run + 1 } else { 0 };
            if run > MAX_STACKED_MARKS {
                return Err(NameError::StackedMarks { position: index + 1 });
            }
        }
        Ok(Self(normalized))
    }

    /// The name, for showing it on screen. Keep the borrow short.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

impl Clone for ChildName {
    fn clone(&self) -> Self {
        Self(SecretString::from(self.expose()))
    }
}

impl fmt::Debug for ChildName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ChildName(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fixture lines: the copy in this crate, plus the team's shared copy beside the
    /// checkout when there is one (so a newer shared list is checked too).
    fn fixture(file: &str) -> Vec<String> {
        let own = format!("{}/tests/fixtures/{file}", env!("CARGO_MANIFEST_DIR"));
        let mut text = std::fs::read_to_string(&own).unwrap_or_else(|e| panic!("{own}: {e}"));
        let shared = format!("{}/../../../shared/fixtures/{file}", env!("CARGO_MANIFEST_DIR"));
        if let Ok(more) = std::fs::read_to_string(shared) {
            text.push('\n');
            text.push_str(&more);
        }
        text.lines().filter(|line| !line.starts_with('#') && !line.is_empty()).map(decode_fixture_line).collect()
    }

    /// Decodes the fixture notation: `\u{..}`, `\n`, `\t`, and the placeholders in brackets.
    fn decode_fixture_line(line: &str) -> String {
        match line {
            "(empty)" => return String::new(),
            "(a name of 101 characters)" => return "a".repeat(101),
            _ => {}
        }
        let line = line.strip_suffix(" (only spaces)").unwrap_or(line);
        let mut out = String::new();
        let mut rest = line;
        while let Some(at) = rest.find('\\') {
            out.push_str(&rest[..at]);
            let tail = &rest[at + 1..];
            if let Some(hex) = tail.strip_prefix("u{") {
                let end = hex.find('}').expect("closing brace");
                let code = u32::from_str_radix(&hex[..end], 16).expect("hex code point");
                out.push(char::from_u32(code).expect("valid code point"));
                rest = &hex[end + 1..];
            } else {
                out.push(match tail.chars().next() {
                    Some('n') => '\n',
                    Some('t') => '\t',
                    other => panic!("unknown escape {other:?}"),
                });
                rest = &tail[1..];
            }
        }
        out.push_str(rest);
        out
    }

    #[test]
    fn accepts_every_valid_fixture() {
        let names = fixture("names-valid.txt");
        assert!(names.len() >= 10);
        for name in names {
            let parsed = ChildName::parse(&name).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(parsed.expose(), name.nfc().collect::<String>());
        }
    }

    #[test]
    fn refuses_every_invalid_fixture_without_echoing_it() {
        let names = fixture("names-invalid.txt");
        assert!(names.len() >= 10);
        for name in names {
            let err = ChildName::parse(&name).err().unwrap_or_else(|| panic!("accepted {name:?}"));
            let message = err.to_string();
            for word in name.split(|c: char| !c.is_alphabetic()).filter(|w| w.len() > 2) {
                assert!(!message.contains(word), "error {message:?} echoes {word:?}");
            }
        }
    }

    #[test]
    fn each_rule_gives_its_own_error() {
        assert_eq!(ChildName::parse("   ").err(), Some(NameError::Empty));
        assert_eq!(ChildName::parse(&"é".repeat(101)).err(), Some(NameError::TooLong));
        assert!(ChildName::parse(&"é".repeat(100)).is_ok(), "100 accented letters fit");
        assert_eq!(ChildName::parse("Sem\nVries").err(), Some(NameError::ControlCharacter { position: 4 }));
        assert_eq!(ChildName::parse("Sem\u{202E}x").err(), Some(NameError::BidiControl { position: 4 }));
        assert_eq!(ChildName::parse("Sem\u{200B}x").err(), Some(NameError::Invisible { position: 4 }));
        assert_eq!(ChildName::parse("<b>Sem</b>").err(), Some(NameError::Markup));
        assert_eq!(ChildName::parse("Sem 2").err(), Some(NameError::NotAllowed { position: 5 }));
        assert_eq!(ChildName::parse("'.-").err(), Some(NameError::NoLetters));
        assert_eq!(ChildName::parse("-Sem").err(), Some(NameError::MustStartWithLetter));
        assert_eq!(ChildName::parse("\u{0301}Sem").err(), Some(NameError::MustStartWithLetter));
        // NFC folds the first mark into é; four more remain stacked.
        assert_eq!(
            ChildName::parse("Se\u{0301}\u{0302}\u{0303}\u{0304}\u{0305}m").err(),
            Some(NameError::StackedMarks { position: 6 })
        );
        assert!(ChildName::parse("Nguye\u{0302}\u{0303}n").is_ok(), "Vietnamese stacks two marks");
    }

    #[test]
    fn trims_and_normalises_to_nfc() {
        let decomposed = "Zoe\u{0308} de Vries";
        assert_eq!(ChildName::parse(&format!("  {decomposed} ")).unwrap().expose(), "Zoë de Vries");
    }

    #[test]
    fn debug_never_shows_the_name() {
        let name = ChildName::parse("Sem de Vries").unwrap();
        assert_eq!(format!("{name:?}"), "ChildName(..)");
    }
}
