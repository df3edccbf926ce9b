//! The listeners, their worker threads, and what they answer.

use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use tiny_http::{Header, Method, Request, Response, Server};

use crate::body::{self, PaddedBody, Status, Trickle};
use crate::ratelimit::{Limiter, RateLimit, Verdict};
use crate::scenario::{self, Scenario};
use crate::stats::{STATS_PATH, Stats};
use crate::tls::{self, TlsFront};
use crate::{RecordedRequest, sockets};

/// The rate limit every answer announces when no [`RateLimit`] is played.
const RATE_LIMIT: i64 = 5000;
/// Worker threads of the main listener.
const MAIN_WORKERS: usize = 8;
/// Worker threads of the redirect target.
const TARGET_WORKERS: usize = 2;

type Body = Box<dyn Read + Send>;

/// How a server is to be started.
#[derive(Debug, Clone)]
pub(crate) struct Config {
    pub(crate) tokens: Vec<String>,
    pub(crate) port: u16,
    pub(crate) record: bool,
    pub(crate) tls: bool,
    pub(crate) rate_limit: Option<RateLimit>,
    pub(crate) time_scale: f64,
}

/// Per `(droplet_id, action_id)` counters.
#[derive(Debug, Default, Clone, Copy)]
struct Counters {
    /// Every request received for the path.
    hits: usize,
    /// Requests that reached the scenario (authorized GETs the rate limit let through).
    served: u64,
    /// When the first of those came, in mock time.
    first_served: Option<Duration>,
}

/// Mock time: real time since the start, multiplied by the time scale.
#[derive(Debug)]
struct Clock {
    started: Instant,
    started_wall: SystemTime,
    scale: f64,
}

impl Clock {
    fn now(&self) -> Duration {
        self.started.elapsed().mul_f64(self.scale)
    }

    /// The real duration of a mock duration.
    fn real(&self, mock: Duration) -> Duration {
        mock.div_f64(self.scale)
    }

    /// The Unix time, in whole seconds rounded up, at which mock time reaches `mock`.
    fn unix_at(&self, mock: Duration) -> i64 {
        let at = self.started_wall + self.real(mock);
        let since = at.duration_since(UNIX_EPOCH).unwrap_or_default();
        i64::try_from(since.as_secs()).unwrap_or(i64::MAX) + i64::from(since.subsec_nanos() > 0)
    }
}

/// The state both listeners share.
pub(crate) struct Shared {
    tokens: Vec<String>,
    record: bool,
    scheme: &'static str,
    clock: Clock,
    limiter: Option<Mutex<Limiter>>,
    stats: Mutex<Stats>,
    stopped: AtomicBool,
    remaining: AtomicI64,
    reset: i64,
    next_request: AtomicU64,
    request_id_prefix: u32,
    requests: Mutex<Vec<RecordedRequest>>,
    target_requests: Mutex<Vec<RecordedRequest>>,
    counters: Mutex<HashMap<(i64, i64), Counters>>,
    helpers: Mutex<Vec<JoinHandle<()>>>,
    /// The plain listeners' addresses (behind the TLS fronts in TLS mode).
    main_addr: SocketAddr,
    target_addr: SocketAddr,
    /// The addresses clients connect to.
    public_main: SocketAddr,
    public_target: SocketAddr,
}

