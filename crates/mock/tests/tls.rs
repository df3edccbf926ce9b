//! TLS mode: the certificates, what trusts them and what does not, and the scenarios over
//! HTTPS.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use common::{agent, curl, get_with, temp_file, tls_agent};
use droplet_action_mock::{DEFAULT_TOKEN, MockServer, scenario};
use droplet_action_model::DOCUMENTED_ACTION_JSON;
use serde_json::json;

/// How ureq (on rustls) reports a certificate from an unknown CA.
const UNKNOWN_ISSUER: &str =
    "Io(Custom { kind: InvalidData, error: InvalidCertificate(UnknownIssuer) })";

fn tls_server() -> MockServer {
    MockServer::builder().tls().start().unwrap()
}

fn documented_url(server: &MockServer) -> String {
    format!(
        "{}/v2/droplets/{}/actions/{}",
        server.base_url(),
        scenario::DOCUMENTED_DROPLET,
        scenario::DOCUMENTED_ACTION
    )
}

#[test]
fn base_url_is_https_and_the_ca_is_one_pem_certificate() {
    let server = tls_server();
    assert_eq!(
        server.base_url(),
        format!("https://127.0.0.1:{}", server.port())
    );
    let pem = server.ca_pem().unwrap();
    assert_eq!(pem.matches("-----BEGIN CERTIFICATE-----\n").count(), 1);
    assert!(pem.ends_with("\n-----END CERTIFICATE-----\n"));
    assert!(pem.lines().all(|line| line.len() <= 64));
}

#[test]
fn curl_with_the_ca_gets_the_documented_action() {
    let server = tls_server();
    let ca = temp_file("curl-ca.pem", server.ca_pem().unwrap());
    let run = curl(&[
        "--cacert",
        ca.to_str().unwrap(),
        &documented_url(&server),
        "-H",
        "Authorization: Bearer mock-token",
    ]);
    assert_eq!((run.code, run.status), (0, 200), "{}", run.stderr);
    assert_eq!(run.body, DOCUMENTED_ACTION_JSON.as_bytes());
    let _ = std::fs::remove_file(ca);
}

#[test]
fn curl_with_the_ca_trusts_localhost_too() {
    let server = tls_server();
    let ca = temp_file("curl-localhost-ca.pem", server.ca_pem().unwrap());
    let url = format!(
        "https://localhost:{}/v2/droplets/3164444/actions/36804636",
        server.port()
    );
    let run = curl(&[
        "--cacert",
        ca.to_str().unwrap(),
        "--resolve",
        &format!("localhost:{}:127.0.0.1", server.port()),
        &url,
        "-H",
        "Authorization: Bearer mock-token",
    ]);
    assert_eq!((run.code, run.status), (0, 200), "{}", run.stderr);
    assert_eq!(run.body, DOCUMENTED_ACTION_JSON.as_bytes());
    let _ = std::fs::remove_file(ca);
}

#[test]
fn curl_with_another_servers_ca_refuses_the_certificate() {
    let server = tls_server();
    let other = tls_server();
    let ca = temp_file("curl-other-ca.pem", other.ca_pem().unwrap());
    let run = curl(&[
        "--cacert",
        ca.to_str().unwrap(),
        &documented_url(&server),
        "-H",
        "Authorization: Bearer mock-token",
    ]);
    // 60: peer certificate cannot be authenticated with known CA certificates.
    assert_eq!((run.code, run.status), (60, 0), "{}", run.stderr);
    assert!(run.body.is_empty());
    assert_eq!(server.hits(3164444, 36804636), 0);
    let _ = std::fs::remove_file(ca);
}

#[test]
fn ureq_with_the_ca_gets_the_documented_action() {
    let server = tls_server();
    let answer = get_with(
        &tls_agent(server.ca_pem().unwrap()),
        &documented_url(&server),
        Some(DEFAULT_TOKEN),
    );
    assert_eq!(answer.status, 200);
    assert_eq!(answer.body, DOCUMENTED_ACTION_JSON.as_bytes());
    assert_eq!(answer.header("ratelimit-remaining"), Some("4999"));
    assert_eq!(server.hits(3164444, 36804636), 1);
}

#[test]
fn ureq_with_the_webpki_roots_fails_the_handshake() {
    let server = tls_server();
    let error = agent()
        .get(documented_url(&server))
        .header("Authorization", "Bearer mock-token")
        .call()
        .unwrap_err();
    assert_eq!(format!("{error:?}"), UNKNOWN_ISSUER);
    assert_eq!(server.hits(3164444, 36804636), 0);
}

