//! The office: the library API that the command line, the system tests and the demo use.
//! It ties the encrypted local state, the office key and the relay client together, and it is
//! the one place where a typed signal is sealed and sent. A [`Signal`] passes through
//! [`Office::send_signal`] into the envelope and nowhere else: only its id, school and times
//! are kept, recorded before the envelope leaves so that no receipt can arrive for a signal
//! the sender does not know.

use crate::db_key::{DbKey, KeySource};
use crate::error::{Result, SendError};
use crate::evaluation::MonthCounts;
use crate::incident::IncidentHour;
use crate::phone::Phone;
use crate::relay_client::{parse_relay_url, RelayClient, RelayError};
use crate::report::{ReceiptReport, RefusedReason, UnknownNotice};
use crate::state_dir::{create_private_dir, existing_dir, DB_FILE};
use crate::store::{LocalDevice, Outstanding, Settle, Store, SummerRule};
use crate::summary::{SchoolSummary, Stats};
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Europe::Amsterdam;
use hwc_calendar::{Day, Delivery, Region, SchoolCalendar};
use hwc_protocol::api::{CreateEnrollment, DeviceInfo, DeviceStatus, LastContact, OfficeItem};
use hwc_protocol::birthdate::{MAX_AGE, MIN_AGE};
use hwc_protocol::envelope::MAX_CLOCK_SKEW_SECS;
use hwc_protocol::{
    Brin, Destination, DeviceId, EnrollmentCode, Envelope, OfficePublicKey, OfficeSigningKey, OfficeSuccession,
    Receipt, ReceiptKind, Role, SafetyCode, SchoolDaysNotice, Signal, SignalId, MAX_COPIES,
};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

mod locations;
mod profile;
pub use profile::DEFAULT_SENDER;

/// A school's own days are kept this many days after they passed.
const SCHOOL_DAYS_KEPT_DAYS: u64 = 400;

/// How long an enrollment code stays valid.
pub const ENROLLMENT_VALID_DAYS: i64 = 14;
/// At most this many pages of receipts are read in one `fetch_receipts`.
const MAX_RECEIPT_PAGES: usize = 1000;
/// An outstanding signal this long past its expiry without any word from the relay is reported
/// as [`ReceiptReport::Unconfirmed`] (the relay reports an expiry within minutes).
pub const UNCONFIRMED_AFTER_SECS: i64 = 24 * 3600;

/// A signal sent: its id and how it travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sent {
    pub signal_id: SignalId,
    pub delivery: Delivery,
}

/// One school's signals not yet handed over at the morning's escalation time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Escalation {
    pub school: Brin,
    pub phone: Option<Phone>,
    /// Why the school may be closed today, when its calendar says it may be ("Goede Vrijdag").
    pub maybe_closed: Option<&'static str>,
    /// Oldest first.
    pub signals: Vec<Outstanding>,
}

/// What waits at the relay for [`Office::fetch_receipts`] (see [`Office::unread_receipts`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UnreadReceipts {
    /// Signals a verified receipt or an expiry notice is waiting for.
    pub settled: HashSet<SignalId>,
    /// Items waiting, of any kind.
    pub count: usize,
    /// One of the receipts says "not our pupil": a data breach to handle.
    pub breach: bool,
}

/// What the sender knows about a signal id named by the relay.
enum Known {
    Open(Outstanding),
    /// Settled here already (in this batch or within the last 30 days): a repeat.
    Settled,
    Unknown,
}

/// One judged relay item: the report (none for a repeat) and the signal it settles.
/// The moments of one send: now, the envelope's `created_at` (later than now when the relay
/// holds it through a holiday), its expiry, and the incident's hour when entered.
#[derive(Debug, Clone, Copy)]
struct SendTimes {
    now: DateTime<Utc>,
    created_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    incident_at: Option<i64>,
}