impl Shared {
    pub(crate) fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.requests).clone()
    }

    pub(crate) fn target_requests(&self) -> Vec<RecordedRequest> {
        lock(&self.target_requests).clone()
    }

    pub(crate) fn hits(&self, droplet_id: i64, action_id: i64) -> usize {
        lock(&self.counters)
            .get(&(droplet_id, action_id))
            .map_or(0, |c| c.hits)
    }

    pub(crate) fn stats(&self) -> Stats {
        lock(&self.stats).clone()
    }

    fn is_stopped(&self) -> bool {
        self.stopped.load(Ordering::Relaxed)
    }

    fn request_id(&self) -> String {
        let number = self.next_request.fetch_add(1, Ordering::Relaxed) + 1;
        format!(
            "{:08x}-0000-4000-8000-{:012x}",
            self.request_id_prefix,
            number & 0xffff_ffff_ffff
        )
    }

    /// Takes the rate limit and request id of one answer, without a rate limit to play: one
    /// budget for the server, counted down by every answer.
    fn next_meta(&self) -> Meta {
        let previous = self
            .remaining
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |r| {
                Some((r - 1).max(0))
            })
            .unwrap_or(0);
        Meta {
            limit: RATE_LIMIT,
            remaining: (previous - 1).max(0),
            reset: self.reset,
            request_id: self.request_id(),
        }
    }

    /// Takes the rate limit and request id of an API request presenting `token`; with a rate
    /// limit to play, also whether it is refused and for how many seconds.
    fn admit(&self, token: Option<&str>) -> (Meta, Option<u64>) {
        let Some(limiter) = &self.limiter else {
            return (self.next_meta(), None);
        };
        let mut limiter = lock(limiter);
        // Read under the lock, so that each token's window stays in time order.
        let now = self.clock.now();
        let verdict = limiter.check(token, now);
        let limit = i64::from(limiter.limit().per_hour);
        drop(limiter);
        let (remaining, resets_at, retry_after) = match verdict {
            Verdict::Allowed {
                remaining,
                resets_at,
            } => (remaining, resets_at, None),
            Verdict::Limited {
                remaining,
                resets_at,
                frees_at,
            } => {
                let wait = self.clock.real(frees_at.saturating_sub(now));
                let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
                (remaining, resets_at, Some(seconds.max(1)))
            }
        };
        let meta = Meta {
            limit,
            remaining: i64::from(remaining),
            reset: self.clock.unix_at(resets_at),
            request_id: self.request_id(),
        };
        (meta, retry_after)
    }

    /// Runs `work` on its own thread, so that a slow answer holds no worker.
    fn spawn_helper(self: &Arc<Self>, work: impl FnOnce() + Send + 'static) {
        let mut helpers = lock(&self.helpers);
        helpers.retain(|h| !h.is_finished());
        // Should no thread be available, the request is dropped with the closure and
        // tiny_http answers it with a bare 500.
        if let Ok(helper) = thread::Builder::new()
            .name("mock-slow-answer".to_owned())
            .spawn(work)
        {
            helpers.push(helper);
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// What every answer carries: rate limit and request id.
#[derive(Debug, Clone)]
struct Meta {
    limit: i64,
    remaining: i64,
    reset: i64,
    request_id: String,
}

/// One listener and its workers.
struct Listener {
    server: Arc<Server>,
    workers: Vec<JoinHandle<()>>,
}

/// Both listeners, and their TLS fronts in TLS mode; stops them on drop.
pub(crate) struct Running {
    pub(crate) shared: Arc<Shared>,
    main: Listener,
    target: Listener,
    fronts: Vec<TlsFront>,
    ca_pem: Option<String>,
}

fn bind(port: u16) -> io::Result<(Server, SocketAddr)> {
    let listener = std::net::TcpListener::bind(("127.0.0.1", port))?;
    let addr = listener.local_addr()?;
    sockets::no_delay_for_accepted(&listener);
    let server = Server::from_listener(listener, None).map_err(io::Error::other)?;
    Ok((server, addr))
}

/// Binds both listeners (and their TLS fronts) and starts their workers.
pub(crate) fn start(config: &Config) -> io::Result<Running> {
    let scale = config.time_scale;
    if !(scale.is_finite() && (0.001..=1_000_000.0).contains(&scale)) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("the time scale must be within 0.001..=1000000, not {scale}"),
        ));
    }
    if config
        .rate_limit
        .is_some_and(|limit| limit.per_minute == 0 || limit.per_hour == 0)
    {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "a rate limit allows at least one request a minute and an hour",
        ));
    }
    let (main_server, main_addr) = bind(if config.tls { 0 } else { config.port })?;
    let (target_server, target_addr) = bind(0)?;
    let (fronts, ca_pem) = if config.tls {
        let identity = tls::identity()?;
        let main = TlsFront::start(config.port, main_addr, Arc::clone(&identity.config))?;
        let target = TlsFront::start(0, target_addr, identity.config)?;
        (vec![main, target], Some(identity.ca_pem))
    } else {
        (Vec::new(), None)
    };
    let (public_main, public_target) = match fronts.as_slice() {
        [main, target] => (main.addr(), target.addr()),
        _ => (main_addr, target_addr),
    };
    let started_wall = SystemTime::now();
    let now = started_wall
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let shared = Arc::new(Shared {
        tokens: config.tokens.clone(),
        record: config.record,
        scheme: if config.tls { "https" } else { "http" },
        clock: Clock {
            started: Instant::now(),
            started_wall,
            scale,
        },
        limiter: config
            .rate_limit
            .map(|limit| Mutex::new(Limiter::new(limit))),
        stats: Mutex::new(Stats::default()),
        stopped: AtomicBool::new(false),
        remaining: AtomicI64::new(RATE_LIMIT),
        reset: now + 3600,
        next_request: AtomicU64::new(0),
        request_id_prefix: u32::from(public_main.port()),
        requests: Mutex::new(Vec::new()),
        target_requests: Mutex::new(Vec::new()),
        counters: Mutex::new(HashMap::new()),
        helpers: Mutex::new(Vec::new()),
        main_addr,
        target_addr,
        public_main,
        public_target,
    });
    let main = spawn_workers(main_server, MAIN_WORKERS, &shared, handle_main)?;
    let target = spawn_workers(target_server, TARGET_WORKERS, &shared, handle_target)?;
    Ok(Running {
        shared,
        main,
        target,
        fronts,
        ca_pem,
    })
}

