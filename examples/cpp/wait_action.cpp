// Waits for a droplet action to finish, logging each request to stderr; Ctrl-C (SIGINT)
// cancels the wait at once.
//
//   DIGITALOCEAN_ACCESS_TOKEN=... ./wait_action DROPLET_ID ACTION_ID [POLL_INTERVAL_MS]
//
// DIGITALOCEAN_API_URL points it at another API, such as the bundled mock server.
// Exit status: 0 completed, 1 failed (errored, timed out, API error, ...), 2 usage or
// settings, 130 cancelled.
#include <droplet_action.hpp>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <string_view>

namespace {

// The token the signal handler triggers: a lock-free atomic, set before the handler is
// installed and cleared before the token goes away.
std::atomic<const droplet_cancel_token *> interrupt_token{nullptr};

extern "C" void on_interrupt(int) {
  droplet_cancel_token_cancel(interrupt_token.load());  // async-signal-safe
}

const char *level_name(droplet::Level level) {
  switch (level) {
    case droplet::Level::Error: return "error";
    case droplet::Level::Warn: return "warn";
    case droplet::Level::Info: return "info";
    case droplet::Level::Debug: return "debug";
  }
  return "?";
}

}  // namespace

int main(int argc, char **argv) {
  if (argc != 3 && argc != 4) {
    std::cerr << "usage: " << argv[0] << " DROPLET_ID ACTION_ID [POLL_INTERVAL_MS]\n";
    return 2;
  }
  const char *token = std::getenv("DIGITALOCEAN_ACCESS_TOKEN");
  if (token == nullptr) token = std::getenv("DIGITALOCEAN_TOKEN");
  if (token == nullptr) {
    std::cerr << "set DIGITALOCEAN_ACCESS_TOKEN (and DIGITALOCEAN_API_URL for a mock)\n";
    return 2;
  }
  const char *url = std::getenv("DIGITALOCEAN_API_URL");
  const std::chrono::milliseconds poll(argc == 4 ? std::atoll(argv[3]) : 3000);
  try {
    droplet::ClientBuilder builder;
    builder.token(token)
        .max_retries(3)
        .log([](droplet::Level level, std::string_view message) {
          std::cerr << level_name(level) << ": " << message << "\n";
        });
    if (url != nullptr) builder.base_url(url);
    const droplet::Client client = builder.build();

    droplet::CancelToken cancel;
    interrupt_token.store(cancel.raw());
    std::signal(SIGINT, on_interrupt);
    const droplet::CallOptions options =
        droplet::CallOptions().cancel(cancel).timeout(std::chrono::minutes(10)).poll_interval(poll);
    const droplet::Result result = client.wait(std::atoll(argv[1]), std::atoll(argv[2]), options);
    std::signal(SIGINT, SIG_DFL);
    interrupt_token.store(nullptr);

    switch (result.status()) {
      case droplet::Status::Ok:
        std::cout << "action " << result.action().id().value_or(0) << ": "
                  << result.action().status_text() << " after " << result.polls()
                  << " poll(s)\n";
        return 0;
      case droplet::Status::Cancelled:
        std::cerr << "cancelled\n";
        return 130;
      default:
        std::cerr << "error (" << droplet::to_string(result.status())
                  << "): " << result.error_message() << "\n";
        return 1;
    }
  } catch (const droplet::Error &error) {
    std::cerr << "error: " << error.what() << "\n";
    return 2;
  }
}
