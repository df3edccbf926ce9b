//! Every shape the OpenAPI description allows parses, and every documented error classifies.

use droplet_action_model::{
    Action, ActionStatus, ApiError, RateLimit, Region, ResponseError, RetryAfter, classify,
    parse_action,
};
use http::HeaderMap;

fn api_error(status: u16, headers: &HeaderMap, body: &str) -> ApiError {
    match classify(status, headers, body.as_bytes().to_vec())
        .unwrap_err()
        .error
    {
        ResponseError::Api(api) => api,
        other => panic!("expected an API error, got {other:?}"),
    }
}

#[test]
fn every_documented_error_response_classifies_with_id_and_message() {
    let cases = [
        (401, "unauthorized", "Unable to authenticate you."),
        (
            404,
            "not_found",
            "The resource you requested could not be found.",
        ),
        (429, "too_many_requests", "API rate limit exceeded."),
        (500, "server_error", "Unexpected server-side error"),
        (418, "example_error", "some error message"),
    ];
    for (status, id, message) in cases {
        let body = serde_json::json!({ "id": id, "message": message }).to_string();
        let error = api_error(status, &HeaderMap::new(), &body);
        assert_eq!(
            error,
            ApiError {
                status,
                id: Some(id.into()),
                message: Some(message.into()),
                request_id: None
            }
        );
    }
}

#[test]
fn error_request_id_comes_from_the_body_before_the_header() {
    let mut headers = HeaderMap::new();
    headers.insert("x-request-id", "from-header".parse().unwrap());
    let body = r#"{"id":"not_found","message":"gone","request_id":"from-body"}"#;
    assert_eq!(
        api_error(404, &headers, body).request_id.as_deref(),
        Some("from-body")
    );
    let body = r#"{"id":"not_found","message":"gone"}"#;
    assert_eq!(
        api_error(404, &headers, body).request_id.as_deref(),
        Some("from-header")
    );
}

#[test]
fn error_display_names_status_id_message_and_request_id() {
    let body = r#"{"id":"not_found","message":"The resource you requested could not be found.","request_id":"4d9d8375"}"#;
    assert_eq!(
        api_error(404, &HeaderMap::new(), body).to_string(),
        "HTTP 404 Not Found: not_found: The resource you requested could not be found. (request id 4d9d8375)"
    );
}

#[test]
fn html_error_page_is_an_api_error_with_the_status_alone() {
    let body = "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>";
    let answer = classify(502, &HeaderMap::new(), body.as_bytes().to_vec()).unwrap_err();
    assert_eq!(answer.body, body.as_bytes());
    let ResponseError::Api(error) = &answer.error else {
        panic!("expected an API error");
    };
    assert_eq!(
        *error,
        ApiError {
            status: 502,
            id: None,
            message: None,
            request_id: None
        }
    );
    assert_eq!(
        error.to_string(),
        "HTTP 502 Bad Gateway (the body is not a JSON error object)"
    );
}

#[test]
fn rate_limited_answer_carries_retry_after_and_rate_limit() {
    let mut headers = HeaderMap::new();
    headers.insert("retry-after", "1".parse().unwrap());
    headers.insert("ratelimit-limit", "250".parse().unwrap());
    headers.insert("ratelimit-remaining", "0".parse().unwrap());
    headers.insert("ratelimit-reset", "1605371400".parse().unwrap());
    let body = r#"{"id":"too_many_requests","message":"API rate limit exceeded."}"#;
    let answer = classify(429, &headers, body.as_bytes().to_vec()).unwrap_err();
    assert_eq!(
        answer.meta.retry_after,
        Some(RetryAfter::Delay(std::time::Duration::from_secs(1)))
    );
    assert_eq!(
        answer.meta.rate_limit,
        Some(RateLimit {
            limit: 250,
            remaining: 0,
            reset: 1605371400
        })
    );
}

#[test]
fn nullable_fields_given_as_null_are_none() {
    let action = parse_action(
        br#"{"action":{"id":1,"status":"in-progress","completed_at":null,"resource_id":null,"region_slug":null,"region":null}}"#,
    )
    .unwrap();
    assert_eq!(
        action,
        Action {
            id: Some(1),
            status: Some(ActionStatus::InProgress),
            ..Action::default()
        }
    );
}

