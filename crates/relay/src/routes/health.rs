//! `GET /healthz`: unauthenticated health check for monitoring and load balancers. It answers
//! `200 ok` only when the database can be read and a write commits; otherwise
//! `503 unavailable`, so a load balancer sends devices to another instance.

use crate::error::ApiFailure;
use crate::state::AppState;
use axum::extract::State;

/// Reads from the database and commits a one-row write, then answers `200 ok`.
pub async fn healthz(State(state): State<AppState>) -> Result<&'static str, ApiFailure> {
    match state.store.health(crate::state::now_secs()).await {
        Ok(()) => Ok("ok"),
        Err(error) => {
            tracing::error!(%error, "health check failed");
            Err(ApiFailure::Unavailable)
        }
    }
}
