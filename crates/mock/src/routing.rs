//! What each request is checked for, in order, before a scenario plays: the stats path, the
//! rate limit, the token, the method and the path. Also the redirect target's answers.

use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use http_body::Body as _;
use hyper::body::Incoming;
use hyper::header::AUTHORIZATION;
use hyper::{Method, Request, StatusCode, Version};

use crate::RecordedRequest;
use crate::answer::{self, Answer};
use crate::connection::HangUp;
use crate::play::{self, Turn};
use crate::scenario::Scenario;
use crate::state::{Shared, lock};
use crate::stats::STATS_PATH;

/// `/v2/droplets/{droplet_id}/actions/{action_id}`, ids decimal and at least 1; any query is
/// ignored.
pub(crate) fn parse_path(url: &str) -> Option<(i64, i64)> {
    let path = url.split(['?', '#']).next()?;
    let rest = path.strip_prefix("/v2/droplets/")?;
    let (droplet, rest) = rest.split_once('/')?;
    let action = rest.strip_prefix("actions/")?;
    Some((parse_id(droplet)?, parse_id(action)?))
}

fn parse_id(text: &str) -> Option<i64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok().filter(|id| *id >= 1)
}

/// The request target: path and query (an HTTP/2 request, or an HTTP/1.1 one in absolute
/// form, names the origin too; it is left out).
fn target<B>(request: &Request<B>) -> &str {
    request.uri().path_and_query().map_or("/", |p| p.as_str())
}

fn record<B>(request: &Request<B>) -> RecordedRequest {
    RecordedRequest {
        method: request.method().as_str().to_owned(),
        path: target(request).to_owned(),
        headers: request
            .headers()
            .iter()
            .map(|(name, value)| {
                (
                    name.as_str().to_owned(),
                    String::from_utf8_lossy(value.as_bytes()).into_owned(),
                )
            })
            .collect(),
    }
}

/// The credentials of every `Authorization: Bearer ...` header (scheme in any case).
fn bearer_tokens<B>(request: &Request<B>) -> impl Iterator<Item = &str> {
    request
        .headers()
        .get_all(AUTHORIZATION)
        .iter()
        .filter_map(|value| {
            let (scheme, credentials) = value.to_str().ok()?.split_once(' ')?;
            scheme
                .eq_ignore_ascii_case("bearer")
                .then_some(credentials.trim())
        })
}

fn is_authorized<B>(request: &Request<B>, tokens: &[String]) -> bool {
    bearer_tokens(request).any(|presented| tokens.iter().any(|t| t == presented))
}

/// `GET /__mock/stats`, whatever the query.
fn is_stats_request<B>(request: &Request<B>) -> bool {
    request.method() == Method::GET && request.uri().path() == STATS_PATH
}

/// A request to the API listener.
pub(crate) async fn api(
    shared: &Shared,
    hang_up: &Arc<HangUp>,
    request: Request<Incoming>,
) -> Answer {
    // A body is read and dropped before the answer, so that a kept-alive HTTP/1.1
    // connection goes on after it; one too long to read ends the connection after the
    // answer, which says so.
    let (parts, body) = request.into_parts();
    let version = parts.version;
    let request = Request::from_parts(parts, ());
    if drained(body).await {
        api_answer(shared, hang_up, request).await
    } else {
        let answer = api_answer(shared, hang_up, request).await;
        if version < Version::HTTP_2 {
            answer::with_header(answer, "connection", "close")
        } else {
            answer
        }
    }
}

/// The most of a request's body the mock reads (it uses none of it) before it gives up the
/// connection instead.
const MAX_DRAINED_BODY: u64 = 16 * 1024 * 1024;

/// Reads a request's body to its end and drops it: false when it is longer than
/// [`MAX_DRAINED_BODY`] or breaks off.
async fn drained(mut body: Incoming) -> bool {
    let mut read = 0u64;
    while !body.is_end_stream() {
        match std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await {
            None => break,
            Some(Ok(frame)) => {
                read += frame.data_ref().map_or(0, |data| data.len() as u64);
                if read > MAX_DRAINED_BODY {
                    return false;
                }
            }
            Some(Err(_)) => return false,
        }
    }
    true
}

