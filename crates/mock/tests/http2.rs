//! HTTP/2: with prior knowledge on plain HTTP, by ALPN over TLS, and the scenarios over it.

mod common;

use common::h2::{self, Negotiated, Transport};
use droplet_action_mock::{DEFAULT_TOKEN, MockServer, scenario};
use droplet_action_model::DOCUMENTED_ACTION_JSON;
use rustls::ProtocolVersion;
use rustls::version::{TLS12, TLS13};

const DOCUMENTED: &str = "/v2/droplets/3164444/actions/36804636";

#[test]
fn prior_knowledge_on_plain_http_serves_many_requests_on_one_connection() {
    let server = MockServer::start().unwrap();
    let paths = [DOCUMENTED; 3];
    let (negotiated, answers) =
        h2::get(server.port(), &Transport::Plain, DEFAULT_TOKEN, &paths).unwrap();
    assert_eq!(negotiated, None);
    let mut remaining = Vec::new();
    for answer in answers {
        let answer = answer.unwrap();
        assert_eq!(answer.version, hyper::Version::HTTP_2);
        assert_eq!(answer.status, 200);
        assert_eq!(answer.header("content-type"), Some("application/json"));
        assert_eq!(answer.body, DOCUMENTED_ACTION_JSON.as_bytes());
        remaining.push(answer.header("ratelimit-remaining").unwrap().to_owned());
    }
    assert_eq!(remaining, ["4999", "4998", "4997"]);
    assert_eq!(server.hits(3164444, 36804636), 3);
    let recorded = server.requests();
    assert_eq!(recorded[0].method, "GET");
    assert_eq!(recorded[0].path, DOCUMENTED);
    assert_eq!(
        recorded[0].header("authorization"),
        Some("Bearer mock-token")
    );
}

#[test]
fn a_tls_client_offering_only_h2_gets_h2_over_tls_1_2_and_1_3() {
    let server = MockServer::builder().tls().start().unwrap();
    let (tls12, tls13) = ([&TLS12], [&TLS13]);
    for (versions, version) in [
        (&tls12, ProtocolVersion::TLSv1_2),
        (&tls13, ProtocolVersion::TLSv1_3),
    ] {
        let transport = Transport::Tls {
            ca_pem: server.ca_pem().unwrap(),
            versions: versions.as_slice(),
            alpn: &[b"h2"],
        };
        let (negotiated, answers) =
            h2::get(server.port(), &transport, DEFAULT_TOKEN, &[DOCUMENTED]).unwrap();
        assert_eq!(
            negotiated,
            Some(Negotiated {
                alpn: Some("h2".to_owned()),
                version: Some(version),
            })
        );
        let answer = answers.into_iter().next().unwrap().unwrap();
        assert_eq!(answer.version, hyper::Version::HTTP_2);
        assert_eq!(answer.body, DOCUMENTED_ACTION_JSON.as_bytes());
    }
    assert_eq!(server.hits(3164444, 36804636), 2);
}

#[test]
fn scenarios_answer_over_h2_as_over_http_1_1() {
    let server = MockServer::builder().tls().start().unwrap();
    let transport = Transport::Tls {
        ca_pem: server.ca_pem().unwrap(),
        versions: &[&TLS13],
        alpn: &[b"h2", b"http/1.1"],
    };
    let paths = [
        format!(
            "/v2/droplets/1/actions/{}",
            scenario::in_progress_then_completed(1).unwrap()
        ),
        format!(
            "/v2/droplets/1/actions/{}",
            scenario::in_progress_then_completed(1).unwrap()
        ),
        format!(
            "/v2/droplets/1/actions/{}",
            scenario::TOO_MANY_REQUESTS_ONCE
        ),
        format!("/v2/droplets/1/actions/{}", scenario::LARGE_BODY),
        format!("/v2/droplets/1/actions/{}", scenario::SLOW_BODY),
        format!("/v2/droplets/50/actions/{}", scenario::SLOW_ANSWER),
        format!("/v2/droplets/1/actions/{}", scenario::REDIRECT_OTHER_ORIGIN),
        "/v2/droplets/1/actions/1".to_owned(),
        "/__mock/stats".to_owned(),
    ];
    let paths: Vec<&str> = paths.iter().map(String::as_str).collect();
    let (negotiated, answers) = h2::get(server.port(), &transport, DEFAULT_TOKEN, &paths).unwrap();
    assert_eq!(negotiated.unwrap().alpn.as_deref(), Some("h2"));
    let answers: Vec<_> = answers.into_iter().map(Result::unwrap).collect();
    let statuses: Vec<u16> = answers.iter().map(|a| a.status).collect();
    assert_eq!(statuses, [200, 200, 429, 200, 200, 200, 302, 404, 200]);
    let json = |n: usize| serde_json::from_slice::<serde_json::Value>(&answers[n].body).unwrap();
    assert_eq!(json(0)["action"]["status"], "in-progress");
    assert_eq!(json(1)["action"]["status"], "completed");
    assert_eq!(answers[2].header("retry-after"), Some("1"));
    assert_eq!(answers[3].header("content-length"), Some("16777216"));
    assert_eq!(answers[3].body.len() as u64, scenario::LARGE_BODY_LEN);
    assert_eq!(json(4)["action"]["status"], "completed");
    assert_eq!(json(5)["action"]["id"], 900800);
    let location = format!(
        "https://localhost:{}/v2/droplets/1/actions/900301",
        server.redirect_target_port()
    );
    assert_eq!(answers[6].header("location"), Some(location.as_str()));
    assert_eq!(json(7)["id"], "not_found");
    assert_eq!(json(8)["requests"], 8);
}

