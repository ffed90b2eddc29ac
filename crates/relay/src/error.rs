//! Every way a request can fail, as the stable code, HTTP status and plain Dutch sentence the
//! protocol lists. Messages never carry request bodies; the relay has no personal data anyway.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use hwc_protocol::api::ApiError;

/// A refused or failed request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiFailure {
    #[error("{0}")]
    BadRequest(String),
    #[error("Het envelop is geweigerd: {0}.")]
    InvalidEnvelope(String),
    #[error("De ontvangstbevestiging is geweigerd: {0}.")]
    InvalidReceipt(String),
    #[error(
        "Het verzoek is niet (leesbaar) ondertekend. Gebruik de Handle with Care-software om de relay te bereiken."
    )]
    Unauthenticated,
    #[error("De handtekening op het verzoek klopt niet. Controleer of de juiste sleutel wordt gebruikt.")]
    BadSignature,
    #[error(
        "Het verzoek is te oud of komt uit de toekomst. Controleer de klok van deze computer en probeer het opnieuw."
    )]
    StaleRequest,
    #[error("Dit verzoek is al eens ontvangen. Verstuur het opnieuw, dan krijgt het een nieuw kenmerk.")]
    ReplayedRequest,
    #[error("{0}")]
    UnknownSigner(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    WrongSchool(String),
    #[error("{0}")]
    DeviceNotVerified(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("Deze aanmeldcode is al gebruikt. Vraag leerplicht om een nieuwe code.")]
    CodeUsed,
    #[error("{0}")]
    Expired(String),
    #[error("Het verzoek is groter dan 64 KiB en is geweigerd.")]
    TooLarge,
    #[error(
        "Vanaf dit netwerk zijn te vaak verkeerde aanmeldcodes geprobeerd. Probeer het over tien minuten opnieuw."
    )]
    TooManyAttempts,
    #[error("Met dit apparaat is tien keer een verkeerde pincode geprobeerd sinds de laatste juiste. De relay controleert geen pincodes meer voor dit apparaat; meld het opnieuw aan met een nieuwe code van leerplicht.")]
    PinTriesUsedUp,
    #[error("Er ging iets mis in de relay. Probeer het over een paar minuten opnieuw; blijft het misgaan, neem dan contact op met de beheerder.")]
    Internal,
    #[error("De relay kan haar database nu niet bereiken. Probeer het over een paar minuten opnieuw.")]
    Unavailable,
}

impl ApiFailure {
    /// The stable error code of the protocol.
    pub fn code(&self) -> &'static str {
        match self {
            ApiFailure::BadRequest(_) => "bad_request",
            ApiFailure::InvalidEnvelope(_) => "invalid_envelope",
            ApiFailure::InvalidReceipt(_) => "invalid_receipt",
            ApiFailure::Unauthenticated => "unauthenticated",
            ApiFailure::BadSignature => "bad_signature",
            ApiFailure::StaleRequest => "stale_request",
            ApiFailure::ReplayedRequest => "replayed_request",
            ApiFailure::UnknownSigner(_) => "unknown_signer",
            ApiFailure::Forbidden(_) => "forbidden",
            ApiFailure::WrongSchool(_) => "wrong_school",
            ApiFailure::DeviceNotVerified(_) => "device_not_verified",
            ApiFailure::NotFound(_) => "not_found",
            ApiFailure::Conflict(_) => "conflict",
            ApiFailure::CodeUsed => "code_used",
            ApiFailure::Expired(_) => "expired",
            ApiFailure::TooLarge => "too_large",
            ApiFailure::TooManyAttempts => "too_many_attempts",
            ApiFailure::PinTriesUsedUp => "pin_tries_used_up",
            ApiFailure::Internal => "internal",
            ApiFailure::Unavailable => "unavailable",
        }
    }

    /// The HTTP status that goes with the code.
    pub fn status(&self) -> StatusCode {
        match self {
            ApiFailure::BadRequest(_) | ApiFailure::InvalidEnvelope(_) | ApiFailure::InvalidReceipt(_) => {
                StatusCode::BAD_REQUEST
            }
            ApiFailure::Unauthenticated
            | ApiFailure::BadSignature
            | ApiFailure::StaleRequest
            | ApiFailure::ReplayedRequest
            | ApiFailure::UnknownSigner(_) => StatusCode::UNAUTHORIZED,
            ApiFailure::Forbidden(_) | ApiFailure::WrongSchool(_) | ApiFailure::DeviceNotVerified(_) => {
                StatusCode::FORBIDDEN
            }
            ApiFailure::NotFound(_) => StatusCode::NOT_FOUND,
            ApiFailure::Conflict(_) | ApiFailure::CodeUsed => StatusCode::CONFLICT,
            ApiFailure::Expired(_) => StatusCode::GONE,
            ApiFailure::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ApiFailure::TooManyAttempts => StatusCode::TOO_MANY_REQUESTS,
            ApiFailure::PinTriesUsedUp => StatusCode::LOCKED,
            ApiFailure::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            ApiFailure::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    /// The JSON body.
    pub fn body(&self) -> ApiError {
        ApiError { error: self.code().to_string(), message: self.to_string() }
    }

    /// A JSON body that could not be read (the parser's detail is not echoed: it may quote input).
    pub fn bad_json() -> Self {
        ApiFailure::BadRequest(
            "De gegevens in het verzoek hebben niet de juiste vorm (onbekende of ontbrekende velden). Gebruik een versie van de software die bij deze relay past."
                .to_string(),
        )
    }
}

impl From<crate::store::StoreError> for ApiFailure {
    fn from(error: crate::store::StoreError) -> Self {
        if matches!(error, crate::store::StoreError::Busy) {
            tracing::warn!("write refused: the database's queue is full");
            return ApiFailure::Unavailable;
        }
        tracing::error!(%error, "database error");
        ApiFailure::Internal
    }
}

impl IntoResponse for ApiFailure {
    fn into_response(self) -> Response {
        (self.status(), Json(self.body())).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_statuses_match_the_protocol_table() {
        assert_eq!(ApiFailure::TooLarge.status(), StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(ApiFailure::CodeUsed.code(), "code_used");
        assert_eq!(ApiFailure::Expired("x".into()).status(), StatusCode::GONE);
        let body = ApiFailure::ReplayedRequest.body();
        assert_eq!(body.error, "replayed_request");
        assert!(body.message.ends_with('.'));
    }
}
