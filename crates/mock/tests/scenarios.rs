//! One test per scenario: what each id in the path answers.

mod common;

use std::io::Read;
use std::time::{Duration, Instant};

use common::{RawConnection, agent, get, get_with, url};
use droplet_action_mock::{DEFAULT_TOKEN, MockServer, scenario};
use droplet_action_model::DOCUMENTED_ACTION_JSON;
use serde_json::{Value, json};

fn region() -> Value {
    let documented: Value = serde_json::from_str(DOCUMENTED_ACTION_JSON).unwrap();
    documented["action"]["region"].clone()
}

fn completed(droplet: i64, action: i64) -> Value {
    json!({"action": {
        "id": action,
        "status": "completed",
        "type": "create",
        "started_at": "2020-11-14T16:29:21Z",
        "completed_at": "2020-11-14T16:30:06Z",
        "resource_id": droplet,
        "resource_type": "droplet",
        "region": region(),
        "region_slug": "nyc3"
    }})
}

#[test]
fn documented_example_is_served_byte_for_byte() {
    let server = MockServer::start().unwrap();
    let answer = get(
        &server,
        scenario::DOCUMENTED_DROPLET,
        scenario::DOCUMENTED_ACTION,
    );
    assert_eq!(answer.status, 200);
    assert_eq!(answer.header("content-type"), Some("application/json"));
    assert_eq!(answer.body, DOCUMENTED_ACTION_JSON.as_bytes());
    assert_eq!(
        server.hits(scenario::DOCUMENTED_DROPLET, scenario::DOCUMENTED_ACTION),
        1
    );
}

#[test]
fn in_progress_for_nn_requests_then_completed() {
    let server = MockServer::start().unwrap();
    let action = scenario::in_progress_then_completed(3).unwrap();
    assert_eq!(action, 900103);
    for _ in 0..3 {
        let body = get(&server, 42, action).json();
        assert_eq!(body["action"]["status"], "in-progress");
        assert_eq!(body["action"]["completed_at"], Value::Null);
        assert_eq!(body["action"]["id"], 900103);
        assert_eq!(body["action"]["resource_id"], 42);
        assert_eq!(body["action"]["type"], "create");
        assert_eq!(body["action"]["started_at"], "2020-11-14T16:29:21Z");
        assert_eq!(body["action"]["region_slug"], "nyc3");
        assert_eq!(body["action"]["region"], region());
    }
    for _ in 0..2 {
        assert_eq!(get(&server, 42, action).json(), completed(42, 900103));
    }
    assert_eq!(server.hits(42, action), 5);
    // Another droplet id has a counter of its own.
    assert_eq!(
        get(&server, 43, action).json()["action"]["status"],
        "in-progress"
    );
    assert_eq!(server.hits(43, action), 1);
}

#[test]
fn in_progress_for_nn_requests_then_errored() {
    let server = MockServer::start().unwrap();
    let action = scenario::in_progress_then_errored(1).unwrap();
    assert_eq!(action, 900201);
    assert_eq!(
        get(&server, 7, action).json()["action"]["status"],
        "in-progress"
    );
    let body = get(&server, 7, action).json();
    assert_eq!(body["action"]["status"], "errored");
    assert_eq!(body["action"]["completed_at"], "2020-11-14T16:30:06Z");
    assert_eq!(body["action"]["id"], 900201);
    assert_eq!(server.hits(7, action), 2);
}

#[test]
fn redirect_to_another_origin_points_at_the_second_listener() {
    let server = MockServer::start().unwrap();
    let answer = get(&server, 11, scenario::REDIRECT_OTHER_ORIGIN);
    assert_eq!(answer.status, 302);
    let location = format!(
        "http://localhost:{}/v2/droplets/11/actions/900301",
        server.redirect_target_port()
    );
    assert_eq!(answer.header("location"), Some(location.as_str()));
    assert_ne!(server.redirect_target_port(), server.port());
    assert!(server.redirect_target_requests().is_empty());
}

