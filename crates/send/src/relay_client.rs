//! The office side of the relay's HTTP API (see `docs/protocol.md`): blocking reqwest over
//! rustls, every request signed with the office key over the method, the path and query exactly
//! as sent, and the body. The relay's error bodies become [`RelayError::Api`], whose text is the
//! relay's own Dutch sentence; network trouble becomes [`RelayError::Unreachable`].
//!
//! The relay is not trusted: answers are read up to [`MAX_ANSWER_BYTES`] only, and any text it
//! provides (error codes and messages, day strings in the counts) is stripped of control
//! characters and cut to [`MAX_TEXT_CHARS`] by [`clean_text`] before anyone can show it, so a
//! relay cannot send terminal escape sequences to the officer's screen.

use hwc_protocol::api::{
    ApiError, CreateEnrollment, DeviceInfo, DeviceList, LastContacts, OfficeItems, SignalAccepted, Stats,
    StatsRetention, SuccessorAccepted,
};
use hwc_protocol::RelayAddress;
use hwc_protocol::{AuthHeaders, Brin, DeviceId, KeyError, OfficeSigningKey, OfficeSuccession, RequestParts};
use reqwest::blocking::{Client, Response};
use reqwest::{Method, Url};
use serde::de::DeserializeOwned;
use std::io::Read;
use std::time::Duration;

/// How long one request may take.
const TIMEOUT: Duration = Duration::from_secs(30);
/// Attempts for requests that are safe to repeat (identical bytes are idempotent at the relay).
const ATTEMPTS: u32 = 3;
/// The largest answer read from the relay; anything longer is refused unread.
pub const MAX_ANSWER_BYTES: u64 = 1024 * 1024;
/// The most characters of relay-provided text shown to the officer.
pub const MAX_TEXT_CHARS: usize = 300;

/// Makes relay-provided text safe to show: control characters (escape sequences, newlines,
/// carriage returns) and invisible bidi and zero-width characters removed, at most
/// [`MAX_TEXT_CHARS`] characters, trimmed.
pub fn clean_text(text: &str) -> String {
    let cleaned: String =
        text.chars().filter(|c| !c.is_control() && !is_format_char(*c)).take(MAX_TEXT_CHARS).collect();
    cleaned.trim().to_string()
}

/// Invisible format characters that can reorder or hide text on a terminal (bidi overrides,
/// zero-width characters).
fn is_format_char(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}')
}

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
    #[error("het antwoord van de relay op {url} is te groot en is niet gelezen; klopt het relay-adres?")]
    TooLarge { url: String },
    #[error("het verzoek aan de relay kon niet worden ondertekend: {0}")]
    Sign(#[from] KeyError),
}

impl RelayError {
    /// Whether the relay (or a proxy in front of it) definitively refused the request: an
    /// answer with a 4xx status. Such a request had no effect at the relay. Anything else that
    /// went wrong (no connection, a timeout, a 5xx, an unreadable answer) leaves it open
    /// whether the request took effect.
    pub fn is_refusal(&self) -> bool {
        match self {
            RelayError::Api { status, .. } | RelayError::Unexpected { status, .. } => (400..500).contains(status),
            _ => false,
        }
    }

    /// The relay's error code, when the relay answered with one.
    pub fn code(&self) -> Option<&str> {
        match self {
            RelayError::Api { code, .. } => Some(code),
            _ => None,
        }
    }
}

