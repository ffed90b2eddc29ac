//! A school's phone number as the office records it, for the morning's escalation list: digits
//! with the usual separators, nothing else (the number is shown back on the officer's screen).

use std::fmt;
use std::str::FromStr;

/// A phone number: 10 to 15 digits, with spaces, hyphens, dots, brackets or a leading `+`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phone(String);

/// Why a phone number was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("telefoonnummer: gebruik 10 tot 15 cijfers, eventueel met spaties, streepjes of een + vooraan (zoals 030 123 45 67)")]
pub struct PhoneError;

impl FromStr for Phone {
    type Err = PhoneError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        let digits = text.chars().filter(char::is_ascii_digit).count();
        let allowed = text
            .char_indices()
            .all(|(i, c)| c.is_ascii_digit() || matches!(c, ' ' | '-' | '.' | '(' | ')') || (c == '+' && i == 0));
        if !allowed || !(10..=15).contains(&digits) || text.len() > 24 {
            return Err(PhoneError);
        }
        Ok(Phone(text.to_string()))
    }
}

impl Phone {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_numbers_as_people_write_them_and_nothing_else() {
        for good in ["030 123 45 67", "0301234567", "+31 30 123 4567", "(030) 123-4567", "06-12345678"] {
            assert_eq!(good.parse::<Phone>().map(|p| p.to_string()), Ok(good.to_string()), "{good}");
        }
        for bad in [
            "",
            "12345",
            "030 123 45 67 ext 2",
            "bel de school",
            "030\u{202e}1234567",
            "31+301234567",
            "0".repeat(16).as_str(),
        ] {
            assert_eq!(bad.parse::<Phone>(), Err(PhoneError), "{bad:?}");
        }
    }
}
