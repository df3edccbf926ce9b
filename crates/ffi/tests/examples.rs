//! The C, C++ and Python examples, built and run against the mock server as a user would.

mod support;

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

use droplet_action_mock::{DEFAULT_TOKEN, MockServer};
use support::*;

fn with_mock_env<'a>(command: &'a mut Command, server: &MockServer) -> &'a mut Command {
    command
        .env_remove("DIGITALOCEAN_TOKEN")
        .env("DIGITALOCEAN_ACCESS_TOKEN", DEFAULT_TOKEN)
        .env("DIGITALOCEAN_API_URL", server.base_url())
}

/// examples/c/get_action.c, compiled once for every test of this file.
fn c_example() -> PathBuf {
    static EXE: OnceLock<PathBuf> = OnceLock::new();
    EXE.get_or_init(|| {
        let exe = out_dir("examples").join("get_action_c");
        compile(
            "gcc",
            C_FLAGS,
            &[repo().join("examples/c/get_action.c")],
            &exe,
            &[],
        );
        exe
    })
    .clone()
}

#[test]
fn c_example_prints_the_documented_action() {
    let exe = c_example();
    let server = MockServer::start().unwrap();
    let output = run_ok(with_mock_env(
        Command::new(&exe).args(["3164444", "36804636"]),
        &server,
    ));
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "action 36804636: create completed, nyc3, completed at 2020-11-14T16:30:06Z\n"
    );
}

#[test]
fn c_example_reports_an_api_error_and_exits_1() {
    let exe = c_example();
    let server = MockServer::start().unwrap();
    let output = with_mock_env(Command::new(&exe).args(["1", "2"]), &server)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.starts_with(
            "error (API error): HTTP 404 Not Found: not_found: The resource you requested could not be found."
        ),
        "{stderr}"
    );
}

/// examples/c/wait_many_curl.c, compiled once.
fn curl_example() -> PathBuf {
    static EXE: OnceLock<PathBuf> = OnceLock::new();
    EXE.get_or_init(|| {
        let exe = out_dir("examples").join("wait_many_curl");
        compile(
            "gcc",
            C_FLAGS,
            &[repo().join("examples/c/wait_many_curl.c")],
            &exe,
            &["-lcurl"],
        );
        exe
    })
    .clone()
}

#[test]
fn c_example_waits_for_a_thousand_actions_from_one_thread_through_curl_multi() {
    let server = MockServer::start().unwrap();
    // 900103: in progress for three polls, completed at the fourth; a poll every 20 ms.
    let output = run_ok(with_mock_env(
        Command::new(curl_example()).args(["20", "--range", "1000", "900103"]),
        &server,
    ));
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "1000 waits on 1 thread(s): 1000 completed, 0 not; 4000 polls, 4000 requests\n"
    );
    assert_eq!(
        (1..=1000).map(|d| server.hits(d, 900103)).sum::<usize>(),
        4000
    );
}

#[test]
fn c_example_reports_each_wait_that_did_not_complete_and_frees_everything() {
    let server = MockServer::start().unwrap();
    let output = with_mock_env(
        valgrind(&curl_example()).args([
            "20",
            "3164444:36804636",
            "5:900202",
            "5:900401",
            "5:900102",
        ]),
        &server,
    )
    .output()
    .unwrap();
    assert_no_definite_leak(&output);
    let report = String::from_utf8_lossy(&output.stderr);
    assert!(
        !report.contains("Invalid") && !report.contains("uninitialised"),
        "{report}"
    );
    assert_eq!(output.status.code(), Some(1), "{report}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let mut lines: Vec<&str> = stdout.lines().collect();
    let summary = lines.pop().unwrap();
    lines.sort_unstable();
    assert_eq!(lines.len(), 2, "{stdout}");
    assert_eq!(
        lines[0],
        "5:900202 action errored: action 900202 ended with status errored"
    );
    assert!(
        lines[1].starts_with("5:900401 API error: HTTP 401 Unauthorized: unauthorized"),
        "{stdout}"
    );
    assert!(summary.starts_with("4 waits on "), "{summary}");
    assert!(
        summary.ends_with(" thread(s): 2 completed, 2 not; 8 polls, 8 requests"),
        "{summary}"
    );
}

#[test]
fn cpp_example_prints_the_documented_action_without_manual_frees() {
    let exe = out_dir("examples").join("get_action_cpp");
    compile(
        "g++",
        CXX_FLAGS,
        &[repo().join("examples/cpp/get_action.cpp")],
        &exe,
        &[],
    );
    let server = MockServer::start().unwrap();
    let output = run_ok(with_mock_env(
        Command::new(&exe).args(["3164444", "36804636"]),
        &server,
    ));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        server.requests()[0].path,
        "/v2/droplets/3164444/actions/36804636"
    );
    assert!(
        stdout.starts_with("action 36804636: create completed in New York 3 (HTTP 200, request "),
        "{stdout}"
    );
}

#[test]
fn header_compiles_as_c11_and_cpp17_on_its_own() {
    let dir = out_dir("header");
    let c = dir.join("only_header.c");
    std::fs::write(
        &c,
        "#include \"droplet_action.h\"\nint main(void) { return DROPLET_STATUS_OK; }\n",
    )
    .unwrap();
    compile("gcc", C_FLAGS, &[c], &dir.join("only_header_c"), &[]);
    let cpp = dir.join("only_header.cpp");
    std::fs::write(
        &cpp,
        "#include \"droplet_action.h\"\nint main() { return DROPLET_STATUS_OK; }\n",
    )
    .unwrap();
    compile("g++", CXX_FLAGS, &[cpp], &dir.join("only_header_cpp"), &[]);
}

#[test]
fn python_example_prints_the_documented_action_as_json() {
    let server = MockServer::start().unwrap();
    let output = run_ok(
        with_mock_env(
            Command::new("python3")
                .arg(repo().join("examples/python/get_action.py"))
                .args(["3164444", "36804636"]),
            &server,
        )
        .env("DROPLET_ACTION_LIB", lib_dir().join("libdroplet_action.so")),
    );
    let printed: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    // The example prints every field; the documented answer has them all, so the two agree.
    let expected: serde_json::Value =
        serde_json::from_str(droplet_action_model::DOCUMENTED_ACTION_JSON).unwrap();
    assert_eq!(printed, expected);
}

#[test]
fn python_example_reports_an_api_error() {
    let server = MockServer::start().unwrap();
    let output = with_mock_env(
        Command::new("python3")
            .arg(repo().join("examples/python/get_action.py"))
            .args(["1", "2"]),
        &server,
    )
    .env("DROPLET_ACTION_LIB", lib_dir().join("libdroplet_action.so"))
    .output()
    .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&output.stderr)
            .starts_with("error (API error): HTTP 404 Not Found"),
    );
}