fn spawn_workers(
    server: Server,
    count: usize,
    shared: &Arc<Shared>,
    handle: fn(&Arc<Shared>, Request),
) -> io::Result<Listener> {
    let server = Arc::new(server);
    let mut workers = Vec::with_capacity(count);
    for n in 0..count {
        let queue = Arc::clone(&server);
        let state = Arc::clone(shared);
        let worker = thread::Builder::new()
            .name(format!("mock-worker-{n}"))
            .spawn(move || {
                loop {
                    match queue.recv() {
                        Ok(request) => handle(&state, request),
                        Err(_) if state.is_stopped() => break,
                        Err(_) => thread::sleep(Duration::from_millis(10)),
                    }
                }
            });
        match worker {
            Ok(worker) => workers.push(worker),
            Err(e) => {
                shared.stopped.store(true, Ordering::Relaxed);
                for _ in 0..workers.len() {
                    server.unblock();
                }
                for worker in workers {
                    let _ = worker.join();
                }
                return Err(e);
            }
        }
    }
    Ok(Listener { server, workers })
}

impl Running {
    /// The API's address as clients reach it.
    pub(crate) fn public_main(&self) -> SocketAddr {
        self.shared.public_main
    }

    /// The redirect target's address as clients reach it.
    pub(crate) fn public_target(&self) -> SocketAddr {
        self.shared.public_target
    }

    pub(crate) fn scheme(&self) -> &'static str {
        self.shared.scheme
    }

    pub(crate) fn ca_pem(&self) -> Option<&str> {
        self.ca_pem.as_deref()
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.shared.stopped.store(true, Ordering::Relaxed);
        for listener in [&self.main, &self.target] {
            for _ in 0..listener.workers.len() {
                listener.server.unblock();
            }
        }
        for listener in [&mut self.main, &mut self.target] {
            for worker in listener.workers.drain(..) {
                let _ = worker.join();
            }
        }
        sockets::close_all(self.shared.main_addr);
        sockets::close_all(self.shared.target_addr);
        // Each front closes its clients once their plain connections are gone.
        self.fronts.clear();
        let helpers = std::mem::take(&mut *lock(&self.shared.helpers));
        for helper in helpers {
            let _ = helper.join();
        }
    }
}

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

fn record(request: &Request) -> RecordedRequest {
    RecordedRequest {
        method: request.method().as_str().to_owned(),
        path: request.url().to_owned(),
        headers: request
            .headers()
            .iter()
            .map(|h| {
                (
                    h.field.as_str().as_str().to_owned(),
                    h.value.as_str().to_owned(),
                )
            })
            .collect(),
    }
}

