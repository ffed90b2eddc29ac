//! How long each long-poll asks the relay to wait (review finding 13). The relay answers at
//! once when a signal comes, so with one fixed wait an answer before the usual moment would
//! tell someone watching the school's network that a signal arrived. Each poll therefore asks
//! for a fresh random wait between [`SHORTEST_WAIT_SECS`] and [`LONGEST_WAIT_SECS`]: quiet
//! answers then come at random moments too, and one that comes early because of a signal looks
//! like any other. With the relay's fixed answer sizes (the relay's `padding` module) neither the
//! moment nor the length of an answer gives a signal away, and delivery stays immediate.

/// The shortest wait a poll asks for, in seconds.
pub const SHORTEST_WAIT_SECS: u64 = 1;
/// The longest wait a poll asks for, in seconds (below the relay's limit of 60).
pub const LONGEST_WAIT_SECS: u64 = 50;
const _: () = assert!(LONGEST_WAIT_SECS < crate::relay_client::MAX_WAIT_SECS, "the relay refuses longer waits");

/// The wait for one poll, from a random number: uniform over the whole range.
pub fn wait_from(random: u32) -> u64 {
    SHORTEST_WAIT_SECS + u64::from(random) % (LONGEST_WAIT_SECS - SHORTEST_WAIT_SECS + 1)
}

/// The wait for the next poll, from the system's random source (the middle of the range if
/// that source fails, which only makes the rhythm predictable, never stops fetching).
pub fn next_wait() -> u64 {
    getrandom::u32().map_or((SHORTEST_WAIT_SECS + LONGEST_WAIT_SECS) / 2, wait_from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_wait_in_the_range_is_possible_and_none_outside() {
        let waits: std::collections::BTreeSet<u64> = (0..10_000u32).map(wait_from).collect();
        assert_eq!(waits.first(), Some(&SHORTEST_WAIT_SECS));
        assert_eq!(waits.last(), Some(&LONGEST_WAIT_SECS));
        assert_eq!(waits.len() as u64, LONGEST_WAIT_SECS - SHORTEST_WAIT_SECS + 1);
        assert_eq!(wait_from(u32::MAX), SHORTEST_WAIT_SECS + u64::from(u32::MAX) % 50);
    }

    #[test]
    fn drawn_waits_differ() {
        let drawn: std::collections::BTreeSet<u64> = (0..200).map(|_| next_wait()).collect();
        assert!(drawn.len() > 20, "{drawn:?}");
        assert!(drawn.iter().all(|w| (SHORTEST_WAIT_SECS..=LONGEST_WAIT_SECS).contains(w)));
    }
}
