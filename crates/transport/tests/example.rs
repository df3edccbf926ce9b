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
        "usage: get_action <droplet_id> <action_id> [--wait]\n"
    );
}
