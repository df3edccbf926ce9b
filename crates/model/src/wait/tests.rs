//! The wait machine's rules, checked on chosen cases and on generated ones.

use super::*;
use crate::RateLimit;
use proptest::prelude::*;

const EPOCH: jiff::Timestamp = jiff::Timestamp::UNIX_EPOCH;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn meta(status: u16, remaining: Option<i64>, reset: i64) -> ResponseMeta {
    ResponseMeta {
        status,
        rate_limit: remaining.map(|remaining| RateLimit {
            limit: 5000,
            remaining,
            reset,
        }),
        request_id: None,
        retry_after: None,
    }
}

fn config(timeout_ms: u64, poll_ms: u64) -> WaitConfig {
    WaitConfig {
        timeout: Some(ms(timeout_ms)),
        poll_interval: ms(poll_ms),
        policy: RetryPolicy::default(),
    }
}

#[test]
fn a_spent_hourly_limit_while_running_ends_at_once_with_its_reset() {
    let mut wait = Wait::new(config(600_000, 3000), ms(0));
    assert_eq!(
        wait.next(ms(0)),
        WaitStep::Send {
            timeout: Some(ms(600_000))
        }
    );
    let spent = meta(200, Some(0), 3500);
    let running = Observation::Action {
        status: Some(&ActionStatus::InProgress),
        meta: &spent,
    };
    wait.feed(ms(20), EPOCH, running, 0);
    assert_eq!(
        wait.next(ms(20)),
        WaitStep::Done(WaitEnd::RateLimited {
            reset_in: Duration::from_secs(3500)
        })
    );
    assert_eq!(
        (wait.polls(), wait.requests(), wait.last_http_status()),
        (1, 1, 200)
    );
}

#[test]
fn a_spent_limit_resetting_soon_pauses_until_the_reset() {
    let mut wait = Wait::new(config(600_000, 3000), ms(0));
    wait.next(ms(0));
    let spent = meta(200, Some(0), 10);
    wait.feed(
        ms(0),
        EPOCH,
        Observation::Action {
            status: None,
            meta: &spent,
        },
        0,
    );
    assert_eq!(wait.next(ms(1)), WaitStep::Sleep { until: ms(10_000) });
}

#[test]
fn a_terminal_answer_with_a_spent_limit_still_ends_the_wait_normally() {
    let mut wait = Wait::new(config(600_000, 3000), ms(0));
    wait.next(ms(0));
    let spent = meta(200, Some(0), 3500);
    wait.feed(
        ms(5),
        EPOCH,
        Observation::Action {
            status: Some(&ActionStatus::Completed),
            meta: &spent,
        },
        0,
    );
    assert_eq!(wait.next(ms(5)), WaitStep::Done(WaitEnd::Completed));
}

#[test]
fn a_budget_delay_past_the_deadline_or_the_cap_ends_the_wait_uncounted() {
    let mut wait = Wait::new(config(10_000, 3000), ms(0));
    assert!(matches!(wait.next(ms(0)), WaitStep::Send { .. }));
    assert!(wait.budget_delay(ms(0), ms(9_000)));
    let mut late = Wait::new(config(10_000, 3000), ms(0));
    late.next(ms(0));
    assert!(!late.budget_delay(ms(0), ms(10_001)));
    assert_eq!(
        late.next(ms(0)),
        WaitStep::Done(WaitEnd::BudgetExhausted { needed: ms(10_001) })
    );
    assert_eq!((late.polls(), late.requests()), (0, 0));
    let mut capped = Wait::new(
        WaitConfig {
            timeout: None,
            ..config(0, 3000)
        },
        ms(0),
    );
    capped.next(ms(0));
    assert!(!capped.budget_delay(ms(0), ms(60_001)));
}

#[test]
fn retries_back_off_within_a_poll_then_the_poll_interval_resumes() {
    let mut wait = Wait::new(config(600_000, 3000), ms(0));
    let error = meta(500, None, 0);
    let failed = Observation::Failure {
        retryable: true,
        meta: Some(&error),
    };
    let mut now = ms(0);
    let mut pauses = Vec::new();
    for _ in 0..4 {
        assert!(matches!(wait.next(now), WaitStep::Send { .. }));
        wait.feed(now, EPOCH, failed, u64::MAX);
        let WaitStep::Sleep { until } = wait.next(now) else {
            panic!()
        };
        pauses.push(until - now);
        now = until;
    }
    // Two retries (backoff 200 ms, 400 ms at full jitter), then the poll interval.
    assert_eq!(pauses[..3], [ms(200), ms(400), ms(3000)]);
    assert_eq!(pauses[3], ms(200));
    assert_eq!(
        (wait.polls(), wait.requests(), wait.last_http_status()),
        (2, 4, 500)
    );
    // A transport failure keeps the last status seen.
    wait.next(now);
    wait.feed(
        now,
        EPOCH,
        Observation::Failure {
            retryable: true,
            meta: None,
        },
        0,
    );
    assert_eq!(wait.last_http_status(), 500);
}

#[test]
fn a_server_pause_past_the_deadline_ends_at_once() {
    let mut wait = Wait::new(config(5_000, 1000), ms(0));
    wait.next(ms(0));
    let mut busy = meta(503, None, 0);
    busy.retry_after = Some(crate::RetryAfter::Delay(Duration::from_secs(30)));
    wait.feed(
        ms(0),
        EPOCH,
        Observation::Failure {
            retryable: true,
            meta: Some(&busy),
        },
        0,
    );
    assert_eq!(
        wait.next(ms(0)),
        WaitStep::Done(WaitEnd::PauseTooLong { asked: ms(30_000) })
    );
}

