//! Acknowledging and the outbox. Acknowledging needs the device unlocked: the signal is opened
//! again in memory, because the receipt's proof is made with the receipt key sealed inside it
//! (so a receipt shows the signal was opened, not just that the signing key was at hand). A
//! receipt is signed at the moment of the action; in one
//! transaction it enters the outbox, the envelope leaves the vault and the signal's id is
//! remembered as handled (until the envelope's expiry), so from then on the device holds
//! nothing of the signal and refuses it if the relay brings it again. Then delivery is tried; a receipt the relay did not get
//! waits in the outbox for the next fetch or flush. The relay deduplicates by signal id, so a
//! retried receipt reaches the office once.

use crate::client::SchoolClient;
use crate::error::{ClientError, Result};
use crate::relay_client::RelayError;
use crate::reports::{AckReport, Delivery, FlushReport};
use hwc_protocol::{DeviceSigningKey, Receipt, ReceiptKind, SignalId};

/// Relay refusals that will never change for this receipt: drop it instead of retrying forever.
const FINAL_REFUSALS: [&str; 5] = ["not_found", "expired", "invalid_receipt", "forbidden", "conflict"];

/// What one delivery attempt came to.
enum Attempt {
    Delivered { first: bool },
    Offline,
    Final(String),
    Retry(String),
}

impl SchoolClient {
    /// Acknowledges a waiting signal: `HandedOver` (told to the teacher) or `NotOurPupil`.
    /// Afterwards the envelope is gone from this device, whether or not the relay was reachable.
    /// Needs the device unlocked, else [`ClientError::Locked`]: the receipt proves the signal
    /// was opened, with the receipt key from inside it.
    pub fn acknowledge(&mut self, signal_id: &SignalId, kind: ReceiptKind) -> Result<AckReport> {
        // Opened in memory only for its receipt key; the signal is wiped when it drops here.
        // Opening also refuses a wiped or locked device, an unknown signal and an expired one
        // (which it deletes).
        let opened = self.open_signal(signal_id)?;
        let stored = self.vault.envelope(signal_id)?.ok_or(ClientError::UnknownSignal)?;
        let now = self.clock.now();
        let key = self.signing_key()?;
        let receipt = Receipt::sign(&key, self.device_id, *signal_id, kind, now, opened.receipt_key());
        drop(opened);
        self.vault.queue_receipt(signal_id, &receipt.bytes, now.timestamp(), stored.expires_at)?;
        let delivery = match self.deliver(&key, signal_id, &receipt.bytes) {
            Attempt::Delivered { first } => {
                self.vault.delete_receipt(signal_id)?;
                Delivery::Delivered { first }
            }
            Attempt::Final(reason) => {
                self.vault.delete_receipt(signal_id)?;
                Delivery::Undeliverable { reason }
            }
            Attempt::Offline => Delivery::Waiting { reason: RelayError::Unreachable.to_string() },
            Attempt::Retry(reason) => Delivery::Waiting { reason },
        };
        Ok(AckReport { signal_id: *signal_id, kind, delivery })
    }

    /// Tries to deliver every waiting receipt. Stops with an offline error when the relay is
    /// not reachable (delivered ones stay delivered, the rest keep waiting). Works while locked.
    pub fn flush_outbox(&mut self) -> Result<FlushReport> {
        self.alive()?;
        let queued = self.vault.outbox()?;
        let mut report = FlushReport::default();
        if queued.is_empty() {
            return Ok(report);
        }
        let key = self.signing_key()?;
        for receipt in queued {
            match self.deliver(&key, &receipt.signal_id, &receipt.frame) {
                Attempt::Delivered { .. } => {
                    self.vault.delete_receipt(&receipt.signal_id)?;
                    report.delivered += 1;
                }
                Attempt::Final(_) => {
                    self.vault.delete_receipt(&receipt.signal_id)?;
                    report.undeliverable.push(receipt.signal_id);
                }
                Attempt::Offline => return Err(RelayError::Unreachable.into()),
                Attempt::Retry(reason) => {
                    report.waiting += 1;
                    report.last_problem = Some(reason);
                }
            }
        }
        Ok(report)
    }

    fn deliver(&self, key: &DeviceSigningKey, signal_id: &SignalId, frame: &[u8]) -> Attempt {
        match self.relay.post_receipt(&self.auth(key), frame, self.now()) {
            Ok(accepted) if accepted.signal_id == *signal_id => Attempt::Delivered { first: accepted.first },
            Ok(_) => Attempt::Retry(RelayError::BadAnswer("ander signaal-id".into()).to_string()),
            Err(RelayError::Unreachable) => Attempt::Offline,
            Err(e @ RelayError::Refused { .. }) if e.code().is_some_and(|c| FINAL_REFUSALS.contains(&c)) => {
                Attempt::Final(e.to_string())
            }
            Err(e) => Attempt::Retry(e.to_string()),
        }
    }
}
