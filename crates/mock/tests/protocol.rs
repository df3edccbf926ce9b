//! What every request is checked for, and what every answer carries.

mod common;

use std::collections::HashSet;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use common::{RawConnection, agent, get, get_with, url};
use droplet_action_mock::{DEFAULT_TOKEN, MockServer, scenario};
use droplet_action_model::DOCUMENTED_ACTION_JSON;
use serde_json::json;

const DOCUMENTED: (i64, i64) = (scenario::DOCUMENTED_DROPLET, scenario::DOCUMENTED_ACTION);

#[test]
fn base_url_is_loopback_without_trailing_slash() {
    let server = MockServer::start().unwrap();
    assert_eq!(
        server.base_url(),
        format!("http://127.0.0.1:{}", server.port())
    );
    assert_ne!(server.port(), 0);
}

#[test]
fn missing_token_is_unauthorized() {
    let server = MockServer::start().unwrap();
    let answer = get_with(&agent(), &url(&server, DOCUMENTED.0, DOCUMENTED.1), None);
    assert_eq!(answer.status, 401);
    assert_eq!(answer.header("content-type"), Some("application/json"));
    let request_id = answer.header("x-request-id").unwrap().to_owned();
    assert_eq!(
        answer.json(),
        json!({"id": "unauthorized", "message": "Unable to authenticate you.", "request_id": request_id})
    );
    assert_eq!(server.hits(DOCUMENTED.0, DOCUMENTED.1), 1);
}

#[test]
fn wrong_token_is_unauthorized() {
    let server = MockServer::start().unwrap();
    let answer = get_with(
        &agent(),
        &url(&server, DOCUMENTED.0, DOCUMENTED.1),
        Some("nope"),
    );
    assert_eq!(answer.status, 401);
    assert_eq!(answer.json()["id"], "unauthorized");
}

#[test]
fn token_is_checked_before_scenarios() {
    let server = MockServer::start().unwrap();
    let action = scenario::in_progress_then_completed(1).unwrap();
    let answer = get_with(&agent(), &url(&server, 1, action), Some("nope"));
    assert_eq!(answer.status, 401);
    // The refused request did not move the scenario on.
    assert_eq!(
        get(&server, 1, action).json()["action"]["status"],
        "in-progress"
    );
    assert_eq!(
        get(&server, 1, action).json()["action"]["status"],
        "completed"
    );
    assert_eq!(server.hits(1, action), 3);
}

#[test]
fn builder_token_replaces_the_default() {
    let server = MockServer::builder().token("s3cret").start().unwrap();
    let target = url(&server, DOCUMENTED.0, DOCUMENTED.1);
    assert_eq!(get_with(&agent(), &target, Some(DEFAULT_TOKEN)).status, 401);
    let answer = get_with(&agent(), &target, Some("s3cret"));
    assert_eq!(answer.status, 200);
    assert_eq!(answer.body, DOCUMENTED_ACTION_JSON.as_bytes());
}

#[test]
fn builder_port_is_used() {
    let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = probe.local_addr().unwrap().port();
    drop(probe);
    let server = MockServer::builder().port(port).start().unwrap();
    assert_eq!(server.port(), port);
    assert_eq!(server.base_url(), format!("http://127.0.0.1:{port}"));
}

#[test]
fn other_methods_are_not_allowed() {
    let server = MockServer::start().unwrap();
    let mut response = agent()
        .post(url(&server, DOCUMENTED.0, DOCUMENTED.1))
        .header("Authorization", format!("Bearer {DEFAULT_TOKEN}"))
        .send("{}")
        .unwrap();
    assert_eq!(response.status(), 405);
    assert_eq!(response.headers()["allow"], "GET");
    assert_eq!(response.headers()["content-type"], "application/json");
    let request_id = response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    let body: serde_json::Value =
        serde_json::from_str(&response.body_mut().read_to_string().unwrap()).unwrap();
    assert_eq!(body["id"], "method_not_allowed");
    assert!(body["message"].is_string());
    assert_eq!(body["request_id"], request_id.as_str());
    let recorded = server.requests();
    assert_eq!(recorded[0].method, "POST");
    assert_eq!(server.hits(DOCUMENTED.0, DOCUMENTED.1), 1);
}

