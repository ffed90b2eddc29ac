//! The office side of the relay's HTTP API (see `docs/protocol.md`): blocking reqwest over
//! rustls, every request signed with the office key over the method, the path and query exactly
//! as sent, and the body. The relay's error bodies become [`RelayError::Api`], whose text is the
//! relay's own Dutch sentence; network trouble becomes [`RelayError::Unreachable`].

use hwc_protocol::api::{ApiError, CreateEnrollment, DeviceInfo, DeviceList, OfficeItems, SignalAccepted, Stats};
use hwc_protocol::{AuthHeaders, Brin, DeviceId, KeyError, OfficeSigningKey};
use reqwest::blocking::Client;
use reqwest::{Method, Url};
use serde::de::DeserializeOwned;
use std::time::Duration;

/// How long one request may take.
const TIMEOUT: Duration = Duration::from_secs(30);
/// Attempts for requests that are safe to repeat (identical bytes are idempotent at the relay).
const ATTEMPTS: u32 = 3;

/// Why a call to the relay failed.
#[derive(Debug, thiserror::Error)]
pub enum RelayError {
    #[error("de relay is niet bereikbaar op {url}: {reason}")]
    Unreachable { url: String, reason: String },
    /// The relay refused the request; the text is its own Dutch sentence.
    #[error("{message}")]
    Api { status: u16, code: String, message: String },
    #[error("de relay op {url} gaf een onverwacht antwoord (HTTP {status}); klopt het relay-adres?")]
    Unexpected { url: String, status: u16 },
    #[error("het antwoord van de relay op {url} is onleesbaar; klopt het relay-adres en de versie van de relay?")]
    BadAnswer { url: String },
    #[error("het verzoek aan de relay kon niet worden ondertekend: {0}")]
    Sign(#[from] KeyError),
}

impl RelayError {
    /// The relay's error code, when the relay answered with one.
    pub fn code(&self) -> Option<&str> {
        match self {
            RelayError::Api { code, .. } => Some(code),
            _ => None,
        }
    }
}

/// Checks a relay address: `https://`, or `http://` only for a relay on this computer.
pub fn parse_relay_url(text: &str) -> Result<Url, String> {
    let url = Url::parse(text.trim()).map_err(|_| "schrijf het als https://relay.voorbeeld.nl".to_string())?;
    let loopback = matches!(url.host_str(), Some("localhost" | "127.0.0.1" | "[::1]" | "::1"));
    match url.scheme() {
        "https" => {}
        "http" if loopback => {}
        "http" => return Err("gebruik https:// (http:// mag alleen voor een relay op deze computer)".into()),
        _ => return Err("het adres moet met https:// beginnen".into()),
    }
    if url.query().is_some() || url.fragment().is_some() || !url.username().is_empty() || url.password().is_some() {
        return Err("het adres mag geen ?, # of gebruikersnaam bevatten".into());
    }
    Ok(url)
}

enum Body<'a> {
    None,
    Json(Vec<u8>),
    Frame(&'a [u8]),
}

impl Body<'_> {
    fn bytes(&self) -> &[u8] {
        match self {
            Body::None => &[],
            Body::Json(b) => b,
            Body::Frame(b) => b,
        }
    }
}

/// A signed client for one relay.
#[derive(Debug, Clone)]
pub struct RelayClient {
    base: Url,
    http: Client,
}

