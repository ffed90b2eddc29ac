//! The forensic byte scan: reads every byte of every file under a directory and looks for a
//! child's name and birthdate in the encodings a program might have written them in.

use std::path::{Path, PathBuf};

/// The byte patterns to look for, each with a label that says which form it is.
pub struct Needles(Vec<(String, Vec<u8>)>);

fn utf16(text: &str, little_endian: bool) -> Vec<u8> {
    text.encode_utf16().flat_map(|unit| if little_endian { unit.to_le_bytes() } else { unit.to_be_bytes() }).collect()
}

/// The name as a JSON string's content: serde_json's escapes (quote, backslash, controls)
/// and, separately, the ASCII-only form JavaScript and Python write (`A\u00efcha`).
fn json_escaped(text: &str) -> Vec<String> {
    let serde = serde_json::to_string(text).unwrap_or_default();
    let serde = serde.trim_matches('"').to_string();
    let mut ascii = String::new();
    for c in serde.chars() {
        if c.is_ascii() {
            ascii.push(c);
        } else {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                ascii.push_str(&format!("\\u{unit:04x}"));
            }
        }
    }
    vec![serde, ascii]
}

/// Every common written form of a date given as `YYYY-MM-DD`: `2016-03-07`, `07-03-2016`,
/// `7-3-2016`, `07/03/2016`, `7/3/2016`, `20160307`, `7 maart 2016`, `07 maart 2016`.
fn date_forms(iso: &str) -> Vec<(String, String)> {
    let mut forms = vec![("geboortedatum jjjj-mm-dd".to_string(), iso.to_string())];
    let parts: Vec<&str> = iso.split('-').collect();
    let [y, m, d] = parts.as_slice() else { return forms };
    let (Ok(month), Ok(day)) = (m.parse::<u32>(), d.parse::<u32>()) else { return forms };
    forms.extend([
        ("geboortedatum dd-mm-jjjj".into(), format!("{d}-{m}-{y}")),
        ("geboortedatum d-m-jjjj".into(), format!("{day}-{month}-{y}")),
        ("geboortedatum dd/mm/jjjj".into(), format!("{d}/{m}/{y}")),
        ("geboortedatum d/m/jjjj".into(), format!("{day}/{month}/{y}")),
        // Eight digits: in hex text (ids, hashes) this has a 16^-8 chance per position, about
        // one false alarm in ten thousand runs of the whole suite; in base64 64^-8.
        ("geboortedatum jjjjmmdd".into(), format!("{y}{m}{d}")),
    ]);
    if let Some(word) = hwc_protocol::birthdate::dutch_month(month) {
        forms.push(("geboortedatum in woorden".into(), format!("{day} {word} {y}")));
        forms.push(("geboortedatum in woorden".into(), format!("{d} {word} {y}")));
    }
    forms
}

impl Needles {
    /// The name and the birthdate in every form a program might write them in: the name as
    /// given, in lower and upper case and JSON-escaped; the birthdate in every common written
    /// form ([`date_forms`]), also in lower and upper case (`7 Maart 2016`, `7 MAART 2016`);
    /// each in UTF-8, UTF-16LE and UTF-16BE.
    pub fn for_child(name: &str, birthdate_iso: &str) -> Self {
        let mut forms = vec![
            ("naam".to_string(), name.to_string()),
            ("naam in kleine letters".into(), name.to_lowercase()),
            ("naam in hoofdletters".into(), name.to_uppercase()),
        ];
        for escaped in json_escaped(name) {
            forms.push(("naam JSON-escaped".into(), escaped));
        }
        for (label, date) in date_forms(birthdate_iso) {
            // Plain first: for a date without words the other two are the same and are skipped.
            let (capitalised, upper) = (capitalise_month(&date), date.to_uppercase());
            forms.push((label.clone(), date));
            forms.push((format!("{label} (Hoofdletter)"), capitalised));
            forms.push((format!("{label} (HOOFDLETTERS)"), upper));
        }
        let mut seen = std::collections::HashSet::new();
        let mut needles = Vec::new();
        for (label, text) in forms {
            if text.is_empty() || !seen.insert(text.clone()) {
                continue;
            }
            needles.push((format!("{label} (UTF-8)"), text.as_bytes().to_vec()));
            needles.push((format!("{label} (UTF-16LE)"), utf16(&text, true)));
            needles.push((format!("{label} (UTF-16BE)"), utf16(&text, false)));
        }
        Self(needles)
    }

