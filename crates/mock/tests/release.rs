//! The binary users run (`cargo build --release`), not this test build: TLS 1.2 and 1.3,
//! HTTP/2 by ALPN and with prior knowledge, HTTP/1.1, to curl and to a client that offers
//! only h2.

mod common;

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;

use common::h2::{self, Negotiated, Transport};
use droplet_action_mock::DEFAULT_TOKEN;
use droplet_action_model::DOCUMENTED_ACTION_JSON;
use rustls::ProtocolVersion;
use rustls::version::{TLS12, TLS13};

const DOCUMENTED: &str = "/v2/droplets/3164444/actions/36804636";

/// Builds the release binary with cargo (as users and the Python tests get it) and gives its
/// path, read from cargo's own report of what it built.
fn release_binary() -> &'static PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let output = Command::new(cargo)
            .args([
                "build",
                "--release",
                "--quiet",
                "--message-format=json",
                "-p",
                "droplet-action-mock",
                "--bin",
                "droplet-action-mock",
                "--manifest-path",
                concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml"),
            ])
            .stderr(Stdio::inherit())
            .output()
            .expect("cargo runs");
        assert!(output.status.success(), "cargo build --release failed");
        String::from_utf8(output.stdout)
            .unwrap()
            .lines()
            .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
            .filter(|message| message["reason"] == "compiler-artifact")
            .find_map(|message| message["executable"].as_str().map(PathBuf::from))
            .expect("cargo reports the binary it built")
    })
}

/// A running release binary; killed on drop if a test fails before its SIGTERM.
struct Mock {
    child: Child,
    port: u16,
}

impl Mock {
    fn start(args: &[&str]) -> (Mock, String) {
        let mut child = Command::new(release_binary())
            .args(args)
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.as_mut().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line
            .trim_end()
            .rsplit_once(':')
            .and_then(|(_, port)| port.parse().ok())
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"));
        (Mock { child, port }, line)
    }

    /// SIGTERM, then its exit status must be 0.
    fn stop(mut self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        assert!(self.child.wait().unwrap().success());
    }
}

impl Drop for Mock {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn curl_over_tls_1_2_and_1_3_with_http_2_and_http_1_1() {
    let ca = std::env::temp_dir().join(format!(
        "droplet-action-mock-{}-release-ca.pem",
        std::process::id()
    ));
    let (mock, line) = Mock::start(&["--tls", "--ca-out", ca.to_str().unwrap()]);
    assert_eq!(
        line,
        format!("listening on https://127.0.0.1:{}\n", mock.port)
    );
    let url = format!("https://127.0.0.1:{}{DOCUMENTED}", mock.port);
    let mut versions = Vec::new();
    for protocol in [
        &["--tlsv1.2", "--tls-max", "1.2"][..],
        &["--tlsv1.3"][..],
        &["--tlsv1.2", "--tls-max", "1.2", "--http2"][..],
        &["--tlsv1.3", "--http2"][..],
        &["--tlsv1.2", "--tls-max", "1.2", "--http1.1"][..],
        &["--tlsv1.3", "--http1.1"][..],
    ] {
        let mut args = protocol.to_vec();
        args.extend([
            "--cacert",
            ca.to_str().unwrap(),
            "-H",
            "Authorization: Bearer mock-token",
            &url,
        ]);
        let run = common::curl(&args);
        assert_eq!(
            (run.code, run.status),
            (0, 200),
            "{protocol:?}: {}",
            run.stderr
        );
        assert_eq!(run.body, DOCUMENTED_ACTION_JSON.as_bytes(), "{protocol:?}");
        versions.push(run.http_version);
    }
    // curl offers h2 and http/1.1 unless told otherwise; the mock prefers h2.
    assert_eq!(versions, ["2", "2", "2", "2", "1.1", "1.1"]);
    mock.stop();
    let _ = std::fs::remove_file(ca);
}

#[test]
fn a_client_offering_only_h2_is_served_over_tls_1_2_and_1_3() {
    let ca = std::env::temp_dir().join(format!(
        "droplet-action-mock-{}-release-h2-ca.pem",
        std::process::id()
    ));
    let (mock, _) = Mock::start(&["--tls", "--ca-out", ca.to_str().unwrap()]);
    let ca_pem = std::fs::read_to_string(&ca).unwrap();
    let (tls12, tls13) = ([&TLS12], [&TLS13]);
    for (versions, version) in [
        (&tls12, ProtocolVersion::TLSv1_2),
        (&tls13, ProtocolVersion::TLSv1_3),
    ] {
        let transport = Transport::Tls {
            ca_pem: &ca_pem,
            versions: versions.as_slice(),
            alpn: &[b"h2"],
        };
        let (negotiated, answers) = h2::get(
            mock.port,
            &transport,
            DEFAULT_TOKEN,
            &[DOCUMENTED, DOCUMENTED],
        )
        .unwrap();
        assert_eq!(
            negotiated,
            Some(Negotiated {
                alpn: Some("h2".to_owned()),
                version: Some(version),
            })
        );
        for answer in answers {
            let answer = answer.unwrap();
            assert_eq!(answer.version, hyper::Version::HTTP_2);
            assert_eq!(answer.body, DOCUMENTED_ACTION_JSON.as_bytes());
        }
    }
    mock.stop();
    let _ = std::fs::remove_file(ca);
}

#[test]
fn http_2_with_prior_knowledge_on_plain_http() {
    let (mock, line) = Mock::start(&["--port", "0"]);
    assert_eq!(
        line,
        format!("listening on http://127.0.0.1:{}\n", mock.port)
    );
    let url = format!("http://127.0.0.1:{}{DOCUMENTED}", mock.port);
    let mut versions = Vec::new();
    for protocol in ["--http2-prior-knowledge", "--http1.1"] {
        let run = common::curl(&[protocol, "-H", "Authorization: Bearer mock-token", &url]);
        assert_eq!(
            (run.code, run.status),
            (0, 200),
            "{protocol}: {}",
            run.stderr
        );
        assert_eq!(run.body, DOCUMENTED_ACTION_JSON.as_bytes());
        versions.push(run.http_version);
    }
    assert_eq!(versions, ["2", "1.1"]);
    mock.stop();
}
