//! An exact request budget for DigitalOcean's **Retrieve a Droplet Action**, shared by every
//! process and machine that uses the same token, through Redis: for fleets that must never
//! see a 429.
//!
//! Each reservation runs one Lua script on the Redis server, atomically: it reads the
//! server's clock, finds the earliest slot that keeps every configured window (by default
//! 250 requests a minute and 5,000 an hour, each plus a 1 s margin) within its limit, and
//! takes it only when it is no further than the caller may wait. The windows are exact
//! sliding logs, one sorted set of slot times per window, so no window of that length ever
//! holds more slots than its limit, however many processes reserve at once. Slots are handed
//! out in order, on the Redis server's clock, so the machines' clocks do not matter.
//!
//! ```no_run
//! use std::time::Duration;
//! use droplet_action_model::Token;
//! use droplet_action_redis_budget::{RedisBudget, RedisBudgetConfig};
//!
//! let token = Token::new("dop_v1_example")?;
//! let budget = RedisBudget::new("redis://127.0.0.1/", &token, RedisBudgetConfig::default())?;
//! match budget.reserve(Duration::from_secs(30)) {
//!     Ok(reservation) => std::thread::sleep(reservation.delay), // then send the request
//!     Err(needed) => eprintln!("no slot within 30 s: the next is {needed:?} away"),
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! - **Keys.** Everything lives under `{prefix}:{<hash>}:…`, where the hash is the SHA-256
//!   (hex) of `droplet-action budget`, a zero byte, the token, a zero byte and the API's
//!   origin ([`RedisBudgetConfig::origin`]): the token itself never reaches Redis, and
//!   processes with the same token and origin share the same keys. A window's key names
//!   only its length, so members configured with different limits count in one window, and
//!   every member obeys the lowest limit any member seen in the last window has for that
//!   length ([`RedisBudget::is_limit_lowered`]; it is logged once, as a warning). The braces
//!   keep one token's keys in one Redis Cluster slot. Keys expire once their slots have.
//! - **What others say.** A 429 with `retry-after`, or `ratelimit-remaining: 0`, observed
//!   by any process holds every process's reservations until it has passed.
//! - **When Redis is unreachable** (refused, timed out, or any error), a reservation falls
//!   back at once to a local [`Budget`](droplet_action_model::Budget) that keeps learning from every answer
//!   ([`Unreachable::LocalBudget`], the default), or is refused ([`Unreachable::Refuse`]).
//!   The local budget paces this member at its share: the fallback's requests per minute
//!   divided by the members Redis last counted in the last window ([`RedisBudget::members`]),
//!   starting from the slots this member took through Redis in that window, so that an
//!   outage costs pacing, not 429s. The budget then tries Redis again at most once per retry
//!   interval (1 s); [`RedisBudget::is_degraded`] and [`RedisBudget::last_error`] report the
//!   state, and every [`Reservation`] says where it came from.
//! - **A reservation whose answer never came** (a frozen or overloaded Redis past the I/O
//!   timeout) is given back at the next connection: removed from every window if the server
//!   ran it, or marked so that it takes nothing when the server runs it later. Slots count
//!   only for callers that got them.
//!
//! Redis 5 or later is needed (scripts that read the clock and then write).
#![forbid(unsafe_code)]
#![doc(test(attr(deny(warnings))))]

mod config;
mod scripts;

pub use config::{RedisBudgetConfig, Unreachable, Window};

pub use droplet_action_transport::RequestBudget;

use std::collections::hash_map::RandomState;
use std::fmt;
use std::hash::BuildHasher;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use droplet_action_model::{ResponseMeta, Token};
use droplet_action_transport::LocalBudget;
use sha2::{Digest, Sha256};

/// The longest hold any answer can impose: the hourly window.
const MAX_HOLD: Duration = Duration::from_secs(3600);
/// Reservations given up and not yet given back that a budget remembers.
const MAX_GIVEN_UP: usize = 4096;
use scripts::{HOLD_SCRIPT, RELEASE_SCRIPT, RESERVE_SCRIPT};

/// A slot taken by [`RedisBudget::reserve`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Reservation {
    /// Wait this long, then send.
    pub delay: Duration,
    /// Who granted it.
    pub source: Source,
}

/// Who granted a [`Reservation`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Source {
    /// The shared budget in Redis: the slot's time since the Unix epoch on Redis's clock.
    Redis {
        /// The slot, since the Unix epoch, on the Redis server's clock.
        slot: Duration,
    },
    /// The local budget, while Redis could not be reached.
    Local,
}