impl RelayClient {
    /// A client for the relay at `url` (see [`parse_relay_url`]).
    pub fn new(url: &str) -> Result<Self, String> {
        let base = parse_relay_url(url)?;
        let http = Client::builder()
            .timeout(TIMEOUT)
            .connect_timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|_| "de netwerkbibliotheek kon niet starten".to_string())?;
        Ok(Self { base, http })
    }

    /// The relay's address as configured.
    pub fn url(&self) -> &str {
        self.base.as_str()
    }

    fn endpoint(&self, path_and_query: &str) -> Result<(Url, String), RelayError> {
        let full = format!("{}{}", self.base.as_str().trim_end_matches('/'), path_and_query);
        let url = Url::parse(&full).map_err(|_| RelayError::BadAnswer { url: self.url().to_string() })?;
        let signed = match url.query() {
            Some(q) => format!("{}?{}", url.path(), q),
            None => url.path().to_string(),
        };
        Ok((url, signed))
    }

    fn unreachable(&self, err: &reqwest::Error) -> RelayError {
        let kind = if err.is_timeout() {
            "geen antwoord binnen de wachttijd"
        } else if err.is_connect() {
            "geen verbinding mogelijk (staat de relay aan en klopt het adres?)"
        } else {
            "de verbinding werd verbroken"
        };
        let mut source: &dyn std::error::Error = err;
        while let Some(next) = source.source() {
            source = next;
        }
        RelayError::Unreachable { url: self.url().to_string(), reason: format!("{kind} ({source})") }
    }

    /// Sends one signed request and reads a JSON answer (status 2xx) or the relay's error.
    fn call<T: DeserializeOwned>(
        &self,
        key: &OfficeSigningKey,
        method: Method,
        path_and_query: &str,
        body: Body<'_>,
        attempts: u32,
    ) -> Result<T, RelayError> {
        let (url, signed_path) = self.endpoint(path_and_query)?;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let now = chrono::Utc::now().timestamp();
            let auth = AuthHeaders::sign_office(key, method.as_str(), &signed_path, body.bytes(), now)?;
            let mut request = self.http.request(method.clone(), url.clone()).header("accept", "application/json");
            for (name, value) in auth.to_pairs() {
                request = request.header(name, value);
            }
            request = match &body {
                Body::None => request,
                Body::Json(bytes) => request.header("content-type", "application/json").body(bytes.clone()),
                Body::Frame(bytes) => request.header("content-type", "application/octet-stream").body(bytes.to_vec()),
            };
            let response = match request.send() {
                Ok(r) => r,
                Err(_) if attempt < attempts => {
                    std::thread::sleep(Duration::from_millis(500 * u64::from(attempt)));
                    continue;
                }
                Err(e) => return Err(self.unreachable(&e)),
            };
            let status = response.status();
            let bytes = response.bytes().map_err(|e| self.unreachable(&e))?;
            if status.is_success() {
                return serde_json::from_slice(&bytes)
                    .map_err(|_| RelayError::BadAnswer { url: self.url().to_string() });
            }
            return Err(match serde_json::from_slice::<ApiError>(&bytes) {
                Ok(api) => RelayError::Api { status: status.as_u16(), code: api.error, message: api.message },
                Err(_) => RelayError::Unexpected { url: self.url().to_string(), status: status.as_u16() },
            });
        }
    }

    /// `POST /v1/enrollments`: announces a one-time code (by its hash) for a device slot.
    pub fn create_enrollment(&self, key: &OfficeSigningKey, body: &CreateEnrollment) -> Result<(), RelayError> {
        let json = serde_json::to_vec(body).map_err(|_| RelayError::BadAnswer { url: self.url().to_string() })?;
        let _: serde_json::Value = self.call(key, Method::POST, "/v1/enrollments", Body::Json(json), 1)?;
        Ok(())
    }

    /// `GET /v1/schools/{brin}/devices`.
    pub fn school_devices(&self, key: &OfficeSigningKey, brin: Brin) -> Result<DeviceList, RelayError> {
        self.call(key, Method::GET, &format!("/v1/schools/{brin}/devices"), Body::None, ATTEMPTS)
    }

    /// `POST /v1/devices/{device_id}/verify`.
    pub fn verify_device(&self, key: &OfficeSigningKey, device: DeviceId) -> Result<DeviceInfo, RelayError> {
        self.call(key, Method::POST, &format!("/v1/devices/{device}/verify"), Body::None, ATTEMPTS)
    }

    /// `POST /v1/signals` with the envelope frame; repeating the same bytes is harmless.
    pub fn post_signal(&self, key: &OfficeSigningKey, frame: &[u8]) -> Result<SignalAccepted, RelayError> {
        self.call(key, Method::POST, "/v1/signals", Body::Frame(frame), ATTEMPTS)
    }

    /// `GET /v1/receipts?after=N`: receipts and expiry notices after `after` (those up to it are
    /// deleted by the relay).
    pub fn receipts(&self, key: &OfficeSigningKey, after: u64) -> Result<OfficeItems, RelayError> {
        self.call(key, Method::GET, &format!("/v1/receipts?after={after}"), Body::None, ATTEMPTS)
    }

    /// `GET /v1/stats`.
    pub fn stats(&self, key: &OfficeSigningKey) -> Result<Stats, RelayError> {
        self.call(key, Method::GET, "/v1/stats", Body::None, ATTEMPTS)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relay_urls_must_be_https_except_on_this_computer() {
        assert!(parse_relay_url("https://relay.example.nl").is_ok());
        assert!(parse_relay_url("http://127.0.0.1:8080").is_ok());
        assert!(parse_relay_url("http://localhost:8080/").is_ok());
        assert!(parse_relay_url("http://relay.example.nl").is_err());
        assert!(parse_relay_url("ftp://relay.example.nl").is_err());
        assert!(parse_relay_url("relay.example.nl").is_err());
        assert!(parse_relay_url("https://u:p@relay.example.nl").is_err());
    }

    #[test]
    fn signed_path_is_the_path_as_sent() {
        let client = RelayClient::new("https://relay.example.nl/hwc/").unwrap();
        let (url, signed) = client.endpoint("/v1/receipts?after=3").unwrap();
        assert_eq!(url.as_str(), "https://relay.example.nl/hwc/v1/receipts?after=3");
        assert_eq!(signed, "/hwc/v1/receipts?after=3");
        let client = RelayClient::new("http://127.0.0.1:9").unwrap();
        assert_eq!(client.endpoint("/v1/stats").unwrap().1, "/v1/stats");
    }

    #[test]
    fn unreachable_relay_is_reported_in_dutch() {
        let key = OfficeSigningKey::generate().unwrap();
        let client = RelayClient::new("http://127.0.0.1:9").unwrap();
        let err = client.stats(&key).unwrap_err();
        assert!(err.to_string().starts_with("de relay is niet bereikbaar op http://127.0.0.1:9/"), "{err}");
    }
}
