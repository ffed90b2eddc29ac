//! The HTTP client for the relay: reqwest (blocking, rustls), every request signed by the device
//! over the path and query exactly as sent. Answers are size-limited and parsed strictly (the
//! protocol's bodies refuse unknown fields). A relay's `ApiError` becomes
//! [`RelayError::Refused`] with its error code and our own Dutch sentence for it
//! ([`crate::relay_refusal`]): the relay's text is never shown. No connection, a timeout or a
//! gateway error becomes [`RelayError::Unreachable`], which the app shows as "offline".

use crate::relay_refusal;
use hwc_protocol::api::{
    ApiError, Blob, DeviceInfo, EnrollDevice, Inbox, PinGuardAnswer, PinGuardRequest, PinGuardReset, ReceiptAccepted,
};
use hwc_protocol::RelayAddress;
use hwc_protocol::{AuthHeaders, DeviceId, DeviceSigningKey, KeyError, RequestParts};
use reqwest::blocking::{Client, Response};
use reqwest::{Method, StatusCode, Url};
use serde::de::DeserializeOwned;
use std::io::Read;
use std::time::Duration;
use zeroize::Zeroizing;

/// Longest wait the relay accepts for the inbox.
pub const MAX_WAIT_SECS: u64 = 60;
/// Largest answer read from the relay.
const MAX_ANSWER_BYTES: u64 = 16 * 1024 * 1024;

