//! The school profile: who sends this school its signals and what kind of school it is, signed
//! by the office, so the school's screens name the sender ("Veilig Thuis Gooi en Vechtstreek"
//! instead of "leerplicht") and the person to tell ("de mentor" in secondary school). It holds
//! no personal data: a BRIN code, an organisation's name, a sector and a time.
//!
//! It travels in a signed frame, kind `HWP`, version `1` (see [`crate::signed_frame`]); the body
//! is the exact JSON `{"school":"12AB","sender":"…","sector":"vo","issued_at":…}`. A device
//! accepts only a profile signed by the office key it trusts, for its own school, and never one
//! older than the profile it has.

use crate::brin::Brin;
use crate::enrollment::Role;
use crate::keys::{OfficePublicKey, OfficeSigningKey};
use crate::signed_frame::{open_frame, seal_frame, FrameError, FrameKind};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Largest profile frame accepted, in bytes.
pub const MAX_PROFILE_BYTES: usize = 1024;
/// Longest sender name, in characters.
pub const MAX_SENDER_CHARS: usize = 60;

/// The kind of school, which decides the words on its screens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sector {
    /// Primary school (basisonderwijs).
    Po,
    /// Special education (speciaal onderwijs).
    So,
    /// Secondary school (voortgezet onderwijs).
    Vo,
    /// Vocational college (middelbaar beroepsonderwijs).
    Mbo,
}

impl Sector {
    pub const ALL: [Sector; 4] = [Sector::Po, Sector::So, Sector::Vo, Sector::Mbo];

    pub fn as_str(self) -> &'static str {
        match self {
            Sector::Po => "po",
            Sector::So => "so",
            Sector::Vo => "vo",
            Sector::Mbo => "mbo",
        }
    }

    /// The sector in words, for the office.
    pub fn dutch(self) -> &'static str {
        match self {
            Sector::Po => "basisonderwijs",
            Sector::So => "speciaal onderwijs",
            Sector::Vo => "voortgezet onderwijs",
            Sector::Mbo => "mbo",
        }
    }

    /// Whom the school tells, verbally, about a signal.
    pub fn tell_whom(self) -> &'static str {
        match self {
            Sector::Po | Sector::So => "de leerkracht",
            Sector::Vo => "de mentor",
            Sector::Mbo => "de mentor of studieloopbaanbegeleider",
        }
    }

    /// What a device's role is called in this kind of school.
    pub fn role_name(self, role: Role) -> &'static str {
        match (self, role) {
            (Sector::Po | Sector::So, Role::Director) => "directeur",
            (Sector::Po | Sector::So, Role::Backup) => "intern begeleider (achterwacht)",
            (Sector::Vo, Role::Director) => "zorgcoördinator",
            (Sector::Mbo, Role::Director) => "ondersteuningscoördinator",
            (Sector::Vo | Sector::Mbo, Role::Backup) => "achterwacht",
        }
    }
}

impl fmt::Display for Sector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Sector {
    type Err = ProfileError;
    fn from_str(text: &str) -> Result<Self, ProfileError> {
        let text = text.trim().to_lowercase();
        Sector::ALL.into_iter().find(|s| s.as_str() == text).ok_or(ProfileError::UnknownSector)
    }
}

/// The name of the organisation that sends a school its signals, as its screens show it.
/// Letters, digits, spaces and `-'.,&()/`, 2 to [`MAX_SENDER_CHARS`] characters, no spaces at
/// either end or twice in a row: nothing a screen or a sentence could misread.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct SenderName(String);

