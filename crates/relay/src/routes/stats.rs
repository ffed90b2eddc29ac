//! `GET /v1/stats` (office): this office's counts.

use crate::auth::Signed;
use crate::error::ApiFailure;
use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use hwc_protocol::api::Stats;

pub async fn get_stats(State(state): State<AppState>, signed: Signed) -> Result<Json<Stats>, ApiFailure> {
    let office = signed.office()?;
    Ok(Json(state.store.stats(office).await?))
}
