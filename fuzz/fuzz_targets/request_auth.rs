//! The relay's request authentication: the four `x-hwc-*` headers as a request brings them,
//! then the signature check over the relay's origin, method, path and body, as the relay does
//! it for an office and for a device. Input: six lines (signer, time, nonce, signature, method, path) and the
//! body. Whatever parses must be refused unless it is really signed; a request this target signs
//! itself with the vectors' office key verifies, and fails as soon as the body or the relay
//! differs.
#![no_main]

use hwc_fuzz::vectors;
use hwc_protocol::{AuthHeaders, OfficeSigningKey, RequestParts};

/// The relay the requests are for.
const RELAY: &str = "https://relay.example.nl";
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let v = vectors();
    let parts: Vec<&[u8]> = data.splitn(7, |b| *b == b'\n').collect();
    let texts: Vec<&str> = parts.iter().take(6).filter_map(|p| std::str::from_utf8(p).ok()).collect();
    let [signer, time, nonce, signature, method, path] = texts[..] else { return };
    let body: &[u8] = parts.get(6).copied().unwrap_or_default();
    let get = |name: &str| match name {
        "x-hwc-signer" => Some(signer),
        "x-hwc-time" => Some(time),
        "x-hwc-nonce" => Some(nonce),
        "x-hwc-signature" => Some(signature),
        _ => None,
    };
    let request = RequestParts { relay: RELAY, method, path_and_query: path, body };
    if let Ok(headers) = AuthHeaders::from_headers(get) {
        let now = headers.time;
        // Random bytes are never a valid signature of the vectors' keys.
        assert!(headers.verify(v.office_public.as_bytes(), &request, now).is_err());
        let device_key = v.devices[0].public.sign_key;
        assert!(headers.verify(&device_key, &request, now).is_err());
    }
    let office = OfficeSigningKey::from_secret_bytes(&v.office_secret);
    let now = v.created_at;
    if let Ok(signed) = AuthHeaders::sign_office(&office, &request, now) {
        assert!(signed.verify(v.office_public.as_bytes(), &request, now).is_ok());
        let mut other = body.to_vec();
        other.push(b'x');
        let changed = RequestParts { body: &other, ..request };
        assert!(signed.verify(v.office_public.as_bytes(), &changed, now).is_err());
        let elsewhere = RequestParts { relay: "https://relay-test.example.nl", ..request };
        assert!(signed.verify(v.office_public.as_bytes(), &elsewhere, now).is_err());
        let pairs = signed.to_pairs();
        let reread = AuthHeaders::from_headers(|n| pairs.iter().find(|(k, _)| *k == n).map(|(_, v)| v.as_str()));
        assert_eq!(reread.ok().as_ref(), Some(&signed), "the headers read back as written");
    }
});
