//! The forensic byte scan: reads every byte of every file under a directory and looks for a
//! child's name and birthdate in the encodings a program might have written them in.

use std::path::{Path, PathBuf};

/// The byte patterns to look for, each with a label that says which form it is.
pub struct Needles(Vec<(String, Vec<u8>)>);

fn utf16(text: &str, little_endian: bool) -> Vec<u8> {
    text.encode_utf16().flat_map(|unit| if little_endian { unit.to_le_bytes() } else { unit.to_be_bytes() }).collect()
}

impl Needles {
    /// The name and the birthdate (`YYYY-MM-DD`), each in UTF-8, UTF-16LE and UTF-16BE, plus
    /// the birthdate as `DD-MM-YYYY` and as the app shows it (`9 mei 2017`).
    pub fn for_child(name: &str, birthdate_iso: &str) -> Self {
        let mut forms =
            vec![("naam".to_string(), name.to_string()), ("geboortedatum".into(), birthdate_iso.to_string())];
        let parts: Vec<&str> = birthdate_iso.split('-').collect();
        if let [y, m, d] = parts.as_slice() {
            forms.push(("geboortedatum dd-mm-jjjj".into(), format!("{d}-{m}-{y}")));
            let month = m.parse::<u32>().ok().and_then(hwc_protocol::birthdate::dutch_month);
            if let (Some(month), Ok(day)) = (month, d.parse::<u32>()) {
                forms.push(("geboortedatum in woorden".into(), format!("{day} {month} {y}")));
            }
        }
        let mut needles = Vec::new();
        for (label, text) in forms {
            needles.push((format!("{label} (UTF-8)"), text.as_bytes().to_vec()));
            needles.push((format!("{label} (UTF-16LE)"), utf16(&text, true)));
            needles.push((format!("{label} (UTF-16BE)"), utf16(&text, false)));
        }
        Self(needles)
    }
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
            ["geboortedatum (UTF-8)", "geboortedatum dd-mm-jjjj (UTF-16BE)", "naam (UTF-16BE)", "naam (UTF-16LE)"]
        );
    }
}
