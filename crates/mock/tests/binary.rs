//! The `droplet-action-mock` binary.

mod common;

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_droplet-action-mock");

fn spawn(args: &[&str]) -> (Child, String) {
    let mut child = Command::new(BIN)
        .args(args)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.as_mut().unwrap())
        .read_line(&mut line)
        .unwrap();
    (child, line)
}

fn port_of(line: &str) -> u16 {
    port_of_scheme(line, "http")
}

fn port_of_scheme(line: &str, scheme: &str) -> u16 {
    let rest = line
        .strip_prefix(&format!("listening on {scheme}://127.0.0.1:"))
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"));
    assert!(rest.ends_with('\n'));
    rest.trim_end().parse().unwrap()
}

fn signal(child: &Child, name: &str) {
    let status = Command::new("kill")
        .args([format!("-{name}"), child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

fn get(port: u16, token: &str) -> u16 {
    get_path(port, token, "/v2/droplets/3164444/actions/36804636").status
}

fn get_path(port: u16, token: &str, path: &str) -> common::Answer {
    common::get_with(
        &common::agent(),
        &format!("http://127.0.0.1:{port}{path}"),
        Some(token),
    )
}

fn exit_code_of(args: &[&str]) -> (Option<i32>, String) {
    let output = Command::new(BIN).args(args).output().unwrap();
    (
        output.status.code(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

#[test]
fn prints_its_address_serves_and_exits_0_on_sigterm() {
    let (mut child, line) = spawn(&["--port", "0"]);
    let port = port_of(&line);
    assert_eq!(get(port, "mock-token"), 200);
    signal(&child, "TERM");
    let status = child.wait().unwrap();
    assert!(status.success(), "{status:?}");
}

#[test]
fn exits_0_on_sigint_and_takes_a_token() {
    let (mut child, line) = spawn(&["--port=0", "--token", "abc"]);
    let port = port_of(&line);
    assert_eq!(get(port, "abc"), 200);
    assert_eq!(get(port, "mock-token"), 401);
    signal(&child, "INT");
    let status = child.wait().unwrap();
    assert!(status.success(), "{status:?}");
}

#[test]
fn exits_0_on_sigterm_right_after_starting() {
    let (mut child, line) = spawn(&[]);
    port_of(&line);
    signal(&child, "TERM");
    assert!(child.wait().unwrap().success());
}

#[test]
fn help_prints_the_scenario_table() {
    let output = Command::new(BIN).arg("--help").output().unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.starts_with("Usage: droplet-action-mock"));
    for id in [
        "36804636",
        "9001NN",
        "9002NN",
        "5000000+N",
        "6000000+N",
        "900301",
        "900429",
        "900700",
        "900901",
        "--tls",
        "--ca-out FILE",
        "--rate-limit[=PER_MINUTE/PER_HOUR]",
        "--time-scale SCALE",
        "GET /__mock/stats",
    ] {
        assert!(text.contains(id), "{id} missing from --help");
    }
}

#[test]
fn unknown_arguments_are_refused() {
    let mut child = Command::new(BIN)
        .arg("--bogus")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(2));
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert!(stderr.contains("--bogus"));
}

#[test]
fn tls_writes_its_ca_before_announcing_https_and_curl_trusts_it() {
    let ca = std::env::temp_dir().join(format!(
        "droplet-action-mock-{}-bin-ca.pem",
        std::process::id()
    ));
    let _ = std::fs::remove_file(&ca);
    let (mut child, line) = spawn(&["--tls", "--ca-out", ca.to_str().unwrap()]);
    let port = port_of_scheme(&line, "https");
    let pem = std::fs::read_to_string(&ca).unwrap();
    assert!(pem.starts_with("-----BEGIN CERTIFICATE-----\n"));
    let run = common::curl(&[
        "--cacert",
        ca.to_str().unwrap(),
        &format!("https://127.0.0.1:{port}/v2/droplets/3164444/actions/36804636"),
        "-H",
        "Authorization: Bearer mock-token",
    ]);
    assert_eq!((run.code, run.status), (0, 200), "{}", run.stderr);
    assert_eq!(
        run.body,
        droplet_action_model::DOCUMENTED_ACTION_JSON.as_bytes()
    );
    signal(&child, "TERM");
    assert!(child.wait().unwrap().success());
    let _ = std::fs::remove_file(ca);
}

#[test]
fn rate_limit_and_time_scale_flags_play_the_windows_and_stats_count_them() {
    // At 6, the minute lasts ten real seconds.
    let (mut child, line) = spawn(&["--rate-limit=2/100", "--time-scale", "6"]);
    let port = port_of(&line);
    let path = "/v2/droplets/1/actions/2";
    let started = std::time::Instant::now();
    let answers: Vec<_> = (0..3).map(|_| get_path(port, "mock-token", path)).collect();
    let elapsed = started.elapsed().as_secs_f64();
    let statuses: Vec<u16> = answers.iter().map(|a| a.status).collect();
    assert_eq!(statuses, [404, 404, 429]);
    // Ten seconds less the time since the first request, rounded up: 10 under a second.
    let retry_after: f64 = answers[2].header("retry-after").unwrap().parse().unwrap();
    assert!(
        retry_after <= 10.0 && retry_after >= (10.0 - elapsed).ceil(),
        "{retry_after} after {elapsed}"
    );
    assert_eq!(answers[2].header("ratelimit-limit"), Some("100"));
    assert_eq!(answers[2].header("ratelimit-remaining"), Some("98"));
    // Another process reads the counters over HTTP.
    let stats = get_path(port, "any", "/__mock/stats");
    assert_eq!(stats.status, 200);
    assert_eq!(
        stats.text(),
        r#"{"requests":3,"tokens":{"mock-token":{"requests":3,"too_many_requests":1}},"too_many_requests":1}"#
    );
    signal(&child, "TERM");
    assert!(child.wait().unwrap().success());
}

#[test]
fn rate_limit_without_numbers_is_digitaloceans() {
    let (mut child, line) = spawn(&["--rate-limit"]);
    let port = port_of(&line);
    let answer = get_path(port, "mock-token", "/v2/droplets/3164444/actions/36804636");
    assert_eq!(answer.status, 200);
    assert_eq!(answer.header("ratelimit-limit"), Some("5000"));
    assert_eq!(answer.header("ratelimit-remaining"), Some("4999"));
    signal(&child, "TERM");
    assert!(child.wait().unwrap().success());
}

#[test]
fn every_token_given_is_accepted() {
    let (mut child, line) = spawn(&["--token", "a", "--token=b"]);
    let port = port_of(&line);
    assert_eq!(get(port, "a"), 200);
    assert_eq!(get(port, "b"), 200);
    assert_eq!(get(port, "mock-token"), 401);
    signal(&child, "TERM");
    assert!(child.wait().unwrap().success());
}

#[test]
fn wrong_mode_flags_are_refused_with_2() {
    for (args, message) in [
        (&["--ca-out", "x.pem"][..], "--ca-out needs --tls"),
        (&["--tls=yes"][..], "--tls takes no value"),
        (
            &["--rate-limit=0/5"][..],
            "--rate-limit wants PER_MINUTE/PER_HOUR",
        ),
        (
            &["--rate-limit=250"][..],
            "--rate-limit wants PER_MINUTE/PER_HOUR",
        ),
        (
            &["--time-scale", "0"][..],
            "--time-scale wants a number from 0.001 to 1000000",
        ),
        (
            &["--time-scale", "NaN"][..],
            "--time-scale wants a number from 0.001 to 1000000",
        ),
        (&["--time-scale"][..], "--time-scale needs a value"),
    ] {
        let (code, stderr) = exit_code_of(args);
        assert_eq!(code, Some(2), "{args:?}");
        assert!(stderr.contains(message), "{args:?}: {stderr}");
    }
}

#[test]
fn help_to_a_reader_that_went_away_exits_cleanly() {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let output = Command::new(BIN)
        .arg("--help")
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");
}
