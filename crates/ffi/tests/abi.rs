//! The ABI check, `scripts/abi-check.sh`, against the committed baseline in `abi/`: the
//! library cargo built passes, and so does an unchanged copy of this crate; copies with a
//! published type or function changed fail; copies that only add things pass.
//!
//! A copy is this crate's manifest and `src/`, edited, in a scratch workspace whose
//! dependencies are the repository's crates and whose lock file is the repository's. It is
//! built with this test's profile into this test's target folder, so only the copy
//! compiles. The copy is an rlib (its file name carries a hash), linked into a small cdylib
//! that exports its functions under the library's SONAME: a cdylib of its own would be
//! named `libdroplet_action.so` and overwrite the one the other tests load.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use support::*;

/// A text replacement in one file of `src/`; `from` must occur exactly once.
struct Edit {
    file: &'static str,
    from: &'static str,
    to: &'static str,
}

/// A member inserted in the middle of `droplet_action_result`: every later member moves.
const INSERT_MEMBER: &[Edit] = &[
    Edit {
        file: "result.rs",
        from: "    pub http_status: u16,\n",
        to: "    pub http_status: u16,\n    /// Inserted.\n    pub inserted: u64,\n",
    },
    Edit {
        file: "result.rs",
        from: "            http_status: self.http_status,\n",
        to: "            http_status: self.http_status,\n            inserted: 0,\n",
    },
    Edit {
        file: "result.rs",
        from: "        http_status: 0,\n        attempts: 0,\n        action: ptr::null_mut(),\n",
        to: "        http_status: 0,\n        inserted: 0,\n        attempts: 0,\n        \
             action: ptr::null_mut(),\n",
    },
];

/// `droplet_action_result.attempts` widened from `uint32_t` to `uint64_t`; with the
/// alignment, no other member moves and the size stays.
const RETYPE_MEMBER: &[Edit] = &[
    Edit {
        file: "result.rs",
        from: "    pub attempts: u32,\n",
        to: "    pub attempts: u64,\n",
    },
    Edit {
        file: "result.rs",
        from: "            attempts: self.attempts,\n",
        to: "            attempts: self.attempts.into(),\n",
    },
];

/// `droplet_status_str` no longer exported.
const REMOVE_FUNCTION: &[Edit] = &[Edit {
    file: "status.rs",
    from: "#[unsafe(no_mangle)]\npub extern \"C\" fn droplet_status_str(",
    to: "pub extern \"C\" fn droplet_status_str(",
}];

/// What the ABI allows: a new function taking a new size-prefixed struct, a new status at
/// the end of the enum, and a new private member in an opaque handle.
const ADD: &[Edit] = &[
    Edit {
        file: "lib.rs",
        from: "#[cfg(test)]\nmod tests {",
        to: "/// Added.\n#[repr(C)]\n#[allow(non_camel_case_types)]\n\
             pub struct droplet_added_options {\n    /// Added.\n    pub size: usize,\n    \
             /// Added.\n    pub value: u32,\n}\n\n\
             /// Added.\n#[unsafe(no_mangle)]\n\
             pub extern \"C\" fn droplet_added_function(options: *const droplet_added_options) \
             -> bool {\n    !options.is_null()\n}\n\n\
             #[cfg(test)]\nmod tests {",
    },
    Edit {
        file: "status.rs",
        from: "    RateLimited = 10,\n",
        to: "    RateLimited = 10,\n    /// Added.\n    Added = 11,\n",
    },
    Edit {
        file: "client.rs",
        from: "pub struct droplet_client_builder {\n    builder: ClientBuilder,\n",
        to: "pub struct droplet_client_builder {\n    builder: ClientBuilder,\n    added: u64,\n",
    },
    Edit {
        file: "client.rs",
        from: "Box::new(droplet_client_builder { builder })",
        to: "Box::new(droplet_client_builder { builder, added: 0 })",
    },
];

/// The SONAME this version of the crate builds (see build.rs).
const SONAME: &str = env!("DROPLET_ACTION_SONAME");

#[test]
fn library_cargo_built_matches_the_baseline() {
    let output = abi_check(&cargo_lib_dir().join("libdroplet_action.so"));
    assert_verdict(&output, 0, &["keeps the ABI of libdroplet_action.so.0.1"]);
}

#[test]
fn unchanged_copy_matches_the_baseline() {
    let lib = build_copy("unchanged", &[], SONAME);
    assert_verdict(&abi_check(&lib), 0, &["keeps the ABI"]);
}

