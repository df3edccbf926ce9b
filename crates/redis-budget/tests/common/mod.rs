//! What the Redis budget's tests share: a real `redis-server` on 127.0.0.1.
#![allow(dead_code, unreachable_pub)]

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use droplet_action_model::Token;
use droplet_action_redis_budget::{RedisBudgetConfig, Source};

/// A `redis-server` on a free loopback port, without persistence, killed when dropped.
pub struct RedisServer {
    child: Child,
    port: u16,
}

impl RedisServer {
    pub fn start() -> Self {
        Self::start_on(free_port())
    }

    pub fn start_on(port: u16) -> Self {
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server must be installed (bash .ci/run installs it)");
        let server = Self { child, port };
        let deadline = Instant::now() + Duration::from_secs(10);
        while redis::Client::open(server.url())
            .and_then(|client| client.get_connection_with_timeout(Duration::from_secs(1)))
            .and_then(|mut connection| redis::cmd("PING").query::<String>(&mut connection))
            .is_err()
        {
            assert!(Instant::now() < deadline, "redis-server did not start");
            thread::sleep(Duration::from_millis(20));
        }
        server
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    pub fn connection(&self) -> redis::Connection {
        redis::Client::open(self.url())
            .unwrap()
            .get_connection()
            .unwrap()
    }

    /// Sends a signal (`STOP`, `CONT`) to the server.
    pub fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .arg(format!("-{name}"))
            .arg(self.child.id().to_string())
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// How many reservations a window key holds now.
    pub fn count(&self, key: &str) -> u64 {
        redis::cmd("ZCARD")
            .arg(key)
            .query(&mut self.connection())
            .unwrap()
    }

    /// The keys whose name holds `part`.
    pub fn keys_with(&self, part: &str) -> Vec<String> {
        self.keys()
            .into_iter()
            .filter(|key| key.contains(part))
            .collect()
    }

    pub fn keys(&self) -> Vec<String> {
        redis::cmd("KEYS")
            .arg("*")
            .query(&mut self.connection())
            .unwrap()
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port nothing listens on (for a moment).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub fn token(text: &str) -> Token {
    Token::new(text).unwrap()
}

/// Windows alone, without margin.
pub fn windows(pairs: &[(u32, Duration)]) -> RedisBudgetConfig {
    pairs
        .iter()
        .fold(
            RedisBudgetConfig::without_windows(),
            |config, &(limit, length)| config.window(limit, length),
        )
        .margin(Duration::ZERO)
}

pub fn redis_slot(source: Source) -> Duration {
    match source {
        Source::Redis { slot } => slot,
        Source::Local => panic!("the local budget answered: Redis was expected"),
    }
}
