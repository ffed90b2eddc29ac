//! The chaos run (`cargo xtask chaos --signals N --seed S`): a real relay process, a leerplicht
//! office, and many schools with a director's and a backup's device, each device its own
//! process. The office sends N signals while the relay is killed with SIGKILL and restarted at
//! random moments and the devices are killed and restarted at random; some schools' devices
//! start only halfway, after part of their signals expired. Afterwards the ledger judges every
//! promise (see [`ledger`]) and a summary goes to `target/chaos-summary.json`.
//!
//! The seed fixes the plan (which school gets which signal, when and what gets killed, which
//! schools start late); the exact interleaving of processes still differs between runs.

mod fleet;
pub mod ledger;
mod monkey;
mod run;

pub use run::run;

use std::path::PathBuf;

/// What to run.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub signals: usize,
    pub seed: u64,
    pub schools: usize,
    /// Signals sent per second.
    pub rate: f64,
    /// Where the summary goes (JSON).
    pub summary: PathBuf,
}

const USAGE: &str = "gebruik: hwc-chaos --signals N --seed S [--schools K] [--rate R] [--summary PAD]";

impl Config {
    /// Reads the command line; every value is checked, a bad one named in the error.
    pub fn from_args(args: &[String], default_summary: PathBuf) -> Result<Config, String> {
        let mut config = Config { signals: 0, seed: 0, schools: 12, rate: 5.0, summary: default_summary };
        let (mut signals, mut seed) = (None, None);
        let mut rest = args.iter();
        while let Some(flag) = rest.next() {
            let value = rest.next().ok_or_else(|| format!("{flag} mist een waarde; {USAGE}"))?;
            let number = |lo: u64, hi: u64| match value.parse::<u64>() {
                Ok(n) if (lo..=hi).contains(&n) => Ok(n),
                _ => Err(format!("{flag} verwacht een geheel getal van {lo} tot {hi}, niet \"{value}\"")),
            };
            match flag.as_str() {
                "--signals" => signals = Some(number(1, 1_000_000)? as usize),
                "--seed" => seed = Some(number(0, u64::MAX)?),
                "--schools" => config.schools = number(1, 99)? as usize,
                "--rate" => {
                    config.rate = match value.parse::<f64>() {
                        Ok(r) if (0.1..=1000.0).contains(&r) => r,
                        _ => {
                            return Err(format!(
                                "--rate verwacht signalen per seconde van 0.1 tot 1000, niet \"{value}\""
                            ))
                        }
                    }
                }
                "--summary" => config.summary = PathBuf::from(value),
                other => return Err(format!("onbekende optie \"{other}\"; {USAGE}")),
            }
        }
        config.signals = signals.ok_or_else(|| format!("--signals ontbreekt; {USAGE}"))?;
        config.seed = seed.ok_or_else(|| format!("--seed ontbreekt; {USAGE}"))?;
        Ok(config)
    }
}

/// xorshift64*: enough to spread choices and moments, and replayable from the seed.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        // Zero is xorshift's one fixed point; mix the seed so small seeds differ at once.
        Self(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `lo..hi` (`lo` when the range is empty).
    pub fn between(&mut self, lo: u64, hi: u64) -> u64 {
        if hi <= lo {
            return lo;
        }
        lo + self.next_u64() % (hi - lo)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(text: &str) -> Vec<String> {
        text.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn the_command_line_is_read_and_bad_values_are_named() {
        let config =
            Config::from_args(&args("--signals 300 --seed 7 --schools 4 --rate 2.5"), "s.json".into()).unwrap();
        assert_eq!((config.signals, config.seed, config.schools, config.rate), (300, 7, 4, 2.5));
        for (bad, named) in [
            ("--seed 7", "--signals ontbreekt"),
            ("--signals 3", "--seed ontbreekt"),
            ("--signals 0 --seed 1", "--signals verwacht"),
            ("--signals x --seed 1", "\"x\""),
            ("--signals 3 --seed 1 --schools 100", "--schools verwacht"),
            ("--signals 3 --seed 1 --rate 0", "--rate verwacht"),
            ("--signals 3 --seed 1 --turbo 1", "onbekende optie \"--turbo\""),
            ("--signals", "mist een waarde"),
        ] {
            let error = Config::from_args(&args(bad), "s.json".into()).unwrap_err();
            assert!(error.contains(named), "{bad}: {error}");
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_plan() {
        let (mut a, mut b, mut c) = (Rng::new(1), Rng::new(1), Rng::new(2));
        let first: Vec<u64> = (0..5).map(|_| a.between(0, 1000)).collect();
        assert_eq!(first, (0..5).map(|_| b.between(0, 1000)).collect::<Vec<_>>());
        assert_ne!(first, (0..5).map(|_| c.between(0, 1000)).collect::<Vec<_>>());
        assert!(first.iter().all(|n| *n < 1000));
        assert_eq!(Rng::new(0).between(5, 5), 5);
    }
}
