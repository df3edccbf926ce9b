//! The documented answer of the API reference parses to every field and value it shows.

use droplet_action_model::{
    ActionStatus, DOCUMENTED_ACTION_JSON, RateLimit, classify, parse_action,
};

#[test]
fn documented_example_has_every_field_and_value() {
    let action = parse_action(DOCUMENTED_ACTION_JSON.as_bytes()).unwrap();
    assert_eq!(action.id, Some(36804636));
    assert_eq!(action.status, Some(ActionStatus::Completed));
    assert_eq!(action.kind.as_deref(), Some("create"));
    let started = action.started_at.as_ref().unwrap();
    assert_eq!(started.as_str(), "2020-11-14T16:29:21Z");
    assert_eq!(started.unix_seconds(), 1_605_371_361);
    let completed = action.completed_at.as_ref().unwrap();
    assert_eq!(completed.as_str(), "2020-11-14T16:30:06Z");
    assert_eq!(completed.unix_seconds(), 1_605_371_406);
    assert_eq!(action.resource_id, Some(3164444));
    assert_eq!(action.resource_type.as_deref(), Some("droplet"));
    assert_eq!(action.region_slug.as_deref(), Some("nyc3"));

    let region = action.region.as_ref().unwrap();
    assert_eq!(region.name.as_deref(), Some("New York 3"));
    assert_eq!(region.slug.as_deref(), Some("nyc3"));
    assert_eq!(region.available, Some(true));
    assert_eq!(
        region.features.as_deref().unwrap(),
        [
            "private_networking",
            "backups",
            "ipv6",
            "metadata",
            "install_agent",
            "storage",
            "image_transfer"
        ]
    );
    assert_eq!(
        region.sizes.as_deref().unwrap(),
        [
            "s-1vcpu-1gb",
            "s-1vcpu-2gb",
            "s-1vcpu-3gb",
            "s-2vcpu-2gb",
            "s-3vcpu-1gb",
            "s-2vcpu-4gb",
            "s-4vcpu-8gb",
            "s-6vcpu-16gb",
            "s-8vcpu-32gb",
            "s-12vcpu-48gb",
            "s-16vcpu-64gb",
            "s-20vcpu-96gb",
            "s-24vcpu-128gb",
            "s-32vcpu-192g"
        ]
    );
}

#[test]
fn documented_answer_keeps_body_and_metadata() {
    let mut headers = http::HeaderMap::new();
    headers.insert("ratelimit-limit", "5000".parse().unwrap());
    headers.insert("ratelimit-remaining", "4816".parse().unwrap());
    headers.insert("ratelimit-reset", "1444931833".parse().unwrap());
    headers.insert(
        "x-request-id",
        "4d9d8375-3c56-4925-a3e7-eb137fed17e9".parse().unwrap(),
    );
    let answer = classify(200, &headers, DOCUMENTED_ACTION_JSON.as_bytes().to_vec()).unwrap();
    assert_eq!(answer.body(), DOCUMENTED_ACTION_JSON.as_bytes());
    assert_eq!(answer.meta.status, 200);
    assert_eq!(
        answer.meta.rate_limit,
        Some(RateLimit {
            limit: 5000,
            remaining: 4816,
            reset: 1444931833
        })
    );
    assert_eq!(
        answer.meta.request_id.as_deref(),
        Some("4d9d8375-3c56-4925-a3e7-eb137fed17e9")
    );
    assert_eq!(answer.meta.retry_after, None);
    assert_eq!(answer.action.id, Some(36804636));
}

#[test]
fn documented_example_serializes_back_to_the_same_values() {
    let action = parse_action(DOCUMENTED_ACTION_JSON.as_bytes()).unwrap();
    let written = serde_json::to_value(serde_json::json!({ "action": action })).unwrap();
    let original: serde_json::Value = serde_json::from_str(DOCUMENTED_ACTION_JSON).unwrap();
    assert_eq!(written, original);
}
