//! What must fail fails, with a message that says what and where.

use droplet_action_model::{
    ActionId, BaseUrl, DecodeError, DropletId, ResponseError, Token, classify, parse_action,
};

fn decode_error(body: &[u8]) -> DecodeError {
    match classify(200, &http::HeaderMap::new(), body.to_vec())
        .unwrap_err()
        .error
    {
        ResponseError::Decode(error) => error,
        other => panic!("expected a decode error, got {other:?}"),
    }
}

#[test]
fn missing_action_is_named() {
    let error = decode_error(br#"{"droplet":{}}"#);
    assert_eq!(error.message, "missing field `action`");
    assert_eq!(error.path, None);
    assert_eq!((error.line, error.column), (1, 14));
}

#[test]
fn null_action_is_a_decode_error() {
    let error = decode_error(br#"{"action":null}"#);
    assert_eq!(error.message, "invalid type: null, expected a JSON object");
    assert_eq!(error.path.as_deref(), Some("action"));
}

#[test]
fn wrong_type_names_the_field_path() {
    let error = decode_error(br#"{"action":{"region":{"available":"yes"}}}"#);
    assert_eq!(
        error.message,
        "invalid type: string \"yes\", expected a boolean"
    );
    assert_eq!(error.path.as_deref(), Some("action.region.available"));
    assert_eq!(
        error.to_string(),
        "invalid action answer at `action.region.available`: invalid type: string \"yes\", expected a boolean at line 1, column 38"
    );
}

#[test]
fn string_id_is_rejected() {
    let error = decode_error(br#"{"action":{"id":"36804636"}}"#);
    assert_eq!(
        error.message,
        "invalid type: string \"36804636\", expected i64"
    );
    assert_eq!(error.path.as_deref(), Some("action.id"));
}

#[test]
fn id_beyond_i64_is_rejected() {
    let error = decode_error(br#"{"action":{"id":9223372036854775808}}"#);
    assert_eq!(error.path.as_deref(), Some("action.id"));
    assert_eq!(
        error.message,
        "invalid value: integer `9223372036854775808`, expected i64"
    );
}

#[test]
fn invalid_timestamp_is_rejected_with_its_path() {
    let error = decode_error(br#"{"action":{"started_at":"yesterday"}}"#);
    assert_eq!(error.path.as_deref(), Some("action.started_at"));
    assert!(
        error
            .message
            .starts_with("invalid RFC 3339 timestamp \"yesterday\""),
        "{}",
        error.message
    );
    let error = decode_error(br#"{"action":{"started_at":"2020-11-14T16:29:21"}}"#);
    assert_eq!(error.path.as_deref(), Some("action.started_at"));
}

#[test]
fn trailing_garbage_is_rejected() {
    let error = decode_error(br#"{"action":{}} x"#);
    assert_eq!(error.message, "trailing characters");
    assert_eq!((error.line, error.column), (1, 15));
}

#[test]
fn empty_body_is_rejected() {
    let error = decode_error(b"");
    assert_eq!(error.message, "EOF while parsing a value");
    assert_eq!((error.line, error.column), (1, 0));
}

#[test]
fn truncated_body_is_rejected() {
    let error = decode_error(br#"{"action": {"id": 1, "status": "comp"#);
    assert_eq!(error.message, "EOF while parsing a string");
}

#[test]
fn html_with_a_success_status_is_a_decode_error() {
    let error = decode_error(b"<html><body>maintenance</body></html>");
    assert_eq!(error.message, "expected value");
    assert_eq!((error.line, error.column), (1, 1));
}

fn nested(depth: usize, inner: &[u8]) -> Vec<u8> {
    let mut body = br#"{"action":{"x":"#.to_vec();
    body.extend(std::iter::repeat_n(b'[', depth));
    body.extend(inner);
    body.extend(std::iter::repeat_n(b']', depth));
    body.extend(b"}}");
    body
}

#[test]
fn deep_nesting_in_an_unknown_field_is_skipped_without_recursion() {
    let action = parse_action(&nested(100_000, b"")).unwrap();
    assert_eq!(action, droplet_action_model::Action::default());
}

#[test]
fn deep_nesting_where_an_object_is_expected_fails_at_the_first_level() {
    let mut body = br#"{"action":"#.to_vec();
    body.extend(std::iter::repeat_n(b'[', 100_000));
    let error = parse_action(&body).unwrap_err();
    assert_eq!(
        error.message,
        "invalid type: sequence, expected a JSON object"
    );
    assert_eq!((error.line, error.column), (1, 10));
}

#[test]
fn invalid_utf8_in_a_string_is_rejected() {
    let error = decode_error(b"{\"action\":{\"type\":\"\xff\"}}");
    assert_eq!(error.message, "invalid unicode code point");
    assert_eq!(error.path.as_deref(), Some("action.type"));
}

#[test]
fn zero_and_negative_ids_are_rejected_before_any_request() {
    assert_eq!(
        DropletId::new(0).unwrap_err().to_string(),
        "invalid droplet id: 0 (ids are integers >= 1)"
    );
    assert_eq!(
        ActionId::new(-1).unwrap_err().to_string(),
        "invalid action id: -1 (ids are integers >= 1)"
    );
    assert!(ActionId::new(i64::MIN).is_err());
    assert_eq!(DropletId::try_from(1).unwrap().get(), 1);
}

#[test]
fn malformed_base_urls_are_rejected() {
    for (url, reason) in [
        ("", "not a valid absolute URL"),
        ("api.digitalocean.com", "not a valid absolute URL"),
        ("ftp://example.com", "the scheme must be http or https"),
        (
            "https://user:pw@example.com",
            "a base URL cannot carry user info",
        ),
        ("https://example.com/?x=1", "a base URL cannot have a query"),
        (
            "https://example.com/#top",
            "a base URL cannot have a fragment",
        ),
        ("http://exa mple.com", "not a valid absolute URL"),
        (
            "http://127.0.0.1:99999",
            "the port is not a number from 1 to 65535",
        ),
        (
            "http://127.0.0.1:0",
            "the port is not a number from 1 to 65535",
        ),
    ] {
        let error = BaseUrl::parse(url).unwrap_err();
        assert_eq!(
            error.to_string(),
            format!(
                "invalid base URL {:?}: {reason}",
                droplet_action_model::redact_url(url)
            )
        );
    }
}

#[test]
fn base_url_keeps_a_path_prefix_and_knows_its_origin() {
    let url = BaseUrl::parse("https://Proxy.Example.com:8443/do/api/").unwrap();
    assert_eq!(url.as_str(), "https://Proxy.Example.com:8443/do/api");
    assert_eq!(url.origin(), "https://Proxy.Example.com:8443");
    assert_eq!(url.host(), "proxy.example.com");
    assert!(url.is_https());
    assert!(!url.is_loopback());
    for loopback in ["http://localhost:1", "http://127.0.0.9", "http://[::1]:80"] {
        assert!(
            BaseUrl::parse(loopback).unwrap().is_loopback(),
            "{loopback}"
        );
    }
}

#[test]
fn tokens_that_cannot_be_a_header_are_rejected_without_echoing_them() {
    assert_eq!(
        Token::new("").unwrap_err().to_string(),
        "the API token is empty"
    );
    for bad in ["has space", "new\nline", "caf\u{e9}"] {
        let message = Token::new(bad).unwrap_err().to_string();
        assert_eq!(
            message,
            "the API token holds a character that is not printable ASCII"
        );
    }
    let token = Token::new("dop_v1_abc").unwrap();
    assert!(token.authorization().is_sensitive());
    assert_eq!(format!("{token:?}"), "Token(<redacted>)");
}

#[test]
fn an_action_or_region_written_as_an_array_is_rejected() {
    let error = decode_error(br#"{"action":[1,"completed"]}"#);
    assert_eq!(
        error.message,
        "invalid type: sequence, expected a JSON object"
    );
    assert_eq!(error.path.as_deref(), Some("action"));
    let error = decode_error(br#"{"action":{"region":["New York 3","nyc3"]}}"#);
    assert_eq!(
        error.message,
        "invalid type: sequence, expected a JSON object"
    );
    assert_eq!(error.path.as_deref(), Some("action.region"));
    let error = decode_error(br#"[{"id":1}]"#);
    assert_eq!(
        error.message,
        "invalid type: sequence, expected a JSON object"
    );
}