#[test]
fn bad_paths_are_not_found() {
    let server = MockServer::start().unwrap();
    let base = server.base_url();
    for path in [
        "/",
        "/v2/droplets/1",
        "/v2/droplets/1/actions",
        "/v2/droplets/1/actions/",
        "/v2/droplets/0/actions/36804636",
        "/v2/droplets/3164444/actions/0",
        "/v2/droplets/-1/actions/36804636",
        "/v2/droplets/abc/actions/36804636",
        "/v2/droplets/3164444/actions/36804636/extra",
        "/v2/droplets/9223372036854775808/actions/36804636",
        "/v1/droplets/3164444/actions/36804636",
    ] {
        let answer = get_with(&agent(), &format!("{base}{path}"), Some(DEFAULT_TOKEN));
        assert_eq!(answer.status, 404, "{path}");
        let request_id = answer.header("x-request-id").unwrap().to_owned();
        assert_eq!(
            answer.json(),
            json!({
                "id": "not_found",
                "message": "The resource you requested could not be found.",
                "request_id": request_id
            }),
            "{path}"
        );
    }
}

#[test]
fn query_strings_are_ignored_but_recorded() {
    let server = MockServer::start().unwrap();
    let target = format!("{}?page=2", url(&server, DOCUMENTED.0, DOCUMENTED.1));
    let answer = get_with(&agent(), &target, Some(DEFAULT_TOKEN));
    assert_eq!(answer.status, 200);
    assert_eq!(
        server.requests()[0].path,
        "/v2/droplets/3164444/actions/36804636?page=2"
    );
}

#[test]
fn every_answer_carries_rate_limit_and_request_id() {
    let server = MockServer::start().unwrap();
    let start = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let mut resets = HashSet::new();
    let mut ids = HashSet::new();
    let answers = [
        get(&server, DOCUMENTED.0, DOCUMENTED.1),
        get(&server, 1, 1),
        get_with(&agent(), &url(&server, 1, 1), None),
        get(&server, 1, scenario::BAD_GATEWAY_HTML),
    ];
    for (n, answer) in answers.iter().enumerate() {
        assert_eq!(answer.header("ratelimit-limit"), Some("5000"));
        let remaining = (4999 - n).to_string();
        assert_eq!(
            answer.header("ratelimit-remaining"),
            Some(remaining.as_str())
        );
        resets.insert(answer.header("ratelimit-reset").unwrap().to_owned());
        let id = answer.header("x-request-id").unwrap();
        let groups: Vec<usize> = id.split('-').map(str::len).collect();
        assert_eq!(groups, [8, 4, 4, 4, 12], "{id}");
        assert!(
            id.chars().all(|c| c == '-' || c.is_ascii_hexdigit()),
            "{id}"
        );
        ids.insert(id.to_owned());
    }
    assert_eq!(ids.len(), answers.len());
    assert_eq!(resets.len(), 1);
    let reset: i64 = resets.into_iter().next().unwrap().parse().unwrap();
    assert!((start + 3590..=start + 3610).contains(&reset), "{reset}");
}

#[test]
fn requests_are_recorded_in_order_with_headers() {
    let server = MockServer::start().unwrap();
    get(&server, 5, 6);
    get_with(&agent(), &url(&server, 7, 8), None);
    let recorded = server.requests();
    assert_eq!(recorded.len(), 2);
    assert_eq!(recorded[0].method, "GET");
    assert_eq!(recorded[0].path, "/v2/droplets/5/actions/6");
    assert_eq!(
        recorded[0].header("AUTHORIZATION"),
        Some("Bearer mock-token")
    );
    assert_eq!(recorded[1].path, "/v2/droplets/7/actions/8");
    assert_eq!(recorded[1].header("authorization"), None);
    assert_eq!(server.hits(5, 6), 1);
    assert_eq!(server.hits(7, 8), 1);
    assert_eq!(server.hits(6, 5), 0);
}

#[test]
fn recorded_headers_keep_their_order_with_names_in_lower_case() {
    use std::io::{Read, Write};
    let server = MockServer::start().unwrap();
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", server.port())).unwrap();
    stream
        .write_all(
            b"GET /v2/droplets/5/actions/6?x=1 HTTP/1.1\r\nHost: mock\r\nX-B: 1\r\n\
              Authorization: Bearer mock-token\r\nX-A: 2\r\nx-b: 3\r\nConnection: close\r\n\r\n",
        )
        .unwrap();
    stream.read_to_end(&mut Vec::new()).unwrap();
    let recorded = &server.requests()[0];
    assert_eq!(recorded.path, "/v2/droplets/5/actions/6?x=1");
    let headers: Vec<(&str, &str)> = recorded
        .headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        headers,
        [
            ("host", "mock"),
            ("x-b", "1"),
            ("x-b", "3"),
            ("authorization", "Bearer mock-token"),
            ("x-a", "2"),
            ("connection", "close"),
        ]
    );
}

