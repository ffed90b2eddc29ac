//! Installs the Debian/Ubuntu packages the project needs when they are missing: through
//! `apt-get`, non-interactively, with `sudo` when not running as root.

use anyhow::{bail, Context, Result};
use std::process::{Command, Stdio};

/// What building, the demo and the tests need: a C compiler for SQLCipher, OpenSSL headers
/// (SQLCipher's crypto), the D-Bus headers (the keyring's Secret Service client), WebKitGTK for
/// the app's window; then a D-Bus session and GNOME Keyring as the real Secret Service,
/// a virtual display (Xvfb), WebKit's WebDriver for the window tests, ImageMagick's `import`
/// for screenshots WebKit does not deliver, dunst as a real notification daemon (started by
/// D-Bus activation), the tray library the app loads at run time, and xdotool to type
/// into the release build's window like a person at the keyboard; systemd's `systemd-analyze`
/// checks the relay's unit and `sqlite3` makes
/// the relay backup the deploy guide describes; `postgresql` is the server the tests run
/// throwaway clusters of (see `postgres.rs`) for the relay's PostgreSQL store; `nsis`'s
/// `makensis` compiles the Windows installer's hooks.
pub const TEST: &[&str] = &[
    "build-essential",
    "pkg-config",
    "libssl-dev",
    "libdbus-1-dev",
    "libwebkit2gtk-4.1-dev",
    "dbus",
    "dbus-daemon",
    "gnome-keyring",
    "xvfb",
    "xauth",
    "webkit2gtk-driver",
    "imagemagick",
    "dunst",
    "xdotool",
    "libayatana-appindicator3-1",
    "systemd",
    "sqlite3",
    "postgresql",
    "nsis",
];

/// What the Tauri bundler needs to make the `.deb`: it finds the tray library through
/// pkg-config to name it as a dependency of the package. (npm, for the bundler itself, is
/// installed only when there is none: Node's own installs bring theirs.)
pub const PACKAGING: &[&str] = &["libayatana-appindicator3-dev"];

fn installed(package: &str) -> bool {
    Command::new("dpkg-query")
        .args(["-W", "-f=${Status}", package])
        .stderr(Stdio::null())
        .output()
        .map(|out| String::from_utf8_lossy(&out.stdout).contains("install ok installed"))
        .unwrap_or(false)
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().map(|out| String::from_utf8_lossy(&out.stdout).trim() == "0").unwrap_or(false)
}

fn apt_get(args: &[&str]) -> Result<()> {
    let mut command = if is_root() {
        Command::new("apt-get")
    } else {
        let mut sudo = Command::new("sudo");
        sudo.arg("apt-get");
        sudo
    };
    let status = command
        .args(args)
        .env("DEBIAN_FRONTEND", "noninteractive")
        .status()
        .context("apt-get kon niet starten: is dit een Debian- of Ubuntu-machine?")?;
    if !status.success() {
        bail!("apt-get {} mislukte", args.join(" "));
    }
    Ok(())
}

/// Installs whichever of `packages` are missing.
pub fn ensure(packages: &[&str]) -> Result<()> {
    let missing: Vec<&str> = packages.iter().copied().filter(|p| !installed(p)).collect();
    if missing.is_empty() {
        return Ok(());
    }
    eprintln!("systeempakketten installeren: {}", missing.join(" "));
    apt_get(&["update", "-qq"])?;
    let mut args = vec!["install", "-y", "-qq", "--no-install-recommends"];
    args.extend(&missing);
    apt_get(&args)
}
