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

    /// The words for this device's screens: from the profile, else the defaults.
    pub fn screen_words(&self) -> Result<ScreenWords> {
        Ok(match self.profile()? {
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
        })
    }

    /// Asks the relay for the school's profile (`GET /v1/school/profile`) and keeps it when it
    /// is signed by this device's office, for its school, and not older than the one kept.
    /// An error only when the relay could not be asked.
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
        if self.profile()?.is_some_and(|kept| kept.issued_at >= fetched.issued_at) {
            return Ok(ProfileFetch::Unchanged);
        }
        self.vault.set(Setting::Profile, &b64(&frame))?;
        Ok(ProfileFetch::Updated)
    }

    /// [`SchoolClient::refresh_profile`] when the last check is [`PROFILE_CHECK_SECS`] ago or
    /// there was none. Whatever goes wrong, the profile kept stays and nothing else waits for
    /// it: words on a screen must never stand between a school and its signals.
    pub(crate) fn refresh_profile_if_due(&mut self) {
        let checked: Option<i64> =
            self.vault.get(Setting::ProfileCheckedAt).ok().flatten().and_then(|t| t.parse().ok());
        if checked.is_some_and(|at| (0..PROFILE_CHECK_SECS).contains(&(self.now() - at))) {
            return;
        }
        let _ = self.refresh_profile();
    }
}
