//! The C++ interface (include/droplet_action.hpp and its parts, include/droplet_action/): the
//! header compiles on its own as C++17 and C++20, with and without exceptions, and a part
//! included on its own is refused; its test program (tests/cpp/test_cpp.cpp) passes
//! against the mock server, plain, under valgrind and under ASan and UBSan; the programs in
//! tests/cpp/compile_fail do not compile, each for its stated reason; every C function has a
//! C++ counterpart; and the header leaves no C symbol in a user's program.

mod support;

use std::path::PathBuf;
use std::process::Command;

use droplet_action_mock::MockServer;
use support::*;

/// How many checks test_cpp.cpp makes; a change to the program changes this on purpose.
const CHECKS: usize = 661;

/// The strictest warnings the header is held to, beside `CXX_FLAGS`.
const HEADER_WARNINGS: &[&str] = &[
    "-Wconversion",
    "-Wsign-conversion",
    "-Wshadow",
    "-Wold-style-cast",
    "-Wnon-virtual-dtor",
];

fn build_test_program(name: &str, extra_flags: &[&str]) -> PathBuf {
    let exe = out_dir("cpp").join(name);
    let mut flags = CXX_FLAGS.to_vec();
    // The program uses every template of the header, so it is held to the header's warnings.
    flags.extend_from_slice(HEADER_WARNINGS);
    flags.extend_from_slice(extra_flags);
    compile(
        "g++",
        &flags,
        &[repo().join("tests/cpp/test_cpp.cpp")],
        &exe,
        &[],
    );
    exe
}

/// Runs the test program against a fresh mock server and checks its tally and what the
/// server saw.
fn run_test_program(runner: &mut Command, cancel_margin_ms: u32) -> std::process::Output {
    let server = MockServer::start().unwrap();
    let scratch = out_dir("cpp-scratch");
    let output = run_ok(
        runner
            .arg(server.base_url())
            .arg(dead_url())
            .arg(&scratch)
            .arg(cancel_margin_ms.to_string()),
    );
    assert_eq!(last_line(&output), format!("{CHECKS} passed, 0 failed"));
    let requests = server.requests();
    let with_user_agent = requests
        .iter()
        .filter(|r| r.header("user-agent") == Some("droplet-cpp-test/1.0"))
        .count();
    assert_eq!(with_user_agent, 1, "the user agent set through the builder");
    assert!(
        requests
            .iter()
            .all(|r| r.header("authorization") == Some("Bearer mock-token")),
        "every request carries the token"
    );
    output
}

#[test]
fn cpp_interface_holds() {
    let exe = build_test_program("test_cpp", &["-O1"]);
    let _ = run_test_program(&mut Command::new(&exe), 100);
}

#[test]
fn cpp_interface_holds_under_valgrind_with_no_errors_or_leaks() {
    let exe = build_test_program("test_cpp_valgrind", &["-O0", "-g"]);
    let output = run_test_program(&mut valgrind(&exe), 1000);
    assert_no_definite_leak(&output);
    let report = String::from_utf8_lossy(&output.stderr);
    assert!(!report.contains("Invalid read"), "{report}");
}

#[test]
fn cpp_interface_holds_under_address_and_undefined_behaviour_sanitizers() {
    let exe = build_test_program(
        "test_cpp_sanitized",
        &[
            "-O1",
            "-g",
            "-fsanitize=address,undefined",
            "-fno-sanitize-recover=all",
            "-fno-omit-frame-pointer",
        ],
    );
    let output = run_test_program(
        Command::new(&exe).env("ASAN_OPTIONS", "detect_leaks=1:halt_on_error=1"),
        300,
    );
    let report = String::from_utf8_lossy(&output.stderr);
    assert!(!report.contains("runtime error"), "{report}");
}

