//! `POST /v1/stats/retention`: an office's per-day counts are kept for the months it set (two
//! years when it set nothing) and deleted after that, by the setting itself and by the sweep.

use crate::common::{expect_error, Env};
use hwc_protocol::api::{Stats, StatsRetention};
use hwc_protocol::expiry::{amsterdam_date, first_kept_day};
use hwc_protocol::Role;
use reqwest::StatusCode;

fn days(env: &Env, office: &hwc_protocol::OfficeSigningKey) -> Vec<String> {
    let stats: Stats = env.as_office(office, "GET", "/v1/stats", b"").json().unwrap();
    stats.sent_per_day.into_iter().map(|d| d.day).collect()
}

#[test]
fn per_day_counts_are_kept_for_the_months_the_office_set_and_then_deleted() {
    let env = Env::with_offices(2);
    let device = env.verified_device("12AB", Role::Director);
    assert_eq!(env.post_signal(&env.seal("12AB", &[&device])).status(), StatusCode::CREATED);
    let now = chrono::Utc::now();
    let today = amsterdam_date(now).format("%Y-%m-%d").to_string();
    let day_before = |keep| (first_kept_day(now, keep) - chrono::Days::new(1)).format("%Y-%m-%d").to_string();
    let first_day = |keep| first_kept_day(now, keep).format("%Y-%m-%d").to_string();
    // Counts from long ago, as if the relay had run for years: the first day within two years,
    // for both offices (nothing deletes it by default). Rows that some sweep should delete are
    // only added below, where any sweep, the background one or the one asked for, must do so.
    let (ours, theirs) = (env.office.public().to_string(), env.others[0].public().to_string());
    for office in [&ours, &theirs] {
        env.relay
            .execute(&format!(
                "INSERT INTO stats_sent (office, day, count) VALUES ('{office}', '{}', 4)",
                first_day(24)
            ))
            .unwrap();
    }
    assert_eq!(days(&env, &env.office), vec![first_day(24), today.clone()]);

    // Out of range or malformed: refused, nothing changes.
    for body in [r#"{"keep_months":0}"#, r#"{"keep_months":121}"#, r#"{"keep_months":"12"}"#, r#"{"keep":12}"#] {
        expect_error(
            env.as_office(&env.office, "POST", "/v1/stats/retention", body.as_bytes()),
            StatusCode::BAD_REQUEST,
            "bad_request",
        );
    }
    expect_error(
        env.as_device(&device, "POST", "/v1/stats/retention", br#"{"keep_months":1}"#),
        StatusCode::FORBIDDEN,
        "forbidden",
    );
    assert_eq!(days(&env, &env.office), vec![first_day(24), today.clone()]);

    // Setting it deletes what is older at once, for this office only.
    let set = env.as_office(&env.office, "POST", "/v1/stats/retention", br#"{"keep_months":1}"#);
    assert_eq!(set.status(), StatusCode::OK);
    assert_eq!(set.json::<StatsRetention>().unwrap(), StatsRetention { keep_months: 1 });
    assert_eq!(days(&env, &env.office), vec![today.clone()]);
    assert_eq!(days(&env, &env.others[0]), vec![first_day(24)]);

    // The sweep does the same for days that age later: for this office before this month, for
    // the other office (two years, the default) before two years.
    env.relay
        .execute(&format!(
            "INSERT INTO stats_sent (office, day, count) VALUES ('{ours}', '{}', 2), ('{theirs}', '{}', 3)",
            day_before(1),
            day_before(24)
        ))
        .unwrap();
    // Reading the office's items sweeps at once (the background sweep would, a moment later).
    assert_eq!(env.as_office(&env.office, "GET", "/v1/receipts?after=0", b"").status(), StatusCode::OK);
    assert_eq!(days(&env, &env.office), vec![today]);
    assert_eq!(days(&env, &env.others[0]), vec![first_day(24)]);
}
