//! Overviews for the office: the schools with their verified devices, and the counts (the
//! relay's and the sender's own). Ids, roles and numbers only.

use crate::store::{Counts, LocalDevice};
use hwc_protocol::api;
use hwc_protocol::Brin;

/// One school as this sender knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchoolSummary {
    pub school: Brin,
    /// Devices verified here by safety code: the only ones signals are sealed to.
    pub devices: Vec<LocalDevice>,
    /// Signals sent to this school and not yet acknowledged or expired.
    pub outstanding: usize,
    /// The school's holiday region, once the office recorded it.
    pub region: Option<hwc_calendar::Region>,
}

/// Counts from the relay and from this sender.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stats {
    /// What the relay counted for this office.
    pub relay: api::Stats,
    /// What this sender counted itself.
    pub local: Counts,
    /// Signals still waiting for a receipt.
    pub outstanding: usize,
}
