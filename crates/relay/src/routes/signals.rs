//! `POST /v1/signals` (office): store a sealed envelope for a school's verified devices; one
//! created for later (rule E8) is held until its `created_at`.

use crate::auth::Signed;
use crate::error::ApiFailure;
use crate::state::AppState;
use crate::store::signals::InsertOutcome;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use hwc_protocol::api::SignalAccepted;
use hwc_protocol::{Envelope, EnvelopeError};

/// Verifies the envelope frame with the sending office's key and stores it durably.
pub async fn post_signal(
    State(state): State<AppState>,
    signed: Signed,
) -> Result<(StatusCode, Json<SignalAccepted>), ApiFailure> {
    let office = signed.office()?;
    let now = chrono::Utc::now();
    let envelope = Envelope::verify_to_hold(&signed.body, &office, now).map_err(|e| match e {
        EnvelopeError::Expired => ApiFailure::Expired(
            "Het envelop is al verlopen en is niet bezorgd. Verstuur het signaal opnieuw als het nog nodig is.".into(),
        ),
        other => ApiFailure::InvalidEnvelope(other.to_string()),
    })?;
    let signal_id = envelope.envelope.signal_id;
    let school = envelope.envelope.school;
    let held = crate::store::signals::is_held(envelope.envelope.created_at, now.timestamp());
    super::devices::assigned(&state, &office, school)?;
    let outcome = state.store.insert_signal(office, envelope, now.timestamp()).await?;
    match outcome {
        InsertOutcome::Stored => {
            if !held {
                state.waiters.wake(school);
            }
            Ok((StatusCode::CREATED, Json(SignalAccepted { signal_id, stored: true })))
        }
        InsertOutcome::AlreadyStored => Ok((StatusCode::OK, Json(SignalAccepted { signal_id, stored: false }))),
        InsertOutcome::Conflict => Err(ApiFailure::Conflict(
            "Er is al een ander envelop met dit signaalnummer. Verstuur het signaal opnieuw; het krijgt dan een nieuw nummer.".into(),
        )),
        InsertOutcome::UnknownSchool | InsertOutcome::WrongSchool => Err(super::devices::not_this_offices_school()),
        InsertOutcome::DeviceNotVerified(device) => Err(ApiFailure::DeviceNotVerified(format!(
            "Apparaat {device} is geen bevestigd apparaat van deze school. Haal de apparatenlijst opnieuw op en verstuur het signaal opnieuw."
        ))),
        InsertOutcome::DeviceOfOtherKey(device) => Err(ApiFailure::DeviceNotVerified(format!(
            "Apparaat {device} is aangemeld onder een vorige sleutel van leerplicht en zou het signaal weigeren. Laat de school het apparaat opnieuw aanmelden met een nieuwe code."
        ))),
    }
}
