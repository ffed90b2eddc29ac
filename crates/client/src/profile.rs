//! The school profile on this device: who sends the school its signals and whom the school
//! tells, so every screen names them ("Veilig Thuis Gooi en Vechtstreek", "de mentor") instead
//! of "leerplicht" and "de leerkracht". Fetched from the relay now and then, checked against the
//! office key this device trusts and its own school, never replaced by an older one, and kept
//! in the vault as the signed frame (checked again on every read). No personal data.

use crate::client::SchoolClient;
use crate::error::Result;
use crate::relay_client::RelayError;
use crate::vault::Setting;
use hwc_protocol::encoding::{b64, unb64};
use hwc_protocol::{Role, SchoolProfile};

/// How often the relay is asked for a newer profile (it changes rarely: the office's name, the
/// school's sector).
pub const PROFILE_CHECK_SECS: i64 = 6 * 3600;

/// A profile signed more than this far ahead of this computer's clock is refused: an office
/// clock that ran ahead once must not make every later, correct profile look older.
pub const PROFILE_MAX_AHEAD_SECS: i64 = 24 * 3600;

/// The sender's name while the office has published none.
pub const DEFAULT_SENDER: &str = "leerplicht";
/// Whom the school tells while the office has published no sector.
pub const DEFAULT_TELL_WHOM: &str = "de leerkracht";

/// The words this device's screens use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScreenWords {
    /// Who sends the signals and gets the receipts, as used mid-sentence ("leerplicht",
    /// "Veilig Thuis Gooi en Vechtstreek").
    pub sender: String,
    /// Whom the school tells ("de leerkracht", "de mentor").
    pub tell_whom: &'static str,
    /// What this device's role is called in this school ("directeur", "zorgcoördinator").
    pub role_name: &'static str,
}

impl ScreenWords {
    /// `text` (a message of this core, written with the defaults) in this school's words: every
    /// whole word "leerplicht" becomes the sender's name, so an error or a notice tells the
    /// person whom to call ("neem contact op met Veilig Thuis Gooi en Vechtstreek").
    pub fn in_own_words(&self, text: &str) -> String {
        if self.sender == DEFAULT_SENDER {
            return text.to_string();
        }
        let mut out = String::with_capacity(text.len() + self.sender.len());
        let mut rest = text;
        while let Some(at) = rest.find(DEFAULT_SENDER) {
            let after = &rest[at + DEFAULT_SENDER.len()..];
            let starts_word = !rest[..at].chars().next_back().is_some_and(char::is_alphanumeric);
            let ends_word = !after.chars().next().is_some_and(char::is_alphanumeric);
            out.push_str(&rest[..at]);
            out.push_str(if starts_word && ends_word { &self.sender } else { DEFAULT_SENDER });
            rest = after;
        }
        out.push_str(rest);
        out
    }
}

/// What a profile fetch did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProfileFetch {
    /// A newer profile is kept.
    Updated,
    /// The relay had the same or an older one, or none.
    Unchanged,
    /// The relay's profile was refused (not signed by this device's office, another school,
    /// malformed); the one kept before stays.
    Refused,
}

impl SchoolClient {
    /// The checked profile this device keeps, if any.
    pub fn profile(&self) -> Result<Option<SchoolProfile>> {
        let Some(text) = self.vault.get(Setting::Profile)? else { return Ok(None) };
        // Checked on every read: a vault row that does not hold holds nothing.
        Ok(unb64(&text).and_then(|frame| SchoolProfile::open(&frame, &self.office_key, self.school).ok()))
    }

    /// The words for this device's screens: from the profile, else (none kept, or the vault
    /// could not be read) the defaults. Never an error: words must not stop a screen.
    pub fn screen_words(&self) -> ScreenWords {
        match self.profile().ok().flatten() {
            Some(profile) => ScreenWords {
                sender: profile.sender.to_string(),
                tell_whom: profile.sector.tell_whom(),
                role_name: profile.sector.role_name(self.role),
            },
            None => ScreenWords {
                sender: DEFAULT_SENDER.to_string(),
                tell_whom: DEFAULT_TELL_WHOM,
                role_name: match self.role {
                    Role::Director => "directeur",
                    Role::Backup => "achterwacht",
                },
            },
        }
    }

