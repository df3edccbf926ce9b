// droplet_action.hpp in a program built with -fno-exceptions: what returns values stays,
// a refused setting is kept until try_build reports it.
//
// usage: no_exceptions BASE_URL
// Prints one line per step; the test compares them all.
#include "droplet_action.hpp"

#include <chrono>
#include <cstdio>
#include <optional>
#include <string>

#if DROPLET_HPP_EXCEPTIONS
#error "this program must be built with -fno-exceptions"
#endif

int main(int argc, char **argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s BASE_URL\n", argv[0]);
    return 2;
  }
  const std::string base_url = argv[1];

  // The first refusal is kept: a NUL in the token, then a zero timeout the library refuses.
  std::optional<droplet::Client> refused = droplet::ClientBuilder()
                                               .token(std::string_view("a\0b", 3))
                                               .timeout(std::chrono::milliseconds(0))
                                               .try_build();
  std::printf("refused: %s (%s)\n", refused ? "built" : "not built",
              droplet::last_error_message().c_str());

  // The first refusal is still the reason when other builders built in between.
  droplet::ClientBuilder refusing;
  refusing.max_retries(-1);
  std::optional<droplet::Client> between =
      droplet::ClientBuilder().token("mock-token").base_url(base_url).try_build();
  std::optional<droplet::Client> late = refusing.try_build();
  std::printf("late: %s %s (%s)\n", between ? "built" : "not built", late ? "built" : "not built",
              droplet::last_error_message().c_str());

  std::optional<droplet::Client> client =
      droplet::ClientBuilder().token("mock-token").base_url(base_url).try_build();
  if (!client) return 1;
  const droplet::Result got = client->get(3164444, 36804636);
  std::printf("get: %s %s\n", std::string(droplet::to_string(got.status())).c_str(),
              std::string(got.action().type()).c_str());
  const droplet::Result missing = client->get(1, 900404);
  std::printf("missing: %s %u %s\n", std::string(droplet::to_string(missing.status())).c_str(),
              missing.http_status(), std::string(missing.error_id()).c_str());

  droplet::CancelToken token;
  token.cancel();
  const droplet::Result cancelled =
      client->wait(3164444, 36804636, droplet::CallOptions().cancel(token));
  std::printf("cancelled wait: %s\n",
              std::string(droplet::to_string(cancelled.status())).c_str());
  const droplet::Results many = client->wait_many({{3164444, 36804636}});
  std::printf("wait_many: %zu all_ok=%d\n", many.size(), many.all_ok() ? 1 : 0);

  const droplet::Request request =
      droplet::Request::try_build(base_url, "mock-token", 3164444, 36804636);
  std::printf("request: %s %s\n", std::string(request.method()).c_str(),
              request.url().substr(base_url.size()).data());
  const droplet::Request bad = droplet::Request::try_build(std::nullopt, "", 1, 2);
  std::printf("bad request: %s (%s)\n", bad ? "built" : "empty",
              droplet::last_error_message().c_str());
  const droplet::Result parsed = droplet::parse_response(404, {}, "{\"id\":\"not_found\"}");
  std::printf("parsed: %s %s\n", std::string(droplet::to_string(parsed.status())).c_str(),
              std::string(parsed.error_id()).c_str());
  std::optional<droplet::Client> from_env = droplet::Client::try_from_env();
  std::printf("from_env: %s\n", from_env ? "built" : "not built");
  return 0;
}
