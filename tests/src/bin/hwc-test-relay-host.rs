//! `hwc-test-relay-host`: starts real `hwc-relay` processes on this machine for tests that run
//! elsewhere (the Windows builds of the school core's and `hwc-send`'s tests, under wine), one
//! per connection and for as long as it stays open. The line protocol is in
//! `hwc_relay::testing::remote`. Listens on 127.0.0.1 (a free port, or the one given), prints
//! `listening on <addr>` and serves until it is killed.

use anyhow::{Context, Result};
use hwc_relay::testing::remote;
use hwc_system_tests::RelayProcess;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};

fn main() -> Result<()> {
    let listen = std::env::args().nth(1).unwrap_or_else(|| "127.0.0.1:0".into());
    let listener = TcpListener::bind(&listen).with_context(|| format!("kan niet luisteren op {listen}"))?;
    let mut stdout = std::io::stdout();
    writeln!(stdout, "listening on {}", listener.local_addr()?)?;
    stdout.flush()?;
    for connection in listener.incoming() {
        let Ok(connection) = connection else { continue };
        std::thread::spawn(move || {
            if let Err(error) = serve(connection) {
                eprintln!("hwc-test-relay-host: {error:#}");
            }
        });
    }
    Ok(())
}

/// Starts the asked-for relay, answers, and stops it when the connection closes.
fn serve(mut connection: TcpStream) -> Result<()> {
    let mut line = String::new();
    BufReader::new(connection.try_clone()?).read_line(&mut line)?;
    let started = remote::parse_request(&line).map_err(anyhow::Error::msg).and_then(|asked| {
        let dir = tempfile::tempdir()?;
        let db = dir.path().join("relay.db");
        let sweep = asked.sweep_interval_secs.to_string();
        let mut args = vec!["--sweep-interval-secs", sweep.as_str()];
        for url in &asked.public_urls {
            args.extend(["--public-url", url.as_str()]);
        }
        let relay = RelayProcess::start_with_args(&db, &asked.office_keys, &args)?;
        Ok((dir, relay))
    });
    let (_dir, relay) = match started {
        Ok(started) => started,
        Err(error) => {
            writeln!(connection, "fout {error:#}")?;
            return Ok(());
        }
    };
    connection.write_all(remote::answer(relay.addr(), relay.db_path()).as_bytes())?;
    // The test says nothing more: read until it closes the connection (or its process ends).
    let _ = connection.read_to_end(&mut Vec::new());
    drop(relay);
    Ok(())
}
