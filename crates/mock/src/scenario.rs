//! The scenarios the mock plays, chosen by the ids in the request path.
//!
//! Every id here is an action id except [`DOCUMENTED_DROPLET`]. Unless a scenario says
//! otherwise it answers for any droplet id, and its state (how many requests it has served)
//! is kept per `(droplet_id, action_id)` pair, per server: a test that wants a fresh counter
//! picks another droplet id.
//!
//! ```
//! use droplet_action_mock::scenario;
//!
//! // In progress for the first 3 requests, then completed.
//! assert_eq!(scenario::in_progress_then_completed(3), Some(900103));
//! assert_eq!(scenario::in_progress_then_errored(99), Some(900299));
//! assert_eq!(scenario::in_progress_then_completed(0), None);
//!
//! // In progress until 90 (mock) seconds after its first request, then completed.
//! assert_eq!(scenario::completes_after_seconds(90), Some(5_000_090));
//! assert_eq!(scenario::errors_after_seconds(1), Some(6_000_001));
//! ```

/// The droplet of the documented example (`GET /v2/droplets/3164444/actions/36804636`).
pub const DOCUMENTED_DROPLET: i64 = 3164444;
/// The action of the documented example: answers 200 with
/// [`droplet_action_model::DOCUMENTED_ACTION_JSON`], byte for byte, for
/// [`DOCUMENTED_DROPLET`] only.
pub const DOCUMENTED_ACTION: i64 = 36804636;

/// First action id of the "in progress for NN requests, then completed" range (NN = 1):
/// `900100 + NN`, see [`in_progress_then_completed`].
pub const IN_PROGRESS_THEN_COMPLETED_FIRST: i64 = 900101;
/// Last action id of the "in progress for NN requests, then completed" range (NN = 99).
pub const IN_PROGRESS_THEN_COMPLETED_LAST: i64 = 900199;
/// First action id of the "in progress for NN requests, then errored" range (NN = 1):
/// `900200 + NN`, see [`in_progress_then_errored`].
pub const IN_PROGRESS_THEN_ERRORED_FIRST: i64 = 900201;
/// Last action id of the "in progress for NN requests, then errored" range (NN = 99).
pub const IN_PROGRESS_THEN_ERRORED_LAST: i64 = 900299;

/// First action id of the "in progress until N seconds after the first request, then
/// completed" range (N = 1): `5_000_000 + N`, see [`completes_after_seconds`].
pub const COMPLETES_AFTER_SECONDS_FIRST: i64 = 5_000_001;
/// Last action id of the "then completed after N seconds" range (N = 999_999).
pub const COMPLETES_AFTER_SECONDS_LAST: i64 = 5_999_999;
/// First action id of the "in progress until N seconds after the first request, then
/// errored" range (N = 1): `6_000_000 + N`, see [`errors_after_seconds`].
pub const ERRORS_AFTER_SECONDS_FIRST: i64 = 6_000_001;
/// Last action id of the "then errored after N seconds" range (N = 999_999).
pub const ERRORS_AFTER_SECONDS_LAST: i64 = 6_999_999;