    /// How many byte patterns are looked for.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Never true: [`Needles::for_child`] always gives the name and the date.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// `7 maart 2016` → `7 Maart 2016`; other text unchanged.
fn capitalise_month(date: &str) -> String {
    date.split(' ')
        .map(|word| {
            let mut chars = word.chars();
            match chars.next() {
                Some(first) if first.is_alphabetic() => first.to_uppercase().chain(chars).collect(),
                _ => word.to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Reads every row of every table of a SQLCipher database, opened with its raw key, into one
/// byte buffer (text as UTF-8, blobs as they are, numbers as decimal text), so that what an
/// encrypted file holds can be scanned like any other file.
pub fn decrypted_dump(db: &Path, key: &[u8]) -> rusqlite::Result<Vec<u8>> {
    use rusqlite::types::ValueRef;
    let conn = rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    conn.execute_batch(&format!("PRAGMA key = \"x'{}'\";", hex::encode(key)))?;
    let mut out = Vec::new();
    let tables: Vec<(String, String)> = conn
        .prepare("SELECT name, COALESCE(sql, '') FROM sqlite_master WHERE type = 'table'")?
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<Result<_, _>>()?;
    for (table, sql) in tables {
        out.extend_from_slice(sql.as_bytes());
        let mut statement = conn.prepare(&format!("SELECT * FROM \"{}\"", table.replace('"', "\"\"")))?;
        let columns = statement.column_count();
        let mut rows = statement.query([])?;
        while let Some(row) = rows.next()? {
            for i in 0..columns {
                match row.get_ref(i)? {
                    ValueRef::Text(bytes) | ValueRef::Blob(bytes) => out.extend_from_slice(bytes),
                    ValueRef::Integer(n) => out.extend_from_slice(n.to_string().as_bytes()),
                    ValueRef::Real(x) => out.extend_from_slice(x.to_string().as_bytes()),
                    ValueRef::Null => {}
                }
                out.push(b'\n');
            }
        }
    }
    Ok(out)
}

impl Needles {
    /// A fast searcher for each form, labelled, for large buffers (process memory).
    pub fn finders(&self) -> Vec<(String, memchr::memmem::Finder<'_>)> {
        self.0.iter().map(|(form, needle)| (form.clone(), memchr::memmem::Finder::new(needle))).collect()
    }

    /// The forms found in `bytes`.
    pub fn found_in(&self, bytes: &[u8]) -> Vec<String> {
        self.0.iter().filter(|(_, needle)| contains(bytes, needle)).map(|(form, _)| form.clone()).collect()
    }
}

/// One place where a needle was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub file: PathBuf,
    pub form: String,
}

/// Result of scanning a tree.
#[derive(Debug, Default)]
pub struct ScanReport {
    pub files: usize,
    pub bytes: u64,
    pub findings: Vec<Finding>,
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

/// Reads every regular file under `root` (recursively) and reports every needle found.
pub fn scan_tree(root: &Path, needles: &Needles) -> std::io::Result<ScanReport> {
    let mut report = ScanReport::default();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e),
        };
        for entry in entries {
            let entry = entry?;
            let kind = entry.file_type()?;
            if kind.is_dir() {
                stack.push(entry.path());
            } else if kind.is_file() {
                let bytes = std::fs::read(entry.path())?;
                report.files += 1;
                report.bytes += bytes.len() as u64;
                for (form, needle) in &needles.0 {
                    if contains(&bytes, needle) {
                        report.findings.push(Finding { file: entry.path(), form: form.clone() });
                    }
                }
            }
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scan_finds_every_encoding_and_only_real_matches() {
        let dir = tempfile::tempdir().unwrap();
        let needles = Needles::for_child("Zoë Kaya", "2016-03-07");
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::fs::write(dir.path().join("clean.bin"), b"nothing to see, 2016-03-08").unwrap();
        std::fs::write(dir.path().join("sub/le.bin"), utf16("xx Zoë Kaya yy", true)).unwrap();
        std::fs::write(dir.path().join("be.bin"), utf16("07-03-2016", false)).unwrap();
        std::fs::write(dir.path().join("utf8.txt"), "geboren 2016-03-07").unwrap();
        let report = scan_tree(dir.path(), &needles).unwrap();
        assert_eq!(report.files, 4);
        let mut forms: Vec<&str> = report.findings.iter().map(|f| f.form.as_str()).collect();
        forms.sort();
        // UTF-16LE text shifted by one byte also reads as UTF-16BE: the scan reports both.
        assert_eq!(
            forms,
            [
                "geboortedatum dd-mm-jjjj (UTF-16BE)",
                "geboortedatum jjjj-mm-dd (UTF-8)",
                "naam (UTF-16BE)",
                "naam (UTF-16LE)"
            ]
        );
    }

    #[test]
    fn every_written_form_is_found_and_near_misses_are_not() {
        let needles = Needles::for_child("Zoë Kaya", "2016-03-07");
        for form in [
            "Zoë Kaya",
            "zoë kaya",
            "ZOË KAYA",
            r"Zo\u00eb Kaya",
            "2016-03-07",
            "07-03-2016",
            "7-3-2016",
            "07/03/2016",
            "7/3/2016",
            "20160307",
            "7 maart 2016",
            "07 maart 2016",
            "7 Maart 2016",
            "7 MAART 2016",
        ] {
            let text = format!("..{form}..");
            assert!(!needles.found_in(text.as_bytes()).is_empty(), "UTF-8 {form}");
            assert!(!needles.found_in(&utf16(&text, true)).is_empty(), "UTF-16LE {form}");
            assert!(!needles.found_in(&utf16(&text, false)).is_empty(), "UTF-16BE {form}");
        }
        for near_miss in ["Zoe Kaya", "Zoë Kaja", "2016-03-08", "7 maart 2015", "20160317", "7/4/2016"] {
            assert_eq!(needles.found_in(near_miss.as_bytes()), Vec::<String>::new(), "{near_miss}");
        }
        assert!(needles.len() >= 3 * 14, "{} patterns", needles.len());
    }

    #[test]
    fn json_escapes_follow_serde_and_javascript() {
        assert_eq!(json_escaped("Zoë"), ["Zoë", r"Zo\u00eb"]);
        assert_eq!(json_escaped("a\"b"), [r#"a\"b"#, r#"a\"b"#]);
        assert_eq!(json_escaped("😀"), ["😀", r"\ud83d\ude00"]);
    }
}
