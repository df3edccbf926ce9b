//! Compiling and running the C, C++ and Python programs of the repository against the
//! library that cargo just built.

#![allow(dead_code, unreachable_pub)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The strict flags every C program of the project must compile with.
pub const C_FLAGS: &[&str] = &["-std=c11", "-Wall", "-Wextra", "-Wpedantic", "-Werror"];
/// The same for C++.
pub const CXX_FLAGS: &[&str] = &["-std=c++17", "-Wall", "-Wextra", "-Wpedantic", "-Werror"];
/// What a static link needs besides `libdroplet_action.a`, as documented in the ffi
/// crate's README.
pub const NATIVE_STATIC_LIBS: &str = "-lgcc_s -lutil -lrt -lpthread -lm -ldl -lc";

/// The repository root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// The folder cargo wrote `libdroplet_action.so` and `.a` to for this build: `deps/`, beside
/// this test binary. (The copies one level up are refreshed by `cargo build` only, so after
/// a `cargo test` that rebuilt the library they can be stale.)
pub fn cargo_lib_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let deps = exe.parent().unwrap();
    for dir in [deps, deps.parent().unwrap()] {
        if dir.join("libdroplet_action.so").exists() {
            return dir.to_owned();
        }
    }
    panic!("libdroplet_action.so not found beside {}", deps.display());
}

/// A folder laid out as an installed library: `libdroplet_action.so.0.1` (the SONAME the
/// programs ask for at run time), `libdroplet_action.so` linking to it, and the `.a`.
pub fn lib_dir() -> PathBuf {
    static DIR: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    DIR.get_or_init(|| {
        let built = cargo_lib_dir();
        let dir = out_dir("lib");
        for (link, target) in [
            (
                "libdroplet_action.so.0.1",
                built.join("libdroplet_action.so"),
            ),
            (
                "libdroplet_action.so",
                PathBuf::from("libdroplet_action.so.0.1"),
            ),
            ("libdroplet_action.a", built.join("libdroplet_action.a")),
        ] {
            let link = dir.join(link);
            let _ = std::fs::remove_file(&link);
            std::os::unix::fs::symlink(target, &link).unwrap();
        }
        dir
    })
    .clone()
}

/// A scratch folder for this test binary's outputs.
pub fn out_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Compiles `sources` into `output` with `compiler` and `flags`, linked against the
/// shared library (with an rpath to it), and fails the test with the compiler's output
/// on any warning or error.
pub fn compile(compiler: &str, flags: &[&str], sources: &[PathBuf], output: &Path, extra: &[&str]) {
    let lib = lib_dir();
    let mut command = Command::new(compiler);
    command
        .args(flags)
        .arg("-I")
        .arg(repo().join("include"))
        .args(sources)
        .arg("-o")
        .arg(output)
        .args(extra);
    command
        .arg(format!("-L{}", lib.display()))
        .arg(format!("-Wl,-rpath,{}", lib.display()))
        .arg("-ldroplet_action")
        .arg("-pthread");
    let result = command.output().unwrap();
    assert!(
        result.status.success(),
        "{compiler} failed:\n{}",
        String::from_utf8_lossy(&result.stderr)
    );
}

/// Runs a program and returns its output, failing with everything it printed when it
/// does not exit 0.
pub fn run_ok(command: &mut Command) -> Output {
    let output = command.output().unwrap();
    assert!(
        output.status.success(),
        "{command:?} exited with {:?}\nstdout:\n{}\nstderr:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// A loopback URL where nothing listens.
pub fn dead_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port())
}

/// The last line a program printed.
pub fn last_line(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .last()
        .unwrap_or_default()
        .to_owned()
}

/// `valgrind` set to fail on any error and on definite or indirect leaks, about to run
/// `exe` (add its arguments).
pub fn valgrind(exe: &Path) -> Command {
    let mut command = Command::new("valgrind");
    command
        .args([
            "--quiet",
            "--leak-check=full",
            "--errors-for-leak-kinds=definite,indirect",
            "--error-exitcode=1",
        ])
        .arg(exe);
    command
}

/// Fails the test when valgrind's report names a definite leak.
pub fn assert_no_definite_leak(output: &Output) {
    let report = String::from_utf8_lossy(&output.stderr);
    assert!(!report.contains("definitely lost"), "{report}");
}

/// The files of the C++ interface, relative to `include/`: `droplet_action.hpp`, then the
/// parts it includes (`droplet_action/*.hpp`), in its order. Fails when a file of
/// `include/droplet_action/` is not included, so that reading these files reads all of it.
pub fn cpp_header_files() -> Vec<PathBuf> {
    let include = repo().join("include");
    let main = std::fs::read_to_string(include.join("droplet_action.hpp")).unwrap();
    let parts: Vec<PathBuf> = main
        .lines()
        .filter_map(|line| line.strip_prefix("#include \"droplet_action/"))
        .map(|rest| Path::new("droplet_action").join(rest.trim_end_matches('"')))
        .collect();
    let mut on_disk: Vec<PathBuf> = std::fs::read_dir(include.join("droplet_action"))
        .unwrap()
        .map(|entry| Path::new("droplet_action").join(entry.unwrap().file_name()))
        .collect();
    on_disk.sort();
    let mut included = parts.clone();
    included.sort();
    assert_eq!(
        included, on_disk,
        "droplet_action.hpp must include every file of include/droplet_action/"
    );
    std::iter::once(PathBuf::from("droplet_action.hpp"))
        .chain(parts)
        .collect()
}

/// The text of the C++ interface: every file of `cpp_header_files`, in order.
pub fn cpp_header_text() -> String {
    let include = repo().join("include");
    cpp_header_files()
        .iter()
        .map(|file| std::fs::read_to_string(include.join(file)).unwrap())
        .collect()
}