/// The credentials of every `Authorization: Bearer ...` header (scheme in any case).
fn bearer_tokens(request: &Request) -> impl Iterator<Item = &str> {
    request
        .headers()
        .iter()
        .filter(|h| h.field.equiv("Authorization"))
        .filter_map(|h| {
            let (scheme, credentials) = h.value.as_str().split_once(' ')?;
            scheme
                .eq_ignore_ascii_case("bearer")
                .then_some(credentials.trim())
        })
}

fn is_authorized(request: &Request, tokens: &[String]) -> bool {
    bearer_tokens(request).any(|presented| tokens.iter().any(|t| t == presented))
}

fn header(name: &str, value: &str) -> Header {
    Header::from_bytes(name.as_bytes(), value.as_bytes())
        .expect("header names and values built here are valid")
}

/// An answer with the headers every answer carries.
fn answer(meta: &Meta, status: u16, content_type: &str, body: Body, len: usize) -> Response<Body> {
    let mut response = Response::new(status.into(), Vec::new(), body, Some(len), None)
        .with_chunked_threshold(usize::MAX);
    response.add_header(header("content-type", content_type));
    response.add_header(header("ratelimit-limit", &meta.limit.to_string()));
    response.add_header(header("ratelimit-remaining", &meta.remaining.to_string()));
    response.add_header(header("ratelimit-reset", &meta.reset.to_string()));
    response.add_header(header("x-request-id", &meta.request_id));
    response
}

const JSON: &str = "application/json";
const HTML: &str = "text/html";

fn bytes(meta: &Meta, status: u16, content_type: &str, body: Vec<u8>) -> Response<Body> {
    let len = body.len();
    answer(
        meta,
        status,
        content_type,
        Box::new(io::Cursor::new(body)),
        len,
    )
}

fn json(meta: &Meta, status: u16, body: Vec<u8>) -> Response<Body> {
    bytes(meta, status, JSON, body)
}

fn error(meta: &Meta, status: u16, id: &str, message: &str) -> Response<Body> {
    json(meta, status, body::error(id, message, &meta.request_id))
}

fn unauthorized(meta: &Meta) -> Response<Body> {
    error(meta, 401, "unauthorized", "Unable to authenticate you.")
}

fn not_found(meta: &Meta) -> Response<Body> {
    error(
        meta,
        404,
        "not_found",
        "The resource you requested could not be found.",
    )
}

fn method_not_allowed(meta: &Meta) -> Response<Body> {
    error(
        meta,
        405,
        "method_not_allowed",
        "The method is not allowed for the requested resource; use GET.",
    )
    .with_header(header("allow", "GET"))
}

fn server_error(meta: &Meta) -> Response<Body> {
    error(meta, 500, "server_error", "Unexpected server-side error")
}

fn completed(meta: &Meta, droplet_id: i64, action_id: i64) -> Response<Body> {
    json(
        meta,
        200,
        body::action(droplet_id, action_id, Status::Completed),
    )
}

fn send(request: Request, response: Response<Body>) {
    // A client that hung up early is no concern of the mock's.
    let _ = request.respond(response);
}

/// `GET /__mock/stats`, whatever the query.
fn is_stats_request(request: &Request) -> bool {
    *request.method() == Method::Get && request.url().split(['?', '#']).next() == Some(STATS_PATH)
}

fn stats_answer(shared: &Shared) -> Response<Body> {
    let body = shared.stats().to_json().into_bytes();
    let len = body.len();
    Response::new(
        200.into(),
        vec![header("content-type", JSON)],
        Box::new(io::Cursor::new(body)) as Body,
        Some(len),
        None,
    )
}

