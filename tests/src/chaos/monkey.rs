//! The monkey of a chaos run, in its own thread: kills the relay with SIGKILL and starts it
//! again after a moment, kills device processes and starts them again, and starts the late
//! schools' devices at their moment. Told to stop, it brings everything up and hands the relay
//! and the devices back.

use super::fleet::Fleet;
use super::ledger::Device;
use super::Rng;
use crate::RelayProcess;
use anyhow::Result;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// When the late schools' devices start, and how long after that they are left alone (so
/// that a signal planned to arrive is not kept from them by the monkey).
pub struct Plan {
    pub late_devices: Vec<Device>,
    pub late_at: Instant,
    pub quiet_after_late: Duration,
}

/// What the monkey did.
#[derive(Debug, Default, Clone, Copy)]
pub struct Tally {
    pub relay_kills: usize,
    pub device_kills: usize,
    /// From each kill until the relay answered again, summed.
    pub relay_down: Duration,
    /// The longest of those.
    pub relay_down_longest: Duration,
}

pub type Handback = (RelayProcess, Fleet, Tally);

pub fn spawn(
    relay: RelayProcess,
    fleet: Fleet,
    plan: Plan,
    seed: u64,
    stop: Arc<AtomicBool>,
) -> JoinHandle<Result<Handback>> {
    std::thread::spawn(move || run(relay, fleet, plan, seed, &stop))
}

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn run(mut relay: RelayProcess, mut fleet: Fleet, plan: Plan, seed: u64, stop: &AtomicBool) -> Result<Handback> {
    let mut rng = Rng::new(seed ^ 0x6d6f_6e6b_6579);
    let mut tally = Tally::default();
    let is_late = |d: Device| plan.late_devices.contains(&d);
    for device in (0..fleet.len()).filter(|d| !is_late(*d)) {
        fleet.start(device)?;
    }
    let mut late_started = plan.late_devices.is_empty();
    let mut relay_back_at: Option<Instant> = None;
    let mut relay_killed_at = Instant::now();
    let mut next_relay_kill = Instant::now() + ms(rng.between(1500, 6000));
    let mut back_at: Vec<Option<Instant>> = vec![None; fleet.len()];
    let mut next_device_kill = Instant::now() + ms(rng.between(300, 1500));
    loop {
        let now = Instant::now();
        let stopping = stop.load(Ordering::SeqCst);

        match relay_back_at {
            Some(at) if now >= at || stopping => {
                relay.restart()?;
                relay_back_at = None;
                let down = relay_killed_at.elapsed();
                tally.relay_down += down;
                tally.relay_down_longest = tally.relay_down_longest.max(down);
            }
            None if !stopping && now >= next_relay_kill => {
                relay.kill();
                relay_killed_at = now;
                tally.relay_kills += 1;
                let down = ms(rng.between(50, 1000));
                relay_back_at = Some(now + down);
                next_relay_kill = now + down + ms(rng.between(1500, 6000));
            }
            _ => {}
        }

        if !late_started && (now >= plan.late_at || stopping) {
            for &device in &plan.late_devices {
                fleet.start(device)?;
            }
            late_started = true;
        }

        for (device, back) in back_at.iter_mut().enumerate() {
            match back {
                Some(at) if now >= *at || stopping => {
                    fleet.start(device)?;
                    *back = None;
                }
                // Not killed by the monkey yet not running: it stopped by itself (the ledger
                // has the fault); start it again so the run can go on.
                None if (late_started || !is_late(device)) && !fleet.is_running(device) => fleet.start(device)?,
                _ => {}
            }
        }

        if !stopping && now >= next_device_kill {
            let left_alone = |d: Device| is_late(d) && now < plan.late_at + plan.quiet_after_late;
            let candidates: Vec<Device> =
                (0..fleet.len()).filter(|d| back_at[*d].is_none() && !left_alone(*d) && fleet.is_running(*d)).collect();
            if !candidates.is_empty() {
                let device = candidates[rng.between(0, candidates.len() as u64) as usize];
                fleet.kill(device);
                tally.device_kills += 1;
                back_at[device] = Some(now + ms(rng.between(100, 2000)));
            }
            next_device_kill = now + ms(rng.between(300, 1500));
        }

        if stopping && relay_back_at.is_none() && late_started && back_at.iter().all(Option::is_none) {
            return Ok((relay, fleet, tally));
        }
        std::thread::sleep(ms(20));
    }
}
