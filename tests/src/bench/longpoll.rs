//! Devices that wait: each keeps one connection to the server and a long-poll open on it, asks
//! again as soon as an answer comes, and reports answers that carry something. Used for the
//! relay (signed `GET /v1/inbox`) and for the baseline echo server (`GET /wait/N`).

use super::http::Connection;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

/// Counters shared by every waiting device.
#[derive(Debug, Default)]
pub struct Tally {
    /// Devices that have sent their first request.
    pub started: AtomicUsize,
    /// Answers received.
    pub answers: AtomicU64,
    /// Connection or request failures (the device connects again after a second).
    pub failures: AtomicU64,
}

/// What a device asks next: method, path and headers, from the cursor it holds.
pub type NextRequest = Box<dyn FnMut(u64) -> anyhow::Result<(String, Vec<(&'static str, String)>)> + Send>;

/// What a device does with a non-empty answer: gives back the next cursor.
pub type OnAnswer = Box<dyn FnMut(&[u8], Instant) -> u64 + Send>;

/// Runs one waiting device until the runtime stops.
pub async fn run(
    from: Option<IpAddr>,
    to: SocketAddr,
    tally: Arc<Tally>,
    mut next: NextRequest,
    mut on_answer: OnAnswer,
) {
    let mut cursor = 0;
    let mut first = true;
    loop {
        let mut connection = match Connection::open(from, to).await {
            Ok(c) => c,
            Err(_) => {
                tally.failures.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        loop {
            let Ok((path, headers)) = next(cursor) else {
                tally.failures.fetch_add(1, Ordering::Relaxed);
                return;
            };
            if first {
                tally.started.fetch_add(1, Ordering::Relaxed);
                first = false;
            }
            match connection.request("GET", &path, &headers, b"").await {
                Ok(answer) if answer.status == 200 => {
                    let at = Instant::now();
                    tally.answers.fetch_add(1, Ordering::Relaxed);
                    cursor = on_answer(&answer.body, at);
                }
                _ => {
                    tally.failures.fetch_add(1, Ordering::Relaxed);
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    break;
                }
            }
        }
    }
}
