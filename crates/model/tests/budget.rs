//! The request budget on a fake clock: the minute window, the hourly spread, slowing down on
//! 429s and on others spending the token, recovering, and four processes sharing a token.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};
use std::time::Duration;

use droplet_action_model::{
    Budget, BudgetConfig, RateLimit, ResponseMeta, RetryAfter, SlowdownReason,
};
use proptest::prelude::*;

const UNIX_EPOCH_AT_ZERO: i64 = 1_700_000_000;

fn secs(seconds: u64) -> Duration {
    Duration::from_secs(seconds)
}

fn millis(milliseconds: u64) -> Duration {
    Duration::from_millis(milliseconds)
}

fn unix(now: Duration) -> i64 {
    UNIX_EPOCH_AT_ZERO + now.as_secs() as i64
}

fn limit(remaining: i64, reset_in: i64, now: Duration) -> Option<RateLimit> {
    Some(RateLimit {
        limit: 5000,
        remaining,
        reset: unix(now) + reset_in,
    })
}

/// The minute window alone: no margin, no spread, no adaptation.
fn minute_only(requests_per_minute: u32) -> Budget {
    Budget::new(
        BudgetConfig::default()
            .requests_per_minute(Some(requests_per_minute))
            .margin(Duration::ZERO)
            .spread(false)
            .adaptive(false),
    )
}

#[test]
fn the_251st_request_of_a_minute_waits_for_the_first_to_leave_the_window() {
    let mut budget = minute_only(250);
    for i in 0..250 {
        // One request every 40 ms: the 250th at 9.96 s.
        assert_eq!(
            budget.try_reserve(millis(1_000 + 40 * i), Duration::MAX),
            Ok(Duration::ZERO)
        );
    }
    assert_eq!(
        budget.try_reserve(millis(11_000), Duration::MAX),
        Ok(secs(50))
    );
    // The 252nd waits for the second one, 40 ms later.
    assert_eq!(
        budget.try_reserve(millis(11_000), Duration::MAX),
        Ok(millis(50_040))
    );
}

#[test]
fn the_default_margin_adds_a_second_to_the_minute_window() {
    let mut budget = Budget::new(BudgetConfig::default().adaptive(false));
    for _ in 0..250 {
        assert_eq!(
            budget.try_reserve(secs(5), Duration::MAX),
            Ok(Duration::ZERO)
        );
    }
    assert_eq!(budget.try_reserve(secs(5), Duration::MAX), Ok(secs(61)));
}

#[test]
fn no_minute_window_when_it_is_off() {
    let mut budget = Budget::new(BudgetConfig::unpaced());
    for _ in 0..10_000 {
        assert_eq!(
            budget.try_reserve(secs(1), Duration::ZERO),
            Ok(Duration::ZERO)
        );
    }
}

#[test]
fn the_hourly_budget_is_spread_over_the_time_to_reset() {
    let mut budget = Budget::new(
        BudgetConfig::default()
            .margin(Duration::ZERO)
            .spread_burst(1),
    );
    let now = secs(100);
    assert_eq!(budget.try_reserve(now, Duration::MAX), Ok(Duration::ZERO));
    assert_eq!(
        budget.observe(now, unix(now), 200, limit(100, 1000, now), None),
        None
    );
    let delays: Vec<Duration> = (0..4)
        .map(|_| budget.try_reserve(now, Duration::MAX).unwrap())
        .collect();
    assert_eq!(delays, [secs(0), secs(10), secs(20), secs(30)]);
}

#[test]
fn the_hourly_spread_allows_a_burst_of_a_tenth_of_what_remains() {
    let mut budget = Budget::new(BudgetConfig::default().margin(Duration::ZERO));
    let now = secs(100);
    budget.observe(now, unix(now), 200, limit(40, 400, now), None);
    let delays: Vec<Duration> = (0..6)
        .map(|_| budget.try_reserve(now, Duration::MAX).unwrap())
        .collect();
    assert_eq!(
        delays,
        [secs(0), secs(0), secs(0), secs(0), secs(10), secs(20)]
    );
}

