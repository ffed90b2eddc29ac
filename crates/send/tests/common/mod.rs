//! Test helpers: a school device that talks to the real relay the way the school client does
//! (enrollment, inbox, receipts), and a scanner that looks for personal data in files.

#![allow(dead_code)]

use chrono::Utc;
use hwc_protocol::api::{DeviceInfo, EnrollDevice, Inbox, ReceiptAccepted};
use hwc_protocol::{
    AuthHeaders, DeviceId, DeviceOpenKey, DevicePublicKeys, DeviceSigningKey, Envelope, Receipt, ReceiptKey,
    ReceiptKind, RequestParts, SignalId, VerifiedEnvelope,
};
use std::path::Path;

/// A school device with fresh keys.
pub struct TestDevice {
    pub sign: DeviceSigningKey,
    pub open: DeviceOpenKey,
    pub keys: DevicePublicKeys,
    pub id: DeviceId,
}

impl TestDevice {
    pub fn new() -> Self {
        let sign = DeviceSigningKey::generate().unwrap();
        let open = DeviceOpenKey::generate().unwrap();
        let keys = DevicePublicKeys::of(&sign, &open);
        let id = keys.device_id();
        Self { sign, open, keys, id }
    }

    fn request(
        &self,
        relay: &str,
        method: reqwest::Method,
        path: &str,
        body: Vec<u8>,
        content_type: &str,
    ) -> (u16, Vec<u8>) {
        let origin = hwc_protocol::RelayAddress::parse(relay).unwrap().origin();
        let parts = RequestParts { relay: &origin, method: method.as_str(), path_and_query: path, body: &body };
        let auth = AuthHeaders::sign_device(&self.sign, self.id, &parts, Utc::now().timestamp()).unwrap();
        let mut request = reqwest::blocking::Client::new().request(method, format!("{relay}{path}"));
        for (name, value) in auth.to_pairs() {
            request = request.header(name, value);
        }
        if !body.is_empty() {
            request = request.header("content-type", content_type).body(body);
        }
        let response = request.send().unwrap();
        let status = response.status().as_u16();
        (status, response.bytes().unwrap().to_vec())
    }

    /// `POST /v1/devices` with the enrollment code, signed with the device's own key.
    pub fn enroll(&self, relay: &str, code: &str) -> DeviceInfo {
        let code = hwc_protocol::EnrollmentCode::parse(code).unwrap();
        let body = serde_json::to_vec(&EnrollDevice::new(&code, self.keys)).unwrap();
        let (status, bytes) = self.request(relay, reqwest::Method::POST, "/v1/devices", body, "application/json");
        assert_eq!(status, 201, "{}", String::from_utf8_lossy(&bytes));
        serde_json::from_slice(&bytes).unwrap()
    }

    /// `GET /v1/inbox?after=0&wait=0`
    pub fn inbox(&self, relay: &str) -> Inbox {
        let (status, bytes) = self.request(relay, reqwest::Method::GET, "/v1/inbox?after=0&wait=0", Vec::new(), "");
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&bytes));
        serde_json::from_slice(&bytes).unwrap()
    }

    /// `GET /v1/inbox?after=0&wait=0`, only the HTTP status (a removed device is refused).
    pub fn inbox_status(&self, relay: &str) -> u16 {
        self.request(relay, reqwest::Method::GET, "/v1/inbox?after=0&wait=0", Vec::new(), "").0
    }

    /// Opens this device's copy of `signal` from the inbox and returns the receipt key sealed in
    /// it. The office's signature is the school client's to check (its own tests do); here the
    /// device only needs what is inside.
    pub fn receipt_key(&self, relay: &str, signal: SignalId) -> ReceiptKey {
        let inbox = self.inbox(relay);
        let frame = inbox
            .envelopes
            .iter()
            .find_map(|blob| {
                let envelope: Envelope = serde_json::from_slice(&blob.0[4..blob.0.len() - 64]).ok()?;
                (envelope.signal_id == signal).then(|| VerifiedEnvelope { envelope, bytes: blob.0.clone() })
            })
            .expect("the signal waits in this device's inbox");
        frame.open(&self.id, &self.open).expect("the copy opens").receipt_key().clone()
    }

    /// Opens the signal and `POST /v1/receipts` with a freshly signed receipt proving it.
    pub fn acknowledge(&self, relay: &str, signal: SignalId, kind: ReceiptKind) -> ReceiptAccepted {
        let opened = self.receipt_key(relay, signal);
        self.post_receipt(relay, signal, kind, &opened)
    }

    /// `POST /v1/receipts` with a receipt whose proof is made with `opened`.
    pub fn post_receipt(
        &self,
        relay: &str,
        signal: SignalId,
        kind: ReceiptKind,
        opened: &ReceiptKey,
    ) -> ReceiptAccepted {
        let receipt = Receipt::sign(&self.sign, self.id, signal, kind, Utc::now(), opened);
        let (status, bytes) =
            self.request(relay, reqwest::Method::POST, "/v1/receipts", receipt.bytes, "application/octet-stream");
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&bytes));
        serde_json::from_slice(&bytes).unwrap()
    }
}

