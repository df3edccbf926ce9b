//! Retrieves one droplet action and prints it as JSON.
//!
//! ```sh
//! cargo run --example get_action -- 3164444 36804636          # one call
//! cargo run --example get_action -- 3164444 36804636 --wait   # until it finishes
//! ```
//!
//! With `DIGITALOCEAN_ACCESS_TOKEN` (or `DIGITALOCEAN_TOKEN`) set, it calls the API at
//! `DIGITALOCEAN_API_URL` (default `https://api.digitalocean.com`). With no token, it starts
//! the bundled mock server on 127.0.0.1 and calls that instead.

use std::process::ExitCode;
use std::time::Duration;

use droplet_action_mock::{DEFAULT_TOKEN, MockServer};
use droplet_action_transport::{Client, Error, WaitOptions, model::Action};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let wait = args.iter().any(|a| a == "--wait");
    let ids: Vec<&String> = args.iter().filter(|a| *a != "--wait").collect();
    let (Some(droplet_id), Some(action_id), 2) = (
        ids.first().and_then(|s| s.parse::<i64>().ok()),
        ids.get(1).and_then(|s| s.parse::<i64>().ok()),
        ids.len(),
    ) else {
        eprintln!("usage: get_action <droplet_id> <action_id> [--wait]");
        return ExitCode::from(2);
    };

    let has_token = Client::builder_from_env().build().is_ok();
    // Kept alive until the end of main when it is used.
    let mut mock = None;
    let client = if has_token {
        Client::from_env()
    } else {
        let server = match MockServer::start() {
            Ok(server) => server,
            Err(error) => {
                eprintln!("cannot start the mock server: {error}");
                return ExitCode::FAILURE;
            }
        };
        eprintln!(
            "no DIGITALOCEAN_ACCESS_TOKEN set: using the bundled mock server at {}",
            server.base_url()
        );
        let client = Client::builder()
            .token(DEFAULT_TOKEN)
            .base_url(server.base_url())
            .build();
        mock = Some(server);
        client
    };
    let client = match client {
        Ok(client) => client,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::from(2);
        }
    };

    let result = if wait {
        let options =
            WaitOptions::new(Duration::from_secs(600)).poll_interval(Duration::from_secs(2));
        client.wait_for_droplet_action(droplet_id, action_id, options)
    } else {
        client.get_droplet_action(droplet_id, action_id)
    };
    drop(mock);
    match result {
        Ok(answer) => {
            print_action(&answer.action);
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: {error}");
            if let Error::ActionErrored { answer } = &error {
                print_action(&answer.action);
            }
            if let Some(request_id) = error.request_id() {
                eprintln!("request id: {request_id}");
            }
            ExitCode::FAILURE
        }
    }
}

fn print_action(action: &Action) {
    let json = serde_json::json!({ "action": action });
    println!(
        "{}",
        serde_json::to_string_pretty(&json).expect("an action always serializes")
    );
}
