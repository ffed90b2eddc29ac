//! Checks the published negative vectors in `test-vectors-negative.json`: envelope and receipt
//! frames a conforming receiver must refuse (and a few edge cases it must accept), and request
//! signatures. Every entry is judged by the crate's own receiver and must give the stated
//! result; every rule an entry cites must appear word for word in `docs/protocol.md`. The frames
//! are built by hand here (header, body, Ed25519 over both; HPKE with the spec's `info` and
//! `aad`), not by the crate's sender, so the file also shows how to build them. Run with
//! `HWC_WRITE_VECTORS=1` to regenerate the file after a deliberate change.

use chrono::DateTime;
use ed25519_dalek::Signer as _;
use hpke::{Deserializable, OpModeS, Serializable};
use hwc_protocol::encoding::{b64, unb64, unb64_array};
use hwc_protocol::envelope::HPKE_INFO;
use hwc_protocol::request_auth::{
    canonical_string, RequestParts, HEADER_NONCE, HEADER_SIGNATURE, HEADER_SIGNER, HEADER_TIME,
};

/// The relay the request vectors are signed for.
const RELAY: &str = "https://relay.example.nl";
use hwc_protocol::signed_frame::FrameError;
use hwc_protocol::{
    AuthError, AuthHeaders, BirthdateError, DeviceOpenKey, DevicePublicKeys, DeviceSigningKey, Envelope, EnvelopeError,
    NameError, OfficePublicKey, OfficeSigningKey, OpenError, Receipt, ReceiptError, ReceiptKey, ReceiptKind,
    SealedCopy, Signal, SignalError, SignalId,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::convert::Infallible;

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Vectors {
    description: String,
    office_public_key: String,
    other_office_secret_key: String,
    devices: Vec<DeviceKeys>,
    envelopes: Vec<FrameCase>,
    receipts: Vec<FrameCase>,
    requests: Vec<RequestCase>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct DeviceKeys {
    label: String,
    sign_public_key: String,
    seal_public_key: String,
    device_id: String,
    open_secret_key: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FrameCase {
    id: String,
    rule: String,
    now: i64,
    device_index: usize,
    frame: String,
    error: Option<String>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RequestCase {
    id: String,
    rule: String,
    now: i64,
    public_key: String,
    /// The receiving relay's own origin (a request signed for another relay is refused).
    relay: String,
    method: String,
    path_and_query: String,
    body: String,
    headers: BTreeMap<String, String>,
    signed: String,
    error: Option<String>,
}

/// The rules the vectors cite, as `docs/protocol.md` states them (id, sentence).
const RULES: &[(&str, &str)] = &[
    ("C1", "Base64 is the standard alphabet with `=` padding, canonical, and nothing else: no missing padding, no non-zero unused bits, no whitespace, no `-` or `_`."),
    ("C2", "An id is exactly 32 lowercase hex characters (`0-9a-f`)."),
    ("C3", "A BRIN code is two ASCII digits followed by two characters that are each `A-Z` or `0-9`."),
    ("F1", "A frame longer than its limit is refused; the limit counts every byte, magic and signature included (envelope 32768, receipt 1024)."),
    ("F2", "A frame shorter than 70 bytes is refused."),
    ("F3", "Bytes 0-2 must be the magic of the expected kind: `HWE` for an envelope, `HWR` for a receipt."),
    ("F4", "Byte 3 must be `1` (0x31)."),
    ("F5", "The last 64 bytes must be an Ed25519 signature by the expected signer over all bytes before them."),
    ("J1", "The body has exactly the listed fields: none missing, none unknown, none twice."),
    ("J2", "The fields are in the listed order and there is no whitespace outside strings, also not before or after the object."),
    ("J3", "The body contains no `\\` byte: no escape sequence anywhere, in keys or in values."),
    ("J4", "Each value has the listed type; integers are plain decimal (no fraction, exponent, `+`, leading zero or `-0`) and fit a signed 64-bit integer."),
    ("E1", "`signal_id` and each `device_id` follow C2, `school` follows C3, `enc` is C1 base64 of exactly 32 bytes, `ct` is C1 base64."),
    ("E2", "`expires_at - created_at` is at least 1 and at most 604800 (7 days)."),
    ("E3", "`copies` has 1 to 8 entries."),
    ("E4", "No two copies have the same `device_id`."),
    ("E5", "Each `ct` decodes to exactly 528 bytes."),
    ("E6", "`created_at <= now + 300`: an envelope created more than 300 s ahead of the receiver's clock is refused; exactly 300 s ahead is accepted."),
    ("E7", "`now < expires_at`: at `now == expires_at` the envelope has expired."),
    ("O1", "The envelope must have a copy whose `device_id` is the receiving device's."),
    ("O2", "The copy must open with HPKE under the device's open key, with `info` and the `aad` of this envelope and device."),
    ("S2", "The plaintext is the signal's JSON (J1-J4, fields `name`, `birthdate`, `codeword`, `receipt_key`) followed by spaces (0x20) up to byte 512; nothing precedes the `{` and no other byte pads."),
    ("S3", "`codeword` is exactly `Handle with Care`."),
    ("S4", "`name` passes the name rule N1-N10."),
    ("S5", "`name` is already in the form the name rule produces: NFC, no white space at either end."),
    ("S6", "`birthdate` is `YYYY-MM-DD`: ten ASCII characters, digits with `-` at positions 5 and 8."),
    ("S7", "`birthdate` is a real date of the Gregorian calendar."),
    ("S8", "`birthdate` is not after the sending day (the date in Europe/Amsterdam at `created_at`)."),
    ("S9", "On the sending day the child is at least 2 and at most 20 whole years old."),
    ("S10", "`receipt_key` is C1 base64 of exactly 16 bytes."),
    ("N1", "After trimming, the name is not empty."),
    ("N2", "It has at most 100 characters."),
    ("N3", "It has no control character (General Category Cc)."),
    ("N4", "It has no bidirectional control: U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069."),
    ("N5", "It has no invisible character from the list below."),
    ("N6", "It has no `<` and no `>`."),
    ("N7", "Every character is a letter (Alphabetic), a mark (General Category M), a space U+0020, a full stop U+002E, an apostrophe (U+0027, U+2019, U+02BC) or a hyphen (U+002D, U+2010)."),
    ("N8", "At least one character is a letter."),
    ("N9", "The first character is a letter."),
    ("N10", "No more than 3 marks follow each other."),
    ("R1", "`signal_id` and `device_id` follow C2, `kind` is `handed_over` or `not_our_pupil`, `at` is an integer (J4), `proof` is C1 base64 of exactly 32 bytes."),
    ("R2", "`device_id` is the id of the device whose key signed the frame."),
    ("A1", "All four headers present; none present is `auth.missing`, some but not all is `auth.malformed`."),
    ("A2", "`x-hwc-signer` is `office ` and C1 base64 of a valid Ed25519 public key, or `device ` and a C2 id: lower-case word, one space, nothing else."),
    ("A3", "`x-hwc-time` is decimal digits without sign or leading zero (`0` itself allowed), within a signed 64-bit integer."),
    ("A4", "`x-hwc-nonce` is exactly 32 lowercase hex characters."),
    ("A5", "`x-hwc-signature` is C1 base64 of 64 bytes."),
    ("A6", "`|time - now| <= 300`: 300 s either way is accepted, 301 s is refused."),
    (
        "A7",
        "The signature verifies under the signer's key over the canonical string of the request as received, with the receiving relay's own origin.",
    ),
];

fn rule(id: &str) -> String {
    let (_, sentence) = RULES.iter().find(|(r, _)| *r == id).unwrap_or_else(|| panic!("no rule {id}"));
    format!("{id}: {sentence}")
}

fn fixed(label: &str) -> [u8; 32] {
    Sha256::digest(format!("hwc test vector: {label}")).into()
}

const CREATED: i64 = 1_795_417_200;
const EXPIRES: i64 = 1_795_561_199;

// ---- building frames by hand ----

/// `magic ‖ version ‖ body ‖ Ed25519(seed, magic ‖ version ‖ body)`.
fn frame(header: &[u8; 4], body: &[u8], seed: &[u8; 32]) -> Vec<u8> {
    let mut out = header.to_vec();
    out.extend_from_slice(body);
    let signature = ed25519_dalek::SigningKey::from_bytes(seed).sign(&out).to_bytes();
    out.extend_from_slice(&signature);
    out
}

/// Hands HPKE the 32 bytes of ephemeral randomness of one copy, as the crate does.
struct Fixed32([u8; 32], usize);

impl hpke::rand_core::TryRng for Fixed32 {
    type Error = Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        let mut b = [0u8; 4];
        self.try_fill_bytes(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        let mut b = [0u8; 8];
        self.try_fill_bytes(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        for byte in dst {
            *byte = self.0[self.1 % 32];
            self.1 += 1;
        }
        Ok(())
    }
}
impl hpke::rand_core::TryCryptoRng for Fixed32 {}

struct Device {
    label: &'static str,
    sign_seed: [u8; 32],
    open: DeviceOpenKey,
    public: DevicePublicKeys,
}

fn devices() -> Vec<Device> {
    ["director", "backup"]
        .into_iter()
        .map(|label| {
            let sign_seed = fixed(&format!("{label} sign"));
            let open = DeviceOpenKey::from_secret_bytes(&fixed(&format!("{label} open"))).unwrap();
            let public = DevicePublicKeys::of(&DeviceSigningKey::from_secret_bytes(&sign_seed), &open);
            Device { label, sign_seed, open, public }
        })
        .collect()
}

/// The routing fields of an envelope; copies are sealed to them.
#[derive(Clone)]
struct Header {
    signal_id: SignalId,
    school: &'static str,
    created_at: i64,
    expires_at: i64,
}

impl Header {
    fn standard() -> Self {
        Self {
            signal_id: SignalId::from_bytes(fixed("negative signal id")[..16].try_into().unwrap()),
            school: "12AB",
            created_at: CREATED,
            expires_at: EXPIRES,
        }
    }

    fn at(created_at: i64) -> Self {
        Self { created_at, expires_at: created_at + 86_400, ..Self::standard() }
    }

    fn aad(&self, device: &DevicePublicKeys) -> Vec<u8> {
        let mut aad = b"hwc-envelope-v1".to_vec();
        aad.extend_from_slice(self.signal_id.as_bytes());
        aad.extend_from_slice(self.school.as_bytes());
        aad.extend_from_slice(&self.created_at.to_be_bytes());
        aad.extend_from_slice(&self.expires_at.to_be_bytes());
        aad.extend_from_slice(device.device_id().as_bytes());
        aad
    }

    /// Seals `plaintext` to each device with HPKE and returns the body value.
    fn seal(&self, devices: &[&Device], plaintext: &[u8], label: &str) -> Envelope {
        let copies = devices
            .iter()
            .enumerate()
            .map(|(i, d)| {
                let public =
                    <hpke::kem::X25519HkdfSha256 as hpke::Kem>::PublicKey::from_bytes(&d.public.seal_key).unwrap();
                let (enc, ct) = hpke::single_shot_seal_with_rng::<
                    hpke::aead::ChaCha20Poly1305,
                    hpke::kdf::HkdfSha256,
                    hpke::kem::X25519HkdfSha256,
                >(
                    &OpModeS::Base,
                    &public,
                    HPKE_INFO,
                    plaintext,
                    &self.aad(&d.public),
                    &mut Fixed32(fixed(&format!("{label} ephemeral {i}")), 0),
                )
                .unwrap();
                SealedCopy { device_id: d.public.device_id(), enc: enc.to_bytes().as_slice().try_into().unwrap(), ct }
            })
            .collect();
        Envelope {
            signal_id: self.signal_id,
            school: self.school.parse().unwrap(),
            created_at: self.created_at,
            expires_at: self.expires_at,
            copies,
        }
    }
}

/// The receipt key every plaintext here carries: the first 16 bytes of `fixed("receipt key")`.
fn receipt_key() -> ReceiptKey {
    ReceiptKey::from_bytes(fixed("receipt key")[..16].try_into().unwrap())
}

/// The plaintext of a signal, padded with `filler` to 512 bytes.
fn plaintext(name: &str, birthdate: &str, filler: u8) -> Vec<u8> {
    let key = receipt_key().to_b64();
    let json = format!(
        r#"{{"name":"{name}","birthdate":"{birthdate}","codeword":"Handle with Care","receipt_key":"{}"}}"#,
        *key
    );
    padded(json.as_bytes(), filler)
}

fn padded(json: &[u8], filler: u8) -> Vec<u8> {
    let mut bytes = json.to_vec();
    bytes.resize(512, filler);
    bytes
}

fn json(envelope: &Envelope) -> String {
    serde_json::to_string(envelope).unwrap()
}

/// Adds 2^252 + 27742317777372353535851937790883648493 (the group order L) to the S half of a
/// signature: the same signature for a lax verifier, a refused one for a strict one.
fn s_plus_l(frame: &[u8]) -> Vec<u8> {
    const L: [u8; 32] = [
        0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
    ];
    let mut out = frame.to_vec();
    let s = out.len() - 32;
    let mut carry = 0u16;
    for (i, l) in L.iter().enumerate() {
        let sum = u16::from(out[s + i]) + u16::from(*l) + carry;
        out[s + i] = sum as u8;
        carry = sum >> 8;
    }
    out
}

// ---- the cases ----

struct Builder {
    office: [u8; 32],
    other_office: [u8; 32],
    devices: Vec<Device>,
    envelopes: Vec<FrameCase>,
    receipts: Vec<FrameCase>,
    requests: Vec<RequestCase>,
}

impl Builder {
    fn envelope(&mut self, id: &str, rule_id: &str, now: i64, device_index: usize, frame: &[u8], error: Option<&str>) {
        self.envelopes.push(FrameCase {
            id: id.into(),
            rule: rule(rule_id),
            now,
            device_index,
            frame: b64(frame),
            error: error.map(Into::into),
        });
    }

    /// An envelope whose body is `body`, signed by the office.
    fn body(&mut self, id: &str, rule_id: &str, body: &str, error: &str) {
        let bytes = frame(b"HWE1", body.as_bytes(), &self.office.clone());
        self.envelope(id, rule_id, CREATED + 60, 0, &bytes, Some(error));
    }

    /// A validly sealed and signed envelope whose plaintext is `plain`, opened by the director.
    fn sealed(&mut self, id: &str, rule_id: &str, header: &Header, plain: &[u8], error: Option<&str>) {
        let director = &self.devices[0];
        let body = json(&header.seal(&[director], plain, id));
        let bytes = frame(b"HWE1", body.as_bytes(), &self.office);
        self.envelope(id, rule_id, header.created_at + 60, 0, &bytes, error);
    }

    fn receipt(&mut self, id: &str, rule_id: &str, device_index: usize, frame: &[u8], error: Option<&str>) {
        self.receipts.push(FrameCase {
            id: id.into(),
            rule: rule(rule_id),
            now: CREATED + 3780,
            device_index,
            frame: b64(frame),
            error: error.map(Into::into),
        });
    }

    /// A receipt whose body is `body`, signed by the director.
    fn receipt_body(&mut self, id: &str, rule_id: &str, body: &str, error: &str) {
        let bytes = frame(b"HWR1", body.as_bytes(), &self.devices[0].sign_seed.clone());
        self.receipt(id, rule_id, 0, &bytes, Some(error));
    }
}

fn build_envelopes(b: &mut Builder) {
    let header = Header::standard();
    let name = "Zoë van 't Hooft-Çelik";
    let good_plain = plaintext(name, "2016-03-07", b' ');
    let devs = devices();
    let (director, backup) = (&devs[0], &devs[1]);
    let both = header.seal(&[director, backup], &good_plain, "standard");
    let good_body = json(&both);
    let good = frame(b"HWE1", good_body.as_bytes(), &b.office);
    let only_director = header.seal(&[director], &good_plain, "standard");

    // The frame.
    let mut magic = good.clone();
    magic[..3].copy_from_slice(b"HWX");
    b.envelope("envelope-bad-magic", "F3", CREATED + 60, 0, &magic, Some("frame.wrong_kind"));
    let receipt_magic = frame(b"HWR1", good_body.as_bytes(), &b.office);
    b.envelope("envelope-receipt-magic", "F3", CREATED + 60, 0, &receipt_magic, Some("frame.wrong_kind"));
    let lower = frame(b"hwe1", good_body.as_bytes(), &b.office);
    b.envelope("envelope-lowercase-magic", "F3", CREATED + 60, 0, &lower, Some("frame.wrong_kind"));
    let v2 = frame(b"HWE2", good_body.as_bytes(), &b.office);
    b.envelope("envelope-version-2", "F4", CREATED + 60, 0, &v2, Some("frame.unsupported_version"));
    let v1_binary = frame(b"HWE\x01", good_body.as_bytes(), &b.office);
    b.envelope("envelope-version-byte-0x01", "F4", CREATED + 60, 0, &v1_binary, Some("frame.unsupported_version"));
    b.envelope("envelope-empty", "F2", CREATED + 60, 0, b"", Some("frame.truncated"));
    b.envelope("envelope-truncated-69-bytes", "F2", CREATED + 60, 0, &good[..69], Some("frame.truncated"));
    let mut minimal = b"HWE1{}".to_vec();
    minimal.extend_from_slice(&[0u8; 64]);
    b.envelope("envelope-70-bytes-is-not-truncated", "F5", CREATED + 60, 0, &minimal, Some("frame.bad_signature"));
    b.envelope("envelope-last-byte-cut", "F5", CREATED + 60, 0, &good[..good.len() - 1], Some("frame.bad_signature"));
    let mut extra = good.clone();
    extra.push(0);
    b.envelope("envelope-byte-appended", "F5", CREATED + 60, 0, &extra, Some("frame.bad_signature"));
    let mut flipped = good.clone();
    flipped[40] ^= 1;
    b.envelope("envelope-body-byte-changed", "F5", CREATED + 60, 0, &flipped, Some("frame.bad_signature"));
    let other_body = json(&Header { signal_id: SignalId::from_bytes([7; 16]), ..header.clone() }.seal(
        &[director, backup],
        &good_plain,
        "standard",
    ));
    let other = frame(b"HWE1", other_body.as_bytes(), &b.office);
    let mut swapped = good[..good.len() - 64].to_vec();
    swapped.extend_from_slice(&other[other.len() - 64..]);
    b.envelope("envelope-signature-over-other-bytes", "F5", CREATED + 60, 0, &swapped, Some("frame.bad_signature"));
    let by_other = frame(b"HWE1", good_body.as_bytes(), &b.other_office);
    b.envelope("envelope-signed-by-another-office", "F5", CREATED + 60, 0, &by_other, Some("frame.bad_signature"));
    let by_device = frame(b"HWE1", good_body.as_bytes(), &director.sign_seed);
    b.envelope("envelope-signed-by-a-device", "F5", CREATED + 60, 0, &by_device, Some("frame.bad_signature"));
    b.envelope("envelope-signature-s-plus-l", "F5", CREATED + 60, 0, &s_plus_l(&good), Some("frame.bad_signature"));
    let pad_to = |total: usize| {
        let mut body = good_body.clone().into_bytes();
        body.resize(total - 68, b' ');
        body
    };
    let big = frame(b"HWE1", &pad_to(32_769), &b.office);
    b.envelope("envelope-32769-bytes", "F1", CREATED + 60, 0, &big, Some("frame.too_large"));
    let limit = frame(b"HWE1", &pad_to(32_768), &b.office);
    b.envelope("envelope-32768-bytes-passes-the-size-check", "J2", CREATED + 60, 0, &limit, Some("envelope.malformed"));

    // The body's JSON.
    let with_field = good_body.replacen("\"copies\"", "\"note\":\"x\",\"copies\"", 1);
    b.body("envelope-unknown-field", "J1", &with_field, "envelope.malformed");
    let copy_field = good_body.replacen("\"enc\"", "\"note\":\"x\",\"enc\"", 1);
    b.body("envelope-unknown-field-in-copy", "J1", &copy_field, "envelope.malformed");
    let twice = good_body.replacen("\"school\":\"12AB\"", "\"school\":\"12AB\",\"school\":\"12AB\"", 1);
    b.body("envelope-duplicate-key-same-value", "J1", &twice, "envelope.malformed");
    let twice_other = good_body.replacen("\"school\":\"12AB\"", "\"school\":\"12AB\",\"school\":\"99ZZ\"", 1);
    b.body("envelope-duplicate-key", "J1", &twice_other, "envelope.malformed");
    let missing = good_body.replacen(&format!(",\"expires_at\":{EXPIRES}"), "", 1);
    b.body("envelope-missing-field", "J1", &missing, "envelope.malformed");
    let sorted = serde_json::to_string(&serde_json::to_value(&both).unwrap()).unwrap();
    b.body("envelope-keys-sorted", "J2", &sorted, "envelope.malformed");
    b.body("envelope-pretty-printed", "J2", &serde_json::to_string_pretty(&both).unwrap(), "envelope.malformed");
    b.body("envelope-trailing-newline", "J2", &format!("{good_body}\n"), "envelope.malformed");
    b.body("envelope-leading-space", "J2", &format!(" {good_body}"), "envelope.malformed");
    let spaced = good_body.replacen("\"school\":", "\"school\": ", 1);
    b.body("envelope-space-after-colon", "J2", &spaced, "envelope.malformed");
    let escaped_key = good_body.replacen("\"school\"", "\"sch\\u006fol\"", 1);
    b.body("envelope-escaped-key", "J3", &escaped_key, "envelope.malformed");
    let escaped_value = good_body.replacen("\"12AB\"", "\"\\u0031\\u0032AB\"", 1);
    b.body("envelope-escaped-value", "J3", &escaped_value, "envelope.malformed");
    let slash = good_body.replacen('/', "\\/", 1);
    b.body("envelope-escaped-slash-in-base64", "J3", &slash, "envelope.malformed");
    let created = format!("\"created_at\":{CREATED}");
    b.body(
        "envelope-time-as-float",
        "J4",
        &good_body.replacen(&created, &format!("\"created_at\":{CREATED}.0"), 1),
        "envelope.malformed",
    );
    b.body(
        "envelope-time-with-exponent",
        "J4",
        &good_body.replacen(&created, "\"created_at\":1.7954172e9", 1),
        "envelope.malformed",
    );
    b.body(
        "envelope-time-as-string",
        "J4",
        &good_body.replacen(&created, &format!("\"created_at\":\"{CREATED}\""), 1),
        "envelope.malformed",
    );
    b.body(
        "envelope-time-leading-zero",
        "J4",
        &good_body.replacen(&created, &format!("\"created_at\":0{CREATED}"), 1),
        "envelope.malformed",
    );
    b.body(
        "envelope-time-beyond-i64",
        "J4",
        &good_body.replacen(&created, "\"created_at\":9223372036854775808", 1),
        "envelope.malformed",
    );
    b.body(
        "envelope-copies-not-an-array",
        "J4",
        &good_body.replacen("\"copies\":[", "\"copies\":[[", 1).replacen("}]}", "}]]}", 1),
        "envelope.malformed",
    );

    // Field forms.
    let sid = header.signal_id.to_string();
    b.body(
        "envelope-uppercase-signal-id",
        "E1",
        &good_body.replacen(&sid, &sid.to_uppercase(), 1),
        "envelope.malformed",
    );
    let did = director.public.device_id().to_string();
    b.body(
        "envelope-uppercase-device-id",
        "E1",
        &good_body.replacen(&did, &did.to_uppercase(), 1),
        "envelope.malformed",
    );
    b.body("envelope-short-signal-id", "E1", &good_body.replacen(&sid, &sid[..31], 1), "envelope.malformed");
    b.body("envelope-lowercase-school", "E1", &good_body.replacen("\"12AB\"", "\"12ab\"", 1), "envelope.malformed");
    b.body("envelope-school-letters-first", "E1", &good_body.replacen("\"12AB\"", "\"AB12\"", 1), "envelope.malformed");
    let enc = b64(&both.copies[0].enc);
    b.body(
        "envelope-enc-without-padding",
        "C1",
        &good_body.replacen(&enc, enc.trim_end_matches('='), 1),
        "envelope.malformed",
    );
    let mut loose = enc.clone().into_bytes();
    // 32 bytes leave 2 unused bits in the last character before `=`; set one.
    let last = loose.len() - 2;
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let index = alphabet.iter().position(|c| *c == loose[last]).unwrap();
    loose[last] = alphabet[index ^ 1];
    let loose = String::from_utf8(loose).unwrap();
    assert_eq!(unb64(&loose), None, "{loose} must be non-canonical");
    b.body("envelope-enc-non-zero-unused-bits", "C1", &good_body.replacen(&enc, &loose, 1), "envelope.malformed");
    let ct = b64(&both.copies[0].ct);
    let url_safe = ct.replace('+', "-").replace('/', "_");
    assert_ne!(url_safe, ct);
    b.body("envelope-ct-url-safe-alphabet", "C1", &good_body.replacen(&ct, &url_safe, 1), "envelope.malformed");
    let spaced_ct = format!("{} {}", &ct[..76], &ct[76..]);
    b.body("envelope-ct-with-space", "C1", &good_body.replacen(&ct, &spaced_ct, 1), "envelope.malformed");
    let short_enc = b64(&both.copies[0].enc[..31]);
    b.body("envelope-enc-31-bytes", "E1", &good_body.replacen(&enc, &short_enc, 1), "envelope.malformed");
    let short_ct = b64(&both.copies[0].ct[..527]);
    b.body("envelope-ct-527-bytes", "E5", &good_body.replacen(&ct, &short_ct, 1), "envelope.malformed");

    // Lifetime, copies, times.
    let zero = Header { expires_at: CREATED, ..header.clone() }.seal(&[director], &good_plain, "standard");
    b.body("envelope-expires-at-creation", "E2", &json(&zero), "envelope.bad_lifetime");
    let long = Header { expires_at: CREATED + 604_801, ..header.clone() }.seal(&[director], &good_plain, "standard");
    b.body("envelope-lifetime-7-days-plus-1-s", "E2", &json(&long), "envelope.bad_lifetime");
    let week = Header { expires_at: CREATED + 604_800, ..header.clone() }.seal(&[director], &good_plain, "standard");
    let week = frame(b"HWE1", json(&week).as_bytes(), &b.office);
    b.envelope("envelope-lifetime-exactly-7-days", "E2", CREATED + 60, 0, &week, None);
    let mut none = only_director.clone();
    none.copies.clear();
    b.body("envelope-no-copies", "E3", &json(&none), "envelope.copy_count");
    let mut nine = only_director.clone();
    nine.copies = vec![only_director.copies[0].clone(); 9];
    b.body("envelope-nine-copies", "E3", &json(&nine), "envelope.copy_count");
    let mut doubled = only_director.clone();
    doubled.copies.push(only_director.copies[0].clone());
    b.body("envelope-same-device-twice", "E4", &json(&doubled), "envelope.duplicate_device");
    b.envelope("envelope-created-301-s-ahead", "E6", CREATED - 301, 0, &good, Some("envelope.from_the_future"));
    b.envelope("envelope-created-300-s-ahead", "E6", CREATED - 300, 0, &good, None);
    b.envelope("envelope-now-is-expires-at", "E7", EXPIRES, 0, &good, Some("envelope.expired"));
    b.envelope("envelope-1-s-before-expiry", "E7", EXPIRES - 1, 1, &good, None);

    // Opening.
    let for_director = frame(b"HWE1", json(&only_director).as_bytes(), &b.office);
    b.envelope(
        "envelope-no-copy-for-this-device",
        "O1",
        CREATED + 60,
        1,
        &for_director,
        Some("open.not_for_this_device"),
    );
    let moved = Envelope { signal_id: SignalId::from_bytes([7; 16]), ..only_director.clone() };
    let moved = frame(b"HWE1", json(&moved).as_bytes(), &b.office);
    b.envelope("envelope-copy-moved-to-another-signal-id", "O2", CREATED + 60, 0, &moved, Some("open.decrypt"));
    let later = Envelope { expires_at: EXPIRES + 1, ..only_director.clone() };
    let later = frame(b"HWE1", json(&later).as_bytes(), &b.office);
    b.envelope("envelope-copy-with-changed-expiry", "O2", CREATED + 60, 0, &later, Some("open.decrypt"));
    let mut relabelled = both.clone();
    relabelled.copies.swap(0, 1);
    let (first, second) = (relabelled.copies[0].device_id, relabelled.copies[1].device_id);
    relabelled.copies[0].device_id = second;
    relabelled.copies[1].device_id = first;
    let relabelled = frame(b"HWE1", json(&relabelled).as_bytes(), &b.office);
    b.envelope("envelope-copies-swapped-between-devices", "O2", CREATED + 60, 0, &relabelled, Some("open.decrypt"));
    let mut wrong_info = only_director.clone();
    {
        let public =
            <hpke::kem::X25519HkdfSha256 as hpke::Kem>::PublicKey::from_bytes(&director.public.seal_key).unwrap();
        let (enc, ct) = hpke::single_shot_seal_with_rng::<
            hpke::aead::ChaCha20Poly1305,
            hpke::kdf::HkdfSha256,
            hpke::kem::X25519HkdfSha256,
        >(
            &OpModeS::Base,
            &public,
            b"hwc signal v2",
            &good_plain,
            &header.aad(&director.public),
            &mut Fixed32(fixed("wrong info"), 0),
        )
        .unwrap();
        wrong_info.copies[0] = SealedCopy {
            device_id: director.public.device_id(),
            enc: enc.to_bytes().as_slice().try_into().unwrap(),
            ct,
        };
    }
    let wrong_info = frame(b"HWE1", json(&wrong_info).as_bytes(), &b.office);
    b.envelope("envelope-sealed-with-another-info", "O2", CREATED + 60, 0, &wrong_info, Some("open.decrypt"));
}

fn build_plaintexts(b: &mut Builder) {
    let h = Header::standard();
    let key = receipt_key().to_b64();
    let key = key.as_str();
    let json = &format!(
        r#"{{"name":"Sem de Vries","birthdate":"2016-03-07","codeword":"Handle with Care","receipt_key":"{key}"}}"#
    );
    b.sealed("plaintext-valid", "S2", &h, &padded(json.as_bytes(), b' '), None);
    b.sealed("plaintext-padded-with-tabs", "S2", &h, &padded(json.as_bytes(), b'\t'), Some("signal.malformed"));
    b.sealed("plaintext-padded-with-newlines", "S2", &h, &padded(json.as_bytes(), b'\n'), Some("signal.malformed"));
    b.sealed("plaintext-padded-with-zero-bytes", "S2", &h, &padded(json.as_bytes(), 0), Some("signal.malformed"));
    let mut last_tab = padded(json.as_bytes(), b' ');
    last_tab[511] = b'\t';
    b.sealed("plaintext-last-padding-byte-a-tab", "S2", &h, &last_tab, Some("signal.malformed"));
    b.sealed(
        "plaintext-leading-space",
        "S2",
        &h,
        &padded(format!(" {json}").as_bytes(), b' '),
        Some("signal.malformed"),
    );
    let inner = json.replacen("\"name\":", "\"name\": ", 1);
    b.sealed("plaintext-space-inside-json", "S2", &h, &padded(inner.as_bytes(), b' '), Some("signal.malformed"));
    let reordered = format!(
        r#"{{"birthdate":"2016-03-07","name":"Sem de Vries","codeword":"Handle with Care","receipt_key":"{key}"}}"#
    );
    b.sealed("plaintext-keys-reordered", "S2", &h, &padded(reordered.as_bytes(), b' '), Some("signal.malformed"));
    let extra = json.replacen('}', r#","note":"x"}"#, 1);
    b.sealed("plaintext-unknown-field", "S2", &h, &padded(extra.as_bytes(), b' '), Some("signal.malformed"));
    let twice = json.replacen("{", r#"{"name":"Sem de Vries","#, 1);
    b.sealed("plaintext-name-twice", "S2", &h, &padded(twice.as_bytes(), b' '), Some("signal.malformed"));
    let escaped = json.replacen("Sem", "S\\u0065m", 1);
    b.sealed("plaintext-escape-in-name", "S2", &h, &padded(escaped.as_bytes(), b' '), Some("signal.malformed"));
    let no_codeword = format!(r#"{{"name":"Sem de Vries","birthdate":"2016-03-07","receipt_key":"{key}"}}"#);
    b.sealed("plaintext-no-codeword", "S2", &h, &padded(no_codeword.as_bytes(), b' '), Some("signal.malformed"));
    let no_key = json.replacen(&format!(r#","receipt_key":"{key}""#), "", 1);
    b.sealed("plaintext-no-receipt-key", "S2", &h, &padded(no_key.as_bytes(), b' '), Some("signal.malformed"));
    let short_key = hwc_protocol::encoding::b64(&fixed("receipt key")[..15]);
    for (id, rule_id, other) in [
        ("plaintext-receipt-key-15-bytes", "S10", short_key.as_str()),
        ("plaintext-receipt-key-without-padding", "C1", key.trim_end_matches('=')),
        ("plaintext-receipt-key-empty", "S10", ""),
    ] {
        let text = json.replacen(key, other, 1);
        b.sealed(id, rule_id, &h, &padded(text.as_bytes(), b' '), Some("signal.malformed"));
    }
    for (id, codeword) in [
        ("plaintext-codeword-lowercase-c", "Handle with care"),
        ("plaintext-codeword-trailing-space", "Handle with Care "),
        ("plaintext-codeword-dutch", "Met zorg behandelen"),
    ] {
        let text = json.replacen("Handle with Care", codeword, 1);
        b.sealed(id, "S3", &h, &padded(text.as_bytes(), b' '), Some("signal.wrong_codeword"));
    }
    let names: &[(&str, &str, String, &str)] = &[
        ("plaintext-name-empty", "N1", String::new(), "name.empty"),
        ("plaintext-name-only-spaces", "N1", "   ".into(), "name.empty"),
        ("plaintext-name-101-characters", "N2", "a".repeat(101), "name.too_long"),
        ("plaintext-name-delete-character", "N3", "Sem\u{7f}Vries".into(), "name.control_character"),
        ("plaintext-name-c1-control", "N3", "Sem\u{85}Vries".into(), "name.control_character"),
        ("plaintext-name-right-to-left-override", "N4", "Sem\u{202E}seirV".into(), "name.bidi_control"),
        ("plaintext-name-isolate", "N4", "Sem \u{2066}de Vries\u{2069}".into(), "name.bidi_control"),
        ("plaintext-name-zero-width-space", "N5", "Sem\u{200B}Vries".into(), "name.invisible"),
        ("plaintext-name-soft-hyphen", "N5", "Sem\u{AD}Vries".into(), "name.invisible"),
        ("plaintext-name-markup", "N6", "<b>Sem</b>".into(), "name.markup"),
        ("plaintext-name-digit", "N7", "Sem 2".into(), "name.not_allowed"),
        ("plaintext-name-no-break-space-inside", "N7", "Sem\u{A0}de Vries".into(), "name.not_allowed"),
        ("plaintext-name-semicolon", "N7", "Sem; de Vries".into(), "name.not_allowed"),
        ("plaintext-name-underscore", "N7", "Sem_Vries".into(), "name.not_allowed"),
        ("plaintext-name-no-letters", "N8", "'.-".into(), "name.no_letters"),
        ("plaintext-name-starts-with-hyphen", "N9", "-Sem".into(), "name.must_start_with_letter"),
        ("plaintext-name-starts-with-mark", "N9", "\u{301}Sem".into(), "name.must_start_with_letter"),
        ("plaintext-name-four-marks", "N10", "Sa\u{334}\u{335}\u{336}\u{337}m".into(), "name.stacked_marks"),
        ("plaintext-name-trailing-space", "S5", "Sem de Vries ".into(), "signal.malformed"),
        ("plaintext-name-leading-no-break-space", "S5", "\u{A0}Sem".into(), "signal.malformed"),
        ("plaintext-name-not-nfc", "S5", "Zoe\u{308} de Vries".into(), "signal.malformed"),
    ];
    for (id, rule_id, name, error) in names {
        b.sealed(id, rule_id, &h, &plaintext(name, "2016-03-07", b' '), Some(*error));
    }
    let accepted: &[(&str, String)] = &[
        ("plaintext-name-100-characters", "ẞ".repeat(100)),
        ("plaintext-name-three-marks", "Sa\u{334}\u{335}\u{336}m".into()),
        ("plaintext-name-all-apostrophes-and-hyphens", "O'Neill-Ba\u{2019}ker\u{2010}Da\u{2BC}a Jr.".into()),
        ("plaintext-name-other-scripts", "李小龍 Дмитрий محمد".into()),
    ];
    for (id, name) in accepted {
        let rule_id = if id.contains("100") {
            "N2"
        } else if id.contains("marks") {
            "N10"
        } else {
            "N7"
        };
        b.sealed(id, rule_id, &h, &plaintext(name, "2016-03-07", b' '), None);
    }
    let dates: &[(&str, &str, &str, &str)] = &[
        ("plaintext-birthdate-dutch-order", "S6", "07-03-2016", "signal.malformed"),
        ("plaintext-birthdate-one-digit-month", "S6", "2016-3-07", "signal.malformed"),
        ("plaintext-birthdate-with-time", "S6", "2016-03-07T00:00", "signal.malformed"),
        ("plaintext-birthdate-dutch-order-in-future", "S6", "07-03-2030", "signal.malformed"),
        ("plaintext-birthdate-february-30", "S7", "2016-02-30", "birthdate.not_a_date"),
        ("plaintext-birthdate-month-13", "S7", "2016-13-01", "birthdate.not_a_date"),
        ("plaintext-birthdate-february-29-no-leap-year", "S7", "2015-02-29", "birthdate.not_a_date"),
        ("plaintext-birthdate-tomorrow", "S8", "2026-11-24", "birthdate.in_future"),
        ("plaintext-birthdate-today", "S9", "2026-11-23", "birthdate.age_out_of_range"),
        ("plaintext-birthdate-turns-2-tomorrow", "S9", "2024-11-24", "birthdate.age_out_of_range"),
        ("plaintext-birthdate-turns-21-today", "S9", "2005-11-23", "birthdate.age_out_of_range"),
    ];
    for (id, rule_id, date, error) in dates {
        b.sealed(id, rule_id, &h, &plaintext("Sem de Vries", date, b' '), Some(*error));
    }
    b.sealed("plaintext-birthdate-turns-2-today", "S9", &h, &plaintext("Sem de Vries", "2024-11-23", b' '), None);
    b.sealed("plaintext-birthdate-21-tomorrow", "S9", &h, &plaintext("Sem de Vries", "2005-11-24", b' '), None);
    // 23:30 UTC on 23 November is 00:30 on 24 November in Amsterdam: the sending day is the 24th.
    let dutch_midnight = Header::at(1_795_476_600);
    b.sealed(
        "plaintext-sending-day-is-dutch-date",
        "S8",
        &dutch_midnight,
        &plaintext("Sem de Vries", "2024-11-24", b' '),
        None,
    );
    let before_midnight = Header::at(1_795_476_600 - 3600);
    b.sealed(
        "plaintext-sending-day-before-dutch-midnight",
        "S9",
        &before_midnight,
        &plaintext("Sem de Vries", "2024-11-24", b' '),
        Some("birthdate.age_out_of_range"),
    );
    // Born on 29 February: in a year without one, a year older on 1 March.
    let feb_28 = Header::at(1_772_276_400);
    b.sealed(
        "plaintext-leap-day-birthday-on-28-february",
        "S9",
        &feb_28,
        &plaintext("Sem de Vries", "2024-02-29", b' '),
        Some("birthdate.age_out_of_range"),
    );
    let march_1 = Header::at(1_772_362_800);
    b.sealed(
        "plaintext-leap-day-birthday-on-1-march",
        "S9",
        &march_1,
        &plaintext("Sem de Vries", "2024-02-29", b' '),
        None,
    );
}

fn build_receipts(b: &mut Builder) {
    let devs = devices();
    let director = &devs[0];
    let signal_id = Header::standard().signal_id;
    let did = director.public.device_id().to_string();
    let sid = signal_id.to_string();
    let at = CREATED + 3720;
    let proof = b64(&receipt_key().prove(&signal_id, &director.public.device_id(), ReceiptKind::HandedOver, at));
    let body =
        format!(r#"{{"signal_id":"{sid}","device_id":"{did}","kind":"handed_over","at":{at},"proof":"{proof}"}}"#);
    let seed = director.sign_seed;
    let good = frame(b"HWR1", body.as_bytes(), &seed);
    b.receipt("receipt-valid", "R1", 0, &good, None);
    let pupil = body.replacen("handed_over", "not_our_pupil", 1);
    b.receipt("receipt-valid-not-our-pupil", "R1", 0, &frame(b"HWR1", pupil.as_bytes(), &seed), None);
    let mut magic = good.clone();
    magic[..3].copy_from_slice(b"HWE");
    b.receipt("receipt-envelope-magic", "F3", 0, &magic, Some("frame.wrong_kind"));
    b.receipt("receipt-version-2", "F4", 0, &frame(b"HWR2", body.as_bytes(), &seed), Some("frame.unsupported_version"));
    b.receipt("receipt-truncated-69-bytes", "F2", 0, &good[..69], Some("frame.truncated"));
    b.receipt("receipt-last-byte-cut", "F5", 0, &good[..good.len() - 1], Some("frame.bad_signature"));
    let pad_to = |total: usize| {
        let mut padded = body.clone().into_bytes();
        padded.resize(total - 68, b' ');
        padded
    };
    b.receipt("receipt-1025-bytes", "F1", 0, &frame(b"HWR1", &pad_to(1025), &seed), Some("frame.too_large"));
    b.receipt(
        "receipt-1024-bytes-passes-the-size-check",
        "J2",
        0,
        &frame(b"HWR1", &pad_to(1024), &seed),
        Some("receipt.malformed"),
    );
    let backup_seed = devs[1].sign_seed;
    b.receipt(
        "receipt-signed-by-another-device",
        "F5",
        0,
        &frame(b"HWR1", body.as_bytes(), &backup_seed),
        Some("frame.bad_signature"),
    );
    let other = frame(b"HWR1", pupil.as_bytes(), &seed);
    let mut swapped = good[..good.len() - 64].to_vec();
    swapped.extend_from_slice(&other[other.len() - 64..]);
    b.receipt("receipt-signature-over-other-bytes", "F5", 0, &swapped, Some("frame.bad_signature"));
    b.receipt("receipt-signature-s-plus-l", "F5", 0, &s_plus_l(&good), Some("frame.bad_signature"));
    let cases: Vec<(&str, &str, String)> = vec![
        ("receipt-unknown-field", "J1", body.replacen('}', r#","note":"x"}"#, 1)),
        ("receipt-name-field", "J1", body.replacen('}', r#","name":"Sem de Vries"}"#, 1)),
        (
            "receipt-duplicate-key",
            "J1",
            body.replacen("\"kind\":\"handed_over\"", "\"kind\":\"handed_over\",\"kind\":\"not_our_pupil\"", 1),
        ),
        ("receipt-missing-at", "J1", body.replacen(&format!(",\"at\":{at}"), "", 1)),
        (
            "receipt-keys-reordered",
            "J2",
            format!(r#"{{"device_id":"{did}","signal_id":"{sid}","kind":"handed_over","at":{at},"proof":"{proof}"}}"#),
        ),
        ("receipt-trailing-space", "J2", format!("{body} ")),
        ("receipt-escaped-key", "J3", body.replacen("\"kind\"", "\"k\\u0069nd\"", 1)),
        ("receipt-escaped-kind", "J3", body.replacen("handed_over", "handed\\u005fover", 1)),
        ("receipt-at-as-float", "J4", body.replacen(&format!("{at},"), &format!("{at}.0,"), 1)),
        ("receipt-at-beyond-i64", "J4", body.replacen(&format!("{at},"), "9223372036854775808,", 1)),
        ("receipt-at-negative-zero", "J4", body.replacen(&format!("{at},"), "-0,", 1)),
        ("receipt-uppercase-signal-id", "R1", body.replacen(&sid, &sid.to_uppercase(), 1)),
        ("receipt-uppercase-device-id", "R1", body.replacen(&did, &did.to_uppercase(), 1)),
        ("receipt-kind-uppercase", "R1", body.replacen("handed_over", "HANDED_OVER", 1)),
        ("receipt-kind-unknown", "R1", body.replacen("handed_over", "read", 1)),
        ("receipt-missing-proof", "J1", body.replacen(&format!(r#","proof":"{proof}""#), "", 1)),
        ("receipt-proof-31-bytes", "R1", body.replacen(&proof, &b64(&fixed("proof")[..31]), 1)),
        ("receipt-proof-without-padding", "C1", body.replacen(&proof, proof.trim_end_matches('='), 1)),
    ];
    for (id, rule_id, text) in cases {
        b.receipt_body(id, rule_id, &text, "receipt.malformed");
    }
    let backup_id = devs[1].public.device_id().to_string();
    let lying = body.replacen(&did, &backup_id, 1);
    b.receipt(
        "receipt-names-another-device",
        "R2",
        0,
        &frame(b"HWR1", lying.as_bytes(), &seed),
        Some("receipt.wrong_device"),
    );
    b.receipt("receipt-judged-with-another-device", "F5", 1, &good, Some("frame.bad_signature"));
}

fn build_requests(b: &mut Builder) {
    let office = OfficeSigningKey::from_secret_bytes(&b.office);
    let devs = devices();
    let director = &devs[0];
    let device_key = DeviceSigningKey::from_secret_bytes(&director.sign_seed);
    let device_id = director.public.device_id();
    let time = CREATED;
    let nonce = |label: &str| -> [u8; 16] { fixed(label)[..16].try_into().unwrap() };
    let signal_id = Header::standard().signal_id;
    let at = CREATED + 3720;
    let proof = b64(&receipt_key().prove(&signal_id, &device_id, ReceiptKind::HandedOver, at));
    let receipt_body = format!(
        r#"{{"signal_id":"{signal_id}","device_id":"{device_id}","kind":"handed_over","at":{at},"proof":"{proof}"}}"#
    );
    let receipt = frame(b"HWR1", receipt_body.as_bytes(), &director.sign_seed);

    struct Signed {
        public_key: String,
        method: &'static str,
        path: &'static str,
        body: Vec<u8>,
        headers: BTreeMap<String, String>,
        signed: String,
    }
    let office_get = {
        let request = RequestParts { relay: RELAY, method: "GET", path_and_query: "/v1/receipts?after=3", body: b"" };
        let h = AuthHeaders::sign_office_with_nonce(&office, &request, time, nonce("request nonce 0"));
        Signed {
            public_key: b64(office.public().as_bytes()),
            method: "GET",
            path: "/v1/receipts?after=3",
            body: Vec::new(),
            signed: String::from_utf8(canonical_string(&request, &h.signer, time, &h.nonce)).unwrap(),
            headers: h.to_pairs().into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
        }
    };
    let device_post = {
        let request = RequestParts { relay: RELAY, method: "POST", path_and_query: "/v1/receipts", body: &receipt };
        let h = AuthHeaders::sign_device_with_nonce(&device_key, device_id, &request, time, nonce("request nonce 1"));
        Signed {
            public_key: b64(&director.public.sign_key),
            method: "POST",
            path: "/v1/receipts",
            body: receipt.clone(),
            signed: String::from_utf8(canonical_string(&request, &h.signer, time, &h.nonce)).unwrap(),
            headers: h.to_pairs().into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
        }
    };
    let mut push = |id: &str, rule_id: &str, s: &Signed, change: &dyn Fn(&mut RequestCase), error: Option<&str>| {
        let relay = RELAY.to_string();
        let mut case = RequestCase {
            id: id.into(),
            rule: rule(rule_id),
            now: time,
            public_key: s.public_key.clone(),
            relay,
            method: s.method.into(),
            path_and_query: s.path.into(),
            body: b64(&s.body),
            headers: s.headers.clone(),
            signed: s.signed.clone(),
            error: error.map(Into::into),
        };
        change(&mut case);
        b.requests.push(case);
    };
    let same = |_: &mut RequestCase| {};
    push("request-office-get", "A7", &office_get, &same, None);
    push("request-device-post", "A7", &device_post, &same, None);
    push("request-300-s-after-signing", "A6", &device_post, &|c| c.now += 300, None);
    push("request-300-s-before-signing", "A6", &device_post, &|c| c.now -= 300, None);
    push("request-method-received-in-lower-case", "A7", &device_post, &|c| c.method = "post".into(), None);
    push("request-301-s-after-signing", "A6", &device_post, &|c| c.now += 301, Some("auth.stale"));
    push("request-301-s-before-signing", "A6", &device_post, &|c| c.now -= 301, Some("auth.stale"));
    push("request-changed-method", "A7", &device_post, &|c| c.method = "PUT".into(), Some("auth.bad_signature"));
    push(
        "request-received-by-another-relay",
        "A7",
        &device_post,
        &|c| c.relay = "https://relay-test.example.nl".into(),
        Some("auth.bad_signature"),
    );
    push(
        "request-received-by-the-same-host-on-another-port",
        "A7",
        &office_get,
        &|c| c.relay = "https://relay.example.nl:8443".into(),
        Some("auth.bad_signature"),
    );
    push(
        "request-changed-path",
        "A7",
        &device_post,
        &|c| c.path_and_query = "/v1/signals".into(),
        Some("auth.bad_signature"),
    );
    push(
        "request-changed-query",
        "A7",
        &office_get,
        &|c| c.path_and_query = "/v1/receipts?after=4".into(),
        Some("auth.bad_signature"),
    );
    push(
        "request-query-dropped",
        "A7",
        &office_get,
        &|c| c.path_and_query = "/v1/receipts".into(),
        Some("auth.bad_signature"),
    );
    push(
        "request-changed-body",
        "A7",
        &device_post,
        &|c| {
            let mut body = unb64(&c.body).unwrap();
            body[10] ^= 1;
            c.body = b64(&body);
        },
        Some("auth.bad_signature"),
    );
    push("request-body-added", "A7", &office_get, &|c| c.body = b64(b"{}"), Some("auth.bad_signature"));
    push(
        "request-changed-time",
        "A7",
        &device_post,
        &|c| {
            c.headers.insert(HEADER_TIME.into(), (time + 1).to_string());
        },
        Some("auth.bad_signature"),
    );
    push(
        "request-changed-nonce",
        "A7",
        &device_post,
        &|c| {
            let mut nonce = c.headers[HEADER_NONCE].clone().into_bytes();
            nonce[0] = if nonce[0] == b'0' { b'1' } else { b'0' };
            c.headers.insert(HEADER_NONCE.into(), String::from_utf8(nonce).unwrap());
        },
        Some("auth.bad_signature"),
    );
    let other_office = OfficeSigningKey::from_secret_bytes(&b.other_office).public();
    push(
        "request-signer-changed-to-another-office",
        "A7",
        &office_get,
        &|c| {
            c.headers.insert(HEADER_SIGNER.into(), format!("office {other_office}"));
            c.public_key = b64(other_office.as_bytes());
        },
        Some("auth.bad_signature"),
    );
    push(
        "request-verified-with-another-key",
        "A7",
        &office_get,
        &|c| c.public_key = b64(other_office.as_bytes()),
        Some("auth.bad_signature"),
    );
    push("request-no-headers", "A1", &office_get, &|c| c.headers.clear(), Some("auth.missing"));
    push(
        "request-no-nonce",
        "A1",
        &office_get,
        &|c| {
            c.headers.remove(HEADER_NONCE);
        },
        Some("auth.malformed"),
    );
    push(
        "request-signer-two-spaces",
        "A2",
        &office_get,
        &|c| {
            let v = c.headers[HEADER_SIGNER].replacen(' ', "  ", 1);
            c.headers.insert(HEADER_SIGNER.into(), v);
        },
        Some("auth.malformed"),
    );
    push(
        "request-signer-capitalised",
        "A2",
        &office_get,
        &|c| {
            let v = c.headers[HEADER_SIGNER].replacen("office", "Office", 1);
            c.headers.insert(HEADER_SIGNER.into(), v);
        },
        Some("auth.malformed"),
    );
    push(
        "request-signer-uppercase-device-id",
        "A2",
        &device_post,
        &|c| {
            let v = c.headers[HEADER_SIGNER].to_uppercase().replacen("DEVICE", "device", 1);
            c.headers.insert(HEADER_SIGNER.into(), v);
        },
        Some("auth.malformed"),
    );
    push(
        "request-signer-key-without-padding",
        "A2",
        &office_get,
        &|c| {
            let v = c.headers[HEADER_SIGNER].trim_end_matches('=').to_string();
            c.headers.insert(HEADER_SIGNER.into(), v);
        },
        Some("auth.malformed"),
    );
    push(
        "request-time-with-plus",
        "A3",
        &device_post,
        &|c| {
            c.headers.insert(HEADER_TIME.into(), format!("+{time}"));
        },
        Some("auth.malformed"),
    );
    push(
        "request-time-leading-zero",
        "A3",
        &device_post,
        &|c| {
            c.headers.insert(HEADER_TIME.into(), format!("0{time}"));
        },
        Some("auth.malformed"),
    );
    push(
        "request-time-with-fraction",
        "A3",
        &device_post,
        &|c| {
            c.headers.insert(HEADER_TIME.into(), format!("{time}.0"));
        },
        Some("auth.malformed"),
    );
    push(
        "request-nonce-uppercase",
        "A4",
        &device_post,
        &|c| {
            let v = c.headers[HEADER_NONCE].to_uppercase();
            c.headers.insert(HEADER_NONCE.into(), v);
        },
        Some("auth.malformed"),
    );
    push(
        "request-nonce-short",
        "A4",
        &device_post,
        &|c| {
            let v = c.headers[HEADER_NONCE][..30].to_string();
            c.headers.insert(HEADER_NONCE.into(), v);
        },
        Some("auth.malformed"),
    );
    push(
        "request-signature-without-padding",
        "A5",
        &device_post,
        &|c| {
            let v = c.headers[HEADER_SIGNATURE].trim_end_matches('=').to_string();
            c.headers.insert(HEADER_SIGNATURE.into(), v);
        },
        Some("auth.malformed"),
    );
    push(
        "request-signature-url-safe",
        "A5",
        &device_post,
        &|c| {
            let v = c.headers[HEADER_SIGNATURE].replace('+', "-").replace('/', "_");
            c.headers.insert(HEADER_SIGNATURE.into(), v);
        },
        Some("auth.malformed"),
    );
}

fn build() -> Vectors {
    let devices = devices();
    let mut b = Builder {
        office: fixed("office"),
        other_office: fixed("other office"),
        devices,
        envelopes: Vec::new(),
        receipts: Vec::new(),
        requests: Vec::new(),
    };
    build_envelopes(&mut b);
    build_plaintexts(&mut b);
    build_receipts(&mut b);
    build_requests(&mut b);
    Vectors {
        description: "Handle with Care protocol v1 negative test vectors: what a conforming receiver refuses, with the error, and the edge cases it accepts (error null). Keys are SHA-256 of 'hwc test vector: <label>' as in test-vectors.json; byte strings are standard base64. See 'Test vectors' in docs/protocol.md.".into(),
        office_public_key: OfficeSigningKey::from_secret_bytes(&b.office).public().to_string(),
        other_office_secret_key: b64(&b.other_office),
        devices: b
            .devices
            .iter()
            .map(|d| DeviceKeys {
                label: d.label.into(),
                sign_public_key: b64(&d.public.sign_key),
                seal_public_key: b64(&d.public.seal_key),
                device_id: d.public.device_id().to_string(),
                open_secret_key: b64(&*d.open.secret_bytes()),
            })
            .collect(),
        envelopes: b.envelopes,
        receipts: b.receipts,
        requests: b.requests,
    }
}

// ---- judging ----

fn frame_code(e: &FrameError) -> &'static str {
    match e {
        FrameError::Truncated => "frame.truncated",
        FrameError::TooLarge => "frame.too_large",
        FrameError::WrongKind(_) => "frame.wrong_kind",
        FrameError::UnsupportedVersion => "frame.unsupported_version",
        FrameError::BadSignature => "frame.bad_signature",
    }
}

fn name_code(e: &NameError) -> &'static str {
    match e {
        NameError::Empty => "name.empty",
        NameError::TooLong => "name.too_long",
        NameError::ControlCharacter { .. } => "name.control_character",
        NameError::BidiControl { .. } => "name.bidi_control",
        NameError::Invisible { .. } => "name.invisible",
        NameError::Markup => "name.markup",
        NameError::NotAllowed { .. } => "name.not_allowed",
        NameError::NoLetters => "name.no_letters",
        NameError::MustStartWithLetter => "name.must_start_with_letter",
        NameError::StackedMarks { .. } => "name.stacked_marks",
    }
}

fn envelope_code(e: &EnvelopeError) -> String {
    match e {
        EnvelopeError::Frame(f) => frame_code(f).into(),
        EnvelopeError::Malformed => "envelope.malformed".into(),
        EnvelopeError::CopyCount => "envelope.copy_count".into(),
        EnvelopeError::DuplicateDevice => "envelope.duplicate_device".into(),
        EnvelopeError::BadLifetime => "envelope.bad_lifetime".into(),
        EnvelopeError::Expired => "envelope.expired".into(),
        EnvelopeError::FromTheFuture => "envelope.from_the_future".into(),
        other => format!("unexpected: {other}"),
    }
}

fn open_code(e: &OpenError) -> String {
    match e {
        OpenError::NotForThisDevice => "open.not_for_this_device".into(),
        OpenError::Decrypt => "open.decrypt".into(),
        OpenError::Invalid(SignalError::Malformed) => "signal.malformed".into(),
        OpenError::Invalid(SignalError::WrongCodeword) => "signal.wrong_codeword".into(),
        OpenError::Invalid(SignalError::Name(n)) => name_code(n).into(),
        OpenError::Invalid(SignalError::Birthdate(b)) => match b {
            BirthdateError::Unreadable => "birthdate.unreadable".into(),
            BirthdateError::NotADate => "birthdate.not_a_date".into(),
            BirthdateError::InFuture => "birthdate.in_future".into(),
            BirthdateError::AgeOutOfRange => "birthdate.age_out_of_range".into(),
        },
        // Only making a signal draws randomness; opening one never does.
        OpenError::Invalid(SignalError::Key(_)) => "signal.no_randomness".into(),
    }
}

fn receipt_code(e: &ReceiptError) -> String {
    match e {
        ReceiptError::Frame(f) => frame_code(f).into(),
        ReceiptError::Malformed => "receipt.malformed".into(),
        ReceiptError::WrongDevice => "receipt.wrong_device".into(),
    }
}

fn auth_code(e: &AuthError) -> String {
    match e {
        AuthError::Missing => "auth.missing".into(),
        AuthError::Malformed => "auth.malformed".into(),
        AuthError::Stale => "auth.stale".into(),
        AuthError::BadSignature => "auth.bad_signature".into(),
    }
}

fn public_keys(d: &DeviceKeys) -> DevicePublicKeys {
    DevicePublicKeys {
        sign_key: unb64_array(&d.sign_public_key).unwrap(),
        seal_key: unb64_array(&d.seal_public_key).unwrap(),
    }
}

/// What a receiver makes of an envelope case: `None` when it verifies and opens to a signal.
fn judge_envelope(v: &Vectors, case: &FrameCase) -> Option<String> {
    let office: OfficePublicKey = v.office_public_key.parse().unwrap();
    let bytes = unb64(&case.frame).expect("frame is base64");
    let now = DateTime::from_timestamp(case.now, 0).unwrap();
    let verified = match Envelope::verify(&bytes, &office, now) {
        Ok(verified) => verified,
        Err(e) => return Some(envelope_code(&e)),
    };
    let device = &v.devices[case.device_index];
    let open = DeviceOpenKey::from_secret_bytes(&unb64_array(&device.open_secret_key).unwrap()).unwrap();
    match verified.open(&device.device_id.parse().unwrap(), &open) {
        Ok(_) => None,
        Err(e) => Some(open_code(&e)),
    }
}

fn judge_receipt(v: &Vectors, case: &FrameCase) -> Option<String> {
    let bytes = unb64(&case.frame).expect("frame is base64");
    Receipt::verify(&bytes, &public_keys(&v.devices[case.device_index])).err().map(|e| receipt_code(&e))
}

fn judge_request(case: &RequestCase) -> Option<String> {
    let headers = match AuthHeaders::from_headers(|name| case.headers.get(name).map(String::as_str)) {
        Ok(headers) => headers,
        Err(e) => return Some(auth_code(&e)),
    };
    let key: [u8; 32] = unb64_array(&case.public_key).unwrap();
    let body = unb64(&case.body).unwrap();
    let request =
        RequestParts { relay: &case.relay, method: &case.method, path_and_query: &case.path_and_query, body: &body };
    headers.verify(&key, &request, case.now).err().map(|e| auth_code(&e))
}

fn path() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("test-vectors-negative.json")
}

fn published() -> Vectors {
    let text = std::fs::read_to_string(path()).expect("test-vectors-negative.json is published beside Cargo.toml");
    serde_json::from_str(&text).unwrap()
}

#[test]
fn published_negative_vectors_match_the_code() {
    let built = serde_json::to_string_pretty(&build()).unwrap() + "\n";
    if std::env::var_os("HWC_WRITE_VECTORS").is_some() {
        std::fs::write(path(), &built).unwrap();
        panic!("test-vectors-negative.json rewritten; run again without HWC_WRITE_VECTORS to check it");
    }
    let published = std::fs::read_to_string(path()).expect("test-vectors-negative.json is published beside Cargo.toml");
    assert_eq!(published, built, "the code no longer produces the published negative vectors");
}

#[test]
fn every_vector_gets_its_stated_result() {
    let v = published();
    let mut wrong = Vec::new();
    for case in &v.envelopes {
        let got = judge_envelope(&v, case);
        if got != case.error {
            wrong.push(format!("{}: expected {:?}, got {got:?}", case.id, case.error));
        }
    }
    for case in &v.receipts {
        let got = judge_receipt(&v, case);
        if got != case.error {
            wrong.push(format!("{}: expected {:?}, got {got:?}", case.id, case.error));
        }
    }
    for case in &v.requests {
        let got = judge_request(case);
        if got != case.error {
            wrong.push(format!("{}: expected {:?}, got {got:?}", case.id, case.error));
        }
    }
    assert!(wrong.is_empty(), "{} vectors judged wrongly:\n{}", wrong.len(), wrong.join("\n"));
}

#[test]
fn the_file_covers_what_it_promises() {
    let v = published();
    let refused = |cases: &[FrameCase]| cases.iter().filter(|c| c.error.is_some()).count();
    assert!(refused(&v.envelopes) >= 100, "envelopes refused: {}", refused(&v.envelopes));
    assert!(refused(&v.receipts) >= 25, "receipts refused: {}", refused(&v.receipts));
    assert!(v.requests.iter().filter(|c| c.error.is_none()).count() >= 4);
    assert!(v.requests.iter().filter(|c| c.error.is_some()).count() >= 20);
    let mut ids = std::collections::HashSet::new();
    let all = v.envelopes.iter().chain(&v.receipts).map(|c| &c.id).chain(v.requests.iter().map(|c| &c.id));
    for id in all {
        assert!(ids.insert(id.clone()), "id {id} twice");
    }
}

#[test]
fn hand_built_envelope_matches_the_crate_sender() {
    // The HPKE and aad built here from the spec give the crate's own bytes for a valid signal.
    let devices = devices();
    let office = OfficeSigningKey::from_secret_bytes(&fixed("office"));
    let h = Header::standard();
    let signal =
        Signal::from_input("Sem de Vries", "2016-03-07", DateTime::from_timestamp(CREATED, 0).unwrap().date_naive())
            .unwrap();
    let randomness = [fixed("check ephemeral 0"), fixed("check ephemeral 1")];
    let publics: Vec<_> = devices.iter().map(|d| d.public).collect();
    let ours = Envelope::seal_with_randomness(
        &office,
        h.signal_id,
        h.school.parse().unwrap(),
        DateTime::from_timestamp(h.created_at, 0).unwrap(),
        DateTime::from_timestamp(h.expires_at, 0).unwrap(),
        &publics,
        &signal,
        &randomness,
    )
    .unwrap();
    let by_hand = frame(
        b"HWE1",
        json(&h.seal(&[&devices[0], &devices[1]], &signal.to_plaintext(), "check")).as_bytes(),
        &fixed("office"),
    );
    assert_eq!(by_hand, ours.bytes);
}

#[test]
fn every_cited_rule_is_stated_in_the_spec() {
    let spec_path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/protocol.md");
    let spec = std::fs::read_to_string(&spec_path).expect("docs/protocol.md beside the crate");
    for (id, sentence) in RULES {
        let row = format!("| {id} | {sentence} |");
        assert!(spec.contains(&row), "docs/protocol.md lacks the row {row}");
    }
    let v = published();
    let cited = v.envelopes.iter().chain(&v.receipts).map(|c| &c.rule).chain(v.requests.iter().map(|c| &c.rule));
    for rule in cited {
        assert!(RULES.iter().any(|(id, sentence)| *rule == format!("{id}: {sentence}")), "unknown rule {rule}");
    }
}
