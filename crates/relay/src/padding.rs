//! Fixed answer sizes for the inbox (review finding 13). Someone watching the school's network
//! sees the length of every answer even through TLS; an answer that carries a signal is a few
//! KiB longer than an empty one. Every inbox answer is therefore padded with spaces (JSON
//! whitespace, which every JSON reader skips) to the smallest of 4 KiB, 8 KiB, 16 KiB, …
//! that holds it: an empty answer and one with a signal for a school's usual two or three
//! devices are both exactly 4 KiB.

/// The smallest, and most common, answer size in bytes.
pub const SMALLEST_ANSWER: usize = 4096;

/// The size an answer of `len` bytes is padded to.
pub fn padded_len(len: usize) -> usize {
    let mut size = SMALLEST_ANSWER;
    while size < len {
        size = size.saturating_mul(2);
    }
    size
}

/// `body` followed by spaces up to [`padded_len`].
pub fn pad(mut body: Vec<u8>) -> Vec<u8> {
    body.resize(padded_len(body.len()), b' ');
    body
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_come_in_a_few_fixed_sizes() {
        assert_eq!(padded_len(0), 4096);
        assert_eq!(padded_len(40), 4096);
        assert_eq!(padded_len(4096), 4096);
        assert_eq!(padded_len(4097), 8192);
        assert_eq!(padded_len(8193), 16384);
        assert_eq!(padded_len(100_000), 131_072);
    }

    #[test]
    fn padded_json_reads_the_same() {
        let value = serde_json::json!({"cursor": 3, "envelopes": [], "handled": []});
        let body = pad(serde_json::to_vec(&value).unwrap());
        assert_eq!(body.len(), SMALLEST_ANSWER);
        assert_eq!(serde_json::from_slice::<serde_json::Value>(&body).unwrap(), value);
    }
}