#[test]
fn a_faster_pace_from_a_later_answer_repays_the_debt_sooner() {
    let mut budget = Budget::new(
        BudgetConfig::default()
            .margin(Duration::ZERO)
            .spread_burst(1),
    );
    let now = secs(100);
    budget.observe(now, unix(now), 200, limit(10, 1000, now), None);
    assert_eq!(budget.try_reserve(now, Duration::MAX), Ok(secs(0)));
    let later = now + secs(100);
    assert_eq!(budget.try_reserve(later, Duration::MAX), Ok(secs(0)));
    assert_eq!(budget.peek(later), secs(100));
    // Old requests expired: 100 remain with the reset as far: 10 s apart from now on.
    budget.observe(later, unix(later), 200, limit(100, 1000, later), None);
    assert_eq!(budget.peek(later), secs(10));
}

#[test]
fn a_spent_hourly_budget_holds_every_request_until_the_reset() {
    let mut budget = Budget::new(BudgetConfig::default().adaptive(false));
    let now = secs(100);
    budget.observe(now, unix(now), 200, limit(0, 30, now), None);
    // 30 s to the reset, plus the 1 s margin.
    assert_eq!(budget.try_reserve(now, secs(10)), Err(secs(31)));
    assert_eq!(budget.try_reserve(now, Duration::MAX), Ok(secs(31)));
    // Only the oldest request expires then: the next one waits for another answer.
    assert_eq!(budget.try_reserve(now, secs(60)), Err(secs(62)));
}

#[test]
fn after_the_reset_the_hourly_limit_over_the_hour_paces_alone() {
    let mut budget = Budget::new(
        BudgetConfig::default()
            .margin(Duration::ZERO)
            .spread_burst(1),
    );
    let now = secs(100);
    budget.observe(now, unix(now), 200, limit(2, 20, now), None);
    assert_eq!(budget.try_reserve(now, Duration::MAX), Ok(secs(0)));
    assert_eq!(budget.peek(now), secs(10));
    let after_reset = now + secs(20);
    assert_eq!(budget.try_reserve(after_reset, Duration::MAX), Ok(secs(0)));
    // 3600 s over 5000 requests.
    assert_eq!(budget.peek(after_reset), millis(720));
}

#[test]
fn the_hourly_limit_over_the_hour_bounds_the_spread_of_a_fresh_budget() {
    let mut budget = Budget::new(
        BudgetConfig::default()
            .margin(Duration::ZERO)
            .spread_burst(1),
    );
    let now = secs(100);
    // 4000 left and the oldest request expires in 10 s: 2.5 ms apart would spend them all
    // long before anything else expires.
    budget.observe(now, unix(now), 200, limit(4000, 10, now), None);
    assert_eq!(budget.try_reserve(now, Duration::MAX), Ok(secs(0)));
    assert_eq!(budget.peek(now), millis(720));
}

#[test]
fn retry_after_holds_every_request() {
    let mut budget = Budget::new(BudgetConfig::unpaced());
    let now = secs(7);
    budget.observe(now, unix(now), 429, None, Some(secs(12)));
    assert_eq!(
        budget.try_reserve(now + secs(2), Duration::MAX),
        Ok(secs(10))
    );
    assert_eq!(
        budget.try_reserve(now + secs(20), Duration::MAX),
        Ok(secs(0))
    );
}

#[test]
fn a_retry_after_date_is_read_against_the_wall_clock() {
    let mut budget = Budget::new(BudgetConfig::unpaced());
    let now = secs(7);
    let meta = ResponseMeta {
        status: 429,
        rate_limit: None,
        request_id: None,
        retry_after: Some(RetryAfter::At(
            jiff::Timestamp::from_second(unix(now) + 5).unwrap(),
        )),
    };
    budget.observe_meta(now, unix(now), &meta);
    assert_eq!(budget.peek(now), secs(5));
}

#[test]
fn a_clock_that_goes_backwards_never_lets_a_slot_into_the_window_early() {
    let mut budget = minute_only(1);
    assert_eq!(budget.try_reserve(secs(100), Duration::MAX), Ok(secs(0)));
    // The same slot as 160 s, seen from 50 s.
    assert_eq!(budget.try_reserve(secs(50), Duration::MAX), Ok(secs(110)));
}

