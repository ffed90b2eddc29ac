//! National days off (computed from Easter and fixed dates) and the days that differ per school:
//! Goede Vrijdag, 5 mei, the Friday after Hemelvaart and, in the south, the carnaval week.

use chrono::{Datelike, Days, NaiveDate, Weekday};

/// A national day off on which schools are closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NationalDay {
    Nieuwjaarsdag,
    EerstePaasdag,
    TweedePaasdag,
    Koningsdag,
    Hemelvaartsdag,
    EerstePinksterdag,
    TweedePinksterdag,
    EersteKerstdag,
    TweedeKerstdag,
}

impl NationalDay {
    /// The Dutch name, for texts.
    pub fn dutch(self) -> &'static str {
        match self {
            NationalDay::Nieuwjaarsdag => "Nieuwjaarsdag",
            NationalDay::EerstePaasdag => "Eerste Paasdag",
            NationalDay::TweedePaasdag => "Tweede Paasdag",
            NationalDay::Koningsdag => "Koningsdag",
            NationalDay::Hemelvaartsdag => "Hemelvaartsdag",
            NationalDay::EerstePinksterdag => "Eerste Pinksterdag",
            NationalDay::TweedePinksterdag => "Tweede Pinksterdag",
            NationalDay::EersteKerstdag => "Eerste Kerstdag",
            NationalDay::TweedeKerstdag => "Tweede Kerstdag",
        }
    }
}

/// A day on which many schools close and others do not. Until the school says otherwise it
/// counts as possibly closed: a signal then lives a school day longer rather than expiring
/// unread while the school is closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Usual {
    GoedeVrijdag,
    /// 5 mei: education has it off every year by most schools' practice, not only in lustrum
    /// years (sources in `data/sources.md`).
    Bevrijdingsdag,
    VrijdagNaHemelvaart,
    /// The ministry's optional second week of the meivakantie.
    MeiAdviesweek,
    /// Monday to Friday of the week of Shrove Tuesday, in the south only.
    Carnaval,
}

impl Usual {
    /// The Dutch name, for texts.
    pub fn dutch(self) -> &'static str {
        match self {
            Usual::GoedeVrijdag => "Goede Vrijdag",
            Usual::Bevrijdingsdag => "Bevrijdingsdag",
            Usual::VrijdagNaHemelvaart => "de vrijdag na Hemelvaart",
            Usual::MeiAdviesweek => "de tweede week van de meivakantie",
            Usual::Carnaval => "carnaval",
        }
    }
}

/// Easter Sunday of `year` in the Gregorian calendar (the anonymous algorithm of Meeus, Jones and
/// Butcher).
pub fn easter_sunday(year: i32) -> NaiveDate {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(year, month as u32, day as u32).unwrap_or(NaiveDate::MIN)
}

fn easter_offset(day: NaiveDate) -> i64 {
    (day - easter_sunday(day.year())).num_days()
}

/// The national day off that `day` is, if any.
pub(crate) fn national_day(day: NaiveDate) -> Option<NationalDay> {
    let fixed = match (day.month(), day.day()) {
        (1, 1) => Some(NationalDay::Nieuwjaarsdag),
        (12, 25) => Some(NationalDay::EersteKerstdag),
        (12, 26) => Some(NationalDay::TweedeKerstdag),
        _ => None,
    };
    let koningsdag =
        NaiveDate::from_ymd_opt(day.year(), 4, 27)
            .map(|d| if d.weekday() == Weekday::Sun { d - Days::new(1) } else { d });
    if fixed.is_some() {
        return fixed;
    }
    if Some(day) == koningsdag {
        return Some(NationalDay::Koningsdag);
    }
    match easter_offset(day) {
        0 => Some(NationalDay::EerstePaasdag),
        1 => Some(NationalDay::TweedePaasdag),
        39 => Some(NationalDay::Hemelvaartsdag),
        49 => Some(NationalDay::EerstePinksterdag),
        50 => Some(NationalDay::TweedePinksterdag),
        _ => None,
    }
}

/// The day that differs per school that `day` is, if any (`south`: the school may be in the
/// south, where carnaval is kept).
pub(crate) fn usual_day(day: NaiveDate, south: bool) -> Option<Usual> {
    if (day.month(), day.day()) == (5, 5) {
        return Some(Usual::Bevrijdingsdag);
    }
    match easter_offset(day) {
        -2 => return Some(Usual::GoedeVrijdag),
        40 => return Some(Usual::VrijdagNaHemelvaart),
        // Shrove Tuesday is Easter minus 47 days: Monday -48 to Friday -44.
        -48..=-44 if south => return Some(Usual::Carnaval),
        _ => {}
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn easter_is_right_for_known_years() {
        // Published dates, including the edges of the algorithm (22 March and 25 April).
        let known = [
            (1818, d(1818, 3, 22)),
            (1943, d(1943, 4, 25)),
            (2025, d(2025, 4, 20)),
            (2026, d(2026, 4, 5)),
            (2027, d(2027, 3, 28)),
            (2028, d(2028, 4, 16)),
            (2029, d(2029, 4, 1)),
            (2030, d(2030, 4, 21)),
            (2038, d(2038, 4, 25)),
        ];
        for (year, easter) in known {
            assert_eq!(easter_sunday(year), easter, "{year}");
        }
    }

    #[test]
    fn koningsdag_moves_to_saturday_when_the_27th_is_a_sunday() {
        // 27 April 2025 was a Sunday.
        assert_eq!(national_day(d(2025, 4, 26)), Some(NationalDay::Koningsdag));
        assert_eq!(national_day(d(2025, 4, 27)), None);
        assert_eq!(national_day(d(2026, 4, 27)), Some(NationalDay::Koningsdag));
    }

    #[test]
    fn carnaval_counts_only_where_the_school_may_be_in_the_south() {
        // Shrove Tuesday 2027 is 9 February.
        assert_eq!(usual_day(d(2027, 2, 8), true), Some(Usual::Carnaval));
        assert_eq!(usual_day(d(2027, 2, 12), true), Some(Usual::Carnaval));
        assert_eq!(usual_day(d(2027, 2, 13), true), None);
        assert_eq!(usual_day(d(2027, 2, 8), false), None);
    }
}