impl SenderName {
    pub fn parse(text: &str) -> Result<Self, ProfileError> {
        let chars = text.chars().count();
        if !(2..=MAX_SENDER_CHARS).contains(&chars) {
            return Err(ProfileError::SenderLength);
        }
        let allowed = |c: char| c.is_alphanumeric() || c == ' ' || "-'.,&()/".contains(c);
        if !text.chars().all(allowed)
            || text.starts_with(' ')
            || text.ends_with(' ')
            || text.contains("  ")
            || !text.chars().any(char::is_alphabetic)
        {
            return Err(ProfileError::SenderCharacters);
        }
        Ok(Self(text.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for SenderName {
    type Error = ProfileError;
    fn try_from(text: String) -> Result<Self, ProfileError> {
        Self::parse(&text)
    }
}

impl From<SenderName> for String {
    fn from(name: SenderName) -> String {
        name.0
    }
}

impl fmt::Display for SenderName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The body of a profile frame.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SchoolProfile {
    pub school: Brin,
    pub sender: SenderName,
    pub sector: Sector,
    /// Unix seconds when the office made it: a device keeps the newest.
    pub issued_at: i64,
}

/// Why a profile, or a part typed for one, was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProfileError {
    #[error(transparent)]
    Frame(#[from] FrameError),
    #[error("het schoolprofiel heeft niet de juiste vorm")]
    Malformed,
    #[error("het schoolprofiel is voor een andere school")]
    OtherSchool,
    #[error("de naam van de afzender moet 2 tot en met {MAX_SENDER_CHARS} tekens lang zijn")]
    SenderLength,
    #[error("de naam van de afzender mag alleen letters, cijfers, spaties en - ' . , & ( ) / bevatten, zonder spatie aan het begin of eind")]
    SenderCharacters,
    #[error("onbekende sector: kies po, so, vo of mbo")]
    UnknownSector,
}

impl SchoolProfile {
    /// Signs the profile with the office key, as a frame for the relay.
    pub fn seal(&self, key: &OfficeSigningKey) -> Vec<u8> {
        // A BRIN code, a checked name, an enum and a number always serialise.
        let body = serde_json::to_vec(self).unwrap_or_default();
        seal_frame(FrameKind::Profile, &body, |m| key.sign(m))
    }

    /// Checks the office's signature, the exact body and that it is for `school`.
    pub fn open(bytes: &[u8], office: &OfficePublicKey, school: Brin) -> Result<Self, ProfileError> {
        let body = open_frame(FrameKind::Profile, bytes, MAX_PROFILE_BYTES, |m, s| office.verify(m, s))?;
        let profile: SchoolProfile = crate::exact_json::parse(body).ok_or(ProfileError::Malformed)?;
        if profile.school != school {
            return Err(ProfileError::OtherSchool);
        }
        Ok(profile)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(school: &str) -> SchoolProfile {
        SchoolProfile {
            school: school.parse().unwrap(),
            sender: SenderName::parse("Veilig Thuis Gooi en Vechtstreek").unwrap(),
            sector: Sector::Vo,
            issued_at: 1_800_000_000,
        }
    }

    #[test]
    fn a_profile_opens_only_with_its_office_key_for_its_school() {
        let office = OfficeSigningKey::generate().unwrap();
        let frame = profile("12AB").seal(&office);
        assert!(frame.starts_with(b"HWP1{\"school\":\"12AB\",\"sender\":\"Veilig Thuis Gooi en Vechtstreek\",\"sector\":\"vo\",\"issued_at\":1800000000}"));
        assert_eq!(SchoolProfile::open(&frame, &office.public(), "12AB".parse().unwrap()).unwrap(), profile("12AB"));
        assert_eq!(
            SchoolProfile::open(&frame, &office.public(), "34CD".parse().unwrap()),
            Err(ProfileError::OtherSchool)
        );
        let stranger = OfficeSigningKey::generate().unwrap().public();
        assert_eq!(
            SchoolProfile::open(&frame, &stranger, "12AB".parse().unwrap()),
            Err(ProfileError::Frame(FrameError::BadSignature))
        );
        // An envelope's or a receipt's frame is not a profile, even with a valid signature.
        let envelope_kind = seal_frame(FrameKind::Envelope, &frame[4..frame.len() - 64], |m| office.sign(m));
        assert!(matches!(
            SchoolProfile::open(&envelope_kind, &office.public(), "12AB".parse().unwrap()),
            Err(ProfileError::Frame(FrameError::WrongKind(_)))
        ));
        // Any other writing of the same body is refused, signed or not.
        let spaced = seal_frame(
            FrameKind::Profile,
            br#"{"school":"12AB", "sender":"Leerplicht","sector":"po","issued_at":1}"#,
            |m| office.sign(m),
        );
        assert_eq!(
            SchoolProfile::open(&spaced, &office.public(), "12AB".parse().unwrap()),
            Err(ProfileError::Malformed)
        );
        let bad_name = seal_frame(
            FrameKind::Profile,
            br#"{"school":"12AB","sender":"<script>","sector":"po","issued_at":1}"#,
            |m| office.sign(m),
        );
        assert_eq!(
            SchoolProfile::open(&bad_name, &office.public(), "12AB".parse().unwrap()),
            Err(ProfileError::Malformed)
        );
    }

    #[test]
    fn sender_names_are_plain_organisation_names() {
        for good in [
            "Leerplicht Tilburg",
            "Veilig Thuis Gooi en Vechtstreek",
            "RBL Hart van Brabant",
            "Bureau Leerplicht 's-Hertogenbosch",
            "Gemeente Súdwest-Fryslân",
            "VT",
        ] {
            assert_eq!(SenderName::parse(good).unwrap().as_str(), good);
        }
        for (bad, error) in [
            ("L", ProfileError::SenderLength),
            (&"a".repeat(61)[..], ProfileError::SenderLength),
            ("<b>Leerplicht</b>", ProfileError::SenderCharacters),
            (" Leerplicht", ProfileError::SenderCharacters),
            ("Leerplicht ", ProfileError::SenderCharacters),
            ("Leer  plicht", ProfileError::SenderCharacters),
            ("Leerplicht\n", ProfileError::SenderCharacters),
            ("\"Leerplicht\"", ProfileError::SenderCharacters),
            ("12 34", ProfileError::SenderCharacters),
        ] {
            assert_eq!(SenderName::parse(bad), Err(error), "{bad:?}");
        }
    }

    #[test]
    fn each_sector_has_its_words() {
        assert_eq!("VO".parse::<Sector>().unwrap(), Sector::Vo);
        assert_eq!("hbo".parse::<Sector>(), Err(ProfileError::UnknownSector));
        assert_eq!(Sector::Po.tell_whom(), "de leerkracht");
        assert_eq!(Sector::Vo.tell_whom(), "de mentor");
        assert_eq!(Sector::Vo.role_name(Role::Director), "zorgcoördinator");
        assert_eq!(Sector::Mbo.role_name(Role::Director), "ondersteuningscoördinator");
        assert_eq!(Sector::Po.role_name(Role::Backup), "intern begeleider (achterwacht)");
        for sector in Sector::ALL {
            assert_eq!(sector.as_str().parse::<Sector>().unwrap(), sector);
        }
    }
}
