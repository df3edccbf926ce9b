//! Properties: every action the spec allows round-trips; no byte string makes parsing panic.

use droplet_action_model::{Action, ActionStatus, Region, Timestamp, classify, parse_action};
use proptest::prelude::*;

fn timestamp() -> impl Strategy<Value = Timestamp> {
    (
        -2_000_000_000i64..4_000_000_000i64,
        prop_oneof![Just(None), (0u32..1_000_000_000).prop_map(Some)],
        prop_oneof![Just(None), (-14 * 60i32..=14 * 60).prop_map(Some)],
    )
        .prop_map(|(seconds, nanos, offset_minutes)| {
            let instant = jiff::Timestamp::new(seconds, nanos.unwrap_or(0) as i32).unwrap();
            let text = match offset_minutes {
                None => instant.to_string(),
                Some(minutes) => {
                    let offset = jiff::tz::Offset::from_seconds(minutes * 60).unwrap();
                    instant.display_with_offset(offset).to_string()
                }
            };
            text.parse().unwrap()
        })
}

fn status() -> impl Strategy<Value = ActionStatus> {
    prop_oneof![
        Just(ActionStatus::InProgress),
        Just(ActionStatus::Completed),
        Just(ActionStatus::Errored),
        "[a-z-]{0,12}".prop_map(|text| ActionStatus::from(text.as_str())),
    ]
}

fn region() -> impl Strategy<Value = Region> {
    (
        proptest::option::of(any::<String>()),
        proptest::option::of(any::<String>()),
        proptest::option::of(proptest::collection::vec(any::<String>(), 0..4)),
        proptest::option::of(proptest::collection::vec(any::<String>(), 0..4)),
        proptest::option::of(any::<bool>()),
    )
        .prop_map(|(name, slug, sizes, features, available)| Region {
            name,
            slug,
            sizes,
            features,
            available,
        })
}

prop_compose! {
    fn action()(
        id in proptest::option::of(any::<i64>()),
        status in proptest::option::of(status()),
        kind in proptest::option::of(any::<String>()),
        started_at in proptest::option::of(timestamp()),
        completed_at in proptest::option::of(timestamp()),
        resource_id in proptest::option::of(any::<i64>()),
        resource_type in proptest::option::of(any::<String>()),
        region in proptest::option::of(region()),
        region_slug in proptest::option::of(any::<String>()),
    ) -> Action {
        Action { id, status, kind, started_at, completed_at, resource_id, resource_type, region, region_slug }
    }
}

proptest! {
    #[test]
    fn any_allowed_action_round_trips(action in action()) {
        let body = serde_json::to_vec(&serde_json::json!({ "action": action })).unwrap();
        prop_assert_eq!(parse_action(&body).unwrap(), action);
    }

    #[test]
    fn no_byte_string_makes_parsing_panic(body in proptest::collection::vec(any::<u8>(), 0..512), status in 100u16..600) {
        let _ = classify(status, &http::HeaderMap::new(), body);
    }

    #[test]
    fn no_json_shaped_body_makes_parsing_panic(body in r#"\{"action":\{("[a-z_]{1,12}":(null|true|-?[0-9]{1,20}|"[^"\\]{0,8}"|\[\]|\{\}),?){0,6}\}\}"#) {
        let _ = parse_action(body.as_bytes());
    }
}