#[test]
fn recording_can_be_turned_off() {
    let server = MockServer::builder()
        .record_requests(false)
        .start()
        .unwrap();
    get(&server, 5, 6);
    assert!(server.requests().is_empty());
    assert_eq!(server.hits(5, 6), 1);
}

#[test]
fn keep_alive_serves_many_requests_on_one_connection() {
    let server = MockServer::start().unwrap();
    let mut connection = RawConnection::open(&server);
    for n in 0..5 {
        connection.send_get(DOCUMENTED.0, DOCUMENTED.1);
        let (status, headers) = connection.read_head();
        assert_eq!(status, "HTTP/1.1 200 OK", "request {n}");
        let body = connection.read_body(headers["content-length"].parse().unwrap());
        assert_eq!(body, DOCUMENTED_ACTION_JSON.as_bytes());
    }
    assert_eq!(server.hits(DOCUMENTED.0, DOCUMENTED.1), 5);
}

#[test]
fn keep_alive_with_one_agent() {
    let server = MockServer::start().unwrap();
    let agent = agent();
    let target = url(&server, DOCUMENTED.0, DOCUMENTED.1);
    for _ in 0..20 {
        let answer = get_with(&agent, &target, Some(DEFAULT_TOKEN));
        assert_eq!(answer.status, 200);
    }
    assert_eq!(server.hits(DOCUMENTED.0, DOCUMENTED.1), 20);
}

