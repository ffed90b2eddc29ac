//! `GET /healthz`: unauthenticated health check for monitoring and load balancers. It answers
//! `200 ok` only when the database can be read and a write commits; otherwise
//! `503 unavailable`, so a load balancer sends devices to another instance.

use crate::error::ApiFailure;
use crate::state::AppState;
use axum::extract::State;

/// Reads from the database and commits a one-row write, then answers `200 ok`.
pub async fn healthz(State(state): State<AppState>) -> Result<&'static str, ApiFailure> {
    let read = state.store.read(|conn| Ok(conn.query_row("SELECT 1", [], |row| row.get::<_, i64>(0))?)).await;
    let now = crate::state::now_secs();
    let write = state
        .store
        .call(move |conn| {
            conn.execute("INSERT OR REPLACE INTO health_check (id, at) VALUES (1, ?1)", [now])?;
            Ok(())
        })
        .await;
    match (read, write) {
        (Ok(1), Ok(())) => Ok("ok"),
        (read, write) => {
            tracing::error!(read_ok = read.is_ok(), write_ok = write.is_ok(), "health check failed");
            Err(ApiFailure::Unavailable)
        }
    }
}