#[test]
fn redirect_target_records_what_a_following_client_sent() {
    let server = MockServer::start().unwrap();
    let following: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let answer = get_with(
        &following,
        &url(&server, 12, scenario::REDIRECT_OTHER_ORIGIN),
        Some(DEFAULT_TOKEN),
    );
    assert_eq!(answer.status, 200);
    assert_eq!(answer.json(), completed(12, 900301));
    let received = server.redirect_target_requests();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].method, "GET");
    assert_eq!(received[0].path, "/v2/droplets/12/actions/900301");
    let host = format!("localhost:{}", server.redirect_target_port());
    assert_eq!(received[0].header("host"), Some(host.as_str()));
    // ureq drops the token on a redirect; the target records that none came.
    assert_eq!(received[0].header("authorization"), None);
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn redirect_target_answers_with_a_token_too() {
    let server = MockServer::start().unwrap();
    let target = format!(
        "http://127.0.0.1:{}/v2/droplets/13/actions/900301",
        server.redirect_target_port()
    );
    let answer = get_with(&agent(), &target, Some("leaked"));
    assert_eq!(answer.status, 200);
    assert_eq!(answer.json(), completed(13, 900301));
    let received = server.redirect_target_requests();
    assert_eq!(received[0].header("Authorization"), Some("Bearer leaked"));
    assert!(server.requests().is_empty());
}

#[test]
fn redirect_to_the_same_origin_points_at_the_documented_action() {
    let server = MockServer::start().unwrap();
    let answer = get(&server, 14, scenario::REDIRECT_SAME_ORIGIN);
    assert_eq!(answer.status, 302);
    assert_eq!(
        answer.header("location"),
        Some("/v2/droplets/3164444/actions/36804636")
    );
    assert_eq!(answer.header("content-type"), Some("application/json"));
}

#[test]
fn always_unauthorized_even_with_the_right_token() {
    let server = MockServer::start().unwrap();
    for _ in 0..2 {
        let answer = get(&server, 15, scenario::ALWAYS_UNAUTHORIZED);
        assert_eq!(answer.status, 401);
        let request_id = answer.header("x-request-id").unwrap().to_owned();
        assert_eq!(
            answer.json(),
            json!({"id": "unauthorized", "message": "Unable to authenticate you.", "request_id": request_id})
        );
    }
    assert_eq!(server.hits(15, scenario::ALWAYS_UNAUTHORIZED), 2);
}

#[test]
fn too_many_requests_once_then_completed() {
    let server = MockServer::start().unwrap();
    let first = get(&server, 16, scenario::TOO_MANY_REQUESTS_ONCE);
    assert_eq!(first.status, 429);
    assert_eq!(first.header("retry-after"), Some("1"));
    assert_eq!(first.header("ratelimit-remaining"), Some("0"));
    assert_eq!(first.header("ratelimit-limit"), Some("5000"));
    let request_id = first.header("x-request-id").unwrap().to_owned();
    assert_eq!(
        first.json(),
        json!({"id": "too_many_requests", "message": "API rate limit exceeded.", "request_id": request_id})
    );
    let second = get(&server, 16, scenario::TOO_MANY_REQUESTS_ONCE);
    assert_eq!(second.status, 200);
    assert_eq!(second.header("retry-after"), None);
    assert_eq!(second.header("ratelimit-remaining"), Some("4998"));
    assert_eq!(second.json(), completed(16, 900429));
}

#[test]
fn server_error_twice_then_completed() {
    let server = MockServer::start().unwrap();
    for _ in 0..2 {
        let answer = get(&server, 17, scenario::SERVER_ERROR_TWICE);
        assert_eq!(answer.status, 500);
        let request_id = answer.header("x-request-id").unwrap().to_owned();
        assert_eq!(
            answer.json(),
            json!({"id": "server_error", "message": "Unexpected server-side error", "request_id": request_id})
        );
    }
    let third = get(&server, 17, scenario::SERVER_ERROR_TWICE);
    assert_eq!(third.status, 200);
    assert_eq!(third.json(), completed(17, 900500));
}