#[test]
fn concurrent_keep_alive_clients_are_served_quickly() {
    const CLIENTS: usize = 8;
    const CALLS: usize = 1000;
    let server = MockServer::builder()
        .record_requests(false)
        .start()
        .unwrap();
    let started = Instant::now();
    let last_remaining: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..CLIENTS)
            .map(|_| {
                scope.spawn(|| {
                    let agent = agent();
                    let target = url(&server, DOCUMENTED.0, DOCUMENTED.1);
                    let mut remaining = String::new();
                    for _ in 0..CALLS {
                        let answer = get_with(&agent, &target, Some(DEFAULT_TOKEN));
                        assert_eq!(answer.status, 200);
                        assert_eq!(answer.body.len(), DOCUMENTED_ACTION_JSON.len());
                        remaining = answer.header("ratelimit-remaining").unwrap().to_owned();
                    }
                    remaining
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let elapsed = started.elapsed();
    assert!(elapsed < Duration::from_secs(30), "{elapsed:?}");
    assert_eq!(server.hits(DOCUMENTED.0, DOCUMENTED.1), CLIENTS * CALLS);
    // 8000 requests exhaust the 5000 quota, which stays at 0.
    assert!(
        last_remaining
            .iter()
            .all(|r| r.parse::<u32>().unwrap() < 5000)
    );
    let after = get(&server, DOCUMENTED.0, DOCUMENTED.1);
    assert_eq!(after.header("ratelimit-remaining"), Some("0"));
}

#[test]
fn dropping_the_server_closes_its_listeners_and_connections() {
    let server = MockServer::start().unwrap();
    let port = server.port();
    let target_port = server.redirect_target_port();
    let mut connection = RawConnection::open(&server);
    connection.send_get(DOCUMENTED.0, DOCUMENTED.1);
    let (_, headers) = connection.read_head();
    connection.read_body(headers["content-length"].parse().unwrap());
    let started = Instant::now();
    drop(server);
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(connection.read_until_closed(), b"");
    std::thread::sleep(Duration::from_millis(100));
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err());
    assert!(std::net::TcpStream::connect(("127.0.0.1", target_port)).is_err());
}

#[test]
fn dropping_the_server_cuts_a_slow_answer_short() {
    let server = MockServer::start().unwrap();
    let mut connection = RawConnection::open(&server);
    connection.send_get(60_000, scenario::SLOW_ANSWER);
    std::thread::sleep(Duration::from_millis(100));
    let started = Instant::now();
    drop(server);
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(connection.read_until_closed(), b"");
}

/// The answers of everything `raw` sent, after `shutdown(Write)` when `half_close`: the
/// status lines in order and the whole text.
fn exchange(server: &MockServer, raw: &[u8], half_close: bool) -> (Vec<String>, Vec<u8>) {
    let mut connection = RawConnection::open(server);
    std::io::Write::write_all(connection.reader.get_mut(), raw).unwrap();
    if half_close {
        connection
            .reader
            .get_mut()
            .shutdown(std::net::Shutdown::Write)
            .unwrap();
    }
    let all = connection.read_until_closed();
    let text = String::from_utf8_lossy(&all);
    // Each answer's status line; a body ends where the next answer starts.
    let statuses = text
        .match_indices("HTTP/1.1 ")
        .map(|(at, _)| text[at..].split("\r\n").next().unwrap().to_owned())
        .collect();
    (statuses, all)
}

#[test]
fn a_client_that_shuts_its_side_after_the_request_gets_the_whole_answer() {
    let server = MockServer::start().unwrap();
    // A slow answer (300 ms) and the 17 KiB gzip body, each after the client's shutdown.
    for (droplet, action, length) in [(300, 900800, None), (1, 900701, Some(17_729))] {
        let request = format!(
            "GET /v2/droplets/{droplet}/actions/{action} HTTP/1.1\r\nHost: 127.0.0.1\r\n\
             Authorization: Bearer {DEFAULT_TOKEN}\r\n\r\n"
        );
        let (statuses, all) = exchange(&server, request.as_bytes(), true);
        assert_eq!(statuses, ["HTTP/1.1 200 OK"], "{droplet} {action}");
        let text = String::from_utf8_lossy(&all);
        let head_end = text.find("\r\n\r\n").unwrap() + 4;
        let announced: usize = text
            .lines()
            .find_map(|line| line.strip_prefix("content-length: "))
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        assert_eq!(all.len() - head_end, announced, "{droplet} {action}");
        if let Some(length) = length {
            assert_eq!(announced, length);
        }
    }
}

#[test]
fn a_request_body_is_read_and_the_connection_goes_on() {
    let server = MockServer::start().unwrap();
    for size in [10, 100_000, 2_000_000] {
        let mut raw = format!(
            "POST /v2/droplets/1/actions/2 HTTP/1.1\r\nHost: 127.0.0.1\r\n\
             Authorization: Bearer {DEFAULT_TOKEN}\r\nContent-Length: {size}\r\n\r\n"
        )
        .into_bytes();
        raw.extend(std::iter::repeat_n(b'x', size));
        raw.extend(
            format!(
                "GET /v2/droplets/{}/actions/{} HTTP/1.1\r\nHost: 127.0.0.1\r\n\
                 Authorization: Bearer {DEFAULT_TOKEN}\r\nConnection: close\r\n\r\n",
                DOCUMENTED.0, DOCUMENTED.1
            )
            .bytes(),
        );
        let (statuses, _) = exchange(&server, &raw, false);
        assert_eq!(
            statuses,
            ["HTTP/1.1 405 Method Not Allowed", "HTTP/1.1 200 OK"],
            "a body of {size} bytes"
        );
    }
}

#[test]
fn a_request_body_over_16_mib_is_answered_then_the_connection_closes() {
    let server = MockServer::start().unwrap();
    let size = 16 * 1024 * 1024 + 1;
    let mut connection = RawConnection::open(&server);
    let mut writer = connection.reader.get_ref().try_clone().unwrap();
    let sending = std::thread::spawn(move || {
        let head = format!(
            "POST /v2/droplets/1/actions/2 HTTP/1.1\r\nHost: 127.0.0.1\r\n\
             Authorization: Bearer {DEFAULT_TOKEN}\r\nContent-Length: {size}\r\n\r\n"
        );
        let body = vec![b'x'; size];
        // The mock stops reading past its limit: the end of this write may fail.
        let _ = std::io::Write::write_all(&mut writer, head.as_bytes())
            .and_then(|()| std::io::Write::write_all(&mut writer, &body));
    });
    let (status, headers) = connection.read_head();
    assert_eq!(status, "HTTP/1.1 405 Method Not Allowed");
    assert_eq!(headers.get("connection").map(String::as_str), Some("close"));
    let length: usize = headers["content-length"].parse().unwrap();
    connection.read_body(length);
    assert!(connection.read_until_closed().is_empty());
    sending.join().unwrap();
}
