//! The shared budget when Redis misbehaves: frozen (SIGSTOP) and resumed, stopped mid-run
//! under a server that enforces the limit, and members that disagree on a limit.

mod common;

use std::sync::{Mutex, OnceLock};
use std::thread;
use std::time::{Duration, Instant};

use common::{RedisServer, redis_slot, token, windows};
use droplet_action_mock::{MockServer, RateLimit};
use droplet_action_model::BudgetConfig;
use droplet_action_redis_budget::{RedisBudget, Source};
use droplet_action_transport::Client;

/// A reservation whose answer never came (Redis frozen past the I/O timeout) falls back to
/// the local budget; once Redis resumes, it is given back, so that the window holds exactly
/// the reservations Redis granted and its callers used.
#[test]
fn reservations_given_up_while_redis_is_frozen_are_given_back_after_it_resumes() {
    let server = RedisServer::start();
    let config = windows(&[(1000, Duration::from_secs(60))])
        .io_timeout(Duration::from_millis(200))
        .retry_interval(Duration::from_millis(100));
    let budget = RedisBudget::new(&server.url(), &token("dop_v1_frozen"), config).unwrap();
    let mut granted = 0;
    for _ in 0..3 {
        redis_slot(budget.reserve(Duration::MAX).unwrap().source);
        granted += 1;
    }
    server.signal("STOP");
    let frozen = Instant::now();
    let mut local = 0;
    while frozen.elapsed() < Duration::from_millis(1200) {
        let started = Instant::now();
        assert_eq!(budget.reserve(Duration::MAX).unwrap().source, Source::Local);
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "{:?}",
            started.elapsed()
        );
        local += 1;
        thread::sleep(Duration::from_millis(30));
    }
    assert!(local >= 2, "{local}");
    server.signal("CONT");
    let resumed = Instant::now();
    loop {
        let reservation = budget.reserve(Duration::MAX).unwrap();
        if let Source::Redis { .. } = reservation.source {
            granted += 1;
            break;
        }
        assert!(
            resumed.elapsed() < Duration::from_secs(5),
            "Redis never came back"
        );
        thread::sleep(Duration::from_millis(20));
    }
    // Whatever the frozen server ran late, or runs now, takes no slot.
    thread::sleep(Duration::from_millis(200));
    redis_slot(budget.reserve(Duration::MAX).unwrap().source);
    granted += 1;
    let window = &server.keys_with(":window:")[0];
    assert_eq!(server.count(window), granted);
}

/// Three members share one token's 60 requests a minute through Redis, taking turns; Redis
/// dies mid-run. Each member falls back to its share (60 / 3 a minute), counting what it
/// already sent through Redis, so the server that enforces the limit refuses nothing.
#[test]
fn members_fall_back_to_their_share_and_the_server_sees_no_429() {
    let api = MockServer::builder()
        .rate_limit(RateLimit {
            per_minute: 60,
            per_hour: 100_000,
        })
        .start()
        .unwrap();
    let redis = RedisServer::start();
    let fallback = BudgetConfig::default()
        .requests_per_minute(Some(60))
        .spread(false)
        .adaptive(false);
    let members: Vec<RedisBudget> = (0..3)
        .map(|_| {
            let config = windows(&[(60, Duration::from_secs(60))])
                .margin(Duration::from_secs(1))
                .io_timeout(Duration::from_millis(200))
                .retry_interval(Duration::from_millis(100))
                .fallback(fallback.clone());
            RedisBudget::new(&redis.url(), &token("dop_v1_share"), config).unwrap()
        })
        .collect();
    let client = Client::builder()
        .token(droplet_action_mock::DEFAULT_TOKEN)
        .base_url(api.base_url())
        .no_pacing()
        .max_retries(0)
        .build()
        .unwrap();
    let started = Instant::now();
    let mut redis = Some(redis);
    let (mut sent, mut refused, mut local) = (0, 0, 0);
    while started.elapsed() < Duration::from_secs(4) {
        if started.elapsed() > Duration::from_millis(1500) {
            redis = None; // killed
        }
        for member in &members {
            let Ok(reservation) = member.reserve(Duration::from_millis(50)) else {
                continue;
            };
            if reservation.source == Source::Local {
                local += 1;
            }
            thread::sleep(reservation.delay);
            sent += 1;
            if let Err(error) = client.get(3164444, 36804636) {
                assert_eq!(error.status(), Some(429), "{error}");
                refused += 1;
            }
        }
        thread::sleep(Duration::from_millis(10));
    }
    assert!(redis.is_none());
    for member in &members {
        assert_eq!(member.members(), 3);
        assert!(member.is_degraded());
    }
    assert_eq!((sent, local, refused), (60, 0, 0));
    assert_eq!(api.stats().too_many_requests, 0);
    assert_eq!(api.stats().requests, 60);
}

/// The warnings the budget logs, kept for the test that reads them.
struct Warnings(Mutex<Vec<String>>);

impl log::Log for Warnings {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        metadata.level() <= log::Level::Warn
    }

    fn log(&self, record: &log::Record<'_>) {
        if self.enabled(record.metadata()) {
            self.0.lock().unwrap().push(record.args().to_string());
        }
    }

    fn flush(&self) {}
}

fn warnings() -> &'static Warnings {
    static WARNINGS: OnceLock<&'static Warnings> = OnceLock::new();
    WARNINGS.get_or_init(|| {
        let warnings: &'static Warnings = Box::leak(Box::new(Warnings(Mutex::new(Vec::new()))));
        log::set_logger(warnings).unwrap();
        log::set_max_level(log::LevelFilter::Warn);
        warnings
    })
}

#[test]
fn a_lowered_limit_is_logged_once() {
    let warnings = warnings();
    let server = RedisServer::start();
    let length = Duration::from_secs(10);
    let low = RedisBudget::new(
        &server.url(),
        &token("dop_v1_warn"),
        windows(&[(3, length)]),
    )
    .unwrap();
    let high = RedisBudget::new(
        &server.url(),
        &token("dop_v1_warn"),
        windows(&[(9, length)]),
    )
    .unwrap();
    low.reserve(Duration::ZERO).unwrap();
    for _ in 0..5 {
        let _ = high.reserve(Duration::ZERO);
    }
    let logged: Vec<String> = warnings
        .0
        .lock()
        .unwrap()
        .iter()
        .filter(|message| message.contains("lower limit"))
        .cloned()
        .collect();
    assert_eq!(
        logged,
        [
            "request budget: another member of the fleet has a lower limit for one of this \
          member's windows (10000000:9); this member obeys it"
        ]
    );
}
