//! The one written form of a JSON body: a receiver accepts a body only when it is byte for byte
//! what this crate's sender writes for the same value (fields once each, in the defined order, no
//! whitespace, no escapes, integers in plain decimal). One rule instead of many parser choices:
//! duplicate keys, key order, escaped keys, `1e3`, `-0` and trailing bytes all fall under it.

use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

/// Reads `bytes` as `T` when they are exactly the compact serialisation of the value they hold.
pub(crate) fn parse<'a, T: Deserialize<'a> + Serialize>(bytes: &'a [u8]) -> Option<T> {
    let value: T = serde_json::from_slice(bytes).ok()?;
    // The copy may hold a child's name: wiped when dropped.
    let written = Zeroizing::new(serde_json::to_vec(&value).ok()?);
    (written.as_slice() == bytes).then_some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize, Deserialize, Debug, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Pair {
        a: i64,
        b: String,
    }

    #[test]
    fn only_the_written_form_is_read() {
        assert_eq!(parse::<Pair>(br#"{"a":1,"b":"x"}"#), Some(Pair { a: 1, b: "x".into() }));
        for other in [
            &br#"{"b":"x","a":1}"#[..],
            br#"{"a":1, "b":"x"}"#,
            br#"{"a":1,"b":"x"} "#,
            br#"{"a":1,"a":1,"b":"x"}"#,
            br#"{"\u0061":1,"b":"x"}"#,
            br#"{"a":1,"b":"\u0078"}"#,
            br#"{"a":1.0,"b":"x"}"#,
            br#"{"a":1e0,"b":"x"}"#,
            br#"{"a":-0,"b":"x"}"#,
        ] {
            assert_eq!(parse::<Pair>(other), None, "{}", String::from_utf8_lossy(other));
        }
    }
}
