//! The cost of one pacing decision, on the hot path of every request.
//!
//! Run with `cargo bench -p droplet-action-model --bench budget`.

use std::time::Duration;

use droplet_action_model::{Budget, RateLimit};

fn main() {
    divan::main();
}

const UNIX_AT_ZERO: i64 = 1_700_000_000;

/// A reservation with the minute window full: one request every 240 ms, 250 in the window.
#[divan::bench]
fn reserve_in_a_full_minute_window(bencher: divan::Bencher<'_, '_>) {
    let mut budget = Budget::default();
    let mut now = Duration::ZERO;
    let step = Duration::from_millis(240);
    for _ in 0..1_000 {
        now += step;
        budget.try_reserve(now, Duration::MAX).unwrap();
    }
    bencher.bench_local(|| {
        now += step;
        budget.try_reserve(divan::black_box(now), Duration::MAX)
    });
}

/// What each request costs: a reservation, then the answer observed with its rate limit.
#[divan::bench]
fn reserve_and_observe_an_answer(bencher: divan::Bencher<'_, '_>) {
    let mut budget = Budget::default();
    let mut now = Duration::ZERO;
    let step = Duration::from_millis(720);
    let mut remaining = 5_000;
    let mut cycle = |budget: &mut Budget, now: Duration| {
        let delay = budget.try_reserve(now, Duration::MAX);
        remaining = if remaining <= 100 {
            5_000
        } else {
            remaining - 1
        };
        let unix_now = UNIX_AT_ZERO + now.as_secs() as i64;
        let rate_limit = RateLimit {
            limit: 5_000,
            remaining,
            reset: unix_now + 1_800,
        };
        budget.observe(now, unix_now, 200, Some(rate_limit), None);
        delay
    };
    for _ in 0..10_000 {
        now += step;
        cycle(&mut budget, now).unwrap();
    }
    bencher.bench_local(|| {
        now += step;
        cycle(&mut budget, divan::black_box(now))
    });
}
