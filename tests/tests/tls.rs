//! The relay serves TLS itself when given a certificate and key (rustls): a client that trusts
//! the certificate gets its answers over HTTPS, and plain HTTP on that port gets none.

use hwc_system_tests::RelayProcess;

#[test]
fn relay_answers_over_tls_with_the_given_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let cert_path = dir.path().join("relay.crt");
    let key_path = dir.path().join("relay.key");
    std::fs::write(&cert_path, certified.cert.pem()).unwrap();
    std::fs::write(&key_path, certified.signing_key.serialize_pem()).unwrap();
    let office = hwc_protocol::OfficeSigningKey::generate().unwrap().public();
    let relay = RelayProcess::start_with_args(
        &dir.path().join("relay.db"),
        &[office],
        &["--tls-cert", cert_path.to_str().unwrap(), "--tls-key", key_path.to_str().unwrap()],
    )
    .unwrap();

    let trusted = reqwest::Certificate::from_pem(certified.cert.pem().as_bytes()).unwrap();
    let client = reqwest::blocking::Client::builder().add_root_certificate(trusted).build().unwrap();
    let answer = client.get(format!("https://localhost:{}/healthz", relay.port())).send().unwrap();
    assert_eq!(answer.status(), 200);
    assert_eq!(answer.text().unwrap().trim(), "ok");

    let untrusting = reqwest::blocking::Client::new();
    assert!(
        untrusting.get(format!("https://localhost:{}/healthz", relay.port())).send().is_err(),
        "an unknown certificate must not be accepted"
    );
    let plain = reqwest::blocking::Client::new().get(format!("http://127.0.0.1:{}/healthz", relay.port())).send();
    assert!(plain.map(|r| r.status() != 200).unwrap_or(true), "plain HTTP must not be served on the TLS port");
}
