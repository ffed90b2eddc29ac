//! The background expiry sweep, run every `--sweep-interval-secs`.

use crate::state::{now_secs, AppState};
use std::time::Duration;

/// Sweeps forever; the caller aborts the task at shutdown.
pub async fn run(state: AppState, every: Duration) {
    let mut ticker = tokio::time::interval(every);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        let now = now_secs();
        match state.store.sweep(now).await {
            Ok(report) => {
                for school in &report.released_schools {
                    state.waiters.wake(*school);
                }
                if !report.released_schools.is_empty() {
                    tracing::info!(schools = report.released_schools.len(), "held envelopes released");
                }
                if report.expired > 0 || report.tombstones > 0 {
                    tracing::info!(
                        expired = report.expired,
                        tombstones = report.tombstones,
                        nonces = report.nonces,
                        "sweep"
                    );
                }
            }
            Err(error) => tracing::error!(%error, "sweep failed"),
        }
    }
}