#[test]
fn every_field_may_be_absent() {
    assert_eq!(
        parse_action(br#"{"action":{}}"#).unwrap(),
        Action::default()
    );
    let action = parse_action(br#"{"action":{"region":{}}}"#).unwrap();
    assert_eq!(action.region, Some(Region::default()));
}

#[test]
fn every_field_may_be_null() {
    let body = br#"{"action":{"id":null,"status":null,"type":null,"started_at":null,
        "completed_at":null,"resource_id":null,"resource_type":null,"region_slug":null,
        "region":{"name":null,"slug":null,"sizes":null,"features":null,"available":null}}}"#;
    let action = parse_action(body).unwrap();
    assert_eq!(
        action,
        Action {
            region: Some(Region::default()),
            ..Action::default()
        }
    );
}

#[test]
fn unknown_status_and_type_keep_their_text() {
    let action = parse_action(br#"{"action":{"status":"paused","type":"teleport"}}"#).unwrap();
    assert_eq!(action.status, Some(ActionStatus::Unknown("paused".into())));
    assert_eq!(action.kind.as_deref(), Some("teleport"));
}

#[test]
fn known_statuses_parse_to_their_variants() {
    for (text, status) in [
        ("in-progress", ActionStatus::InProgress),
        ("completed", ActionStatus::Completed),
        ("errored", ActionStatus::Errored),
        ("", ActionStatus::Unknown(String::new())),
        ("Completed", ActionStatus::Unknown("Completed".into())),
    ] {
        let body = serde_json::json!({ "action": { "status": text } }).to_string();
        assert_eq!(parse_action(body.as_bytes()).unwrap().status, Some(status));
    }
}

#[test]
fn unknown_fields_are_ignored_at_every_level() {
    let body = br#"{"links":{"next":null},"meta":{"total":1},
        "action":{"id":7,"new_field":[1,{"a":[true,null]}],"status":"completed",
            "region":{"slug":"ams3","datacenter":{"x":1},"sizes":["s"],"extra":"x"}},
        "trailing_field":"value"}"#;
    let action = parse_action(body).unwrap();
    assert_eq!(action.id, Some(7));
    assert_eq!(action.status, Some(ActionStatus::Completed));
    let region = action.region.unwrap();
    assert_eq!(region.slug.as_deref(), Some("ams3"));
    assert_eq!(region.sizes, Some(vec!["s".to_owned()]));
}

#[test]
fn ids_above_two_to_the_31_and_up_to_i64_max_parse() {
    let body = br#"{"action":{"id":9223372036854775807,"resource_id":2147483648}}"#;
    let action = parse_action(body).unwrap();
    assert_eq!(action.id, Some(i64::MAX));
    assert_eq!(action.resource_id, Some(2_147_483_648));
}

#[test]
fn timestamps_with_fractions_and_offsets_parse_to_the_right_instant() {
    let body = br#"{"action":{"started_at":"2020-11-14T17:29:21.123456+01:00",
        "completed_at":"2020-11-14T16:30:06.5Z"}}"#;
    let action = parse_action(body).unwrap();
    let started = action.started_at.unwrap();
    assert_eq!(started.as_str(), "2020-11-14T17:29:21.123456+01:00");
    assert_eq!(started.unix_seconds(), 1_605_371_361);
    assert_eq!(started.instant().subsec_microsecond(), 123_456);
    let completed = action.completed_at.unwrap();
    assert_eq!(completed.unix_seconds(), 1_605_371_406);
    assert_eq!(completed.instant().subsec_millisecond(), 500);
}

#[test]
fn timestamp_before_the_epoch_rounds_down_to_whole_seconds() {
    let body = br#"{"action":{"started_at":"1969-12-31T23:59:59.5Z"}}"#;
    assert_eq!(
        parse_action(body)
            .unwrap()
            .started_at
            .unwrap()
            .unix_seconds(),
        -1
    );
}

#[test]
fn lower_case_separators_are_rfc_3339_too() {
    let body = br#"{"action":{"started_at":"2020-11-14t16:29:21z"}}"#;
    assert_eq!(
        parse_action(body)
            .unwrap()
            .started_at
            .unwrap()
            .unix_seconds(),
        1_605_371_361
    );
}