/// The connection to Redis, and when to try again after a failure.
#[derive(Default)]
struct Link {
    connection: Option<redis::Connection>,
    retry_at: Option<Instant>,
    last_error: Option<String>,
}

/// A request budget shared through Redis by every process that uses the same token: see
/// the [crate documentation](crate). Safe to share between threads (one connection, used by
/// one call at a time).
pub struct RedisBudget {
    client: redis::Client,
    config: RedisBudgetConfig,
    hash: String,
    state_key: String,
    members_key: String,
    limits_key: String,
    given_up_key: String,
    /// One key per window, by its length: members that agree on a length share it.
    window_keys: Vec<String>,
    /// This member's windows as the script reads them: `length:limit;...`.
    member_windows: String,
    /// How long a member counts after its last reservation: the shortest window.
    member_window: Duration,
    member_id: String,
    next_reservation: AtomicU64,
    /// Reservations whose answer never came (a timeout, a dropped connection): given back
    /// at the next connection, in case the server ran or will run them.
    given_up: Mutex<Vec<String>>,
    /// Members seen in the last window at the last reservation (0 before the first).
    members: AtomicU32,
    limit_lowered: AtomicBool,
    reserve_script: redis::Script,
    release_script: redis::Script,
    hold_script: redis::Script,
    link: Mutex<Link>,
    local: LocalBudget,
}

impl fmt::Debug for RedisBudget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisBudget")
            .field("state_key", &self.state_key)
            .field("windows", &self.config.windows)
            .field("degraded", &self.is_degraded())
            .finish_non_exhaustive()
    }
}

impl RedisBudget {
    /// A budget for `token` in the Redis at `redis_url` (`redis://host:port/db`). Nothing is
    /// connected yet: the first reservation connects.
    ///
    /// # Errors
    /// When `redis_url` is not a valid Redis URL.
    pub fn new(
        redis_url: &str,
        token: &Token,
        config: RedisBudgetConfig,
    ) -> Result<Self, redis::RedisError> {
        let client = redis::Client::open(redis_url)?;
        let hash = token_hash(token, &config.origin);
        let base = format!("{}:{{{hash}}}", config.key_prefix);
        let window_keys = config
            .windows
            .iter()
            .map(|window| format!("{base}:window:{}", micros(window.length)))
            .collect();
        let member_windows = config
            .windows
            .iter()
            .map(|window| format!("{}:{}", micros(window.length), window.limit))
            .collect::<Vec<_>>()
            .join(";");
        let member_window = config
            .windows
            .iter()
            .map(|window| window.length)
            .min()
            .unwrap_or(Duration::from_secs(60))
            .saturating_add(config.margin);
        // Unique enough among a fleet: the process's random hash keys, its id and the time.
        let random = RandomState::new().hash_one((std::process::id(), SystemTime::now()));
        Ok(Self {
            client,
            hash,
            state_key: format!("{base}:state"),
            members_key: format!("{base}:members"),
            limits_key: format!("{base}:limits"),
            given_up_key: format!("{base}:given-up"),
            window_keys,
            member_windows,
            member_window,
            member_id: format!("{random:016x}"),
            next_reservation: AtomicU64::new(0),
            given_up: Mutex::new(Vec::new()),
            members: AtomicU32::new(0),
            limit_lowered: AtomicBool::new(false),
            reserve_script: redis::Script::new(RESERVE_SCRIPT),
            release_script: redis::Script::new(RELEASE_SCRIPT),
            hold_script: redis::Script::new(HOLD_SCRIPT),
            link: Mutex::new(Link::default()),
            local: LocalBudget::time_scaled(config.fallback.clone(), config.fallback_time_scale),
            config,
        })
    }

    /// Takes the next slot of the shared budget if it is at most `max_wait` away; see
    /// [`RequestBudget::try_reserve`]. While Redis cannot be reached, the local budget
    /// answers, or `Err(Duration::MAX)` with [`Unreachable::Refuse`].
    pub fn reserve(&self, max_wait: Duration) -> Result<Reservation, Duration> {
        let id = format!(
            "{}:{}",
            self.member_id,
            self.next_reservation.fetch_add(1, Ordering::Relaxed)
        );
        let outcome = self.with_connection(|connection| {
            self.give_back(connection)?;
            self.reserve_in_redis(connection, max_wait, &id)
        });
        match outcome {
            Some(Ok(Some(result))) => return result,
            // The answer never came: the server may have run it, or may run it later.
            Some(Err(_)) => self.gave_up(id),
            Some(Ok(None)) | None => {}
        }
        match self.config.on_unreachable {
            Unreachable::Refuse => Err(Duration::MAX),
            Unreachable::LocalBudget => {
                let delay = self.local.try_reserve(max_wait)?;
                Ok(Reservation {
                    delay,
                    source: Source::Local,
                })
            }
        }
    }

