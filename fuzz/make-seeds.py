#!/usr/bin/env python3
"""Writes the seed corpora under fuzz/seeds/ from the protocol's test vectors and the name
fixtures. Run from the repository root: python3 fuzz/make-seeds.py. The seeds are committed;
cargo xtask fuzz never changes them (new inputs go to target/fuzz-corpus/)."""
import base64, json, os, shutil

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
seeds = os.path.join(root, "fuzz", "seeds")
vectors = json.load(open(os.path.join(root, "crates/protocol/test-vectors.json")))
valid = [l for l in open(os.path.join(root, "crates/protocol/tests/fixtures/names-valid.txt"), encoding="utf-8").read().splitlines() if l and not l.startswith("#")]
invalid = [l for l in open(os.path.join(root, "crates/protocol/tests/fixtures/names-invalid.txt"), encoding="utf-8").read().splitlines() if l and not l.startswith("#")]

shutil.rmtree(seeds, ignore_errors=True)

def put(target, name, data):
    os.makedirs(os.path.join(seeds, target), exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    open(os.path.join(seeds, target, name), "wb").write(data)

for kind, target in (("envelope", "envelope"), ("receipt", "receipt"), ("profile", "profile")):
    frame = base64.b64decode(vectors[kind]["frame"])
    put(target, "raw-frame", b"\x00" + frame)
    put(target, "signed-body", b"\x01" + frame[4:-64])

office = "office " + vectors["office_public_key"]
device = "device " + vectors["devices"][0]["device_id"]
signature = base64.b64encode(bytes(64)).decode()
for i, (signer, method, path, body) in enumerate([
    (office, "POST", "/v1/signals", "HWE1..."),
    (device, "GET", "/v1/inbox?after=3&wait=30", ""),
    (device, "POST", "/v1/receipts", "HWR1..."),
    (office, "GET", "/v1/receipts?after=0", ""),
]):
    put("request_auth", f"request-{i}", "\n".join([signer, "1795417260", "0" * 32, signature, method, path, body]))

put("signal", "vector-plaintext", base64.b64decode(vectors["signal"]["plaintext"]))
for i, name in enumerate(valid + invalid):
    put("signal", f"name-{i:03}", name)
    put("signal", f"input-{i:03}", f"{name}\n07-03-2016")
for date in ["2016-03-07", "07-03-2016", "2024-02-29", "1999-12-31", "2016-3-7"]:
    put("signal", f"date-{date}", date)

put("csv_batch", "header-and-lines", "naam;geboortedatum;brin\n" + "\n".join(f"{n};07-03-2016;12AB" for n in valid[:20]) + "\n")
put("csv_batch", "bad-lines", "\n".join(f"{n};2016-03-07;12ab;x" for n in invalid[:20]))
put("csv_batch", "bom-crlf", "\ufeffnaam;geboortedatum;brin\r\nSem de Vries;2016-03-07;12AB\r\n")

fingerprint = "3b0c" + "0123456789abcdef" * 3 + "0123456789ab"
put("machine_config", "relay-and-pin", f'relay = "https://relay.voorbeeld.nl"\noffice_key_fingerprint = "{fingerprint}"\n')
put("machine_config", "relay-only", 'relay = "http://127.0.0.1:8080"\n')
put("machine_config", "empty", "")
put("machine_config", "unknown-key", 'relay = "https://relay.voorbeeld.nl"\nextra = 1\n')
put("machine_config", "escaped", 'relay = "https://relay.voorbeeld.nl/\\u0041"\n# comment\n')
