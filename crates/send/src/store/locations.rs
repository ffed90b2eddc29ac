//! A school's locations (*vestigingen*) and which of them each device serves. A device with no
//! location of its own serves the whole school, as every device did before locations existed.

use super::Store;
use crate::error::{Result, SendError};
use hwc_protocol::{Brin, DeviceId, LocationNumber};
use rusqlite::params;

/// One recorded location of a school.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub number: LocationNumber,
    /// The name the office gave it, such as "De Linde".
    pub name: Option<String>,
}

fn number_from(text: String) -> rusqlite::Result<LocationNumber> {
    text.parse()
        .map_err(|_| rusqlite::Error::InvalidColumnType(0, "vestigingsnummer".into(), rusqlite::types::Type::Text))
}

impl Store {
    /// The school's recorded locations, by number.
    pub fn locations(&self, brin: Brin) -> Result<Vec<Location>> {
        let mut stmt = self.conn().prepare("SELECT number, label FROM locations WHERE brin = ?1 ORDER BY number")?;
        let rows =
            stmt.query_map([brin.as_str()], |r| Ok(Location { number: number_from(r.get(0)?)?, name: r.get(1)? }))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Records a location of a known school, or renames it (without a name, a name given
    /// before stays).
    pub fn set_location(&self, brin: Brin, number: LocationNumber, name: Option<&str>) -> Result<()> {
        if !self.schools()?.contains(&brin) {
            return Err(SendError::SchoolNotKnown { brin });
        }
        self.conn().execute(
            "INSERT INTO locations (brin, number, label) VALUES (?1, ?2, ?3)
             ON CONFLICT (brin, number) DO UPDATE SET label = COALESCE(excluded.label, label)",
            params![brin.as_str(), number.to_string(), name],
        )?;
        Ok(())
    }

    /// Deletes a location (the devices that served it no longer do); whether there was one.
    pub fn remove_location(&self, brin: Brin, number: LocationNumber) -> Result<bool> {
        let removed = self.conn().execute(
            "DELETE FROM locations WHERE brin = ?1 AND number = ?2",
            params![brin.as_str(), number.to_string()],
        )?;
        Ok(removed == 1)
    }

    /// The locations a device serves; empty: the whole school.
    pub fn device_locations(&self, device_id: DeviceId) -> Result<Vec<LocationNumber>> {
        let mut stmt =
            self.conn().prepare("SELECT number FROM device_locations WHERE device_id = ?1 ORDER BY number")?;
        let rows = stmt.query_map([device_id.to_string()], |r| number_from(r.get(0)?))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Sets the locations a verified device of `brin` serves (empty: the whole school). Each
    /// must be a recorded location of the school.
    pub fn set_device_locations(&mut self, brin: Brin, device_id: DeviceId, numbers: &[LocationNumber]) -> Result<()> {
        let known = self.locations(brin)?;
        if let Some(missing) = numbers.iter().find(|n| !known.iter().any(|l| l.number == **n)) {
            return Err(SendError::LocationNotKnown { brin, number: *missing });
        }
        if !self.devices(brin)?.iter().any(|d| d.device_id == device_id) {
            return Err(SendError::DeviceNotFound { brin, device: device_id });
        }
        let tx = self.conn_mut().transaction()?;
        tx.execute("DELETE FROM device_locations WHERE device_id = ?1", [device_id.to_string()])?;
        for number in numbers {
            tx.execute(
                "INSERT OR IGNORE INTO device_locations (device_id, brin, number) VALUES (?1, ?2, ?3)",
                params![device_id.to_string(), brin.as_str(), number.to_string()],
            )?;
        }
        tx.commit()?;
        Ok(())
    }
}
