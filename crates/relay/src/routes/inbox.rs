//! `GET /v1/inbox?after=N&wait=S` (verified device): the device's new envelopes and handled
//! signals, answering at once when there are any and otherwise waiting (woken on insert, no
//! polling) up to `S` seconds. Expired envelopes are never served; an `after` above the highest
//! sequence number the relay has is read as 0 (see [`inbox::read`]). Every answer is padded to
//! a fixed size ([`crate::padding`]), so its length does not tell the network that a signal came,
//! and a quiet answer comes at a random moment within the second after the wait (not on a whole
//! second, which would set it apart from one a signal woke).

use super::query_numbers;
use crate::auth::Signed;
use crate::error::ApiFailure;
use crate::state::{now_secs, AppState};
use axum::extract::State;
use axum::http::{header, Uri};
use axum::response::{IntoResponse, Response};
use hwc_protocol::api::Inbox;
use hwc_protocol::Brin;
use std::time::Duration;
use tokio::time::Instant;

/// Longest wait a device may ask for, in seconds.
pub const MAX_WAIT_SECS: u64 = 60;

pub async fn get_inbox(State(state): State<AppState>, uri: Uri, signed: Signed) -> Result<Response, ApiFailure> {
    let device = signed.verified_device()?;
    let params = query_numbers(&uri, &["after", "wait"])?;
    let mut after = params[0].unwrap_or(0);
    let wait = params[1].unwrap_or(0);
    if wait > MAX_WAIT_SECS {
        return Err(ApiFailure::BadRequest(format!("De wachttijd is hoogstens {MAX_WAIT_SECS} seconden.")));
    }
    let deadline = Instant::now() + Duration::from_secs(wait) + jitter(wait);
    let (school, device_id) = (device.school, device.device_id);
    state.note_contact(device_id);
    let notify = state.waiters.school(school);
    loop {
        // Registered before reading, so an insert between the read and the wait still wakes us.
        let notified = notify.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        let now = now_secs();
        let found = state.store.inbox(school, device_id, after, now).await?;
        if !found.envelopes.is_empty() || !found.handled.is_empty() || state.waiters.is_closed() {
            return padded(&state, &found, school).await;
        }
        if found.cursor != after {
            // Only colleagues' events (or expired envelopes) were skipped, or `after` was above
            // anything this database ever numbered and was read as 0: go on from the cursor the
            // store gave back and look again.
            after = found.cursor;
            continue;
        }
        if tokio::time::timeout_at(deadline, notified).await.is_err() {
            return padded(&state, &found, school).await;
        }
    }
}

/// The answer as JSON, padded with spaces to its fixed size for this school.
async fn padded(state: &AppState, inbox: &Inbox, school: Brin) -> Result<Response, ApiFailure> {
    let devices = state.store.list_devices(school).await?.len();
    let body = serde_json::to_vec(inbox).map_err(|_| ApiFailure::Internal)?;
    Ok(([(header::CONTENT_TYPE, "application/json")], crate::padding::pad(body, devices)).into_response())
}

/// A random part of a second added to a wait (none to an answer asked for at once).
fn jitter(wait: u64) -> Duration {
    if wait == 0 {
        return Duration::ZERO;
    }
    Duration::from_millis(u64::from(getrandom::u32().unwrap_or(0) % 1000))
}
