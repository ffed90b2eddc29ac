//! One school device in the chaos run (`cargo xtask chaos`), as its own process so that the
//! run can kill it with SIGKILL at any moment: unlock, then long-poll the relay and show and
//! acknowledge every signal that has waited at least `<patience-ms>` (the director acts at
//! once; the backup waits, so it mostly sees "handled by a colleague"). It prints what it does,
//! one line each, for the run's ledger: `started`, `new <id>`, `opened <id>`, `acked <id>`,
//! `colleague <id>`, `expired <id>`, `offline`; `error <text>` before it gives up. Ids only:
//! the decrypted signal is dropped unread.
//!
//! Usage: `hwc-chaos-device <device directory> <patience-ms>`; the PIN is the test world's.

use anyhow::{Context, Result};
use chrono::Utc;
use hwc_client::{ClientError, SchoolClient};
use hwc_protocol::{ReceiptKind, SignalId};
use hwc_system_tests::world::PIN;
use std::process::ExitCode;
use std::time::Duration;

const USAGE: &str = "gebruik: hwc-chaos-device <map van het apparaat> <geduld in ms>";

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            println!("error {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let dir = args.next().context(USAGE)?;
    let patience_ms: i64 = args.next().and_then(|a| a.parse().ok()).context(USAGE)?;
    let mut client = SchoolClient::open(std::path::Path::new(&dir))?;
    // Every PIN check goes through the relay's PIN guard: while the relay is down, wait.
    loop {
        match client.unlock(PIN) {
            Ok(()) => break,
            Err(e) if e.is_offline() => {
                println!("offline");
                std::thread::sleep(Duration::from_millis(100));
            }
            Err(other) => return Err(other.into()),
        }
    }
    println!("started");
    loop {
        match client.fetch(2) {
            Ok(report) => {
                report.new_signals.iter().for_each(|id| println!("new {id}"));
                report.handled_by_colleague.iter().for_each(|h| println!("colleague {}", h.signal_id));
                report.expired.iter().for_each(|id| println!("expired {id}"));
            }
            Err(ClientError::Relay(_)) => {
                println!("offline");
                std::thread::sleep(Duration::from_millis(100));
                continue;
            }
            Err(other) => return Err(other.into()),
        }
        let now = Utc::now();
        for waiting in client.pending()? {
            if (now - waiting.received_at).num_milliseconds() >= patience_ms {
                show_and_acknowledge(&mut client, waiting.signal_id)?;
            }
        }
    }
}

fn show_and_acknowledge(client: &mut SchoolClient, id: SignalId) -> Result<()> {
    match client.open_signal(&id) {
        Ok(signal) => drop(signal),
        Err(ClientError::Expired) => {
            println!("expired {id}");
            return Ok(());
        }
        Err(other) => return Err(other.into()),
    }
    println!("opened {id}");
    // One in ten: "not our pupil", the other way of handling a signal.
    let kind = if id.as_bytes()[0].is_multiple_of(10) { ReceiptKind::NotOurPupil } else { ReceiptKind::HandedOver };
    match client.acknowledge(&id, kind) {
        Ok(_) => println!("acked {id}"),
        Err(ClientError::Expired) => println!("expired {id}"),
        Err(other) => return Err(other.into()),
    }
    Ok(())
}
