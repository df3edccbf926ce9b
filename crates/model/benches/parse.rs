//! Parsing the documented answer: typed into `Action`, side by side with `serde_json::Value`.
//!
//! Run with
//! `cargo bench -p droplet-action-model --bench parse -- --sample-count 300 --sample-size 50`.

use droplet_action_model::{DOCUMENTED_ACTION_JSON, parse_action};

fn main() {
    divan::main();
}

/// The documented example into the typed `Action` (timestamps parsed, strings owned).
#[divan::bench]
fn typed_action() -> droplet_action_model::Action {
    parse_action(divan::black_box(DOCUMENTED_ACTION_JSON.as_bytes())).unwrap()
}

/// The same bytes into an untyped `serde_json::Value`: the reference point.
#[divan::bench]
fn untyped_value() -> serde_json::Value {
    serde_json::from_slice(divan::black_box(DOCUMENTED_ACTION_JSON.as_bytes())).unwrap()
}

/// The floor of any serde_json parse: the same bytes scanned and validated, nothing kept.
#[divan::bench]
fn scan_only() -> serde::de::IgnoredAny {
    serde_json::from_slice(divan::black_box(DOCUMENTED_ACTION_JSON.as_bytes())).unwrap()
}

/// `serde_json::Value` from the same bytes checked as UTF-8 first, as `parse_action` does:
/// the reference point with the same trick, so that the typed gain is not all from it.
#[divan::bench]
fn untyped_value_from_str() -> serde_json::Value {
    let text = std::str::from_utf8(divan::black_box(DOCUMENTED_ACTION_JSON.as_bytes())).unwrap();
    serde_json::from_str(text).unwrap()
}
