//! The school holidays as data, generated from `data/schoolvakanties.toml` (which names its
//! sources) by the test below; edit the TOML, not the array.

use crate::holidays::{Span, Spans, YearData};

#[rustfmt::skip]
pub(crate) const YEARS: &[YearData] = &[
// BEGIN GENERATED
    YearData { first_year: 2025, mei_adviesweek: Some(Span(20260418, 20260426)),
        regions: [
            Spans { herfst: Span(20251018, 20251026), kerst: Span(20251220, 20260104), voorjaar: Span(20260221, 20260301), mei: Span(20260425, 20260503), zomer: Span(20260704, 20260816) },
            Spans { herfst: Span(20251018, 20251026), kerst: Span(20251220, 20260104), voorjaar: Span(20260214, 20260222), mei: Span(20260425, 20260503), zomer: Span(20260718, 20260830) },
            Spans { herfst: Span(20251011, 20251019), kerst: Span(20251220, 20260104), voorjaar: Span(20260214, 20260222), mei: Span(20260425, 20260503), zomer: Span(20260711, 20260823) },
        ] },
    YearData { first_year: 2026, mei_adviesweek: None,
        regions: [
            Spans { herfst: Span(20261010, 20261018), kerst: Span(20261219, 20270103), voorjaar: Span(20270220, 20270228), mei: Span(20270424, 20270502), zomer: Span(20270710, 20270822) },
            Spans { herfst: Span(20261017, 20261025), kerst: Span(20261219, 20270103), voorjaar: Span(20270220, 20270228), mei: Span(20270424, 20270502), zomer: Span(20270717, 20270829) },
            Spans { herfst: Span(20261017, 20261025), kerst: Span(20261219, 20270103), voorjaar: Span(20270213, 20270221), mei: Span(20270424, 20270502), zomer: Span(20270724, 20270905) },
        ] },
    YearData { first_year: 2027, mei_adviesweek: Some(Span(20280422, 20280430)),
        regions: [
            Spans { herfst: Span(20271016, 20271024), kerst: Span(20271225, 20280109), voorjaar: Span(20280219, 20280227), mei: Span(20280429, 20280507), zomer: Span(20280715, 20280827) },
            Spans { herfst: Span(20271016, 20271024), kerst: Span(20271225, 20280109), voorjaar: Span(20280226, 20280305), mei: Span(20280429, 20280507), zomer: Span(20280708, 20280820) },
            Spans { herfst: Span(20271023, 20271031), kerst: Span(20271225, 20280109), voorjaar: Span(20280226, 20280305), mei: Span(20280429, 20280507), zomer: Span(20280722, 20280903) },
        ] },
    YearData { first_year: 2028, mei_adviesweek: Some(Span(20290421, 20290429)),
        regions: [
            Spans { herfst: Span(20281014, 20281022), kerst: Span(20281223, 20290107), voorjaar: Span(20290217, 20290225), mei: Span(20290428, 20290506), zomer: Span(20290721, 20290902) },
            Spans { herfst: Span(20281021, 20281029), kerst: Span(20281223, 20290107), voorjaar: Span(20290217, 20290225), mei: Span(20290428, 20290506), zomer: Span(20290707, 20290819) },
            Spans { herfst: Span(20281021, 20281029), kerst: Span(20281223, 20290107), voorjaar: Span(20290210, 20290218), mei: Span(20290428, 20290506), zomer: Span(20290714, 20290826) },
        ] },
    YearData { first_year: 2029, mei_adviesweek: None,
        regions: [
            Spans { herfst: Span(20291020, 20291028), kerst: Span(20291222, 20300106), voorjaar: Span(20300216, 20300224), mei: Span(20300427, 20300505), zomer: Span(20300720, 20300901) },
            Spans { herfst: Span(20291020, 20291028), kerst: Span(20291222, 20300106), voorjaar: Span(20300223, 20300303), mei: Span(20300427, 20300505), zomer: Span(20300713, 20300825) },
            Spans { herfst: Span(20291013, 20291021), kerst: Span(20291222, 20300106), voorjaar: Span(20300223, 20300303), mei: Span(20300427, 20300505), zomer: Span(20300706, 20300818) },
        ] },
// END GENERATED
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::holidays::date;
    use chrono::{Datelike, Weekday};

    const SOURCE: &str = include_str!("../data/schoolvakanties.toml");
    const REGIONS: [&str; 3] = ["noord", "midden", "zuid"];
    const HOLIDAYS: [&str; 5] = ["herfst", "kerst", "voorjaar", "mei", "zomer"];

    fn ymd(value: &toml::Value) -> u32 {
        let text = value.as_str().expect("a date is a string");
        let digits: String = text.chars().filter(|c| *c != '-').collect();
        assert_eq!((text.len(), digits.len()), (10, 8), "{text}");
        digits.parse().expect("a date is YYYY-MM-DD")
    }

    fn span(value: &toml::Value) -> String {
        let pair = value.as_array().expect("a holiday is [first, last]");
        assert_eq!(pair.len(), 2);
        format!("Span({}, {})", ymd(&pair[0]), ymd(&pair[1]))
    }

    /// The Rust text of the array, from the TOML.
    fn generated() -> String {
        let table: toml::Table = SOURCE.parse().expect("schoolvakanties.toml is TOML");
        let years = table["jaar"].as_array().expect("[[jaar]] entries");
        let mut out = String::new();
        for year in years {
            let label = year["schooljaar"].as_str().expect("schooljaar");
            let first_year: i32 = label[..4].parse().expect("schooljaar starts with its first year");
            let adviesweek = year.get("mei_adviesweek").map(span);
            out.push_str(&format!(
                "    YearData {{ first_year: {first_year}, mei_adviesweek: {},\n        regions: [\n",
                adviesweek.map_or("None".to_string(), |s| format!("Some({s})"))
            ));
            for region in REGIONS {
                let spans = &year[region];
                let fields: Vec<String> = HOLIDAYS.iter().map(|h| format!("{h}: {}", span(&spans[*h]))).collect();
                out.push_str(&format!("            Spans {{ {} }},\n", fields.join(", ")));
            }
            out.push_str("        ] },\n");
        }
        out
    }

    #[test]
    fn data_rs_is_generated_from_the_toml() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/src/data.rs");
        let current = std::fs::read_to_string(path).unwrap();
        let (head, rest) = current.split_once("// BEGIN GENERATED\n").unwrap();
        let (_, tail) = rest.split_once("// END GENERATED\n").unwrap();
        let wanted = format!("{head}// BEGIN GENERATED\n{}// END GENERATED\n{tail}", generated());
        if std::env::var_os("HWC_WRITE_CALENDAR").is_some() {
            std::fs::write(path, &wanted).unwrap();
        }
        assert!(current == wanted, "src/data.rs differs from data/schoolvakanties.toml: run HWC_WRITE_CALENDAR=1 cargo test -p hwc-calendar --lib data");
    }

    #[test]
    fn every_holiday_runs_saturday_to_sunday_for_its_length() {
        for year in YEARS {
            for spans in &year.regions {
                for (vacation, span) in spans.all() {
                    assert_eq!(span.first().weekday(), Weekday::Sat, "{vacation:?} {}", year.first_year);
                    assert_eq!(span.last().weekday(), Weekday::Sun, "{vacation:?} {}", year.first_year);
                    let days = (span.last() - span.first()).num_days() + 1;
                    let wanted = match vacation {
                        crate::Vacation::Kerst => 16,
                        crate::Vacation::Zomer => 44,
                        _ => 9,
                    };
                    assert_eq!(days, wanted, "{vacation:?} {}", year.first_year);
                    let school_year_start = date(year.first_year as u32 * 10000 + 801);
                    let school_year_end = date((year.first_year as u32 + 1) * 10000 + 731);
                    // The summer ends in the next school year's August or September.
                    if vacation != crate::Vacation::Zomer {
                        assert!(school_year_start <= span.first() && span.last() <= school_year_end);
                    }
                }
            }
        }
    }

    #[test]
    fn the_years_follow_each_other_and_kerst_and_mei_are_national() {
        assert_eq!(YEARS.len(), 5);
        for (i, year) in YEARS.iter().enumerate() {
            assert_eq!(year.first_year, 2025 + i as i32);
            let [noord, midden, zuid] = year.regions;
            assert!(noord.kerst == midden.kerst && midden.kerst == zuid.kerst);
            assert!(noord.mei == midden.mei && midden.mei == zuid.mei);
            for spans in year.regions {
                let order = spans.all();
                assert!(order.windows(2).all(|w| w[0].1.last() < w[1].1.first()), "{}", year.first_year);
            }
        }
    }

    #[test]
    fn the_computed_days_off_match_the_published_lists() {
        use crate::national::{national_day, usual_day, NationalDay as N, Usual};
        let table: toml::Table = SOURCE.parse().unwrap();
        let lists = table["feestdagen"].as_table().unwrap();
        let mut checked = 0;
        for (year, list) in lists {
            let Some(list) = list.as_table().filter(|_| year.len() == 4) else { continue };
            for (key, value) in list {
                let day = date(ymd(value));
                let national = match key.as_str() {
                    "nieuwjaarsdag" => Some(N::Nieuwjaarsdag),
                    "paasdag_1" => Some(N::EerstePaasdag),
                    "paasdag_2" => Some(N::TweedePaasdag),
                    "koningsdag" => Some(N::Koningsdag),
                    "hemelvaartsdag" => Some(N::Hemelvaartsdag),
                    "pinksterdag_1" => Some(N::EerstePinksterdag),
                    "pinksterdag_2" => Some(N::TweedePinksterdag),
                    "kerstdag_1" => Some(N::EersteKerstdag),
                    "kerstdag_2" => Some(N::TweedeKerstdag),
                    "goede_vrijdag" => {
                        assert_eq!(usual_day(day, false), Some(Usual::GoedeVrijdag), "{key} {year}");
                        None
                    }
                    "bevrijdingsdag" => {
                        assert_eq!(usual_day(day, false), Some(Usual::Bevrijdingsdag), "{key} {year}");
                        None
                    }
                    other => panic!("unknown day {other}"),
                };
                if national.is_some() {
                    assert_eq!(national_day(day), national, "{key} {year}");
                }
                checked += 1;
            }
        }
        assert_eq!(checked, 2 + 5 * 11);
    }
}
