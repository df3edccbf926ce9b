//! Rate-limit mode, the time scale, timed actions and the stats.

mod common;

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use common::{agent, get, get_with, url};
use droplet_action_mock::{
    DEFAULT_TOKEN, MockServer, RateLimit, STATS_PATH, Stats, TokenStats, scenario,
};
use serde_json::json;

const DOCUMENTED: (i64, i64) = (scenario::DOCUMENTED_DROPLET, scenario::DOCUMENTED_ACTION);

fn unix_now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
}

/// The `retry-after` values possible when a window of `window` real seconds is full and its
/// oldest request was let through at most `elapsed` before the refused one: the whole window
/// less that, rounded up. A single value whenever `elapsed` is under a second.
fn retry_after_range(window: f64, elapsed: Duration) -> std::ops::RangeInclusive<u64> {
    let lowest = (window - elapsed.as_secs_f64()).ceil().max(1.0) as u64;
    lowest..=window.ceil() as u64
}

#[test]
fn retry_after_range_is_exact_under_a_second() {
    assert_eq!(retry_after_range(60.0, Duration::from_millis(999)), 60..=60);
    assert_eq!(
        retry_after_range(60.0, Duration::from_millis(1500)),
        59..=60
    );
    assert_eq!(retry_after_range(1.0, Duration::from_millis(1500)), 1..=1);
}

fn limited(limit: RateLimit, scale: f64) -> MockServer {
    MockServer::builder()
        .rate_limit(limit)
        .time_scale(scale)
        .start()
        .unwrap()
}

#[test]
fn the_251st_request_of_a_minute_is_429_with_retry_after_60() {
    let server = limited(RateLimit::DIGITALOCEAN, 1.0);
    let agent = agent();
    let target = url(&server, DOCUMENTED.0, DOCUMENTED.1);
    let before = unix_now();
    let started = Instant::now();
    let mut after_first = 0.0;
    let mut resets = Vec::new();
    for n in 0..250 {
        let answer = get_with(&agent, &target, Some(DEFAULT_TOKEN));
        assert_eq!(answer.status, 200, "{n}");
        assert_eq!(answer.header("ratelimit-limit"), Some("5000"));
        let remaining = (4999 - n).to_string();
        assert_eq!(
            answer.header("ratelimit-remaining"),
            Some(remaining.as_str())
        );
        resets.push(answer.header("ratelimit-reset").unwrap().to_owned());
        if n == 0 {
            after_first = unix_now();
        }
    }
    let answer = get_with(&agent, &target, Some(DEFAULT_TOKEN));
    assert_eq!(answer.status, 429);
    // The first request leaves the minute 60 s after it was made: 60 when the 250 took
    // less than a second, as they do on an idle machine.
    let retry_after: u64 = answer.header("retry-after").unwrap().parse().unwrap();
    assert!(
        retry_after_range(60.0, started.elapsed()).contains(&retry_after),
        "{retry_after} after {:?}",
        started.elapsed()
    );
    assert_eq!(answer.header("ratelimit-limit"), Some("5000"));
    assert_eq!(answer.header("ratelimit-remaining"), Some("4750"));
    let request_id = answer.header("x-request-id").unwrap().to_owned();
    assert_eq!(
        answer.json(),
        json!({"id": "too_many_requests", "message": "API rate limit exceeded.", "request_id": request_id})
    );
    // The reset is when the first request expires: an hour after it, rounded up.
    resets.push(answer.header("ratelimit-reset").unwrap().to_owned());
    resets.dedup();
    assert_eq!(resets.len(), 1, "{resets:?}");
    let reset: f64 = resets[0].parse().unwrap();
    assert!(
        reset >= (before + 3600.0).ceil() && reset <= (after_first + 3600.0).ceil(),
        "{reset} {before} {after_first}"
    );
    // The refused request did not reach the scenario, but was received.
    assert_eq!(server.hits(DOCUMENTED.0, DOCUMENTED.1), 251);
    let stats = server.stats();
    assert_eq!((stats.requests, stats.too_many_requests), (251, 1));
    assert_eq!(
        stats.tokens[DEFAULT_TOKEN],
        TokenStats {
            requests: 251,
            too_many_requests: 1
        }
    );
}

#[test]
fn a_burst_frees_when_its_first_request_leaves_the_scaled_minute() {
    // At 60, a minute lasts a second.
    let server = limited(
        RateLimit {
            per_minute: 2,
            per_hour: 100,
        },
        60.0,
    );
    let first = Instant::now();
    let statuses: Vec<u16> = (0..3).map(|_| get(&server, 1, 1).status).collect();
    assert_eq!(statuses, [404, 404, 429]);
    let refused = get(&server, 1, 1);
    assert_eq!(refused.status, 429);
    assert_eq!(refused.header("retry-after"), Some("1"));
    assert_eq!(refused.header("ratelimit-remaining"), Some("98"));
    // Both admitted requests have left the scaled minute (one real second) by then.
    std::thread::sleep(Duration::from_millis(1500).saturating_sub(first.elapsed()));
    let after = get(&server, 1, 1);
    assert_eq!(after.status, 404);
    assert_eq!(after.header("ratelimit-remaining"), Some("97"));
    assert_eq!(server.stats().too_many_requests, 2);
}