#[test]
fn a_ca_trusts_its_own_server_only() {
    let first = tls_server();
    let second = tls_server();
    assert_ne!(first.ca_pem(), second.ca_pem());
    let error = tls_agent(first.ca_pem().unwrap())
        .get(documented_url(&second))
        .call()
        .unwrap_err();
    assert_eq!(format!("{error:?}"), UNKNOWN_ISSUER);
}

#[test]
fn plain_http_to_the_tls_port_is_answered_400_and_the_server_goes_on() {
    let server = tls_server();
    let plain = format!(
        "http://127.0.0.1:{}/v2/droplets/3164444/actions/36804636",
        server.port()
    );
    let mut response = agent()
        .get(&plain)
        .header("Authorization", "Bearer mock-token")
        .call()
        .unwrap();
    assert_eq!(response.status(), 400);
    assert_eq!(response.headers()["connection"], "close");
    let body: serde_json::Value =
        serde_json::from_str(&response.body_mut().read_to_string().unwrap()).unwrap();
    assert_eq!(
        body,
        json!({
            "id": "bad_request",
            "message": "This port speaks HTTPS; the request was sent as plain HTTP."
        })
    );
    // Nothing reached the API, and HTTPS is served as before.
    assert_eq!(server.hits(3164444, 36804636), 0);
    let answer = get_with(
        &tls_agent(server.ca_pem().unwrap()),
        &documented_url(&server),
        Some(DEFAULT_TOKEN),
    );
    assert_eq!(answer.body, DOCUMENTED_ACTION_JSON.as_bytes());
}

#[test]
fn a_client_that_sends_garbage_is_answered_and_closed() {
    let server = tls_server();
    let mut stream = TcpStream::connect(("127.0.0.1", server.port())).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream.write_all(b"\x00\x01\x02\r\n\r\n").unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    // Not HTTP either: hyper's own 400, without a body, and the connection closes.
    assert!(
        answer
            .starts_with("HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n"),
        "{answer}"
    );
    assert!(answer.ends_with("\r\n\r\n"), "{answer}");
    // The server goes on serving HTTPS.
    let answer = get_with(
        &tls_agent(server.ca_pem().unwrap()),
        &documented_url(&server),
        Some(DEFAULT_TOKEN),
    );
    assert_eq!(answer.body, DOCUMENTED_ACTION_JSON.as_bytes());
}

/// Status and body of each scenario, plain and over TLS, from fresh servers.
#[test]
fn scenarios_answer_over_tls_as_over_plain_http() {
    let plain = MockServer::start().unwrap();
    let tls = tls_server();
    let tls_agent = tls_agent(tls.ca_pem().unwrap());
    let cases = [
        (scenario::DOCUMENTED_DROPLET, scenario::DOCUMENTED_ACTION),
        (1, scenario::in_progress_then_completed(1).unwrap()),
        (1, scenario::in_progress_then_completed(1).unwrap()),
        (1, scenario::in_progress_then_errored(1).unwrap()),
        (1, scenario::in_progress_then_errored(1).unwrap()),
        (1, scenario::REDIRECT_SAME_ORIGIN),
        (1, scenario::ALWAYS_UNAUTHORIZED),
        (1, scenario::TOO_MANY_REQUESTS_ONCE),
        (1, scenario::TOO_MANY_REQUESTS_ONCE),
        (1, scenario::SERVER_ERROR_TWICE),
        (1, scenario::BAD_GATEWAY_HTML),
        (1, scenario::SERVICE_UNAVAILABLE_TWICE),
        (1, scenario::ALWAYS_SERVER_ERROR),
        (1, scenario::MALFORMED_JSON),
        (1, scenario::UNKNOWN_FIELDS),
        (1, scenario::NULL_FIELDS),
        (1, scenario::HUGE_IDS),
        (1, scenario::EMPTY_ACTION),
        (1, scenario::EMBEDDED_NUL),
        (1, scenario::HTML_OK),
        (1, scenario::FRACTIONAL_TIMESTAMPS),
        (1, scenario::LARGE_BODY),
        (50, scenario::SLOW_ANSWER),
        (1, 1),
    ];
    let mut statuses = Vec::new();
    for (droplet, action) in cases {
        let path = format!("/v2/droplets/{droplet}/actions/{action}");
        let over_plain = get_with(
            &agent(),
            &format!("{}{path}", plain.base_url()),
            Some(DEFAULT_TOKEN),
        );
        let over_tls = get_with(
            &tls_agent,
            &format!("{}{path}", tls.base_url()),
            Some(DEFAULT_TOKEN),
        );
        assert_eq!(over_tls.status, over_plain.status, "{path}");
        assert_eq!(
            without_request_id(&over_tls.body),
            without_request_id(&over_plain.body),
            "{path}"
        );
        assert_eq!(
            over_tls.header("content-type"),
            over_plain.header("content-type"),
            "{path}"
        );
        statuses.push(over_tls.status);
    }
    assert_eq!(
        statuses,
        [
            200, 200, 200, 200, 200, 302, 401, 429, 200, 500, 502, 503, 500, 200, 200, 200, 200,
            200, 200, 200, 200, 200, 200, 404
        ]
    );
}

