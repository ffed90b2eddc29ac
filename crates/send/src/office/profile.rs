//! The school profile from the office's side: the sender's name and each school's sector are
//! kept here, and published to the relay as a profile signed with the office key, which the
//! school's devices fetch and check (see `hwc_protocol::profile`).

use super::Office;
use crate::error::{Result, SendError};
use crate::relay_client::RelayError;
use chrono::{DateTime, Utc};
use hwc_protocol::{Brin, SchoolProfile, Sector, SenderName};

/// Why the relay did not take something new, in words: a relay from before it (404) must be
/// updated, which trying again does not fix.
pub(crate) fn relay_reason(err: &RelayError) -> String {
    match err {
        RelayError::Api { status: 404, .. } => {
            "de relay is ouder dan dit programma en kent dit nog niet; vraag de beheerder de relay bij te werken".into()
        }
        other => other.to_string(),
    }
}

/// The sender's name a school sees while this office has set none.
pub const DEFAULT_SENDER: &str = "leerplicht";

impl Office {
    /// The sender's name this office set, if any.
    pub fn sender_name(&self) -> Result<Option<SenderName>> {
        self.store.sender_name()
    }

    /// Sets (or clears) the sender's name. Publish it to the schools afterwards with
    /// [`Office::publish_profile`].
    pub fn set_sender_name(&mut self, name: Option<&SenderName>) -> Result<()> {
        self.store.set_sender_name(name)
    }

    /// A known school's sector, if recorded.
    pub fn sector(&self, brin: Brin) -> Result<Option<Sector>> {
        self.store.sector(brin)
    }

    /// Records a known school's sector. Publish it afterwards with [`Office::publish_profile`].
    pub fn set_sector(&mut self, brin: Brin, sector: Option<Sector>) -> Result<()> {
        if !self.store.set_sector(brin, sector)? {
            return Err(SendError::SchoolNotKnown { brin });
        }
        Ok(())
    }

    /// The profile `brin`'s devices get at `now`: the sender's name (or [`DEFAULT_SENDER`])
    /// and the school's sector (or primary school's words).
    pub fn profile_of(&self, brin: Brin, now: DateTime<Utc>) -> Result<SchoolProfile> {
        let sender = match self.store.sender_name()? {
            Some(name) => name,
            None => SenderName::parse(DEFAULT_SENDER).map_err(|_| SendError::CorruptState("naam van de afzender"))?,
        };
        Ok(SchoolProfile {
            school: brin,
            sender,
            sector: self.store.sector(brin)?.unwrap_or(Sector::Po),
            issued_at: now.timestamp(),
        })
    }

    /// Signs `brin`'s profile as at `now` and gives it to the relay, where the school's devices
    /// fetch it.
    pub fn publish_profile(&self, brin: Brin, now: DateTime<Utc>) -> Result<()> {
        let frame = self.profile_of(brin, now)?.seal(&self.key);
        self.relay
            .publish_profile(&self.key, brin, &frame)
            .map_err(|err| SendError::ProfileNotPublished { brin, reason: relay_reason(&err) })
    }
}
