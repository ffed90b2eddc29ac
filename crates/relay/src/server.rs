//! Running the relay: plain HTTP or TLS (rustls with the ring provider) on a given listener,
//! the background sweep, and graceful shutdown that also releases waiting inbox requests.
//! Slow clients get deadlines: the request line and headers within [`HEADER_DEADLINE`], the
//! body within `auth::BODY_DEADLINE`, a TLS handshake within ten seconds; and the number of
//! open connections is limited in all and per address ([`crate::connection_limit`]).

use crate::config::Config;
use crate::connection_limit::{LimitedAcceptor, Limits};
use crate::state::AppState;
use crate::store::StoreError;
use crate::{routes, sweeper};
use axum_server::accept::DefaultAcceptor;
use axum_server::tls_rustls::{RustlsAcceptor, RustlsConfig};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

/// How long running requests get to finish after shutdown was asked for.
const GRACE: Duration = Duration::from_secs(10);
/// How long a client has to send the request line and headers (also of the next request on a
/// kept-alive connection, so an idle connection is closed after it too).
pub const HEADER_DEADLINE: Duration = Duration::from_secs(10);

/// Why the relay could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot open the database: {0}")]
    Store(#[from] StoreError),
    #[error("cannot read the TLS certificate or key: {0}")]
    Tls(std::io::Error),
    #[error("network: {0}")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Settings(String),
}

/// The relay's HTTP router.
pub fn router(state: AppState) -> axum::Router {
    routes::router(state)
}

/// Loads the TLS certificate and key named in `config` (rustls with the ring provider), or
/// `None` for plain HTTP.
pub async fn tls_config(config: &Config) -> Result<Option<RustlsConfig>, ServeError> {
    match config.tls_files() {
        Some((cert, key)) => {
            // Another part of the process may have installed it already; either way ring is used.
            let _ = rustls::crypto::ring::default_provider().install_default();
            Ok(Some(RustlsConfig::from_pem_file(cert, key).await.map_err(ServeError::Tls)?))
        }
        None => Ok(None),
    }
}

/// Sets hyper's timer (without one it enforces no deadline at all) and the header deadline.
fn with_deadlines(builder: &mut hyper_util::server::conn::auto::Builder<hyper_util::rt::TokioExecutor>) {
    builder.http1().timer(hyper_util::rt::TokioTimer::new()).header_read_timeout(HEADER_DEADLINE);
    builder.http2().timer(hyper_util::rt::TokioTimer::new());
}

/// Opens the database named in `config` and serves on `listener` until `shutdown` completes.
pub async fn serve(
    config: Config,
    listener: std::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    let state = AppState::open_configured(&config).await?;
    serve_state(state, &config, listener, shutdown).await
}

/// Serves an already opened state on `listener` until `shutdown` completes. Uses TLS when
/// `config` names a certificate and key, and sweeps every `config.sweep_interval_secs`.
pub async fn serve_state(
    state: AppState,
    config: &Config,
    listener: std::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    listener.set_nonblocking(true)?;
    let tls = tls_config(config).await?;
    let mut state = state;
    state.relay_origins = Arc::new(config.origins(listener.local_addr()?).map_err(ServeError::Settings)?);
    let sweep = tokio::spawn(sweeper::run(state.clone(), Duration::from_secs(config.sweep_interval_secs.max(1))));
    let handle = axum_server::Handle::new();
    let stopper = {
        let handle = handle.clone();
        let waiters = state.waiters.clone();
        tokio::spawn(async move {
            shutdown.await;
            waiters.close();
            handle.graceful_shutdown(Some(GRACE));
        })
    };
    // The peer's address reaches the handlers that limit per client network (enrollment).
    let app = router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    let limits = Limits {
        total: usize::try_from(config.max_connections).unwrap_or(usize::MAX),
        per_address: usize::try_from(config.max_connections_per_address).unwrap_or(usize::MAX),
    };
    let limited = LimitedAcceptor::new(DefaultAcceptor, limits);
    let result = match tls {
        Some(tls) => {
            let mut server = axum_server::from_tcp(listener)?.acceptor(RustlsAcceptor::new(tls).acceptor(limited));
            with_deadlines(server.http_builder());
            server.handle(handle).serve(app).await
        }
        None => {
            let mut server = axum_server::from_tcp(listener)?.acceptor(limited);
            with_deadlines(server.http_builder());
            server.handle(handle).serve(app).await
        }
    };
    sweep.abort();
    stopper.abort();
    Ok(result?)
}
