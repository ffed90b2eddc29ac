//! What the office tells each school about itself: the sender's name (one per office, shown on
//! every school screen that would otherwise say "leerplicht") and each school's sector (which
//! decides whom the school tells, "de leerkracht" or "de mentor").

use super::Store;
use crate::error::{Result, SendError};
use hwc_protocol::{Brin, Sector, SenderName};
use rusqlite::params;

impl Store {
    /// The sender's name this office set, if any.
    pub fn sender_name(&self) -> Result<Option<SenderName>> {
        let name: Option<String> =
            self.conn().query_row("SELECT sender FROM settings WHERE id = 1", [], |r| r.get(0))?;
        name.map(|n| SenderName::parse(&n).map_err(|_| SendError::CorruptState("naam van de afzender"))).transpose()
    }

    /// Sets (or with `None` clears) the sender's name.
    pub fn set_sender_name(&self, name: Option<&SenderName>) -> Result<()> {
        self.conn().execute("UPDATE settings SET sender = ?1 WHERE id = 1", [name.map(SenderName::as_str)])?;
        Ok(())
    }

    /// A known school's sector, if recorded.
    pub fn sector(&self, brin: Brin) -> Result<Option<Sector>> {
        let sector: Option<Option<String>> = self
            .conn()
            .query_row("SELECT sector FROM schools WHERE brin = ?1", [brin.as_str()], |r| r.get(0))
            .map(Some)
            .or_else(|e| if e == rusqlite::Error::QueryReturnedNoRows { Ok(None) } else { Err(e) })?;
        sector.flatten().map(|s| s.parse().map_err(|_| SendError::CorruptState("sector"))).transpose()
    }

    /// Records a known school's sector; false when the school is not known here.
    pub fn set_sector(&self, brin: Brin, sector: Option<Sector>) -> Result<bool> {
        let changed = self.conn().execute(
            "UPDATE schools SET sector = ?1 WHERE brin = ?2",
            params![sector.map(Sector::as_str), brin.as_str()],
        )?;
        Ok(changed == 1)
    }
}
