//! The version a C program compiles against (the header's macros) is the version it runs
//! with (`droplet_version()` of the shared library) and the version of this package.

mod support;

use std::ffi::CStr;
use std::process::Command;

use support::*;

/// Prints what the header and the library say. `DROPLET_ACTION_VERSION`, a version string
/// macro, is checked when the header has one.
const PROGRAM: &str = r#"#include <droplet_action.h>
#include <stdio.h>

/* What a program that needs 0.1.0 or later writes: the macros work in #if. */
#if DROPLET_ACTION_VERSION_MAJOR == 0 && DROPLET_ACTION_VERSION_MINOR < 1
#error "droplet_action 0.1.0 or later is required"
#endif

int main(void) {
  printf("macros %u.%u.%u\n", (unsigned)DROPLET_ACTION_VERSION_MAJOR,
         (unsigned)DROPLET_ACTION_VERSION_MINOR, (unsigned)DROPLET_ACTION_VERSION_PATCH);
#ifdef DROPLET_ACTION_VERSION
  printf("string %s\n", DROPLET_ACTION_VERSION);
#endif
  printf("library %s\n", droplet_version());
  return 0;
}
"#;

#[test]
fn header_macros_match_droplet_version_and_the_package_version() {
    let dir = out_dir("version");
    let source = dir.join("version.c");
    std::fs::write(&source, PROGRAM).unwrap();
    let exe = dir.join("version");
    compile("gcc", C_FLAGS, &[source], &exe, &[]);
    let output = run_ok(&mut Command::new(&exe));
    let stdout = String::from_utf8(output.stdout).unwrap();
    let line = |label: &str| {
        stdout
            .lines()
            .find_map(|line| line.strip_prefix(label)?.strip_prefix(' '))
            .map(str::to_owned)
    };

    let package = env!("CARGO_PKG_VERSION");
    let release = format!(
        "{}.{}.{}",
        env!("CARGO_PKG_VERSION_MAJOR"),
        env!("CARGO_PKG_VERSION_MINOR"),
        env!("CARGO_PKG_VERSION_PATCH")
    );
    assert_eq!(
        line("macros").as_deref(),
        Some(release.as_str()),
        "{stdout}"
    );
    assert_eq!(line("library").as_deref(), Some(package), "{stdout}");
    if let Some(string) = line("string") {
        assert_eq!(string, package, "{stdout}");
    }

    // SAFETY: droplet_version returns a static NUL-terminated string.
    let linked = unsafe { CStr::from_ptr(droplet_action::droplet_version()) };
    assert_eq!(linked.to_str().unwrap(), package);
}
