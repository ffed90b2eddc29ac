//! `LISTEN hwc_inbox` on a connection of its own: each notification names a school whose
//! inbox changed through some relay instance, and wakes this instance's long-polls for it.
//! When the connection drops it is made again after a second, and every waiting request is
//! woken to look again (a notification may have been missed meanwhile).

use super::CHANNEL;
use crate::waiters::Waiters;
use futures_util::StreamExt;
use hwc_protocol::Brin;
use std::time::Duration;
use tokio_postgres::{AsyncMessage, NoTls};

/// Follows notifications until the relay stops.
pub async fn run(config: tokio_postgres::Config, waiters: Waiters) {
    loop {
        match config.connect(NoTls).await {
            Ok((client, mut connection)) => {
                let (sender, mut received) = tokio::sync::mpsc::unbounded_channel::<String>();
                let pump = tokio::spawn(async move {
                    let mut messages = futures_util::stream::poll_fn(move |cx| connection.poll_message(cx));
                    while let Some(message) = messages.next().await {
                        match message {
                            Ok(AsyncMessage::Notification(note)) => {
                                if sender.send(note.payload().to_string()).is_err() {
                                    break;
                                }
                            }
                            Ok(_) => {}
                            Err(error) => {
                                tracing::warn!(%error, "wake-up connection to PostgreSQL lost");
                                break;
                            }
                        }
                    }
                });
                match client.batch_execute(&format!("LISTEN {CHANNEL}")).await {
                    Ok(()) => {
                        waiters.wake_all();
                        while let Some(payload) = received.recv().await {
                            if let Ok(school) = payload.parse::<Brin>() {
                                waiters.wake(school);
                            }
                        }
                    }
                    Err(error) => tracing::warn!(%error, "cannot LISTEN for wake-ups"),
                }
                pump.abort();
                drop(client);
            }
            Err(error) => tracing::warn!(%error, "cannot connect to PostgreSQL for wake-ups"),
        }
        if waiters.is_closed() {
            return;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}
