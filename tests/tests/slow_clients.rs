//! Slow clients cannot starve the relay. A real relay process, its open-file limit lowered to
//! 1024, is flooded from one address (127.0.0.2) by 1500 connections that each send one byte a
//! second and reconnect when closed, while the director's device (from 127.0.0.1, on a fresh
//! connection) fetches the signal the office sent. The device must get it, and the relay must
//! close trickling connections after its header deadline.

use chrono::Utc;
use hwc_client::SchoolClient;
use hwc_protocol::{Role, Signal};
use hwc_system_tests::World;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const FLOOD: usize = 1500;
const FILE_LIMIT: u64 = 1024;

#[derive(Default)]
struct Tally {
    /// Connections the relay accepted and then closed while they trickled.
    cut_off: AtomicUsize,
    /// Connections refused or closed before a byte could be sent.
    refused: AtomicUsize,
}

/// One slow client: connect from 127.0.0.2, send a request one byte a second, again when closed.
async fn trickle(relay: SocketAddr, stop: Arc<AtomicBool>, tally: Arc<Tally>) {
    let request = b"POST /v1/signals HTTP/1.1\r\nhost: relay\r\ncontent-length: 60000\r\nx-padding: ";
    while !stop.load(Ordering::Relaxed) {
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.bind("127.0.0.2:0".parse().unwrap()).unwrap();
        let Ok(mut stream) = socket.connect(relay).await else {
            tally.refused.fetch_add(1, Ordering::Relaxed);
            tokio::time::sleep(Duration::from_secs(1)).await;
            continue;
        };
        let mut sent = 0;
        let mut buf = [0u8; 64];
        loop {
            if stop.load(Ordering::Relaxed) {
                return;
            }
            let byte = request.get(sent).copied().unwrap_or(b'x');
            if stream.write_all(&[byte]).await.is_err() {
                break;
            }
            sent += 1;
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                read = stream.read(&mut buf) => if matches!(read, Ok(0) | Err(_)) { break },
            }
        }
        if sent > 1 {
            tally.cut_off.fetch_add(1, Ordering::Relaxed);
        } else {
            tally.refused.fetch_add(1, Ordering::Relaxed);
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }
}

#[test]
fn thousands_of_trickling_connections_do_not_keep_a_device_from_its_signal() {
    let mut w = World::new().unwrap();
    let pid = libc::pid_t::try_from(w.relay.pid().expect("the relay runs")).unwrap();
    let limit = libc::rlimit { rlim_cur: FILE_LIMIT, rlim_max: FILE_LIMIT };
    // SAFETY: prlimit reads `limit` and writes nothing (the old-limit pointer is null).
    assert_eq!(unsafe { libc::prlimit(pid, libc::RLIMIT_NOFILE, &limit, std::ptr::null_mut()) }, 0);
    let signal = Signal::from_input("Sem de Vries", "2016-03-07", Utc::now().date_naive()).unwrap();
    let id = w.office.send_signal(World::school(), &signal).unwrap();
    drop(signal);

    let stop = Arc::new(AtomicBool::new(false));
    let tally = Arc::new(Tally::default());
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let flood: Vec<_> =
        (0..FLOOD).map(|_| runtime.spawn(trickle(w.relay.addr(), stop.clone(), tally.clone()))).collect();
    std::thread::sleep(Duration::from_secs(3));

    // A device that starts now (a new client: a new connection) gets its signal.
    let mut director = SchoolClient::open(&w.device_dir(Role::Director)).unwrap();
    let started = Instant::now();
    let arrived = loop {
        match director.fetch(0) {
            Ok(report) if report.new_signals.contains(&id) => break true,
            _ if started.elapsed() > Duration::from_secs(40) => break false,
            _ => std::thread::sleep(Duration::from_millis(200)),
        }
    };
    let waited = started.elapsed();

    // Past the header deadline, trickling connections are cut off.
    std::thread::sleep(hwc_relay::server::HEADER_DEADLINE.saturating_sub(Duration::from_secs(1)));
    stop.store(true, Ordering::Relaxed);
    runtime.block_on(async {
        for task in flood {
            let _ = task.await;
        }
    });
    let (cut_off, refused) = (tally.cut_off.load(Ordering::Relaxed), tally.refused.load(Ordering::Relaxed));
    eprintln!("{FLOOD} slow clients: the device had its signal after {waited:?}; {cut_off} cut off, {refused} refused");
    assert!(arrived, "the device did not get its signal within 40 s of {FLOOD} slow clients");
    assert!(cut_off > 0, "no trickling connection was cut off after the header deadline");
    assert!(w.relay.pid().is_some(), "the relay still runs");
}
