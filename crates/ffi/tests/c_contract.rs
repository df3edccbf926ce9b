//! The C test program (tests/c/test_ffi.c) against the mock server: plain, under valgrind,
//! and under AddressSanitizer; and the shape of the shared library.

mod support;

use std::process::Command;

use droplet_action_mock::MockServer;
use support::*;

/// How many checks test_ffi.c makes; a change to the program changes this on purpose.
const CHECKS: usize = 273;

fn build_test_program(name: &str, extra_flags: &[&str]) -> std::path::PathBuf {
    let exe = out_dir("c").join(name);
    let mut flags = C_FLAGS.to_vec();
    flags.extend_from_slice(extra_flags);
    compile(
        "gcc",
        &flags,
        &[repo().join("tests/c/test_ffi.c")],
        &exe,
        &[],
    );
    exe
}

#[test]
fn c_contract_holds() {
    let exe = build_test_program("test_ffi", &["-O1"]);
    let server = MockServer::start().unwrap();
    let output = run_ok(Command::new(&exe).arg(server.base_url()).arg(dead_url()));
    assert_eq!(last_line(&output), format!("{CHECKS} passed, 0 failed"));
    // 8000 from the threads, one from the example check, one with the wrong token, one
    // from the wait whose deadline 0 is the default.
    assert_eq!(server.hits(3164444, 36804636), 8003);
}

#[test]
fn c_contract_holds_under_valgrind_with_no_errors_or_leaks() {
    let exe = build_test_program("test_ffi_valgrind", &["-O0", "-g"]);
    let server = MockServer::start().unwrap();
    let output = run_ok(
        valgrind(&exe)
            .arg(server.base_url())
            .arg(dead_url())
            .arg("100"),
    );
    assert_eq!(last_line(&output), format!("{CHECKS} passed, 0 failed"));
    assert_no_definite_leak(&output);
}

#[test]
fn c_contract_holds_under_address_sanitizer() {
    let exe = build_test_program(
        "test_ffi_asan",
        &["-O1", "-g", "-fsanitize=address", "-fno-omit-frame-pointer"],
    );
    let server = MockServer::start().unwrap();
    let output = run_ok(
        Command::new(&exe)
            .env("ASAN_OPTIONS", "detect_leaks=1:halt_on_error=1")
            .arg(server.base_url())
            .arg(dead_url())
            .arg("100"),
    );
    assert_eq!(last_line(&output), format!("{CHECKS} passed, 0 failed"));
}

#[test]
fn shared_library_exports_only_droplet_symbols() {
    let output = run_ok(
        Command::new("nm")
            .args(["-D", "--defined-only"])
            .arg(lib_dir().join("libdroplet_action.so")),
    );
    let symbols: Vec<String> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| line.split_whitespace().nth(2).map(str::to_owned))
        .collect();
    let foreign: Vec<&String> = symbols
        .iter()
        .filter(|s| !s.starts_with("droplet_"))
        .collect();
    assert!(foreign.is_empty(), "exported: {foreign:?}");
    for expected in [
        "droplet_action_get",
        "droplet_action_wait",
        "droplet_action_result_free",
        "droplet_client_builder_new",
        "droplet_client_builder_build",
        "droplet_client_new_from_env",
        "droplet_client_free",
        "droplet_status_str",
        "droplet_version",
    ] {
        assert!(
            symbols.iter().any(|s| s == expected),
            "{expected} is not exported"
        );
    }
}

#[test]
fn shared_library_soname_follows_the_version() {
    let output = run_ok(
        Command::new("readelf")
            .arg("-d")
            .arg(lib_dir().join("libdroplet_action.so")),
    );
    let dynamic = String::from_utf8_lossy(&output.stdout);
    assert!(
        dynamic.contains("Library soname: [libdroplet_action.so.0.1]"),
        "{dynamic}"
    );
}

#[test]
fn documented_static_link_line_is_what_rustc_reports() {
    let dir = out_dir("static-libs");
    let empty = dir.join("empty.rs");
    std::fs::write(&empty, "").unwrap();
    let output = run_ok(
        Command::new(std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into()))
            .args(["--crate-type", "staticlib", "--print", "native-static-libs"])
            .arg(&empty)
            .arg("-o")
            .arg(dir.join("libempty.a")),
    );
    let notes = String::from_utf8_lossy(&output.stderr);
    let reported = notes
        .lines()
        .find_map(|line| line.split("native-static-libs: ").nth(1))
        .unwrap();
    assert_eq!(reported.trim(), NATIVE_STATIC_LIBS);
    let readme = std::fs::read_to_string(repo().join("crates/ffi/README.md")).unwrap();
    assert!(
        readme.contains(NATIVE_STATIC_LIBS),
        "the README must show the static link line"
    );
}

#[test]
fn statically_linked_c_program_runs() {
    let exe = out_dir("c").join("test_ffi_static");
    let lib = lib_dir().join("libdroplet_action.a");
    let mut command = Command::new("gcc");
    command
        .args(C_FLAGS)
        .arg("-I")
        .arg(repo().join("include"))
        .arg(repo().join("tests/c/test_ffi.c"))
        .arg("-o")
        .arg(&exe)
        .arg(&lib)
        .args(NATIVE_STATIC_LIBS.split(' '));
    run_ok(&mut command);
    let server = MockServer::start().unwrap();
    let output = run_ok(
        Command::new(&exe)
            .arg(server.base_url())
            .arg(dead_url())
            .arg("10"),
    );
    assert_eq!(last_line(&output), format!("{CHECKS} passed, 0 failed"));
    let needed = run_ok(Command::new("readelf").arg("-d").arg(&exe));
    assert!(!String::from_utf8_lossy(&needed.stdout).contains("libdroplet_action"));
}
