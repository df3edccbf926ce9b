//! A fleet of waiters on one token against the mock's rate limit, on its time scale: the
//! program behind the "Fleets" section of BENCHMARKS.md, driven by `benches/fleet.sh`.
//!
//! ```sh
//! # One process of waiters; prints one line of counters (times in mock seconds).
//! fleet run --url http://127.0.0.1:PORT --scale 60 --client threads --waiters 64 \
//!     --first-droplet 1000 --seconds 1800 [--poll-seconds 5] [--start-at-ms UNIX_MS] \
//!     [--token mock-token] [--redis redis://127.0.0.1:PORT/ --redis-prefix P \
//!      [--spread-per-minute 83]]
//! # The table of results, from the directories the script fills.
//! fleet report --scale 60 --seconds 1800 --waiters 64 [--poll-seconds 5] DIR...
//! ```
//!
//! Waiter `i` waits for action `5000000 + seconds` of droplet `first-droplet + i`, which the
//! mock completes `seconds` (mock) seconds after the first request it lets through. Clients:
//!
//! - `naive`: one thread per waiter, each asking every `poll-seconds` on its own, with no
//!   pacing and no retries, going on after 429s and errors (what godo's and doctl's wait
//!   loops do);
//! - `threads`: one thread per waiter, each in `Client::wait`, on one
//!   client paced by `LocalBudget::time_scaled(BudgetConfig::default(), scale)`;
//! - `many`: one `Client::wait_many` call for all the waiters, same budget;
//! - `redis`: as `threads`, paced by a `RedisBudget` shared by every process of the token,
//!   its windows (250 a minute, 5,000 an hour, and with `--spread-per-minute L` at most L a
//!   minute) and its margin divided by the scale.
//!
//! A directory given to `report` holds `row` (case, client, goal, separated by tabs), the
//! mock's `stats.json` at the end of the run, and one `p*.out` per process.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use droplet_action_mock::Stats;
use droplet_action_redis_budget::{RedisBudget, RedisBudgetConfig};
use droplet_action_transport::model::{ActionStatus, BudgetConfig, ResponseMeta, Token};
use droplet_action_transport::{Client, Error, Level, LocalBudget, RequestBudget, WaitOptions};

/// The timed actions of the mock: `5000000 + N` completes N seconds after it is first seen.
const COMPLETES_AFTER: i64 = 5_000_000;
/// The mock's default token.
const DEFAULT_TOKEN: &str = "mock-token";
/// DigitalOcean's limits per token.
const PER_MINUTE: u32 = 250;
const PER_HOUR: u32 = 5000;
/// The timeline's buckets, in mock seconds.
const BUCKET: f64 = 60.0;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let outcome = match args.first().map(String::as_str) {
        Some("run") => Args::parse(&args[1..]).and_then(|args| run(&args)),
        Some("report") => Args::parse(&args[1..]).and_then(|args| report(&args)),
        _ => Err("usage: fleet run ... | fleet report ... (see the source's header)".into()),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("fleet: {message}");
            ExitCode::FAILURE
        }
    }
}

/// `--name value` options, and the other arguments in order.
struct Args {
    options: BTreeMap<String, String>,
    rest: Vec<String>,
}

impl Args {
    fn parse(args: &[String]) -> Result<Self, String> {
        let mut options = BTreeMap::new();
        let mut rest = Vec::new();
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            if let Some(name) = arg.strip_prefix("--") {
                let value = args.next().ok_or(format!("--{name} needs a value"))?;
                options.insert(name.to_owned(), value.clone());
            } else {
                rest.push(arg.clone());
            }
        }
        Ok(Self { options, rest })
    }

    fn text(&self, name: &str) -> Result<&str, String> {
        self.options
            .get(name)
            .map(String::as_str)
            .ok_or(format!("--{name} is required"))
    }

    fn number<T: std::str::FromStr>(&self, name: &str, default: Option<T>) -> Result<T, String> {
        match (self.options.get(name), default) {
            (Some(text), _) => text
                .parse()
                .map_err(|_| format!("--{name}: not a number: {text:?}")),
            (None, Some(default)) => Ok(default),
            (None, None) => Err(format!("--{name} is required")),
        }
    }
}