#[test]
fn a_reservation_beyond_max_wait_takes_nothing() {
    let mut budget = minute_only(2);
    let now = secs(1);
    budget.try_reserve(now, Duration::MAX).unwrap();
    budget.try_reserve(now, Duration::MAX).unwrap();
    let before = format!("{budget:?}");
    assert_eq!(budget.try_reserve(now + secs(15), secs(44)), Err(secs(45)));
    assert_eq!(format!("{budget:?}"), before);
    assert_eq!(budget.try_reserve(now + secs(15), secs(45)), Ok(secs(45)));
}

#[test]
fn a_released_slot_is_handed_out_again() {
    let mut budget = minute_only(2);
    let now = secs(1);
    assert_eq!(budget.try_reserve(now, Duration::MAX), Ok(secs(0)));
    assert_eq!(
        budget.try_reserve(now + secs(1), Duration::MAX),
        Ok(secs(0))
    );
    assert_eq!(budget.peek(now + secs(1)), secs(59));
    // The first of the two is given back: the window waits for the second one only.
    assert!(budget.release(now));
    assert!(!budget.release(now));
    assert_eq!(
        budget.try_reserve(now + secs(1), Duration::MAX),
        Ok(secs(0))
    );
    assert_eq!(budget.peek(now + secs(1)), secs(60));
}

#[test]
fn a_429_halves_the_share_and_the_minute_window_with_it() {
    let mut budget = Budget::new(BudgetConfig::default().margin(Duration::ZERO).spread(false));
    let now = secs(10);
    let slowdown = budget.observe(now, unix(now), 429, None, None).unwrap();
    assert_eq!(slowdown.reason, SlowdownReason::TooManyRequests);
    assert_eq!(slowdown.share, 0.5);
    for _ in 0..125 {
        assert_eq!(budget.try_reserve(now, Duration::MAX), Ok(Duration::ZERO));
    }
    assert_eq!(budget.try_reserve(now, Duration::MAX), Ok(secs(60)));
}

#[test]
fn a_burst_of_429s_slows_down_once_a_round() {
    let mut budget = Budget::default();
    let now = secs(10);
    assert!(budget.observe(now, unix(now), 429, None, None).is_some());
    for ms in [1, 100, 4_999] {
        let at = now + millis(ms);
        assert_eq!(budget.observe(at, unix(at), 429, None, None), None);
    }
    assert_eq!(budget.share(), 0.5);
    let at = now + secs(5);
    assert_eq!(
        budget.observe(at, unix(at), 429, None, None).unwrap().share,
        0.25
    );
}

#[test]
fn the_share_never_falls_below_its_floor() {
    let mut budget = Budget::default();
    for round in 0..20 {
        let at = secs(5 * round);
        budget.observe(at, unix(at), 429, None, None);
    }
    assert_eq!(budget.share(), 1.0 / 64.0);
}

#[test]
fn the_share_recovers_by_a_hundredth_a_second() {
    let mut budget = Budget::default();
    budget.observe(secs(10), unix(secs(10)), 429, None, None);
    assert_eq!(budget.share(), 0.5);
    // One answer a second: after 25 s, three quarters; after 50 s, whole again.
    for second in 11..=35 {
        budget.observe(secs(second), unix(secs(second)), 200, None, None);
    }
    assert!((budget.share() - 0.75).abs() < 1e-9, "{}", budget.share());
    for second in 36..=70 {
        budget.observe(secs(second), unix(secs(second)), 200, None, None);
    }
    assert_eq!(budget.share(), 1.0);
}

#[test]
fn an_idle_spell_counts_as_one_round_of_recovery() {
    let mut budget = Budget::default();
    budget.observe(secs(10), unix(secs(10)), 429, None, None);
    budget.observe(secs(1_000), unix(secs(1_000)), 200, None, None);
    assert!((budget.share() - 0.55).abs() < 1e-9, "{}", budget.share());
}

/// One answer a second for 20 s, `remaining` falling by `fall` each time from 5000, with
/// the reset 3000 s ahead: the hour allows 1.39 requests a second.
fn answers_with_remaining_falling_by(fall: i64) -> (Budget, Vec<SlowdownReason>) {
    let mut budget = Budget::new(BudgetConfig::default().spread(false));
    let mut remaining = 5000;
    let mut slowdowns = Vec::new();
    for second in 1..=20 {
        let now = secs(second);
        budget.try_reserve(now, Duration::MAX).unwrap();
        remaining -= fall;
        let rate_limit = limit(remaining, 3000, now);
        if let Some(slowdown) = budget.observe(now, unix(now), 200, rate_limit, None) {
            slowdowns.push(slowdown.reason);
        }
    }
    (budget, slowdowns)
}

