//! Scenario play: what a request that reached a scenario is answered, given how many requests
//! the scenario served before it.

use std::sync::Arc;
use std::time::Duration;

use hyper::Version;

use crate::answer::{self, Answer, HTML, JSON, Payload};
use crate::body::{self, PaddedBody, Status};
use crate::connection::HangUp;
use crate::scenario::{self, Scenario};
use crate::state::{Meta, Shared};

/// One request that reached a scenario, and the state of its `(droplet_id, action_id)` pair
/// before it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Turn {
    pub(crate) scenario: Scenario,
    pub(crate) droplet_id: i64,
    pub(crate) action_id: i64,
    /// Requests the scenario served before this one.
    pub(crate) served: u64,
    /// Mock time since the scenario's first request (zero for the first).
    pub(crate) since_first: Duration,
}

/// The status of a generated action that is in progress until `done`, then completed (or
/// errored).
fn progress(done: bool, errored: bool) -> Status {
    match (done, errored) {
        (false, _) => Status::InProgress,
        (true, false) => Status::Completed,
        (true, true) => Status::Errored,
    }
}

/// Answers as `turn.scenario` does after it has served `turn.served` requests. The hang-ups
/// throw `hang_up`, but for a body cut short on HTTP/2 (`version`), whose stream ends instead.
pub(crate) async fn play(
    shared: &Shared,
    hang_up: &Arc<HangUp>,
    version: Version,
    meta: &Meta,
    turn: &Turn,
) -> Answer {
    let (d, a, served) = (turn.droplet_id, turn.action_id, turn.served);
    match turn.scenario {
        Scenario::Documented => answer::json(
            meta,
            200,
            droplet_action_model::DOCUMENTED_ACTION_JSON
                .as_bytes()
                .to_vec(),
        ),
        Scenario::InProgressThen { requests, errored } => {
            let status = progress(served >= requests, errored);
            answer::json(meta, 200, body::action(d, a, status))
        }
        Scenario::InProgressFor { seconds, errored } => {
            let status = progress(turn.since_first >= Duration::from_secs(seconds), errored);
            answer::json(meta, 200, body::action(d, a, status))
        }
        Scenario::RedirectOtherOrigin => {
            let location = format!(
                "{}://localhost:{}/v2/droplets/{d}/actions/{a}",
                shared.scheme,
                shared.target_addr.port()
            );
            answer::with_header(answer::json(meta, 302, Vec::new()), "location", &location)
        }
        Scenario::RedirectSameOrigin => {
            let location = format!(
                "/v2/droplets/{}/actions/{}",
                scenario::DOCUMENTED_DROPLET,
                scenario::DOCUMENTED_ACTION
            );
            answer::with_header(answer::json(meta, 302, Vec::new()), "location", &location)
        }
        Scenario::AlwaysUnauthorized => answer::unauthorized(meta),
        Scenario::TooManyRequestsOnce if served == 0 => {
            let meta = Meta {
                remaining: 0,
                ..meta.clone()
            };
            answer::too_many_requests(&meta, 1)
        }
        Scenario::ServerErrorTwice if served < 2 => answer::server_error(meta),
        Scenario::ServiceUnavailableTwice if served < 2 => answer::error(
            meta,
            503,
            "service_unavailable",
            "The service is temporarily unavailable.",
        ),
        Scenario::TooManyRequestsOnce
        | Scenario::ServerErrorTwice
        | Scenario::ServiceUnavailableTwice => answer::completed(meta, d, a),
        Scenario::BadGatewayHtml => answer::bytes(meta, 502, HTML, body::html("502 Bad Gateway")),
        Scenario::AlwaysServerError => answer::server_error(meta),
        Scenario::MalformedJson => answer::json(meta, 200, body::malformed(d, a)),
        Scenario::UnknownFields => answer::json(meta, 200, body::unknown_fields(d, a)),
        Scenario::NullFields => answer::json(meta, 200, body::null_fields(d, a)),
        Scenario::HugeIds => answer::json(meta, 200, body::huge_ids(d, a)),
        Scenario::EmptyAction => answer::json(meta, 200, body::envelope(serde_json::json!({}))),
        Scenario::EmbeddedNul => answer::json(meta, 200, body::embedded_nul(d, a)),
        Scenario::HtmlOk => answer::bytes(meta, 200, HTML, body::html("Welcome")),
        Scenario::FractionalTimestamps => {
            answer::json(meta, 200, body::fractional_timestamps(d, a))
        }
        Scenario::NotFound => answer::not_found(meta),
        Scenario::LargeBody => {
            let source = PaddedBody::new(d, a, scenario::LARGE_BODY_LEN);
            let len = source.len();
            answer::answer(meta, 200, JSON, Payload::generated(source), len)
        }
        Scenario::GzipBomb => {
            // Compressed once per process, off the threads that serve connections.
            let bomb = match tokio::task::spawn_blocking(body::gzip_bomb).await {
                Ok(bomb) => bomb,
                Err(_) => return answer::server_error(meta),
            };
            answer::with_header(
                answer::bytes(meta, 200, JSON, bomb.to_vec()),
                "content-encoding",
                "gzip",
            )
        }
        Scenario::SlowAnswer => {
            let delay = Duration::from_millis(d.unsigned_abs().min(scenario::SLOW_MAX_MS));
            tokio::time::sleep(delay).await;
            answer::completed(meta, d, a)
        }
        Scenario::SlowBody => {
            let whole = body::action(d, a, Status::Completed);
            let len = whole.len() as u64;
            let trickle = Payload::trickle(
                whole,
                scenario::SLOW_BODY_PIECES,
                Duration::from_millis(scenario::SLOW_BODY_INTERVAL_MS),
            );
            answer::answer(meta, 200, JSON, trickle, len)
        }
        Scenario::TruncatedBody => {
            let mut start = body::action(d, a, Status::Completed);
            start.truncate(scenario::TRUNCATED_SENT);
            let cut = Payload::Cut {
                start: Some(start.into()),
                hang_up: Arc::clone(hang_up),
                end_stream: version == Version::HTTP_2,
            };
            answer::answer(meta, 200, JSON, cut, scenario::TRUNCATED_ANNOUNCED as u64)
        }
        Scenario::CloseWithoutAnswer => {
            hang_up.now();
            // The connection is dropped, and this answer with it, before it is sent.
            std::future::pending().await
        }
    }
}
