//! `hwc-relay`: reads its settings, opens the database, binds, prints `listening on <addr>`
//! and serves until SIGTERM or Ctrl-C.

use anyhow::Context;
use clap::Parser;
use hwc_relay::server::tls_config;
use hwc_relay::{logging, serve_state, AppState, Config, ServeError};
use std::io::Write;

fn main() -> std::process::ExitCode {
    // Usage errors print clap's message and exit with code 2; so do settings found wrong later.
    let config = Config::parse();
    logging::init(config.log_format);
    match run(config) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("hwc-relay: {error:#}");
            // Unreadable TLS files are a settings problem, like a bad flag: usage-error code 2.
            if matches!(error.downcast_ref::<ServeError>(), Some(ServeError::Tls(_) | ServeError::Settings(_))) {
                std::process::ExitCode::from(2)
            } else {
                std::process::ExitCode::FAILURE
            }
        }
    }
}

/// Threads for database reads. Reads take well under a millisecond, so a few threads serve
/// thousands of devices; with tokio's default (512) a burst of long-polls started hundreds of
/// threads that then idled (measured with 19,700 waiting devices: 516 threads; with this
/// limit 12, and 13 MiB less resident memory).
const BLOCKING_THREADS: usize = 8;

fn run(config: Config) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .max_blocking_threads(BLOCKING_THREADS)
        .enable_all()
        .build()
        .context("cannot start the runtime")?;
    let state = runtime.block_on(AppState::open_configured(&config)).with_context(|| match &config.postgres {
        // Not the address: it may hold a password.
        Some(_) => "cannot open the PostgreSQL database (--postgres)".to_string(),
        None => format!("cannot open the database {}", config.db.display()),
    })?;
    let listener =
        std::net::TcpListener::bind(config.listen).with_context(|| format!("cannot listen on {}", config.listen))?;
    let addr = listener.local_addr().context("cannot read the bound address")?;
    // Checked before announcing the address, so a bad certificate or a missing public address
    // never looks like a start.
    runtime.block_on(tls_config(&config))?;
    let origins = config.origins(addr).map_err(ServeError::Settings)?;
    if config.public_urls.is_empty() {
        tracing::warn!(
            %addr,
            "no --public-url: only requests signed for this loopback address are accepted; behind a reverse proxy, set --public-url to the address schools and offices use"
        );
    }
    let mut stdout = std::io::stdout();
    writeln!(stdout, "listening on {addr}").context("cannot write to stdout")?;
    stdout.flush().context("cannot write to stdout")?;
    let store = if config.postgres.is_some() { "postgresql" } else { "sqlite" };
    tracing::info!(%addr, origins = origins.join(" "), tls = config.tls_files().is_some(), office_keys = config.all_office_keys().len(), assigned_offices = config.school_assignments.as_ref().map_or(0, |a| a.offices()), store, "relay started");
    runtime.block_on(serve_state(state, &config, listener, shutdown_signal()))?;
    tracing::info!("relay stopped");
    Ok(())
}

/// Completes on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}
