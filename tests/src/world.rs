//! One complete small world for the system tests and the demo: a real relay process, a
//! leerplicht office (`hwc-send` library, state in SQLCipher with its key in the keyring) and
//! school `12AB` with a director's and a backup's device (`hwc-client`), both enrolled with
//! one-time codes and the PIN [`PIN`], verified by safety code, and locked (unlock with [`PIN`]
//! to open a signal).

use crate::relay_process::RelayProcess;
use anyhow::{anyhow, Context, Result};
use hwc_client::SchoolClient;
use hwc_protocol::{Brin, Role};
use hwc_send::{KeySource, Office};
use std::path::{Path, PathBuf};
use tempfile::TempDir;

/// The demo school.
pub const SCHOOL: &str = "12AB";
/// The PIN both devices of the world are enrolled with.
pub const PIN: &str = "135790";

pub struct World {
    /// Everything lives under here and is removed when the world drops.
    pub root: TempDir,
    pub relay: RelayProcess,
    pub office: Office,
    pub director: SchoolClient,
    pub backup: SchoolClient,
}

impl World {
    pub fn school() -> Brin {
        SCHOOL.parse().unwrap_or_else(|_| unreachable!("constant BRIN"))
    }

    pub fn office_dir(&self) -> PathBuf {
        self.root.path().join("leerplicht")
    }

    /// The data directory of this school's device with `role`.
    pub fn device_dir(&self, role: Role) -> PathBuf {
        device_dir(self.root.path(), Self::school(), role)
    }

    /// Builds the world: office, relay, school with two verified devices.
    pub fn new() -> Result<Self> {
        let root = tempfile::Builder::new().prefix("hwc-world-").tempdir()?;
        let (mut office, relay) = office_and_relay(root.path(), &[])?;
        let director = enroll_and_verify(&mut office, &relay.url(), Self::school(), Role::Director, root.path())?;
        let backup = enroll_and_verify(&mut office, &relay.url(), Self::school(), Role::Backup, root.path())?;
        Ok(Self { root, relay, office, director, backup })
    }
}

/// A leerplicht office in `root/leerplicht` (state key in the keyring) and a relay process on
/// `root/relay.db` that trusts it, with `relay_args` on its command line; the office talks to
/// that relay. The office comes first: the relay must be told the office's public key.
pub fn office_and_relay(root: &Path, relay_args: &[&str]) -> Result<(Office, RelayProcess)> {
    let mut office = Office::init(&root.join("leerplicht"), KeySource::Keyring, "http://127.0.0.1:9")
        .context("leerplicht-kantoor aanmaken")?;
    let relay = RelayProcess::start_with_args(&root.join("relay.db"), &[office.public_key()], relay_args)?;
    office.use_relay(&relay.url())?;
    Ok((office, relay))
}

/// Issues a code for (school, role), enrolls a device with it, and verifies it the way
/// leerplicht does: comparing the safety code the device shows with the one the office computes.
pub fn enroll_and_verify(
    office: &mut Office,
    relay_url: &str,
    school: Brin,
    role: Role,
    root: &Path,
) -> Result<SchoolClient> {
    let code = office.add_school_slot(school, role)?;
    // No regional holidays: a signal sent today reaches the device today on every date the tests
    // run (the calendar's holds have tests of their own).
    office.set_region(school, Some(hwc_send::Region::Eigen))?;
    let dir = device_dir(root, school, role);
    let mut client = SchoolClient::enroll(&dir, relay_url, &code.display(), PIN)?;
    let device_id = client.device_id();
    let pending = office.pending_devices(school)?;
    let device = pending.iter().find(|d| d.device_id == device_id).ok_or_else(|| anyhow!("apparaat niet bij relay"))?;
    let read_aloud = client.safety_code().to_string();
    anyhow::ensure!(office.safety_code_for(device).to_string() == read_aloud, "veiligheidscodes verschillen");
    office.verify_device(school, device_id, &read_aloud)?;
    client.refresh_status()?;
    Ok(client)
}

/// Where [`enroll_and_verify`] puts a device's data directory.
pub fn device_dir(root: &Path, school: Brin, role: Role) -> PathBuf {
    root.join(format!("{}-{}", school, role.as_str()))
}