/// The body, less the `request_id` of error bodies (which differs from server to server).
fn without_request_id(body: &[u8]) -> Vec<u8> {
    match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(serde_json::Value::Object(mut object)) => {
            object.remove("request_id");
            serde_json::to_vec(&object).unwrap()
        }
        _ => body.to_vec(),
    }
}

#[test]
fn gzip_bomb_and_slow_body_arrive_whole_over_tls() {
    let server = tls_server();
    let agent = tls_agent(server.ca_pem().unwrap());
    let base = server.base_url();
    let mut response = agent
        .get(format!(
            "{base}/v2/droplets/1/actions/{}",
            scenario::GZIP_BOMB
        ))
        .header("Authorization", "Bearer mock-token")
        .header("Accept-Encoding", "identity")
        .call()
        .unwrap();
    assert_eq!(response.headers()["content-encoding"], "gzip");
    let compressed = response
        .body_mut()
        .with_config()
        .limit(1 << 20)
        .read_to_vec()
        .unwrap();
    assert_eq!(
        compressed.len().to_string(),
        response.headers()["content-length"].to_str().unwrap()
    );
    let started = Instant::now();
    let slow = get_with(
        &agent,
        &format!("{base}/v2/droplets/1/actions/{}", scenario::SLOW_BODY),
        Some(DEFAULT_TOKEN),
    );
    assert!(started.elapsed() >= Duration::from_millis(4500));
    assert_eq!(slow.json()["action"]["status"], "completed");
}

#[test]
fn redirect_to_the_other_origin_stays_https() {
    let server = tls_server();
    let agent = tls_agent(server.ca_pem().unwrap());
    let answer = get_with(
        &agent,
        &format!(
            "{}/v2/droplets/7/actions/{}",
            server.base_url(),
            scenario::REDIRECT_OTHER_ORIGIN
        ),
        Some(DEFAULT_TOKEN),
    );
    assert_eq!(answer.status, 302);
    let location = answer.header("location").unwrap();
    assert_eq!(
        location,
        format!(
            "https://localhost:{}/v2/droplets/7/actions/900301",
            server.redirect_target_port()
        )
    );
    // The other origin serves the same certificate, valid for localhost.
    let followed = get_with(&agent, location, None);
    assert_eq!(followed.status, 200);
    assert_eq!(followed.json()["action"]["id"], 900301);
    assert_eq!(server.redirect_target_requests().len(), 1);
}

#[test]
fn hang_ups_reach_a_tls_client_as_errors() {
    let server = tls_server();
    let agent = tls_agent(server.ca_pem().unwrap());
    for action in [scenario::TRUNCATED_BODY, scenario::CLOSE_WITHOUT_ANSWER] {
        let url = format!("{}/v2/droplets/1/actions/{action}", server.base_url());
        let outcome = agent
            .get(&url)
            .header("Authorization", "Bearer mock-token")
            .call()
            .and_then(|mut r| r.body_mut().read_to_vec());
        assert!(outcome.is_err(), "{action}: {outcome:?}");
    }
    assert_eq!(server.hits(1, scenario::TRUNCATED_BODY), 1);
    assert_eq!(server.hits(1, scenario::CLOSE_WITHOUT_ANSWER), 1);
}