#[test]
fn past_the_hourly_budget_every_request_is_429_until_the_oldest_expires() {
    // At 3600, an hour lasts a second.
    let server = limited(
        RateLimit {
            per_minute: 1000,
            per_hour: 3,
        },
        3600.0,
    );
    let before = unix_now();
    let first = Instant::now();
    let mut answers = vec![get(&server, 1, 1)];
    let after_first = unix_now();
    answers.extend((0..3).map(|_| get(&server, 1, 1)));
    let remaining: Vec<_> = answers
        .iter()
        .map(|a| {
            (
                a.status,
                a.header("ratelimit-remaining").unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        remaining,
        [
            (404, "2".to_owned()),
            (404, "1".to_owned()),
            (404, "0".to_owned()),
            (429, "0".to_owned())
        ]
    );
    assert_eq!(answers[3].header("retry-after"), Some("1"));
    assert_eq!(answers[3].json()["id"], "too_many_requests");
    // The oldest request expires a real second after it was made.
    let reset: f64 = answers[3]
        .header("ratelimit-reset")
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        reset >= (before + 1.0).ceil() && reset <= (after_first + 1.0).ceil(),
        "{reset} {before} {after_first}"
    );
    std::thread::sleep(Duration::from_millis(1500).saturating_sub(first.elapsed()));
    let after = get(&server, 1, 1);
    assert_eq!(after.status, 404);
}

#[test]
fn each_token_has_its_own_budget_across_connections() {
    let server = MockServer::builder()
        .also_accept("second-token")
        .rate_limit(RateLimit {
            per_minute: 2,
            per_hour: 10,
        })
        .start()
        .unwrap();
    let target = url(&server, DOCUMENTED.0, DOCUMENTED.1);
    // A new agent, so a new connection, for every request: the budget is the server's.
    let mut statuses = Vec::new();
    for token in [
        DEFAULT_TOKEN,
        DEFAULT_TOKEN,
        DEFAULT_TOKEN,
        "second-token",
        "wrong",
    ] {
        statuses.push(get_with(&agent(), &target, Some(token)).status);
    }
    let anonymous = get_with(&agent(), &target, None);
    assert_eq!(statuses, [200, 200, 429, 200, 401]);
    assert_eq!(anonymous.status, 401);
    assert_eq!(anonymous.header("ratelimit-remaining"), Some("9"));
    let stats = server.stats();
    assert_eq!(stats.requests, 6);
    assert_eq!(stats.too_many_requests, 1);
    assert_eq!(
        stats.tokens.into_iter().collect::<Vec<_>>(),
        [
            (
                DEFAULT_TOKEN.to_owned(),
                TokenStats {
                    requests: 3,
                    too_many_requests: 1
                }
            ),
            (
                "second-token".to_owned(),
                TokenStats {
                    requests: 1,
                    too_many_requests: 0
                }
            ),
            (
                "wrong".to_owned(),
                TokenStats {
                    requests: 1,
                    too_many_requests: 0
                }
            ),
        ]
    );
}

#[test]
fn a_flood_of_a_wrong_token_is_limited_before_it_is_refused() {
    let server = limited(
        RateLimit {
            per_minute: 1,
            per_hour: 10,
        },
        1.0,
    );
    let target = url(&server, 1, 1);
    let statuses: Vec<u16> = (0..2)
        .map(|_| get_with(&agent(), &target, Some("wrong")).status)
        .collect();
    assert_eq!(statuses, [401, 429]);
}

#[test]
fn scenarios_play_as_usual_under_the_limit() {
    let server = limited(RateLimit::DIGITALOCEAN, 1.0);
    let action = scenario::in_progress_then_completed(2).unwrap();
    let statuses: Vec<_> = (0..3)
        .map(|_| get(&server, 1, action).json()["action"]["status"].clone())
        .collect();
    assert_eq!(statuses, ["in-progress", "in-progress", "completed"]);
    let once = get(&server, 1, scenario::TOO_MANY_REQUESTS_ONCE);
    assert_eq!(once.status, 429);
    assert_eq!(once.header("retry-after"), Some("1"));
    assert_eq!(once.header("ratelimit-remaining"), Some("0"));
    assert_eq!(
        get(&server, 1, scenario::TOO_MANY_REQUESTS_ONCE).status,
        200
    );
    let after = get(&server, 1, 1);
    assert_eq!(after.header("ratelimit-remaining"), Some("4994"));
    assert_eq!(server.stats().too_many_requests, 1);
}

#[test]
fn stats_over_http_are_the_library_stats_and_are_not_counted() {
    let server = MockServer::start().unwrap();
    get(&server, 1, 1);
    get(&server, 1, scenario::TOO_MANY_REQUESTS_ONCE);
    get_with(&agent(), &url(&server, 1, 1), Some("other"));
    get_with(&agent(), &url(&server, 1, 1), None);
    let over_http = get_with(
        &agent(),
        &format!("{}{STATS_PATH}?fresh=1", server.base_url()),
        None,
    );
    assert_eq!(over_http.status, 200);
    assert_eq!(over_http.header("content-type"), Some("application/json"));
    assert_eq!(over_http.header("ratelimit-limit"), None);
    assert_eq!(
        over_http.text(),
        r#"{"requests":4,"tokens":{"mock-token":{"requests":2,"too_many_requests":1},"other":{"requests":1,"too_many_requests":0}},"too_many_requests":1}"#
    );
    let stats = server.stats();
    assert_eq!(Stats::from_json(over_http.text()), Some(stats.clone()));
    assert_eq!(stats.requests, 4);
    // Reading the stats is not a request to the API.
    assert!(server.requests().iter().all(|r| r.path != STATS_PATH));
    assert_eq!(server.requests().len(), 4);
}

#[test]
fn stats_are_served_over_tls_too() {
    let server = MockServer::builder().tls().start().unwrap();
    let agent = common::tls_agent(server.ca_pem().unwrap());
    get_with(&agent, &url(&server, 1, 1), Some(DEFAULT_TOKEN));
    let stats = get_with(&agent, &format!("{}{STATS_PATH}", server.base_url()), None);
    assert_eq!(
        stats.text(),
        r#"{"requests":1,"tokens":{"mock-token":{"requests":1,"too_many_requests":0}},"too_many_requests":0}"#
    );
}

#[test]
fn builder_refuses_a_time_scale_out_of_range_and_a_zero_limit() {
    for scale in [0.0, -1.0, f64::NAN, f64::INFINITY, 0.0009, 1_000_001.0] {
        let error = MockServer::builder().time_scale(scale).start().unwrap_err();
        assert_eq!(error.kind(), std::io::ErrorKind::InvalidInput, "{scale}");
    }
    let error = MockServer::builder()
        .rate_limit(RateLimit {
            per_minute: 0,
            per_hour: 5,
        })
        .start()
        .unwrap_err();
    assert_eq!(error.kind(), std::io::ErrorKind::InvalidInput);
}

#[test]
fn a_timed_action_completes_n_scaled_seconds_after_its_first_request() {
    // At 60, 60 mock seconds last one real second.
    let server = MockServer::builder().time_scale(60.0).start().unwrap();
    let action = scenario::completes_after_seconds(60).unwrap();
    assert_eq!(action, 5_000_060);
    let first = Instant::now();
    let status = |droplet| get(&server, droplet, action).json()["action"].clone();
    let at_start = status(1);
    assert_eq!(at_start["status"], "in-progress");
    assert_eq!(at_start["completed_at"], serde_json::Value::Null);
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(status(1)["status"], "in-progress");
    std::thread::sleep(Duration::from_millis(1500).saturating_sub(first.elapsed()));
    let done = status(1);
    assert_eq!(done["status"], "completed");
    assert_eq!(done["completed_at"], "2020-11-14T16:30:06Z");
    // Another droplet's clock starts at its own first request.
    assert_eq!(status(2)["status"], "in-progress");
}

#[test]
fn a_timed_action_errors_n_scaled_seconds_after_its_first_request() {
    // At 600, 60 mock seconds last a tenth of a second.
    let server = MockServer::builder().time_scale(600.0).start().unwrap();
    let action = scenario::errors_after_seconds(60).unwrap();
    assert_eq!(action, 6_000_060);
    let first = Instant::now();
    assert_eq!(
        get(&server, 1, action).json()["action"]["status"],
        "in-progress"
    );
    std::thread::sleep(Duration::from_millis(400).saturating_sub(first.elapsed()));
    assert_eq!(
        get(&server, 1, action).json()["action"]["status"],
        "errored"
    );
}

#[test]
fn a_timed_action_clock_does_not_start_on_refused_requests() {
    let server = MockServer::builder().time_scale(600.0).start().unwrap();
    let action = scenario::completes_after_seconds(60).unwrap();
    let refused = get_with(&agent(), &url(&server, 1, action), Some("wrong"));
    assert_eq!(refused.status, 401);
    std::thread::sleep(Duration::from_millis(150));
    assert_eq!(
        get(&server, 1, action).json()["action"]["status"],
        "in-progress"
    );
}

#[test]
fn default_mode_keeps_one_countdown_for_every_token() {
    let server = MockServer::builder()
        .also_accept("second-token")
        .start()
        .unwrap();
    let target = url(&server, 1, 1);
    let first = get_with(&agent(), &target, Some(DEFAULT_TOKEN));
    let second = get_with(&agent(), &target, Some("second-token"));
    assert_eq!(first.header("ratelimit-remaining"), Some("4999"));
    assert_eq!(second.header("ratelimit-remaining"), Some("4998"));
    assert_eq!(second.header("retry-after"), None);
}