#[test]
fn not_retryable_ends_and_the_deadline_ends() {
    let mut wait = Wait::new(config(1000, 3000), ms(0));
    wait.next(ms(0));
    let running = meta(200, None, 0);
    wait.feed(
        ms(0),
        EPOCH,
        Observation::Action {
            status: None,
            meta: &running,
        },
        0,
    );
    assert_eq!(wait.next(ms(10)), WaitStep::Sleep { until: ms(1000) });
    assert_eq!(
        wait.next(ms(1000)),
        WaitStep::Done(WaitEnd::DeadlineExceeded)
    );
    let mut gone = Wait::new(config(1000, 3000), ms(0));
    gone.next(ms(0));
    let missing = meta(404, None, 0);
    gone.feed(
        ms(0),
        EPOCH,
        Observation::Failure {
            retryable: false,
            meta: Some(&missing),
        },
        0,
    );
    assert_eq!(gone.next(ms(0)), WaitStep::Done(WaitEnd::Failed));
    assert_eq!(gone.last_http_status(), 404);
}

/// One event the driver may meet.
#[derive(Debug, Clone)]
enum Event {
    Answer {
        status: u8,
        http: u16,
        remaining: Option<i64>,
        reset: i64,
        retry_after: Option<u32>,
    },
    Lost,
    Budget(u64),
    Cancel,
}

fn event() -> impl Strategy<Value = Event> {
    prop_oneof![
        6 => (0u8..5, prop::sample::select(vec![200u16, 404, 408, 429, 500, 503]),
              prop::option::of(-1i64..3), -10i64..100_000, prop::option::of(0u32..200))
            .prop_map(|(status, http, remaining, reset, retry_after)| Event::Answer {
                status, http, remaining, reset, retry_after }),
        2 => Just(Event::Lost),
        1 => (0u64..200_000).prop_map(Event::Budget),
        1 => Just(Event::Cancel),
    ]
}

proptest! {
    /// Over any answers, clocks and budget delays: no sleep goes past the deadline, no
    /// request is sent after it, no poll follows another sooner than the poll interval
    /// except by a retry, a poll never holds more than 1 + max_retries requests, and
    /// the wait always ends.
    #[test]
    fn every_wait_keeps_its_rules_and_ends(
        timeout in 1u64..400_000,
        poll in 1u64..20_000,
        max_retries in 0u32..4,
        start in 0u64..1_000_000,
        latencies in prop::collection::vec(0u64..40_000, 1..60),
        events in prop::collection::vec(event(), 1..60),
        random in any::<u64>(),
    ) {
        let policy = RetryPolicy { max_retries, ..RetryPolicy::default() };
        let config = WaitConfig { timeout: Some(ms(timeout)), poll_interval: ms(poll), policy };
        let mut wait = Wait::new(config, ms(start));
        let deadline = ms(start + timeout);
        let unix = jiff::Timestamp::from_second(1_000).unwrap();
        let mut now = ms(start);
        let mut steps = 0;
        let mut in_poll = 0u32;
        let mut last_poll_at: Option<Duration> = None;
        let mut answers = 0usize;
        loop {
            steps += 1;
            prop_assert!(steps < 10_000, "the wait never ended");
            match wait.next(now) {
                WaitStep::Done(_) => break,
                WaitStep::Sleep { until } => {
                    prop_assert!(until > now);
                    prop_assert!(until <= deadline, "sleeps past the deadline");
                    now = until;
                }
                WaitStep::Send { timeout } => {
                    prop_assert!(now < deadline, "sends at or after the deadline");
                    prop_assert_eq!(timeout, Some(deadline - now));
                    let event = events[answers % events.len()].clone();
                    let latency = ms(latencies[answers % latencies.len()]);
                    answers += 1;
                    if let Event::Budget(delay) = event {
                        if !wait.budget_delay(now, ms(delay)) {
                            continue;
                        }
                        now += ms(delay);
                        prop_assert!(now <= deadline);
                    }
                    if wait.failures == 0 {
                        if let Some(at) = last_poll_at {
                            prop_assert!(now >= at + ms(poll).min(deadline - at));
                        }
                        last_poll_at = Some(now);
                        in_poll = 0;
                    }
                    in_poll += 1;
                    prop_assert!(in_poll <= 1 + max_retries);
                    now += latency;
                    match event {
                        Event::Answer { status, http, remaining, reset, retry_after } => {
                            let mut m = meta(http, remaining, 1_000 + reset);
                            m.retry_after = retry_after.map(|s| crate::RetryAfter::Delay(Duration::from_secs(u64::from(s))));
                            let status = [None, Some(ActionStatus::InProgress),
                                Some(ActionStatus::Completed), Some(ActionStatus::Errored),
                                Some(ActionStatus::Unknown("paused".into()))][usize::from(status)].clone();
                            let seen = if http == 200 {
                                Observation::Action { status: status.as_ref(), meta: &m }
                            } else {
                                Observation::Failure { retryable: http != 404, meta: Some(&m) }
                            };
                            wait.feed(now, unix, seen, random);
                        }
                        Event::Lost | Event::Budget(_) => {
                            wait.feed(now, unix, Observation::Failure { retryable: true, meta: None }, random);
                        }
                        Event::Cancel => wait.cancel(),
                    }
                }
            }
        }
        prop_assert!(wait.ended().is_some());
    }
}
