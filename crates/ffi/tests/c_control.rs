//! Runs tests/c/test_control.c (cancellation, options, logging, build errors, sans-IO)
//! against the mock server: plain, under valgrind, and under AddressSanitizer.

mod support;

use std::path::PathBuf;
use std::process::Command;

use droplet_action_mock::MockServer;
use support::{
    C_FLAGS, assert_no_definite_leak, compile, last_line, out_dir, repo, run_ok, valgrind,
};

/// The number of checks test_control.c makes when all pass.
const CHECKS: usize = 337;

fn build(name: &str, flags: &[&str]) -> PathBuf {
    let exe = out_dir("c").join(name);
    let mut all = C_FLAGS.to_vec();
    all.extend_from_slice(flags);
    compile(
        "gcc",
        &all,
        &[repo().join("tests/c/test_control.c")],
        &exe,
        &[],
    );
    exe
}

#[test]
fn control_calls_hold_from_c() {
    let exe = build("test_control", &["-O1"]);
    let server = MockServer::start().unwrap();
    let output = run_ok(
        Command::new(&exe)
            .arg(server.base_url())
            .args(["100", "1000"]),
    );
    assert_eq!(last_line(&output), format!("{CHECKS} passed, 0 failed"));
}

#[test]
fn control_calls_hold_under_valgrind_with_no_errors_or_leaks() {
    let exe = build("test_control_valgrind", &["-O0", "-g"]);
    let server = MockServer::start().unwrap();
    let output = run_ok(valgrind(&exe).arg(server.base_url()).args(["1000", "1000"]));
    assert_eq!(last_line(&output), format!("{CHECKS} passed, 0 failed"));
    assert_no_definite_leak(&output);
}

#[test]
fn control_calls_hold_under_address_sanitizer() {
    let exe = build(
        "test_control_asan",
        &["-O1", "-g", "-fsanitize=address", "-fno-omit-frame-pointer"],
    );
    let server = MockServer::start().unwrap();
    let output = run_ok(
        Command::new(&exe)
            .env("ASAN_OPTIONS", "detect_leaks=1:halt_on_error=1")
            .arg(server.base_url())
            .args(["300", "1000"]),
    );
    assert_eq!(last_line(&output), format!("{CHECKS} passed, 0 failed"));
}
