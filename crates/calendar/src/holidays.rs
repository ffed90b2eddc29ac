//! The official school holidays per region, looked up by date. The dates themselves are in
//! `data.rs`, generated from `data/schoolvakanties.toml`.

use crate::data::YEARS;
use crate::region::Region;
use chrono::NaiveDate;

/// A school holiday of the Regeling vaststelling schoolvakanties.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Vacation {
    Herfst,
    Kerst,
    Voorjaar,
    Mei,
    Zomer,
}

impl Vacation {
    /// Kerst, one week in May and zomer are compulsory; herfst and voorjaar are the ministry's
    /// advice, which a school may leave with its MR's consent.
    pub fn compulsory(self) -> bool {
        matches!(self, Vacation::Kerst | Vacation::Mei | Vacation::Zomer)
    }

    /// The Dutch word, for texts.
    pub fn dutch(self) -> &'static str {
        match self {
            Vacation::Herfst => "herfstvakantie",
            Vacation::Kerst => "kerstvakantie",
            Vacation::Voorjaar => "voorjaarsvakantie",
            Vacation::Mei => "meivakantie",
            Vacation::Zomer => "zomervakantie",
        }
    }
}

/// A date as written in the data: `YYYYMMDD`.
pub(crate) type Ymd = u32;

/// A holiday from its first to its last day, both included (Saturday to Sunday).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Span(pub Ymd, pub Ymd);

impl Span {
    pub(crate) fn first(self) -> NaiveDate {
        date(self.0)
    }

    pub(crate) fn last(self) -> NaiveDate {
        date(self.1)
    }

    pub(crate) fn contains(self, day: NaiveDate) -> bool {
        self.first() <= day && day <= self.last()
    }
}

/// One region's holidays in one school year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Spans {
    pub herfst: Span,
    pub kerst: Span,
    pub voorjaar: Span,
    pub mei: Span,
    pub zomer: Span,
}

impl Spans {
    pub(crate) fn all(&self) -> [(Vacation, Span); 5] {
        [
            (Vacation::Herfst, self.herfst),
            (Vacation::Kerst, self.kerst),
            (Vacation::Voorjaar, self.voorjaar),
            (Vacation::Mei, self.mei),
            (Vacation::Zomer, self.zomer),
        ]
    }
}

/// One school year: it starts on 1 August of `first_year`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct YearData {
    pub first_year: i32,
    /// The ministry's optional second week of the meivakantie, when it named one.
    pub mei_adviesweek: Option<Span>,
    /// Noord, midden, zuid.
    pub regions: [Spans; 3],
}

pub(crate) fn date(ymd: Ymd) -> NaiveDate {
    // The data is checked by the tests in `data.rs`; a bad date cannot be generated.
    NaiveDate::from_ymd_opt((ymd / 10000) as i32, (ymd / 100) % 100, ymd % 100).unwrap_or(NaiveDate::MIN)
}

/// The holiday of `region` that `day` falls in, if any.
pub(crate) fn vacation(region: Region, day: NaiveDate) -> Option<Vacation> {
    let index = region.index()?;
    YEARS
        .iter()
        .flat_map(|year| year.regions[index].all())
        .find(|(_, span)| span.contains(day))
        .map(|(vacation, _)| vacation)
}

/// Whether `day` lies in the ministry's optional second May week.
pub(crate) fn in_mei_adviesweek(day: NaiveDate) -> bool {
    YEARS.iter().filter_map(|year| year.mei_adviesweek).any(|span| span.contains(day))
}

/// The last day the holiday data knows about for `region` (the end of its last zomervakantie);
/// for a school without a region, the earliest of the three; for [`Region::Eigen`], which takes
/// nothing from the data, every day. After it, only weekends, national days and the school's own
/// days are known.
pub fn covered_until(region: Option<Region>) -> NaiveDate {
    let last = |r: Region| match (YEARS.last(), r.index()) {
        (Some(year), Some(index)) => year.regions[index].zomer.last(),
        (_, None) => NaiveDate::MAX,
        (None, Some(_)) => NaiveDate::MIN,
    };
    match region {
        Some(r) => last(r),
        None => Region::ALL.into_iter().map(last).min().unwrap_or(NaiveDate::MIN),
    }
}

/// The first day the holiday data knows about (1 August of its first school year).
pub(crate) fn covered_from() -> NaiveDate {
    YEARS.first().and_then(|y| NaiveDate::from_ymd_opt(y.first_year, 8, 1)).unwrap_or(NaiveDate::MAX)
}