/// 302 to another origin: `http://localhost:OTHERPORT/v2/droplets/{d}/actions/{a}`, served by
/// a second listener that records what it receives
/// ([`MockServer::redirect_target_requests`](crate::MockServer::redirect_target_requests))
/// and answers 200 with a completed action, token or not.
pub const REDIRECT_OTHER_ORIGIN: i64 = 900301;
/// 302 to the same origin, `Location: /v2/droplets/3164444/actions/36804636`.
pub const REDIRECT_SAME_ORIGIN: i64 = 900302;
/// Always 401 `unauthorized`, even with the right token.
pub const ALWAYS_UNAUTHORIZED: i64 = 900401;
/// 429 `too_many_requests` with `retry-after: 1` and `ratelimit-remaining: 0` on the first
/// request, then 200 with a completed action.
pub const TOO_MANY_REQUESTS_ONCE: i64 = 900429;
/// 500 `server_error` on the first two requests, then 200 with a completed action.
pub const SERVER_ERROR_TWICE: i64 = 900500;
/// 502 with an HTML page (`content-type: text/html`), no JSON.
pub const BAD_GATEWAY_HTML: i64 = 900502;
/// 503 `service_unavailable` on the first two requests, then 200 with a completed action.
pub const SERVICE_UNAVAILABLE_TWICE: i64 = 900503;
/// Always 500 `server_error`.
pub const ALWAYS_SERVER_ERROR: i64 = 900599;
/// 200 with malformed JSON (a completed action cut in the middle), with a correct
/// `content-length`: the JSON is broken, not the HTTP.
pub const MALFORMED_JSON: i64 = 900600;
/// 200 with status `"paused"`, type `"teleport"` and unknown fields at every level.
pub const UNKNOWN_FIELDS: i64 = 900601;
/// 200 with status `"in-progress"` and `completed_at`, `resource_id`, `region_slug` and
/// `region` all `null`.
pub const NULL_FIELDS: i64 = 900602;
/// 200 with `id` 9223372036854775807 (`i64::MAX`) and `resource_id` 9223372036854775806.
pub const HUGE_IDS: i64 = 900603;
/// 200 with `{"action":{}}`: every field absent.
pub const EMPTY_ACTION: i64 = 900604;
/// 200 with `"type": "cre\u0000ate"` (an embedded NUL), otherwise a completed action.
pub const EMBEDDED_NUL: i64 = 900605;
/// 200 with an HTML page (`content-type: text/html`).
pub const HTML_OK: i64 = 900606;
/// 200 with `started_at` `"2020-11-14T17:29:21.123456+01:00"` and `completed_at`
/// `"2020-11-14T16:30:06.5Z"`.
pub const FRACTIONAL_TIMESTAMPS: i64 = 900607;
/// 200 with a body of [`LARGE_BODY_LEN`] bytes (valid JSON: a completed action with a long
/// `padding` string), streamed from a generator with a `content-length`.
pub const LARGE_BODY: i64 = 900700;
/// 200 with `content-encoding: gzip` and a gzip body of about 17 KiB that expands to
/// [`GZIP_BOMB_DECODED_LEN`] bytes of JSON.
pub const GZIP_BOMB: i64 = 900701;
/// Waits `droplet_id` milliseconds (at most [`SLOW_MAX_MS`]) before answering 200 with a
/// completed action; other clients are served meanwhile.
pub const SLOW_ANSWER: i64 = 900800;
/// Sends the headers at once, then a completed action's body in [`SLOW_BODY_PIECES`] pieces,
/// one every [`SLOW_BODY_INTERVAL_MS`] milliseconds.
pub const SLOW_BODY: i64 = 900801;
/// Headers announce `content-length: 1000`, the first [`TRUNCATED_SENT`] bytes of the body
/// are sent, then the connection is closed.
pub const TRUNCATED_BODY: i64 = 900900;
/// The connection is closed without any answer.
pub const CLOSE_WITHOUT_ANSWER: i64 = 900901;

/// Body length of [`LARGE_BODY`]: 16 MiB.
pub const LARGE_BODY_LEN: u64 = 16 * 1024 * 1024;
/// Decoded length of [`GZIP_BOMB`]'s body: 17 MiB.
pub const GZIP_BOMB_DECODED_LEN: u64 = 17 * 1024 * 1024;
/// The longest wait of [`SLOW_ANSWER`], in milliseconds.
pub const SLOW_MAX_MS: u64 = 60_000;
/// How many pieces [`SLOW_BODY`]'s body is cut into.
pub const SLOW_BODY_PIECES: usize = 25;
/// Milliseconds between two pieces of [`SLOW_BODY`]'s body.
pub const SLOW_BODY_INTERVAL_MS: u64 = 200;
/// The `content-length` [`TRUNCATED_BODY`] announces.
pub const TRUNCATED_ANNOUNCED: usize = 1000;
/// How many body bytes [`TRUNCATED_BODY`] sends before closing.
pub const TRUNCATED_SENT: usize = 100;

/// The action id that is in progress for the first `requests` requests, then completed;
/// `None` unless `requests` is within 1..=99.
pub const fn in_progress_then_completed(requests: u32) -> Option<i64> {
    if requests >= 1 && requests <= 99 {
        Some(900100 + requests as i64)
    } else {
        None
    }
}

