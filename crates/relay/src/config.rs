//! The relay's settings: command-line flags with environment fallbacks. Bad settings are
//! refused with a plain sentence and exit code 2 (clap's usage-error code).

use crate::school_assignments::SchoolAssignments;
use clap::{Parser, ValueEnum};
use hwc_protocol::{OfficePublicKey, RelayAddress};
use std::net::SocketAddr;
use std::path::PathBuf;

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// One human-readable line per event.
    Plain,
    /// One JSON object per line, for log collectors.
    Json,
}

/// Settings of one relay process.
#[derive(Debug, Clone, Parser)]
#[command(
    name = "hwc-relay",
    version,
    about = "Handle with Care relay: holds sealed envelopes for school devices and receipts for leerplicht. It can read none of them."
)]
pub struct Config {
    /// Address to listen on, e.g. 127.0.0.1:8080 or 0.0.0.0:443 (port 0 picks a free port).
    #[arg(long, env = "HWC_RELAY_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,

    /// The SQLite database file (created when missing). Not used with --postgres.
    #[arg(long, env = "HWC_RELAY_DB", default_value = "hwc-relay.db")]
    pub db: PathBuf,

    /// PostgreSQL instead of the SQLite file, so that several relay instances share one database:
    /// postgres://user:password@host:port/database. Prefer the environment variable: a command
    /// line is visible to every user of the machine.
    #[arg(long, env = "HWC_RELAY_POSTGRES", hide_env_values = true)]
    pub postgres: Option<String>,

    /// Public key (base64) of a leerplicht office allowed to use this relay. Repeat the flag
    /// for more keys; in the environment, separate keys with commas. For a relay that serves
    /// one office; with several offices, use --school-assignments instead.
    #[arg(
        long = "office-key",
        env = "HWC_RELAY_OFFICE_KEYS",
        value_delimiter = ',',
        required_unless_present = "school_assignments",
        conflicts_with = "school_assignments",
        value_parser = parse_office_key
    )]
    pub office_keys: Vec<OfficePublicKey>,

    /// A TOML file naming each office that uses this relay, with its keys and the BRIN codes of
    /// its schools; an office can then register only its own schools. Use it whenever several
    /// offices share the relay (see docs/deploy-relay.md). Replaces --office-key.
    #[arg(long, env = "HWC_RELAY_SCHOOL_ASSIGNMENTS", value_parser = parse_assignments_file)]
    pub school_assignments: Option<SchoolAssignments>,

    /// TLS certificate chain (PEM). Give it together with --tls-key; without both the relay
    /// speaks plain HTTP, meant for loopback or behind a TLS-terminating proxy.
    #[arg(long, env = "HWC_RELAY_TLS_CERT", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,

    /// TLS private key (PEM) belonging to --tls-cert.
    #[arg(long, env = "HWC_RELAY_TLS_KEY", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,

    /// The address schools and offices reach this relay at, as they configure it (for example
    /// https://relay.example.nl). Every signed request names the relay it is for, so a request
    /// meant for another relay is refused. Repeat for more names; in the environment, separate
    /// them with commas. Needed unless the relay listens on a loopback address, which counts too.
    #[arg(long = "public-url", env = "HWC_RELAY_PUBLIC_URLS", value_delimiter = ',', value_parser = parse_public_url)]
    pub public_urls: Vec<RelayAddress>,

    /// Log line format.
    #[arg(long, env = "HWC_RELAY_LOG_FORMAT", value_enum, default_value = "plain")]
    pub log_format: LogFormat,

    /// Seconds between sweeps that delete expired envelopes and report them to the office.
    #[arg(
        long,
        env = "HWC_RELAY_SWEEP_INTERVAL_SECS",
        default_value_t = 60,
        value_parser = clap::value_parser!(u64).range(1..=86_400)
    )]
    pub sweep_interval_secs: u64,

    /// Most connections held open at once; more are closed on arrival. Keep the process's
    /// open-file limit (LimitNOFILE) well above it.
    #[arg(
        long,
        env = "HWC_RELAY_MAX_CONNECTIONS",
        default_value_t = 16_384,
        value_parser = clap::value_parser!(u64).range(1..=1_000_000)
    )]
    pub max_connections: u64,

    /// Most connections held open at once from one client address (a school board's network
    /// may put many devices behind one address).
    #[arg(
        long,
        env = "HWC_RELAY_MAX_CONNECTIONS_PER_ADDRESS",
        default_value_t = 512,
        value_parser = clap::value_parser!(u64).range(1..=1_000_000)
    )]
    pub max_connections_per_address: u64,

    /// Most enrollments with a wrong, used or expired code from one client network (an IPv4
    /// address or an IPv6 /64) in ten minutes; more are refused until the oldest is ten minutes
    /// old. 0 turns the limit off.
    #[arg(
        long,
        env = "HWC_RELAY_MAX_FAILED_ENROLLMENTS",
        default_value_t = crate::enrollment_guard::DEFAULT_MAX_FAILURES,
        value_parser = clap::value_parser!(u64).range(0..=100_000)
    )]
    pub max_failed_enrollments: u64,

    /// Address of a reverse proxy in front of the relay whose `X-Forwarded-For` names the
    /// client (the last address in it); repeat for more. From any other address the header is
    /// ignored. In the environment, separate addresses with commas.
    #[arg(long = "trusted-proxy", env = "HWC_RELAY_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Vec<std::net::IpAddr>,
}

