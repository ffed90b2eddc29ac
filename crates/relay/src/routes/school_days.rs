//! `POST /v1/school/days` (verified device): a school's own closed days for its office. The relay
//! checks the `HWK1` frame against the device's key (see `hwc_protocol::school_days`), that it is
//! for the device's own school and made just now, and queues it unchanged as an office item for
//! the office that owns the school. It holds dates only, no personal data.

use crate::auth::Signed;
use crate::error::ApiFailure;
use crate::state::{now_secs, AppState};
use axum::extract::State;
use axum::Json;
use hwc_protocol::envelope::MAX_CLOCK_SKEW_SECS;
use hwc_protocol::SchoolDaysNotice;

pub async fn post_school_days(
    State(state): State<AppState>,
    signed: Signed,
) -> Result<Json<serde_json::Value>, ApiFailure> {
    let device = signed.verified_device()?;
    let notice = SchoolDaysNotice::open(&signed.body, &device.keys)
        .map_err(|e| ApiFailure::BadRequest(format!("De doorgegeven schooldagen worden niet aangenomen: {e}.")))?;
    if notice.school != device.school {
        return Err(ApiFailure::WrongSchool(
            "De doorgegeven schooldagen zijn voor een andere school dan die van dit apparaat.".into(),
        ));
    }
    if notice.at.abs_diff(now_secs()) > MAX_CLOCK_SKEW_SECS.unsigned_abs() {
        return Err(ApiFailure::BadRequest(
            "De doorgegeven schooldagen zijn gemaakt op een tijd die meer dan 5 minuten afwijkt van de klok van de relay. Zet de klok van deze computer goed en geef de dagen opnieuw door.".into(),
        ));
    }
    if !state.store.queue_school_days(device.school, signed.body.to_vec()).await? {
        return Err(ApiFailure::NotFound(
            "Deze school is bij geen leerplichtkantoor op deze relay aangemeld, dus de schooldagen kunnen nergens heen. Neem contact op met leerplicht.".into(),
        ));
    }
    Ok(Json(serde_json::json!({})))
}