/// Counts what a process sent and what came back, in total and per mock minute.
#[derive(Debug)]
struct Counters {
    start: Instant,
    scale: f64,
    sent: AtomicU64,
    too_many: AtomicU64,
    errors: AtomicU64,
    /// Attempts that got no answer within the attempt timeout.
    timeouts: AtomicU64,
    /// Per mock minute since the start: requests sent, 429s.
    timeline: Mutex<Vec<(u64, u64)>>,
}

impl Counters {
    fn new(start: Instant, scale: f64) -> Self {
        Self {
            start,
            scale,
            sent: AtomicU64::new(0),
            too_many: AtomicU64::new(0),
            errors: AtomicU64::new(0),
            timeouts: AtomicU64::new(0),
            timeline: Mutex::new(Vec::new()),
        }
    }

    /// Mock seconds since the start.
    fn mock_now(&self) -> f64 {
        self.start.elapsed().as_secs_f64() * self.scale
    }

    fn bucket(&self, update: impl FnOnce(&mut (u64, u64))) {
        let index = (self.mock_now() / BUCKET) as usize;
        let mut timeline = self.timeline.lock().unwrap_or_else(|e| e.into_inner());
        if timeline.len() <= index {
            timeline.resize(index + 1, (0, 0));
        }
        update(&mut timeline[index]);
    }

    fn count_sent(&self) {
        self.sent.fetch_add(1, Ordering::Relaxed);
        self.bucket(|b| b.0 += 1);
    }

    fn count_status(&self, status: u16) {
        if status == 429 {
            self.too_many.fetch_add(1, Ordering::Relaxed);
            self.bucket(|b| b.1 += 1);
        }
    }
}

/// A budget that counts the slots it hands out and the answers it is shown.
#[derive(Debug)]
struct Counted {
    inner: Arc<dyn RequestBudget>,
    counters: Arc<Counters>,
}

impl RequestBudget for Counted {
    fn try_reserve(&self, max_wait: Duration) -> Result<Duration, Duration> {
        let outcome = self.inner.try_reserve(max_wait);
        if outcome.is_ok() {
            self.counters.count_sent();
        }
        outcome
    }

    fn observe(&self, meta: &ResponseMeta) {
        self.counters.count_status(meta.status);
        self.inner.observe(meta);
    }
}