#[test]
fn service_unavailable_twice_then_completed() {
    let server = MockServer::start().unwrap();
    for _ in 0..2 {
        let answer = get(&server, 18, scenario::SERVICE_UNAVAILABLE_TWICE);
        assert_eq!(answer.status, 503);
        assert_eq!(answer.json()["id"], "service_unavailable");
    }
    let third = get(&server, 18, scenario::SERVICE_UNAVAILABLE_TWICE);
    assert_eq!(third.status, 200);
    assert_eq!(third.json(), completed(18, 900503));
}

#[test]
fn always_server_error() {
    let server = MockServer::start().unwrap();
    for _ in 0..4 {
        let answer = get(&server, 19, scenario::ALWAYS_SERVER_ERROR);
        assert_eq!(answer.status, 500);
        assert_eq!(answer.json()["id"], "server_error");
    }
}

#[test]
fn bad_gateway_is_an_html_page() {
    let server = MockServer::start().unwrap();
    let answer = get(&server, 20, scenario::BAD_GATEWAY_HTML);
    assert_eq!(answer.status, 502);
    assert_eq!(answer.header("content-type"), Some("text/html"));
    assert!(
        answer
            .text()
            .starts_with("<html><head><title>502 Bad Gateway</title></head><body>")
    );
    assert!(answer.text().trim_end().ends_with("</body></html>"));
    assert!(serde_json::from_slice::<Value>(&answer.body).is_err());
    assert!(answer.header("x-request-id").is_some());
}

#[test]
fn malformed_json_with_a_correct_content_length() {
    let server = MockServer::start().unwrap();
    let answer = get(&server, 21, scenario::MALFORMED_JSON);
    assert_eq!(answer.status, 200);
    assert_eq!(answer.header("content-type"), Some("application/json"));
    let length: usize = answer.header("content-length").unwrap().parse().unwrap();
    assert_eq!(answer.body.len(), length);
    assert!(answer.text().starts_with("{\"action\":{"));
    assert!(serde_json::from_slice::<Value>(&answer.body).is_err());
}

#[test]
fn unknown_status_type_and_fields_at_every_level() {
    let server = MockServer::start().unwrap();
    let body = get(&server, 22, scenario::UNKNOWN_FIELDS).json();
    assert_eq!(body["action"]["status"], "paused");
    assert_eq!(body["action"]["type"], "teleport");
    assert_eq!(body["action"]["id"], 900601);
    assert_eq!(body["meta"], json!({"total": 1, "cursor": null}));
    assert!(body["links"].is_object());
    assert!(body["warnings"].is_array());
    assert_eq!(body["action"]["progress"], 42.5);
    assert_eq!(body["action"]["actor"]["roles"][0]["name"], "owner");
    assert_eq!(body["action"]["tags"][1], json!(["nested", null]));
    assert_eq!(body["action"]["region"]["slug"], "nyc3");
    assert_eq!(body["action"]["region"]["data_center_generation"], 7);
    assert_eq!(
        body["action"]["region"]["extras"]["zones"][2]["depth"],
        json!([1, 2])
    );
}

#[test]
fn nulls_where_the_spec_allows_them_and_beyond() {
    let server = MockServer::start().unwrap();
    let body = get(&server, 23, scenario::NULL_FIELDS).json();
    let action = &body["action"];
    assert_eq!(action["status"], "in-progress");
    assert_eq!(action["id"], 900602);
    for field in ["completed_at", "resource_id", "region_slug", "region"] {
        assert!(action.get(field).is_some(), "{field} is present");
        assert_eq!(action[field], Value::Null, "{field} is null");
    }
}

#[test]
fn ids_near_i64_max() {
    let server = MockServer::start().unwrap();
    let answer = get(&server, 24, scenario::HUGE_IDS);
    assert!(answer.text().contains("\"id\":9223372036854775807"));
    assert!(
        answer
            .text()
            .contains("\"resource_id\":9223372036854775806")
    );
    let body = answer.json();
    assert_eq!(body["action"]["id"].as_i64(), Some(i64::MAX));
    assert_eq!(body["action"]["resource_id"].as_i64(), Some(i64::MAX - 1));
}

