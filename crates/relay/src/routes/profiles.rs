//! `POST /v1/schools/{brin}/profile` (office): publishes the school's profile frame, checked
//! against the office's key and the school before it is stored. `GET /v1/school/profile`
//! (device, pending or verified): the profile of the device's own school.

use super::devices::owned_school;
use crate::auth::Signed;
use crate::error::ApiFailure;
use crate::state::{now_secs, AppState};
use axum::extract::{Path, State};
use axum::Json;
use hwc_protocol::api::{Blob, DeviceStatus};
use hwc_protocol::{Brin, SchoolProfile};

pub async fn post_profile(
    State(state): State<AppState>,
    Path(brin): Path<String>,
    signed: Signed,
) -> Result<Json<serde_json::Value>, ApiFailure> {
    let office = signed.office()?;
    let school: Brin = brin.parse().map_err(|e| ApiFailure::BadRequest(format!("{e}.")))?;
    owned_school(&state, office, school).await?;
    SchoolProfile::open(&signed.body, &office, school)
        .map_err(|e| ApiFailure::BadRequest(format!("Het schoolprofiel wordt niet aangenomen: {e}.")))?;
    state.store.set_profile(school, signed.body.to_vec(), now_secs()).await?;
    Ok(Json(serde_json::json!({})))
}

pub async fn get_profile(State(state): State<AppState>, signed: Signed) -> Result<Json<Blob>, ApiFailure> {
    let device = signed.device()?;
    if device.status == DeviceStatus::Removed {
        return Err(ApiFailure::Forbidden("Dit apparaat is uit gebruik genomen.".into()));
    }
    match state.store.profile(device.school).await? {
        Some(frame) => Ok(Json(Blob(frame))),
        None => Err(ApiFailure::NotFound("Voor deze school is nog geen schoolprofiel gepubliceerd.".into())),
    }
}
