//! `GET /v1/receipts?after=N` (office): receipts and expiry notices for this office. Runs the
//! expiry sweep first, so the office sees expirations without waiting for the background task.

use super::query_numbers;
use crate::auth::Signed;
use crate::error::ApiFailure;
use crate::state::{now_secs, AppState};
use axum::extract::State;
use axum::http::Uri;
use axum::Json;
use hwc_protocol::api::OfficeItems;

pub async fn get_items(
    State(state): State<AppState>,
    uri: Uri,
    signed: Signed,
) -> Result<Json<OfficeItems>, ApiFailure> {
    let office = signed.office()?;
    let after = query_numbers(&uri, &["after"])?[0].unwrap_or(0);
    let now = now_secs();
    let items = state.store.take_office_items(office, after, now).await?;
    Ok(Json(items))
}
