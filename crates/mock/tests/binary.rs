//! The `droplet-action-mock` binary.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

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
    let rest = line
        .strip_prefix("listening on http://127.0.0.1:")
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
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(10)))
        .build()
        .into();
    agent
        .get(format!(
            "http://127.0.0.1:{port}/v2/droplets/3164444/actions/36804636"
        ))
        .header("Authorization", format!("Bearer {token}"))
        .call()
        .unwrap()
        .status()
        .as_u16()
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
        "36804636", "9001NN", "9002NN", "900301", "900429", "900700", "900901",
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
