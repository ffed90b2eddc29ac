//! Request authentication. [`RawSigned`] reads the body (at most 64 KiB) and the four
//! `x-hwc-*` headers; [`Signed`] also checks the signer (a configured office whose key was not
//! retired by a rotation (a retired key may only repeat its hand-over), or an enrolled
//! device by its stored signing key), the signature over method, path with query and body, the
//! time, and that the nonce is new. `POST /v1/devices` uses [`RawSigned`] and [`check`] with the
//! key from its own body.

use crate::error::ApiFailure;
use crate::state::{now_secs, AppState};
use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderMap, Method};
use hwc_protocol::api::{DeviceInfo, DeviceStatus};
use hwc_protocol::{AuthError, AuthHeaders, OfficePublicKey, RequestParts, Signer, MAX_REQUEST_BYTES};
use std::pin::Pin;

/// A request's body and authentication headers, not yet checked.
#[derive(Debug)]
pub struct RawSigned {
    pub headers: AuthHeaders,
    pub method: Method,
    pub path_and_query: String,
    pub body: Bytes,
}

/// Who made a checked request.
#[derive(Debug, Clone)]
pub enum Caller {
    Office(OfficePublicKey),
    /// An office key that handed its schools to a successor: refused for everything but
    /// repeating that hand-over.
    RetiredOffice(OfficePublicKey),
    Device(DeviceInfo),
}

/// A request whose signature, time and nonce were checked.
#[derive(Debug)]
pub struct Signed {
    pub caller: Caller,
    pub body: Bytes,
}

impl Signed {
    /// The office, or 403 when a device signed, or 401 when the office's key was retired.
    pub fn office(&self) -> Result<OfficePublicKey, ApiFailure> {
        match &self.caller {
            Caller::Office(key) => Ok(*key),
            Caller::RetiredOffice(_) => Err(ApiFailure::UnknownSigner(
                "Deze sleutel van leerplicht is vervangen door een nieuwe en wordt niet meer aangenomen. Gebruik de nieuwe sleutel.".into(),
            )),
            Caller::Device(_) => Err(ApiFailure::Forbidden("Dit verzoek is alleen voor leerplicht.".into())),
        }
    }

    /// The office, also when its key was retired (only for repeating a hand-over).
    pub fn office_even_retired(&self) -> Result<OfficePublicKey, ApiFailure> {
        match &self.caller {
            Caller::RetiredOffice(key) => Ok(*key),
            _ => self.office(),
        }
    }

    /// The device (any status), or 403 when an office signed.
    pub fn device(&self) -> Result<&DeviceInfo, ApiFailure> {
        match &self.caller {
            Caller::Device(device) => Ok(device),
            Caller::Office(_) | Caller::RetiredOffice(_) => {
                Err(ApiFailure::Forbidden("Dit verzoek is alleen voor apparaten van scholen.".into()))
            }
        }
    }

    /// The device if leerplicht has verified it, else 403 `device_not_verified`.
    pub fn verified_device(&self) -> Result<&DeviceInfo, ApiFailure> {
        let device = self.device()?;
        match device.status {
            DeviceStatus::Verified => Ok(device),
            DeviceStatus::Pending => Err(ApiFailure::DeviceNotVerified(
                "Dit apparaat is nog niet bevestigd. Lees de veiligheidscode voor aan leerplicht; daarna ontvangt het signalen.".into(),
            )),
            DeviceStatus::Removed => Err(ApiFailure::DeviceNotVerified(
                "Dit apparaat is door leerplicht uit gebruik genomen. Meld het opnieuw aan met een nieuwe code.".into(),
            )),
        }
    }
}

fn auth_failure(error: AuthError) -> ApiFailure {
    match error {
        AuthError::Missing | AuthError::Malformed => ApiFailure::Unauthenticated,
        AuthError::Stale => ApiFailure::StaleRequest,
        AuthError::BadSignature => ApiFailure::BadSignature,
    }
}

/// How long a client has to send a request's body, once its headers are in.
pub const BODY_DEADLINE: std::time::Duration = std::time::Duration::from_secs(10);

/// Reads the body within [`BODY_DEADLINE`], refusing more than [`MAX_REQUEST_BYTES`].
pub async fn read_body(headers: &HeaderMap, body: Body) -> Result<Bytes, ApiFailure> {
    tokio::time::timeout(BODY_DEADLINE, read_body_untimed(headers, body)).await.map_err(|_| {
        ApiFailure::BadRequest("Het verzoek kwam te langzaam binnen en is afgebroken. Probeer het opnieuw.".into())
    })?
}

/// How much of a too-large body is read and thrown away before the refusal is sent. Closing a
/// connection with unread bytes makes the kernel reset it, and the client then loses the answer
/// (`413 too_large`) it was about to read; a body beyond this is cut off all the same.
const DRAIN_LIMIT: usize = 4 * MAX_REQUEST_BYTES;

