//! The three holiday regions of the Netherlands (noord, midden, zuid), and `eigen` for a school
//! that keeps holidays of its own (an MBO school, which the Regeling does not cover), as the
//! office records them per school and as people type them.

use std::fmt;
use std::str::FromStr;

/// A school holiday region.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Region {
    Noord,
    Midden,
    Zuid,
    /// No regional holidays: only weekends, national days, the days that differ per school and
    /// the school's own closed days count.
    Eigen,
}

impl Region {
    /// The three regions of the Regeling, in the order of the data.
    pub const ALL: [Region; 3] = [Region::Noord, Region::Midden, Region::Zuid];

    /// The lower-case word used in files, the database and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Region::Noord => "noord",
            Region::Midden => "midden",
            Region::Zuid => "zuid",
            Region::Eigen => "eigen",
        }
    }

    /// The region's place in the data; `None` for [`Region::Eigen`].
    pub(crate) fn index(self) -> Option<usize> {
        match self {
            Region::Noord => Some(0),
            Region::Midden => Some(1),
            Region::Zuid => Some(2),
            Region::Eigen => None,
        }
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A region that is not one of the three.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("onbekende regio: kies noord, midden, zuid of eigen (eigen vakanties, zoals in het mbo)")]
pub struct RegionError;

impl FromStr for Region {
    type Err = RegionError;

    /// Accepts `noord`, `midden` and `zuid` in any case, with or without the word `regio`.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let word = text.trim().to_lowercase();
        let word = word.strip_prefix("regio").map(str::trim).unwrap_or(&word);
        [Region::Noord, Region::Midden, Region::Zuid, Region::Eigen]
            .into_iter()
            .find(|r| r.as_str() == word)
            .ok_or(RegionError)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_read_as_people_type_them_and_nothing_else() {
        assert_eq!("noord".parse(), Ok(Region::Noord));
        assert_eq!(" Midden ".parse(), Ok(Region::Midden));
        assert_eq!("regio Zuid".parse(), Ok(Region::Zuid));
        assert_eq!("eigen".parse(), Ok(Region::Eigen));
        for bad in ["", "oost", "zuid-oost", "regio", "n"] {
            assert_eq!(bad.parse::<Region>(), Err(RegionError), "{bad:?}");
        }
        for region in Region::ALL {
            assert_eq!(region.to_string().parse(), Ok(region));
        }
    }
}
