//! The `hwc-send` command: parses the command line (see [`cli`]) and turns the outcome into an
//! exit code: 0 ok, 1 failure, 2 bad input.

mod cli;

fn main() -> std::process::ExitCode {
    // Before a name is read: a crash must not write memory to disk.
    if let Err(e) = hwc_hardening::forbid_core_dumps() {
        eprintln!("hwc-send kan niet starten: geheugendumps konden niet worden uitgezet ({e}).");
        return std::process::ExitCode::from(1);
    }
    // Windows: no extension DLLs, nothing from network shares (see hwc_hardening::loading).
    if let Err(e) = hwc_hardening::restrict_loading() {
        eprintln!("hwc-send kan niet starten: het laden van onbekende code kon niet worden beperkt ({e}).");
        return std::process::ExitCode::from(1);
    }
    cli::main()
}
