//! The Dutch school year, for deciding when a signal must expire so that the school can read it
//! on a school day: the official school holidays per region (2025-2026 up to and including
//! 2029-2030, in `data/schoolvakanties.toml` with their sources), the national days off, the days
//! that differ per school, a school's own closed and open days, and the delivery plan of a
//! signal. Pure functions and types: no I/O and no clock; the caller passes the time.

mod data;
mod days;
mod dutch;
mod holidays;
mod national;
mod plan;
mod region;

pub use days::{Day, Reason, SchoolCalendar};
pub use dutch::{dutch_date, parse_days, spoken_date, DaysError};
pub use holidays::{covered_until, Vacation};
pub use national::{easter_sunday, NationalDay, Usual};
pub use plan::{plan, Delivery, PlanError, MAX_SEARCH_DAYS};
pub use region::{Region, RegionError};
