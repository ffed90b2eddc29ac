//! A relay shared by several offices with a school assignment file (`--school-assignments`):
//! an office registers only the schools the operator gave it, even when it asks first, and a
//! key rotation cannot carry schools to another office.

use crate::common::{expect_error, now, Env};
use hwc_protocol::{OfficeSigningKey, OfficeSuccession, Role};
use reqwest::StatusCode;

#[test]
fn an_office_cannot_claim_another_offices_school_even_when_it_asks_first() {
    // office: Tilburg (12AB); others[0]: Breda (56EF).
    let env = Env::with_assignments(&[(1, &["12AB"]), (1, &["56EF"])]);
    let breda = &env.others[0];
    // Without the file the first office to ask owned 12AB; now Breda's claim is refused, with
    // the same answer as for a school nobody uses, and leaves nothing behind.
    let (_, claim) = env.code_from(breda, "12AB", Role::Director, now() + 3600);
    let claimed = expect_error(claim, StatusCode::FORBIDDEN, "wrong_school");
    let (_, nobody) = env.code_from(breda, "99ZZ", Role::Director, now() + 3600);
    assert_eq!(expect_error(nobody, StatusCode::FORBIDDEN, "wrong_school"), claimed);
    // Tilburg still registers its own school and Breda its own.
    let director = env.verified_device("12AB", Role::Director);
    let (_, own) = env.code_from(breda, "56EF", Role::Director, now() + 3600);
    assert_eq!(own.status(), StatusCode::CREATED);
    // And Breda still cannot reach Tilburg's school.
    let envelope = env.seal_from(breda, "12AB", &[&director], now(), now() + 3600);
    expect_error(env.as_office(breda, "POST", "/v1/signals", &envelope.bytes), StatusCode::FORBIDDEN, "wrong_school");
}

#[test]
fn a_key_rotation_stays_within_its_office() {
    // office and others[0]: Tilburg's key and its planned successor; others[1]: Breda.
    let env = Env::with_assignments(&[(2, &["12AB", "34CD"]), (1, &["56EF"])]);
    let (old, successor, breda) = (&env.office, &env.others[0], &env.others[1]);
    env.verified_device("12AB", Role::Director);
    let hand_over = |new: &OfficeSigningKey| {
        let succession = OfficeSuccession::sign(&old.public(), new);
        env.as_office(old, "POST", "/v1/office/successor", &serde_json::to_vec(&succession).unwrap())
    };
    let message = expect_error(hand_over(breda), StatusCode::FORBIDDEN, "forbidden");
    assert!(message.contains("ander leerplichtkantoor"), "{message}");
    assert_eq!(hand_over(successor).status(), StatusCode::OK);
    // The successor registers the office's other school; Breda's stays out of reach.
    let (_, theirs) = env.code_from(successor, "34CD", Role::Backup, now() + 3600);
    assert_eq!(theirs.status(), StatusCode::CREATED);
    let (_, not_theirs) = env.code_from(successor, "56EF", Role::Backup, now() + 3600);
    expect_error(not_theirs, StatusCode::FORBIDDEN, "wrong_school");
}
