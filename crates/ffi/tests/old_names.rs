//! The C names of earlier versions are deprecated aliases: a program that uses them gets a
//! deprecation warning for each (an error with -Werror) unless it defines
//! `DROPLET_ACTION_NO_DEPRECATION_WARNINGS`, and then it works as with the current names,
//! under valgrind with no errors or leaks.

mod support;

use std::process::Command;

use droplet_action_mock::MockServer;
use support::{C_FLAGS, compile, last_line, out_dir, repo, run_ok, valgrind};

#[test]
fn old_names_warn_as_deprecated() {
    let exe = out_dir("c").join("test_old_names_warned");
    let output = Command::new("gcc")
        .args(C_FLAGS)
        .arg("-I")
        .arg(repo().join("include"))
        .arg("-c")
        .arg(repo().join("tests/c/test_old_names.c"))
        .arg("-o")
        .arg(&exe)
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    let mut warned: Vec<&str> = stderr
        .lines()
        .filter(|line| line.contains("[-Werror=deprecated-declarations]"))
        .filter_map(|line| line.split('\u{2018}').nth(1)?.split('\u{2019}').next())
        .collect();
    warned.sort_unstable();
    warned.dedup();
    assert_eq!(
        warned,
        [
            "droplet_action_get_opts",
            "droplet_action_wait_opts",
            "droplet_actions_wait",
            "droplet_cancel_free",
            "droplet_cancel_is_triggered",
            "droplet_cancel_new",
            "droplet_cancel_trigger",
        ],
        "{stderr}"
    );
}

#[test]
fn old_names_still_work() {
    let exe = out_dir("c").join("test_old_names");
    let mut flags = C_FLAGS.to_vec();
    flags.push("-DDROPLET_ACTION_NO_DEPRECATION_WARNINGS");
    compile(
        "gcc",
        &flags,
        &[repo().join("tests/c/test_old_names.c")],
        &exe,
        &[],
    );
    let server = MockServer::start().unwrap();
    let output = run_ok(Command::new(&exe).arg(server.base_url()));
    assert_eq!(last_line(&output), "11 passed, 0 failed");
    // A fresh mock: its scenarios count requests per action.
    let server = MockServer::start().unwrap();
    let output = run_ok(valgrind(&exe).arg(server.base_url()));
    assert_eq!(last_line(&output), "11 passed, 0 failed");
}
