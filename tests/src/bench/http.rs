//! A minimal HTTP/1.1 client connection for the benchmarks: keep-alive, one request at a time,
//! answers with a `content-length`. Written by hand so that tens of thousands of waiting
//! devices cost the benchmark process little, and so that each connection can leave from its
//! own 127.0.0.x address (one source address has only about 28,000 ports).

use std::io::{Error, ErrorKind};
use std::net::{IpAddr, SocketAddr};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

/// Largest answer head or body read (a full inbox of envelopes stays well below).
const MAX_ANSWER: usize = 8 << 20;

/// One answer.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub body: Vec<u8>,
}

/// One keep-alive connection.
pub struct Connection {
    stream: TcpStream,
    host: String,
    buf: Vec<u8>,
}

impl Connection {
    /// Connects to `to`, leaving from `from` when given.
    pub async fn open(from: Option<IpAddr>, to: SocketAddr) -> std::io::Result<Self> {
        let socket = if to.is_ipv4() { TcpSocket::new_v4()? } else { TcpSocket::new_v6()? };
        if let Some(from) = from {
            socket.bind(SocketAddr::new(from, 0))?;
        }
        let stream = socket.connect(to).await?;
        stream.set_nodelay(true)?;
        Ok(Self { stream, host: to.to_string(), buf: Vec::with_capacity(512) })
    }

    /// Sends one request and reads its answer.
    pub async fn request(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, String)],
        body: &[u8],
    ) -> std::io::Result<Answer> {
        let mut head = format!("{method} {path} HTTP/1.1\r\nhost: {}\r\n", self.host);
        for (name, value) in headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        if method != "GET" {
            head.push_str(&format!("content-type: application/octet-stream\r\ncontent-length: {}\r\n", body.len()));
        }
        head.push_str("\r\n");
        let mut request = head.into_bytes();
        request.extend_from_slice(body);
        self.stream.write_all(&request).await?;
        self.read_answer().await
    }

    async fn read_answer(&mut self) -> std::io::Result<Answer> {
        self.buf.clear();
        let head_end = loop {
            if let Some(i) = find(&self.buf, b"\r\n\r\n") {
                break i + 4;
            }
            self.fill().await?;
        };
        let head = std::str::from_utf8(&self.buf[..head_end]).map_err(|_| invalid("answer head is not text"))?;
        let status =
            head.split(' ').nth(1).and_then(|s| s.parse().ok()).ok_or_else(|| invalid("answer has no status"))?;
        let length: usize = head
            .lines()
            .find_map(|line| {
                let (name, value) = line.split_once(':')?;
                name.eq_ignore_ascii_case("content-length").then(|| value.trim().parse().ok())?
            })
            .ok_or_else(|| invalid("answer has no content-length"))?;
        if length > MAX_ANSWER {
            return Err(invalid("answer too long"));
        }
        while self.buf.len() < head_end + length {
            self.fill().await?;
        }
        let body = self.buf[head_end..head_end + length].to_vec();
        self.buf.drain(..head_end + length);
        Ok(Answer { status, body })
    }

    async fn fill(&mut self) -> std::io::Result<()> {
        if self.buf.len() > MAX_ANSWER {
            return Err(invalid("answer too long"));
        }
        let mut chunk = [0u8; 4096];
        let n = self.stream.read(&mut chunk).await?;
        if n == 0 {
            return Err(Error::new(ErrorKind::UnexpectedEof, "the server closed the connection"));
        }
        self.buf.extend_from_slice(&chunk[..n]);
        Ok(())
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(haystack, needle)
}

fn invalid(what: &str) -> Error {
    Error::new(ErrorKind::InvalidData, what.to_string())
}

/// The `count`-th source address for spreading connections: 127.0.0.2, 127.0.0.3, ...
pub fn source_address(index: usize, per_address: usize) -> IpAddr {
    let n = (index / per_address.max(1)) as u32 + 2;
    IpAddr::V4(std::net::Ipv4Addr::from(0x7f00_0000 | (n & 0x00ff_ffff)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connections_spread_over_loopback_addresses() {
        assert_eq!(source_address(0, 10_000).to_string(), "127.0.0.2");
        assert_eq!(source_address(9_999, 10_000).to_string(), "127.0.0.2");
        assert_eq!(source_address(10_000, 10_000).to_string(), "127.0.0.3");
        assert_eq!(source_address(49_999, 10_000).to_string(), "127.0.0.6");
    }
}
