//! Running the relay: plain HTTP or TLS (rustls with the ring provider) on a given listener,
//! the background sweep, and graceful shutdown that also releases waiting inbox requests.

use crate::config::Config;
use crate::state::AppState;
use crate::store::StoreError;
use crate::{routes, sweeper};
use axum_server::tls_rustls::RustlsConfig;
use std::future::Future;
use std::time::Duration;

/// How long running requests get to finish after shutdown was asked for.
const GRACE: Duration = Duration::from_secs(10);

/// Why the relay could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot open the database: {0}")]
    Store(#[from] StoreError),
    #[error("cannot read the TLS certificate or key: {0}")]
    Tls(std::io::Error),
    #[error("network: {0}")]
    Io(#[from] std::io::Error),
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
    let app = router(state).into_make_service();
    let result = match tls {
        Some(tls) => axum_server::from_tcp_rustls(listener, tls)?.handle(handle).serve(app).await,
        None => axum_server::from_tcp(listener)?.handle(handle).serve(app).await,
    };
    sweep.abort();
    stopper.abort();
    Ok(result?)
}