#[test]
fn remaining_falling_as_fast_as_own_requests_is_no_sign_of_others() {
    let (budget, slowdowns) = answers_with_remaining_falling_by(1);
    assert_eq!(slowdowns, []);
    assert_eq!(budget.share(), 1.0);
}

#[test]
fn remaining_falling_faster_than_own_requests_shows_others_and_slows_down_once_a_round() {
    // Three others as busy as this process: 4 requests a second, the hour allows 1.39.
    // Rounds of 5 s end at 6, 12 and 18 s; each halves the share, each second adds 0.01.
    let (budget, slowdowns) = answers_with_remaining_falling_by(4);
    assert_eq!(slowdowns, [SlowdownReason::SharedBudget; 3]);
    let expected = ((0.5 + 0.05) * 0.5 + 0.05) * 0.5 + 0.02;
    assert!(
        (budget.share() - expected).abs() < 1e-9,
        "{}",
        budget.share()
    );
}

#[test]
fn others_spending_within_the_limits_are_no_reason_to_slow_down() {
    // One request a second here, one every 4 s elsewhere: 1.25 a second, under 1.39.
    let mut budget = Budget::new(BudgetConfig::default().spread(false));
    let mut remaining = 5000;
    for second in 1..=60 {
        let now = secs(second);
        budget.try_reserve(now, Duration::MAX).unwrap();
        remaining -= if second % 4 == 0 { 2 } else { 1 };
        let rate_limit = limit(remaining, 3000, now);
        assert_eq!(budget.observe(now, unix(now), 200, rate_limit, None), None);
    }
    assert_eq!(budget.share(), 1.0);
}

/// One answer a second, `remaining` near the end of the hour and falling by `fall` a second,
/// after others spent `spent_by_others` of the hour's 5000.
fn answers_near_the_end_of_the_hour(spent_by_others: i64, fall: i64) -> Vec<SlowdownReason> {
    let mut budget = Budget::new(BudgetConfig::default().spread(false));
    let mut remaining = 5000 - spent_by_others;
    let mut slowdowns = Vec::new();
    for second in 1..=30 {
        let now = secs(second);
        budget.try_reserve(now, Duration::MAX).unwrap();
        remaining -= fall;
        // The oldest request expires in 2 s, and so on: the window is full.
        let rate_limit = limit(remaining, 2, now);
        if let Some(slowdown) = budget.observe(now, unix(now), 200, rate_limit, None) {
            slowdowns.push(slowdown.reason);
        }
    }
    slowdowns
}

#[test]
fn little_left_and_falling_while_others_hold_the_hour_slows_down() {
    // Under 100 (a fiftieth of the limit) left and falling by a request a second: the
    // requests expiring do not make up for what is spent.
    assert_eq!(
        answers_near_the_end_of_the_hour(4930, 1),
        [SlowdownReason::SharedBudget; 5]
    );
}

#[test]
fn little_left_but_steady_is_no_reason_to_slow_down() {
    assert_eq!(answers_near_the_end_of_the_hour(4930, 0), []);
}

#[test]
fn a_process_alone_never_slows_down_for_its_own_spending() {
    let mut budget = Budget::new(BudgetConfig::default().spread(false));
    for i in 1..=100 {
        let now = secs(i);
        budget.try_reserve(now, Duration::MAX).unwrap();
        let rate_limit = Some(RateLimit {
            limit: 100,
            remaining: 100 - i as i64,
            reset: unix(now) + 3000,
        });
        assert_eq!(budget.observe(now, unix(now), 200, rate_limit, None), None);
    }
}

#[test]
fn unpaced_never_adapts() {
    let mut budget = Budget::new(BudgetConfig::unpaced());
    assert_eq!(
        budget.observe(secs(1), unix(secs(1)), 429, None, None),
        None
    );
    assert_eq!(budget.share(), 1.0);
}