/// The action id that is in progress for the first `requests` requests, then errored;
/// `None` unless `requests` is within 1..=99.
pub const fn in_progress_then_errored(requests: u32) -> Option<i64> {
    if requests >= 1 && requests <= 99 {
        Some(900200 + requests as i64)
    } else {
        None
    }
}

/// The action id that is in progress until `seconds` after the first request for it, then
/// completed; `None` unless `seconds` is within 1..=999_999.
///
/// The clock starts at the first request for the `(droplet_id, action_id)` pair that reaches
/// the scenario (right token, `GET`, not refused by the rate limit), and runs at the server's
/// time scale ([`MockServerBuilder::time_scale`](crate::MockServerBuilder::time_scale)): at
/// scale 60, `completes_after_seconds(120)` completes 2 real seconds after it was first seen.
pub const fn completes_after_seconds(seconds: u32) -> Option<i64> {
    if seconds >= 1 && seconds <= 999_999 {
        Some(5_000_000 + seconds as i64)
    } else {
        None
    }
}

/// The action id that is in progress until `seconds` after the first request for it, then
/// errored (with `completed_at`); `None` unless `seconds` is within 1..=999_999. The clock
/// runs as for [`completes_after_seconds`].
pub const fn errors_after_seconds(seconds: u32) -> Option<i64> {
    if seconds >= 1 && seconds <= 999_999 {
        Some(6_000_000 + seconds as i64)
    } else {
        None
    }
}

