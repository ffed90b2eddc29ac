//! `GET /healthz`: unauthenticated liveness check.

/// Answers `200 ok`.
pub async fn healthz() -> &'static str {
    "ok"
}
