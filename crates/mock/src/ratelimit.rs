//! DigitalOcean's rate limit as rolling windows per token, in mock time.
//!
//! Time here is a [`Duration`] since the server started, already scaled: the limiter never
//! reads a clock, so its tests give it the times they want.

use std::collections::{HashMap, VecDeque};
use std::time::Duration;

/// The rolling windows of [`MockServerBuilder::rate_limit`](crate::MockServerBuilder::rate_limit).
///
/// Per token, at most `per_minute` requests in any rolling minute and `per_hour` in any
/// rolling hour; each request counts until an hour after it was made.
///
/// ```
/// use droplet_action_mock::RateLimit;
///
/// assert_eq!(RateLimit::DIGITALOCEAN, RateLimit { per_minute: 250, per_hour: 5000 });
/// assert_eq!(RateLimit::default(), RateLimit::DIGITALOCEAN);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Requests allowed in any rolling minute (the burst limit); at least 1.
    pub per_minute: u32,
    /// Requests allowed in any rolling hour; at least 1. Announced as `ratelimit-limit`.
    pub per_hour: u32,
}

impl RateLimit {
    /// DigitalOcean's limits: 250 requests a minute, 5,000 an hour.
    pub const DIGITALOCEAN: RateLimit = RateLimit {
        per_minute: 250,
        per_hour: 5000,
    };
}

impl Default for RateLimit {
    fn default() -> Self {
        RateLimit::DIGITALOCEAN
    }
}

pub(crate) const MINUTE: Duration = Duration::from_secs(60);
pub(crate) const HOUR: Duration = Duration::from_secs(3600);

/// What the limiter decided for one request. Times are mock times since the server started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Counted and let through.
    Allowed {
        /// Requests left in the hour window, this one counted.
        remaining: u32,
        /// When the oldest request of the hour window expires.
        resets_at: Duration,
    },
    /// Refused (429) and not counted.
    Limited {
        remaining: u32,
        resets_at: Duration,
        /// When a request would first be let through again.
        frees_at: Duration,
    },
}

/// The windows of every token: the times of the requests let through in the last hour,
/// oldest first. Requests without a token share the window of `None`.
#[derive(Debug)]
pub(crate) struct Limiter {
    limit: RateLimit,
    windows: HashMap<Option<String>, VecDeque<Duration>>,
}

impl Limiter {
    pub(crate) fn new(limit: RateLimit) -> Limiter {
        Limiter {
            limit,
            windows: HashMap::new(),
        }
    }

    pub(crate) fn limit(&self) -> RateLimit {
        self.limit
    }

    /// Decides the request of `token` made at `now`, and counts it if it is let through.
    pub(crate) fn check(&mut self, token: Option<&str>, now: Duration) -> Verdict {
        let window = self.windows.entry(token.map(str::to_owned)).or_default();
        while window.front().is_some_and(|t| *t + HOUR <= now) {
            window.pop_front();
        }
        let per_minute = self.limit.per_minute as usize;
        let per_hour = self.limit.per_hour as usize;
        let first_in_minute = window.partition_point(|t| *t + MINUTE <= now);
        let in_minute = window.len() - first_in_minute;
        if window.len() >= per_hour || in_minute >= per_minute {
            let mut frees_at = now;
            if window.len() >= per_hour {
                frees_at = frees_at.max(window[window.len() - per_hour] + HOUR);
            }
            if in_minute >= per_minute {
                frees_at = frees_at.max(window[window.len() - per_minute] + MINUTE);
            }
            return Verdict::Limited {
                remaining: remaining(per_hour, window.len()),
                resets_at: window.front().map_or(now + HOUR, |t| *t + HOUR),
                frees_at,
            };
        }
        window.push_back(now);
        Verdict::Allowed {
            remaining: remaining(per_hour, window.len()),
            resets_at: window.front().map_or(now + HOUR, |t| *t + HOUR),
        }
    }
}

