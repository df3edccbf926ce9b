//! The Rust example, run as a user runs it: with no token it uses the bundled mock server.

use std::path::PathBuf;
use std::process::Command;

fn example() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let profile = exe.parent().unwrap().parent().unwrap();
    profile.join("examples").join("get_action")
}

fn run(args: &[&str]) -> std::process::Output {
    Command::new(example())
        .args(args)
        .env_remove("DIGITALOCEAN_ACCESS_TOKEN")
        .env_remove("DIGITALOCEAN_TOKEN")
        .env_remove("DIGITALOCEAN_API_URL")
        .output()
        .unwrap()
}

#[test]
fn example_prints_the_documented_action_from_the_bundled_mock() {
    let output = run(&["3164444", "36804636"]);
    assert!(output.status.success());
    let printed: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let documented: serde_json::Value =
        serde_json::from_str(droplet_action_model::DOCUMENTED_ACTION_JSON).unwrap();
    assert_eq!(printed, documented);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.starts_with(
            "no DIGITALOCEAN_ACCESS_TOKEN set: using the bundled mock server at http://127.0.0.1:"
        ),
        "{stderr}"
    );
}

#[test]
fn example_waits_until_the_action_completes() {
    let output = run(&["7", "900101", "--wait"]);
    assert!(output.status.success());
    let printed: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(printed["action"]["status"], "completed");
    assert_eq!(printed["action"]["id"], 900101);
}

#[test]
fn example_shows_each_poll_as_a_plain_line_when_not_on_a_terminal() {
    let output = run(&["7", "900102", "--wait", "--poll-interval", "0.05"]);
    assert!(output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    let lines: Vec<String> = stderr
        .lines()
        .skip(1)
        .map(|line| {
            // The elapsed time varies from run to run: the rest is exact.
            let (status, rest) = line.split_once(": ").unwrap();
            let (_elapsed, rest) = rest.split_once("s elapsed").unwrap();
            format!("{status}:{rest}")
        })
        .collect();
    assert_eq!(
        lines,
        [
            "in-progress:, 1 polls, 1 requests, next in 0.1s",
            "in-progress:, 2 polls, 2 requests, next in 0.1s",
            "completed:, 3 polls, 3 requests",
        ]
    );
    assert!(!stderr.contains('\r'), "{stderr:?}");
}

#[test]
fn example_shows_one_live_line_on_a_terminal() {
    // `script` gives the example a terminal; what it wrote comes back on its output.
    let command = format!(
        "{} 7 900102 --wait --poll-interval 0.05",
        example().display()
    );
    let output = Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .env_remove("DIGITALOCEAN_ACCESS_TOKEN")
        .env_remove("DIGITALOCEAN_TOKEN")
        .env_remove("DIGITALOCEAN_API_URL")
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let shown = String::from_utf8_lossy(&output.stdout);
    // Each poll rewrites the line: carriage return, erase the line, the new text.
    let updates: Vec<&str> = shown
        .split("\r\x1b[2K")
        .skip(1)
        .map(|part| {
            part.split(" elapsed")
                .next()
                .unwrap()
                .split(": ")
                .next()
                .unwrap()
        })
        .collect();
    assert_eq!(
        updates,
        ["in-progress", "in-progress", "completed"],
        "{shown:?}"
    );
}

#[test]
fn example_reports_not_found_with_the_request_id_and_exits_1() {
    let output = run(&["1", "2"]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(
            "error: HTTP 404 Not Found: not_found: The resource you requested could not be found."
        ),
        "{stderr}"
    );
    assert!(stderr.contains("\nrequest id: "), "{stderr}");
}

#[test]
fn example_explains_its_usage() {
    let output = run(&["3164444"]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        "usage: get_action <droplet_id> <action_id> [--wait [--poll-interval SECONDS]]\n"
    );
}
