//! One full `get` against the mock server on a kept-alive connection:
//! request, answer, parse.
//!
//! Run with `cargo bench -p droplet-action-transport --bench get`.

use droplet_action_mock::MockServer;
use droplet_action_mock::scenario::{DOCUMENTED_ACTION, DOCUMENTED_DROPLET};
use droplet_action_transport::Client;

fn main() {
    divan::main();
}

/// Sequential calls on one client, so one kept-alive connection.
#[divan::bench(sample_count = 100, sample_size = 20)]
fn get_keep_alive(bencher: divan::Bencher<'_, '_>) {
    let server = MockServer::start().expect("the mock server starts");
    let client = Client::builder()
        .token(droplet_action_mock::DEFAULT_TOKEN)
        .base_url(server.base_url())
        .build()
        .expect("the client builds");
    client
        .get(DOCUMENTED_DROPLET, DOCUMENTED_ACTION)
        .expect("the first call connects");
    bencher.bench_local(|| {
        let answer = client
            .get(DOCUMENTED_DROPLET, DOCUMENTED_ACTION)
            .expect("the call succeeds");
        assert_eq!(answer.action.id, Some(DOCUMENTED_ACTION));
        answer
    });
}
