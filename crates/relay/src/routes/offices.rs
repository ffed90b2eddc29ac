//! `POST /v1/office/successor` (signed by the old office key): office key rotation. The
//! successor must already be a configured office key and must prove it agrees; then the old
//! key's schools, waiting envelopes, queued receipts and counts move to it in one transaction
//! and the old key is refused from then on. A retry answers the same.

use crate::auth::Signed;
use crate::error::ApiFailure;
use crate::routes::json_body;
use crate::state::{now_secs, AppState};
use crate::store::offices::HandOver;
use axum::extract::State;
use axum::Json;
use hwc_protocol::api::SuccessorAccepted;
use hwc_protocol::OfficeSuccession;

pub async fn post_successor(
    State(state): State<AppState>,
    signed: Signed,
) -> Result<Json<SuccessorAccepted>, ApiFailure> {
    let old = signed.office_even_retired()?;
    let succession: OfficeSuccession = json_body(&signed.body)?;
    let new = succession.successor;
    if new == old {
        return Err(ApiFailure::BadRequest("De nieuwe sleutel is dezelfde als de oude.".into()));
    }
    if !succession.verify(&old) {
        return Err(ApiFailure::BadRequest(
            "De nieuwe sleutel heeft de overdracht niet (goed) ondertekend. Maak het verzoek opnieuw met hwc-send."
                .into(),
        ));
    }
    if !state.is_office(&new) {
        return Err(ApiFailure::Forbidden(format!(
            "De relay kent de nieuwe sleutel nog niet. Vraag de beheerder van de relay om {new} toe te voegen aan de sleutels van leerplicht en probeer het daarna opnieuw."
        )));
    }
    if !state.same_office(&old, &new) {
        return Err(ApiFailure::Forbidden(
            "De nieuwe sleutel hoort volgens de instellingen van de relay bij een ander leerplichtkantoor. Vraag de beheerder van de relay om beide sleutels bij hetzelfde kantoor te zetten.".into(),
        ));
    }
    let now = now_secs();
    match state.store.hand_over(old, new, now).await? {
        HandOver::Done { schools } => {
            tracing::info!(schools, "office key handed over to its successor");
            Ok(Json(SuccessorAccepted { first: true }))
        }
        HandOver::AlreadyDone => Ok(Json(SuccessorAccepted { first: false })),
        HandOver::OtherSuccessor => Err(ApiFailure::Conflict(
            "Deze sleutel is al eerder overgedragen aan een andere nieuwe sleutel.".into(),
        )),
        HandOver::SuccessorInUse => Err(ApiFailure::Conflict(
            "De nieuwe sleutel is al in gebruik (voor eigen scholen of als vervangen sleutel). Maak een nieuwe sleutel.".into(),
        )),
    }
}