fn handle_main(shared: &Arc<Shared>, request: Request) {
    if is_stats_request(&request) {
        return send(request, stats_answer(shared));
    }
    let ids = parse_path(request.url());
    if shared.record {
        lock(&shared.requests).push(record(&request));
    }
    let token = bearer_tokens(&request).next().map(str::to_owned);
    let (meta, refused_for) = shared.admit(token.as_deref());
    lock(&shared.stats).count_request(token.as_deref());
    let authorized = is_authorized(&request, &shared.tokens);
    let is_get = *request.method() == Method::Get;
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
        let response = error(&meta, 429, "too_many_requests", "API rate limit exceeded.")
            .with_header(header("retry-after", &seconds.to_string()));
        return send(request, response);
    }
    if !authorized {
        return send(request, unauthorized(&meta));
    }
    if !is_get {
        return send(request, method_not_allowed(&meta));
    }
    let Some(turn) = turn else {
        return send(request, not_found(&meta));
    };
    if turn.scenario == Scenario::TooManyRequestsOnce && turn.served == 0 {
        lock(&shared.stats).count_too_many(token.as_deref());
    }
    play(shared, request, &meta, &turn);
}

/// One request that reached a scenario, and the state of its `(droplet_id, action_id)` pair
/// before it.
#[derive(Debug, Clone, Copy)]
struct Turn {
    scenario: Scenario,
    droplet_id: i64,
    action_id: i64,
    /// Requests the scenario served before this one.
    served: u64,
    /// Mock time since the scenario's first request (zero for the first).
    since_first: Duration,
}

