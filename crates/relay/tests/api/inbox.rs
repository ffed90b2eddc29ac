//! The inbox: immediate answers, long-poll wake-ups, cursors and school separation.

use crate::common::{expect_error, Env};
use hwc_protocol::Role;
use reqwest::StatusCode;
use std::time::{Duration, Instant};

#[test]
fn answers_at_once_when_something_is_waiting() {
    let env = Env::new();
    let device = env.verified_device("12AB", Role::Director);
    let envelope = env.seal("12AB", &[&device]);
    assert_eq!(env.post_signal(&envelope).status(), StatusCode::CREATED);
    let started = Instant::now();
    let inbox = env.inbox(&device, 0, 10);
    assert!(started.elapsed() < Duration::from_secs(5), "took {:?}", started.elapsed());
    assert_eq!(inbox.envelopes.len(), 1);
    assert_eq!(inbox.envelopes[0].0, envelope.bytes);
    assert!(inbox.cursor > 0);
    let opened =
        hwc_protocol::Envelope::verify(&inbox.envelopes[0].0, &env.office.public(), chrono::Utc::now()).unwrap();
    assert_eq!(opened.open(&device.id(), &device.open).unwrap().name().expose(), "Sem de Vries");
}

#[test]
fn long_poll_wakes_on_insert_well_before_the_wait_ends() {
    let env = Env::new();
    let device = env.verified_device("12AB", Role::Director);
    let envelope = env.seal("12AB", &[&device]);
    std::thread::scope(|scope| {
        let waiter = scope.spawn(|| {
            let started = Instant::now();
            let inbox = env.inbox(&device, 0, 20);
            (started.elapsed(), inbox)
        });
        std::thread::sleep(Duration::from_millis(500));
        assert_eq!(env.post_signal(&envelope).status(), StatusCode::CREATED);
        let (elapsed, inbox) = waiter.join().unwrap();
        assert_eq!(inbox.envelopes.len(), 1);
        assert!(elapsed < Duration::from_secs(10), "woke after {elapsed:?}");
    });
}

#[test]
fn empty_wait_times_out_with_the_same_cursor() {
    let env = Env::new();
    let device = env.verified_device("12AB", Role::Director);
    let started = Instant::now();
    let inbox = env.inbox(&device, 0, 1);
    assert!(started.elapsed() >= Duration::from_millis(900), "returned early: {:?}", started.elapsed());
    assert!(inbox.envelopes.is_empty() && inbox.handled.is_empty());
    assert_eq!(inbox.cursor, 0);
}

#[test]
fn cursor_moves_past_seen_events() {
    let env = Env::new();
    let device = env.verified_device("12AB", Role::Director);
    let first = env.seal("12AB", &[&device]);
    let second = env.seal("12AB", &[&device]);
    assert_eq!(env.post_signal(&first).status(), StatusCode::CREATED);
    let inbox = env.inbox(&device, 0, 0);
    assert_eq!(inbox.envelopes.len(), 1);
    let cursor = inbox.cursor;
    let again = env.inbox(&device, cursor, 0);
    assert!(again.envelopes.is_empty());
    assert_eq!(again.cursor, cursor);
    assert_eq!(env.post_signal(&second).status(), StatusCode::CREATED);
    let next = env.inbox(&device, cursor, 0);
    assert_eq!(next.envelopes.len(), 1);
    assert_eq!(next.envelopes[0].0, second.bytes);
    assert!(next.cursor > cursor);
    // From the start, both are still waiting.
    assert_eq!(env.inbox(&device, 0, 0).envelopes.len(), 2);
}

#[test]
fn devices_see_only_their_own_school_and_copies() {
    let env = Env::new();
    let a = env.verified_device("12AB", Role::Director);
    let a_backup = env.verified_device("12AB", Role::Backup);
    let b = env.verified_device("34CD", Role::Director);
    assert_eq!(env.post_signal(&env.seal("12AB", &[&a])).status(), StatusCode::CREATED);
    assert_eq!(env.inbox(&a, 0, 0).envelopes.len(), 1);
    let colleague = env.inbox(&a_backup, 0, 0);
    assert!(colleague.envelopes.is_empty(), "no copy for the backup device");
    assert!(colleague.cursor > 0, "the cursor moves past a colleague's events");
    let other = env.inbox(&b, 0, 0);
    assert!(other.envelopes.is_empty());
    assert_eq!(other.cursor, 0);
}

#[test]
fn wait_over_a_minute_and_bad_parameters_are_refused() {
    let env = Env::new();
    let device = env.verified_device("12AB", Role::Director);
    expect_error(
        env.as_device(&device, "GET", "/v1/inbox?after=0&wait=61", b""),
        StatusCode::BAD_REQUEST,
        "bad_request",
    );
    expect_error(env.as_device(&device, "GET", "/v1/inbox?after=x", b""), StatusCode::BAD_REQUEST, "bad_request");
    expect_error(env.as_device(&device, "GET", "/v1/inbox?name=x", b""), StatusCode::BAD_REQUEST, "bad_request");
    expect_error(env.as_office(&env.office, "GET", "/v1/inbox", b""), StatusCode::FORBIDDEN, "forbidden");
}