#[test]
fn hang_ups_over_h2_end_the_stream_short_or_close_the_connection() {
    let server = MockServer::start().unwrap();
    let truncated = format!("/v2/droplets/1/actions/{}", scenario::TRUNCATED_BODY);
    let closed = format!("/v2/droplets/1/actions/{}", scenario::CLOSE_WITHOUT_ANSWER);
    // The truncated body's stream ends short of its content-length, which the client finds
    // out; the connection goes on.
    let (_, answers) = h2::get(
        server.port(),
        &Transport::Plain,
        DEFAULT_TOKEN,
        &[&truncated, DOCUMENTED],
    )
    .unwrap();
    let error = answers[0].as_ref().unwrap_err();
    assert_eq!(
        error,
        "status 200, body: error reading a body from connection"
    );
    assert_eq!(answers[1].as_ref().unwrap().status, 200);
    // Closing without an answer closes the whole connection.
    let (_, answers) = h2::get(
        server.port(),
        &Transport::Plain,
        DEFAULT_TOKEN,
        &[&closed, DOCUMENTED],
    )
    .unwrap();
    assert!(answers.iter().all(Result::is_err), "{answers:?}");
    assert_eq!(server.hits(1, scenario::TRUNCATED_BODY), 1);
    assert_eq!(server.hits(1, scenario::CLOSE_WITHOUT_ANSWER), 1);
    assert_eq!(server.hits(3164444, 36804636), 1);
}

#[test]
fn a_tls_client_offering_only_http_1_1_gets_http_1_1() {
    let server = MockServer::builder().tls().start().unwrap();
    let transport = Transport::Tls {
        ca_pem: server.ca_pem().unwrap(),
        versions: &[&TLS12],
        alpn: &[b"http/1.1"],
    };
    // The handshake settles on http/1.1, which is then all the connection speaks: an
    // HTTP/2 preface on it is not served.
    let (negotiated, answers) =
        h2::get(server.port(), &transport, DEFAULT_TOKEN, &[DOCUMENTED]).unwrap();
    assert_eq!(
        negotiated,
        Some(Negotiated {
            alpn: Some("http/1.1".to_owned()),
            version: Some(ProtocolVersion::TLSv1_2),
        })
    );
    assert_eq!(
        answers[0].as_ref().unwrap_err(),
        "request: connection error"
    );
    assert_eq!(server.hits(3164444, 36804636), 0);
}

#[test]
fn a_tls_client_offering_no_alpn_may_speak_either() {
    let server = MockServer::builder().tls().start().unwrap();
    let ca_pem = server.ca_pem().unwrap();
    let transport = Transport::Tls {
        ca_pem,
        versions: &[&TLS13],
        alpn: &[],
    };
    let (negotiated, answers) =
        h2::get(server.port(), &transport, DEFAULT_TOKEN, &[DOCUMENTED]).unwrap();
    assert_eq!(negotiated.unwrap().alpn, None);
    let answer = answers.into_iter().next().unwrap().unwrap();
    assert_eq!(answer.version, hyper::Version::HTTP_2);
    assert_eq!(answer.body, DOCUMENTED_ACTION_JSON.as_bytes());
    let http1 = common::tls::exchange(
        server.port(),
        ca_pem,
        &[],
        b"GET /v2/droplets/3164444/actions/36804636 HTTP/1.1\r\nHost: localhost\r\n\
          Authorization: Bearer mock-token\r\nConnection: close\r\n\r\n",
    )
    .unwrap();
    let http1 = String::from_utf8(http1).unwrap();
    assert!(http1.starts_with("HTTP/1.1 200 OK\r\n"), "{http1}");
    assert!(http1.ends_with(DOCUMENTED_ACTION_JSON), "{http1}");
    assert_eq!(server.hits(3164444, 36804636), 2);
}

#[test]
fn a_large_header_is_taken_alike_over_h2_and_http_1_1() {
    let server = MockServer::start().unwrap();
    let url = format!(
        "{}/v2/droplets/{}/actions/{}",
        server.base_url(),
        scenario::DOCUMENTED_DROPLET,
        scenario::DOCUMENTED_ACTION
    );
    let token = format!("Authorization: Bearer {DEFAULT_TOKEN}");
    // 60,000: curl's HTTP/2 library sends no header block over 64 KiB.
    for size in [17_000, 60_000] {
        let big = format!("X-Big: {}", "b".repeat(size));
        for protocol in ["--http2-prior-knowledge", "--http1.1"] {
            let run = common::curl(&[protocol, "-H", &token, "-H", &big, &url]);
            assert_eq!(
                (run.code, run.status),
                (0, 200),
                "{protocol} with a {size}-byte header: {}",
                run.stderr
            );
        }
    }
}