impl Config {
    /// Settings for a relay on `listen` with database `db`, plain HTTP, plain logs.
    pub fn new(listen: SocketAddr, db: PathBuf, office_keys: Vec<OfficePublicKey>) -> Self {
        Self {
            listen,
            db,
            postgres: None,
            office_keys,
            school_assignments: None,
            public_urls: Vec::new(),
            tls_cert: None,
            tls_key: None,
            log_format: LogFormat::Plain,
            sweep_interval_secs: 60,
            max_connections: 16_384,
            max_connections_per_address: 512,
            max_failed_enrollments: crate::enrollment_guard::DEFAULT_MAX_FAILURES,
            trusted_proxies: Vec::new(),
        }
    }

    /// Every office key the relay accepts: from --office-key or from the assignment file.
    pub fn all_office_keys(&self) -> Vec<OfficePublicKey> {
        match &self.school_assignments {
            Some(assignments) => assignments.keys().collect(),
            None => self.office_keys.clone(),
        }
    }

    /// The origins signed requests may name (see `docs/protocol.md`, request authentication):
    /// every --public-url; without one, a relay on a loopback address (local tools, tests, the
    /// demo) takes the address it is bound to, also written as `localhost`.
    pub fn origins(&self, bound: SocketAddr) -> Result<Vec<String>, String> {
        let mut origins: Vec<String> = Vec::new();
        for origin in self.public_urls.iter().map(RelayAddress::origin) {
            if !origins.contains(&origin) {
                origins.push(origin);
            }
        }
        if origins.is_empty() && bound.ip().is_loopback() {
            let scheme = if self.tls_files().is_some() { "https" } else { "http" };
            for local in [format!("{scheme}://{bound}"), format!("{scheme}://localhost:{}", bound.port())] {
                origins.push(RelayAddress::parse(&local).map_err(|e| e.to_string())?.origin());
            }
        }
        if origins.is_empty() {
            return Err(format!(
                "set --public-url (HWC_RELAY_PUBLIC_URLS) to the address schools and offices use for this relay, for example https://relay.example.nl: every signed request names it, and the relay listens on {bound}, which is not the address they use"
            ));
        }
        Ok(origins)
    }

    /// The certificate and key files, when TLS is configured.
    pub fn tls_files(&self) -> Option<(&PathBuf, &PathBuf)> {
        self.tls_cert.as_ref().zip(self.tls_key.as_ref())
    }
}

fn parse_office_key(text: &str) -> Result<OfficePublicKey, String> {
    text.trim().parse().map_err(|_| {
        "this is not an office public key: expected the base64 text of a 32-byte Ed25519 public key, as `hwc-send` shows it".to_string()
    })
}

fn parse_public_url(text: &str) -> Result<RelayAddress, String> {
    RelayAddress::parse(text).map_err(|_| {
        "this is not a relay address: write it as https://relay.example.nl or https://relay.example.nl:8443, as the schools and the office configure it (no path)".to_string()
    })
}

