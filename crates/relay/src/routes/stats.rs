//! `GET /v1/stats` (office): this office's counts; `POST /v1/stats/retention` (office): how
//! many months its per-day counts are kept.

use crate::auth::Signed;
use crate::error::ApiFailure;
use crate::routes::json_body;
use crate::state::{now_secs, AppState};
use axum::extract::State;
use axum::Json;
use hwc_protocol::api::{Stats, StatsRetention, MAX_STATS_KEEP_MONTHS};

pub async fn get_stats(State(state): State<AppState>, signed: Signed) -> Result<Json<Stats>, ApiFailure> {
    let office = signed.office()?;
    Ok(Json(state.store.stats(office).await?))
}

pub async fn post_retention(State(state): State<AppState>, signed: Signed) -> Result<Json<StatsRetention>, ApiFailure> {
    let office = signed.office()?;
    let retention: StatsRetention = json_body(&signed.body)?;
    if !retention.is_valid() {
        return Err(ApiFailure::BadRequest(format!(
            "Een bewaartermijn is 1 tot en met {MAX_STATS_KEEP_MONTHS} maanden."
        )));
    }
    state.store.set_stats_retention(office, retention.keep_months, now_secs()).await?;
    Ok(Json(retention))
}