#[test]
fn member_inserted_in_a_published_struct_is_incompatible() {
    let lib = build_copy("insert_member", INSERT_MEMBER, SONAME);
    assert_verdict(
        &abi_check(&lib),
        1,
        &[
            "INCOMPATIBLE",
            "droplet_action::result::droplet_action_result droplet_action::action::droplet_action_get(",
            "type size changed from 832 to 896 (in bits)",
            "1 data member insertion:",
            "'u64 inserted', at offset 64 (in bits)",
            "'u32 attempts' offset changed from 64 to 128 (in bits) (by +64 bits)",
        ],
    );
}

#[test]
fn member_of_another_type_in_a_published_struct_is_incompatible() {
    let lib = build_copy("retype_member", RETYPE_MEMBER, SONAME);
    assert_verdict(
        &abi_check(&lib),
        1,
        &[
            "INCOMPATIBLE",
            "type of 'u32 attempts' changed:",
            "type name changed from 'u32' to 'u64'",
        ],
    );
}

#[test]
fn removed_function_is_incompatible() {
    let lib = build_copy("remove_function", REMOVE_FUNCTION, SONAME);
    assert_verdict(
        &abi_check(&lib),
        1,
        &[
            "INCOMPATIBLE",
            "removes functions",
            "1 Removed function:",
            "droplet_status_str(u32)",
        ],
    );
}

#[test]
fn added_function_struct_status_and_private_member_are_compatible() {
    let lib = build_copy("add", ADD, SONAME);
    assert_verdict(
        &abi_check(&lib),
        0,
        &[
            "compatible additions:",
            "droplet_added_function",
            "droplet_added_function(droplet_action::droplet_added_options*)",
            "keeps the ABI",
        ],
    );
}

#[test]
fn incompatible_copy_with_a_new_soname_passes() {
    let lib = build_copy("new_soname", INSERT_MEMBER, "libdroplet_action.so.0.99");
    assert_verdict(
        &abi_check(&lib),
        0,
        &["SONAME 'libdroplet_action.so.0.99', the baseline 'libdroplet_action.so.0.1'"],
    );
}

/// Fails the test when libabigail's tools are missing: the check cannot run without them.
fn require_abigail() {
    for tool in ["abidw", "abidiff"] {
        let found = Command::new(tool).arg("--version").output().is_ok();
        assert!(
            found,
            "{tool} is not installed: the ABI check needs libabigail \
             (Debian: apt-get install abigail-tools; .ci/run installs it)"
        );
    }
}

/// Runs `scripts/abi-check.sh --lib lib`.
fn abi_check(lib: &Path) -> Output {
    require_abigail();
    Command::new("bash")
        .arg(repo().join("scripts/abi-check.sh"))
        .arg("--lib")
        .arg(lib)
        .output()
        .unwrap()
}

/// Asserts the script's exit status and that its report holds every one of `expected`.
fn assert_verdict(output: &Output, status: i32, expected: &[&str]) {
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!("{stdout}{stderr}");
    assert_eq!(
        output.status.code(),
        Some(status),
        "abi-check.sh exited with {:?}, not {status}:\n{stdout}{stderr}",
        output.status
    );
    for text in expected {
        assert!(stdout.contains(text), "{text:?} is not in:\n{stdout}");
    }
}