/// The programs of tests/cpp/compile_fail: each must not compile, with the diagnostic its
/// `// expect:` line names, at the line marked `// refused here`; and each compiles with
/// `-DCONTROL`, which swaps that line for the safe way to write it (so the failure comes
/// from the refused line, not from a typo).
#[test]
fn cpp_compile_fail_programs_are_refused_for_their_reason() {
    let dir = repo().join("tests/cpp/compile_fail");
    let mut programs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "cpp"))
        .collect();
    programs.sort();
    assert_eq!(programs.len(), 19, "{programs:?}");
    for program in &programs {
        let text = std::fs::read_to_string(program).unwrap();
        let expect = text
            .lines()
            .find_map(|line| line.strip_prefix("// expect: "))
            .unwrap_or_else(|| panic!("{} has no expect line", program.display()));
        let refused_line = text
            .lines()
            .position(|line| line.contains("// refused here"))
            .unwrap_or_else(|| panic!("{} marks no refused line", program.display()))
            + 1;
        for standard in ["-std=c++17", "-std=c++20"] {
            let syntax_check = |control: bool| {
                let mut command = Command::new("g++");
                command
                    .arg(standard)
                    .args(CXX_FLAGS.iter().filter(|flag| !flag.starts_with("-std=")))
                    .args(HEADER_WARNINGS)
                    .arg("-fsyntax-only")
                    .arg("-I")
                    .arg(repo().join("include"));
                if control {
                    command.arg("-DCONTROL");
                }
                command.arg(program).output().unwrap()
            };
            let control = syntax_check(true);
            assert!(
                control.status.success(),
                "{} {standard} -DCONTROL must compile:\n{}",
                program.display(),
                String::from_utf8_lossy(&control.stderr)
            );
            let refused = syntax_check(false);
            let stderr = String::from_utf8_lossy(&refused.stderr);
            let at = format!("{}:{refused_line}:", program.display());
            assert!(
                !refused.status.success()
                    && stderr.lines().any(|line| line.starts_with(&at)
                        && line.contains("error:")
                        && line.contains(expect)),
                "{} {standard}: expected an error \"{expect}\" at line {refused_line}, got:\n{stderr}",
                program.display()
            );
        }
    }
}

/// tests/cpp/no_exceptions.cpp, built with -fno-exceptions: everything that returns a value
/// works, and a refused setting is reported by try_build.
#[test]
fn cpp_header_works_without_exceptions() {
    let exe = out_dir("cpp").join("no_exceptions");
    let mut flags = CXX_FLAGS.to_vec();
    flags.extend_from_slice(HEADER_WARNINGS);
    flags.push("-fno-exceptions");
    compile(
        "g++",
        &flags,
        &[repo().join("tests/cpp/no_exceptions.cpp")],
        &exe,
        &[],
    );
    let server = MockServer::start().unwrap();
    let output = run_ok(
        Command::new(&exe)
            .arg(server.base_url())
            .env_remove("DIGITALOCEAN_TOKEN")
            .env_remove("DIGITALOCEAN_ACCESS_TOKEN"),
    );
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "refused: not built (token: the string holds a NUL byte)\n\
         late: built not built (max_retries: out of range (0 to 4294967295))\n\
         get: ok create\n\
         missing: API error 404 not_found\n\
         cancelled wait: cancelled\n\
         wait_many: 1 all_ok=1\n\
         request: GET /v2/droplets/3164444/actions/36804636\n\
         bad request: empty (request_build: the API token is empty)\n\
         parsed: API error not_found\n\
         from_env: not built\n"
    );
    // The refused builders never reached the server; the others did, once each.
    assert_eq!(server.hits(3164444, 36804636), 2);
}

/// A program whose files are built with and without exceptions links both modes' inline
/// functions apart (inline namespaces `exc` and `noexc`): in either link order, each file
/// reports a refusal its own way, and nothing is thrown into the file without exceptions.
#[test]
fn cpp_files_with_and_without_exceptions_link_into_one_program() {
    let dir = out_dir("cpp-mixed");
    let object = |source: &str, extra: &[&str]| {
        let out = dir.join(format!("{source}.o"));
        run_ok(
            Command::new("g++")
                .args(CXX_FLAGS)
                .args(HEADER_WARNINGS)
                .args(extra)
                .arg("-I")
                .arg(repo().join("include"))
                .arg("-c")
                .arg(repo().join(format!("tests/cpp/mixed/{source}.cpp")))
                .arg("-o")
                .arg(&out),
        );
        out
    };
    let with = object("with_exceptions", &[]);
    let without = object("without_exceptions", &["-fno-exceptions"]);
    for (name, order) in [
        ("with_first", [&with, &without]),
        ("without_first", [&without, &with]),
    ] {
        let exe = dir.join(name);
        compile("g++", &[], &[order[0].clone(), order[1].clone()], &exe, &[]);
        let output = run_ok(&mut Command::new(&exe));
        assert_eq!(
            String::from_utf8_lossy(&output.stdout),
            "with exceptions: thrown: token: the string holds a NUL byte\n\
             without exceptions: token: the string holds a NUL byte\n",
            "{name}"
        );
    }
}