#[test]
fn hang_ups_end_the_tls_session_with_close_notify() {
    let server = tls_server();
    let request = |action: i64| {
        format!(
            "GET /v2/droplets/1/actions/{action} HTTP/1.1\r\nHost: localhost\r\n\
             Authorization: Bearer mock-token\r\n\r\n"
        )
    };
    let ca = server.ca_pem().unwrap();
    // Read to the end of a session that ended cleanly: the head, and 100 of 1,000 bytes.
    let truncated = common::tls::exchange(
        server.port(),
        ca,
        &[b"http/1.1"],
        request(scenario::TRUNCATED_BODY).as_bytes(),
    )
    .unwrap();
    let truncated = String::from_utf8(truncated).unwrap();
    let (head, body) = truncated.split_once("\r\n\r\n").unwrap();
    assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
    assert!(head.contains("\r\ncontent-length: 1000\r\n"), "{head}");
    assert_eq!(body.len(), scenario::TRUNCATED_SENT);
    assert!(body.starts_with("{\"action\":{"));
    // Nothing at all, and a clean end.
    let closed = common::tls::exchange(
        server.port(),
        ca,
        &[b"http/1.1"],
        request(scenario::CLOSE_WITHOUT_ANSWER).as_bytes(),
    );
    assert_eq!(closed, Ok(Vec::new()));
}

#[test]
fn keep_alive_serves_many_requests_on_one_tls_connection() {
    let server = tls_server();
    let agent = tls_agent(server.ca_pem().unwrap());
    for n in 0..20 {
        let answer = get_with(&agent, &documented_url(&server), Some(DEFAULT_TOKEN));
        assert_eq!(answer.status, 200, "{n}");
        let remaining = (4999 - n).to_string();
        assert_eq!(
            answer.header("ratelimit-remaining"),
            Some(remaining.as_str())
        );
    }
    assert_eq!(server.hits(3164444, 36804636), 20);
}

#[test]
fn python_trusts_the_ca_from_ssl_cert_file_in_strict_mode() {
    let server = tls_server();
    let ca = temp_file("python-ca.pem", server.ca_pem().unwrap());
    let script = r#"
import json, os, ssl, sys, urllib.request
context = ssl.create_default_context()
context.verify_flags |= ssl.VERIFY_X509_STRICT
request = urllib.request.Request(sys.argv[1], headers={"Authorization": "Bearer mock-token"})
with urllib.request.urlopen(request, context=context, timeout=30) as answer:
    print(answer.status, json.load(answer)["action"]["id"])
"#;
    let output = std::process::Command::new("python3")
        .args(["-c", script, &documented_url(&server)])
        .env("SSL_CERT_FILE", &ca)
        .output()
        .expect("python3 runs");
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "200 36804636\n",
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let _ = std::fs::remove_file(ca);
}

#[test]
fn dropping_a_tls_server_closes_its_connections_and_ports() {
    let server = tls_server();
    let port = server.port();
    let target_port = server.redirect_target_port();
    let agent = tls_agent(server.ca_pem().unwrap());
    // An open, idle TLS connection.
    let _ = get_with(&agent, &documented_url(&server), Some(DEFAULT_TOKEN));
    let mut idle = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let started = Instant::now();
    drop(server);
    assert!(started.elapsed() < Duration::from_secs(2));
    idle.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut rest = Vec::new();
    let _ = idle.read_to_end(&mut rest);
    assert!(rest.is_empty());
    std::thread::sleep(Duration::from_millis(100));
    assert!(TcpStream::connect(("127.0.0.1", port)).is_err());
    assert!(TcpStream::connect(("127.0.0.1", target_port)).is_err());
}

#[test]
fn concurrent_tls_clients_on_kept_alive_connections_are_all_served() {
    const CLIENTS: usize = 4;
    const CALLS: usize = 100;
    let server = MockServer::builder()
        .tls()
        .record_requests(false)
        .start()
        .unwrap();
    let started = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..CLIENTS {
            scope.spawn(|| {
                let agent = tls_agent(server.ca_pem().unwrap());
                for _ in 0..CALLS {
                    let answer = get_with(&agent, &documented_url(&server), Some(DEFAULT_TOKEN));
                    assert_eq!(answer.body, DOCUMENTED_ACTION_JSON.as_bytes());
                }
            });
        }
    });
    assert!(started.elapsed() < Duration::from_secs(30));
    assert_eq!(server.hits(3164444, 36804636), CLIENTS * CALLS);
    assert_eq!(server.stats().requests, (CLIENTS * CALLS) as u64);
}
