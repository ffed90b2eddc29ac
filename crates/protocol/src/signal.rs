//! The signal itself: the child's name, the birthdate and the codeword `Handle with Care`,
//! and nothing else about the child. Its plaintext form (what gets sealed) is a small JSON
//! object padded to a fixed length, so the ciphertext does not reveal the length of the name.
//! Beside the three it carries the signal's receipt key (16 random bytes, see
//! [`crate::receipt_key`]), which lets the school prove it opened the signal.

use crate::birthdate::{Birthdate, BirthdateError};
use crate::keys::KeyError;
use crate::name::{ChildName, NameError};
use crate::receipt_key::ReceiptKey;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt;
use zeroize::Zeroizing;

/// The one codeword every signal carries.
pub const CODEWORD: &str = "Handle with Care";

/// Every plaintext is padded with spaces to exactly this many bytes.
pub const PLAINTEXT_BYTES: usize = 512;

/// A decrypted or freshly typed signal. Lives in memory only; `Debug` prints `Signal { .. }`.
#[derive(Clone)]
pub struct Signal {
    name: ChildName,
    birthdate: Birthdate,
    receipt_key: ReceiptKey,
}

/// Why a signal could not be built or read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignalError {
    #[error("naam: {0}")]
    Name(#[from] NameError),
    #[error("geboortedatum: {0}")]
    Birthdate(#[from] BirthdateError),
    #[error("het signaal heeft niet de vorm van een Handle with Care-signaal")]
    Malformed,
    #[error("het signaal draagt niet het codewoord Handle with Care")]
    WrongCodeword,
    #[error(transparent)]
    Key(#[from] KeyError),
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Wire<'a> {
    name: &'a str,
    birthdate: &'a str,
    codeword: &'a str,
    receipt_key: &'a str,
}

impl Signal {
    /// A new signal with a fresh receipt key.
    pub fn new(name: ChildName, birthdate: Birthdate) -> Result<Self, SignalError> {
        Ok(Self::with_receipt_key(name, birthdate, ReceiptKey::random()?))
    }

    /// A signal with a given receipt key. Only for published test vectors: real signals get a
    /// fresh key from [`Signal::new`].
    #[doc(hidden)]
    pub fn with_receipt_key(name: ChildName, birthdate: Birthdate, receipt_key: ReceiptKey) -> Self {
        Self { name, birthdate, receipt_key }
    }

    /// Validates typed input: the name and birthdate as a person wrote them, and the sending day.
    pub fn from_input(name: &str, birthdate: &str, today: NaiveDate) -> Result<Self, SignalError> {
        Self::new(ChildName::parse(name)?, Birthdate::parse(birthdate, today)?)
    }

    pub fn name(&self) -> &ChildName {
        &self.name
    }

    pub fn birthdate(&self) -> &Birthdate {
        &self.birthdate
    }

    pub fn codeword(&self) -> &'static str {
        CODEWORD
    }

    /// The key a receipt for this signal proves opening with. The office keeps it until the
    /// receipt comes; a device uses it only to sign its receipt.
    pub fn receipt_key(&self) -> &ReceiptKey {
        &self.receipt_key
    }

    /// The same child with a fresh receipt key: what the office seals on every send, so that
    /// opening one envelope proves nothing about another sent from the same typed signal.
    pub fn with_fresh_receipt_key(&self) -> Result<Self, KeyError> {
        Ok(Self { name: self.name.clone(), birthdate: self.birthdate.clone(), receipt_key: ReceiptKey::random()? })
    }

    /// The padded JSON plaintext that gets sealed.
    pub fn to_plaintext(&self) -> Zeroizing<Vec<u8>> {
        let iso = Zeroizing::new(self.birthdate.to_iso());
        let key = self.receipt_key.to_b64();
        let wire = Wire { name: self.name.expose(), birthdate: &iso, codeword: CODEWORD, receipt_key: &key };
        let mut out = Zeroizing::new(Vec::with_capacity(PLAINTEXT_BYTES));
        // Serialising three borrowed strings into a Vec cannot fail.
        let _ = serde_json::to_writer(&mut *out, &wire);
        if out.len() < PLAINTEXT_BYTES {
            out.resize(PLAINTEXT_BYTES, b' ');
        }
        out
    }

    /// Reads and re-validates a decrypted plaintext; `sent_on` is the envelope's creation day.
    /// The plaintext must be exactly what [`Signal::to_plaintext`] writes: the JSON object in its
    /// one written form, then spaces (0x20) up to [`PLAINTEXT_BYTES`], nothing else.
    pub fn from_plaintext(bytes: &[u8], sent_on: NaiveDate) -> Result<Self, SignalError> {
        if bytes.len() != PLAINTEXT_BYTES {
            return Err(SignalError::Malformed);
        }
        let json_len = bytes.iter().rposition(|&b| b != b' ').map_or(0, |last| last + 1);
        let wire: Wire<'_> = crate::exact_json::parse(&bytes[..json_len]).ok_or(SignalError::Malformed)?;
        if wire.codeword != CODEWORD {
            return Err(SignalError::WrongCodeword);
        }
        let name = ChildName::parse(wire.name)?;
        if name.expose() != wire.name {
            // The sender must send the normalised form; anything else was not made by us.
            return Err(SignalError::Malformed);
        }
        if !is_wire_date(wire.birthdate) {
            return Err(SignalError::Malformed);
        }
        let birthdate = Birthdate::parse(wire.birthdate, sent_on)?;
        if birthdate.to_iso() != wire.birthdate {
            return Err(SignalError::Malformed);
        }
        let receipt_key = ReceiptKey::from_b64(wire.receipt_key).ok_or(SignalError::Malformed)?;
        Ok(Self { name, birthdate, receipt_key })
    }
}

/// The wire form of a birthdate: `YYYY-MM-DD`, ten ASCII characters, digits and two hyphens.
fn is_wire_date(text: &str) -> bool {
    text.len() == 10
        && text.bytes().enumerate().all(|(i, b)| if i == 4 || i == 7 { b == b'-' } else { b.is_ascii_digit() })
}

impl fmt::Debug for Signal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Signal { .. }")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    #[test]
    fn plaintext_round_trip_is_fixed_length() {
        let signal = Signal::from_input("Zoë van 't Hooft-Çelik", "07-03-2016", today()).unwrap();
        let short = Signal::from_input("Li", "2016-03-07", today()).unwrap();
        assert_eq!(signal.to_plaintext().len(), PLAINTEXT_BYTES);
        assert_eq!(short.to_plaintext().len(), PLAINTEXT_BYTES);
        let back = Signal::from_plaintext(&signal.to_plaintext(), today()).unwrap();
        assert_eq!(back.name().expose(), "Zoë van 't Hooft-Çelik");
        assert_eq!(back.birthdate().to_iso(), "2016-03-07");
        assert_eq!(back.codeword(), "Handle with Care");
    }

    #[test]
    fn longest_name_fits_the_padding() {
        // 100 letters of four UTF-8 bytes each (CJK extension B) is the longest name in bytes.
        for name in ["ẞ".repeat(100), "𠀀".repeat(100)] {
            let signal = Signal::from_input(&name, "2016-03-07", today()).unwrap();
            let plaintext = signal.to_plaintext();
            assert_eq!(plaintext.len(), PLAINTEXT_BYTES);
            assert_eq!(plaintext[PLAINTEXT_BYTES - 1], b' ', "the JSON must leave room for padding");
            let back = Signal::from_plaintext(&plaintext, today()).unwrap();
            assert_eq!(back.name().expose(), name);
            assert_eq!(back.receipt_key(), signal.receipt_key());
        }
    }

    #[test]
    fn every_signal_gets_its_own_receipt_key_and_carries_it_sealed() {
        let a = Signal::from_input("Sem", "2016-03-07", today()).unwrap();
        let b = Signal::from_input("Sem", "2016-03-07", today()).unwrap();
        assert_ne!(a.receipt_key(), b.receipt_key());
        let back = Signal::from_plaintext(&a.to_plaintext(), today()).unwrap();
        assert_eq!(back.receipt_key(), a.receipt_key());
        let json = r#"{"name":"Sem","birthdate":"2016-03-07","codeword":"Handle with Care""#;
        for tail in [
            "}",
            r#","receipt_key":""}"#,
            r#","receipt_key":"AAAAAAAAAAAAAAAAAAAAAA"}"#,
            r#","receipt_key":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}"#,
            r#","receipt_key":"AAAAAAAAAAAAAAAAAAAAAB=="}"#,
            r#","receipt_key":1}"#,
        ] {
            let bytes = padded(&format!("{json}{tail}"));
            assert_eq!(Signal::from_plaintext(&bytes, today()).err(), Some(SignalError::Malformed), "{tail}");
        }
    }

    fn padded(json: &str) -> Vec<u8> {
        let mut bytes = json.as_bytes().to_vec();
        bytes.resize(PLAINTEXT_BYTES, b' ');
        bytes
    }

    #[test]
    fn refuses_extra_fields_wrong_codeword_and_bad_content() {
        let extra = padded(r#"{"name":"Sem","birthdate":"2016-03-07","codeword":"Handle with Care","note":"x"}"#);
        assert_eq!(Signal::from_plaintext(&extra, today()).err(), Some(SignalError::Malformed));
        let code = padded(
            r#"{"name":"Sem","birthdate":"2016-03-07","codeword":"Handle with care","receipt_key":"AAAAAAAAAAAAAAAAAAAAAA=="}"#,
        );
        assert_eq!(Signal::from_plaintext(&code, today()).err(), Some(SignalError::WrongCodeword));
        let html = padded(
            r#"{"name":"<b>Sem</b>","birthdate":"2016-03-07","codeword":"Handle with Care","receipt_key":"AAAAAAAAAAAAAAAAAAAAAA=="}"#,
        );
        assert_eq!(Signal::from_plaintext(&html, today()).err(), Some(SignalError::Name(NameError::Markup)));
        let future = padded(
            r#"{"name":"Sem","birthdate":"2030-03-07","codeword":"Handle with Care","receipt_key":"AAAAAAAAAAAAAAAAAAAAAA=="}"#,
        );
        assert_eq!(
            Signal::from_plaintext(&future, today()).err(),
            Some(SignalError::Birthdate(BirthdateError::InFuture))
        );
        let escaped = padded(
            r#"{"name":"S\u0065m","birthdate":"2016-03-07","codeword":"Handle with Care","receipt_key":"AAAAAAAAAAAAAAAAAAAAAA=="}"#,
        );
        assert_eq!(Signal::from_plaintext(&escaped, today()).err(), Some(SignalError::Malformed));
        assert_eq!(Signal::from_plaintext(b"{}", today()).err(), Some(SignalError::Malformed));
    }

    #[test]
    fn padding_is_spaces_after_the_exact_json_only() {
        let json = r#"{"name":"Sem","birthdate":"2016-03-07","codeword":"Handle with Care","receipt_key":"AAAAAAAAAAAAAAAAAAAAAA=="}"#;
        assert!(Signal::from_plaintext(&padded(json), today()).is_ok());
        let mut refused = Vec::new();
        for filler in [b'\t', b'\n', b'\r', 0] {
            let mut bytes = json.as_bytes().to_vec();
            bytes.resize(PLAINTEXT_BYTES, filler);
            refused.push(bytes);
        }
        let mut one_tab = padded(json);
        one_tab[PLAINTEXT_BYTES - 1] = b'\t';
        refused.push(one_tab);
        refused.push(padded(&format!(" {json}")));
        refused.push(padded(&format!("\n{json}")));
        refused.push(padded(r#"{"name": "Sem","birthdate":"2016-03-07","codeword":"Handle with Care","receipt_key":"AAAAAAAAAAAAAAAAAAAAAA=="}"#));
        refused.push(padded(r#"{"birthdate":"2016-03-07","name":"Sem","codeword":"Handle with Care","receipt_key":"AAAAAAAAAAAAAAAAAAAAAA=="}"#));
        refused.push(padded(r#"{"n\u0061me":"Sem","birthdate":"2016-03-07","codeword":"Handle with Care","receipt_key":"AAAAAAAAAAAAAAAAAAAAAA=="}"#));
        refused.push(padded(r#"{"name":"Sem","name":"Sem","birthdate":"2016-03-07","codeword":"Handle with Care","receipt_key":"AAAAAAAAAAAAAAAAAAAAAA=="}"#));
        for (i, bytes) in refused.iter().enumerate() {
            assert_eq!(Signal::from_plaintext(bytes, today()).err(), Some(SignalError::Malformed), "case {i}");
        }
    }

    #[test]
    fn birthdate_form_is_checked_before_the_calendar() {
        let with = |date: &str| {
            padded(&format!(
                r#"{{"name":"Sem","birthdate":"{date}","codeword":"Handle with Care","receipt_key":"AAAAAAAAAAAAAAAAAAAAAA=="}}"#
            ))
        };
        for form in ["07-03-2030", "2030-3-07", "07-03-2016", "2016-3-7", " 2016-03-07"] {
            assert_eq!(Signal::from_plaintext(&with(form), today()).err(), Some(SignalError::Malformed), "{form}");
        }
        assert_eq!(
            Signal::from_plaintext(&with("2016-02-30"), today()).err(),
            Some(SignalError::Birthdate(BirthdateError::NotADate))
        );
    }

    #[test]
    fn debug_is_redacted() {
        let signal = Signal::from_input("Sem de Vries", "2016-03-07", today()).unwrap();
        assert_eq!(format!("{signal:?}"), "Signal { .. }");
    }
}