/// Checks a relay address with the protocol's rule ([`RelayAddress`]).
pub fn parse_relay_url(text: &str) -> Result<Url, String> {
    RelayAddress::parse(text).map(RelayAddress::into_url).map_err(|e| e.to_string())
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
            // The relay closes a connection idle for 10 s; never reuse one that old.
            .pool_idle_timeout(Duration::from_secs(5))
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
        // The innermost error can quote what the other side sent (a TLS certificate name).
        let detail = clean_text(&source.to_string());
        RelayError::Unreachable { url: self.url().to_string(), reason: format!("{kind} ({detail})") }
    }

    /// Reads an answer body, at most [`MAX_ANSWER_BYTES`].
    fn read_limited(&self, response: Response) -> Result<Vec<u8>, RelayError> {
        let mut body = Vec::new();
        response.take(MAX_ANSWER_BYTES + 1).read_to_end(&mut body).map_err(|_| RelayError::Unreachable {
            url: self.url().to_string(),
            reason: "de verbinding werd verbroken tijdens het antwoord".into(),
        })?;
        if body.len() as u64 > MAX_ANSWER_BYTES {
            return Err(RelayError::TooLarge { url: self.url().to_string() });
        }
        Ok(body)
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
            let origin = url.origin().ascii_serialization();
            let request = RequestParts {
                relay: &origin,
                method: method.as_str(),
                path_and_query: &signed_path,
                body: body.bytes(),
            };
            let auth = AuthHeaders::sign_office(key, &request, now)?;
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
            let bytes = self.read_limited(response)?;
            if status.is_success() {
                return serde_json::from_slice(&bytes)
                    .map_err(|_| RelayError::BadAnswer { url: self.url().to_string() });
            }
            return Err(match serde_json::from_slice::<ApiError>(&bytes) {
                Ok(api) => RelayError::Api {
                    status: status.as_u16(),
                    code: clean_text(&api.error),
                    message: clean_text(&api.message),
                },
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

    /// `GET /v1/schools/{brin}/last-contact`.
    pub fn last_contacts(&self, key: &OfficeSigningKey, brin: Brin) -> Result<LastContacts, RelayError> {
        self.call(key, Method::GET, &format!("/v1/schools/{brin}/last-contact"), Body::None, ATTEMPTS)
    }

    /// `POST /v1/devices/{device_id}/verify`.
    pub fn verify_device(&self, key: &OfficeSigningKey, device: DeviceId) -> Result<DeviceInfo, RelayError> {
        self.call(key, Method::POST, &format!("/v1/devices/{device}/verify"), Body::None, ATTEMPTS)
    }

    /// `POST /v1/devices/{device_id}/remove`: takes a device out of use at the relay.
    pub fn remove_device(&self, key: &OfficeSigningKey, device: DeviceId) -> Result<DeviceInfo, RelayError> {
        self.call(key, Method::POST, &format!("/v1/devices/{device}/remove"), Body::None, ATTEMPTS)
    }

    /// `POST /v1/signals` with the envelope frame; repeating the same bytes is harmless.
    pub fn post_signal(&self, key: &OfficeSigningKey, frame: &[u8]) -> Result<SignalAccepted, RelayError> {
        self.call(key, Method::POST, "/v1/signals", Body::Frame(frame), ATTEMPTS)
    }

    /// `POST /v1/schools/{brin}/profile`: the school's signed profile frame.
    pub fn publish_profile(&self, key: &OfficeSigningKey, brin: Brin, frame: &[u8]) -> Result<(), RelayError> {
        let _: serde_json::Value =
            self.call(key, Method::POST, &format!("/v1/schools/{brin}/profile"), Body::Frame(frame), ATTEMPTS)?;
        Ok(())
    }

    /// `GET /v1/receipts?after=N`: receipts and expiry notices after `after` (those up to it are
    /// deleted by the relay).
    pub fn receipts(&self, key: &OfficeSigningKey, after: u64) -> Result<OfficeItems, RelayError> {
        self.call(key, Method::GET, &format!("/v1/receipts?after={after}"), Body::None, ATTEMPTS)
    }

    /// `POST /v1/office/successor`, signed by the old key: hands its schools to the successor.
    /// A repeat after a lost answer is harmless.
    pub fn hand_over(&self, old: &OfficeSigningKey, body: &OfficeSuccession) -> Result<SuccessorAccepted, RelayError> {
        let json = serde_json::to_vec(body).map_err(|_| RelayError::BadAnswer { url: self.url().to_string() })?;
        self.call(old, Method::POST, "/v1/office/successor", Body::Json(json), ATTEMPTS)
    }

    /// `GET /v1/stats`.
    pub fn stats(&self, key: &OfficeSigningKey) -> Result<Stats, RelayError> {
        let mut stats: Stats = self.call(key, Method::GET, "/v1/stats", Body::None, ATTEMPTS)?;
        for day in &mut stats.sent_per_day {
            day.day = clean_text(&day.day);
        }
        Ok(stats)
    }

    /// `POST /v1/stats/retention`: how many months the relay keeps this office's per-day counts.
    pub fn set_stats_retention(&self, key: &OfficeSigningKey, keep_months: u32) -> Result<(), RelayError> {
        let json = serde_json::to_vec(&StatsRetention { keep_months })
            .map_err(|_| RelayError::BadAnswer { url: self.url().to_string() })?;
        let _: StatsRetention = self.call(key, Method::POST, "/v1/stats/retention", Body::Json(json), ATTEMPTS)?;
        Ok(())
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
        assert!(RelayClient::new("https://relay.example.nl/hwc/").is_err(), "a path prefix would break signatures");
        let client = RelayClient::new("https://relay.example.nl").unwrap();
        let (url, signed) = client.endpoint("/v1/receipts?after=3").unwrap();
        assert_eq!(url.as_str(), "https://relay.example.nl/v1/receipts?after=3");
        assert_eq!(signed, "/v1/receipts?after=3");
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

    /// A one-shot fake relay on a free port that answers every request with `status` and `body`.
    fn fake_relay(status: &str, body: Vec<u8>, requests: usize) -> String {
        use std::io::{BufRead, BufReader, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let status = status.to_string();
        std::thread::spawn(move || {
            for stream in listener.incoming().take(requests) {
                let Ok(mut stream) = stream else { continue };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                while reader.read_line(&mut line).map(|n| n > 0).unwrap_or(false) {
                    if line == "\r\n" {
                        break;
                    }
                    line.clear();
                }
                let head = format!(
                    "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                    body.len()
                );
                let _ = stream.write_all(head.as_bytes());
                let _ = stream.write_all(&body);
            }
        });
        url
    }

    #[test]
    fn relay_text_is_cleaned_and_capped() {
        assert_eq!(clean_text("fout\u{1b}[2J\u{1b}]0;titel\u{7}\r\nregel\u{202e}twee"), "fout[2J]0;titelregeltwee");
        assert_eq!(clean_text(&"x".repeat(5000)).chars().count(), MAX_TEXT_CHARS);
        assert_eq!(clean_text("  gewoon Nederlands.  "), "gewoon Nederlands.");
    }

    #[test]
    fn escape_sequences_in_relay_errors_never_reach_the_officer() {
        let body = br#"{"error":"bad_request\u001b[31m","message":"Weiger\u001b]0;pwned\u0007\nFAKE: alles goed\r"}"#;
        let url = fake_relay("400 Bad Request", body.to_vec(), 1);
        let client = RelayClient::new(&url).unwrap();
        let err = client.stats(&OfficeSigningKey::generate().unwrap()).unwrap_err();
        assert!(err.is_refusal());
        let text = err.to_string();
        assert!(!text.chars().any(char::is_control), "{text:?}");
        assert_eq!(text, "Weiger]0;pwnedFAKE: alles goed");
        assert_eq!(err.code(), Some("bad_request[31m"));
    }

    #[test]
    fn oversized_answers_are_not_read() {
        let mut body = br#"{"sent_per_day":[{"day":""#.to_vec();
        body.extend(std::iter::repeat_n(b'x', 2 * 1024 * 1024));
        body.extend_from_slice(br#"","count":1}],"acknowledged":{"within_1h":0,"within_4h":0,"within_24h":0,"within_48h":0,"within_72h":0,"later":0},"expired":0,"not_our_pupil":0}"#);
        let url = fake_relay("200 OK", body, 1);
        let client = RelayClient::new(&url).unwrap();
        let err = client.stats(&OfficeSigningKey::generate().unwrap()).unwrap_err();
        assert!(matches!(err, RelayError::TooLarge { .. }), "{err}");
        assert!(!err.is_refusal());
    }

    #[test]
    fn day_strings_from_the_relay_are_cleaned() {
        let body = br#"{"sent_per_day":[{"day":"2026-11-24\u001b[2J\n","count":1}],"acknowledged":{"within_1h":0,"within_4h":0,"within_24h":0,"within_48h":0,"within_72h":0,"later":0},"expired":0,"not_our_pupil":0}"#;
        let url = fake_relay("200 OK", body.to_vec(), 1);
        let client = RelayClient::new(&url).unwrap();
        let stats = client.stats(&OfficeSigningKey::generate().unwrap()).unwrap();
        assert_eq!(stats.sent_per_day[0].day, "2026-11-24[2J");
    }

    #[test]
    fn only_4xx_answers_are_refusals() {
        let api = |status| RelayError::Api { status, code: "x".into(), message: "y".into() };
        assert!(api(400).is_refusal() && api(409).is_refusal() && api(413).is_refusal());
        assert!(!api(500).is_refusal() && !api(503).is_refusal());
        let unexpected = |status| RelayError::Unexpected { url: "u".into(), status };
        assert!(unexpected(404).is_refusal() && !unexpected(502).is_refusal());
        assert!(!RelayError::Unreachable { url: "u".into(), reason: "r".into() }.is_refusal());
        assert!(!RelayError::BadAnswer { url: "u".into() }.is_refusal());
    }
}