/// The scenario table, as printed by `droplet-action-mock --help`.
pub const TABLE: &str = "\
droplet / action            answer
3164444 / 36804636          200, the documented example, byte for byte
any / 9001NN (NN=01..99)    200 in-progress for the first NN requests, then completed
any / 9002NN (NN=01..99)    200 in-progress for the first NN requests, then errored
any / 5000000+N (N>=1)      200 in-progress until N seconds (scaled) after the first request, then completed
any / 6000000+N (N>=1)      200 in-progress until N seconds (scaled) after the first request, then errored
any / 900301                302 to another origin (http://localhost:OTHERPORT/...), which answers 200
any / 900302                302 to the same origin, /v2/droplets/3164444/actions/36804636
any / 900401                401 unauthorized, always
any / 900429                429 (retry-after: 1, ratelimit-remaining: 0) once, then 200 completed
any / 900500                500 server_error twice, then 200 completed
any / 900502                502 HTML page (text/html)
any / 900503                503 service_unavailable twice, then 200 completed
any / 900599                500 server_error, always
any / 900600                200 malformed JSON (cut), correct content-length
any / 900601                200 status paused, type teleport, unknown fields everywhere
any / 900602                200 in-progress, completed_at/resource_id/region_slug/region null
any / 900603                200 id 9223372036854775807, resource_id 9223372036854775806
any / 900604                200 {\"action\":{}}
any / 900605                200 type \"cre\\u0000ate\" (embedded NUL)
any / 900606                200 HTML page (text/html)
any / 900607                200 timestamps with fractions and offsets
any / 900700                200 16 MiB body, streamed with content-length
any / 900701                200 gzip bomb: ~17 KiB gzip expanding to 17 MiB
D / 900800                  200 completed after D milliseconds (at most 60000)
any / 900801                200 headers at once, body in 25 pieces, one every 200 ms
any / 900900                200 content-length 1000, 100 bytes sent, connection closed
any / 900901                connection closed without an answer
anything else               404 not_found
";

/// What a request for `(droplet_id, action_id)` plays, before counting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scenario {
    Documented,
    InProgressThen { requests: u64, errored: bool },
    InProgressFor { seconds: u64, errored: bool },
    RedirectOtherOrigin,
    RedirectSameOrigin,
    AlwaysUnauthorized,
    TooManyRequestsOnce,
    ServerErrorTwice,
    BadGatewayHtml,
    ServiceUnavailableTwice,
    AlwaysServerError,
    MalformedJson,
    UnknownFields,
    NullFields,
    HugeIds,
    EmptyAction,
    EmbeddedNul,
    HtmlOk,
    FractionalTimestamps,
    LargeBody,
    GzipBomb,
    SlowAnswer,
    SlowBody,
    TruncatedBody,
    CloseWithoutAnswer,
    NotFound,
}

impl Scenario {
    /// The scenario the ids in the path select.
    pub(crate) fn select(droplet_id: i64, action_id: i64) -> Scenario {
        match action_id {
            DOCUMENTED_ACTION if droplet_id == DOCUMENTED_DROPLET => Scenario::Documented,
            IN_PROGRESS_THEN_COMPLETED_FIRST..=IN_PROGRESS_THEN_COMPLETED_LAST => {
                Scenario::InProgressThen {
                    requests: (action_id - 900100) as u64,
                    errored: false,
                }
            }
            IN_PROGRESS_THEN_ERRORED_FIRST..=IN_PROGRESS_THEN_ERRORED_LAST => {
                Scenario::InProgressThen {
                    requests: (action_id - 900200) as u64,
                    errored: true,
                }
            }
            COMPLETES_AFTER_SECONDS_FIRST..=COMPLETES_AFTER_SECONDS_LAST => {
                Scenario::InProgressFor {
                    seconds: (action_id - 5_000_000) as u64,
                    errored: false,
                }
            }
            ERRORS_AFTER_SECONDS_FIRST..=ERRORS_AFTER_SECONDS_LAST => Scenario::InProgressFor {
                seconds: (action_id - 6_000_000) as u64,
                errored: true,
            },
            REDIRECT_OTHER_ORIGIN => Scenario::RedirectOtherOrigin,
            REDIRECT_SAME_ORIGIN => Scenario::RedirectSameOrigin,
            ALWAYS_UNAUTHORIZED => Scenario::AlwaysUnauthorized,
            TOO_MANY_REQUESTS_ONCE => Scenario::TooManyRequestsOnce,
            SERVER_ERROR_TWICE => Scenario::ServerErrorTwice,
            BAD_GATEWAY_HTML => Scenario::BadGatewayHtml,
            SERVICE_UNAVAILABLE_TWICE => Scenario::ServiceUnavailableTwice,
            ALWAYS_SERVER_ERROR => Scenario::AlwaysServerError,
            MALFORMED_JSON => Scenario::MalformedJson,
            UNKNOWN_FIELDS => Scenario::UnknownFields,
            NULL_FIELDS => Scenario::NullFields,
            HUGE_IDS => Scenario::HugeIds,
            EMPTY_ACTION => Scenario::EmptyAction,
            EMBEDDED_NUL => Scenario::EmbeddedNul,
            HTML_OK => Scenario::HtmlOk,
            FRACTIONAL_TIMESTAMPS => Scenario::FractionalTimestamps,
            LARGE_BODY => Scenario::LargeBody,
            GZIP_BOMB => Scenario::GzipBomb,
            SLOW_ANSWER => Scenario::SlowAnswer,
            SLOW_BODY => Scenario::SlowBody,
            TRUNCATED_BODY => Scenario::TruncatedBody,
            CLOSE_WITHOUT_ANSWER => Scenario::CloseWithoutAnswer,
            _ => Scenario::NotFound,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_action_needs_the_documented_droplet() {
        assert_eq!(
            Scenario::select(DOCUMENTED_DROPLET, DOCUMENTED_ACTION),
            Scenario::Documented
        );
        assert_eq!(Scenario::select(1, DOCUMENTED_ACTION), Scenario::NotFound);
    }

    #[test]
    fn ranges_end_where_documented() {
        assert_eq!(Scenario::select(1, 900100), Scenario::NotFound);
        assert_eq!(Scenario::select(1, 900200), Scenario::NotFound);
        assert_eq!(
            Scenario::select(1, 900299),
            Scenario::InProgressThen {
                requests: 99,
                errored: true
            }
        );
        assert_eq!(Scenario::select(1, 900300), Scenario::NotFound);
        assert_eq!(Scenario::select(1, 5_000_000), Scenario::NotFound);
        assert_eq!(
            Scenario::select(1, 5_999_999),
            Scenario::InProgressFor {
                seconds: 999_999,
                errored: false
            }
        );
        assert_eq!(
            Scenario::select(1, 6_000_001),
            Scenario::InProgressFor {
                seconds: 1,
                errored: true
            }
        );
        assert_eq!(Scenario::select(1, 6_000_000), Scenario::NotFound);
        assert_eq!(Scenario::select(1, 7_000_000), Scenario::NotFound);
    }
}