fn utf16le(text: &str) -> Vec<u8> {
    text.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

/// Every form in which `secrets` could sit in a file: UTF-8 and UTF-16LE.
pub fn needles(secrets: &[&str]) -> Vec<(String, Vec<u8>)> {
    secrets
        .iter()
        .flat_map(|s| [(format!("{s} (UTF-8)"), s.as_bytes().to_vec()), (format!("{s} (UTF-16LE)"), utf16le(s))])
        .collect()
}

/// Reads every file under `dir` (recursively) and panics when one contains a needle.
/// Returns how many files were read.
pub fn assert_absent_under(dir: &Path, secrets: &[&str]) -> usize {
    let needles = needles(secrets);
    let mut files = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(next) = stack.pop() {
        for entry in std::fs::read_dir(&next).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            files += 1;
            let bytes = std::fs::read(&path).unwrap();
            for (label, needle) in &needles {
                assert!(
                    !bytes.windows(needle.len()).any(|w| w == needle.as_slice()),
                    "{} contains {label}",
                    path.display()
                );
            }
        }
    }
    files
}

/// Asserts that a text (program output, an error message) contains none of `secrets`.
pub fn assert_absent_in_text(text: &str, secrets: &[&str]) {
    for secret in secrets {
        assert!(!text.contains(secret), "output contains personal data: {text}");
    }
}

/// A loopback proxy in front of a real relay that forwards everything until the client starts
/// its `allowed + 1`-th request whose bytes contain `marker`; from then on it cuts every
/// connection, as a relay that dies mid-conversation would.
/// It listens before the relay starts, so the relay can be told its address (requests are
/// signed for the address the client uses).
pub struct CuttingProxy {
    pub addr: std::net::SocketAddr,
    listener: std::net::TcpListener,
}

impl CuttingProxy {
    /// Takes a free port; nothing is forwarded before [`CuttingProxy::start`].
    pub fn listen() -> Self {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        Self { addr: listener.local_addr().unwrap(), listener }
    }

    pub fn start(self, target: std::net::SocketAddr, marker: &'static [u8], allowed: usize) -> Self {
        use std::io::{Read, Write};
        use std::net::{Shutdown, TcpStream};
        use std::sync::atomic::{AtomicUsize, Ordering};
        use std::sync::Arc;
        let Self { addr, listener } = self;
        let accepting = listener.try_clone().unwrap();
        let seen = Arc::new(AtomicUsize::new(0));
        std::thread::spawn(move || {
            for client in accepting.incoming().flatten() {
                if seen.load(Ordering::SeqCst) > allowed {
                    continue; // dropped: the connection is cut at once
                }
                let Ok(server) = TcpStream::connect(target) else { continue };
                let (mut from_client, mut to_server) = (client.try_clone().unwrap(), server.try_clone().unwrap());
                let (mut from_server, mut to_client) = (server, client);
                let seen = seen.clone();
                std::thread::spawn(move || {
                    let mut buf = [0u8; 16 * 1024];
                    while let Ok(n) = from_client.read(&mut buf) {
                        let hits = buf[..n].windows(marker.len()).filter(|w| *w == marker).count();
                        if n == 0 || seen.fetch_add(hits, Ordering::SeqCst) + hits > allowed {
                            let _ = from_client.shutdown(Shutdown::Both);
                            let _ = to_server.shutdown(Shutdown::Both);
                            return;
                        }
                        if to_server.write_all(&buf[..n]).is_err() {
                            return;
                        }
                    }
                });
                std::thread::spawn(move || {
                    let _ = std::io::copy(&mut from_server, &mut to_client);
                });
            }
        });
        Self { addr, listener }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}
