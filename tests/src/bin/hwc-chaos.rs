//! `hwc-chaos --signals N --seed S [--schools K] [--rate R] [--summary PATH]`: the chaos run
//! (see `hwc_system_tests::chaos`). `cargo xtask chaos` builds it and starts it inside a
//! private keyring session; exit code 0 when every promise held, 1 when one broke or the run
//! could not be done, 2 for a bad command line.

use hwc_system_tests::chaos::{self, Config};
use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let config = match Config::from_args(&args, PathBuf::from("chaos-summary.json")) {
        Ok(config) => config,
        Err(problem) => {
            eprintln!("{problem}");
            return ExitCode::from(2);
        }
    };
    match chaos::run(&config) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => {
            eprintln!("chaos: een belofte is gebroken; zie {}", config.summary.display());
            ExitCode::FAILURE
        }
        Err(error) => {
            eprintln!("chaos: de run kon niet worden gedaan: {error:#}");
            ExitCode::FAILURE
        }
    }
}
