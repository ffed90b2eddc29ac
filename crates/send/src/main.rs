//! The `hwc-send` command: parses the command line (see [`cli`]) and turns the outcome into an
//! exit code: 0 ok, 1 failure, 2 bad input.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
