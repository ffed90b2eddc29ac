//! Fetching: deliver waiting receipts first, then ask the relay for new events, check every
//! envelope (office signature, shape, times, our school, a copy for this device, not a signal
//! already handled), store the valid ones sealed together with the new cursor in one
//! transaction, delete the signals a colleague acknowledged (remembering their ids until they
//! expire) when the relay proves it with the colleague's signed receipt, and drop what has
//! expired. A bad envelope is reported and skipped;
//! it never costs a good one. One refusal is not final: an envelope from this clock's future
//! (the clock runs behind) keeps the cursor where it was, so it is fetched again until the
//! clock allows it. Nothing is decrypted here.

use crate::client::SchoolClient;
use crate::error::Result;
use crate::reports::{FetchReport, HandledByColleague, Refusal};
use crate::vault::{Setting, StoredEnvelope};
use chrono::{DateTime, Utc};
use hwc_protocol::api::Handled;
use hwc_protocol::{Envelope, EnvelopeError, Receipt, SignalId, VerifiedEnvelope};
use std::collections::HashSet;

impl SchoolClient {
    /// One round with the relay: flush the outbox, then wait up to `wait_secs` (at most 60) for
    /// inbox events. Returns [`crate::ClientError::is_offline`] errors when the relay is not
    /// reachable; nothing is lost then. Works while the device is locked (nothing is decrypted).
    pub fn fetch(&mut self, wait_secs: u64) -> Result<FetchReport> {
        let receipts = self.flush_outbox()?;
        let cursor: u64 = match self.vault.get(Setting::InboxCursor)? {
            Some(_) => self.vault.require(Setting::InboxCursor)?,
            None => 0,
        };
        let key = self.signing_key()?;
        let inbox = self.relay.inbox(&self.auth(&key), cursor, wait_secs, self.now())?;
        drop(key);
        // The answer may have come after a long wait: judge it by the time it arrived.
        let now = self.clock.now();

        let mut report = FetchReport { receipts, ..FetchReport::default() };
        let mut new: Vec<StoredEnvelope> = Vec::new();
        let mut seen = HashSet::new();
        for blob in &inbox.envelopes {
            let verified = match self.check_envelope(&blob.0, now) {
                Ok(verified) => verified,
                Err(refusal) => {
                    report.clock_behind |= refusal == Refusal::Invalid(EnvelopeError::FromTheFuture);
                    report.refused.push(refusal);
                    continue;
                }
            };
            let id = verified.envelope.signal_id;
            if self.vault.is_handled(&id)? {
                report.refused.push(Refusal::AlreadyHandled);
                continue;
            }
            if !seen.insert(id) || self.vault.has_envelope(&id)? || self.vault.in_outbox(&id)? {
                continue;
            }
            new.push(StoredEnvelope {
                signal_id: id,
                expires_at: verified.envelope.expires_at,
                frame: verified.bytes,
                received_at: now.timestamp(),
            });
        }

        // Signals handled meanwhile: only those this device holds or just received count (an id
        // this device never saw is nothing to forget), and only with proof: a relay cannot make
        // a colleague's receipt, so it cannot make a signal vanish from this device.
        let mut handled: Vec<(SignalId, i64)> = Vec::new();
        for entry in &inbox.handled {
            let envelope = match new.iter().find(|e| e.signal_id == entry.signal_id) {
                Some(arrived_now) => arrived_now.clone(),
                None => match self.vault.envelope(&entry.signal_id)? {
                    Some(held) => held,
                    None => continue,
                },
            };
            if !self.proves_handled(entry, &envelope) {
                report.unproven_handled += 1;
                continue;
            }
            if entry.by == self.device_id {
                // Acknowledging here deletes the envelope in the same transaction, so a receipt
                // in this device's name for an envelope it still holds was made elsewhere.
                report.receipts_not_made_here += 1;
                continue;
            }
            let expires_at = envelope.expires_at;
            if handled.iter().any(|(id, _)| *id == entry.signal_id) {
                continue;
            }
            new.retain(|e| e.signal_id != entry.signal_id);
            handled.push((entry.signal_id, expires_at));
            if entry.by != self.device_id {
                report.handled_by_colleague.push(HandledByColleague {
                    signal_id: entry.signal_id,
                    by: entry.by,
                    at: DateTime::from_timestamp(entry.at, 0).unwrap_or_default(),
                });
            }
        }

        let next_cursor = if report.clock_behind { cursor } else { inbox.cursor };
        self.vault.store_inbox(&new, &handled, next_cursor)?;
        report.new_signals = new.iter().map(|e| e.signal_id).collect();
        report.expired = self.sweep_expired()?;
        Ok(report)
    }

    /// Checks one envelope from the relay as far as possible without opening it.
    pub(crate) fn check_envelope(&self, bytes: &[u8], now: DateTime<Utc>) -> Result<VerifiedEnvelope, Refusal> {
        let verified = Envelope::verify(bytes, &self.office_key, now).map_err(|e| match e {
            EnvelopeError::Expired => Refusal::Expired,
            other => Refusal::Invalid(other),
        })?;
        if verified.envelope.school != self.school {
            return Err(Refusal::WrongSchool);
        }
        if !verified.envelope.is_for(&self.device_id) {
            return Err(Refusal::NotForThisDevice);
        }
        Ok(verified)
    }

    /// Whether `entry` proves that its device acknowledged the signal of `envelope`: the keys
    /// make `by`, the envelope (office-signed) has a copy for `by`, and the receipt verifies
    /// under those keys, for this signal, by that device.
    fn proves_handled(&self, entry: &Handled, envelope: &StoredEnvelope) -> bool {
        if entry.by_keys.device_id() != entry.by {
            return false;
        }
        let received = DateTime::from_timestamp(envelope.received_at, 0).unwrap_or_default();
        let Ok(verified) = Envelope::verify(&envelope.frame, &self.office_key, received) else {
            return false;
        };
        verified.envelope.is_for(&entry.by)
            && Receipt::verify(&entry.receipt.0, &entry.by_keys).is_ok_and(|receipt| {
                receipt.receipt.signal_id == entry.signal_id && receipt.receipt.device_id == entry.by
            })
    }

    /// Deletes every sealed signal whose expiry has passed and returns their ids.
    pub fn sweep_expired(&mut self) -> Result<Vec<SignalId>> {
        self.alive()?;
        let now = self.now();
        Ok(self.vault.delete_expired(now)?)
    }
}
