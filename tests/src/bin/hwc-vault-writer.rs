//! A school device that writes its vault as fast as it can, for the crash-consistency test
//! (`tests/tests/crash_consistency.rs`), which kills it with SIGKILL at random moments:
//! fetch, acknowledge the first waiting signal, again, until nothing waits. Usage:
//! `hwc-vault-writer <device directory>`; the PIN is the test world's.

use anyhow::{Context, Result};
use hwc_client::SchoolClient;
use hwc_protocol::ReceiptKind;
use hwc_system_tests::world::PIN;

fn main() -> Result<()> {
    let dir = std::env::args_os().nth(1).context("gebruik: hwc-vault-writer <map van het apparaat>")?;
    let mut client = SchoolClient::open(std::path::Path::new(&dir))?;
    client.unlock(PIN)?;
    loop {
        client.fetch(0)?;
        let Some(first) = client.pending()?.first().map(|p| p.signal_id) else { break };
        client.acknowledge(&first, ReceiptKind::HandedOver)?;
    }
    Ok(())
}
