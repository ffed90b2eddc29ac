//! The Handle with Care relay: the postbox between the leerplicht office and the school
//! devices. It stores sealed envelopes, routes them to the devices of the right school, passes
//! receipts back to the office and counts. It holds ciphertext and routing data only and can
//! read none of the signals.
//!
//! Start with [`serve`] (or [`server::serve_state`]) or, in tests, [`testing::TestRelay`].

pub mod auth;
pub mod config;
pub mod connection_limit;
pub mod enrollment_guard;
pub mod error;
pub mod logging;
pub mod padding;
pub mod routes;
pub mod school_assignments;
pub mod server;
pub mod state;
pub mod store;
pub mod sweeper;
pub mod testing;
pub mod waiters;

pub use config::{Config, LogFormat};
pub use error::ApiFailure;
pub use server::{router, serve, serve_state, ServeError};
pub use state::AppState;