#[test]
fn shutdown_answers_waiting_requests_at_once() {
    let env = Env::new();
    let device = env.verified_device("12AB", Role::Director);
    let path = "/v1/inbox?after=0&wait=30";
    let headers = hwc_protocol::AuthHeaders::sign_device(
        &device.sign,
        device.id(),
        &env.parts("GET", path, b""),
        crate::common::now(),
    )
    .unwrap();
    let Env { relay, http, .. } = env;
    let url = relay.url();
    let waiter = std::thread::spawn(move || {
        let started = Instant::now();
        let mut request = http.get(format!("{url}{path}"));
        for (name, value) in headers.to_pairs() {
            request = request.header(name, value);
        }
        let status = request.send().map(|r| r.status());
        (status, started.elapsed())
    });
    std::thread::sleep(Duration::from_millis(500));
    let stopping = Instant::now();
    drop(relay);
    assert!(stopping.elapsed() < Duration::from_secs(5), "shutdown took {:?}", stopping.elapsed());
    let (status, elapsed) = waiter.join().unwrap();
    assert_eq!(status.unwrap(), StatusCode::OK);
    assert!(elapsed < Duration::from_secs(10), "{elapsed:?}");
}

#[test]
fn cursor_above_the_highest_sequence_number_starts_from_the_beginning() {
    // As after a restore from an older backup: the device holds a cursor this database never gave.
    let env = Env::new();
    let device = env.verified_device("12AB", Role::Director);
    let elsewhere = env.verified_device("34CD", Role::Director);
    let envelope = env.seal("12AB", &[&device]);
    assert_eq!(env.post_signal(&envelope).status(), StatusCode::CREATED);
    let current = env.inbox(&device, 0, 0);
    assert_eq!(current.envelopes.len(), 1);

    for after in [current.cursor + 1, current.cursor + 1000, u64::MAX] {
        let restored = env.inbox(&device, after, 0);
        assert_eq!(restored.envelopes.len(), 1, "after={after}");
        assert_eq!(restored.envelopes[0].0, envelope.bytes);
        assert_eq!(restored.cursor, current.cursor, "a cursor this database knows");
    }
    let same = env.inbox(&device, current.cursor, 0);
    assert!(same.envelopes.is_empty(), "the highest number itself is a valid cursor");
    assert_eq!(same.cursor, current.cursor);

    // Nothing waiting for this device: it still gets a cursor this database knows, also after a wait.
    assert_eq!(env.inbox(&elsewhere, 1000, 0).cursor, 0);
    let started = Instant::now();
    assert_eq!(env.inbox(&elsewhere, 1000, 1).cursor, 0);
    assert!(started.elapsed() >= Duration::from_millis(900), "returned early: {:?}", started.elapsed());
}

/// Review finding 13: the length of an answer does not tell the school's network that a signal
/// came. Empty, with a signal for three devices, and with a colleague's receipt: all 4 KiB.
#[test]
fn an_answer_with_a_signal_is_as_long_as_an_empty_one() {
    let env = Env::new();
    let director = env.verified_device("12AB", Role::Director);
    let backup = env.verified_device("12AB", Role::Backup);
    let third = env.verified_device("12AB", Role::Backup);
    let length = |device: &crate::common::Device, after: u64| {
        let response = env.as_device(device, "GET", &format!("/v1/inbox?after={after}&wait=0"), b"");
        assert_eq!(response.status(), StatusCode::OK);
        let body = response.bytes().unwrap();
        let inbox: hwc_protocol::api::Inbox = serde_json::from_slice(&body).unwrap();
        (body.len(), inbox)
    };
    let (empty, inbox) = length(&director, 0);
    assert!(inbox.envelopes.is_empty());
    let envelope = env.seal("12AB", &[&director, &backup, &third]);
    assert_eq!(env.post_signal(&envelope).status(), StatusCode::CREATED);
    let (with_signal, inbox) = length(&director, 0);
    assert_eq!(inbox.envelopes.len(), 1);
    let cursor = inbox.cursor;
    env.receipt(&director, envelope.envelope.signal_id, hwc_protocol::ReceiptKind::HandedOver);
    let (with_handled, inbox) = length(&backup, 0);
    assert_eq!(inbox.handled.len(), 1);
    let (after_all, _) = length(&director, cursor);
    assert_eq!([empty, with_signal, with_handled, after_all], [4096; 4]);
}

/// The same for a school with more devices than usual: the floor grows with the school's
/// devices, so one signal for all eight (the most an envelope holds) still adds nothing.
#[test]
fn a_school_with_eight_devices_gets_answers_of_one_size_too() {
    let env = Env::new();
    let devices: Vec<_> = (0..8).map(|_| env.verified_device("34CD", Role::Backup)).collect();
    let length = |after: u64| {
        let response = env.as_device(&devices[0], "GET", &format!("/v1/inbox?after={after}&wait=0"), b"");
        assert_eq!(response.status(), StatusCode::OK);
        response.bytes().unwrap().len()
    };
    let empty = length(0);
    let everyone: Vec<_> = devices.iter().collect();
    assert_eq!(env.post_signal(&env.seal("34CD", &everyone)).status(), StatusCode::CREATED);
    assert_eq!([empty, length(0)], [16384; 2]);
}
