//! A school's location (*vestiging*): its BRIN code and a two-digit number, written together
//! as DUO does, `12AB01`. Signals are addressed to a school or to one of its locations; the
//! location is for the office only (it decides which devices get a copy) and never travels in
//! an envelope.

use crate::brin::Brin;
use std::fmt;
use std::str::FromStr;

/// A location's number within its school: `00` to `99`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LocationNumber(u8);

/// A school and one of its locations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SchoolLocation {
    pub school: Brin,
    pub number: LocationNumber,
}

/// Where a signal goes: a whole school or one of its locations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Destination {
    School(Brin),
    Location(SchoolLocation),
}

/// Why a location or destination was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LocationError {
    #[error("een vestigingsnummer bestaat uit 2 cijfers, zoals 01")]
    Number,
    #[error("een vestiging is de BRIN-code met het vestigingsnummer erachter: twee cijfers, twee hoofdletters of cijfers en dan twee cijfers, zoals 12AB01")]
    Location,
    #[error("geef een BRIN-code (zoals 12AB) of een vestiging (BRIN-code met vestigingsnummer, zoals 12AB01)")]
    Destination,
}

impl LocationNumber {
    pub fn new(number: u8) -> Option<Self> {
        (number <= 99).then_some(Self(number))
    }

    pub fn get(self) -> u8 {
        self.0
    }
}

impl FromStr for LocationNumber {
    type Err = LocationError;
    fn from_str(text: &str) -> Result<Self, LocationError> {
        match text.as_bytes() {
            [a, b] if a.is_ascii_digit() && b.is_ascii_digit() => Ok(Self((a - b'0') * 10 + (b - b'0'))),
            _ => Err(LocationError::Number),
        }
    }
}

impl fmt::Display for LocationNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}", self.0)
    }
}

impl fmt::Debug for LocationNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LocationNumber({self})")
    }
}

impl FromStr for SchoolLocation {
    type Err = LocationError;
    fn from_str(text: &str) -> Result<Self, LocationError> {
        if !text.is_ascii() || text.len() != 6 {
            return Err(LocationError::Location);
        }
        let school = text[..4].parse().map_err(|_| LocationError::Location)?;
        let number = text[4..].parse().map_err(|_| LocationError::Location)?;
        Ok(Self { school, number })
    }
}

impl fmt::Display for SchoolLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.school, self.number)
    }
}

impl Destination {
    /// The school, also of a location.
    pub fn school(self) -> Brin {
        match self {
            Destination::School(school) => school,
            Destination::Location(location) => location.school,
        }
    }

    /// The location's number, when one was named.
    pub fn location(self) -> Option<LocationNumber> {
        match self {
            Destination::School(_) => None,
            Destination::Location(location) => Some(location.number),
        }
    }
}

impl FromStr for Destination {
    type Err = LocationError;
    /// `12AB` is the school, `12AB01` one of its locations.
    fn from_str(text: &str) -> Result<Self, LocationError> {
        match text.len() {
            4 => text.parse().map(Destination::School).map_err(|_| LocationError::Destination),
            6 => text.parse().map(Destination::Location).map_err(|_| LocationError::Destination),
            _ => Err(LocationError::Destination),
        }
    }
}

impl fmt::Display for Destination {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Destination::School(school) => school.fmt(f),
            Destination::Location(location) => location.fmt(f),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_and_destinations_parse_and_print_the_same() {
        let location: SchoolLocation = "12AB01".parse().unwrap();
        assert_eq!((location.school.as_str(), location.number.get()), ("12AB", 1));
        assert_eq!(location.to_string(), "12AB01");
        assert_eq!("99Z900".parse::<SchoolLocation>().unwrap().to_string(), "99Z900");
        assert_eq!("12AB".parse::<Destination>().unwrap(), Destination::School("12AB".parse().unwrap()));
        let to: Destination = "12AB07".parse().unwrap();
        assert_eq!((to.school().as_str(), to.location().map(LocationNumber::get)), ("12AB", Some(7)));
        assert_eq!(to.to_string(), "12AB07");
        assert_eq!("07".parse::<LocationNumber>().unwrap().to_string(), "07");
        assert_eq!(LocationNumber::new(100), None);
    }

    #[test]
    fn other_shapes_are_refused_with_an_example() {
        for bad in ["", "12AB1", "12AB001", "12ab01", "12ABx1", "12AB٠١", "1２AB01", "12AB-1"] {
            assert_eq!(bad.parse::<SchoolLocation>(), Err(LocationError::Location), "{bad}");
        }
        for bad in ["", "12A", "12AB1", "12ab", "12AB0x", "12AB 01"] {
            let err = bad.parse::<Destination>().unwrap_err();
            assert!(err.to_string().contains("12AB01"), "{bad}: {err}");
        }
        for bad in ["1", "001", "a1", "-1", "1 "] {
            assert_eq!(bad.parse::<LocationNumber>(), Err(LocationError::Number), "{bad}");
        }
    }
}