/// Every function the C header declares is called by the C++ header (one of its files), so
/// none is left without a C++ counterpart.
#[test]
fn every_c_function_has_a_cpp_counterpart() {
    let c_header = std::fs::read_to_string(repo().join("include/droplet_action.h")).unwrap();
    let cpp_header = cpp_header_text();
    let functions: Vec<&str> = c_header
        .lines()
        .filter(|line| !line.starts_with("//") && !line.starts_with(' ') && line.contains('('))
        .filter_map(|line| {
            let name_end = line.find('(')?;
            let name = line[..name_end].rsplit([' ', '*']).next()?;
            name.starts_with("droplet_").then_some(name)
        })
        .collect();
    assert!(functions.len() >= 36, "{functions:?}");
    let missing: Vec<&&str> = functions
        .iter()
        .filter(|name| {
            !cpp_header.contains(&format!("{name}(")) && !cpp_header.contains(&format!("&{name}"))
        })
        .collect();
    assert!(
        missing.is_empty(),
        "C functions with no C++ counterpart in droplet_action.hpp: {missing:?}"
    );
}

/// The header's helpers live in namespace droplet: a program that uses all of it defines
/// no unmangled (C) symbol of the library's prefix.
#[test]
fn cpp_header_defines_no_global_c_symbols() {
    let exe = build_test_program("test_cpp_symbols", &["-O0"]);
    let output = run_ok(Command::new("nm").arg("--defined-only").arg(&exe));
    let symbols = String::from_utf8_lossy(&output.stdout);
    let c_symbols: Vec<&str> = symbols
        .lines()
        .filter_map(|line| line.split_whitespace().nth(2))
        .filter(|name| name.starts_with("droplet"))
        .collect();
    assert!(c_symbols.is_empty(), "{c_symbols:?}");
    // The log bridge is there, under the namespace.
    let demangled = run_ok(Command::new("nm").args(["--defined-only", "-C"]).arg(&exe));
    assert!(
        String::from_utf8_lossy(&demangled.stdout)
            .contains("droplet::exc::detail::LogSink::bridge"),
        "the log bridge is not in namespace droplet::detail"
    );
}

