//! A hostile relay: a plain HTTP/1.1 server on a loopback port whose every answer comes from
//! the test. It plays what the real relay never would (forged tags, made-up messages), to prove
//! the device does not take the relay's word where the protocol says it must not. Every
//! request it was sent is kept, byte for byte, so a test can say what the relay learnt.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

/// One request as it arrived.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    pub path: String,
    /// The request line and headers, as sent.
    pub head: Vec<u8>,
    pub body: Vec<u8>,
}

impl Request {
    /// Everything the relay was sent.
    pub fn bytes(&self) -> Vec<u8> {
        [self.head.as_slice(), self.body.as_slice()].concat()
    }
}

/// An answer: status and JSON body.
pub struct Reply {
    pub status: u16,
    pub body: Vec<u8>,
}

type Handler = dyn Fn(&Request) -> Reply + Send + Sync;

pub struct HostileRelay {
    url: String,
    seen: Arc<Mutex<Vec<Request>>>,
}

impl HostileRelay {
    /// Listens on a free loopback port; `answer` makes the reply to every request.
    pub fn start(answer: impl Fn(&Request) -> Reply + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let answer: Arc<Handler> = Arc::new(answer);
        let kept = seen.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (answer, kept) = (answer.clone(), kept.clone());
                std::thread::spawn(move || serve(stream, &*answer, &kept));
            }
        });
        Self { url, seen }
    }

    pub fn url(&self) -> String {
        self.url.clone()
    }

    /// Every request received so far.
    pub fn requests(&self) -> Vec<Request> {
        self.seen.lock().unwrap().clone()
    }
}

fn serve(stream: TcpStream, answer: &Handler, seen: &Mutex<Vec<Request>>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut writer = stream;
    loop {
        let mut head = Vec::new();
        let mut length = 0usize;
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return; // the client closed the connection
            }
            head.extend_from_slice(line.as_bytes());
            if let Some((name, value)) = line.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.trim().parse().unwrap();
                }
            }
            if line == "\r\n" {
                break;
            }
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body).unwrap();
        let request_line = String::from_utf8_lossy(&head).lines().next().unwrap_or_default().to_string();
        let mut parts = request_line.split(' ');
        let request = Request {
            method: parts.next().unwrap_or_default().to_string(),
            path: parts.next().unwrap_or_default().to_string(),
            head,
            body,
        };
        let reply = answer(&request);
        seen.lock().unwrap().push(request);
        let status_line = format!(
            "HTTP/1.1 {} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
            reply.status,
            reply.body.len()
        );
        if writer.write_all(status_line.as_bytes()).and_then(|()| writer.write_all(&reply.body)).is_err() {
            return;
        }
    }
}