async fn read_body_untimed(headers: &HeaderMap, mut body: Body) -> Result<Bytes, ApiFailure> {
    let declared = headers
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_REQUEST_BYTES as u64) {
        drain(&mut body, 0).await;
        return Err(ApiFailure::TooLarge);
    }
    let mut buf = Vec::new();
    while let Some(frame) = std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await {
        let frame = frame
            .map_err(|_| ApiFailure::BadRequest("Het verzoek kwam niet volledig aan. Probeer het opnieuw.".into()))?;
        if let Ok(data) = frame.into_data() {
            if buf.len().saturating_add(data.len()) > MAX_REQUEST_BYTES {
                drain(&mut body, buf.len().saturating_add(data.len())).await;
                return Err(ApiFailure::TooLarge);
            }
            buf.extend_from_slice(&data);
        }
    }
    Ok(Bytes::from(buf))
}

/// Reads and drops the rest of `body`, up to [`DRAIN_LIMIT`] bytes in all (`read` so far).
async fn drain(body: &mut Body, mut read: usize) {
    while read <= DRAIN_LIMIT {
        match std::future::poll_fn(|cx| Pin::new(&mut *body).poll_frame(cx)).await {
            Some(Ok(frame)) => read = read.saturating_add(frame.data_ref().map_or(0, Bytes::len)),
            _ => return,
        }
    }
}

impl FromRequest<AppState> for RawSigned {
    type Rejection = ApiFailure;

    async fn from_request(req: Request, _state: &AppState) -> Result<Self, ApiFailure> {
        let (parts, body) = req.into_parts();
        let body = read_body(&parts.headers, body).await?;
        let headers = AuthHeaders::from_headers(|name| parts.headers.get(name).and_then(|v| v.to_str().ok()))
            .map_err(auth_failure)?;
        let path_and_query = parts
            .uri
            .path_and_query()
            .map(|pq| pq.as_str().to_string())
            .unwrap_or_else(|| parts.uri.path().to_string());
        Ok(Self { headers, method: parts.method, path_and_query, body })
    }
}

/// Checks `raw`'s time and signature against `public_key`, then that its nonce is new.
pub async fn check(state: &AppState, raw: &RawSigned, public_key: &[u8; 32]) -> Result<(), ApiFailure> {
    verify(state, raw, public_key)?;
    remember_nonce(state, raw).await
}

/// Checks `raw`'s time and signature against `public_key`, signed for one of this relay's own
/// addresses (a request meant for another relay is refused); writes nothing.
pub fn verify(state: &AppState, raw: &RawSigned, public_key: &[u8; 32]) -> Result<(), ApiFailure> {
    let now = now_secs();
    let mut outcome = Err(AuthError::BadSignature);
    for relay in state.relay_origins.iter() {
        let request =
            RequestParts { relay, method: raw.method.as_str(), path_and_query: &raw.path_and_query, body: &raw.body };
        outcome = raw.headers.verify(public_key, &request, now);
        if !matches!(outcome, Err(AuthError::BadSignature)) {
            break;
        }
    }
    outcome.map_err(auth_failure)
}

/// Records `raw`'s nonce; refuses a request whose nonce was seen before (a replay).
pub async fn remember_nonce(state: &AppState, raw: &RawSigned) -> Result<(), ApiFailure> {
    let signer = raw.headers.signer.to_string();
    let (nonce, time) = (raw.headers.nonce, raw.headers.time);
    let fresh = state.store.remember_nonce(signer, nonce, time).await?;
    if fresh {
        Ok(())
    } else {
        Err(ApiFailure::ReplayedRequest)
    }
}

/// Finds the signer of `raw` and checks the request.
pub async fn authenticate(state: &AppState, raw: RawSigned) -> Result<Signed, ApiFailure> {
    let caller = match raw.headers.signer {
        Signer::Office(key) => {
            if !state.is_office(&key) {
                return Err(ApiFailure::UnknownSigner(
                    "Deze relay kent dit leerplichtkantoor niet. Controleer het adres van de relay of laat de beheerder de sleutel toevoegen.".into(),
                ));
            }
            check(state, &raw, key.as_bytes()).await?;
            match state.store.successor_of(key).await? {
                None => Caller::Office(key),
                Some(_) => Caller::RetiredOffice(key),
            }
        }
        Signer::Device(id) => {
            let device = state.store.device(id).await?.ok_or_else(|| {
                ApiFailure::UnknownSigner(
                    "Deze relay kent dit apparaat niet. Meld het apparaat aan met een aanmeldcode van leerplicht."
                        .into(),
                )
            })?;
            check(state, &raw, &device.keys.sign_key).await?;
            Caller::Device(device)
        }
    };
    Ok(Signed { caller, body: raw.body })
}

impl FromRequest<AppState> for Signed {
    type Rejection = ApiFailure;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiFailure> {
        let raw = RawSigned::from_request(req, state).await?;
        authenticate(state, raw).await
    }
}
