//! `POST /v1/receipts` (verified device): acknowledge a signal with a signed receipt.

use crate::auth::Signed;
use crate::error::ApiFailure;
use crate::state::{now_secs, AppState};
use crate::store::receipts::AckOutcome;
use axum::extract::State;
use axum::Json;
use hwc_protocol::api::ReceiptAccepted;
use hwc_protocol::Receipt;

pub async fn post_receipt(State(state): State<AppState>, signed: Signed) -> Result<Json<ReceiptAccepted>, ApiFailure> {
    let device = signed.verified_device()?;
    let receipt = Receipt::verify(&signed.body, &device.keys).map_err(|e| ApiFailure::InvalidReceipt(e.to_string()))?;
    let signal_id = receipt.receipt.signal_id;
    let school = device.school;
    let now = now_secs();
    match state.store.acknowledge(school, receipt, now).await? {
        AckOutcome::First => {
            state.waiters.wake(school);
            Ok(Json(ReceiptAccepted { signal_id, first: true }))
        }
        AckOutcome::Repeat => Ok(Json(ReceiptAccepted { signal_id, first: false })),
        AckOutcome::NotFound => Err(ApiFailure::NotFound(
            "Dit signaal is niet (meer) voor dit apparaat bij de relay: het is verlopen of was niet voor deze school."
                .into(),
        )),
        AckOutcome::Expired => Err(ApiFailure::Expired(
            "Dit signaal is verlopen en kan niet meer worden afgehandeld. Leerplicht krijgt er bericht van.".into(),
        )),
    }
}
