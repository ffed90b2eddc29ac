//! Fixed answer sizes for the inbox (review finding 13). Someone watching the school's network
//! sees the length of every answer even through TLS; an answer that carries a signal is a few
//! KiB longer than an empty one. Every inbox answer is therefore padded with spaces (JSON
//! whitespace, which every JSON reader skips) to the smallest of 4 KiB, 8 KiB, 16 KiB, …
//! that holds both the answer and one signal sealed to every device of the school
//! ([`floor_for`]): an empty answer and one with a signal are the same size (4 KiB for up to
//! three devices, 8 KiB for up to seven, 16 KiB for eight).

/// The smallest, and most common, answer size in bytes.
pub const SMALLEST_ANSWER: usize = 4096;

/// What one envelope adds to an inbox answer, in bytes: base64 of the frame with its fixed
/// fields, and per copy base64 of its device id, `enc` and 528-byte `ct` with their JSON (about
/// 1,080 bytes each; measured 3,558 bytes for an answer with a signal for three devices).
const ANSWER_BASE: usize = 400;
const ANSWER_PER_COPY: usize = 1_100;

/// The least an answer for a school with `devices` devices is padded to: room for one signal
/// sealed to all of them.
pub fn floor_for(devices: usize) -> usize {
    padded_len(ANSWER_BASE + ANSWER_PER_COPY * devices.clamp(1, hwc_protocol::MAX_COPIES))
}

/// The size an answer of `len` bytes is padded to.
pub fn padded_len(len: usize) -> usize {
    let mut size = SMALLEST_ANSWER;
    while size < len {
        size = size.saturating_mul(2);
    }
    size
}

/// `body` followed by spaces up to [`padded_len`], and at least to [`floor_for`] `devices`.
pub fn pad(mut body: Vec<u8>, devices: usize) -> Vec<u8> {
    body.resize(padded_len(body.len().max(floor_for(devices))), b' ');
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
        let floors: Vec<usize> = (0..=9).map(floor_for).collect();
        assert_eq!(floors, [4096, 4096, 4096, 4096, 8192, 8192, 8192, 8192, 16384, 16384]);
    }

    #[test]
    fn padded_json_reads_the_same() {
        let value = serde_json::json!({"cursor": 3, "envelopes": [], "handled": []});
        let body = pad(serde_json::to_vec(&value).unwrap(), 2);
        assert_eq!(body.len(), SMALLEST_ANSWER);
        assert_eq!(serde_json::from_slice::<serde_json::Value>(&body).unwrap(), value);
    }
}
