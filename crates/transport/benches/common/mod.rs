//! What the loop benchmarks share: the command line, the clock, and the one line of results
//! `benches/run.sh` reads (the same as the C programs print).
//!
//! usage: `BENCH BASE_URL N [DROPLET_ID ACTION_ID]`. Without a base URL (as under
//! `cargo bench`), the mock server is started in the process and a short run is made.

use std::time::{Duration, Instant};

/// The token the mock server and the benchmark's nginx accept.
pub(crate) const TOKEN: &str = droplet_action_mock::DEFAULT_TOKEN;

/// What to call, and how many times.
pub(crate) struct Args {
    pub(crate) base_url: String,
    pub(crate) calls: u64,
    pub(crate) droplet_id: i64,
    pub(crate) action_id: i64,
    /// Keeps the in-process mock server alive when no base URL was given.
    _server: Option<droplet_action_mock::MockServer>,
}

/// Reads the command line, or starts the mock server when there is none.
pub(crate) fn args() -> Args {
    let given: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let (droplet_id, action_id) = match given.len() {
        4 => (parse(&given[2]), parse(&given[3])),
        _ => (
            droplet_action_mock::scenario::DOCUMENTED_DROPLET,
            droplet_action_mock::scenario::DOCUMENTED_ACTION,
        ),
    };
    if given.len() >= 2 {
        return Args {
            base_url: given[0].clone(),
            calls: parse(&given[1]),
            droplet_id,
            action_id,
            _server: None,
        };
    }
    let server = droplet_action_mock::MockServer::start().expect("the mock server starts");
    Args {
        base_url: server.base_url().to_owned(),
        calls: 2000,
        droplet_id,
        action_id,
        _server: Some(server),
    }
}

fn parse<T: std::str::FromStr>(text: &str) -> T {
    text.parse()
        .unwrap_or_else(|_| panic!("{text:?} is not a number"))
}

/// Wall time and CPU time at one moment.
pub(crate) struct Clock {
    wall: Instant,
    cpu: Duration,
}

fn usage() -> libc::rusage {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: `usage` is a writable rusage; getrusage fills it and cannot fail for SELF.
    unsafe {
        libc::getrusage(libc::RUSAGE_SELF, usage.as_mut_ptr());
        usage.assume_init()
    }
}

fn duration(tv: libc::timeval) -> Duration {
    Duration::new(tv.tv_sec as u64, tv.tv_usec as u32 * 1000)
}

/// Now.
pub(crate) fn now() -> Clock {
    let usage = usage();
    Clock {
        wall: Instant::now(),
        cpu: duration(usage.ru_utime) + duration(usage.ru_stime),
    }
}

/// Prints `calls=N wall_s=S cpu_us_per_call=U maxrss_kib=K`.
pub(crate) fn report(calls: u64, start: Clock) {
    let end = now();
    let wall = end.wall - start.wall;
    let cpu = end.cpu - start.cpu;
    println!(
        "calls={calls} wall_s={:.6} cpu_us_per_call={:.3} maxrss_kib={}",
        wall.as_secs_f64(),
        cpu.as_secs_f64() * 1e6 / calls as f64,
        usage().ru_maxrss
    );
}