#[test]
fn cpp_header_compiles_alone_as_cpp17_and_cpp20() {
    let dir = out_dir("cpp-header");
    let source = dir.join("only_hpp.cpp");
    // Twice, for the include guard.
    std::fs::write(
        &source,
        "#include \"droplet_action.hpp\"\n#include \"droplet_action.hpp\"\n",
    )
    .unwrap();
    for (standard, exceptions) in [
        ("-std=c++17", "-fexceptions"),
        ("-std=c++20", "-fexceptions"),
        ("-std=c++17", "-fno-exceptions"),
        ("-std=c++20", "-fno-exceptions"),
    ] {
        let output = Command::new("g++")
            .arg(standard)
            .arg(exceptions)
            .args(CXX_FLAGS.iter().filter(|flag| !flag.starts_with("-std=")))
            .args(HEADER_WARNINGS)
            .arg("-I")
            .arg(repo().join("include"))
            .arg("-c")
            .arg(&source)
            .arg("-o")
            .arg(dir.join(format!("only_hpp{standard}{exceptions}.o")))
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "g++ {standard} failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

/// A part of the header (include/droplet_action/*.hpp) included without the header, or
/// after it, stops the build with an #error that names the header to include.
#[test]
fn cpp_header_parts_refuse_to_be_included_alone() {
    let dir = out_dir("cpp-header-parts");
    let parts = &cpp_header_files()[1..];
    assert!(parts.len() >= 5, "{parts:?}");
    for part in parts {
        for before in ["", "#include \"droplet_action.hpp\"\n"] {
            let source = dir.join("only_part.cpp");
            std::fs::write(
                &source,
                format!("{before}#include \"{}\"\n", part.display()),
            )
            .unwrap();
            let output = Command::new("g++")
                .args(CXX_FLAGS)
                .arg("-fsyntax-only")
                .arg("-I")
                .arg(repo().join("include"))
                .arg(&source)
                .output()
                .unwrap();
            let stderr = String::from_utf8_lossy(&output.stderr);
            let expected = format!(
                "#error \"include droplet_action.hpp, not {}\"",
                part.display()
            );
            assert!(
                !output.status.success() && stderr.contains(&expected),
                "{} (after {before:?}): expected {expected}, got:\n{stderr}",
                part.display()
            );
        }
    }
}

/// examples/cpp/wait_action.cpp, built as a user would build it.
fn wait_example() -> PathBuf {
    static EXE: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    EXE.get_or_init(|| {
        let exe = out_dir("cpp-examples").join("wait_action");
        compile(
            "g++",
            CXX_FLAGS,
            &[repo().join("examples/cpp/wait_action.cpp")],
            &exe,
            &[],
        );
        exe
    })
    .clone()
}

fn wait_example_command(server: &MockServer, args: &[&str]) -> Command {
    let mut command = Command::new(wait_example());
    command
        .args(args)
        .env_remove("DIGITALOCEAN_TOKEN")
        .env(
            "DIGITALOCEAN_ACCESS_TOKEN",
            droplet_action_mock::DEFAULT_TOKEN,
        )
        .env("DIGITALOCEAN_API_URL", server.base_url());
    command
}

#[test]
fn cpp_wait_example_logs_each_poll_and_prints_the_completed_action() {
    let server = MockServer::start().unwrap();
    let output = run_ok(&mut wait_example_command(&server, &["42", "900102", "20"]));
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "action 900102: completed after 3 poll(s)\n"
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    let attempts: Vec<&str> = stderr
        .lines()
        .filter(|l| l.ends_with("attempt 1"))
        .collect();
    assert_eq!(
        attempts, ["debug: GET /v2/droplets/42/actions/900102: attempt 1"; 3],
        "{stderr}"
    );
    assert_eq!(server.hits(42, 900102), 3);
}

#[test]
fn cpp_wait_example_is_cancelled_by_sigint() {
    let server = MockServer::start().unwrap();
    // The mock answers 10 s after the request; SIGINT comes long before.
    let child = wait_example_command(&server, &["10000", "900800"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    while server.hits(10000, 900800) == 0 {
        assert!(started.elapsed() < std::time::Duration::from_secs(10));
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    run_ok(Command::new("kill").args(["-INT", &child.id().to_string()]));
    let output = child.wait_with_output().unwrap();
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    assert_eq!(output.status.code(), Some(130));
    assert!(
        String::from_utf8_lossy(&output.stderr).ends_with("cancelled\n"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn installed_prefix_builds_the_cpp_example_with_pkg_config_only() {
    let prefix = out_dir("cpp-install-prefix");
    let _ = std::fs::remove_dir_all(&prefix);
    run_ok(
        Command::new("bash")
            .arg(repo().join("scripts/install.sh"))
            .arg("--prefix")
            .arg(&prefix)
            .arg("--from")
            .arg(cargo_lib_dir()),
    );
    // The header and its parts, each as in the repository, and no other part.
    let files = cpp_header_files();
    for file in &files {
        let installed = std::fs::read(prefix.join("include").join(file))
            .unwrap_or_else(|error| panic!("{} is not installed: {error}", file.display()));
        assert!(
            installed == std::fs::read(repo().join("include").join(file)).unwrap(),
            "the installed {} differs from the repository's",
            file.display()
        );
    }
    let installed_parts = std::fs::read_dir(prefix.join("include/droplet_action"))
        .unwrap()
        .count();
    assert_eq!(installed_parts, files.len() - 1);
    let flags = run_ok(
        Command::new("pkg-config")
            .args(["--cflags", "--libs", "droplet_action"])
            .env("PKG_CONFIG_PATH", prefix.join("lib/pkgconfig")),
    );
    let flags = String::from_utf8(flags.stdout).unwrap();
    let exe = out_dir("cpp-install-example").join("get_action");
    run_ok(
        Command::new("g++")
            .args(CXX_FLAGS)
            .arg(repo().join("examples/cpp/get_action.cpp"))
            .arg("-o")
            .arg(&exe)
            .args(flags.split_whitespace()),
    );
    let server = MockServer::start().unwrap();
    let output = run_ok(
        Command::new(&exe)
            .args(["3164444", "36804636"])
            .env("LD_LIBRARY_PATH", prefix.join("lib"))
            .env_remove("DIGITALOCEAN_TOKEN")
            .env(
                "DIGITALOCEAN_ACCESS_TOKEN",
                droplet_action_mock::DEFAULT_TOKEN,
            )
            .env("DIGITALOCEAN_API_URL", server.base_url()),
    );
    // The server's first answer: request id number 1, after its port.
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        format!(
            "action 36804636: create completed in New York 3 (HTTP 200, request \
             {:08x}-0000-4000-8000-000000000001)\n",
            server.port()
        )
    );
}