/// Builds a copy of this crate with `edits` applied, as a cdylib with `soname`, and returns
/// the library.
fn build_copy(name: &str, edits: &[Edit], soname: &str) -> PathBuf {
    require_abigail();
    let workspace = out_dir("abi-copies").join(name);
    let _ = std::fs::remove_dir_all(&workspace);
    // Cargo hashes a path package by its place in the workspace, so each copy has a folder
    // name of its own: copies with one hash would overwrite each other's rlib.
    let copy = format!("ffi_{name}");
    let lib_name = format!("droplet_action_copy_{name}");
    let package = lib_name.replace('_', "-");

    write(&workspace.join("Cargo.toml"), &workspace_manifest(&copy));
    std::fs::copy(repo().join("Cargo.lock"), workspace.join("Cargo.lock")).unwrap();
    write(&workspace.join(&copy).join("Cargo.toml"), &copy_manifest());
    let src = workspace.join(&copy).join("src");
    copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &src);
    for edit in edits {
        let path = src.join(edit.file);
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            text.matches(edit.from).count(),
            1,
            "src/{} must hold {:?} once: update this test's edits to the source",
            edit.file,
            edit.from
        );
        write(&path, &text.replacen(edit.from, edit.to, 1));
    }
    write(
        &workspace.join("cdylib/Cargo.toml"),
        &format!(
            "[package]\nname = \"{package}\"\nversion = \"0.0.0\"\nedition = \"2024\"\n\
             publish = false\n\n[lib]\nname = \"{lib_name}\"\npath = \"lib.rs\"\n\
             crate-type = [\"cdylib\"]\n\n[dependencies]\n\
             droplet-action-ffi = {{ path = \"../{copy}\" }}\n"
        ),
    );
    write(
        &workspace.join("cdylib/lib.rs"),
        "//! Exports the functions of the copy.\nextern crate droplet_action;\n",
    );

    let output = cargo()
        .current_dir(&workspace)
        .args(["rustc", "--offline", "--lib", "-p", &package])
        .args(["--profile", &profile()])
        .arg("--message-format=json-render-diagnostics")
        .arg("--")
        .arg(format!("-Clink-arg=-Wl,-soname,{soname}"))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "building the copy {name} failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).unwrap();
    stdout
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|message| message["reason"] == "compiler-artifact")
        .filter(|message| message["target"]["name"] == lib_name.as_str())
        .flat_map(|message| message["filenames"].as_array().cloned().unwrap_or_default())
        .filter_map(|file| file.as_str().map(PathBuf::from))
        .find(|file| file.extension().is_some_and(|ext| ext == "so"))
        .unwrap_or_else(|| panic!("cargo reported no .so for the copy {name}:\n{stdout}"))
}

/// The repository's workspace manifest, with `copy` and the cdylib as its only members and
/// the repository's crates as its dependencies.
fn workspace_manifest(copy: &str) -> String {
    let root = repo();
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
    let crates = format!("path = \"{}/crates/", root.display());
    let mut lines = Vec::new();
    for line in manifest.lines() {
        if line.starts_with("members = ") {
            lines.push(format!("members = [\"{copy}\", \"cdylib\"]"));
        } else {
            lines.push(line.replace("path = \"crates/", &crates));
        }
    }
    lines.join("\n") + "\n"
}

/// This crate's manifest for an rlib: without the dev-dependencies, benches and tests a
/// copy does not build, and without the build script, which only sets the SONAME.
fn copy_manifest() -> String {
    let manifest =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml")).unwrap();
    let mut lines = Vec::new();
    let mut kept = true;
    for line in manifest.lines() {
        if line.starts_with('[') {
            kept = !matches!(
                line,
                "[dev-dependencies]" | "[[bench]]" | "[[test]]" | "[[example]]"
            );
        }
        if kept && line.starts_with("crate-type = ") {
            lines.push("crate-type = [\"rlib\"]".to_owned());
        } else if kept && !line.starts_with("build = ") {
            lines.push(line.to_owned());
        }
    }
    assert!(
        lines.iter().any(|line| line == "crate-type = [\"rlib\"]"),
        "no crate-type in the manifest:\n{manifest}"
    );
    lines.join("\n") + "\n"
}

/// Cargo, building into this test's target folder, without the variables cargo set for
/// this test: build scripts that read one (ring reads CARGO_MANIFEST_DIR) would run again
/// and rebuild what the workspace's own builds use.
fn cargo() -> Command {
    let mut command = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    for (key, _) in std::env::vars_os() {
        let key = key.to_string_lossy();
        let set_for_tests = ["CARGO_PKG_", "CARGO_MANIFEST_", "CARGO_BIN_"]
            .iter()
            .any(|prefix| key.starts_with(prefix))
            || [
                "CARGO_CRATE_NAME",
                "CARGO_PRIMARY_PACKAGE",
                "CARGO_TARGET_TMPDIR",
                "CARGO_RUSTC_CURRENT_DIR",
                "OUT_DIR",
            ]
            .contains(&key.as_ref());
        if set_for_tests {
            command.env_remove(key.as_ref());
        }
    }
    let target_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).parent().unwrap();
    command.env("CARGO_TARGET_DIR", target_dir);
    command
}

/// The cargo profile of this test binary, which is target/<profile folder>/deps/abi-<hash>,
/// so that the copies reuse what that build compiled.
fn profile() -> String {
    let exe = std::env::current_exe().unwrap();
    match exe
        .parent()
        .and_then(Path::parent)
        .and_then(Path::file_name)
    {
        Some(folder) if folder != "debug" => folder.to_string_lossy().into_owned(),
        _ => "dev".to_owned(),
    }
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}
