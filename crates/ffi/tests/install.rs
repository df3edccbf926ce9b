//! The install script lays out a prefix that pkg-config alone can compile against.

mod support;

use std::process::Command;

use droplet_action_mock::{DEFAULT_TOKEN, MockServer};
use support::*;

#[test]
fn installed_prefix_builds_and_runs_the_c_example_with_pkg_config_only() {
    let prefix = out_dir("install-prefix");
    let _ = std::fs::remove_dir_all(&prefix);
    run_ok(
        Command::new("bash")
            .arg(repo().join("scripts/install.sh"))
            .arg("--prefix")
            .arg(&prefix)
            .arg("--from")
            .arg(cargo_lib_dir()),
    );
    let lib = prefix.join("lib");
    let link = |name: &str| std::fs::read_link(lib.join(name)).unwrap();
    assert_eq!(
        link("libdroplet_action.so"),
        std::path::Path::new("libdroplet_action.so.0.1")
    );
    assert_eq!(
        link("libdroplet_action.so.0.1"),
        std::path::Path::new("libdroplet_action.so.0.1.0")
    );
    assert!(lib.join("libdroplet_action.a").exists());
    assert!(prefix.join("include/droplet_action.h").exists());

    let pkg_config_path = lib.join("pkgconfig");
    let flags = run_ok(
        Command::new("pkg-config")
            .args(["--cflags", "--libs", "droplet_action"])
            .env("PKG_CONFIG_PATH", &pkg_config_path),
    );
    let flags = String::from_utf8(flags.stdout).unwrap();
    assert_eq!(
        flags.trim(),
        format!("-I{0}/include -L{0}/lib -ldroplet_action", prefix.display())
    );
    let version = run_ok(
        Command::new("pkg-config")
            .args(["--modversion", "droplet_action"])
            .env("PKG_CONFIG_PATH", &pkg_config_path),
    );
    assert_eq!(
        String::from_utf8_lossy(&version.stdout).trim(),
        env!("CARGO_PKG_VERSION")
    );

    let exe = out_dir("install-example").join("get_action");
    let mut compile = Command::new("gcc");
    compile
        .args(C_FLAGS)
        .arg(repo().join("examples/c/get_action.c"))
        .arg("-o")
        .arg(&exe)
        .args(flags.split_whitespace());
    run_ok(&mut compile);

    let server = MockServer::start().unwrap();
    let output = run_ok(
        Command::new(&exe)
            .args(["3164444", "36804636"])
            .env("LD_LIBRARY_PATH", &lib)
            .env("DIGITALOCEAN_ACCESS_TOKEN", DEFAULT_TOKEN)
            .env("DIGITALOCEAN_API_URL", server.base_url()),
    );
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "action 36804636: create completed, nyc3, completed at 2020-11-14T16:30:06Z\n"
    );
}
