//! The office: the library API that the command line, the system tests and the demo use.
//! It ties the encrypted local state, the office key and the relay client together, and it is
//! the one place where a typed signal is sealed and sent. A [`Signal`] passes through
//! [`Office::send_signal`] into the envelope and nowhere else: only its id, school and times
//! are kept.

use crate::db_key::{DbKey, KeySource};
use crate::error::{Result, SendError};
use crate::relay_client::{parse_relay_url, RelayClient};
use crate::report::{ReceiptReport, RefusedReason};
use crate::state_dir::{create_private_dir, existing_dir, DB_FILE};
use crate::store::{LocalDevice, Outstanding, Settle, Store};
use crate::summary::{SchoolSummary, Stats};
use chrono::{DateTime, Duration, Utc};
use hwc_protocol::api::{CreateEnrollment, DeviceInfo, DeviceStatus, OfficeItem};
use hwc_protocol::expiry::default_expiry;
use hwc_protocol::{
    Brin, DeviceId, EnrollmentCode, Envelope, OfficePublicKey, OfficeSigningKey, Receipt, ReceiptKind, Role,
    SafetyCode, Signal, SignalId, MAX_COPIES,
};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// How long an enrollment code stays valid.
pub const ENROLLMENT_VALID_DAYS: i64 = 14;
/// At most this many pages of receipts are read in one `fetch_receipts`.
const MAX_RECEIPT_PAGES: usize = 1000;

/// The leerplicht office's sender.
pub struct Office {
    dir: PathBuf,
    store: Store,
    key: OfficeSigningKey,
    relay: RelayClient,
}

impl std::fmt::Debug for Office {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Office").field("dir", &self.dir).field("relay", &self.relay.url()).finish_non_exhaustive()
    }
}

fn relay_client(url: &str) -> Result<RelayClient> {
    RelayClient::new(url).map_err(SendError::RelayUrl)
}

impl Office {
    /// Creates the state directory, the database key, the database and a new office key.
    /// Refuses when the directory already holds a sender.
    pub fn init(state_dir: &Path, keys: KeySource, relay_url: &str) -> Result<Office> {
        let url = parse_relay_url(relay_url).map_err(SendError::RelayUrl)?;
        if state_dir.join(DB_FILE).exists() {
            return Err(SendError::AlreadyInitialised { dir: state_dir.to_path_buf() });
        }
        let dir = create_private_dir(state_dir)?;
        let db_key = DbKey::create(&keys, &dir)?;
        let db_path = dir.join(DB_FILE);
        let store = Store::create(&db_path, &db_key)?;
        let result = (|| {
            let key = OfficeSigningKey::generate()?;
            store.init_office(&key.secret_bytes(), url.as_str(), Utc::now().timestamp())?;
            Ok(key)
        })();
        match result {
            Ok(key) => Ok(Office { dir, store, key, relay: relay_client(url.as_str())? }),
            Err(err) => {
                drop(store);
                let _ = std::fs::remove_file(&db_path);
                let _ = DbKey::forget(&keys, &dir);
                Err(err)
            }
        }
    }

    /// Opens an initialised state directory.
    pub fn open(state_dir: &Path, keys: KeySource) -> Result<Office> {
        let dir = existing_dir(state_dir)?;
        let db_key = DbKey::load(&keys, &dir)?;
        let store = Store::open(&dir.join(DB_FILE), &db_key)?;
        let (secret, url) = store.office()?;
        let key = OfficeSigningKey::from_secret_bytes(&secret);
        let relay = relay_client(&url)?;
        Ok(Office { dir, store, key, relay })
    }

    /// Uses another relay address for this session only (`--relay`); the stored one stays.
    pub fn use_relay(&mut self, relay_url: &str) -> Result<()> {
        self.relay = relay_client(relay_url)?;
        Ok(())
    }

    /// The canonical state directory.
    pub fn state_dir(&self) -> &Path {
        &self.dir
    }

    /// The relay address in use.
    pub fn relay_url(&self) -> &str {
        self.relay.url()
    }

    /// The office's public key: what the relay (`--office-key`) and the schools trust.
    pub fn public_key(&self) -> OfficePublicKey {
        self.key.public()
    }