/// The answer to a request whose body was read.
async fn api_answer(shared: &Shared, hang_up: &Arc<HangUp>, request: Request<()>) -> Answer {
    if is_stats_request(&request) {
        return answer::bare_json(StatusCode::OK, shared.stats().to_json());
    }
    let ids = parse_path(request.uri().path());
    if shared.record {
        lock(&shared.requests).push(record(&request));
    }
    let token = bearer_tokens(&request).next().map(str::to_owned);
    let (meta, refused_for) = shared.admit(token.as_deref());
    lock(&shared.stats).count_request(token.as_deref());
    let authorized = is_authorized(&request, &shared.tokens);
    let is_get = request.method() == Method::GET;
    let reaches_scenario = authorized && is_get && refused_for.is_none();
    let turn = ids.map(|(droplet_id, action_id)| {
        let mut counters = lock(&shared.counters);
        let counters = counters.entry((droplet_id, action_id)).or_default();
        counters.hits += 1;
        let served = counters.served;
        if reaches_scenario {
            counters.served += 1;
            counters
                .first_served
                .get_or_insert_with(|| shared.clock.now());
        }
        let since_first = counters.first_served.map_or(Duration::ZERO, |first| {
            shared.clock.now().saturating_sub(first)
        });
        Turn {
            scenario: Scenario::select(droplet_id, action_id),
            droplet_id,
            action_id,
            served,
            since_first,
        }
    });
    if let Some(seconds) = refused_for {
        lock(&shared.stats).count_too_many(token.as_deref());
        return answer::too_many_requests(&meta, seconds);
    }
    if !authorized {
        return answer::unauthorized(&meta);
    }
    if !is_get {
        return answer::method_not_allowed(&meta);
    }
    let Some(turn) = turn else {
        return answer::not_found(&meta);
    };
    if turn.scenario == Scenario::TooManyRequestsOnce && turn.served == 0 {
        lock(&shared.stats).count_too_many(token.as_deref());
    }
    play::play(shared, hang_up, request.version(), &meta, &turn).await
}

/// The other origin of [`scenario::REDIRECT_OTHER_ORIGIN`](crate::scenario::REDIRECT_OTHER_ORIGIN):
/// records, then answers 200 with a completed action for any well-formed path, token or not.
pub(crate) fn redirect_target(shared: &Shared, request: &Request<Incoming>) -> Answer {
    lock(&shared.target_requests).push(record(request));
    let meta = shared.next_meta();
    if request.method() != Method::GET {
        answer::method_not_allowed(&meta)
    } else if let Some((d, a)) = parse_path(request.uri().path()) {
        answer::completed(&meta, d, a)
    } else {
        answer::not_found(&meta)
    }
}

#[cfg(test)]
mod tests {
    use super::parse_path;

    #[test]
    fn paths_need_two_positive_decimal_ids() {
        assert_eq!(parse_path("/v2/droplets/1/actions/2"), Some((1, 2)));
        assert_eq!(parse_path("/v2/droplets/1/actions/2?x=1"), Some((1, 2)));
        assert_eq!(
            parse_path("/v2/droplets/9223372036854775807/actions/9223372036854775807"),
            Some((i64::MAX, i64::MAX))
        );
        assert_eq!(
            parse_path("/v2/droplets/9223372036854775808/actions/1"),
            None
        );
        assert_eq!(parse_path("/v2/droplets/0/actions/2"), None);
        assert_eq!(parse_path("/v2/droplets/-1/actions/2"), None);
        assert_eq!(parse_path("/v2/droplets/+1/actions/2"), None);
        assert_eq!(parse_path("/v2/droplets/1/actions/2/"), None);
        assert_eq!(parse_path("/v2/droplets/1/actions/"), None);
        assert_eq!(parse_path("/v2/droplets/a/actions/2"), None);
        assert_eq!(parse_path("/v2/droplets/1/actions"), None);
    }
}