    /// How many members (budgets of this token and origin, in any process) reserved in the
    /// last window, as of the last reservation through Redis; 0 before the first. While
    /// Redis is away, this member paces its local budget at its share of the fallback's
    /// limit: the limit divided by this count.
    pub fn members(&self) -> u32 {
        self.members.load(Ordering::Relaxed)
    }

    /// Whether another member of the fleet has a lower limit for one of this member's
    /// windows, so that this member obeys that lower limit (it is logged once, as a
    /// warning).
    pub fn is_limit_lowered(&self) -> bool {
        self.limit_lowered.load(Ordering::Relaxed)
    }

    /// Whether Redis could not be reached at the last attempt (reservations then come from
    /// the local budget, or are refused).
    pub fn is_degraded(&self) -> bool {
        lock(&self.link).last_error.is_some()
    }

    /// Why Redis could not be reached at the last attempt; `None` while it can.
    pub fn last_error(&self) -> Option<String> {
        lock(&self.link).last_error.clone()
    }

    /// The hash that stands for the token in every key (`{prefix}:{<hash>}:…`).
    pub fn key_hash(&self) -> &str {
        &self.hash
    }

    /// Runs `call` on the connection, connecting first if needed and due; `None` when no
    /// connection could be had. A failed call drops the connection.
    fn with_connection<T>(
        &self,
        call: impl FnOnce(&mut redis::Connection) -> redis::RedisResult<T>,
    ) -> Option<redis::RedisResult<T>> {
        let mut link = lock(&self.link);
        if link.connection.is_none() {
            if link.retry_at.is_some_and(|at| Instant::now() < at) {
                return None;
            }
            match self.connect() {
                Ok(connection) => link.connection = Some(connection),
                Err(error) => {
                    self.failed(&mut link, &error);
                    return None;
                }
            }
        }
        let connection = link.connection.as_mut()?;
        let result = call(connection);
        match &result {
            Ok(_) => {
                link.last_error = None;
                link.retry_at = None;
            }
            Err(error) => self.failed(&mut link, error),
        }
        Some(result)
    }

    fn failed(&self, link: &mut Link, error: &redis::RedisError) {
        link.connection = None;
        link.retry_at = Instant::now().checked_add(self.config.retry_interval);
        link.last_error = Some(error.to_string());
    }

    fn connect(&self) -> redis::RedisResult<redis::Connection> {
        let timeout = self.config.io_timeout;
        let connection = self.client.get_connection_with_timeout(timeout)?;
        connection.set_read_timeout(Some(timeout))?;
        connection.set_write_timeout(Some(timeout))?;
        Ok(connection)
    }

    /// Runs the reservation script; `None` when the server says the reservation was given
    /// up before it ran (it took nothing).
    fn reserve_in_redis(
        &self,
        connection: &mut redis::Connection,
        max_wait: Duration,
        id: &str,
    ) -> redis::RedisResult<Option<Result<Reservation, Duration>>> {
        let mut invocation = self.reserve_script.prepare_invoke();
        invocation
            .key(&self.state_key)
            .key(&self.members_key)
            .key(&self.limits_key)
            .key(&self.given_up_key)
            .arg(micros(max_wait))
            .arg(&self.member_id)
            .arg(id)
            .arg(micros(self.member_window))
            .arg(&self.member_windows);
        for (window, key) in self.config.windows.iter().zip(&self.window_keys) {
            let length = micros(window.length.saturating_add(self.config.margin));
            invocation.key(key).arg(length).arg(micros(window.length));
        }
        let (taken, delay, slot, members, lowered): (i64, i64, i64, i64, i64) =
            invocation.invoke(connection)?;
        let members = u32::try_from(members).unwrap_or(u32::MAX).max(1);
        self.learn(members, lowered == 1);
        let delay = Duration::from_micros(u64::try_from(delay).unwrap_or(0));
        match taken {
            0 => Ok(Some(Err(delay))),
            1 => {
                // The local budget counts what this member sends, for a fallback.
                self.local.record(delay);
                let slot = Duration::from_micros(u64::try_from(slot).unwrap_or(0));
                Ok(Some(Ok(Reservation {
                    delay,
                    source: Source::Redis { slot },
                })))
            }
            _ => Ok(None),
        }
    }