// ---------------------------------------------------------------------------------------
// Four processes, one token: a simulated server with DigitalOcean's two sliding windows.

const SERVER_MINUTE_LIMIT: usize = 250;
const SERVER_HOUR_LIMIT: usize = 5000;
const ONE_WAY: Duration = Duration::from_millis(40);

struct Server {
    minute: VecDeque<Duration>,
    hour: VecDeque<Duration>,
}

struct Answer {
    status: u16,
    rate_limit: RateLimit,
    retry_after: Option<Duration>,
}

impl Server {
    fn handle(&mut self, now: Duration) -> Answer {
        while self.minute.front().is_some_and(|&t| t + secs(60) <= now) {
            self.minute.pop_front();
        }
        while self.hour.front().is_some_and(|&t| t + secs(3600) <= now) {
            self.hour.pop_front();
        }
        let burst = self.minute.len() >= SERVER_MINUTE_LIMIT;
        let spent = self.hour.len() >= SERVER_HOUR_LIMIT;
        if !burst && !spent {
            self.minute.push_back(now);
            self.hour.push_back(now);
        }
        let reset = self.hour.front().map_or(now, |&t| t + secs(3600));
        let rate_limit = RateLimit {
            limit: SERVER_HOUR_LIMIT as i64,
            remaining: (SERVER_HOUR_LIMIT - self.hour.len()) as i64,
            reset: unix(reset + Duration::from_nanos(999_999_999)),
        };
        let retry_after = burst.then(|| {
            let free = *self.minute.front().unwrap() + secs(60) - now;
            secs(free.as_secs() + 1)
        });
        let status = if burst || spent { 429 } else { 200 };
        Answer {
            status,
            rate_limit,
            retry_after,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Event {
    /// The client wants to send its next request.
    Want,
    /// The request reaches the server.
    Arrive,
}

struct Outcome {
    ok_in_window: Vec<u64>,
    too_many: Vec<u64>,
}

/// Each client sends its next request as soon as its budget allows, one at a time; client
/// `i` starts at `starts[i]` and is `one_way[i]` from the server. Counts successes in the
/// last `measured` of the run, and all 429s.
fn simulate(
    starts: &[Duration],
    one_way: &[Duration],
    total: Duration,
    measured: Duration,
) -> Outcome {
    let mut server = Server {
        minute: VecDeque::new(),
        hour: VecDeque::new(),
    };
    let mut budgets: Vec<Budget> = starts.iter().map(|_| Budget::default()).collect();
    let mut ok_in_window = vec![0; starts.len()];
    let mut too_many = vec![0; starts.len()];
    let mut events = BinaryHeap::new();
    for (client, &start) in starts.iter().enumerate() {
        events.push(Reverse((start, Event::Want, client)));
    }
    while let Some(Reverse((now, event, client))) = events.pop() {
        if now >= total {
            break;
        }
        match event {
            Event::Want => {
                let delay = budgets[client].try_reserve(now, Duration::MAX).unwrap();
                events.push(Reverse((
                    now + delay + one_way[client],
                    Event::Arrive,
                    client,
                )));
            }
            Event::Arrive => {
                let answer = server.handle(now);
                let back = now + one_way[client];
                if answer.status == 429 {
                    too_many[client] += 1;
                } else if back + measured >= total {
                    ok_in_window[client] += 1;
                }
                budgets[client].observe(
                    back,
                    unix(back),
                    answer.status,
                    Some(answer.rate_limit),
                    answer.retry_after,
                );
                events.push(Reverse((back, Event::Want, client)));
            }
        }
    }
    Outcome {
        ok_in_window,
        too_many,
    }
}

fn jain_index(shares: &[u64]) -> f64 {
    let sum: f64 = shares.iter().map(|&x| x as f64).sum();
    let squares: f64 = shares.iter().map(|&x| (x as f64).powi(2)).sum();
    sum * sum / (shares.len() as f64 * squares)
}

/// Four processes for 5 h; over the last 2 h (10,000 requests allowed) they must share the
/// token fairly, use nearly all of it, and see (almost) no 429.
fn assert_fair_share(starts: [Duration; 4], one_way: [Duration; 4]) {
    let outcome = simulate(&starts, &one_way, secs(5 * 3600), secs(2 * 3600));
    let total_ok: u64 = outcome.ok_in_window.iter().sum();
    let total_429: u64 = outcome.too_many.iter().sum();
    let fairness = jain_index(&outcome.ok_in_window);
    eprintln!(
        "last 2 h: {:?} ok ({total_ok} in all), fairness {fairness:.4}; 429s in 5 h: {:?}",
        outcome.ok_in_window, outcome.too_many
    );
    assert!(fairness >= 0.98, "fairness {fairness}");
    assert!(total_ok >= 9_700, "{total_ok} of 10,000 used");
    assert!(total_429 <= 4, "{total_429} 429s");
}

#[test]
fn four_processes_starting_together_share_the_token_fairly() {
    assert_fair_share([secs(0); 4], [ONE_WAY; 4]);
}

#[test]
fn four_processes_starting_apart_converge_on_a_fair_share() {
    assert_fair_share([secs(0), secs(900), secs(1800), secs(2700)], [ONE_WAY; 4]);
}

#[test]
fn two_latecomers_converge_on_a_fair_share() {
    assert_fair_share([secs(0), secs(0), secs(600), secs(1200)], [ONE_WAY; 4]);
}

#[test]
fn four_processes_with_different_latencies_converge_on_a_fair_share() {
    let one_way = [millis(10), millis(40), millis(100), millis(250)];
    assert_fair_share([secs(0), secs(0), secs(600), secs(1200)], one_way);
}

#[test]
fn one_process_alone_uses_the_hour_without_a_429() {
    let outcome = simulate(&[secs(0)], &[ONE_WAY], secs(3 * 3600), secs(3600));
    eprintln!(
        "alone: {:?} ok in the last hour, {:?} 429s in 3 h",
        outcome.ok_in_window, outcome.too_many
    );
    assert_eq!(outcome.too_many, [0]);
    assert!(
        outcome.ok_in_window[0] >= 4900,
        "{:?}",
        outcome.ok_in_window
    );
}

// ---------------------------------------------------------------------------------------
// Nothing panics, whatever the clock and the headers say.

#[derive(Debug, Clone)]
enum Step {
    Reserve {
        now: u64,
        max_wait: u64,
    },
    Release {
        slot: u64,
    },
    Observe {
        now: u64,
        unix_now: i64,
        status: u16,
        rate_limit: Option<(i64, i64, i64)>,
        retry_after: Option<u64>,
    },
}

fn any_time() -> impl Strategy<Value = u64> {
    prop_oneof![0..1_000_000u64, any::<u64>(), Just(u64::MAX), Just(0)]
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (any_time(), any_time()).prop_map(|(now, max_wait)| Step::Reserve { now, max_wait }),
        any_time().prop_map(|slot| Step::Release { slot }),
        (
            any_time(),
            any::<i64>(),
            prop_oneof![Just(200u16), Just(429u16), any::<u16>()],
            proptest::option::of((any::<i64>(), any::<i64>(), any::<i64>())),
            proptest::option::of(any_time()),
        )
            .prop_map(
                |(now, unix_now, status, rate_limit, retry_after)| Step::Observe {
                    now,
                    unix_now,
                    status,
                    rate_limit,
                    retry_after
                }
            ),
    ]
}

fn duration(value: u64, seconds: bool) -> Duration {
    if seconds {
        Duration::from_secs(value)
    } else {
        Duration::from_millis(value)
    }
}

fn any_config() -> impl Strategy<Value = BudgetConfig> {
    (
        proptest::option::of(prop_oneof![0..300u32, any::<u32>()]),
        any::<u64>(),
        any::<bool>(),
        any::<u32>(),
        any::<bool>(),
        any::<f64>(),
        any::<f64>(),
        any::<f64>(),
        any::<u64>(),
    )
        .prop_map(
            |(rpm, margin, spread, burst, adaptive, factor, step, floor, round)| {
                BudgetConfig::default()
                    .requests_per_minute(rpm.map(|n| n.min(5000)))
                    .margin(Duration::from_nanos(margin))
                    .spread(spread)
                    .spread_burst(burst)
                    .adaptive(adaptive)
                    .decrease_factor(factor)
                    .increase_per_second(step)
                    .min_share(floor)
                    .round(Duration::from_nanos(round))
            },
        )
}

proptest! {
    #[test]
    fn no_clock_header_or_config_makes_the_budget_panic(
        config in any_config(),
        steps in proptest::collection::vec(step(), 0..64),
        seconds in any::<bool>(),
    ) {
        let mut budget = Budget::new(config);
        for step in steps {
            match step {
                Step::Reserve { now, max_wait } => {
                    let (now, max_wait) = (duration(now, seconds), duration(max_wait, seconds));
                    let peeked = budget.peek(now);
                    match budget.try_reserve(now, max_wait) {
                        Ok(delay) => prop_assert!(delay <= max_wait && delay == peeked),
                        Err(needed) => prop_assert!(needed > max_wait && needed == peeked),
                    }
                }
                Step::Release { slot } => { budget.release(duration(slot, seconds)); }
                Step::Observe { now, unix_now, status, rate_limit, retry_after } => {
                    let rate_limit = rate_limit.map(|(limit, remaining, reset)| RateLimit { limit, remaining, reset });
                    budget.observe(duration(now, seconds), unix_now, status, rate_limit, retry_after.map(|r| duration(r, seconds)));
                    prop_assert!(budget.share() > 0.0 && budget.share() <= 1.0);
                }
            }
        }
        let _ = budget.try_reserve(Duration::MAX, Duration::MAX);
        let _ = budget.try_reserve(Duration::ZERO, Duration::ZERO);
    }

    #[test]
    fn an_err_leaves_the_budget_as_it_was(
        now in 0..10_000u64,
        later in 0..10_000u64,
        max_wait in 0..120_000u64,
    ) {
        let mut budget = minute_only(3);
        for _ in 0..3 {
            budget.try_reserve(millis(now), Duration::MAX).unwrap();
        }
        let before = format!("{budget:?}");
        if budget.try_reserve(millis(later), millis(max_wait)).is_err() {
            prop_assert_eq!(format!("{budget:?}"), before);
        }
    }

    #[test]
    fn no_rolling_minute_holds_more_than_the_limit(
        gaps in proptest::collection::vec(0..3_000u64, 1..400),
        limit in 1..50u32,
    ) {
        let mut budget = minute_only(limit);
        let mut now = Duration::ZERO;
        let mut slots = Vec::new();
        for gap in gaps {
            now += millis(gap);
            let delay = budget.try_reserve(now, Duration::MAX).unwrap();
            slots.push(now + delay);
        }
        let limit = limit as usize;
        for (i, &slot) in slots.iter().enumerate().skip(limit) {
            prop_assert!(slot - slots[i - limit] >= secs(60));
        }
    }
}

#[test]
fn a_slot_given_back_leaves_the_window_as_it_was_before_it() {
    let mut budget = minute_only(1);
    let t0 = secs(100);
    assert_eq!(budget.try_reserve(t0, Duration::MAX), Ok(Duration::ZERO));
    // The second of the minute is a window away; given back, the first still holds.
    let delay = budget.try_reserve(t0, Duration::MAX).unwrap();
    assert!(budget.release(t0 + delay));
    let later = t0 + secs(1);
    assert_eq!(
        budget.try_reserve(later, Duration::MAX),
        Ok(delay - secs(1))
    );
}

#[test]
fn slots_granted_elsewhere_count_in_the_minute() {
    let mut budget = minute_only(2);
    let t0 = secs(100);
    budget.record(t0, t0);
    budget.record(t0 + secs(1), t0 + secs(1));
    let delay = budget.try_reserve(t0 + secs(2), Duration::MAX).unwrap();
    // Two went out elsewhere: the third waits for the first to leave the minute.
    assert_eq!(delay, secs(58));
    // A larger share keeps what was sent; slots are still handed out in order.
    budget.set_requests_per_minute(Some(5));
    assert_eq!(budget.config().requests_per_minute_limit(), Some(5));
    assert_eq!(
        budget.try_reserve(t0 + secs(2), Duration::MAX),
        Ok(secs(58))
    );
    assert_eq!(
        budget.try_reserve(t0 + secs(2), Duration::MAX),
        Ok(secs(58))
    );
}
