//! `droplet-action-mock`: serves the mock API on loopback until SIGTERM or SIGINT.

use std::io::Write;
use std::process::ExitCode;

use std::path::PathBuf;

use droplet_action_mock::{DEFAULT_TOKEN, MockServer, RateLimit, STATS_PATH, scenario};

const USAGE: &str = "\
Usage: droplet-action-mock [--port PORT] [--token TOKEN]... [--tls [--ca-out FILE]]
                           [--rate-limit[=PER_MINUTE/PER_HOUR]] [--time-scale SCALE]

Serves DigitalOcean's Retrieve a Droplet Action (GET /v2/droplets/{droplet_id}/actions/{action_id})
and its failures on 127.0.0.1, until SIGTERM or SIGINT. The first line on standard output is
`listening on http://127.0.0.1:PORT` (https with --tls).

Options:
  --port PORT         port to listen on (default 0: a free one)
  --token TOKEN       bearer token to accept (default mock-token); give it again to accept more
  --tls               serve HTTPS, with a certificate for 127.0.0.1 and localhost signed by a
                      CA made at start
  --ca-out FILE       with --tls: write that CA as PEM to FILE before the first line
  --rate-limit        play DigitalOcean's rate limit per token: 250 requests a rolling minute,
                      5000 a rolling hour, 429 with retry-after past them;
                      --rate-limit=PER_MINUTE/PER_HOUR chooses other numbers
  --time-scale SCALE  run the mock's clock SCALE times faster (default 1; 60: an hour lasts a
                      minute): rate-limit windows and timed scenarios; announced seconds are real
  --help              print this help
";

struct Options {
    port: u16,
    tokens: Vec<String>,
    tls: bool,
    ca_out: Option<PathBuf>,
    rate_limit: Option<RateLimit>,
    time_scale: f64,
}

fn parse_rate_limit(value: &str) -> Result<RateLimit, String> {
    let wrong =
        || format!("--rate-limit wants PER_MINUTE/PER_HOUR, both at least 1, not {value:?}");
    let (minute, hour) = value.split_once('/').ok_or_else(wrong)?;
    let limit = RateLimit {
        per_minute: minute.parse().map_err(|_| wrong())?,
        per_hour: hour.parse().map_err(|_| wrong())?,
    };
    if limit.per_minute == 0 || limit.per_hour == 0 {
        return Err(wrong());
    }
    Ok(limit)
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Option<Options>, String> {
    let mut options = Options {
        port: 0,
        tokens: Vec::new(),
        tls: false,
        ca_out: None,
        rate_limit: None,
        time_scale: 1.0,
    };
    while let Some(arg) = args.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((name, value)) => (name.to_owned(), Some(value.to_owned())),
            None => (arg, None),
        };
        match name.as_str() {
            "-h" | "--help" => return Ok(None),
            "--tls" if inline.is_some() => {
                return Err(format!("{name} takes no value"));
            }
            "--tls" => options.tls = true,
            "--rate-limit" => {
                options.rate_limit = Some(match inline {
                    Some(value) => parse_rate_limit(&value)?,
                    None => RateLimit::DIGITALOCEAN,
                });
            }
            "--port" | "--token" | "--ca-out" | "--time-scale" => {
                let value = inline
                    .or_else(|| args.next())
                    .ok_or_else(|| format!("{name} needs a value"))?;
                match name.as_str() {
                    "--port" => {
                        options.port = value.parse().map_err(|_| {
                            format!("--port wants a number from 0 to 65535, not {value:?}")
                        })?;
                    }
                    "--token" => options.tokens.push(value),
                    "--ca-out" => options.ca_out = Some(PathBuf::from(value)),
                    _ => {
                        options.time_scale = value
                            .parse()
                            .ok()
                            .filter(|s: &f64| s.is_finite() && (0.001..=1_000_000.0).contains(s))
                            .ok_or_else(|| {
                                format!(
                                    "--time-scale wants a number from 0.001 to 1000000, not {value:?}"
                                )
                            })?;
                    }
                }
            }
            _ => return Err(format!("unknown argument {name:?}")),
        }
    }
    if options.ca_out.is_some() && !options.tls {
        return Err("--ca-out needs --tls".to_owned());
    }
    if options.tokens.is_empty() {
        options.tokens.push(DEFAULT_TOKEN.to_owned());
    }
    Ok(Some(options))
}

fn main() -> ExitCode {
    let options = match parse_args(std::env::args().skip(1)) {
        Ok(Some(options)) => options,
        Ok(None) => {
            // A reader that went away (`| head`) ends the help, not the process with a panic.
            let written = write!(
                std::io::stdout(),
                "{USAGE}\nScenarios (chosen by the ids in the path):\n{}\n\
                 GET {STATS_PATH} answers the request and 429 counters as JSON.\n",
                scenario::TABLE
            );
            return match written.and_then(|()| std::io::stdout().flush()) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("droplet-action-mock: {e}");
                    ExitCode::FAILURE
                }
            };
        }
        Err(message) => {
            eprintln!("droplet-action-mock: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match serve(&options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("droplet-action-mock: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The server of the binary: it records nothing, so its memory stays flat however long it
/// serves.
fn start(options: &Options) -> std::io::Result<MockServer> {
    let mut builder = MockServer::builder()
        .port(options.port)
        .token(&options.tokens[0])
        .record_requests(false)
        .time_scale(options.time_scale);
    for token in &options.tokens[1..] {
        builder = builder.also_accept(token);
    }
    if options.tls {
        builder = builder.tls();
    }
    if let Some(limit) = options.rate_limit {
        builder = builder.rate_limit(limit);
    }
    let server = builder.start()?;
    if let (Some(path), Some(pem)) = (&options.ca_out, server.ca_pem()) {
        std::fs::write(path, pem).map_err(|e| {
            std::io::Error::new(e.kind(), format!("writing {}: {e}", path.display()))
        })?;
    }
    Ok(server)
}

#[cfg(unix)]
fn serve(options: &Options) -> std::io::Result<()> {
    use signal_hook::consts::{SIGINT, SIGTERM};
    use signal_hook::iterator::Signals;

    // Registered before the line is printed, so a signal sent right after it is caught.
    let mut signals = Signals::new([SIGTERM, SIGINT])?;
    let server = start(options)?;
    announce(&server)?;
    let _ = signals.forever().next();
    drop(server);
    Ok(())
}

#[cfg(not(unix))]
fn serve(options: &Options) -> std::io::Result<()> {
    let server = start(options)?;
    announce(&server)?;
    loop {
        std::thread::park();
    }
}

fn announce(server: &MockServer) -> std::io::Result<()> {
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "listening on {}", server.base_url())?;
    stdout.flush()
}
