//! End-to-end tests of the relay API: a real server ([`hwc_relay::testing::TestRelay`]) driven
//! over real HTTP with signed requests, as the sender and the school client will.

mod assignments;
mod auth;
mod common;
mod enrollment;
mod inbox;
mod last_contact;
mod office;
mod pin_guard;
mod profiles;
mod receipts;
mod rotation;
mod school_days;
mod signals;
mod stats_retention;