fn run(args: &Args) -> Result<(), String> {
    let url = args.text("url")?;
    let token = args
        .options
        .get("token")
        .map_or(DEFAULT_TOKEN, String::as_str);
    let scale: f64 = args.number("scale", None)?;
    let client_kind = args.text("client")?;
    let waiters: i64 = args.number("waiters", None)?;
    let first_droplet: i64 = args.number("first-droplet", None)?;
    let seconds: i64 = args.number("seconds", None)?;
    let poll_seconds: f64 = args.number("poll-seconds", Some(5.0))?;
    let start_at_ms: u64 = args.number("start-at-ms", Some(0))?;
    let attempt_timeout = Duration::from_millis(args.number("attempt-timeout-ms", Some(500))?);
    if !(scale.is_finite() && scale > 0.0) || waiters < 1 || !(1..=999_999).contains(&seconds) {
        return Err("--scale > 0, --waiters >= 1, --seconds within 1..=999999".into());
    }
    let real = |mock_seconds: f64| Duration::from_secs_f64(mock_seconds / scale);
    let poll = real(poll_seconds);
    // Long enough for any client to see its actions finish: three mock hours past the end.
    let timeout = real(seconds as f64 + 3.0 * 3600.0);
    let action = COMPLETES_AFTER + seconds;
    let pairs: Vec<(i64, i64)> = (0..waiters).map(|i| (first_droplet + i, action)).collect();

    let budget: Option<Arc<dyn RequestBudget>> = match client_kind {
        "naive" => None,
        "threads" | "many" => Some(Arc::new(LocalBudget::time_scaled(
            BudgetConfig::default(),
            scale,
        ))),
        "redis" => {
            let spread: u32 = args.number("spread-per-minute", Some(0))?;
            let mut config = RedisBudgetConfig::without_windows()
                .window(PER_MINUTE, real(60.0))
                .window(PER_HOUR, real(3600.0))
                .margin(real(1.0))
                .key_prefix(args.text("redis-prefix")?)
                .fallback_time_scale(scale);
            if spread > 0 {
                config = config.window(spread, real(60.0));
            }
            let token = Token::new(token).map_err(|e| e.to_string())?;
            let budget = RedisBudget::new(args.text("redis")?, &token, config)
                .map_err(|e| format!("redis: {e}"))?;
            Some(Arc::new(budget))
        }
        other => return Err(format!("unknown client {other:?}")),
    };

    // Every process of a case starts at the same moment.
    let start_at = UNIX_EPOCH + Duration::from_millis(start_at_ms);
    if let Ok(ahead) = start_at.duration_since(SystemTime::now()) {
        thread::sleep(ahead);
    }
    let counters = Arc::new(Counters::new(Instant::now(), scale));
    // Backoff between retries on the mock's clock; an attempt that gets no answer in time
    // is abandoned and sent again on a new connection (see BENCHMARKS.md).
    let timeouts = Arc::clone(&counters);
    let mut builder = Client::builder()
        .token(token)
        .base_url(url)
        .timeout(attempt_timeout)
        .backoff(real(0.2), real(5.0))
        .log_hook(
            Arc::new(move |_, message: &str| {
                if message.contains("no complete answer") {
                    timeouts.timeouts.fetch_add(1, Ordering::Relaxed);
                }
            }),
            Level::Info,
        );
    builder = match budget {
        Some(inner) => builder.budget(Arc::new(Counted {
            inner,
            counters: Arc::clone(&counters),
        })),
        None => builder.no_pacing().max_retries(0),
    };
    let client = builder.build().map_err(|e| e.to_string())?;
    let options = WaitOptions::new(timeout).poll_interval(poll);

    // Mock seconds since the start at which each waiter saw its action completed.
    let done: Vec<Option<f64>> = match client_kind {
        "many" => {
            let outcomes = client.wait_many(&pairs, options);
            let at = counters.mock_now();
            outcomes
                .iter()
                .map(|outcome| match outcome {
                    Ok(_) => Some(at),
                    Err(error) => {
                        count_failure(&counters, error);
                        None
                    }
                })
                .collect()
        }
        _ => thread::scope(|scope| {
            let handles: Vec<_> = pairs
                .iter()
                .map(|&(droplet, action)| {
                    let (client, counters, options) = (&client, &counters, options.clone());
                    scope.spawn(move || {
                        if client_kind == "naive" {
                            naive_wait(client, counters, droplet, action, poll, timeout)
                        } else {
                            match client.wait(droplet, action, options) {
                                Ok(_) => Some(counters.mock_now()),
                                Err(error) => {
                                    count_failure(counters, &error);
                                    None
                                }
                            }
                        }
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|handle| handle.join().ok().flatten())
                .collect()
        }),
    };

    let completed = done.iter().flatten().count();
    let last = done.iter().flatten().fold(0.0_f64, |a, &b| a.max(b));
    let first = done.iter().flatten().fold(f64::INFINITY, |a, &b| a.min(b));
    println!(
        "client={client_kind} waiters={waiters} sent={} too_many={} errors={} timeouts={} \
         completed={completed} first_done={:.1} last_done={last:.1} ended={:.1}",
        counters.sent.load(Ordering::Relaxed),
        counters.too_many.load(Ordering::Relaxed),
        counters.errors.load(Ordering::Relaxed),
        counters.timeouts.load(Ordering::Relaxed),
        if first.is_finite() { first } else { 0.0 },
        counters.mock_now(),
    );
    let timeline = counters.timeline.lock().unwrap_or_else(|e| e.into_inner());
    let mut line = String::from("# per mock minute, sent/429:");
    for (sent, too_many) in timeline.iter() {
        let _ = write!(line, " {sent}/{too_many}");
    }
    println!("{line}");
    Ok(())
}

/// What ended a wait without a completed action.
fn count_failure(counters: &Counters, error: &Error) {
    counters.errors.fetch_add(1, Ordering::Relaxed);
    eprintln!("fleet: a wait failed: {error}");
}

/// Asks every `poll` until the action is completed, whatever the answers say: no pacing,
/// no retry, no `retry-after`. Returns when it was seen completed, in mock seconds.
fn naive_wait(
    client: &Client,
    counters: &Counters,
    droplet: i64,
    action: i64,
    poll: Duration,
    timeout: Duration,
) -> Option<f64> {
    loop {
        counters.count_sent();
        match client.get(droplet, action) {
            Ok(answer) => {
                counters.count_status(answer.status());
                if answer.action.status == Some(ActionStatus::Completed) {
                    return Some(counters.mock_now());
                }
            }
            Err(Error::Timeout { .. }) => {
                counters.timeouts.fetch_add(1, Ordering::Relaxed);
            }
            Err(error) => match error.status() {
                Some(status) => counters.count_status(status),
                None => {
                    counters.errors.fetch_add(1, Ordering::Relaxed);
                }
            },
        }
        if counters.start.elapsed() + poll > timeout {
            return None;
        }
        thread::sleep(poll);
    }
}

/// The time the limits allow `waiters` waiters to see their actions completed, in mock
/// seconds. The pace the two limits sustain for ever is `r = min(M / 60, H / 3600)` requests
/// a second (1.39 for DigitalOcean's 250 and 5,000: the hour binds). Asked in turn, each
/// waiter gets one request every `I = max(poll, waiters / r)` seconds. Every first request
/// fits in the first minute's burst (`waiters <= M`), so every action completes `seconds`
/// after the start, and is seen at most `I` later: `T = seconds + I`.
fn budget_bound(waiters: f64, seconds: f64, poll: f64) -> f64 {
    let rate = (f64::from(PER_MINUTE) / 60.0).min(f64::from(PER_HOUR) / 3600.0);
    seconds + poll.max(waiters / rate)
}

/// One process's line.
#[derive(Debug, Default)]
struct Process {
    sent: u64,
    too_many: u64,
    errors: u64,
    timeouts: u64,
    completed: u64,
    waiters: u64,
    last_done: f64,
}

fn read_process(path: &Path) -> Result<Process, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let line = text
        .lines()
        .find(|line| line.starts_with("client="))
        .ok_or(format!("{}: no result line", path.display()))?;
    let mut process = Process::default();
    for field in line.split_whitespace() {
        let Some((name, value)) = field.split_once('=') else {
            continue;
        };
        let int = || value.parse::<u64>().unwrap_or(0);
        match name {
            "sent" => process.sent = int(),
            "too_many" => process.too_many = int(),
            "errors" => process.errors = int(),
            "timeouts" => process.timeouts = int(),
            "completed" => process.completed = int(),
            "waiters" => process.waiters = int(),
            "last_done" => process.last_done = value.parse().unwrap_or(f64::NAN),
            _ => {}
        }
    }
    Ok(process)
}

fn report(args: &Args) -> Result<(), String> {
    let waiters: f64 = args.number("waiters", None)?;
    let seconds: f64 = args.number("seconds", None)?;
    let poll: f64 = args.number("poll-seconds", Some(5.0))?;
    let scale: f64 = args.number("scale", None)?;
    let bound = budget_bound(waiters, seconds, poll);
    println!(
        "time scale {scale}, {waiters} waiters, actions done {seconds} s after first seen, \
         naive poll every {poll} s; times in mock seconds"
    );
    println!(
        "budget bound T = N + max(poll, W / min(M / 60, H / 3600)) = {seconds} + {:.1} = \
         {bound:.1} s; 1.25 T = {:.1} s\n",
        bound - seconds,
        1.25 * bound
    );
    println!(
        "| case | client | requests | 429s | 429 share | timed out | last seen completed | / T | \
         each process's last | max / min | goal |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|---:|---|---:|---|");
    for dir in &args.rest {
        let dir = Path::new(dir);
        let row = std::fs::read_to_string(dir.join("row"))
            .map_err(|e| format!("{}: {e}", dir.display()))?;
        let mut fields = row.trim_end().split('\t');
        let (case, client, goal) = (
            fields.next().unwrap_or("?"),
            fields.next().unwrap_or("?"),
            fields.next().unwrap_or("-"),
        );
        let stats_text = std::fs::read_to_string(dir.join("stats.json")).unwrap_or_default();
        let stats = Stats::from_json(&stats_text).unwrap_or_default();
        let mut outs: Vec<_> = std::fs::read_dir(dir)
            .map_err(|e| format!("{}: {e}", dir.display()))?
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .filter(|path| path.extension().is_some_and(|e| e == "out"))
            .collect();
        outs.sort();
        let processes = outs
            .iter()
            .map(|path| read_process(path))
            .collect::<Result<Vec<_>, _>>()?;
        let all_done = processes.iter().all(|p| p.completed == p.waiters);
        let lasts: Vec<f64> = processes.iter().map(|p| p.last_done).collect();
        let last = lasts.iter().fold(0.0_f64, |a, &b| a.max(b));
        let first_last = lasts.iter().fold(f64::INFINITY, |a, &b| a.min(b));
        let spread = if first_last > 0.0 {
            last / first_last
        } else {
            f64::NAN
        };
        let sent: u64 = processes.iter().map(|p| p.sent).sum();
        let errors: u64 = processes.iter().map(|p| p.errors).sum();
        let timeouts: u64 = processes.iter().map(|p| p.timeouts).sum();
        let share = if stats.requests > 0 {
            100.0 * stats.too_many_requests as f64 / stats.requests as f64
        } else {
            0.0
        };
        let verdict = |met: bool| if met { "met" } else { "**not met**" };
        let goal_text = match goal {
            "zero+bound" => format!(
                "0 429s, <= 1.25 T: {}",
                verdict(stats.too_many_requests == 0 && last <= 1.25 * bound && all_done)
            ),
            "share+fair" => format!(
                "< 2% 429s, max/min <= 1.5: {}",
                verdict(share < 2.0 && spread <= 1.5 && all_done)
            ),
            "zero" => format!(
                "0 429s: {}",
                verdict(stats.too_many_requests == 0 && all_done)
            ),
            _ => "baseline".to_owned(),
        };
        let each = lasts
            .iter()
            .map(|t| format!("{t:.0}"))
            .collect::<Vec<_>>()
            .join(", ");
        let mut notes = String::new();
        if sent != stats.requests {
            let _ = write!(notes, " (clients counted {sent})");
        }
        if errors > 0 {
            let _ = write!(notes, " ({errors} errors)");
        }
        if !all_done {
            notes.push_str(" (not all seen completed)");
        }
        println!(
            "| {case} | {client} | {}{notes} | {} | {share:.2}% | {timeouts} | {last:.0} | {:.2} \
             | {each} | {} | {goal_text} |",
            stats.requests,
            stats.too_many_requests,
            last / bound,
            if processes.len() > 1 {
                format!("{spread:.2}")
            } else {
                "-".to_owned()
            },
        );
    }
    Ok(())
}