/// Answers `request` as `turn.scenario` does after it has served `turn.served` requests.
fn play(shared: &Arc<Shared>, request: Request, meta: &Meta, turn: &Turn) {
    let (d, a, served) = (turn.droplet_id, turn.action_id, turn.served);
    let response = match turn.scenario {
        Scenario::Documented => json(
            meta,
            200,
            droplet_action_model::DOCUMENTED_ACTION_JSON
                .as_bytes()
                .to_vec(),
        ),
        Scenario::InProgressThen { requests, errored } => {
            let status = match (served < requests, errored) {
                (true, _) => Status::InProgress,
                (false, false) => Status::Completed,
                (false, true) => Status::Errored,
            };
            json(meta, 200, body::action(d, a, status))
        }
        Scenario::InProgressFor { seconds, errored } => {
            let status = match (turn.since_first < Duration::from_secs(seconds), errored) {
                (true, _) => Status::InProgress,
                (false, false) => Status::Completed,
                (false, true) => Status::Errored,
            };
            json(meta, 200, body::action(d, a, status))
        }
        Scenario::RedirectOtherOrigin => {
            let location = format!(
                "{}://localhost:{}/v2/droplets/{d}/actions/{a}",
                shared.scheme,
                shared.public_target.port()
            );
            json(meta, 302, Vec::new()).with_header(header("location", &location))
        }
        Scenario::RedirectSameOrigin => {
            let location = format!(
                "/v2/droplets/{}/actions/{}",
                scenario::DOCUMENTED_DROPLET,
                scenario::DOCUMENTED_ACTION
            );
            json(meta, 302, Vec::new()).with_header(header("location", &location))
        }
        Scenario::AlwaysUnauthorized => unauthorized(meta),
        Scenario::TooManyRequestsOnce if served == 0 => {
            let meta = Meta {
                remaining: 0,
                ..meta.clone()
            };
            error(&meta, 429, "too_many_requests", "API rate limit exceeded.")
                .with_header(header("retry-after", "1"))
        }
        Scenario::ServerErrorTwice if served < 2 => server_error(meta),
        Scenario::ServiceUnavailableTwice if served < 2 => error(
            meta,
            503,
            "service_unavailable",
            "The service is temporarily unavailable.",
        ),
        Scenario::TooManyRequestsOnce
        | Scenario::ServerErrorTwice
        | Scenario::ServiceUnavailableTwice => completed(meta, d, a),
        Scenario::BadGatewayHtml => bytes(meta, 502, HTML, body::html("502 Bad Gateway")),
        Scenario::AlwaysServerError => server_error(meta),
        Scenario::MalformedJson => json(meta, 200, body::malformed(d, a)),
        Scenario::UnknownFields => json(meta, 200, body::unknown_fields(d, a)),
        Scenario::NullFields => json(meta, 200, body::null_fields(d, a)),
        Scenario::HugeIds => json(meta, 200, body::huge_ids(d, a)),
        Scenario::EmptyAction => json(meta, 200, body::envelope(serde_json::json!({}))),
        Scenario::EmbeddedNul => json(meta, 200, body::embedded_nul(d, a)),
        Scenario::HtmlOk => bytes(meta, 200, HTML, body::html("Welcome")),
        Scenario::FractionalTimestamps => json(meta, 200, body::fractional_timestamps(d, a)),
        Scenario::NotFound => not_found(meta),
        Scenario::LargeBody => {
            let body = PaddedBody::new(d, a, scenario::LARGE_BODY_LEN);
            let len = usize::try_from(body.len()).unwrap_or(usize::MAX);
            let response = answer(meta, 200, JSON, Box::new(body), len);
            return shared.spawn_helper(move || send(request, response));
        }
        Scenario::GzipBomb => {
            let meta = meta.clone();
            return shared.spawn_helper(move || {
                let response = bytes(&meta, 200, JSON, body::gzip_bomb().to_vec())
                    .with_header(header("content-encoding", "gzip"));
                send(request, response);
            });
        }
        Scenario::SlowAnswer => {
            let delay = Duration::from_millis(d.unsigned_abs().min(scenario::SLOW_MAX_MS));
            let response = completed(meta, d, a);
            let shared_in = Arc::clone(shared);
            return shared.spawn_helper(move || {
                if body::sleep_steps(delay, &|| shared_in.is_stopped()) {
                    send(request, response);
                } else {
                    // Stopping: hang up rather than let tiny_http answer 500.
                    drop(request.into_writer());
                }
            });
        }
        Scenario::SlowBody => {
            let shared_in = Arc::clone(shared);
            let whole = body::action(d, a, Status::Completed);
            let len = whole.len();
            let trickle = Trickle::new(
                whole,
                scenario::SLOW_BODY_PIECES,
                Duration::from_millis(scenario::SLOW_BODY_INTERVAL_MS),
                move || shared_in.is_stopped(),
            );
            let response = answer(meta, 200, JSON, Box::new(trickle), len);
            return shared.spawn_helper(move || {
                let _ = respond_flushing(request, response);
            });
        }
        Scenario::TruncatedBody => {
            let mut start = body::action(d, a, Status::Completed);
            start.truncate(scenario::TRUNCATED_SENT);
            let response = answer(
                meta,
                200,
                JSON,
                Box::new(io::Cursor::new(start)),
                scenario::TRUNCATED_ANNOUNCED,
            );
            let (local, peer) = (shared.main_addr, request.remote_addr().copied());
            let _ = respond_flushing(request, response);
            if let Some(peer) = peer {
                sockets::close_connection(local, peer);
            }
            return;
        }
        Scenario::CloseWithoutAnswer => {
            let (local, peer) = (shared.main_addr, request.remote_addr().copied());
            // Taking the writer and dropping it unused sends nothing.
            drop(request.into_writer());
            if let Some(peer) = peer {
                sockets::close_connection(local, peer);
            }
            return;
        }
    };
    send(request, response);
}

/// Writes `response` to the client, flushing after every write, so that each piece of a
/// slow body leaves at once.
fn respond_flushing(request: Request, response: Response<Body>) -> io::Result<()> {
    let version = request.http_version().clone();
    let headers = request.headers().to_vec();
    let mut writer = FlushEveryWrite(request.into_writer());
    response.raw_print(&mut writer, version, &headers, false, None)?;
    writer.flush()
}

struct FlushEveryWrite<W: Write>(W);

impl<W: Write> Write for FlushEveryWrite<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.0.write(buf)?;
        self.0.flush()?;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

/// The other origin of [`scenario::REDIRECT_OTHER_ORIGIN`]: records, then answers 200 with a
/// completed action for any well-formed path, token or not.
fn handle_target(shared: &Arc<Shared>, request: Request) {
    lock(&shared.target_requests).push(record(&request));
    let meta = shared.next_meta();
    let response = if *request.method() != Method::Get {
        method_not_allowed(&meta)
    } else if let Some((d, a)) = parse_path(request.url()) {
        completed(&meta, d, a)
    } else {
        not_found(&meta)
    };
    send(request, response);
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
