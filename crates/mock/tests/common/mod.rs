//! Helpers shared by the integration tests.
#![allow(dead_code, unreachable_pub)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use droplet_action_mock::{DEFAULT_TOKEN, MockServer};
use serde_json::Value;

pub mod h2;
pub mod tls;

/// An agent that returns 4xx/5xx as answers and follows no redirect.
pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into()
}

/// What a test looks at in an answer.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: HashMap<String, String>,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("the body is JSON")
    }

    pub fn text(&self) -> &str {
        std::str::from_utf8(&self.body).expect("the body is UTF-8")
    }
}

pub fn url(server: &MockServer, droplet: i64, action: i64) -> String {
    format!(
        "{}/v2/droplets/{droplet}/actions/{action}",
        server.base_url()
    )
}

/// GET with `token` (none if `None`) through `agent`.
pub fn get_with(agent: &ureq::Agent, url: &str, token: Option<&str>) -> Answer {
    let mut request = agent.get(url);
    if let Some(token) = token {
        request = request.header("Authorization", format!("Bearer {token}"));
    }
    let mut response = request.call().expect("the mock answers");
    let status = response.status().as_u16();
    let headers = response
        .headers()
        .iter()
        .map(|(n, v)| (n.as_str().to_owned(), v.to_str().unwrap().to_owned()))
        .collect();
    let body = response
        .body_mut()
        .with_config()
        .limit(64 * 1024 * 1024)
        .read_to_vec()
        .expect("the body reads");
    Answer {
        status,
        headers,
        body,
    }
}

/// GET `/v2/droplets/{droplet}/actions/{action}` with the default token.
pub fn get(server: &MockServer, droplet: i64, action: i64) -> Answer {
    get_with(&agent(), &url(server, droplet, action), Some(DEFAULT_TOKEN))
}

/// A bare connection, to see exactly what the mock sends and when it hangs up.
pub struct RawConnection {
    pub reader: BufReader<TcpStream>,
}

impl RawConnection {
    pub fn open(server: &MockServer) -> RawConnection {
        let stream = TcpStream::connect(("127.0.0.1", server.port())).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        RawConnection {
            reader: BufReader::new(stream),
        }
    }

    pub fn send_get(&mut self, droplet: i64, action: i64) {
        write!(
            self.reader.get_mut(),
            "GET /v2/droplets/{droplet}/actions/{action} HTTP/1.1\r\nHost: 127.0.0.1\r\n\
             Authorization: Bearer {DEFAULT_TOKEN}\r\n\r\n"
        )
        .unwrap();
    }

    /// The status line and headers (names lowercased) of the next answer.
    pub fn read_head(&mut self) -> (String, HashMap<String, String>) {
        let mut status = String::new();
        self.reader.read_line(&mut status).unwrap();
        let mut headers = HashMap::new();
        loop {
            let mut line = String::new();
            self.reader.read_line(&mut line).unwrap();
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            let (name, value) = line.split_once(':').unwrap();
            headers.insert(name.to_ascii_lowercase(), value.trim().to_owned());
        }
        (status.trim_end().to_owned(), headers)
    }

    /// Reads exactly `len` body bytes.
    pub fn read_body(&mut self, len: usize) -> Vec<u8> {
        let mut body = vec![0; len];
        self.reader.read_exact(&mut body).unwrap();
        body
    }

    /// Everything until the mock closes the connection.
    pub fn read_until_closed(&mut self) -> Vec<u8> {
        let mut rest = Vec::new();
        match self.reader.read_to_end(&mut rest) {
            Ok(_) => rest,
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => rest,
            Err(e) => panic!("reading until the mock hangs up: {e}"),
        }
    }
}

/// An agent like [`agent`] that trusts only `ca_pem`.
pub fn tls_agent(ca_pem: &str) -> ureq::Agent {
    let ca = ureq::tls::Certificate::from_pem(ca_pem.as_bytes()).expect("the CA is PEM");
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_global(Some(Duration::from_secs(30)))
        .tls_config(
            ureq::tls::TlsConfig::builder()
                .root_certs(ureq::tls::RootCerts::new_with_certs(&[ca]))
                .build(),
        )
        .build()
        .into()
}

/// A file in the temporary folder, unique to this process and `name`, holding `contents`.
pub fn temp_file(name: &str, contents: &str) -> std::path::PathBuf {
    let path =
        std::env::temp_dir().join(format!("droplet-action-mock-{}-{name}", std::process::id()));
    std::fs::write(&path, contents).unwrap();
    path
}

/// What `curl` printed and how it exited.
#[derive(Debug)]
pub struct CurlRun {
    /// curl's exit code (0 on success, 60 for an untrusted certificate, ...).
    pub code: i32,
    /// The HTTP status (0 when there was none).
    pub status: u16,
    /// The HTTP version of the answer, as curl names it: `1.1`, `2` (`0` when there was none).
    pub http_version: String,
    pub body: Vec<u8>,
    pub stderr: String,
}

/// Runs `curl -sS` with `args`, at most 30 seconds.
pub fn curl(args: &[&str]) -> CurlRun {
    let output = std::process::Command::new("curl")
        .args([
            "-sS",
            "--max-time",
            "30",
            "-o",
            "-",
            "-w",
            "\n%{http_code} %{http_version}",
        ])
        .args(args)
        .output()
        .expect("curl runs (it is in .ci/run's install list)");
    let stdout = output.stdout;
    let split = stdout.iter().rposition(|b| *b == b'\n').unwrap_or(0);
    let trailer = std::str::from_utf8(&stdout[split..]).unwrap().trim();
    let (status, http_version) = trailer.split_once(' ').unwrap_or((trailer, ""));
    CurlRun {
        code: output.status.code().unwrap_or(-1),
        status: status.parse().unwrap_or(0),
        http_version: http_version.to_owned(),
        body: stdout[..split].to_vec(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}