#[test]
fn huge_ids_in_the_path_are_accepted() {
    let server = MockServer::start().unwrap();
    let answer = get(&server, i64::MAX, scenario::UNKNOWN_FIELDS);
    assert_eq!(answer.status, 200);
    assert_eq!(
        answer.json()["action"]["resource_id"].as_i64(),
        Some(i64::MAX)
    );
    assert_eq!(get(&server, 1, i64::MAX).status, 404);
    assert_eq!(server.hits(1, i64::MAX), 1);
}

#[test]
fn empty_action_object() {
    let server = MockServer::start().unwrap();
    let answer = get(&server, 25, scenario::EMPTY_ACTION);
    assert_eq!(answer.status, 200);
    assert_eq!(answer.body, b"{\"action\":{}}");
}

#[test]
fn embedded_nul_in_a_string() {
    let server = MockServer::start().unwrap();
    let answer = get(&server, 26, scenario::EMBEDDED_NUL);
    assert!(answer.text().contains(r#""type":"cre\u0000ate""#));
    let body = answer.json();
    assert_eq!(body["action"]["type"], "cre\u{0}ate");
    assert_eq!(body["action"]["status"], "completed");
}

#[test]
fn html_with_status_200() {
    let server = MockServer::start().unwrap();
    let answer = get(&server, 27, scenario::HTML_OK);
    assert_eq!(answer.status, 200);
    assert_eq!(answer.header("content-type"), Some("text/html"));
    assert!(answer.text().starts_with("<html>"));
}

#[test]
fn timestamps_with_fractions_and_offsets() {
    let server = MockServer::start().unwrap();
    let body = get(&server, 28, scenario::FRACTIONAL_TIMESTAMPS).json();
    assert_eq!(
        body["action"]["started_at"],
        "2020-11-14T17:29:21.123456+01:00"
    );
    assert_eq!(body["action"]["completed_at"], "2020-11-14T16:30:06.5Z");
    assert_eq!(body["action"]["status"], "completed");
}

#[test]
fn large_body_is_16_mib_of_valid_json() {
    let server = MockServer::start().unwrap();
    let answer = get(&server, 29, scenario::LARGE_BODY);
    assert_eq!(answer.status, 200);
    assert_eq!(answer.header("content-length"), Some("16777216"));
    assert_eq!(answer.header("transfer-encoding"), None);
    assert_eq!(answer.body.len() as u64, scenario::LARGE_BODY_LEN);
    let body = answer.json();
    assert_eq!(body["action"]["id"], 900700);
    assert_eq!(body["action"]["status"], "completed");
    assert!(body["action"]["padding"].as_str().unwrap().len() > 16_000_000);
}

#[test]
fn gzip_bomb_is_small_and_expands_past_16_mib() {
    let server = MockServer::start().unwrap();
    let answer = get(&server, 30, scenario::GZIP_BOMB);
    assert_eq!(answer.status, 200);
    assert_eq!(answer.header("content-encoding"), Some("gzip"));
    assert_eq!(answer.header("content-type"), Some("application/json"));
    assert!(answer.body.len() < 32 * 1024, "{} bytes", answer.body.len());
    let mut decoded = Vec::new();
    flate2::read::GzDecoder::new(answer.body.as_slice())
        .read_to_end(&mut decoded)
        .unwrap();
    assert_eq!(decoded.len() as u64, scenario::GZIP_BOMB_DECODED_LEN);
    assert!(decoded.len() > 16 * 1024 * 1024);
    let body: Value = serde_json::from_slice(&decoded).unwrap();
    assert_eq!(body["action"]["id"], 900701);
}

#[test]
fn slow_answer_waits_droplet_id_milliseconds_without_holding_others() {
    let server = MockServer::start().unwrap();
    let started = Instant::now();
    let slow = std::thread::scope(|scope| {
        let slow = scope.spawn(|| get(&server, 600, scenario::SLOW_ANSWER));
        std::thread::sleep(Duration::from_millis(50));
        let quick_started = Instant::now();
        assert_eq!(get(&server, 31, scenario::EMPTY_ACTION).status, 200);
        assert!(quick_started.elapsed() < Duration::from_millis(400));
        slow.join().unwrap()
    });
    assert!(started.elapsed() >= Duration::from_millis(600));
    assert_eq!(slow.status, 200);
    assert_eq!(slow.json(), completed(600, 900800));
}

#[test]
fn slow_body_sends_headers_at_once_then_trickles() {
    let server = MockServer::start().unwrap();
    let mut connection = RawConnection::open(&server);
    let started = Instant::now();
    connection.send_get(32, scenario::SLOW_BODY);
    let (status, headers) = connection.read_head();
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert!(started.elapsed() < Duration::from_millis(150));
    let length: usize = headers["content-length"].parse().unwrap();
    let piece = length.div_ceil(scenario::SLOW_BODY_PIECES);
    connection.read_body(piece);
    assert!(started.elapsed() < Duration::from_millis(150));
    connection.read_body(piece);
    assert!(started.elapsed() >= Duration::from_millis(scenario::SLOW_BODY_INTERVAL_MS));
}

#[test]
fn slow_body_completes_after_all_pieces() {
    let server = MockServer::start().unwrap();
    let started = Instant::now();
    let answer = get(&server, 33, scenario::SLOW_BODY);
    let least = scenario::SLOW_BODY_INTERVAL_MS * (scenario::SLOW_BODY_PIECES as u64 - 1);
    assert!(started.elapsed() >= Duration::from_millis(least));
    assert_eq!(answer.json(), completed(33, 900801));
}

#[test]
fn truncated_body_closes_after_100_of_1000_bytes() {
    let server = MockServer::start().unwrap();
    let mut connection = RawConnection::open(&server);
    connection.send_get(34, scenario::TRUNCATED_BODY);
    let (status, headers) = connection.read_head();
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert_eq!(headers["content-length"], "1000");
    let body = connection.read_until_closed();
    assert_eq!(body.len(), scenario::TRUNCATED_SENT);
    assert!(body.starts_with(b"{\"action\":{"));
}

#[test]
fn truncated_body_is_an_error_for_a_client() {
    let server = MockServer::start().unwrap();
    let mut response = agent()
        .get(url(&server, 35, scenario::TRUNCATED_BODY))
        .header("Authorization", format!("Bearer {DEFAULT_TOKEN}"))
        .call()
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.body_mut().read_to_vec().is_err());
    // The server goes on serving.
    assert_eq!(get(&server, 35, scenario::EMPTY_ACTION).status, 200);
}

#[test]
fn close_without_answer() {
    let server = MockServer::start().unwrap();
    let mut connection = RawConnection::open(&server);
    connection.send_get(36, scenario::CLOSE_WITHOUT_ANSWER);
    assert_eq!(connection.read_until_closed(), b"");
    assert_eq!(server.hits(36, scenario::CLOSE_WITHOUT_ANSWER), 1);
    let result = agent()
        .get(url(&server, 36, scenario::CLOSE_WITHOUT_ANSWER))
        .header("Authorization", format!("Bearer {DEFAULT_TOKEN}"))
        .call();
    assert!(result.is_err());
    assert_eq!(get(&server, 36, scenario::EMPTY_ACTION).status, 200);
}

#[test]
fn unknown_action_is_not_found() {
    let server = MockServer::start().unwrap();
    for action in [
        1,
        900100,
        900200,
        900300,
        900999,
        scenario::DOCUMENTED_ACTION,
    ] {
        let answer = get(&server, 37, action);
        assert_eq!(answer.status, 404, "action {action}");
        let request_id = answer.header("x-request-id").unwrap().to_owned();
        assert_eq!(
            answer.json(),
            json!({
                "id": "not_found",
                "message": "The resource you requested could not be found.",
                "request_id": request_id
            })
        );
    }
}
