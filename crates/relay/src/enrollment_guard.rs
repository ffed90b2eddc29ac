//! How often one network may try an enrollment code that turns out wrong. An enrollment is the
//! one request anybody can make without a known key, so guessing codes (or just making the relay
//! look them up) is limited per client network: after `max_failures` wrong, used or expired codes
//! within `window`, that network's enrollments are refused until the oldest failure is out of
//! the window. A school that types its code wrong a few times is never affected.
//!
//! Every enrollment takes a place first ([`EnrollmentGuard::admit`], one locked step) and gives
//! it back when it did not fail on its code ([`EnrollmentGuard::forgive`]), so requests sent in
//! parallel cannot all slip past the count before the first failure is recorded.
//!
//! The network is the IPv4 address, or the /64 an IPv6 address is in (one connection gets a
//! whole /64, so counting single IPv6 addresses would limit nothing). Behind a reverse proxy the
//! relay takes the address the proxy names in `X-Forwarded-For`, but only from a proxy the
//! operator listed (`--trusted-proxy`): anybody else could write any address there.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How many networks are remembered at most; when full, networks whose failures are all out of
/// the window are forgotten first, then the one with the oldest last failure.
const MAX_NETWORKS: usize = 20_000;

/// Failed enrollments a network may have in [`WINDOW`] unless the operator says otherwise.
pub const DEFAULT_MAX_FAILURES: u64 = 20;

/// The window the failures are counted in.
pub const WINDOW: Duration = Duration::from_secs(600);

/// The counts of failed enrollments per client network.
#[derive(Debug)]
pub struct EnrollmentGuard {
    max_failures: usize,
    window: Duration,
    failures: Mutex<HashMap<Network, VecDeque<Instant>>>,
}

/// An IPv4 address or an IPv6 /64.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Network(u128);

impl Network {
    pub fn of(address: IpAddr) -> Self {
        match address {
            IpAddr::V4(v4) => Network(u128::from(u32::from(v4))),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => Network(u128::from(u32::from(v4))),
                None => Network((u128::from(v6) >> 64) | (1 << 127)),
            },
        }
    }
}

impl EnrollmentGuard {
    /// At most `max_failures` failed enrollments per network within `window`; 0 turns the
    /// limit off.
    pub fn new(max_failures: usize, window: Duration) -> Self {
        Self { max_failures, window, failures: Mutex::new(HashMap::new()) }
    }

    /// Takes a place for an enrollment of `network` at `now`, counted as a failure until
    /// [`EnrollmentGuard::forgive`] gives it back; `false` when the network has used up its
    /// failures (nothing is counted then).
    pub fn admit(&self, network: Network, now: Instant) -> bool {
        if self.max_failures == 0 {
            return true;
        }
        let mut failures = self.failures.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(times) = failures.get_mut(&network) {
            forget_before(times, now, self.window);
            if times.len() >= self.max_failures {
                return false;
            }
        }
        if failures.len() >= MAX_NETWORKS && !failures.contains_key(&network) {
            failures.retain(|_, times| {
                forget_before(times, now, self.window);
                !times.is_empty()
            });
            if failures.len() >= MAX_NETWORKS {
                let oldest = failures.iter().min_by_key(|(_, times)| times.back().copied()).map(|(n, _)| *n);
                if let Some(oldest) = oldest {
                    failures.remove(&oldest);
                }
            }
        }
        failures.entry(network).or_default().push_back(now);
        true
    }

    /// Gives back the place [`EnrollmentGuard::admit`] took at `taken`: the enrollment did not
    /// fail on its code.
    pub fn forgive(&self, network: Network, taken: Instant) {
        let mut failures = self.failures.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(times) = failures.get_mut(&network) {
            if let Some(place) = times.iter().rposition(|&t| t == taken) {
                times.remove(place);
            }
            if times.is_empty() {
                failures.remove(&network);
            }
        }
    }
}

fn forget_before(times: &mut VecDeque<Instant>, now: Instant, window: Duration) {
    while times.front().is_some_and(|&t| now.saturating_duration_since(t) >= window) {
        times.pop_front();
    }
}

/// The client's address: the connection's, or, when the connection comes from a trusted proxy,
/// the last address of the last `X-Forwarded-For` line (`forwarded_for`; the one that proxy
/// added, whatever the client wrote before it). `None` when that address is unreadable: such a
/// request is refused rather than counted against the proxy, whose address every school behind
/// it shares. Without the header a trusted proxy's request counts as the proxy's own.
pub fn client_address(peer: IpAddr, forwarded_for: Option<&[u8]>, trusted_proxies: &[IpAddr]) -> Option<IpAddr> {
    let peer = canonical(peer);
    if !trusted_proxies.iter().any(|proxy| canonical(*proxy) == peer) {
        return Some(peer);
    }
    let Some(header) = forwarded_for else { return Some(peer) };
    let last = header.rsplit(|&b| b == b',').next()?;
    let text = std::str::from_utf8(last).ok()?;
    text.trim_matches(|c| c == ' ' || c == '\t').parse::<IpAddr>().ok().map(canonical)
}