    /// Opens a device slot for a school: a one-time enrollment code, valid 14 days. Only its
    /// hash goes to the relay; the code itself is for the school.
    pub fn add_school_slot(&mut self, brin: Brin, role: Role) -> Result<EnrollmentCode> {
        let code = EnrollmentCode::generate()?;
        let now = Utc::now();
        let body = CreateEnrollment {
            school: brin,
            role,
            code_hash: code.hash_hex(),
            expires_at: (now + Duration::days(ENROLLMENT_VALID_DAYS)).timestamp(),
        };
        self.relay.create_enrollment(&self.key, &body)?;
        self.store.add_school(brin, now.timestamp())?;
        Ok(code)
    }

    /// The school's enrolled devices that are not yet verified here, as the relay lists them.
    /// Nothing in them is trusted until the safety code matches.
    pub fn pending_devices(&self, brin: Brin) -> Result<Vec<DeviceInfo>> {
        let known: HashSet<DeviceId> = self.store.devices(brin)?.into_iter().map(|d| d.device_id).collect();
        let list = self.relay.school_devices(&self.key, brin)?;
        let mut pending = Vec::new();
        for device in list.devices {
            if device.school != brin || device.keys.validate().is_err() || device.keys.device_id() != device.device_id {
                return Err(SendError::RelayInconsistent);
            }
            if device.status != DeviceStatus::Removed && !known.contains(&device.device_id) {
                pending.push(device);
            }
        }
        Ok(pending)
    }

    /// The safety code of a device, computed from OUR office key and the device's keys.
    pub fn safety_code_for(&self, device: &DeviceInfo) -> SafetyCode {
        SafetyCode::compute(&self.key.public(), &device.keys)
    }

    /// Compares the code the school read aloud with the one computed here. On a match the
    /// device is verified at the relay and stored here; signals are sealed to it from then on.
    pub fn verify_device(&mut self, brin: Brin, device_id: DeviceId, typed_code: &str) -> Result<()> {
        let typed = SafetyCode::parse(typed_code)?;
        let device = self
            .pending_devices(brin)?
            .into_iter()
            .find(|d| d.device_id == device_id)
            .ok_or(SendError::UnknownDevice { brin, device: device_id })?;
        if self.safety_code_for(&device) != typed {
            return Err(SendError::SafetyCodeMismatch);
        }
        if self.store.devices(brin)?.len() >= MAX_COPIES {
            return Err(SendError::TooManyDevices { brin, max: MAX_COPIES });
        }
        let answer = self.relay.verify_device(&self.key, device_id)?;
        if answer.device_id != device_id || answer.keys != device.keys || answer.status != DeviceStatus::Verified {
            return Err(SendError::RelayInconsistent);
        }
        self.store.add_device(&LocalDevice {
            device_id,
            school: brin,
            role: device.role,
            keys: device.keys,
            verified_at: Utc::now().timestamp(),
        })
    }

    /// The schools known here, with their verified devices and open signals.
    pub fn schools(&self) -> Result<Vec<SchoolSummary>> {
        let outstanding = self.store.all_outstanding()?;
        self.store
            .schools()?
            .into_iter()
            .map(|school| {
                Ok(SchoolSummary {
                    school,
                    devices: self.store.devices(school)?,
                    outstanding: outstanding.iter().filter(|o| o.school == school).count(),
                })
            })
            .collect()
    }

    /// Seals the signal to the school's verified devices and sends it; it expires at the end of
    /// the next working day.
    pub fn send_signal(&mut self, brin: Brin, signal: &Signal) -> Result<SignalId> {
        self.send_signal_expiring(brin, signal, default_expiry(Utc::now()))
    }

    /// Like [`Office::send_signal`] with an explicit expiry (at most 7 days ahead).
    pub fn send_signal_expiring(&mut self, brin: Brin, signal: &Signal, expires_at: DateTime<Utc>) -> Result<SignalId> {
        let recipients: Vec<_> = self.store.devices(brin)?.into_iter().map(|d| d.keys).collect();
        if recipients.is_empty() {
            return Err(SendError::NoVerifiedDevice { brin });
        }
        let signal_id = SignalId::random()?;
        let now = Utc::now();
        let sealed = Envelope::seal(&self.key, signal_id, brin, now, expires_at, &recipients, signal)?;
        let accepted = self.relay.post_signal(&self.key, &sealed.bytes)?;
        if accepted.signal_id != signal_id {
            return Err(SendError::RelayInconsistent);
        }
        let record =
            Outstanding { signal_id, school: brin, sent_at: now.timestamp(), expires_at: expires_at.timestamp() };
        self.store
            .record_sent(&record)
            .map_err(|e| SendError::SentButNotRecorded { signal: signal_id, reason: e.to_string() })?;
        Ok(signal_id)
    }