/// Why a relay request failed.
#[derive(Debug, thiserror::Error)]
pub enum RelayError {
    #[error("de relay is niet bereikbaar; de app probeert het later opnieuw (controleer de internetverbinding)")]
    Unreachable,
    #[error("de relay weigert het verzoek: {}", relay_refusal::sentence(.code))]
    Refused { status: u16, code: &'static str },
    #[error("de relay gaf een onverwacht antwoord ({0}); probeer het later opnieuw of neem contact op met leerplicht")]
    BadAnswer(String),
    #[error("het adres van de relay is ongeldig: gebruik https://… (http alleen voor deze computer zelf)")]
    BadUrl,
    #[error("het verzoek kon niet worden ondertekend: {0}")]
    Signing(#[from] KeyError),
}

impl RelayError {
    /// The relay's error code (`code_used`, `device_not_verified`, …), when the relay refused.
    pub fn code(&self) -> Option<&str> {
        match self {
            RelayError::Refused { code, .. } => Some(code),
            _ => None,
        }
    }
}

/// The device identity requests are signed with.
pub struct DeviceAuth<'a> {
    pub key: &'a DeviceSigningKey,
    pub device_id: DeviceId,
}

/// A client for one relay.
#[derive(Debug, Clone)]
pub struct RelayClient {
    base: Url,
    http: Client,
}

/// Reads and checks a relay address with the protocol's rule ([`RelayAddress`]).
pub fn parse_relay_url(text: &str) -> Result<Url, RelayError> {
    RelayAddress::parse(text).map(RelayAddress::into_url).map_err(|_| RelayError::BadUrl)
}

fn connection_error(_: reqwest::Error) -> RelayError {
    // Connect failures, timeouts, resets: all "not reachable now". The detail may hold the
    // address only; it is not needed by the user.
    RelayError::Unreachable
}

fn read_limited(response: Response) -> Result<Vec<u8>, RelayError> {
    let mut body = Vec::new();
    response.take(MAX_ANSWER_BYTES + 1).read_to_end(&mut body).map_err(|_| RelayError::Unreachable)?;
    if body.len() as u64 > MAX_ANSWER_BYTES {
        return Err(RelayError::BadAnswer("antwoord te groot".into()));
    }
    Ok(body)
}

impl RelayClient {
    pub fn new(relay_url: &str) -> Result<Self, RelayError> {
        let base = parse_relay_url(relay_url)?;
        let http = Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(30))
            // The relay closes a connection idle for 10 s; never reuse one that old.
            .pool_idle_timeout(Duration::from_secs(5))
            .https_only(base.scheme() == "https")
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|_| RelayError::BadUrl)?;
        Ok(Self { base, http })
    }

    /// The relay address, normalised (always ends in `/`).
    pub fn url(&self) -> &str {
        self.base.as_str()
    }

    /// Sends one request signed with `key` and reads a JSON answer of type `T`.
    fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path_and_query: &str,
        body: Option<(&[u8], &'static str)>,
        auth: &DeviceAuth<'_>,
        now: i64,
        timeout: Duration,
    ) -> Result<T, RelayError> {
        let url = self.base.join(path_and_query).map_err(|_| RelayError::BadUrl)?;
        // Sign exactly what goes on the wire.
        let sent = match url.query() {
            Some(query) => format!("{}?{}", url.path(), query),
            None => url.path().to_string(),
        };
        let bytes = body.map(|(b, _)| b).unwrap_or_default();
        let origin = url.origin().ascii_serialization();
        let request = RequestParts { relay: &origin, method: method.as_str(), path_and_query: &sent, body: bytes };
        let headers = AuthHeaders::sign_device(auth.key, auth.device_id, &request, now)?;
        let mut request = self.http.request(method, url).timeout(timeout);
        for (name, value) in headers.to_pairs() {
            request = request.header(name, value);
        }
        if let Some((bytes, content_type)) = body {
            request = request.header(reqwest::header::CONTENT_TYPE, content_type).body(bytes.to_vec());
        }
        let response = request.send().map_err(connection_error)?;
        let status = response.status();
        let answer = read_limited(response)?;
        if status.is_success() {
            return serde_json::from_slice(&answer)
                .map_err(|_| RelayError::BadAnswer(format!("HTTP {}, onleesbaar", status.as_u16())));
        }
        match serde_json::from_slice::<ApiError>(&answer) {
            Ok(error) => {
                Err(RelayError::Refused { status: status.as_u16(), code: relay_refusal::known_code(&error.error) })
            }
            Err(_)
                if matches!(
                    status,
                    StatusCode::BAD_GATEWAY | StatusCode::SERVICE_UNAVAILABLE | StatusCode::GATEWAY_TIMEOUT
                ) =>
            {
                Err(RelayError::Unreachable)
            }
            Err(_) => Err(RelayError::BadAnswer(format!("HTTP {}", status.as_u16()))),
        }
    }

    /// `POST /v1/devices`: enrolls this device with a code, signed by the new device's own key.
    pub fn enroll(&self, auth: &DeviceAuth<'_>, request: &EnrollDevice, now: i64) -> Result<DeviceInfo, RelayError> {
        let body = Zeroizing::new(
            serde_json::to_vec(request).map_err(|_| RelayError::BadAnswer("verzoek niet te maken".into()))?,
        );
        self.call(Method::POST, "/v1/devices", Some((&body, "application/json")), auth, now, Duration::from_secs(30))
    }

    /// `GET /v1/device`: how the relay sees this device.
    pub fn device(&self, auth: &DeviceAuth<'_>, now: i64) -> Result<DeviceInfo, RelayError> {
        self.call(Method::GET, "/v1/device", None, auth, now, Duration::from_secs(30))
    }

    /// `GET /v1/school/profile`: the school's profile frame, unchecked (404 when none).
    pub fn profile(&self, auth: &DeviceAuth<'_>, now: i64) -> Result<Vec<u8>, RelayError> {
        // Short: it is asked beside the signals' own requests and must not hold them up.
        let blob: Blob = self.call(Method::GET, "/v1/school/profile", None, auth, now, Duration::from_secs(10))?;
        Ok(blob.0)
    }

    /// `POST /v1/device/remove`: this device takes itself out of use.
    pub fn remove_self(&self, auth: &DeviceAuth<'_>, now: i64) -> Result<DeviceInfo, RelayError> {
        self.call(Method::POST, "/v1/device/remove", None, auth, now, Duration::from_secs(30))
    }

    /// `POST /v1/pin-guard`: the relay counts a PIN try and evaluates the blinded PIN.
    pub fn pin_guard_try(
        &self,
        auth: &DeviceAuth<'_>,
        request: &PinGuardRequest,
        now: i64,
    ) -> Result<PinGuardAnswer, RelayError> {
        let body = serde_json::to_vec(request).map_err(|_| RelayError::BadAnswer("verzoek niet te maken".into()))?;
        self.call(Method::POST, "/v1/pin-guard", Some((&body, "application/json")), auth, now, Duration::from_secs(30))
    }

    /// `POST /v1/pin-guard/reset`: the PIN was right; the relay clears its count.
    pub fn pin_guard_reset(&self, auth: &DeviceAuth<'_>, request: &PinGuardReset, now: i64) -> Result<(), RelayError> {
        let body = serde_json::to_vec(request).map_err(|_| RelayError::BadAnswer("verzoek niet te maken".into()))?;
        let _: serde_json::Value = self.call(
            Method::POST,
            "/v1/pin-guard/reset",
            Some((&body, "application/json")),
            auth,
            now,
            Duration::from_secs(30),
        )?;
        Ok(())
    }

    /// `GET /v1/inbox?after=N&wait=S`: waits up to `wait_secs` (at most 60) for events after `after`.
    pub fn inbox(&self, auth: &DeviceAuth<'_>, after: u64, wait_secs: u64, now: i64) -> Result<Inbox, RelayError> {
        let wait = wait_secs.min(MAX_WAIT_SECS);
        let path = format!("/v1/inbox?after={after}&wait={wait}");
        self.call(Method::GET, &path, None, auth, now, Duration::from_secs(wait + 30))
    }

    /// `POST /v1/school/days`: delivers one signed school days frame (`HWK1`) for the office.
    pub fn post_school_days(&self, auth: &DeviceAuth<'_>, frame: &[u8], now: i64) -> Result<(), RelayError> {
        let _: serde_json::Value = self.call(
            Method::POST,
            "/v1/school/days",
            Some((frame, "application/octet-stream")),
            auth,
            now,
            Duration::from_secs(30),
        )?;
        Ok(())
    }

    /// `POST /v1/receipts`: delivers one signed receipt frame.
    pub fn post_receipt(&self, auth: &DeviceAuth<'_>, frame: &[u8], now: i64) -> Result<ReceiptAccepted, RelayError> {
        self.call(
            Method::POST,
            "/v1/receipts",
            Some((frame, "application/octet-stream")),
            auth,
            now,
            Duration::from_secs(30),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relay_urls_are_checked() {
        assert!(parse_relay_url("https://relay.example").is_ok());
        assert!(parse_relay_url("https://relay.example:8443/").is_ok());
        assert!(parse_relay_url("http://127.0.0.1:3000").is_ok());
        assert!(parse_relay_url("http://localhost:3000/").is_ok());
        for bad in [
            "http://relay.example",
            "ftp://relay.example",
            "https://u:p@relay.example",
            "https://relay.example/x",
            "https://relay.example/?a=1",
            "relay.example",
            "",
        ] {
            assert!(matches!(parse_relay_url(bad), Err(RelayError::BadUrl)), "{bad}");
        }
    }

    #[test]
    fn a_dead_port_is_unreachable() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        let client = RelayClient::new(&format!("http://127.0.0.1:{port}")).unwrap();
        let key = DeviceSigningKey::generate().unwrap();
        let auth = DeviceAuth { key: &key, device_id: DeviceId::from_bytes([1; 16]) };
        assert!(matches!(client.device(&auth, 0), Err(RelayError::Unreachable)));
    }
}
