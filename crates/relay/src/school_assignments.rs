//! Which schools each office may register at this relay, read from the operator's file
//! (`--school-assignments`). Without the file the first office to register a school owns it,
//! which suits a relay that serves one office; on a relay shared by several offices one of them
//! could otherwise claim another's school before it does. The file is the one list of office
//! keys then: an office's current key and, during a key rotation, its successor.
//!
//! ```toml
//! [[office]]
//! name = "Leerplicht Midden-Brabant"
//! keys = ["<base64 public key>"]
//! schools = ["12AB", "34CD"]
//! ```

use hwc_protocol::{Brin, OfficePublicKey};
use serde::Deserialize;
use std::collections::HashMap;
use std::path::Path;

/// The checked file: for every key and every school, the office (by its place in the file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchoolAssignments {
    names: Vec<String>,
    office_of_key: HashMap<OfficePublicKey, usize>,
    office_of_school: HashMap<Brin, usize>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    office: Vec<OfficeEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OfficeEntry {
    name: String,
    keys: Vec<OfficePublicKey>,
    schools: Vec<Brin>,
}

impl SchoolAssignments {
    /// Reads and checks the file at `path`; the error is a sentence for the relay's operator.
    pub fn read(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        Self::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Checks the file's text: every office has a name, at least one key and at least one
    /// school, and no key or school belongs to two offices.
    pub fn parse(text: &str) -> Result<Self, String> {
        let file: File = toml::from_str(text).map_err(|e| format!("not a valid school assignment file: {e}"))?;
        if file.office.is_empty() {
            return Err("no [[office]] in the file; name at least one office with its keys and schools".into());
        }
        let mut assignments =
            Self { names: Vec::new(), office_of_key: HashMap::new(), office_of_school: HashMap::new() };
        for (index, office) in file.office.into_iter().enumerate() {
            let name = office.name.trim().to_string();
            if name.is_empty() || name.chars().any(char::is_control) {
                return Err(format!("office number {} has no readable name", index + 1));
            }
            if office.keys.is_empty() || office.schools.is_empty() {
                return Err(format!("office \"{name}\" needs at least one key and at least one school"));
            }
            assignments.names.push(name);
            let twice = |other: usize, names: &[String]| match other == index {
                true => format!("in \"{}\"", names[index]),
                false => format!("(\"{}\" and \"{}\")", names[other], names[index]),
            };
            for key in office.keys {
                if let Some(&other) = assignments.office_of_key.get(&key) {
                    return Err(format!("key {key} is listed twice {}", twice(other, &assignments.names)));
                }
                assignments.office_of_key.insert(key, index);
            }
            for school in office.schools {
                if let Some(&other) = assignments.office_of_school.get(&school) {
                    return Err(format!(
                        "school {school} is listed twice {}; a school belongs to one office",
                        twice(other, &assignments.names)
                    ));
                }
                assignments.office_of_school.insert(school, index);
            }
        }
        Ok(assignments)
    }

    /// Every office key in the file.
    pub fn keys(&self) -> impl Iterator<Item = OfficePublicKey> + '_ {
        self.office_of_key.keys().copied()
    }

    /// How many offices the file names.
    pub fn offices(&self) -> usize {
        self.names.len()
    }

    /// Whether the office holding `key` may register `school`.
    pub fn may_register(&self, key: &OfficePublicKey, school: Brin) -> bool {
        matches!((self.office_of_key.get(key), self.office_of_school.get(&school)), (Some(a), Some(b)) if a == b)
    }

    /// Whether `old` and `new` are keys of the same office (a key rotation may not move an
    /// office's schools to another office).
    pub fn same_office(&self, old: &OfficePublicKey, new: &OfficePublicKey) -> bool {
        matches!((self.office_of_key.get(old), self.office_of_key.get(new)), (Some(a), Some(b)) if a == b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hwc_protocol::OfficeSigningKey;

    fn key() -> OfficePublicKey {
        OfficeSigningKey::generate().unwrap().public()
    }

    fn brin(text: &str) -> Brin {
        text.parse().unwrap()
    }

    fn file(offices: &[(&str, &[OfficePublicKey], &[&str])]) -> String {
        offices
            .iter()
            .map(|(name, keys, schools)| {
                let keys: Vec<String> = keys.iter().map(|k| format!("\"{k}\"")).collect();
                let schools: Vec<String> = schools.iter().map(|s| format!("\"{s}\"")).collect();
                format!(
                    "[[office]]\nname = \"{name}\"\nkeys = [{}]\nschools = [{}]\n",
                    keys.join(", "),
                    schools.join(", ")
                )
            })
            .collect()
    }

    #[test]
    fn an_office_registers_only_its_own_schools() {
        let (a, a_next, b, stranger) = (key(), key(), key(), key());
        let text = file(&[("Tilburg", &[a, a_next], &["12AB", "34CD"]), ("Breda", &[b], &["56EF"])]);
        let assignments = SchoolAssignments::parse(&text).unwrap();
        assert_eq!(assignments.offices(), 2);
        assert_eq!(assignments.keys().count(), 3);
        assert!(assignments.may_register(&a, brin("12AB")));
        assert!(assignments.may_register(&a_next, brin("34CD")), "the successor key belongs to the same office");
        assert!(!assignments.may_register(&b, brin("12AB")), "another office's school");
        assert!(!assignments.may_register(&a, brin("56EF")));
        assert!(!assignments.may_register(&a, brin("99ZZ")), "a school in nobody's list");
        assert!(!assignments.may_register(&stranger, brin("12AB")), "a key in nobody's list");
        assert!(assignments.same_office(&a, &a_next));
        assert!(!assignments.same_office(&a, &b));
        assert!(!assignments.same_office(&a, &stranger));
    }

    #[test]
    fn a_file_that_is_not_clear_is_refused_with_the_reason() {
        let (a, b) = (key(), key());
        let refused = |text: &str, expected: &str| {
            let error = SchoolAssignments::parse(text).unwrap_err();
            assert!(error.contains(expected), "{error}");
        };
        refused(&file(&[("Tilburg", &[a], &["12AB"]), ("Breda", &[b], &["12AB"])]), "school 12AB is listed twice");
        refused(&file(&[("Tilburg", &[a], &["12AB"]), ("Breda", &[a], &["56EF"])]), "is listed twice (\"Tilburg\"");
        refused(&file(&[("Tilburg", &[a], &["12AB", "12AB"])]), "school 12AB is listed twice in \"Tilburg\"");
        refused(&file(&[("Tilburg", &[a, a], &["12AB"])]), "is listed twice in \"Tilburg\"");
        refused(&file(&[("Tilburg", &[a], &[])]), "at least one school");
        refused(&file(&[("Tilburg", &[], &["12AB"])]), "at least one key");
        refused(&file(&[("  ", &[a], &["12AB"])]), "no readable name");
        refused(&file(&[("Tilburg", &[a], &["12A"])]), "not a valid school assignment file");
        refused(&file(&[("Tilburg", &[a], &["12AB"])]).replace(&a.to_string(), "abc"), "not a valid");
        refused(&format!("{}region = \"zuid\"\n", file(&[("Tilburg", &[a], &["12AB"])])), "not a valid");
        refused("", "not a valid");
        refused("office = []", "no [[office]]");
    }
}
