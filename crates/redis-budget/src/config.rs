//! How a [`RedisBudget`](crate::RedisBudget) works: its windows, margin, keys, timeouts,
//! and what it does while Redis cannot be reached.

use std::time::Duration;

use droplet_action_model::{BudgetConfig, DEFAULT_BASE_URL};

use crate::MAX_HOLD;
#[cfg(doc)]
use {crate::RedisBudget, droplet_action_transport::LocalBudget};

/// The longest window: a week.
const MAX_WINDOW: Duration = Duration::from_secs(7 * 24 * 3600);

/// At most `limit` requests in any `length` of time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Window {
    /// Requests allowed in the window, at least 1.
    pub limit: u32,
    /// The window's length, at least 1 µs (before the margin is added).
    pub length: Duration,
}

/// What a reservation does while Redis cannot be reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Unreachable {
    /// Use the local [`Budget`](droplet_action_model::Budget) (the default): requests go on, paced by this process alone.
    #[default]
    LocalBudget,
    /// Refuse: [`RedisBudget::reserve`] returns `Err(Duration::MAX)`.
    Refuse,
}

/// How a [`RedisBudget`] works. The default is DigitalOcean's limits (250 in any minute,
/// 5,000 in any hour) and the hour spread over the hour: at most 84 in any minute (5,000 /
/// 60, rounded up). Without that third window a fleet that asks as fast as it may spends
/// the hour in 20 minutes and then waits 40 for it to come back; with it, it never stalls.
///
/// ```
/// use std::time::Duration;
/// use droplet_action_redis_budget::{RedisBudgetConfig, Window};
///
/// let config = RedisBudgetConfig::default();
/// assert_eq!(config.windows().len(), 3);
/// assert_eq!(config.windows()[0], Window { limit: 250, length: Duration::from_secs(60) });
/// assert_eq!(config.windows()[2], Window { limit: 84, length: Duration::from_secs(60) });
/// // Bursts first, stalls later: only DigitalOcean's two limits.
/// let bursty = RedisBudgetConfig::without_windows()
///     .window(250, Duration::from_secs(60))
///     .window(5000, Duration::from_secs(3600));
/// assert_eq!(bursty.windows().len(), 2);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct RedisBudgetConfig {
    pub(crate) windows: Vec<Window>,
    pub(crate) margin: Duration,
    pub(crate) key_prefix: String,
    pub(crate) io_timeout: Duration,
    pub(crate) retry_interval: Duration,
    pub(crate) on_unreachable: Unreachable,
    pub(crate) fallback: BudgetConfig,
    pub(crate) origin: String,
    pub(crate) fallback_time_scale: f64,
}

impl Default for RedisBudgetConfig {
    fn default() -> Self {
        Self {
            windows: vec![
                Window {
                    limit: 250,
                    length: Duration::from_secs(60),
                },
                Window {
                    limit: 5000,
                    length: Duration::from_secs(3600),
                },
                Window {
                    limit: 84,
                    length: Duration::from_secs(60),
                },
            ],
            margin: Duration::from_secs(1),
            key_prefix: "droplet-action:budget".to_owned(),
            io_timeout: Duration::from_millis(250),
            retry_interval: Duration::from_secs(1),
            on_unreachable: Unreachable::LocalBudget,
            fallback: BudgetConfig::default(),
            origin: DEFAULT_BASE_URL.to_owned(),
            fallback_time_scale: 1.0,
        }
    }
}

impl RedisBudgetConfig {
    /// No window at all, to be added with [`window`](Self::window).
    pub fn without_windows() -> Self {
        Self {
            windows: Vec::new(),
            ..Self::default()
        }
    }

    /// Adds a window: at most `limit` requests (at least 1) in any `length` of time
    /// (from 1 µs to a week).
    pub fn window(mut self, limit: u32, length: Duration) -> Self {
        self.windows.push(Window {
            limit: limit.max(1),
            length: length.clamp(Duration::from_micros(1), MAX_WINDOW),
        });
        self
    }

    /// Added to every window's length, for the network's jitter between this machine and
    /// the API; at most an hour. Default: 1 s.
    pub fn margin(mut self, margin: Duration) -> Self {
        self.margin = margin.min(MAX_HOLD);
        self
    }

    /// The start of every key. Default: `droplet-action:budget`.
    pub fn key_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.key_prefix = prefix.into();
        self
    }

    /// The longest a connection, a write or a read to Redis may take. Default: 250 ms.
    pub fn io_timeout(mut self, timeout: Duration) -> Self {
        self.io_timeout = timeout.max(Duration::from_millis(1));
        self
    }

    /// How long after a failure Redis is tried again. Default: 1 s.
    pub fn retry_interval(mut self, interval: Duration) -> Self {
        self.retry_interval = interval;
        self
    }

    /// What a reservation does while Redis cannot be reached. Default: the local budget.
    pub fn on_unreachable(mut self, policy: Unreachable) -> Self {
        self.on_unreachable = policy;
        self
    }

    /// The local budget's configuration. Default: [`BudgetConfig::default`].
    pub fn fallback(mut self, config: BudgetConfig) -> Self {
        self.fallback = config;
        self
    }

    /// The API's origin the token is used with (a token's budget at one origin is not its
    /// budget at another). Default: DigitalOcean's API, `https://api.digitalocean.com`.
    pub fn origin(mut self, origin: impl Into<String>) -> Self {
        self.origin = origin.into();
        self
    }

    /// Runs the local fallback's clock `scale` times as fast as real time, against a server
    /// whose time is scaled the same way (the mock's `--time-scale`): for tests and
    /// benchmarks, as [`LocalBudget::time_scaled`] takes it. Default: 1.
    pub fn fallback_time_scale(mut self, scale: f64) -> Self {
        self.fallback_time_scale = scale;
        self
    }

    /// The windows, in the order they were added.
    pub fn windows(&self) -> &[Window] {
        &self.windows
    }
}
