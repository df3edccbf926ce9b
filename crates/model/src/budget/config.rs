//! How a [`Budget`](crate::Budget) paces requests: its settings and their defaults.

use std::time::Duration;

/// How a [`Budget`](crate::Budget) paces requests. The default is DigitalOcean's: 250
/// requests a minute, the hourly budget spread, and a fair share learned from every answer.
///
/// ```
/// use std::time::Duration;
/// use droplet_action_model::BudgetConfig;
///
/// let config = BudgetConfig::default()
///     .requests_per_minute(Some(100)) // leave room for other tools
///     .margin(Duration::from_millis(500));
/// assert_eq!(config.requests_per_minute_limit(), Some(100));
/// assert_eq!(BudgetConfig::unpaced().requests_per_minute_limit(), None);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct BudgetConfig {
    pub(super) requests_per_minute: Option<u32>,
    pub(super) margin: Duration,
    pub(super) spread: bool,
    pub(super) spread_burst: u32,
    pub(super) adaptive: bool,
    pub(super) decrease_factor: f64,
    pub(super) increase_per_second: f64,
    pub(super) min_share: f64,
    pub(super) round: Duration,
    pub(super) others_threshold: u32,
}

impl Default for BudgetConfig {
    fn default() -> Self {
        Self {
            requests_per_minute: Some(Self::DIGITALOCEAN_REQUESTS_PER_MINUTE),
            margin: Duration::from_secs(1),
            spread: true,
            spread_burst: 10,
            adaptive: true,
            decrease_factor: 0.5,
            increase_per_second: 0.01,
            min_share: 1.0 / 64.0,
            round: Duration::from_secs(5),
            others_threshold: 2,
        }
    }
}

impl BudgetConfig {
    /// DigitalOcean's burst limit per token: 250 requests in any rolling minute.
    pub const DIGITALOCEAN_REQUESTS_PER_MINUTE: u32 = crate::DEFAULTS.requests_per_minute;

    /// No pacing of its own: no minute window, no hourly spread, no adaptation. A
    /// `retry-after` still holds requests, since any request sent before it fails.
    pub fn unpaced() -> Self {
        Self::default()
            .requests_per_minute(None)
            .spread(false)
            .adaptive(false)
    }

    /// At most this many requests in any rolling minute; `None` turns the window off.
    /// `Some(0)` counts as `Some(1)`. Default: 250.
    pub fn requests_per_minute(mut self, limit: Option<u32>) -> Self {
        self.requests_per_minute = limit.map(|n| n.max(1));
        self
    }

    /// Added to the minute window and to every wait for `ratelimit-reset`, for the whole
    /// seconds of the headers and for the network's jitter. Default: 1 s.
    pub fn margin(mut self, margin: Duration) -> Self {
        self.margin = margin;
        self
    }

    /// Whether to spread the hourly budget the headers report over the time to its reset,
    /// and to hold requests while it is spent. Default: on.
    pub fn spread(mut self, on: bool) -> Self {
        self.spread = on;
        self
    }

    /// Requests the hourly spread lets through at once, never more than a tenth of what
    /// remains (and at least 1). Default: 10.
    pub fn spread_burst(mut self, burst: u32) -> Self {
        self.spread_burst = burst.max(1);
        self
    }

    /// Whether to learn a fair share from 429s and from others spending the token (AIMD).
    /// Default: on.
    pub fn adaptive(mut self, on: bool) -> Self {
        self.adaptive = on;
        self
    }

    /// What a slowdown multiplies the share by, within `[0.05, 0.95]`. Default: 0.5.
    pub fn decrease_factor(mut self, factor: f64) -> Self {
        self.decrease_factor = clamp_or(factor, 0.05, 0.95, 0.5);
        self
    }

    /// How much the share grows per second of answers without a slowdown, within `[0, 1]`.
    /// Default: 0.01, so a halved share is whole again after 50 s.
    pub fn increase_per_second(mut self, step: f64) -> Self {
        self.increase_per_second = clamp_or(step, 0.0, 1.0, 0.01);
        self
    }

    /// The smallest share, within `[0.0001, 1]`. Default: 1/64.
    pub fn min_share(mut self, share: f64) -> Self {
        self.min_share = clamp_or(share, 0.0001, 1.0, 1.0 / 64.0);
        self
    }

    /// How long the spending of the token is measured before it is judged, and the least
    /// time between two slowdowns. At least 1 ms. Default: 5 s.
    pub fn round(mut self, round: Duration) -> Self {
        self.round = round.max(Duration::from_millis(1));
        self
    }

    /// Requests that others may hold of the hour (what it spent beyond this process's own
    /// requests), or spend in a round, before they are taken to be present. An eighth of the
    /// round's own requests is added, for answers that overtake each other. Default: 2.
    pub fn others_threshold(mut self, requests: u32) -> Self {
        self.others_threshold = requests;
        self
    }

    /// The per-minute limit, `None` when off.
    pub fn requests_per_minute_limit(&self) -> Option<u32> {
        self.requests_per_minute
    }
}

fn clamp_or(value: f64, low: f64, high: f64, default: f64) -> f64 {
    if value.is_nan() {
        default
    } else {
        value.clamp(low, high)
    }
}