/// A settled signal: how, and when (Unix seconds) it was handed over, refused or expired.
type Settled = (SignalId, Settle, i64);
type Judged = Option<(ReceiptReport, Option<Settled>)>;

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
        // A school's own days of past school years no longer matter to any plan.
        let year_ago = hwc_protocol::expiry::amsterdam_date(Utc::now()) - chrono::Days::new(SCHOOL_DAYS_KEPT_DAYS);
        store.forget_school_days_before(year_ago)?;
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

    /// Moves this office to another relay address for good (stored, used from now on, also by
    /// the next `hwc-send` and the office's window).
    pub fn set_relay(&mut self, relay_url: &str) -> Result<()> {
        let url = parse_relay_url(relay_url).map_err(SendError::RelayUrl)?;
        let client = relay_client(url.as_str())?;
        self.store.set_relay_url(url.as_str())?;
        self.relay = client;
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

    /// The key that will succeed the office key: made and kept (encrypted, like the office key)
    /// on the first call, the same one after that until [`Office::rotate_key`] succeeds. Its
    /// public half goes to the relay's administrator, who adds it to the relay's office keys.
    pub fn successor_key(&mut self) -> Result<OfficePublicKey> {
        Ok(self.successor()?.public())
    }

    /// The successor key itself: the kept one, or a new one that is kept from now on.
    fn successor(&mut self) -> Result<OfficeSigningKey> {
        if let Some(secret) = self.store.successor()? {
            return Ok(OfficeSigningKey::from_secret_bytes(&secret));
        }
        let key = OfficeSigningKey::generate()?;
        self.store.set_successor(&key.secret_bytes(), Utc::now().timestamp())?;
        Ok(key)
    }

    /// Whether a successor key was made and not yet handed over to.
    pub fn has_successor(&self) -> Result<bool> {
        Ok(self.store.successor()?.is_some())
    }

    /// Office key rotation: the relay hands every school of the current key to the successor
    /// (see [`Office::successor_key`]; the relay must already know it) and refuses the current
    /// key from then on. Then the successor becomes this office's key, and every device verified
    /// so far is marked as verified under the previous key: those devices must enroll again.
    /// Returns them. Should the relay's answer be lost, calling it again is harmless.
    pub fn rotate_key(&mut self) -> Result<Vec<LocalDevice>> {
        let successor = self.successor()?;
        let body = OfficeSuccession::sign(&self.key.public(), &successor);
        match self.relay.hand_over(&self.key, &body) {
            Ok(_) => {}
            Err(err) if err.is_refusal() => return Err(SendError::HandOverRefused(err)),
            Err(err) => return Err(err.into()),
        }
        self.store.complete_rotation()?;
        self.key = successor;
        let mut to_enroll = Vec::new();
        for school in self.store.schools()? {
            to_enroll.extend(self.store.devices(school)?.into_iter().filter(|d| d.previous_key));
        }
        Ok(to_enroll)
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
            office_key_tag: code.office_key_tag(&self.key.public()),
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
        if self.store.devices(brin)?.iter().filter(|d| !d.previous_key).count() >= MAX_COPIES {
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
            previous_key: false,
        })
    }

    /// Takes a device out of use: removed at the relay (which then delivers nothing more to
    /// it), then deleted here, so that no further signal is sealed to it. Also works for a
    /// device that is enrolled but not verified here (an enrollment the office does not trust).
    pub fn remove_device(&mut self, brin: Brin, device_id: DeviceId) -> Result<()> {
        let local = self.store.devices(brin)?.iter().any(|d| d.device_id == device_id);
        if !local {
            let list = self.relay.school_devices(&self.key, brin)?;
            match list.devices.iter().find(|d| d.device_id == device_id) {
                None => return Err(SendError::DeviceNotFound { brin, device: device_id }),
                Some(d) if d.school != brin => return Err(SendError::RelayInconsistent),
                Some(_) => {}
            }
        }
        let answer = match self.relay.remove_device(&self.key, device_id) {
            Ok(answer) => Some(answer),
            // The relay does not know the device at all, so it cannot deliver to it either.
            Err(RelayError::Api { status: 404, .. }) if local => None,
            Err(err) => return Err(err.into()),
        };
        // Deleting here is the safe direction whatever the relay answered.
        self.store.remove_device(brin, device_id)?;
        match answer {
            Some(a) if a.device_id != device_id || a.school != brin || a.status != DeviceStatus::Removed => {
                Err(SendError::RelayInconsistent)
            }
            _ => Ok(()),
        }
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
                    region: self.store.region(school)?,
                })
            })
            .collect()
    }

    /// Records the school's holiday region (`None`: not known, so a day counts as a school day
    /// only where it is one in every region).
    pub fn set_region(&mut self, brin: Brin, region: Option<Region>) -> Result<()> {
        if self.store.set_region(brin, region)? {
            Ok(())
        } else {
            Err(SendError::SchoolNotKnown { brin })
        }
    }

    /// What this office does with a signal that would wait through a zomervakantie.
    pub fn summer_rule(&self) -> Result<SummerRule> {
        self.store.summer_rule()
    }

    pub fn set_summer_rule(&mut self, rule: SummerRule) -> Result<()> {
        self.store.set_summer_rule(rule)
    }

    /// The school's calendar as this office knows it: its region and its own days.
    pub fn calendar(&self, brin: Brin) -> Result<SchoolCalendar> {
        let (closed, open) = self.store.school_days(brin)?;
        Ok(SchoolCalendar {
            region: self.store.region(brin)?,
            closed: closed.into_iter().collect(),
            open: open.into_iter().collect(),
        })
    }

    /// Records days of a known school as closed (`Some(false)`: a study day), open
    /// (`Some(true)`: it keeps lessons on a day many schools close) or back to the calendar's
    /// rule (`None`).
    pub fn set_school_days(&mut self, brin: Brin, days: &[NaiveDate], open: Option<bool>) -> Result<()> {
        if !self.store.schools()?.contains(&brin) {
            return Err(SendError::SchoolNotKnown { brin });
        }
        self.store.set_school_days(brin, days, open)
    }

    /// How a signal to `brin` sent at `at` travels: when the school reads it at the latest,
    /// and whether the relay holds it through a holiday first.
    pub fn plan_at(&self, brin: Brin, at: DateTime<Utc>) -> Result<Delivery> {
        hwc_calendar::plan(&self.calendar(brin)?, at).map_err(SendError::Calendar)
    }

    /// Seals the signal to the school's verified devices and sends it. It expires at the end of
    /// the first school day after today in the school's calendar; when that is more than a
    /// week away, the relay holds it until a week before. In the zomervakantie it is refused
    /// when this office's summer rule says so.
    pub fn send_signal(&mut self, brin: Brin, signal: &Signal) -> Result<SignalId> {
        Ok(self.send_signal_at(brin, signal, Utc::now())?.signal_id)
    }

    /// [`Office::send_signal`] as at `now` (the real clock's time, except in tests of the
    /// calendar rules), returning the plan it used, so what the officer is told is what was sent.
    pub fn send_signal_at(&mut self, brin: Brin, signal: &Signal, now: DateTime<Utc>) -> Result<Sent> {
        self.send_signal_for_incident(brin, signal, None, now)
    }

    /// [`Office::send_signal_at`] with the incident's date and hour, when the officer entered
    /// it: it stays here, only to count how soon after the incident the signal was sent and
    /// handed over ([`Office::evaluation`]).
    pub fn send_signal_for_incident(
        &mut self,
        brin: Brin,
        signal: &Signal,
        incident: Option<IncidentHour>,
        now: DateTime<Utc>,
    ) -> Result<Sent> {
        self.send_signal_to(Destination::School(brin), signal, incident, now)
    }

    /// [`Office::send_signal_for_incident`] for a school or one of its locations: a signal for
    /// a location is sealed only to the devices that serve it ([`Office::devices_for`]).
    pub fn send_signal_to(
        &mut self,
        to: Destination,
        signal: &Signal,
        incident: Option<IncidentHour>,
        now: DateTime<Utc>,
    ) -> Result<Sent> {
        let brin = to.school();
        let delivery = self.plan_at(brin, now)?;
        if delivery.summer && self.store.summer_rule()? == SummerRule::Refuse {
            return Err(SendError::SummerRefused { brin, read_by: hwc_calendar::spoken_date(delivery.read_by) });
        }
        let times = SendTimes {
            now,
            created_at: delivery.deliver_from,
            expires_at: delivery.expires_at,
            incident_at: incident.map(IncidentHour::timestamp),
        };
        let signal_id = self.send_sealed(to, signal, times)?;
        Ok(Sent { signal_id, delivery })
    }

    /// Counts a signal for `brin` that this office could not forward (the school is not in the
    /// programme, has no verified computer, or was closed): the evaluation asks for them.
    pub fn note_not_forwarded(&mut self, brin: Brin, now: DateTime<Utc>) -> Result<()> {
        self.store.note_not_forwarded(brin, now.timestamp())
    }

    /// The evaluation's figures at `now`, one row per month and school, oldest month first
    /// (months past the retention are deleted first).
    pub fn evaluation(&mut self, now: DateTime<Utc>) -> Result<Vec<MonthCounts>> {
        Ok(crate::evaluation::by_month_and_school(&self.store.tally(now.timestamp())?))
    }

    /// How many months the evaluation's figures are kept (default 24).
    pub fn counts_keep_months(&self) -> Result<u32> {
        self.store.counts_keep_months()
    }

    /// Sets how many months the evaluation's figures are kept (1 to 120), here and at the relay
    /// (its per-day counts of this office); older months are deleted at once. Saved here first:
    /// a relay that cannot be reached is [`SendError::RetentionAtRelay`], to try again.
    pub fn set_counts_keep_months(&mut self, months: u32, now: DateTime<Utc>) -> Result<()> {
        self.store.set_counts_keep_months(months, now.timestamp())?;
        self.relay
            .set_stats_retention(&self.key, months)
            .map_err(|err| SendError::RetentionAtRelay { months, reason: profile::relay_reason(&err) })
    }

    /// Records a known school's phone number, for the escalation list.
    pub fn set_phone(&mut self, brin: Brin, phone: Option<&Phone>) -> Result<()> {
        if self.store.set_phone(brin, phone)? {
            Ok(())
        } else {
            Err(SendError::SchoolNotKnown { brin })
        }
    }

    /// When each device of `brin` (not removed) last asked the relay for its inbox or status,
    /// with how many of the school's days it has been silent since (school days after that day
    /// and before today, by the school's calendar, counted over at most 90 days; `None` when the
    /// relay has no day yet).
    pub fn last_contacts(&self, brin: Brin, now: DateTime<Utc>) -> Result<Vec<(LastContact, Option<usize>)>> {
        let contacts = self.relay.last_contacts(&self.key, brin)?;
        let calendar = self.calendar(brin)?;
        let today = hwc_protocol::expiry::amsterdam_date(now);
        Ok(contacts
            .devices
            .into_iter()
            .map(|contact| {
                let silent = contact.day.map(|day| {
                    let from = day.max(today - chrono::Days::new(90));
                    from.iter_days().skip(1).take_while(|d| *d < today).filter(|d| calendar.day(*d).is_open()).count()
                });
                (contact, silent)
            })
            .collect())
    }

    /// A school's phone number, when recorded.
    pub fn phone(&self, brin: Brin) -> Result<Option<Phone>> {
        self.store.phone(brin)
    }

    /// When the morning's list of signals not yet handed over is due (Dutch time).
    pub fn escalation_at(&self) -> Result<NaiveTime> {
        self.store.escalation_at()
    }

    pub fn set_escalation_at(&mut self, at: NaiveTime) -> Result<()> {
        self.store.set_escalation_at(at)
    }

    /// What the relay holds for this office that [`Office::fetch_receipts`] has not read yet,
    /// without reading it away (the cursor does not move, nothing is settled): the signals a
    /// receipt that verifies (or an expiry notice) is waiting for, and whether one of those
    /// receipts says "not our pupil". For the morning list, which must leave every receipt,
    /// a data breach above all, to the officer's `hwc-send receipts`. Only the first page is
    /// read: asking for the next one would let the relay delete the first. A signal whose
    /// receipt is further on stays on the list (the safe side: one phone call too many).
    pub fn unread_receipts(&self) -> Result<UnreadReceipts> {
        let mut unread = UnreadReceipts::default();
        let cursor = self.store.receipts_cursor()?;
        {
            let page = self.relay.receipts(&self.key, cursor)?;
            for item in &page.items {
                match item {
                    OfficeItem::Receipt { school, receipt } => {
                        let verified =
                            self.store.devices(*school)?.iter().find_map(|d| Receipt::verify(&receipt.0, &d.keys).ok());
                        if let Some(verified) = verified {
                            unread.settled.insert(verified.receipt.signal_id);
                            unread.breach |= verified.receipt.kind == ReceiptKind::NotOurPupil;
                        }
                        unread.count += 1;
                    }
                    OfficeItem::Expired { signal_id, .. } => {
                        unread.settled.insert(*signal_id);
                        unread.count += 1;
                    }
                    OfficeItem::SchoolDays { .. } => unread.count += 1,
                }
            }
        }
        Ok(unread)
    }

    /// The signals not yet handed over, per school, as at `now`: those the school's devices
    /// had before today's escalation time (sent before it, or held by the relay until before
    /// it) and that have not expired, at each school whose calendar does not have it closed
    /// today, leaving out the signals in `unread` (see [`Office::unread_receipts`]).
    pub fn escalations(&self, now: DateTime<Utc>, unread: &UnreadReceipts) -> Result<Vec<Escalation>> {
        let today = hwc_protocol::expiry::amsterdam_date(now);
        let local = today.and_time(self.store.escalation_at()?);
        let cutoff = Amsterdam.from_local_datetime(&local).earliest().map_or(now.timestamp(), |t| t.timestamp());
        let mut open = self.store.all_outstanding()?;
        open.retain(|o| {
            o.held_until.unwrap_or(o.sent_at) < cutoff
                && o.expires_at > now.timestamp()
                && !unread.settled.contains(&o.signal_id)
        });
        let mut list: Vec<Escalation> = Vec::new();
        for school in self.store.schools()? {
            let signals: Vec<Outstanding> = open.iter().filter(|o| o.school == school).cloned().collect();
            if signals.is_empty() {
                continue;
            }
            let maybe_closed = match self.calendar(school)?.day(today) {
                Day::Closed(_) => continue,
                Day::MaybeClosed(reason) => Some(reason.dutch()),
                Day::Open => None,
            };
            list.push(Escalation { school, phone: self.store.phone(school)?, maybe_closed, signals });
        }
        Ok(list)
    }

    /// Every signal sent and not yet settled (handed over, refused, expired), oldest first:
    /// ids, schools and times only.
    pub fn open_signals(&self) -> Result<Vec<Outstanding>> {
        self.store.all_outstanding()
    }

    /// The signals to `brin` that the relay still holds (sent before a holiday), as at `now`:
    /// only the devices verified when they were sent can open them.
    pub fn held_signals(&self, brin: Brin, now: DateTime<Utc>) -> Result<Vec<Outstanding>> {
        Ok(self
            .store
            .all_outstanding()?
            .into_iter()
            .filter(|o| o.school == brin && o.held_until.is_some_and(|at| at > now.timestamp()))
            .collect())
    }

    /// Like [`Office::send_signal`] with an explicit expiry (at most 7 days ahead), delivered at
    /// once whatever the calendar says.
    pub fn send_signal_expiring(&mut self, brin: Brin, signal: &Signal, expires_at: DateTime<Utc>) -> Result<SignalId> {
        let now = Utc::now();
        self.send_sealed(
            Destination::School(brin),
            signal,
            SendTimes { now, created_at: now, expires_at, incident_at: None },
        )
    }

    fn send_sealed(&mut self, to: Destination, signal: &Signal, times: SendTimes) -> Result<SignalId> {
        let SendTimes { now, created_at, expires_at, incident_at } = times;
        let brin = to.school();
        let devices = self.devices_for(to)?;
        let recipients: Vec<_> = devices.iter().filter(|d| !d.previous_key).map(|d| d.keys).collect();
        if recipients.is_empty() && !devices.is_empty() {
            return Err(SendError::OnlyPreviousKeyDevices { brin });
        }
        match to.location() {
            _ if !recipients.is_empty() => {}
            Some(number) if !self.store.devices(brin)?.is_empty() => {
                return Err(SendError::NoDeviceAtLocation { brin, number })
            }
            _ => return Err(SendError::NoVerifiedDevice { brin }),
        }
        // The school's device checks the age on the day the envelope is created (its release).
        let release_day = hwc_protocol::expiry::amsterdam_date(created_at);
        let age = signal.birthdate().age_on(release_day);
        if !(MIN_AGE..=MAX_AGE).contains(&age) {
            // The age itself is not said: it is derived from the birthdate.
            return Err(SendError::AgeOnDelivery { day: hwc_calendar::spoken_date(release_day) });
        }
        let signal_id = SignalId::random()?;
        // A receipt key of its own for every send, also when one typed signal is sent twice.
        let signal = signal.with_fresh_receipt_key()?;
        let sealed = Envelope::seal(&self.key, signal_id, brin, created_at, expires_at, &recipients, &signal)?;
        // Recorded first: a receipt must never arrive for a signal this sender does not know.
        let record = Outstanding {
            signal_id,
            school: brin,
            sent_at: now.timestamp(),
            expires_at: expires_at.timestamp(),
            receipt_key: Some(signal.receipt_key().clone()),
            held_until: (created_at > now).then(|| created_at.timestamp()),
            incident_at,
        };
        self.store.record_outstanding(&record).map_err(|e| SendError::NotRecorded { reason: e.to_string() })?;
        let uncertain = |reason: String| SendError::SentUncertain { signal: signal_id, school: brin, reason };
        match self.relay.post_signal(&self.key, &sealed.bytes) {
            Ok(accepted) if accepted.signal_id == signal_id => Ok(signal_id),
            Ok(_) => Err(uncertain("de relay antwoordde met een ander signaalnummer".into())),
            Err(err) if err.is_refusal() => {
                // Definitively not stored: nothing to wait for. Should forgetting fail, the row
                // is reported later as unconfirmed, which is still true.
                let _ = self.store.forget_refused(signal_id);
                let held = created_at.timestamp() > now.timestamp() + MAX_CLOCK_SKEW_SECS;
                if held && matches!(&err, RelayError::Api { code, .. } if code == "invalid_envelope") {
                    return Err(SendError::RelayCannotHold(err));
                }
                Err(SendError::SignalRefused(err))
            }
            Err(err) => Err(uncertain(err.to_string())),
        }
    }

    /// Reads receipts and expiry notices from the relay, verifies each receipt with the device
    /// keys verified here, settles the signals and reports each one once. Items for a signal
    /// settled here within 30 days are repeats and skipped; items for any other signal that is
    /// not outstanding are reported as [`ReceiptReport::UnknownSignal`]. When the relay has
    /// nothing more, signals a day past their expiry that the relay never reported on are
    /// reported as [`ReceiptReport::Unconfirmed`] and settled as expired. Should the relay go
    /// away after a first page, what was read so far is returned (it is settled) and the error
    /// is left for the next read.
    pub fn fetch_receipts(&mut self) -> Result<Vec<ReceiptReport>> {
        let mut reports = Vec::new();
        let mut cursor = self.store.receipts_cursor()?;
        let mut drained = false;
        for _ in 0..MAX_RECEIPT_PAGES {
            let page = match self.relay.receipts(&self.key, cursor) {
                Ok(page) => page,
                // Earlier pages are settled here and will never be reported again, so they
                // go to the officer now; the rest comes with the next read.
                Err(_) if !reports.is_empty() => break,
                Err(e) => return Err(e.into()),
            };
            let mut settled: Vec<Settled> = Vec::new();
            for item in &page.items {
                if let Some((report, settle)) = self.judge(item, &settled)? {
                    settled.extend(settle);
                    self.plan_school_days(&report)?;
                    reports.push(report);
                }
            }
            let done = page.items.is_empty() || page.cursor <= cursor;
            let next = page.cursor.max(cursor);
            // The cursor moves only together with the settled rows: a crash repeats the page.
            // Nothing new and the cursor where it was (the window asks every few seconds): no
            // write at all.
            if !settled.is_empty() || next != cursor {
                self.store.settle(&settled, next, Utc::now().timestamp())?;
            }
            cursor = next;
            if done {
                drained = true;
                break;
            }
        }
        if drained {
            let now = Utc::now();
            let stale = self.store.outstanding_expired_before(now.timestamp() - UNCONFIRMED_AFTER_SECS)?;
            let mut settled = Vec::new();
            for open in stale {
                reports.push(ReceiptReport::Unconfirmed {
                    signal_id: open.signal_id,
                    school: open.school,
                    expires_at: DateTime::from_timestamp(open.expires_at, 0).unwrap_or_default(),
                });
                settled.push((open.signal_id, Settle::Expired, open.expires_at));
            }
            if !settled.is_empty() {
                self.store.settle(&settled, cursor, now.timestamp())?;
            }
        }
        Ok(reports)
    }

    /// Puts a school's own days, as its device reported them, into this office's planning:
    /// closed days as closed, cleared days back to the calendar's rule. Repeating it (a page
    /// read again after a crash) changes nothing.
    fn plan_school_days(&mut self, report: &ReceiptReport) -> Result<()> {
        if let ReceiptReport::SchoolDays { school, closed, cleared, .. } = report {
            self.store.set_school_days(*school, closed, Some(false))?;
            self.store.set_school_days(*school, cleared, None)?;
        }
        Ok(())
    }

    fn known(&self, signal_id: SignalId, settled: &[Settled]) -> Result<Known> {
        if settled.iter().any(|(id, _, _)| *id == signal_id) || self.store.is_settled(signal_id)? {
            return Ok(Known::Settled);
        }
        Ok(match self.store.outstanding(signal_id)? {
            Some(open) => Known::Open(open),
            None => Known::Unknown,
        })
    }

    /// Decides what one relay item means. `None`: already settled (a repeat), nothing to report.
    fn judge(&self, item: &OfficeItem, settled: &[Settled]) -> Result<Judged> {
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
                let at = DateTime::from_timestamp(receipt.at, 0).unwrap_or_default();
                let open = match self.known(receipt.signal_id, settled)? {
                    Known::Settled => return Ok(None),
                    Known::Unknown => {
                        let notice = UnknownNotice::Receipt {
                            device_id: device.device_id,
                            role: device.role,
                            kind: receipt.kind,
                            at,
                        };
                        let report =
                            ReceiptReport::UnknownSignal { signal_id: receipt.signal_id, school: *school, notice };
                        return Ok(Some((report, None)));
                    }
                    Known::Open(open) => open,
                };
                if open.school != *school {
                    return Ok(Some((
                        ReceiptReport::Refused { school: *school, reason: RefusedReason::WrongSchool },
                        None,
                    )));
                }
                if !open.receipt_key.as_ref().is_some_and(|key| receipt.proves_opening(key)) {
                    let report = ReceiptReport::Unproven {
                        signal_id: receipt.signal_id,
                        school: *school,
                        role: device.role,
                        kind: receipt.kind,
                        at,
                    };
                    // Reported once and settled: the relay passes no later receipt for this
                    // signal, and a day after its expiry it must not read as never delivered.
                    return Ok(Some((report, Some((receipt.signal_id, Settle::Unproven, receipt.at)))));
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
                    at,
                    // Only words hang on it: a store that cannot say leaves the defaults.
                    sector: self.store.sector(*school).ok().flatten(),
                };
                Ok(Some((report, Some((receipt.signal_id, settle, receipt.at)))))
            }
            OfficeItem::SchoolDays { school, notice } => {
                let devices = self.store.devices(*school)?;
                let opened = devices
                    .iter()
                    .find_map(|d| SchoolDaysNotice::open(&notice.0, &d.keys).ok().map(|notice| (d, notice)));
                let report = match opened {
                    None => ReceiptReport::Refused { school: *school, reason: RefusedReason::UnknownDevice },
                    Some((_, notice)) if notice.school != *school => {
                        ReceiptReport::Refused { school: *school, reason: RefusedReason::WrongSchool }
                    }
                    Some((device, notice)) => ReceiptReport::SchoolDays {
                        school: *school,
                        role: device.role,
                        at: DateTime::from_timestamp(notice.at, 0).unwrap_or_default(),
                        closed: notice.closed,
                        cleared: notice.cleared,
                    },
                };
                Ok(Some((report, None)))
            }
            OfficeItem::Expired { signal_id, school, expired_at } => {
                let expired_at = DateTime::from_timestamp(*expired_at, 0).unwrap_or_default();
                match self.known(*signal_id, settled)? {
                    Known::Settled => Ok(None),
                    Known::Unknown => {
                        let notice = UnknownNotice::Expired { expired_at };
                        Ok(Some((
                            ReceiptReport::UnknownSignal { signal_id: *signal_id, school: *school, notice },
                            None,
                        )))
                    }
                    Known::Open(open) => {
                        let report = ReceiptReport::Expired { signal_id: *signal_id, school: open.school, expired_at };
                        Ok(Some((report, Some((*signal_id, Settle::Expired, expired_at.timestamp())))))
                    }
                }
            }
        }
    }

    /// The relay's counts for this office and the sender's own.
    pub fn stats(&self) -> Result<Stats> {
        let relay = self.relay.stats(&self.key)?;
        Ok(Stats { relay, local: self.store.counts()?, outstanding: self.store.all_outstanding()?.len() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hwc_protocol::api::Blob;
    use hwc_protocol::{DeviceOpenKey, DevicePublicKeys, DeviceSigningKey, ReceiptKey};

    /// An office with a key file (no keyring needed) and a device stored as verified here
    /// (never enrolled at a relay: these tests judge items without one).
    fn office_with_device(dir: &Path) -> (Office, DeviceSigningKey, LocalDevice) {
        let office =
            Office::init(&dir.join("state"), KeySource::File(dir.join("state.key")), "http://127.0.0.1:9").unwrap();
        let sign = DeviceSigningKey::generate().unwrap();
        let keys = DevicePublicKeys::of(&sign, &DeviceOpenKey::generate().unwrap());
        let device = LocalDevice {
            device_id: keys.device_id(),
            school: "12AB".parse().unwrap(),
            role: Role::Backup,
            keys,
            verified_at: 1,
            previous_key: false,
        };
        office.store.add_device(&device).unwrap();
        (office, sign, device)
    }

    /// The receipt key every outstanding signal in these tests was sealed with.
    fn sealed_key() -> ReceiptKey {
        ReceiptKey::from_bytes([5; 16])
    }

    fn outstanding_with(
        office: &mut Office,
        school: Brin,
        expires_at: i64,
        receipt_key: Option<ReceiptKey>,
    ) -> SignalId {
        let signal_id = SignalId::random().unwrap();
        let now = Utc::now().timestamp();
        let record = Outstanding {
            signal_id,
            school,
            sent_at: now - 10,
            expires_at,
            receipt_key,
            held_until: None,
            incident_at: None,
        };
        office.store.record_outstanding(&record).unwrap();
        signal_id
    }

    fn outstanding(office: &mut Office, school: Brin, expires_at: i64) -> SignalId {
        outstanding_with(office, school, expires_at, Some(sealed_key()))
    }

    fn receipt_item(sign: &DeviceSigningKey, device: &LocalDevice, signal_id: SignalId) -> OfficeItem {
        receipt_item_proven_with(sign, device, signal_id, &sealed_key())
    }

    fn receipt_item_proven_with(
        sign: &DeviceSigningKey,
        device: &LocalDevice,
        signal_id: SignalId,
        opened: &ReceiptKey,
    ) -> OfficeItem {
        let receipt = Receipt::sign(sign, device.device_id, signal_id, ReceiptKind::HandedOver, Utc::now(), opened);
        OfficeItem::Receipt { school: device.school, receipt: Blob(receipt.bytes) }
    }

    #[test]
    fn a_receipt_without_proof_of_opening_is_no_handover() {
        let tmp = tempfile::tempdir().unwrap();
        let (mut office, sign, device) = office_with_device(tmp.path());
        let future = Utc::now().timestamp() + 3600;
        let open = outstanding(&mut office, device.school, future);

        // The device's own signing key, but a key guessed instead of read from the signal.
        let guessed = ReceiptKey::random().unwrap();
        let (report, settle) =
            office.judge(&receipt_item_proven_with(&sign, &device, open, &guessed), &[]).unwrap().unwrap();
        assert!(matches!(report, ReceiptReport::Unproven { signal_id, .. } if signal_id == open), "{report:?}");
        assert!(report.needs_attention());
        let text = report.to_string();
        assert!(text.contains("zonder bewijs dat het signaal is geopend") && text.contains("bel de school"), "{text}");
        // Settled as unproven, not as handed over: the relay passes no later receipt for it.
        assert_eq!(settle.map(|(id, how, _)| (id, how)), Some((open, Settle::Unproven)));
        office.store.settle(&[(open, Settle::Unproven, 0)], 1, Utc::now().timestamp()).unwrap();
        let counts = office.store.counts().unwrap();
        assert_eq!((counts.handed_over, counts.unproven), (0, 1));

        // The proof made with the key from the signal settles it as handed over.
        let proven = outstanding(&mut office, device.school, future);
        let (report, settle) = office.judge(&receipt_item(&sign, &device, proven), &[]).unwrap().unwrap();
        assert!(matches!(report, ReceiptReport::Acknowledged { .. }), "{report:?}");
        assert_eq!(settle.map(|(id, how, _)| (id, how)), Some((proven, Settle::HandedOver)));

        // A signal recorded before the store kept receipt keys cannot be proven either.
        let legacy = outstanding_with(&mut office, device.school, future, None);
        let (report, _) = office.judge(&receipt_item(&sign, &device, legacy), &[]).unwrap().unwrap();
        assert!(matches!(report, ReceiptReport::Unproven { .. }), "{report:?}");
    }

    #[test]
    fn unknown_signals_are_reported_and_settled_ones_are_repeats() {
        let tmp = tempfile::tempdir().unwrap();
        let (mut office, sign, device) = office_with_device(tmp.path());
        let future = Utc::now().timestamp() + 3600;

        // Open signal: acknowledged and settled.
        let open = outstanding(&mut office, device.school, future);
        let (report, settle) = office.judge(&receipt_item(&sign, &device, open), &[]).unwrap().unwrap();
        assert!(matches!(report, ReceiptReport::Acknowledged { signal_id, .. } if signal_id == open));
        let settle = settle.unwrap();
        // Within the same page, and after the commit, the same receipt is a quiet repeat.
        assert!(office.judge(&receipt_item(&sign, &device, open), &[settle]).unwrap().is_none());
        office.store.settle(&[settle], 1, Utc::now().timestamp()).unwrap();
        assert!(office.judge(&receipt_item(&sign, &device, open), &[]).unwrap().is_none());
        let expired = OfficeItem::Expired { signal_id: open, school: device.school, expired_at: future };
        assert!(office.judge(&expired, &[]).unwrap().is_none());

        // A signal never sent from here: reported, not settled, signature still checked.
        let stranger = SignalId::random().unwrap();
        let (report, settle) = office.judge(&receipt_item(&sign, &device, stranger), &[]).unwrap().unwrap();
        assert!(settle.is_none());
        match &report {
            ReceiptReport::UnknownSignal { signal_id, school, notice: UnknownNotice::Receipt { device_id, .. } } => {
                assert_eq!((*signal_id, *school, *device_id), (stranger, device.school, device.device_id));
            }
            other => panic!("unexpected {other:?}"),
        }
        assert!(report.needs_attention());
        assert!(report.to_string().contains("ontvangstbevestiging voor een onbekend signaal"), "{report}");
        let forged = receipt_item(&DeviceSigningKey::generate().unwrap(), &device, stranger);
        let (report, _) = office.judge(&forged, &[]).unwrap().unwrap();
        assert_eq!(report, ReceiptReport::Refused { school: device.school, reason: RefusedReason::UnknownDevice });
        let expired = OfficeItem::Expired { signal_id: stranger, school: device.school, expired_at: future };
        let (report, settle) = office.judge(&expired, &[]).unwrap().unwrap();
        assert!(settle.is_none());
        assert!(matches!(report, ReceiptReport::UnknownSignal { notice: UnknownNotice::Expired { .. }, .. }));
        assert!(report.to_string().contains("verloopbericht voor een onbekend signaal"), "{report}");
    }

    #[test]
    fn a_schools_own_days_from_its_device_go_into_the_planning() {
        let tmp = tempfile::tempdir().unwrap();
        let (mut office, sign, device) = office_with_device(tmp.path());
        let today = hwc_protocol::expiry::amsterdam_date(Utc::now());
        let (study_day, mistake) = (today + chrono::Days::new(20), today + chrono::Days::new(30));
        office.set_school_days(device.school, &[mistake], Some(false)).unwrap();
        let notice = SchoolDaysNotice {
            school: device.school,
            device_id: device.device_id,
            at: Utc::now().timestamp(),
            closed: vec![study_day],
            cleared: vec![mistake],
        };
        let item = OfficeItem::SchoolDays { school: device.school, notice: Blob(notice.sign(&sign).unwrap()) };
        let (report, settle) = office.judge(&item, &[]).unwrap().unwrap();
        assert!(settle.is_none() && !report.needs_attention());
        let text = report.to_string();
        assert!(text.contains("school 12AB (achterwacht) gaf om") && text.contains("dicht op"), "{text}");
        assert!(text.contains(&hwc_calendar::spoken_date(study_day)), "{text}");
        office.plan_school_days(&report).unwrap();
        let calendar = office.calendar(device.school).unwrap();
        assert!(calendar.closed.contains(&study_day) && !calendar.closed.contains(&mistake));

        // Signed by a key not verified here: refused, and the planning stays as it is.
        let stranger = DeviceSigningKey::generate().unwrap();
        let forged = OfficeItem::SchoolDays { school: device.school, notice: Blob(notice.sign(&stranger).unwrap()) };
        let (report, _) = office.judge(&forged, &[]).unwrap().unwrap();
        assert_eq!(report, ReceiptReport::Refused { school: device.school, reason: RefusedReason::UnknownDevice });
    }

    #[test]
    fn a_signal_the_relay_never_reported_on_is_reported_a_day_after_expiry() {
        let tmp = tempfile::tempdir().unwrap();
        let (mut office, _sign, device) = office_with_device(tmp.path());
        let relay = hwc_relay::testing::TestRelay::start(vec![office.public_key()]);
        office.use_relay(&relay.url()).unwrap();
        let now = Utc::now().timestamp();
        let recent = outstanding(&mut office, device.school, now - 3600);
        let lost = outstanding(&mut office, device.school, now - UNCONFIRMED_AFTER_SECS - 60);

        let reports = office.fetch_receipts().unwrap();
        assert_eq!(reports.len(), 1, "{reports:?}");
        assert!(matches!(reports[0], ReceiptReport::Unconfirmed { signal_id, .. } if signal_id == lost));
        assert!(reports[0].to_string().contains("nooit bevestigd dat dit signaal is aangekomen"), "{}", reports[0]);
        assert!(office.fetch_receipts().unwrap().is_empty());
        assert_eq!(office.store.all_outstanding().unwrap().iter().map(|o| o.signal_id).collect::<Vec<_>>(), [recent]);
        assert!(office.store.is_settled(lost).unwrap());
        assert_eq!(office.store.counts().unwrap().expired, 1);
    }
}
