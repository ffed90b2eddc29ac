//! A small TCP load balancer for the tests, standing where a hosting party's load balancer
//! stands in front of several relay instances: each new connection goes to the next backend in
//! turn, and to the one after it when that one does not accept (an instance that died). Bytes
//! are copied both ways unchanged, so TLS or HTTP/1.1 keep-alive pass through as they would.

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A running balancer; stops accepting when dropped.
pub struct Balancer {
    addr: SocketAddr,
    stopped: Arc<AtomicBool>,
}

/// A balancer's port, taken before its backends start: requests are signed for the address the
/// client uses, so the relay instances must be told it (`--public-url`).
pub struct BalancerPort {
    listener: TcpListener,
    addr: SocketAddr,
}

impl BalancerPort {
    /// Takes a free 127.0.0.1 port.
    pub fn take() -> std::io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        Ok(Self { addr: listener.local_addr()?, listener })
    }

    /// `http://127.0.0.1:PORT`
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Spreads the connections to this port over `backends`.
    pub fn start(self, backends: Vec<SocketAddr>) -> Balancer {
        Balancer::serve(self.listener, self.addr, backends)
    }
}

impl Balancer {
    fn serve(listener: TcpListener, addr: SocketAddr, backends: Vec<SocketAddr>) -> Self {
        let stopped = Arc::new(AtomicBool::new(false));
        let backends = Arc::new(Mutex::new(backends));
        let next = Arc::new(AtomicUsize::new(0));
        let flag = Arc::clone(&stopped);
        std::thread::spawn(move || {
            for client in listener.incoming() {
                if flag.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(client) = client else { continue };
                let backends = backends.lock().unwrap_or_else(|p| p.into_inner()).clone();
                let first = next.fetch_add(1, Ordering::Relaxed);
                std::thread::spawn(move || forward(client, &backends, first));
            }
        });
        Self { addr, stopped }
    }

    /// `http://127.0.0.1:PORT`
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for Balancer {
    fn drop(&mut self) {
        self.stopped.store(true, Ordering::SeqCst);
        // Wakes the accept loop so it sees the flag.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_millis(200));
    }
}

/// Connects `client` to the first backend, from `first` on, that accepts, and copies both ways.
fn forward(client: TcpStream, backends: &[SocketAddr], first: usize) {
    let backend = (0..backends.len())
        .map(|i| backends[(first + i) % backends.len()])
        .find_map(|addr| TcpStream::connect_timeout(&addr, Duration::from_secs(2)).ok());
    let Some(backend) = backend else {
        let _ = client.shutdown(Shutdown::Both);
        return;
    };
    let (Ok(client_read), Ok(backend_write)) = (client.try_clone(), backend.try_clone()) else { return };
    let upstream = std::thread::spawn(move || copy(client_read, backend_write));
    copy(backend, client);
    let _ = upstream.join();
}

fn copy(mut from: TcpStream, mut to: TcpStream) {
    let mut buffer = [0u8; 16 * 1024];
    loop {
        match from.read(&mut buffer) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                if to.write_all(&buffer[..n]).is_err() {
                    break;
                }
            }
        }
    }
    let _ = to.shutdown(Shutdown::Write);
    let _ = from.shutdown(Shutdown::Read);
}
