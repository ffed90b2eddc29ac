//! Relays in a host process for tests that run elsewhere: the Windows builds of the school
//! core's and `hwc-send`'s tests run under wine, and their relays are real `hwc-relay`
//! processes on the Linux machine, reached over loopback (`cargo xtask windows` starts the
//! host, `hwc-test-relay-host`).
//!
//! One TCP connection per relay, one line each way:
//!
//! - test → host: `relay <sweep seconds> <office key>... [url=<public url>]...`
//! - host → test: `ok <address> <database path>`, or `fout <reason>`
//!
//! The relay lives while the connection is open; when the test drops its [`super::TestRelay`]
//! (or its process ends), the host stops the relay and removes its database.
//!
//! The database path is the Linux one. Under wine a path from the root resolves on the drive
//! of the working directory, which is the Linux root (`Z:`), so the tests open it as it is.

use hwc_protocol::OfficePublicKey;
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;

/// The environment variable with the address of the relay host (`127.0.0.1:port`).
pub const HOST_ENV: &str = "HWC_TEST_RELAY_HOST";

/// The relay host's address, when the tests are to use one.
pub fn host() -> Option<String> {
    std::env::var(HOST_ENV).ok().filter(|addr| !addr.is_empty())
}

/// A relay the host started for this test.
pub struct RemoteRelay {
    pub addr: SocketAddr,
    pub db_path: PathBuf,
    /// Keep it open for as long as the relay is needed.
    pub line: TcpStream,
}

/// What a test asks of the host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteRequest {
    pub sweep_interval_secs: u64,
    pub office_keys: Vec<OfficePublicKey>,
    /// Addresses of proxies in front of the relay (its `--public-url`s).
    pub public_urls: Vec<String>,
}

/// The request line for a relay with these settings.
pub fn request(asked: &RemoteRequest) -> String {
    let keys: Vec<String> = asked.office_keys.iter().map(ToString::to_string).collect();
    let urls: Vec<String> = asked.public_urls.iter().map(|url| format!(" url={url}")).collect();
    format!("relay {} {}{}\n", asked.sweep_interval_secs, keys.join(" "), urls.concat())
}

/// Parses a request line (a key's base64 never starts with `url=`).
pub fn parse_request(line: &str) -> Result<RemoteRequest, String> {
    let mut words = line.split_whitespace();
    if words.next() != Some("relay") {
        return Err("de regel begint niet met 'relay'".into());
    }
    let sweep_interval_secs = words.next().and_then(|w| w.parse().ok()).ok_or("geen geldige veeginterval")?;
    let (urls, keys): (Vec<&str>, Vec<&str>) = words.partition(|w| w.starts_with("url="));
    let office_keys = keys.into_iter().map(str::parse).collect::<Result<_, _>>().map_err(|e| format!("{e}"))?;
    let public_urls = urls.into_iter().map(|u| u.trim_start_matches("url=").to_string()).collect();
    Ok(RemoteRequest { sweep_interval_secs, office_keys, public_urls })
}

/// The answer line for a started relay.
pub fn answer(addr: SocketAddr, db_path: &std::path::Path) -> String {
    format!("ok {addr} {}\n", db_path.display())
}

fn failed(what: &str) -> std::io::Error {
    std::io::Error::other(format!("relay host ({HOST_ENV}): {what}"))
}

/// Asks the host at `host` for a relay.
pub fn start(host: &str, asked: &RemoteRequest) -> std::io::Result<RemoteRelay> {
    let mut line = TcpStream::connect(host)?;
    line.write_all(request(asked).as_bytes())?;
    let mut reply = String::new();
    BufReader::new(line.try_clone()?).read_line(&mut reply)?;
    let reply = reply.trim_end();
    let rest = match reply.strip_prefix("ok ") {
        Some(rest) => rest,
        None => return Err(failed(reply)),
    };
    let (addr, db_path) = rest.split_once(' ').ok_or_else(|| failed(reply))?;
    let addr = addr.parse().map_err(|_| failed(reply))?;
    Ok(RemoteRelay { addr, db_path: PathBuf::from(db_path), line })
}

#[cfg(test)]
mod tests {
    use super::*;
    use hwc_protocol::OfficeSigningKey;

    #[test]
    fn a_request_reads_back_as_sent() {
        let office_keys =
            vec![OfficeSigningKey::generate().unwrap().public(), OfficeSigningKey::generate().unwrap().public()];
        let asked = RemoteRequest { sweep_interval_secs: 7, office_keys, public_urls: vec![] };
        assert_eq!(parse_request(&request(&asked)).unwrap(), asked);
        let behind = RemoteRequest { public_urls: vec!["http://127.0.0.1:4000".into()], ..asked };
        assert_eq!(parse_request(&request(&behind)).unwrap(), behind);
        assert!(parse_request("relay x").is_err());
        assert!(parse_request("relais 1").is_err());
        assert!(parse_request("relay 1 geen-sleutel").is_err());
    }
}