fn remaining(per_hour: usize, used: usize) -> u32 {
    u32::try_from(per_hour.saturating_sub(used)).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(s: u64) -> Duration {
        Duration::from_secs(s)
    }

    fn millis(ms: u64) -> Duration {
        Duration::from_millis(ms)
    }

    #[test]
    fn the_251st_request_of_a_minute_waits_for_the_first_to_leave_it() {
        let mut limiter = Limiter::new(RateLimit::DIGITALOCEAN);
        for n in 0..250u64 {
            assert_eq!(
                limiter.check(Some("t"), secs(10) + millis(n)),
                Verdict::Allowed {
                    remaining: 4999 - n as u32,
                    resets_at: secs(3610),
                }
            );
        }
        assert_eq!(
            limiter.check(Some("t"), secs(30)),
            Verdict::Limited {
                remaining: 4750,
                resets_at: secs(3610),
                frees_at: secs(70),
            }
        );
        // Refused requests are not counted: the answer is the same a second later.
        assert_eq!(
            limiter.check(Some("t"), secs(31)),
            Verdict::Limited {
                remaining: 4750,
                resets_at: secs(3610),
                frees_at: secs(70),
            }
        );
        // At 70 s the first request has left the minute; the second leaves at 70.001 s.
        assert_eq!(
            limiter.check(Some("t"), secs(70)),
            Verdict::Allowed {
                remaining: 4749,
                resets_at: secs(3610),
            }
        );
        assert_eq!(
            limiter.check(Some("t"), secs(70)),
            Verdict::Limited {
                remaining: 4749,
                resets_at: secs(3610),
                frees_at: secs(70) + millis(1),
            }
        );
    }

    #[test]
    fn the_5001st_request_of_an_hour_waits_for_the_oldest_to_expire() {
        let mut limiter = Limiter::new(RateLimit::DIGITALOCEAN);
        // 250 requests at the start of each of 20 minutes: 5000, never a burst.
        for minute in 0..20u64 {
            for n in 0..250u64 {
                let verdict = limiter.check(Some("t"), secs(minute * 60) + millis(n));
                assert!(matches!(verdict, Verdict::Allowed { .. }), "{minute} {n}");
            }
        }
        assert_eq!(
            limiter.check(Some("t"), secs(1200)),
            Verdict::Limited {
                remaining: 0,
                resets_at: secs(3600),
                frees_at: secs(3600),
            }
        );
        assert_eq!(
            limiter.check(Some("t"), secs(3600)),
            Verdict::Allowed {
                remaining: 0,
                resets_at: secs(3600) + millis(1),
            }
        );
        assert_eq!(
            limiter.check(Some("t"), secs(3600) + millis(1)),
            Verdict::Allowed {
                remaining: 0,
                resets_at: secs(3600) + millis(2),
            }
        );
    }

    #[test]
    fn both_windows_full_waits_for_the_later_one() {
        let mut limiter = Limiter::new(RateLimit {
            per_minute: 2,
            per_hour: 3,
        });
        assert!(matches!(
            limiter.check(None, secs(0)),
            Verdict::Allowed { .. }
        ));
        assert!(matches!(
            limiter.check(None, secs(100)),
            Verdict::Allowed { .. }
        ));
        assert!(matches!(
            limiter.check(None, secs(101)),
            Verdict::Allowed { .. }
        ));
        // Minute full until 160 s, hour full until 3600 s.
        assert_eq!(
            limiter.check(None, secs(102)),
            Verdict::Limited {
                remaining: 0,
                resets_at: secs(3600),
                frees_at: secs(3600),
            }
        );
    }

    #[test]
    fn tokens_have_windows_of_their_own() {
        let mut limiter = Limiter::new(RateLimit {
            per_minute: 1,
            per_hour: 10,
        });
        let a = limiter.check(Some("a"), secs(5));
        let b = limiter.check(Some("b"), secs(6));
        let none = limiter.check(None, secs(7));
        assert_eq!(
            a,
            Verdict::Allowed {
                remaining: 9,
                resets_at: secs(3605)
            }
        );
        assert_eq!(
            b,
            Verdict::Allowed {
                remaining: 9,
                resets_at: secs(3606)
            }
        );
        assert_eq!(
            none,
            Verdict::Allowed {
                remaining: 9,
                resets_at: secs(3607)
            }
        );
        assert_eq!(
            limiter.check(Some("a"), secs(8)),
            Verdict::Limited {
                remaining: 9,
                resets_at: secs(3605),
                frees_at: secs(65),
            }
        );
    }

    #[test]
    fn a_request_expires_exactly_an_hour_after_it_was_made() {
        let mut limiter = Limiter::new(RateLimit {
            per_minute: 5,
            per_hour: 5,
        });
        limiter.check(Some("t"), secs(0));
        limiter.check(Some("t"), secs(1800));
        assert_eq!(
            limiter.check(Some("t"), secs(3599)),
            Verdict::Allowed {
                remaining: 2,
                resets_at: secs(3600)
            }
        );
        assert_eq!(
            limiter.check(Some("t"), secs(3600)),
            Verdict::Allowed {
                remaining: 2,
                resets_at: secs(5400)
            }
        );
    }
}