    /// Asks the relay for the school's profile (`GET /v1/school/profile`) and keeps it when it
    /// is signed by this device's office, for its school, not more than
    /// [`PROFILE_MAX_AHEAD_SECS`] ahead of this clock, and newer than the one kept (or as new
    /// and different: two publications in one second). An error only when the relay could not
    /// be asked.
    pub fn refresh_profile(&mut self) -> Result<ProfileFetch> {
        self.alive()?;
        let key = self.signing_key()?;
        let answer = self.relay.profile(&self.auth(&key), self.now());
        drop(key);
        let now = self.now().to_string();
        let frame = match answer {
            Ok(frame) => frame,
            // None published yet, or a relay from before profiles.
            Err(RelayError::Refused { status: 404, .. }) => {
                self.vault.set(Setting::ProfileCheckedAt, &now)?;
                return Ok(ProfileFetch::Unchanged);
            }
            Err(e) => return Err(e.into()),
        };
        self.vault.set(Setting::ProfileCheckedAt, &now)?;
        let Ok(fetched) = SchoolProfile::open(&frame, &self.office_key, self.school) else {
            return Ok(ProfileFetch::Refused);
        };
        if fetched.issued_at > self.now().saturating_add(PROFILE_MAX_AHEAD_SECS) {
            return Ok(ProfileFetch::Refused);
        }
        if let Some(kept) = self.profile()? {
            let older = fetched.issued_at < kept.issued_at;
            let same = fetched.issued_at == kept.issued_at && fetched == kept;
            if older || same {
                return Ok(ProfileFetch::Unchanged);
            }
        }
        self.vault.set(Setting::Profile, &b64(&frame))?;
        Ok(ProfileFetch::Updated)
    }

    /// [`SchoolClient::refresh_profile`] when the last try is [`PROFILE_CHECK_SECS`] ago or
    /// there was none. The try is noted first, so a relay that fails or is slow is asked again
    /// only six hours later (or with the next new signal), not on every poll. Whatever goes
    /// wrong, the profile kept stays: words on a screen must never stand between a school and
    /// its signals.
    pub(crate) fn refresh_profile_if_due(&mut self) {
        let checked: Option<i64> =
            self.vault.get(Setting::ProfileCheckedAt).ok().flatten().and_then(|t| t.parse().ok());
        if checked.is_some_and(|at| (0..PROFILE_CHECK_SECS).contains(&(self.now() - at))) {
            return;
        }
        if self.vault.set(Setting::ProfileCheckedAt, &self.now().to_string()).is_err() {
            return;
        }
        let _ = self.refresh_profile();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(sender: &str) -> ScreenWords {
        ScreenWords { sender: sender.into(), tell_whom: DEFAULT_TELL_WHOM, role_name: "directeur" }
    }

    #[test]
    fn messages_name_the_sender_of_this_school() {
        let vt = words("Veilig Thuis Gooi en Vechtstreek");
        assert_eq!(
            vt.in_own_words("meld het opnieuw aan met een nieuwe code van leerplicht; bel leerplicht"),
            "meld het opnieuw aan met een nieuwe code van Veilig Thuis Gooi en Vechtstreek; bel Veilig Thuis Gooi en Vechtstreek"
        );
        // Only the whole word: a longer word that holds it stays as it is.
        assert_eq!(vt.in_own_words("de leerplichtambtenaar belt"), "de leerplichtambtenaar belt");
        assert_eq!(vt.in_own_words("geen afzender genoemd"), "geen afzender genoemd");
        assert_eq!(words(DEFAULT_SENDER).in_own_words("bel leerplicht"), "bel leerplicht");
    }
}
