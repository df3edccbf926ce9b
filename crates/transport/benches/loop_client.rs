//! N sequential `get` calls on one client, checking the id of every answer.
//! Driven by `benches/run.sh`; see `common/mod.rs` for the command line.

mod common;

use droplet_action_transport::Client;

fn main() {
    let args = common::args();
    let client = Client::builder()
        .token(common::TOKEN)
        .base_url(&args.base_url)
        .build()
        .expect("the client builds");
    let start = common::now();
    for call in 0..args.calls {
        let answer = client
            .get(args.droplet_id, args.action_id)
            .unwrap_or_else(|e| panic!("call {call}: {e}"));
        assert_eq!(answer.action.id, Some(args.action_id), "call {call}");
    }
    common::report(args.calls, start);
}