    /// Reads receipts and expiry notices from the relay, verifies each receipt with the device
    /// keys verified here, settles the signals and reports each one once.
    pub fn fetch_receipts(&mut self) -> Result<Vec<ReceiptReport>> {
        let mut reports = Vec::new();
        let mut cursor = self.store.receipts_cursor()?;
        for _ in 0..MAX_RECEIPT_PAGES {
            let page = self.relay.receipts(&self.key, cursor)?;
            let mut settled: Vec<(SignalId, Settle)> = Vec::new();
            for item in &page.items {
                if let Some((report, settle)) = self.judge(item, &settled)? {
                    if let Some(settle) = settle {
                        if let ReceiptReport::Acknowledged { signal_id, .. }
                        | ReceiptReport::Expired { signal_id, .. } = &report
                        {
                            settled.push((*signal_id, settle));
                        }
                    }
                    reports.push(report);
                }
            }
            let done = page.items.is_empty() || page.cursor <= cursor;
            let next = page.cursor.max(cursor);
            // The cursor moves only together with the settled rows: a crash repeats the page.
            self.store.settle(&settled, next)?;
            cursor = next;
            if done {
                break;
            }
        }
        Ok(reports)
    }

    /// Decides what one relay item means. `None`: already settled (a repeat), nothing to report.
    fn judge(
        &self,
        item: &OfficeItem,
        settled: &[(SignalId, Settle)],
    ) -> Result<Option<(ReceiptReport, Option<Settle>)>> {
        let is_open = |signal_id: SignalId| -> Result<Option<Outstanding>> {
            if settled.iter().any(|(id, _)| *id == signal_id) {
                return Ok(None);
            }
            self.store.outstanding(signal_id)
        };
        match item {
            OfficeItem::Receipt { school, receipt } => {
                let devices = self.store.devices(*school)?;
                let Some((device, verified)) =
                    devices.iter().find_map(|d| Receipt::verify(&receipt.0, &d.keys).ok().map(|v| (d, v)))
                else {
                    return Ok(Some((
                        ReceiptReport::Refused { school: *school, reason: RefusedReason::UnknownDevice },
                        None,
                    )));
                };
                let receipt = verified.receipt;
                let Some(open) = is_open(receipt.signal_id)? else { return Ok(None) };
                if open.school != *school {
                    return Ok(Some((
                        ReceiptReport::Refused { school: *school, reason: RefusedReason::WrongSchool },
                        None,
                    )));
                }
                let settle = match receipt.kind {
                    ReceiptKind::HandedOver => Settle::HandedOver,
                    ReceiptKind::NotOurPupil => Settle::NotOurPupil,
                };
                let report = ReceiptReport::Acknowledged {
                    signal_id: receipt.signal_id,
                    school: *school,
                    device_id: device.device_id,
                    role: device.role,
                    kind: receipt.kind,
                    at: DateTime::from_timestamp(receipt.at, 0).unwrap_or_default(),
                };
                Ok(Some((report, Some(settle))))
            }
            OfficeItem::Expired { signal_id, expired_at, .. } => {
                let Some(open) = is_open(*signal_id)? else { return Ok(None) };
                let report = ReceiptReport::Expired {
                    signal_id: *signal_id,
                    school: open.school,
                    expired_at: DateTime::from_timestamp(*expired_at, 0).unwrap_or_default(),
                };
                Ok(Some((report, Some(Settle::Expired))))
            }
        }
    }

    /// The relay's counts for this office and the sender's own.
    pub fn stats(&self) -> Result<Stats> {
        let relay = self.relay.stats(&self.key)?;
        Ok(Stats { relay, local: self.store.counts()?, outstanding: self.store.all_outstanding()?.len() })
    }
}