fn canonical(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(address, IpAddr::V4),
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn a_network_is_blocked_after_its_failures_until_the_oldest_leaves_the_window() {
        let guard = EnrollmentGuard::new(3, Duration::from_secs(600));
        let (school, other) = (Network::of(ip("192.0.2.7")), Network::of(ip("198.51.100.1")));
        let start = Instant::now();
        let at = |secs: u64| start + Duration::from_secs(secs);
        for i in 0..3 {
            assert!(guard.admit(school, at(i)));
        }
        assert!(!guard.admit(school, at(3)), "three places taken, none given back");
        assert!(guard.admit(other, at(3)), "another network is not affected");
        assert!(!guard.admit(school, at(599)));
        assert!(guard.admit(school, at(600)), "the first failure left the window");
        assert!(!guard.admit(school, at(600)));
    }

    #[test]
    fn a_good_enrollment_gives_its_place_back() {
        let guard = EnrollmentGuard::new(2, Duration::from_secs(600));
        let school = Network::of(ip("192.0.2.7"));
        let start = Instant::now();
        for i in 0..10 {
            let at = start + Duration::from_secs(i);
            assert!(guard.admit(school, at));
            guard.forgive(school, at);
        }
        assert!(guard.failures.lock().unwrap().is_empty(), "nothing kept for a network that never failed");
        assert!(guard.admit(school, start) && guard.admit(school, start));
        guard.forgive(school, start);
        assert!(guard.admit(school, start), "one of two equal places given back");
        assert!(!guard.admit(school, start));
    }

    #[test]
    fn zero_turns_the_limit_off() {
        let guard = EnrollmentGuard::new(0, Duration::from_secs(600));
        let network = Network::of(ip("192.0.2.7"));
        assert!((0..100).all(|_| guard.admit(network, Instant::now())));
    }

    #[test]
    fn ipv6_counts_per_64_and_mapped_ipv4_as_ipv4() {
        assert_eq!(Network::of(ip("2001:db8:1:2::1")), Network::of(ip("2001:db8:1:2:ffff::9")));
        assert_ne!(Network::of(ip("2001:db8:1:2::1")), Network::of(ip("2001:db8:1:3::1")));
        assert_eq!(Network::of(ip("::ffff:192.0.2.7")), Network::of(ip("192.0.2.7")));
        assert_ne!(Network::of(ip("::")), Network::of(ip("0.0.0.0")), "no IPv6 /64 collides with IPv4");
    }

    #[test]
    fn the_forwarded_address_counts_only_from_a_trusted_proxy() {
        let proxy = ip("10.0.0.5");
        let header: Option<&[u8]> = Some(b"203.0.113.9, 192.0.2.7");
        assert_eq!(client_address(proxy, header, &[proxy]), Some(ip("192.0.2.7")), "the address the proxy added");
        assert_eq!(client_address(ip("::ffff:10.0.0.5"), header, &[proxy]), Some(ip("192.0.2.7")));
        assert_eq!(client_address(proxy, Some(b"2001:db8::1"), &[proxy]), Some(ip("2001:db8::1")));
        let stranger = ip("198.51.100.1");
        assert_eq!(client_address(stranger, header, &[proxy]), Some(stranger), "not a proxy: header ignored");
        assert_eq!(client_address(stranger, Some(b"\xff"), &[proxy]), Some(stranger));
        assert_eq!(client_address(proxy, None, &[proxy]), Some(proxy));
        assert_eq!(client_address(proxy, header, &[]), Some(proxy));
        for unreadable in [&b"192.0.2.7, garbage"[..], b"\xff", b"", b"192.0.2.7,"] {
            assert_eq!(client_address(proxy, Some(unreadable), &[proxy]), None, "{unreadable:?}");
        }
    }

    #[test]
    fn the_memory_is_bounded() {
        let guard = EnrollmentGuard::new(2, Duration::from_secs(600));
        let now = Instant::now();
        for n in 0..(MAX_NETWORKS as u32 + 10) {
            assert!(guard.admit(Network::of(IpAddr::V4(n.into())), now));
        }
        assert_eq!(guard.failures.lock().unwrap().len(), MAX_NETWORKS);
        assert!(guard
            .failures
            .lock()
            .unwrap()
            .contains_key(&Network::of(IpAddr::V4((MAX_NETWORKS as u32 + 9).into()))));
    }
}
