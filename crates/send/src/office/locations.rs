//! Locations (*vestigingen*) from the office's side: a school's locations, which of them each
//! device serves, and so which devices get a copy of a signal for one location. This is the
//! office's choice alone: the relay delivers an envelope only to the devices it has a copy for,
//! so nothing changes in the envelope, the relay or the school's app.

use super::Office;
use crate::error::{Result, SendError};
use crate::store::{LocalDevice, Location};
use hwc_protocol::{Brin, Destination, DeviceId, LocationNumber, SchoolLocation};

/// A location's name as the office types it: 2 to 60 characters, letters, digits, spaces and
/// `-'.,&()/`, at least one letter (the rule of the sender's name).
fn checked_name(text: &str) -> Result<String> {
    let name = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let length = name.chars().count();
    let allowed = |c: char| c.is_alphanumeric() || c == ' ' || "-'.,&()/".contains(c);
    if !(2..=60).contains(&length) || !name.chars().all(allowed) || !name.chars().any(char::is_alphabetic) {
        return Err(SendError::LocationName);
    }
    Ok(name)
}

impl Office {
    /// A known school's recorded locations, by number.
    pub fn locations(&self, brin: Brin) -> Result<Vec<Location>> {
        self.store.locations(brin)
    }

    /// Records a location of a known school, with the name the office knows it by (or renames it).
    pub fn set_location(&mut self, location: SchoolLocation, name: Option<&str>) -> Result<()> {
        let name = name.map(checked_name).transpose()?;
        self.store.set_location(location.school, location.number, name.as_deref())
    }

    /// Deletes a recorded location; its devices serve their other locations, or the whole school
    /// when it was their only one.
    pub fn remove_location(&mut self, location: SchoolLocation) -> Result<()> {
        if self.store.remove_location(location.school, location.number)? {
            Ok(())
        } else {
            Err(SendError::LocationNotKnown { brin: location.school, number: location.number })
        }
    }

    /// The locations a verified device serves; empty: the whole school.
    pub fn device_locations(&self, device_id: DeviceId) -> Result<Vec<LocationNumber>> {
        self.store.device_locations(device_id)
    }

    /// Sets which recorded locations of its school a verified device serves (a director may hold
    /// one device for several); empty: the whole school.
    pub fn set_device_locations(&mut self, brin: Brin, device_id: DeviceId, numbers: &[LocationNumber]) -> Result<()> {
        self.store.set_device_locations(brin, device_id, numbers)
    }

    /// The verified devices a signal for `to` is sealed to (also those verified under an
    /// earlier office key, which the caller leaves out). A whole school with more than one
    /// recorded location is refused: the officer names the child's location.
    pub fn devices_for(&self, to: Destination) -> Result<Vec<LocalDevice>> {
        let brin = to.school();
        let devices = self.store.devices(brin)?;
        let locations = self.store.locations(brin)?;
        let Some(number) = to.location() else {
            if let [first, _, ..] = locations.as_slice() {
                let numbers = locations.iter().map(|l| l.number.to_string()).collect::<Vec<_>>().join(", ");
                return Err(SendError::LocationNeeded { brin, numbers, first: first.number });
            }
            return Ok(devices);
        };
        if !locations.iter().any(|l| l.number == number) {
            if !self.store.schools()?.contains(&brin) {
                return Err(SendError::SchoolNotKnown { brin });
            }
            return Err(SendError::LocationNotKnown { brin, number });
        }
        let mut serving = Vec::new();
        for device in devices {
            let served = self.store.device_locations(device.device_id)?;
            if served.is_empty() || served.contains(&number) {
                serving.push(device);
            }
        }
        Ok(serving)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::KeySource;
    use hwc_protocol::{DeviceOpenKey, DevicePublicKeys, DeviceSigningKey, Role};

    fn device(office: &Office, school: Brin, role: Role) -> DeviceId {
        let keys = DevicePublicKeys::of(&DeviceSigningKey::generate().unwrap(), &DeviceOpenKey::generate().unwrap());
        let device =
            LocalDevice { device_id: keys.device_id(), school, role, keys, verified_at: 1, previous_key: false };
        office.store.add_device(&device).unwrap();
        device.device_id
    }

    /// The devices' ids, sorted.
    fn ids(devices: Vec<LocalDevice>) -> Vec<DeviceId> {
        let mut ids: Vec<DeviceId> = devices.into_iter().map(|d| d.device_id).collect();
        ids.sort();
        ids
    }

    #[test]
    fn a_signal_for_a_location_goes_to_the_devices_that_serve_it() {
        let tmp = tempfile::tempdir().unwrap();
        let mut office =
            Office::init(&tmp.path().join("s"), KeySource::File(tmp.path().join("k")), "http://127.0.0.1:9").unwrap();
        let school: Brin = "12AB".parse().unwrap();
        let (one, two): (SchoolLocation, SchoolLocation) = ("12AB01".parse().unwrap(), "12AB02".parse().unwrap());
        let unknown = Destination::Location("99ZZ01".parse().unwrap());
        assert!(matches!(office.devices_for(unknown), Err(SendError::SchoolNotKnown { .. })));
        assert!(matches!(office.set_location(one, None), Err(SendError::SchoolNotKnown { .. })));
        let director = device(&office, school, Role::Director);
        let backup = device(&office, school, Role::Backup);
        let both = ids(office.store.devices(school).unwrap());

        // Without locations, and with one, the whole school is every device.
        assert_eq!(ids(office.devices_for(Destination::School(school)).unwrap()), both);
        office.set_location(one, Some("  De   Linde ")).unwrap();
        office.set_location(one, None).unwrap();
        assert_eq!(office.locations(school).unwrap()[0].name.as_deref(), Some("De Linde"));
        assert_eq!(ids(office.devices_for(Destination::School(school)).unwrap()), both);
        assert!(matches!(office.set_location(two, Some("<b>")), Err(SendError::LocationName)));
        office.set_location(two, Some("De Eik (dependance)")).unwrap();

        // Two locations: the officer names one; a device without its own serves both.
        let err = office.devices_for(Destination::School(school)).unwrap_err();
        assert!(err.to_string().contains("01, 02") && err.to_string().contains("12AB01"), "{err}");
        office.set_device_locations(school, backup, &[two.number]).unwrap();
        assert_eq!(ids(office.devices_for(Destination::Location(one)).unwrap()), [director]);
        assert_eq!(ids(office.devices_for(Destination::Location(two)).unwrap()), both);
        office.set_device_locations(school, director, &[one.number]).unwrap();
        assert_eq!(ids(office.devices_for(Destination::Location(two)).unwrap()), [backup]);
        let three: SchoolLocation = "12AB03".parse().unwrap();
        assert!(matches!(office.devices_for(Destination::Location(three)), Err(SendError::LocationNotKnown { .. })));
        assert!(matches!(
            office.set_device_locations(school, director, &[three.number]),
            Err(SendError::LocationNotKnown { .. })
        ));

        // Removing a location frees its devices; removing a device forgets its locations.
        office.remove_location(two).unwrap();
        assert!(office.device_locations(backup).unwrap().is_empty());
        assert_eq!(ids(office.devices_for(Destination::Location(one)).unwrap()), both);
        office.store.remove_device(school, director).unwrap();
        assert!(office.device_locations(director).unwrap().is_empty());
        assert!(matches!(office.remove_location(two), Err(SendError::LocationNotKnown { .. })));
    }
}
