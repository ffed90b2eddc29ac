//! The relay's address as the office and the schools configure it: `https://host[:port]`, or
//! `http://` only for a relay on the same computer (tests, the demo, a local proxy). No path,
//! query, fragment or user name: requests are signed over their exact path, so a relay behind
//! a path prefix would refuse every signature.

use std::fmt;
use url::Url;

/// A checked relay address.
#[derive(Clone, PartialEq, Eq)]
pub struct RelayAddress(Url);

/// Why a relay address was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RelayAddressError {
    #[error("het adres van de relay is onleesbaar; schrijf het als https://relay.voorbeeld.nl")]
    Unreadable,
    #[error("gebruik https:// voor de relay (http:// mag alleen voor een relay op deze computer)")]
    NotHttps,
    #[error("het adres van de relay mag geen pad, ?, # of gebruikersnaam bevatten; alleen https://naam[:poort]")]
    NotPlain,
    #[error(
        "het adres van de relay bevat een onzichtbaar teken (een tab, regeleinde of ander stuurteken); typ het opnieuw"
    )]
    Invisible,
    #[error("het adres van de relay eindigt op een punt; laat die punt weg")]
    TrailingDot,
}

fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

impl RelayAddress {
    /// Reads an address; spaces and line ends around it are ignored. A control character
    /// inside is refused: the URL standard would silently drop it (`relay.exa<tab>mple.nl`
    /// would become `relay.example.nl`), so what was typed would not be what is used.
    pub fn parse(text: &str) -> Result<Self, RelayAddressError> {
        let text = text.trim();
        if text.chars().any(char::is_control) {
            return Err(RelayAddressError::Invisible);
        }
        let url = Url::parse(text).map_err(|_| RelayAddressError::Unreadable)?;
        let host = url.host_str().ok_or(RelayAddressError::Unreadable)?;
        // `relay.example.nl.` names the same host but another origin: every signed request
        // would then name a relay the relay does not call itself.
        if host.ends_with('.') {
            return Err(RelayAddressError::TrailingDot);
        }
        match url.scheme() {
            "https" => {}
            "http" if is_loopback(host) => {}
            _ => return Err(RelayAddressError::NotHttps),
        }
        let plain = url.username().is_empty()
            && url.password().is_none()
            && url.query().is_none()
            && url.fragment().is_none()
            && url.path() == "/";
        if !plain {
            return Err(RelayAddressError::NotPlain);
        }
        Ok(Self(url))
    }

    pub fn url(&self) -> &Url {
        &self.0
    }

    pub fn into_url(self) -> Url {
        self.0
    }

    /// The origin every signed request names ([`crate::request_auth::canonical_string`]):
    /// scheme, `://`, the host in lower case (IPv6 in brackets) and `:port` unless it is the
    /// scheme's default, no slash at the end, as the URL standard writes an origin.
    pub fn origin(&self) -> String {
        self.0.origin().ascii_serialization()
    }
}

impl fmt::Display for RelayAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.as_str().trim_end_matches('/'))
    }
}

impl fmt::Debug for RelayAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RelayAddress({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_https_and_local_http_only() {
        for good in [
            "https://relay.example.nl",
            "https://relay.example.nl:8443/",
            "http://127.0.0.1:8080",
            "http://localhost:1",
            "http://[::1]:9",
        ] {
            assert!(RelayAddress::parse(good).is_ok(), "{good}");
        }
        assert_eq!(RelayAddress::parse("https://relay.example.nl/").unwrap().to_string(), "https://relay.example.nl");
        assert_eq!(RelayAddress::parse("relay.example.nl").err(), Some(RelayAddressError::Unreadable));
        assert_eq!(RelayAddress::parse("http://relay.example.nl").err(), Some(RelayAddressError::NotHttps));
        assert_eq!(RelayAddress::parse("ftp://127.0.0.1").err(), Some(RelayAddressError::NotHttps));
        for bad in [
            "https://relay.example.nl/hwc",
            "https://u@relay.example.nl",
            "https://relay.example.nl/?x=1",
            "https://relay.example.nl/#x",
        ] {
            assert_eq!(RelayAddress::parse(bad).err(), Some(RelayAddressError::NotPlain), "{bad}");
        }
        assert!(RelayAddress::parse(" https://relay.example.nl\n").is_ok(), "spaces and a line end around it");
        assert_eq!(RelayAddress::parse("https://relay.example.nl./").err(), Some(RelayAddressError::TrailingDot));
        for (typed, origin) in [
            ("https://Relay.Example.NL/", "https://relay.example.nl"),
            ("https://relay.example.nl:443", "https://relay.example.nl"),
            ("https://relay.example.nl:8443", "https://relay.example.nl:8443"),
            ("HTTP://127.0.0.1:80", "http://127.0.0.1"),
            ("http://[0:0:0:0:0:0:0:1]:9", "http://[::1]:9"),
        ] {
            assert_eq!(RelayAddress::parse(typed).unwrap().origin(), origin, "{typed}");
        }
        for bad in ["https://relay.exa\tmple.nl", "https://relay.example.nl/\u{19}", "https://relay.example.nl\u{7f}"] {
            assert_eq!(RelayAddress::parse(bad).err(), Some(RelayAddressError::Invisible), "{bad:?}");
        }
    }
}
