//! The PIN guard (`hwc_protocol::pin_guard`): a device tests a PIN with the relay's help, and the
//! relay counts every test. `POST /v1/pin-guard` counts a try and evaluates the blinded PIN;
//! `POST /v1/pin-guard/reset` clears the count when the device proves the PIN was right.
//! Removed devices get neither: their row is deleted with the removal.

use super::json_body;
use crate::auth::Signed;
use crate::error::ApiFailure;
use crate::state::AppState;
use crate::store::pin_guard::{tries_left, GuardTry, ResetOutcome};
use axum::extract::State;
use axum::Json;
use hwc_protocol::api::{DeviceInfo, DeviceStatus, PinGuardAnswer, PinGuardRequest, PinGuardReset};
use hwc_protocol::pin_guard::{is_element, PinGuardKey};

fn removed() -> ApiFailure {
    ApiFailure::DeviceNotVerified(
        "Dit apparaat is door leerplicht uit gebruik genomen. Meld het opnieuw aan met een nieuwe code.".into(),
    )
}

/// The signing device, unless it was removed.
fn active_device(signed: &Signed) -> Result<&DeviceInfo, ApiFailure> {
    let device = signed.device()?;
    if device.status == DeviceStatus::Removed {
        return Err(removed());
    }
    Ok(device)
}

/// `POST /v1/pin-guard` (device).
pub async fn try_pin(State(state): State<AppState>, signed: Signed) -> Result<Json<PinGuardAnswer>, ApiFailure> {
    let device = active_device(&signed)?.device_id;
    let request: PinGuardRequest = json_body(&signed.body)?;
    if !is_element(&request.blinded) {
        return Err(ApiFailure::BadRequest(
            "De pincodecontrole kreeg een onbruikbare waarde. Gebruik een versie van de app die bij deze relay past."
                .into(),
        ));
    }
    let fresh_key = PinGuardKey::generate().map_err(|_| ApiFailure::Internal)?;
    let mut nonce = [0u8; 32];
    getrandom::fill(&mut nonce).map_err(|_| ApiFailure::Internal)?;
    match state.store.pin_guard_try(device, fresh_key, nonce).await? {
        GuardTry::Exhausted => Err(ApiFailure::PinTriesUsedUp),
        GuardTry::Removed => Err(removed()),
        GuardTry::Counted { key, tries } => {
            let evaluated = key.evaluate(&request.blinded).map_err(|_| ApiFailure::Internal)?;
            Ok(Json(PinGuardAnswer { evaluated, nonce, tries_left: tries_left(tries) }))
        }
    }
}

/// `POST /v1/pin-guard/reset` (device).
pub async fn reset(State(state): State<AppState>, signed: Signed) -> Result<Json<serde_json::Value>, ApiFailure> {
    let device = active_device(&signed)?.device_id;
    let request: PinGuardReset = json_body(&signed.body)?;
    match state.store.pin_guard_reset(device, request).await? {
        ResetOutcome::Cleared => Ok(Json(serde_json::json!({}))),
        ResetOutcome::Refused => Err(ApiFailure::Forbidden(
            "De relay kon niet vaststellen dat de pincode juist was; de pogingen blijven geteld.".into(),
        )),
    }
}
