//! The committed header is exactly what cbindgen generates from this crate.
//!
//! To regenerate it after changing the C API:
//! `DROPLET_ACTION_REGENERATE_HEADER=1 cargo test -p droplet-action-ffi --test header`

mod support;

use std::path::Path;

#[test]
fn committed_header_matches_the_generated_one() {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let header_path = crate_dir.join("../../include/droplet_action.h");
    let config = cbindgen::Config::from_file(crate_dir.join("cbindgen.toml")).unwrap();
    let mut generated = Vec::new();
    cbindgen::Builder::new()
        .with_crate(crate_dir)
        .with_config(config)
        .generate()
        .expect("cbindgen generates the header")
        .write(&mut generated);
    let generated = String::from_utf8(generated).unwrap();

    if std::env::var_os("DROPLET_ACTION_REGENERATE_HEADER").is_some() {
        std::fs::write(&header_path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(&header_path).unwrap_or_default();
    assert!(
        committed == generated,
        "include/droplet_action.h is out of date; regenerate it with\n  \
         DROPLET_ACTION_REGENERATE_HEADER=1 cargo test -p droplet-action-ffi --test header"
    );
}

/// The regeneration note in cbindgen.toml gives the command that works.
#[test]
fn the_regeneration_note_names_the_working_command() {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = std::fs::read_to_string(crate_dir.join("cbindgen.toml")).unwrap();
    let source = std::fs::read_to_string(crate_dir.join("tests/header.rs")).unwrap();
    let command =
        "DROPLET_ACTION_REGENERATE_HEADER=1 cargo test -p droplet-action-ffi --test header";
    assert!(config.contains(&format!("#   {command}\n")), "{config}");
    assert!(source.contains(&format!(
        "var_os(\"{}\")",
        "DROPLET_ACTION_REGENERATE_HEADER"
    )));
}

/// The README's vocabulary table names only what exists: every C name in it is declared by
/// the header (and none of them is deprecated), and every C++ name appears in the C++ header
/// (droplet_action.hpp or one of its parts).
#[test]
fn the_vocabulary_table_names_what_the_headers_declare() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let readme = std::fs::read_to_string(repo.join("README.md")).unwrap();
    let header = std::fs::read_to_string(repo.join("include/droplet_action.h")).unwrap();
    let hpp = support::cpp_header_text();
    let table = readme
        .split("## Vocabulary\n")
        .nth(1)
        .and_then(|rest| rest.split("\n\n").nth(1))
        .expect("a table under ## Vocabulary");
    let names = |cell: &str| -> Vec<String> {
        cell.split('`')
            .skip(1)
            .step_by(2)
            .map(|name| name.trim_end_matches('=').to_owned())
            .collect()
    };
    let mut checked = 0;
    for row in table.lines().skip(2) {
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        for name in names(cells[2]) {
            let declared = header.lines().any(|line| {
                !line.starts_with("//")
                    && !line.starts_with("DROPLET_DEPRECATED")
                    && line.contains(&name)
            });
            assert!(declared, "{name} (C) is not declared by the header");
            checked += 1;
        }
        for name in names(cells[3]) {
            let last = name.rsplit("::").next().unwrap();
            assert!(
                hpp.contains(last),
                "{name} (C++) is not in droplet_action.hpp or its parts"
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 25);
}