fn parse_assignments_file(text: &str) -> Result<SchoolAssignments, String> {
    SchoolAssignments::read(std::path::Path::new(text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use hwc_protocol::OfficeSigningKey;

    fn key() -> String {
        OfficeSigningKey::generate().unwrap().public().to_string()
    }

    #[test]
    fn reads_flags_and_defaults() {
        let (a, b) = (key(), key());
        let config = Config::try_parse_from(["hwc-relay", "--office-key", &a, "--office-key", &b]).unwrap();
        assert_eq!(config.office_keys.len(), 2);
        assert_eq!(config.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(config.log_format, LogFormat::Plain);
        assert_eq!(config.sweep_interval_secs, 60);
        assert_eq!((config.max_connections, config.max_connections_per_address), (16_384, 512));
        assert_eq!(config.max_failed_enrollments, 20);
        assert!(config.trusted_proxies.is_empty());
        let behind_proxy = Config::try_parse_from([
            "hwc-relay",
            "--office-key",
            &a,
            "--trusted-proxy",
            "10.0.0.5",
            "--trusted-proxy",
            "::1",
        ])
        .unwrap();
        assert_eq!(behind_proxy.trusted_proxies.len(), 2);
        assert!(Config::try_parse_from(["hwc-relay", "--office-key", &a, "--trusted-proxy", "proxy.local"]).is_err());
        assert!(config.tls_files().is_none());
    }

    #[test]
    fn refuses_bad_settings_with_usage_error() {
        let bad_key = Config::try_parse_from(["hwc-relay", "--office-key", "abc"]).unwrap_err();
        assert_eq!(bad_key.exit_code(), 2);
        assert!(bad_key.to_string().contains("office public key"), "{bad_key}");
        let no_key = Config::try_parse_from(["hwc-relay"]).unwrap_err();
        assert_eq!(no_key.exit_code(), 2);
        let half_tls =
            Config::try_parse_from(["hwc-relay", "--office-key", &key(), "--tls-cert", "c.pem"]).unwrap_err();
        assert_eq!(half_tls.exit_code(), 2);
        let zero =
            Config::try_parse_from(["hwc-relay", "--office-key", &key(), "--sweep-interval-secs", "0"]).unwrap_err();
        assert_eq!(zero.exit_code(), 2);
        let none = Config::try_parse_from(["hwc-relay", "--office-key", &key(), "--max-connections-per-address", "0"])
            .unwrap_err();
        assert_eq!(none.exit_code(), 2);
    }

    #[test]
    fn the_relay_knows_the_addresses_requests_are_signed_for() {
        let k = key();
        let public = Config::try_parse_from([
            "hwc-relay",
            "--office-key",
            &k,
            "--public-url",
            "https://Relay.Example.nl/",
            "--public-url",
            "https://relay.example.nl:8443",
        ])
        .unwrap();
        let on_loopback: SocketAddr = "127.0.0.1:8080".parse().unwrap();
        let everywhere: SocketAddr = "0.0.0.0:443".parse().unwrap();
        let named = ["https://relay.example.nl", "https://relay.example.nl:8443"];
        assert_eq!(public.origins(on_loopback).unwrap(), named, "behind a proxy: only the public names");
        assert_eq!(public.origins(everywhere).unwrap(), named);
        let twice = Config::try_parse_from([
            "hwc-relay",
            "--office-key",
            &k,
            "--public-url",
            "https://relay.example.nl:443,https://relay.example.nl",
        ])
        .unwrap();
        assert_eq!(twice.origins(everywhere).unwrap(), ["https://relay.example.nl"]);
        let bare = Config::try_parse_from(["hwc-relay", "--office-key", &k]).unwrap();
        assert_eq!(bare.origins(on_loopback).unwrap(), ["http://127.0.0.1:8080", "http://localhost:8080"]);
        assert!(bare.origins(everywhere).unwrap_err().contains("--public-url"));
        for bad in ["relay.example.nl", "https://relay.example.nl/hwc", "http://relay.example.nl", ""] {
            let refused = Config::try_parse_from(["hwc-relay", "--office-key", &k, "--public-url", bad]).unwrap_err();
            assert_eq!(refused.exit_code(), 2, "{bad}");
        }
    }

    #[test]
    fn the_assignment_file_replaces_the_office_keys() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("schools.toml");
        let (a, b) = (key(), key());
        std::fs::write(
            &path,
            format!("[[office]]\nname = \"Tilburg\"\nkeys = [\"{a}\", \"{b}\"]\nschools = [\"12AB\"]\n"),
        )
        .unwrap();
        let path = path.to_str().unwrap();
        let config = Config::try_parse_from(["hwc-relay", "--school-assignments", path]).unwrap();
        let mut keys: Vec<String> = config.all_office_keys().iter().map(ToString::to_string).collect();
        keys.sort();
        let mut expected = vec![a.clone(), b.clone()];
        expected.sort();
        assert_eq!(keys, expected);
        let both = Config::try_parse_from(["hwc-relay", "--school-assignments", path, "--office-key", &a]).unwrap_err();
        assert_eq!(both.exit_code(), 2, "one list of keys, not two");
        std::fs::write(dir.path().join("bad.toml"), "[[office]]\nname = \"Tilburg\"\n").unwrap();
        let bad = dir.path().join("bad.toml");
        let bad = Config::try_parse_from(["hwc-relay", "--school-assignments", bad.to_str().unwrap()]).unwrap_err();
        assert_eq!(bad.exit_code(), 2);
        assert!(bad.to_string().contains("bad.toml"), "{bad}");
        let missing = Config::try_parse_from(["hwc-relay", "--school-assignments", "/nonexistent/schools.toml"]);
        assert!(missing.unwrap_err().to_string().contains("cannot read"));
    }
}
