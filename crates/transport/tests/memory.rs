//! The body cap keeps memory bounded even when the server streams far more.
//! (Its own test binary, so no other test's allocations are counted.)

use droplet_action_mock::{DEFAULT_TOKEN, MockServer};
use droplet_action_transport::{Client, Error};

fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

#[test]
fn a_sixteen_mib_body_fails_with_memory_bounded_by_the_cap() {
    let server = MockServer::start().unwrap();
    let client = Client::builder()
        .token(DEFAULT_TOKEN)
        .base_url(server.base_url())
        .max_retries(0)
        .build()
        .unwrap();
    client.get(3164444, 36804636).unwrap();
    let before = peak_rss_kib();
    let error = client.get(40, 900700).unwrap_err();
    assert!(
        matches!(error, Error::BodyTooLarge { limit: 4194304, .. }),
        "{error:?}"
    );
    let grown = peak_rss_kib() - before;
    // The default cap is 4 MiB; the server sent 16 MiB. Reading to the cap may double a
    // buffer once, so the peak can grow by up to about twice the cap, never by the body.
    assert!(grown < 10 * 1024, "peak RSS grew by {grown} KiB");
}
