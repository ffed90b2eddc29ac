//! The HTTP API of docs/protocol.md, one file per area, plus small helpers shared by them.

pub mod devices;
pub mod health;
pub mod inbox;
pub mod office_items;
pub mod offices;
pub mod pin_guard;
pub mod profiles;
pub mod receipts;
pub mod school_days;
pub mod signals;
pub mod stats;

use crate::error::ApiFailure;
use crate::logging::log_request;
use crate::state::AppState;
use axum::http::Uri;
use axum::routing::{get, post};
use axum::Router;
use serde::de::DeserializeOwned;

/// The relay's routes with request logging.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/v1/enrollments", post(devices::create_enrollment))
        .route("/v1/devices", post(devices::enroll))
        .route("/v1/device", get(devices::own_device))
        .route("/v1/device/remove", post(devices::remove_self))
        .route("/v1/schools/{brin}/devices", get(devices::list))
        .route("/v1/schools/{brin}/last-contact", get(devices::last_contact))
        .route("/v1/schools/{brin}/profile", post(profiles::post_profile))
        .route("/v1/school/profile", get(profiles::get_profile))
        .route("/v1/school/days", post(school_days::post_school_days))
        .route("/v1/devices/{device_id}/verify", post(devices::verify))
        .route("/v1/devices/{device_id}/remove", post(devices::remove))
        .route("/v1/pin-guard", post(pin_guard::try_pin))
        .route("/v1/pin-guard/reset", post(pin_guard::reset))
        .route("/v1/signals", post(signals::post_signal))
        .route("/v1/inbox", get(inbox::get_inbox))
        .route("/v1/receipts", post(receipts::post_receipt).get(office_items::get_items))
        .route("/v1/stats", get(stats::get_stats))
        .route("/v1/stats/retention", post(stats::post_retention))
        .route("/v1/office/successor", post(offices::post_successor))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn(log_request))
        .with_state(state)
}

async fn not_found() -> ApiFailure {
    ApiFailure::NotFound(
        "Dit adres bestaat niet op de relay. Gebruik een versie van de software die bij deze relay past.".into(),
    )
}

async fn method_not_allowed() -> ApiFailure {
    ApiFailure::BadRequest(
        "Deze methode is hier niet toegestaan. Gebruik een versie van de software die bij deze relay past.".into(),
    )
}

/// Parses a JSON body; unknown fields are refused by the protocol types themselves.
pub(crate) fn json_body<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiFailure> {
    serde_json::from_slice(body).map_err(|_| ApiFailure::bad_json())
}

/// Reads unsigned integer query parameters; any name not in `allowed` is refused.
pub(crate) fn query_numbers(uri: &Uri, allowed: &[&str]) -> Result<Vec<Option<u64>>, ApiFailure> {
    let mut values = vec![None; allowed.len()];
    for pair in uri.query().unwrap_or_default().split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let slot = allowed.iter().position(|a| *a == name).ok_or_else(|| {
            ApiFailure::BadRequest(format!(
                "Onbekende parameter in het adres; toegestaan zijn: {}.",
                allowed.join(", ")
            ))
        })?;
        let number = value.parse::<u64>().map_err(|_| {
            ApiFailure::BadRequest(format!("De parameter {} moet een geheel getal van 0 of meer zijn.", allowed[slot]))
        })?;
        values[slot] = Some(number);
    }
    Ok(values)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_numbers_reads_known_names_only() {
        let uri: Uri = "/v1/inbox?after=3&wait=30".parse().unwrap();
        assert_eq!(query_numbers(&uri, &["after", "wait"]).unwrap(), vec![Some(3), Some(30)]);
        let uri: Uri = "/v1/inbox".parse().unwrap();
        assert_eq!(query_numbers(&uri, &["after", "wait"]).unwrap(), vec![None, None]);
        for bad in ["/v1/inbox?after=-1", "/v1/inbox?x=1", "/v1/inbox?after=a"] {
            let uri: Uri = bad.parse().unwrap();
            assert_eq!(query_numbers(&uri, &["after", "wait"]).unwrap_err().code(), "bad_request", "{bad}");
        }
    }
}
