//! How many connections the relay holds at once: at most a number in all and a smaller number
//! per client address. A connection beyond either is closed as soon as it is accepted, so
//! clients that open thousands of connections and trickle bytes into them (the relay closes
//! each after the header or body deadline, see `server.rs`) cannot use up the process's file
//! descriptors and starve the school devices. An [`axum_server::accept::Accept`] in front of
//! plain HTTP or of TLS.

use axum_server::accept::Accept;
use futures_util::future::Either;
use std::collections::HashMap;
use std::future::Ready;
use std::io;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

/// The two limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub total: usize,
    pub per_address: usize,
}

#[derive(Debug, Default)]
struct Open {
    total: usize,
    by_address: HashMap<IpAddr, usize>,
}

/// Counts open connections and refuses those beyond the [`Limits`].
#[derive(Debug, Clone)]
pub struct LimitedAcceptor<A> {
    inner: A,
    limits: Limits,
    open: Arc<Mutex<Open>>,
}

impl<A> LimitedAcceptor<A> {
    pub fn new(inner: A, limits: Limits) -> Self {
        Self { inner, limits, open: Arc::default() }
    }

    /// Counts a connection from `address` in, unless that would pass a limit.
    fn admit(&self, address: IpAddr) -> Option<Admitted> {
        let mut open = self.open.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let from_address = open.by_address.get(&address).copied().unwrap_or(0);
        if open.total >= self.limits.total || from_address >= self.limits.per_address {
            return None;
        }
        open.total += 1;
        open.by_address.insert(address, from_address + 1);
        Some(Admitted { address, open: self.open.clone() })
    }
}

/// One counted connection; counted out when dropped.
#[derive(Debug)]
struct Admitted {
    address: IpAddr,
    open: Arc<Mutex<Open>>,
}

impl Drop for Admitted {
    fn drop(&mut self) {
        let mut open = self.open.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        open.total = open.total.saturating_sub(1);
        if let Some(count) = open.by_address.get_mut(&self.address) {
            *count -= 1;
            if *count == 0 {
                open.by_address.remove(&self.address);
            }
        }
    }
}

/// A TCP stream that holds its place in the count for as long as it lives.
#[derive(Debug)]
pub struct CountedStream {
    stream: TcpStream,
    _admitted: Admitted,
}

impl<A, S> Accept<TcpStream, S> for LimitedAcceptor<A>
where
    A: Accept<CountedStream, S>,
{
    type Stream = A::Stream;
    type Service = A::Service;
    type Future = Either<Ready<io::Result<(A::Stream, A::Service)>>, A::Future>;

    fn accept(&self, stream: TcpStream, service: S) -> Self::Future {
        let admitted = stream.peer_addr().ok().and_then(|peer| self.admit(peer.ip()));
        match admitted {
            // Dropping the stream closes the connection at once.
            None => Either::Left(std::future::ready(Err(io::Error::other("too many connections")))),
            Some(admitted) => Either::Right(self.inner.accept(CountedStream { stream, _admitted: admitted }, service)),
        }
    }
}

impl AsyncRead for CountedStream {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for CountedStream {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_per_address_and_in_all_and_gives_places_back() {
        let acceptor = LimitedAcceptor::new((), Limits { total: 3, per_address: 2 });
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "192.0.2.2".parse().unwrap();
        let first = acceptor.admit(a).unwrap();
        let _second = acceptor.admit(a).unwrap();
        assert!(acceptor.admit(a).is_none(), "a third from one address");
        let _third = acceptor.admit(b).unwrap();
        assert!(acceptor.admit(b).is_none(), "a fourth in all");
        drop(first);
        assert!(acceptor.admit(a).is_some(), "a place came free");
    }
}