    /// Keeps the members count, paces the local budget at this member's share of the
    /// fallback's limit, and logs a lowered limit once.
    fn learn(&self, members: u32, lowered: bool) {
        if self.members.swap(members, Ordering::Relaxed) != members
            && let Some(limit) = self.config.fallback.requests_per_minute_limit()
        {
            self.local.set_requests_per_minute(Some(limit / members));
        }
        if lowered && !self.limit_lowered.swap(true, Ordering::Relaxed) {
            log::warn!(
                target: "droplet_action",
                "request budget: another member of the fleet has a lower limit for one of \
                 this member's windows ({}); this member obeys it",
                self.member_windows
            );
        }
    }

    fn gave_up(&self, id: String) {
        let mut given_up = lock(&self.given_up);
        if given_up.len() >= MAX_GIVEN_UP {
            given_up.remove(0);
        }
        given_up.push(id);
    }

    /// Gives back every reservation whose answer never came (see [`RELEASE_SCRIPT`]).
    fn give_back(&self, connection: &mut redis::Connection) -> redis::RedisResult<()> {
        let ids = std::mem::take(&mut *lock(&self.given_up));
        for (n, id) in ids.iter().enumerate() {
            let mut invocation = self.release_script.prepare_invoke();
            invocation.key(&self.given_up_key);
            for key in &self.window_keys {
                invocation.key(key);
            }
            invocation.arg(id).arg(MAX_HOLD.as_millis() as u64);
            if let Err(error) = invocation.invoke::<i64>(connection) {
                lock(&self.given_up).extend(ids[n..].iter().cloned());
                return Err(error);
            }
        }
        Ok(())
    }

    /// Holds every process's reservations for `hold`.
    fn hold(&self, hold: Duration) {
        let _ = self.with_connection(|connection| {
            self.hold_script
                .key(&self.state_key)
                .arg(micros(hold))
                .invoke::<i64>(connection)
        });
    }
}

impl RequestBudget for RedisBudget {
    fn try_reserve(&self, max_wait: Duration) -> Result<Duration, Duration> {
        self.reserve(max_wait).map(|reservation| reservation.delay)
    }

    /// Teaches the local budget, and holds every process's reservations after a 429 with
    /// `retry-after` or while `ratelimit-remaining` is 0 (until `ratelimit-reset`).
    fn observe(&self, meta: &ResponseMeta) {
        let unix_now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |since| {
                i64::try_from(since.as_secs()).unwrap_or(i64::MAX)
            });
        self.local.observe(meta);
        let retry_after = (meta.status == 429)
            .then_some(meta.retry_after)
            .flatten()
            .map(|retry_after| retry_after.delay_from(jiff::Timestamp::now()));
        let until_reset = meta
            .rate_limit
            .filter(|limit| limit.remaining <= 0)
            .map(|limit| {
                let seconds = u64::try_from(limit.reset.saturating_sub(unix_now)).unwrap_or(0);
                Duration::from_secs(seconds.min(MAX_HOLD.as_secs())) + self.config.margin
            });
        let hold = retry_after
            .max(until_reset)
            .unwrap_or_default()
            .min(MAX_HOLD);
        if !hold.is_zero() {
            self.hold(hold);
        }
    }
}

/// SHA-256 (lowercase hex) of `droplet-action budget`, a zero byte, the token, a zero byte
/// and the origin.
fn token_hash(token: &Token, origin: &str) -> String {
    let authorization = token.authorization().as_bytes();
    let secret = authorization
        .strip_prefix(b"Bearer ")
        .unwrap_or(authorization);
    let digest = Sha256::new()
        .chain_update(b"droplet-action budget\0")
        .chain_update(secret)
        .chain_update(b"\0")
        .chain_update(origin.trim_end_matches('/').as_bytes())
        .finalize();
    digest.iter().map(|byte| format!("{byte:02x}")).collect()
}

fn micros(duration: Duration) -> u64 {
    u64::try_from(duration.as_micros()).unwrap_or(u64::MAX)
}

/// A poisoned lock still holds consistent state: every update under it is a plain store.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
