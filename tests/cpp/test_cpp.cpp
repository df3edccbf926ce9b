// The C++ interface, droplet_action.hpp, checked call by call against the mock server.
//
// usage: test_cpp BASE_URL DEAD_URL SCRATCH_DIR CANCEL_MARGIN_MS
//   BASE_URL          a running mock server (http://127.0.0.1:PORT), default token
//   DEAD_URL          a loopback URL where nothing listens
//   SCRATCH_DIR       a writable folder for the CA files this program makes
//   CANCEL_MARGIN_MS  how soon after its trigger a cancelled call must return
// Prints one line per failed check and ends with "N passed, M failed".
#include "droplet_action.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using droplet::ActionStatus;
using droplet::Level;
using droplet::Status;

namespace {

int passed = 0;
int failed = 0;

std::string base_url;
std::string dead_url;
std::string scratch_dir;
std::chrono::milliseconds cancel_margin(100);

// How a value is printed when a check fails.
std::string show(std::string_view s) { return "\"" + std::string(s) + "\""; }
std::string show(const std::string &s) { return show(std::string_view(s)); }
std::string show(bool b) { return b ? "true" : "false"; }
template <class T>
std::enable_if_t<std::is_integral<T>::value, std::string> show(T v) {
  return std::to_string(v);
}
std::string show(Status s) { return std::string(droplet::to_string(s)); }
std::string show(ActionStatus s) { return "ActionStatus " + std::to_string(static_cast<int>(s)); }
std::string show(Level l) { return "Level " + std::to_string(static_cast<int>(l)); }
std::string show(std::chrono::milliseconds ms) { return std::to_string(ms.count()) + " ms"; }
template <class T>
std::string show(const std::optional<T> &v) {
  return v ? "{" + show(*v) + "}" : "nullopt";
}
template <class T>
std::string show(const std::vector<T> &v) {
  std::string out = "[";
  for (const T &item : v) out += (out.size() > 1 ? ", " : "") + show(item);
  return out + "]";
}

void record(bool ok, const char *file, int line, const std::string &what) {
  if (ok) {
    ++passed;
  } else {
    ++failed;
    std::fprintf(stderr, "%s:%d: %s\n", file, line, what.c_str());
  }
}

template <class A, class E>
void check_eq(const A &actual, const E &expected, const char *text, const char *file,
              int line) {
  const A want = static_cast<A>(expected);
  const bool ok = actual == want;
  record(ok, file, line,
         ok ? std::string()
            : std::string(text) + " is " + show(actual) + ", expected " + show(want));
}

#define CHECK(cond) record((cond), __FILE__, __LINE__, "check failed: " #cond)
#define CHECK_EQ(actual, expected) check_eq((actual), (expected), #actual, __FILE__, __LINE__)

// Runs `body`, which must throw droplet::Error; returns it (status Panic if nothing was
// thrown, so that the checks on it fail).
template <class F>
droplet::Error caught(F body, const char *file, int line) {
  try {
    body();
  } catch (const droplet::Error &error) {
    record(true, file, line, "");
    return error;
  }
  record(false, file, line, "no droplet::Error was thrown");
  return droplet::Error(Status::Panic, "nothing thrown");
}
#define CAUGHT(...) caught([&] { (void)(__VA_ARGS__); }, __FILE__, __LINE__)

constexpr std::int64_t kDroplet = 3164444;
constexpr std::int64_t kAction = 36804636;
constexpr std::string_view kPath = "/v2/droplets/3164444/actions/36804636";
// The documented action's "started_at" and "completed_at" as Unix seconds.
constexpr std::int64_t kStartedUnix = 1605371361;
constexpr std::int64_t kCompletedUnix = 1605371406;

// A self-signed CA certificate (public part only), for ca_file.
constexpr const char *kCaPem =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBmDCCAT+gAwIBAgIUZClM2pI1/GAKrglqvgdLWGFzOhQwCgYIKoZIzj0EAwIw\n"
    "ITEfMB0GA1UEAwwWZHJvcGxldC1hY3Rpb24tdGVzdC1jYTAgFw0yNjExMjcxNDAy\n"
    "MTdaGA8yMTI2MTEwMzE0MDIxN1owITEfMB0GA1UEAwwWZHJvcGxldC1hY3Rpb24t\n"
    "dGVzdC1jYTBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABKdnOTlTxETmnwP4Hauo\n"
    "BuyF5EbpRtlC4OY9ZKEqume2DotRorCWBqzA2m8zRK2bBMmOZ+mUqJHZR5ty6EXo\n"
    "B7ajUzBRMB0GA1UdDgQWBBTLapYgR4R9rvwaXyCcs4paEVlZeTAfBgNVHSMEGDAW\n"
    "gBTLapYgR4R9rvwaXyCcs4paEVlZeTAPBgNVHRMBAf8EBTADAQH/MAoGCCqGSM49\n"
    "BAMCA0cAMEQCIDD4fWKdYR+0LODhFFcUJAahJowpbGCNsqSBGlYRAxpyAiBpcrx5\n"
    "wXlpV4D+BPTwK8C0Ek6djI+nLexqRaEXt+wilA==\n"
    "-----END CERTIFICATE-----\n";

droplet::ClientBuilder mock_builder() {
  droplet::ClientBuilder builder;
  builder.token("mock-token").base_url(base_url).timeout(5s).max_retries(2).backoff(10ms, 50ms);
  return builder;
}

droplet::Client mock_client() { return mock_builder().build(); }

// A log function that keeps every event, from any thread.
struct LogSink {
  std::mutex mutex;
  std::vector<std::pair<Level, std::string>> events;

  droplet::LogFunction function() {
    return [this](Level level, std::string_view message) {
      std::lock_guard<std::mutex> lock(mutex);
      events.emplace_back(level, std::string(message));
    };
  }
  std::vector<std::pair<Level, std::string>> take() {
    std::lock_guard<std::mutex> lock(mutex);
    return std::exchange(events, {});
  }
};

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

std::string write_file(const std::string &name, std::string_view contents) {
  const std::string path = scratch_dir + "/" + name;
  std::ofstream(path, std::ios::binary | std::ios::trunc) << contents;
  return path;
}

// Every field of the documented action, as the API's documentation shows it.
void check_documented_action(const droplet::Action &a) {
  CHECK_EQ(a.id(), kAction);
  CHECK_EQ(a.status(), ActionStatus::Completed);
  CHECK_EQ(a.status_text(), "completed");
  CHECK_EQ(a.type(), "create");
  CHECK_EQ(a.resource_type(), "droplet");
  CHECK_EQ(a.resource_id(), kDroplet);
  CHECK_EQ(a.region_slug(), "nyc3");
  CHECK_EQ(a.started_at(), "2020-11-14T16:29:21Z");
  CHECK_EQ(a.started_at_unix(), kStartedUnix);
  CHECK_EQ(a.completed_at(), "2020-11-14T16:30:06Z");
  CHECK_EQ(a.completed_at_unix(), kCompletedUnix);
  const std::optional<droplet::Region> region = a.region();
  CHECK(region.has_value());
  if (!region) return;
  CHECK_EQ(region->name(), "New York 3");
  CHECK_EQ(region->slug(), "nyc3");
  CHECK_EQ(region->sizes(), (std::vector<std::string_view>{"s-1vcpu-1gb", "s-1vcpu-2gb",
                                                             "s-1vcpu-3gb", "s-2vcpu-2gb",
                                                             "s-3vcpu-1gb", "s-2vcpu-4gb",
                                                             "s-4vcpu-8gb", "s-6vcpu-16gb",
                                                             "s-8vcpu-32gb", "s-12vcpu-48gb",
                                                             "s-16vcpu-64gb", "s-20vcpu-96gb",
                                                             "s-24vcpu-128gb",
                                                             "s-32vcpu-192g"}));
  CHECK_EQ(region->features(),
           (std::vector<std::string_view>{"private_networking", "backups", "ipv6", "metadata",
                                          "install_agent", "storage", "image_transfer"}));
  CHECK_EQ(region->available(), true);
  CHECK(&region->raw() == a.raw().region);
}

// Two views of one action hold the same values.
void check_same_action(const droplet::Action &a, const droplet::Action &b) {
  CHECK_EQ(a.id(), b.id());
  CHECK_EQ(a.status(), b.status());
  CHECK_EQ(a.status_text(), b.status_text());
  CHECK_EQ(a.type(), b.type());
  CHECK_EQ(a.resource_type(), b.resource_type());
  CHECK_EQ(a.resource_id(), b.resource_id());
  CHECK_EQ(a.region_slug(), b.region_slug());
  CHECK_EQ(a.started_at(), b.started_at());
  CHECK_EQ(a.started_at_unix(), b.started_at_unix());
  CHECK_EQ(a.completed_at(), b.completed_at());
  CHECK_EQ(a.completed_at_unix(), b.completed_at_unix());
  CHECK(a.region().has_value() && b.region().has_value());
  if (!a.region() || !b.region()) return;
  CHECK_EQ(a.region()->name(), b.region()->name());
  CHECK_EQ(a.region()->slug(), b.region()->slug());
  CHECK_EQ(a.region()->sizes(), b.region()->sizes());
  CHECK_EQ(a.region()->features(), b.region()->features());
  CHECK_EQ(a.region()->available(), b.region()->available());
}

// ---------------------------------------------------------------------------------------

void test_types_are_move_only_and_statuses_match_the_c_header() {
  static_assert(!std::is_copy_constructible<droplet::Client>::value, "");
  static_assert(!std::is_copy_assignable<droplet::Client>::value, "");
  static_assert(!std::is_copy_constructible<droplet::ClientBuilder>::value, "");
  static_assert(!std::is_copy_constructible<droplet::CancelToken>::value, "");
  static_assert(!std::is_copy_constructible<droplet::Result>::value, "");
  static_assert(!std::is_copy_constructible<droplet::Request>::value, "");
  static_assert(std::is_nothrow_move_assignable<droplet::Client>::value, "");
  static_assert(std::is_nothrow_move_assignable<droplet::ClientBuilder>::value, "");
  static_assert(std::is_nothrow_move_assignable<droplet::CancelToken>::value, "");
  static_assert(std::is_nothrow_move_assignable<droplet::Result>::value, "");
  static_assert(std::is_nothrow_move_assignable<droplet::Request>::value, "");
  static_assert(std::is_nothrow_copy_constructible<droplet::Error>::value, "");
  static_assert(std::is_base_of<std::runtime_error, droplet::Error>::value, "");
  static_assert(noexcept(std::declval<const droplet::Client &>().get(1, 2)), "");
  static_assert(noexcept(std::declval<const droplet::Client &>().wait(
                    1, 2, std::declval<std::chrono::milliseconds>())),
                "");
  static_assert(noexcept(std::declval<const droplet::CancelToken &>().cancel()), "");
  static_assert(static_cast<std::uint32_t>(Status::Ok) == DROPLET_STATUS_OK, "");
  static_assert(static_cast<std::uint32_t>(Status::ApiError) == DROPLET_STATUS_API_ERROR, "");
  static_assert(static_cast<std::uint32_t>(Status::Cancelled) == DROPLET_STATUS_CANCELLED, "");
  static_assert(static_cast<std::uint32_t>(ActionStatus::Errored) ==
                    DROPLET_ACTION_STATUS_ERRORED,
                "");

  CHECK_EQ(droplet::version(), "0.1.0");
  CHECK_EQ(droplet::to_string(Status::Ok), "ok");
  CHECK_EQ(droplet::to_string(Status::InvalidArgument), "invalid argument");
  CHECK_EQ(droplet::to_string(Status::Transport), "transport error");
  CHECK_EQ(droplet::to_string(Status::Timeout), "timeout");
  CHECK_EQ(droplet::to_string(Status::ApiError), "API error");
  CHECK_EQ(droplet::to_string(Status::Decode), "decode error");
  CHECK_EQ(droplet::to_string(Status::BodyTooLarge), "body too large");
  CHECK_EQ(droplet::to_string(Status::ActionErrored), "action errored");
  CHECK_EQ(droplet::to_string(Status::Panic), "internal panic");
  CHECK_EQ(droplet::to_string(Status::Cancelled), "cancelled");
  CHECK_EQ(droplet::to_string(static_cast<Status>(77)), "unknown status");
}

void test_get_returns_every_field_of_the_documented_action() {
  droplet::Client client = mock_client();
  droplet::Result r = client.get(kDroplet, kAction);
  CHECK(r.ok());
  CHECK_EQ(r.status(), Status::Ok);
  CHECK_EQ(r.http_status(), 200);
  CHECK_EQ(r.attempts(), 1);
  CHECK_EQ(r.polls(), 0);
  CHECK(r.has_action());
  check_documented_action(r.action());
  CHECK_EQ(r.error_message(), "");
  CHECK(r.error_message().data() == nullptr);
  CHECK(r.error_id().data() == nullptr);
  CHECK_EQ(r.request_id().size(), 36);
  CHECK_EQ(r.raw_body().size(), 903);
  CHECK(starts_with(r.raw_body(), "{\n  \"action\": {"));
  CHECK(r.raw_body().data() == r.raw().raw_body);
  const std::optional<droplet::RateLimit> limit = r.rate_limit();
  CHECK(limit.has_value());
  CHECK_EQ(limit ? limit->limit : 0, 5000);
  CHECK(limit && limit->reset > 1600000000);

  // The next answer of the same server has one request less left, and a new request id.
  droplet::Result again = client.get(kDroplet, kAction);
  CHECK_EQ(again.rate_limit() ? again.rate_limit()->remaining : 0,
           limit ? limit->remaining - 1 : -1);
  CHECK_EQ(again.rate_limit() ? again.rate_limit()->reset : 0, limit ? limit->reset : -1);
  CHECK(again.request_id() != r.request_id());
  CHECK_EQ(again.raw_body(), r.raw_body());
}

void test_api_error_is_a_value_with_every_field() {
  droplet::Client client = mock_client();
  droplet::Result r = client.get(1, 2);
  CHECK(!r.ok());
  CHECK_EQ(r.status(), Status::ApiError);
  CHECK_EQ(r.http_status(), 404);
  CHECK_EQ(r.attempts(), 1);
  CHECK_EQ(r.error_id(), "not_found");
  CHECK_EQ(r.error_message(),
           "HTTP 404 Not Found: not_found: The resource you requested could not be found. "
           "(request id " +
               std::string(r.request_id()) + ")");
  CHECK_EQ(r.request_id().size(), 36);
  CHECK(r.raw_body().find(r.request_id()) != std::string_view::npos);
  CHECK(r.raw_body().find("\"id\":\"not_found\"") != std::string_view::npos);
  CHECK(r.rate_limit().has_value());
  CHECK(!r.has_action());
  bool threw = false;
  try {
    (void)r.action();
  } catch (const std::logic_error &) {
    threw = true;
  }
  CHECK(threw);

  // Refused before sending.
  droplet::Result bad = client.get(0, 1);
  CHECK_EQ(bad.status(), Status::InvalidArgument);
  CHECK_EQ(bad.attempts(), 0);
  CHECK_EQ(bad.http_status(), 0);
  CHECK_EQ(bad.error_message(), "invalid argument: invalid droplet id: 0 (ids are integers >= 1)");
  CHECK(bad.raw_body().empty());
  CHECK(!bad.rate_limit().has_value());
}

void test_get_or_throw_throws_an_error_with_the_same_fields() {
  droplet::Client client = mock_client();
  droplet::Result r = client.get_or_throw(kDroplet, kAction);
  CHECK(r.ok());
  check_documented_action(r.action());

  const droplet::Error e = CAUGHT(client.get_or_throw(1, 2));
  CHECK_EQ(e.status(), Status::ApiError);
  CHECK_EQ(std::string_view(e.what()),
           "HTTP 404 Not Found: not_found: The resource you requested could not be found. "
           "(request id " +
               std::string(e.request_id()) + ")");
  CHECK_EQ(e.error_message(), std::string_view(e.what()));
  CHECK_EQ(e.http_status(), 404);
  CHECK_EQ(e.attempts(), 1);
  CHECK_EQ(e.polls(), 0);
  CHECK_EQ(e.error_id(), "not_found");
  CHECK_EQ(e.request_id().size(), 36);
  CHECK(e.raw_body().find("not_found") != std::string_view::npos);
  CHECK(e.rate_limit().has_value());
  CHECK(!e.has_action());
  CHECK(e.result() != nullptr);
  CHECK_EQ(e.result() ? e.result()->status() : Status::Ok, Status::ApiError);

  // Copies share the result: the views of the copy stay valid after the original is gone.
  std::optional<droplet::Error> copy;
  {
    const droplet::Error original = CAUGHT(client.get_or_throw(1, 3));
    copy.emplace(original);
  }
  CHECK_EQ(copy->error_id(), "not_found");
  CHECK_EQ(copy->http_status(), 404);

  // With options: a token triggered before the call.
  droplet::CancelToken token;
  token.cancel();
  const droplet::Error cancelled =
      CAUGHT(client.get_or_throw(kDroplet, kAction, droplet::CallOptions().cancel(token)));
  CHECK_EQ(cancelled.status(), Status::Cancelled);
  CHECK_EQ(cancelled.attempts(), 0);
  CHECK_EQ(std::string_view(cancelled.what()), "the call was cancelled after 0 attempt(s)");
  CHECK(client.get_or_throw(kDroplet, kAction, droplet::CallOptions().timeout(5s)).ok());
}

void test_builder_settings_are_applied() {
  // Every setting accepted, and the client works.
  const std::string ca = write_file("ca.pem", kCaPem);
  droplet::Client client = droplet::ClientBuilder()
                               .token("mock-token")
                               .base_url(base_url)
                               .timeout(5s)
                               .connect_timeout(2s)
                               .max_retries(1)
                               .backoff(10ms, 20ms)
                               .body_limit(4096)
                               .user_agent("droplet-cpp-test/1.0")
                               .allow_insecure_http(false)
                               .ca_file(ca)
                               .build();
  CHECK_EQ(droplet::last_error_message(), "");
  droplet::Result r = client.get(kDroplet, kAction);
  CHECK(r.ok());
  check_documented_action(r.action());

  // The body limit: the documented answer is 903 bytes.
  droplet::Client small = mock_builder().body_limit(100).build();
  droplet::Result too_large = small.get(kDroplet, kAction);
  CHECK_EQ(too_large.status(), Status::BodyTooLarge);
  CHECK_EQ(too_large.http_status(), 200);
  CHECK(!too_large.has_action());

  // Retries: 500 twice, then 200; with no retries the first 500 is the answer.
  droplet::Client no_retries = mock_builder().max_retries(0).build();
  droplet::Result once = no_retries.get(7001, 900500);
  CHECK_EQ(once.status(), Status::ApiError);
  CHECK_EQ(once.http_status(), 500);
  CHECK_EQ(once.error_id(), "server_error");
  CHECK_EQ(once.attempts(), 1);
  droplet::Result thrice = mock_client().get(7002, 900500);
  CHECK(thrice.ok());
  CHECK_EQ(thrice.attempts(), 3);

  // The per-attempt timeout: an answer 3 s late.
  droplet::Client hasty = mock_builder().timeout(200ms).max_retries(0).build();
  const Clock::time_point started = Clock::now();
  droplet::Result late = hasty.get(3000, 900800);
  CHECK_EQ(late.status(), Status::Timeout);
  CHECK_EQ(late.attempts(), 1);
  CHECK(Clock::now() - started < 2500ms);

  // A proxy where nothing listens: every request goes through it, so it fails.
  droplet::Client proxied = mock_builder().proxy(dead_url).max_retries(0).build();
  droplet::Result refused = proxied.get(kDroplet, kAction);
  CHECK_EQ(refused.status(), Status::Transport);
  CHECK_EQ(refused.attempts(), 1);
  CHECK_EQ(refused.http_status(), 0);
  // The environment's proxy replaces it, and NO_PROXY keeps the mock off the dead one.
  setenv("http_proxy", dead_url.c_str(), 1);
  setenv("NO_PROXY", "127.0.0.1", 1);
  CHECK(mock_builder().proxy(dead_url).proxy_from_env().build().get(kDroplet, kAction).ok());
  unsetenv("NO_PROXY");
  CHECK_EQ(mock_builder().proxy_from_env().max_retries(0).build().get(kDroplet, kAction).status(),
           Status::Transport);
  CHECK(mock_builder().proxy_from_env().proxy_from_env(false).build().get(kDroplet, kAction).ok());
  unsetenv("http_proxy");

  // Plain http to a remote host needs permission; nothing is sent by building.
  const droplet::Error remote = CAUGHT(
      droplet::ClientBuilder().token("mock-token").base_url("http://example.com").build());
  CHECK_EQ(remote.status(), Status::InvalidArgument);
  CHECK_EQ(std::string_view(remote.what()),
           "build: invalid argument: refusing plain http to example.com: the token would travel "
           "unencrypted (use https, or allow insecure http explicitly)");
  droplet::Client insecure = droplet::ClientBuilder()
                                 .token("mock-token")
                                 .base_url("http://example.com")
                                 .allow_insecure_http()
                                 .build();
  CHECK(insecure.raw() != nullptr);
}

void test_builder_refusals_throw_with_the_reason() {
  const auto reason = [](const droplet::Error &e) { return std::string_view(e.what()); };
  droplet::ClientBuilder b;
  droplet::Error e = CAUGHT(b.token(""));
  CHECK_EQ(e.status(), Status::InvalidArgument);
  CHECK_EQ(reason(e), "token: the API token is empty");
  CHECK(e.result() == nullptr);
  CHECK_EQ(e.http_status(), 0);
  CHECK(!e.has_action());
  e = CAUGHT(b.token("a b"));
  CHECK_EQ(reason(e), "token: the API token holds a character that is not printable ASCII");
  e = CAUGHT(b.token(std::string_view("mock\0token", 10)));
  CHECK_EQ(reason(e), "token: the string holds a NUL byte");
  e = CAUGHT(b.base_url("ftp://127.0.0.1"));
  CHECK_EQ(reason(e),
           "base_url: invalid base URL \"ftp://127.0.0.1\": the scheme must be http or https");
  // A zero (or negative) duration or limit is the default, as in C: no refusal.
  CHECK(&b.timeout(0ms).timeout(-5ms).connect_timeout(0ms).body_limit(0) == &b);
  e = CAUGHT(b.backoff(500ms, 100ms));
  CHECK_EQ(reason(e), "backoff_ms: base 500 ms is above max 100 ms");
  e = CAUGHT(b.user_agent("a\nb"));
  CHECK_EQ(reason(e), "user_agent: the user agent holds a control character at byte 1: only printable ASCII and spaces are sent");
  e = CAUGHT(b.user_agent("caf\xc3\xa9/1"));
  CHECK_EQ(reason(e), "user_agent: the user agent holds a non-ASCII character at byte 3: only "
                      "printable ASCII and spaces are sent");
  e = CAUGHT(b.proxy("ftp://127.0.0.1:1"));
  CHECK_EQ(reason(e),
           "proxy: invalid argument: invalid proxy ftp://127.0.0.1:1: the scheme must be http, socks4, socks4a, socks5 or socks5h");
  const std::string missing = scratch_dir + "/missing.pem";
  e = CAUGHT(b.ca_file(missing));
  CHECK_EQ(reason(e), "ca_file: invalid argument: cannot read the CA file " + missing +
                          ": No such file or directory (os error 2)");
  const std::string not_pem = write_file("not_a_ca.pem", "not a certificate\n");
  e = CAUGHT(b.ca_file(not_pem));
  CHECK_EQ(reason(e),
           "ca_file: invalid argument: the CA file " + not_pem + " holds no certificate");
  e = CAUGHT(b.log([](Level, std::string_view) {}, static_cast<Level>(5)));
  CHECK_EQ(reason(e), "log_callback: max_level 5 is not 0 to 4");
  // The refusals left the builder as it was: no token yet.
  e = CAUGHT(b.build());
  CHECK_EQ(reason(e), "build: invalid argument: no API token was given");
  CHECK_EQ(droplet::last_error_message(), reason(e));

  // A built or moved-from builder is empty: its setters fail as with a NULL builder.
  e = CAUGHT(b.token("mock-token"));
  CHECK_EQ(reason(e), "token: the builder is NULL");
  CHECK(b.raw() == nullptr);
  droplet::ClientBuilder from = mock_builder();
  droplet::ClientBuilder to = std::move(from);
  e = CAUGHT(from.max_retries(1));
  CHECK_EQ(reason(e), "max_retries: the builder is NULL");
  e = CAUGHT(from.build());
  CHECK_EQ(reason(e), "build: the builder is NULL");
  CHECK(to.build().get(kDroplet, kAction).ok());

  // A builder dropped unbuilt, with a log function, frees both.
  {
    droplet::ClientBuilder unused;
    unused.token("mock-token").log([](Level, std::string_view) {});
  }
}

void test_from_env_reads_the_token_and_url() {
  unsetenv("DIGITALOCEAN_TOKEN");
  setenv("DIGITALOCEAN_ACCESS_TOKEN", "mock-token", 1);
  setenv("DIGITALOCEAN_API_URL", base_url.c_str(), 1);
  droplet::Client client = droplet::Client::from_env();
  droplet::Result r = client.get(kDroplet, kAction);
  CHECK(r.ok());
  check_documented_action(r.action());

  setenv("DIGITALOCEAN_API_URL", "not a url", 1);
  droplet::Error e = CAUGHT(droplet::Client::from_env());
  CHECK_EQ(e.status(), Status::InvalidArgument);
  CHECK_EQ(std::string_view(e.what()),
           "from_env: invalid argument: invalid base URL \"not a url\": not a valid absolute URL");

  unsetenv("DIGITALOCEAN_ACCESS_TOKEN");
  unsetenv("DIGITALOCEAN_API_URL");
  e = CAUGHT(droplet::Client::from_env());
  CHECK_EQ(std::string_view(e.what()), "from_env: invalid argument: no API token: set "
                                           "DIGITALOCEAN_ACCESS_TOKEN or DIGITALOCEAN_TOKEN");

  // A builder from the environment: the token and URL from it, setters win over it.
  e = CAUGHT(droplet::ClientBuilder::from_env().build());
  CHECK_EQ(std::string_view(e.what()), "build: invalid argument: no API token: set "
                                           "DIGITALOCEAN_ACCESS_TOKEN or DIGITALOCEAN_TOKEN");
  setenv("DIGITALOCEAN_API_URL", base_url.c_str(), 1);
  droplet::Client set = droplet::ClientBuilder::from_env().token("mock-token").build();
  CHECK(set.get(kDroplet, kAction).ok());
  setenv("DIGITALOCEAN_TOKEN", "mock-token", 1);
  setenv("DIGITALOCEAN_API_URL", "http://127.0.0.1:1", 1);
  droplet::Client elsewhere = droplet::ClientBuilder::from_env().base_url(base_url).build();
  CHECK(elsewhere.get(kDroplet, kAction).ok());
  unsetenv("DIGITALOCEAN_TOKEN");
  unsetenv("DIGITALOCEAN_API_URL");
}

void test_waiter_drives_a_wait_from_the_callers_loop() {
  const droplet_defaults d = droplet::defaults();
  CHECK_EQ(d.wait_timeout_ms, 600000u);
  CHECK_EQ(d.poll_interval_ms, 3000u);
  CHECK_EQ(d.max_retries, 2u);
  CHECK_EQ(d.requests_per_minute, 250u);
  std::optional<droplet::Waiter> made =
      droplet::Waiter::create(7, 2, droplet::CallOptions().poll_interval(1s), 1000);
  CHECK(made.has_value());
  if (!made) return;
  droplet::Waiter waiter = std::move(*made);
  droplet_wait_step step = waiter.next(1000);
  CHECK_EQ(step.kind, DROPLET_WAIT_SEND);
  CHECK_EQ(step.timeout_ms, 30000u);  // one attempt's limit
  CHECK_EQ(waiter.feed(1040, 200, {}, R"({"action":{"id":2,"status":"in-progress"}})"),
           Status::Ok);
  step = waiter.next(1050);
  CHECK_EQ(step.kind, DROPLET_WAIT_SLEEP);
  CHECK_EQ(step.until_ms, 2040u);
  CHECK_EQ(waiter.result(1050).status(), Status::InvalidArgument);  // not over yet
  CHECK_EQ(waiter.next(2040).kind, DROPLET_WAIT_SEND);
  CHECK_EQ(waiter.feed_no_answer(2100), Status::Ok);  // a lost connection: retried
  CHECK_EQ(waiter.next(2100).kind, DROPLET_WAIT_SLEEP);
  CHECK_EQ(waiter.next(10000).kind, DROPLET_WAIT_SEND);
  CHECK_EQ(waiter.feed(10030, 200, {{"x-request-id", "r-3"}},
                       R"({"action":{"id":2,"status":"completed"}})"),
           Status::Ok);
  CHECK_EQ(waiter.next(10030).kind, DROPLET_WAIT_DONE);
  droplet::Result done = waiter.result(10030);
  CHECK(done.ok());
  CHECK_EQ(done.polls(), 2);
  CHECK_EQ(done.attempts(), 3);
  CHECK_EQ(done.request_id(), "r-3");
  CHECK_EQ(waiter.result(10030).status(), Status::InvalidArgument);  // taken once
  CHECK(!droplet::Waiter::create(0, 2, droplet::CallOptions(), 0).has_value());
  const std::string waiter_error(droplet::last_error_message());
  // The client sends the request itself: 900102 completes at its third poll.
  droplet::Client client = mock_client();
  std::optional<droplet::Waiter> sent =
      droplet::Waiter::create(9, 900102, droplet::CallOptions().poll_interval(10ms), 0);
  CHECK(sent.has_value());
  std::uint64_t clock = 0;
  int sends = 0;
  // Bounded: a waiter that never ends fails the test instead of hanging it.
  for (int turn = 0; sent && turn < 100; ++turn) {
    const droplet_wait_step s = sent->next(clock);
    if (s.kind == DROPLET_WAIT_DONE) break;
    if (s.kind == DROPLET_WAIT_SLEEP) clock = s.until_ms;
    if (s.kind == DROPLET_WAIT_SEND) {
      CHECK_EQ(sent->send(client, clock), Status::Ok);
      ++sends;
    }
  }
  if (sent) {
    droplet::Result third = sent->result(clock);
    CHECK(third.ok());
    CHECK_EQ(third.polls(), 3);
    CHECK_EQ(sends, 3);
  }
  CHECK_EQ(waiter_error,
           "waiter_new: invalid argument: invalid droplet id: 0 (ids are integers >= 1)");
}

void test_wait_without_and_with_options() {
  droplet::Client client = mock_client();
  // In progress for 3 polls, then completed.
  droplet::Result done = client.wait(8101, 900103, 5s, 10ms);
  CHECK(done.ok());
  CHECK_EQ(done.polls(), 4);
  CHECK_EQ(done.attempts(), 4);  // every request of the wait
  CHECK_EQ(done.action().status(), ActionStatus::Completed);
  CHECK_EQ(done.action().id(), 900103);
  CHECK_EQ(done.action().resource_id(), 8101);
  CHECK_EQ(done.action().completed_at(), "2020-11-14T16:30:06Z");

  // In progress for 2 polls, then errored: a failure that holds the action.
  droplet::Result errored = client.wait(8102, 900202, 5s, 10ms);
  CHECK_EQ(errored.status(), Status::ActionErrored);
  CHECK_EQ(errored.polls(), 3);
  CHECK_EQ(errored.http_status(), 200);
  CHECK(errored.has_action());
  CHECK_EQ(errored.action().status(), ActionStatus::Errored);
  CHECK_EQ(errored.action().status_text(), "errored");
  CHECK_EQ(errored.error_message(), "action 900202 ended with status errored");

  // A zero timeout is the default deadline (ten minutes), as in C.
  droplet::Result zero = client.wait(8103, 900101, 0ms, 10ms);
  CHECK_EQ(zero.status(), Status::Ok);
  CHECK_EQ(zero.attempts(), 2);

  // With options: the deadline passes while the action is still in progress.
  droplet::Result late =
      client.wait(8104, 900199, droplet::CallOptions().timeout(100ms).poll_interval(20ms));
  CHECK_EQ(late.status(), Status::Timeout);
  CHECK(late.has_action());
  CHECK_EQ(late.action().status(), ActionStatus::InProgress);
  CHECK_EQ(late.action().status_text(), "in-progress");
  CHECK(late.action().completed_at().data() == nullptr);
  CHECK_EQ(late.action().completed_at_unix(), std::nullopt);
  CHECK(late.polls() >= 2);

  // With options and no timeout: the ten-minute default, far away.
  droplet::Result later = client.wait(8105, 900101, droplet::CallOptions().poll_interval(10ms));
  CHECK(later.ok());
  CHECK_EQ(later.polls(), 2);

  // wait_or_throw: the completed action, or an Error that holds the errored one.
  droplet::Result fine = client.wait_or_throw(8106, 900102, 5s, 10ms);
  CHECK_EQ(fine.polls(), 3);
  const droplet::Error e = CAUGHT(client.wait_or_throw(8107, 900201, 5s, 10ms));
  CHECK_EQ(e.status(), Status::ActionErrored);
  CHECK_EQ(e.polls(), 2);
  CHECK(e.has_action());
  CHECK_EQ(e.has_action() ? e.action().status() : ActionStatus::Unknown, ActionStatus::Errored);
  CHECK_EQ(std::string_view(e.what()), "action 900201 ended with status errored");
  const droplet::Error e2 = CAUGHT(
      client.wait_or_throw(8108, 900199, droplet::CallOptions().timeout(60ms).poll_interval(20ms)));
  CHECK_EQ(e2.status(), Status::Timeout);
  CHECK_EQ(e2.has_action() ? e2.action().status() : ActionStatus::Unknown,
           ActionStatus::InProgress);
}

void test_on_poll_sees_every_request_of_a_wait() {
  droplet::Client client = mock_client();
  struct Seen {
    ActionStatus status;
    std::string text;
    std::uint16_t http_status;
    std::uint32_t polls;
    std::uint32_t requests;
    std::optional<std::chrono::milliseconds> next_poll_in;
  };
  std::vector<Seen> seen;
  // A move-only function is accepted.
  auto owned = std::make_unique<int>(0);
  droplet::Result done = client.wait(
      8150, 900102,
      droplet::CallOptions().timeout(5s).poll_interval(10ms).on_poll(
          [&seen, owned = std::move(owned)](const droplet::PollEvent &event) {
            ++*owned;
            seen.push_back({event.status, std::string(event.status_text.value_or("(none)")),
                            event.http_status, event.polls, event.requests, event.next_poll_in});
            CHECK_EQ(event.droplet_id, 8150);
            CHECK_EQ(event.action_id, 900102);
          }));
  CHECK(done.ok());
  CHECK_EQ(seen.size(), 3u);
  if (seen.size() == 3) {
    CHECK_EQ(seen[0].status, ActionStatus::InProgress);
    CHECK_EQ(seen[0].text, "in-progress");
    CHECK_EQ(seen[0].polls, 1u);
    CHECK_EQ(seen[1].requests, 2u);
    CHECK(seen[1].next_poll_in == std::optional<std::chrono::milliseconds>(10ms));
    CHECK_EQ(seen[2].status, ActionStatus::Completed);
    CHECK_EQ(seen[2].text, "completed");
    CHECK_EQ(seen[2].http_status, 200);
    CHECK(!seen[2].next_poll_in.has_value());
  }

  // A throwing function is dropped: the wait goes on to the end.
  int calls = 0;
  droplet::Result still = client.wait(
      8151, 900102,
      droplet::CallOptions().timeout(5s).poll_interval(10ms).on_poll(
          [&calls](const droplet::PollEvent &) {
            ++calls;
            throw std::runtime_error("from on_poll");
          }));
  CHECK(still.ok());
  CHECK_EQ(calls, 3);
}

void test_a_waiter_holds_what_its_options_gave_it() {
  droplet::Client client = mock_client();
  int calls = 0;
  // The options are a temporary: the waiter keeps their function (and token) alive.
  std::optional<droplet::Waiter> made = droplet::Waiter::create(
      8160, 900101,
      droplet::CallOptions().poll_interval(10ms).on_poll(
          [&calls, big = std::vector<int>(64, 7)](const droplet::PollEvent &event) {
            calls += big[0] == 7 ? static_cast<int>(event.polls) : 100;
          }),
      0);
  CHECK(made.has_value());
  if (!made) return;
  droplet::Waiter waiter = std::move(*made);
  CHECK_EQ(waiter.next(0).kind, DROPLET_WAIT_SEND);
  CHECK_EQ(waiter.send(client, 0), Status::Ok);
  CHECK_EQ(calls, 1);

  // A null function pointer or an empty std::function turns it off.
  void (*none)(const droplet::PollEvent &) = nullptr;
  droplet::Result r = client.wait(8161, 900101, droplet::CallOptions().poll_interval(10ms).on_poll(none));
  CHECK(r.ok());
  std::function<void(const droplet::PollEvent &)> empty;
  droplet::CallOptions options;
  options.poll_interval(10ms).on_poll(empty);
  CHECK(options.raw().on_poll == nullptr);
  r = client.wait(8162, 900101, options);
  CHECK(r.ok());
  options.on_poll([&calls](const droplet::PollEvent &) { ++calls; }).on_poll(nullptr);
  CHECK(options.raw().on_poll == nullptr && options.raw().on_poll_userdata == nullptr);
}

void test_cancel_from_another_thread_ends_a_slow_wait() {
  droplet::Client client = mock_client();
  droplet::CancelToken token;
  CHECK(!token.is_cancelled());
  Clock::time_point triggered_at;
  std::thread canceller([&] {
    std::this_thread::sleep_for(300ms);
    triggered_at = Clock::now();
    token.cancel();
  });
  const Clock::time_point started = Clock::now();
  // The mock answers 5 s after the request; the wait's deadline is 20 s away.
  droplet::Result r = client.wait(
      5000, 900800, droplet::CallOptions().cancel(token).timeout(20s).poll_interval(10ms));
  const Clock::time_point returned = Clock::now();
  canceller.join();
  CHECK_EQ(r.status(), Status::Cancelled);
  CHECK(token.is_cancelled());
  CHECK(returned - started < 5s);
  const auto after_trigger =
      std::chrono::duration_cast<std::chrono::milliseconds>(returned - triggered_at);
  record(after_trigger < cancel_margin, __FILE__, __LINE__,
         "the cancelled wait returned " + show(after_trigger) + " after the trigger, above " +
             show(cancel_margin));
  CHECK(!r.has_action());
  CHECK_EQ(r.http_status(), 0);
  CHECK_EQ(r.attempts(), 1);
  CHECK_EQ(r.polls(), 1);
  CHECK_EQ(r.error_message(), "the call was cancelled after 1 attempt(s)");

  // A get, cancelled the same way.
  droplet::CancelToken get_token;
  std::thread get_canceller([&] {
    std::this_thread::sleep_for(200ms);
    triggered_at = Clock::now();
    get_token.cancel();
  });
  droplet::Result g = client.get(5001, 900800, droplet::CallOptions().cancel(get_token));
  const Clock::time_point get_returned = Clock::now();
  get_canceller.join();
  CHECK_EQ(g.status(), Status::Cancelled);
  const auto get_after =
      std::chrono::duration_cast<std::chrono::milliseconds>(get_returned - triggered_at);
  record(get_after < cancel_margin, __FILE__, __LINE__,
         "the cancelled get returned " + show(get_after) + " after the trigger");

  // A triggered token ends calls at once; the client stays usable; a moved-from token
  // refuses the call (as the header promises for moved-from objects).
  droplet::Result at_once = client.wait(kDroplet, kAction, droplet::CallOptions().cancel(token));
  CHECK_EQ(at_once.status(), Status::Cancelled);
  CHECK_EQ(at_once.attempts(), 0);
  CHECK(client.get(kDroplet, kAction).ok());
  droplet::CancelToken moved = std::move(token);
  CHECK(moved.is_cancelled());
  CHECK(!token.is_cancelled());
  token.cancel();
  CHECK(token.raw() == nullptr);
  CHECK_EQ(client.get(kDroplet, kAction, droplet::CallOptions().cancel(token)).status(),
           Status::InvalidArgument);
  token = droplet::CancelToken();
  CHECK(!token.is_cancelled());
  CHECK(token.raw() != nullptr);
}

void test_call_options_fill_the_c_struct() {
  droplet::CancelToken token;
  droplet::CallOptions options;
  CHECK_EQ(options.raw().size, sizeof(droplet_call_options));
  CHECK(options.raw().cancel == nullptr);
  CHECK_EQ(options.raw().timeout_ms, 0);
  CHECK_EQ(options.raw().poll_interval_ms, 0);
  options.cancel(token).timeout(1500ms).poll_interval(2s);
  CHECK(options.raw().cancel == token.raw());
  CHECK_EQ(options.raw().timeout_ms, 1500);
  CHECK_EQ(options.raw().poll_interval_ms, 2000);
  options.timeout(std::chrono::hours(24 * 365 * 1000)).poll_interval(-1ms);
  CHECK_EQ(options.raw().timeout_ms, 4294967295u);
  CHECK_EQ(options.raw().poll_interval_ms, 0);
}

void test_log_function_receives_the_events() {
  LogSink sink;
  droplet::Client client = mock_builder().log(sink.function()).build();
  droplet::Result r = client.get(kDroplet, kAction);
  CHECK(r.ok());
  const auto events = sink.take();
  CHECK_EQ(events.size(), 2);
  if (events.size() == 2) {
    CHECK_EQ(events[0].first, Level::Debug);
    CHECK_EQ(events[0].second, "GET " + std::string(kPath) + ": attempt 1");
    CHECK_EQ(events[1].first, Level::Debug);
    CHECK_EQ(events[1].second, "GET " + std::string(kPath) +
                                   ": 200 after 1 attempt(s) (request id " +
                                   std::string(r.request_id()) + ")");
  }

  // The function lives with the client: moved twice, it still logs.
  droplet::Client moved = std::move(client);
  droplet::Client moved_again = mock_client();
  moved_again = std::move(moved);
  CHECK(client.raw() == nullptr);
  CHECK(moved_again.get(kDroplet, kAction).ok());
  CHECK_EQ(sink.take().size(), 2);

  // Info and above: the retries of two 500s, not the debug events.
  LogSink info;
  droplet::Client retrying = mock_builder().log(info.function(), Level::Info).build();
  CHECK(retrying.get(7101, 900500).ok());
  const auto retries = info.take();
  CHECK_EQ(retries.size(), 2);
  for (const auto &event : retries) {
    CHECK_EQ(event.first, Level::Info);
    CHECK(starts_with(event.second, "GET /v2/droplets/7101/actions/900500: retrying in "));
    CHECK(event.second.find("HTTP 500 Internal Server Error: server_error") != std::string::npos);
  }

  // A failure at warn.
  LogSink warn;
  droplet::Client failing = mock_builder().log(warn.function(), Level::Warn).build();
  droplet::Result missing = failing.get(1, 2);
  const auto warnings = warn.take();
  CHECK_EQ(warnings.size(), 1);
  if (warnings.size() == 1) {
    CHECK_EQ(warnings[0].first, Level::Warn);
    // The API error's message already names its request id.
    CHECK_EQ(warnings[0].second, "GET /v2/droplets/1/actions/2: failed after 1 attempt(s): " +
                                     std::string(missing.error_message()));
  }

  // The level changes on the live client; log_off() silences it.
  CHECK_EQ(failing.set_log_level(Level::Debug), Status::Ok);
  CHECK(failing.get(kDroplet, kAction).ok());
  CHECK_EQ(warn.take().size(), 2);
  CHECK_EQ(failing.log_off(), Status::Ok);
  CHECK(!failing.get(1, 2).ok());
  CHECK_EQ(warn.take().size(), 0);
  droplet::Client gone = std::move(failing);
  CHECK_EQ(failing.set_log_level(Level::Info), Status::InvalidArgument);

  // A second function replaces the first; an empty one turns logging off.
  LogSink first;
  LogSink second;
  droplet::Client replaced =
      mock_builder().log(first.function()).log(second.function()).build();
  CHECK(replaced.get(kDroplet, kAction).ok());
  CHECK_EQ(first.take().size(), 0);
  CHECK_EQ(second.take().size(), 2);
  LogSink silenced;
  droplet::Client quiet = mock_builder().log(silenced.function()).log(nullptr).build();
  CHECK(quiet.get(kDroplet, kAction).ok());
  CHECK_EQ(silenced.take().size(), 0);

  // An exception thrown by the function stops there.
  std::atomic<int> thrown{0};
  droplet::Client throwing = mock_builder()
                                 .log([&thrown](Level, std::string_view) {
                                   ++thrown;
                                   throw std::runtime_error("from the log function");
                                 })
                                 .build();
  droplet::Result survived = throwing.get(kDroplet, kAction);
  CHECK(survived.ok());
  CHECK_EQ(thrown.load(), 2);
}

void test_one_client_shared_by_threads() {
  LogSink sink;
  const droplet::Client client = mock_builder().log(sink.function(), Level::Debug).build();
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&client, &ok] {
      for (int i = 0; i < 25; ++i) {
        if (client.get(kDroplet, kAction).ok()) ++ok;
      }
    });
  }
  for (std::thread &thread : threads) thread.join();
  CHECK_EQ(ok.load(), 100);
  CHECK_EQ(sink.take().size(), 200);
}

void test_sans_io_request_and_parse_match_the_client() {
  droplet::Request request = droplet::Request::build(base_url, "mock-token", kDroplet, kAction);
  CHECK_EQ(request.method(), "GET");
  CHECK_EQ(request.url(), base_url + std::string(kPath));
  const std::vector<droplet::Header> headers = request.headers();
  CHECK_EQ(headers.size(), 3);
  if (headers.size() == 3) {
    CHECK_EQ(headers[0].name, "authorization");
    CHECK_EQ(headers[0].value, "Bearer mock-token");
    CHECK_EQ(headers[1].name, "accept");
    CHECK_EQ(headers[1].value, "application/json");
    CHECK_EQ(headers[2].name, "user-agent");
    CHECK_EQ(headers[2].value, "droplet-action/0.1.0");
  }
  droplet::Request moved = std::move(request);
  CHECK(request.raw().url == nullptr);
  CHECK_EQ(moved.method(), "GET");

  droplet::Request remote = droplet::Request::build(std::nullopt, "t", 1, 2);
  CHECK_EQ(remote.url(), "https://api.digitalocean.com/v2/droplets/1/actions/2");

  droplet::Error e = CAUGHT(droplet::Request::build("http://example.com", "t", 1, 2));
  CHECK_EQ(e.status(), Status::InvalidArgument);
  CHECK_EQ(std::string_view(e.what()),
           "request_build: refusing plain http to example.com: the token would travel "
           "unencrypted");
  e = CAUGHT(droplet::Request::build(std::nullopt, "", 1, 2));
  CHECK_EQ(std::string_view(e.what()), "request_build: the API token is empty");
  e = CAUGHT(droplet::Request::build(std::nullopt, std::string_view("t\0u", 3), 1, 2));
  CHECK_EQ(std::string_view(e.what()), "request_build: token: the string holds a NUL byte");
  e = CAUGHT(droplet::Request::build(std::string_view("http://127.0.0.1\0", 17), "t", 1, 2));
  CHECK_EQ(std::string_view(e.what()), "request_build: base_url: the string holds a NUL byte");
  e = CAUGHT(droplet::Request::build(std::nullopt, "t", 0, 2));
  CHECK_EQ(std::string_view(e.what()),
           "request_build: invalid droplet id: 0 (ids are integers >= 1)");

  // The answer the client got, parsed again: the same action and fields.
  droplet::Client client = mock_client();
  droplet::Result got = client.get(kDroplet, kAction);
  CHECK(got.ok());
  const droplet::RateLimit limit = got.rate_limit().value_or(droplet::RateLimit{0, 0, 0});
  const std::string remaining = std::to_string(limit.remaining);
  const std::string reset = std::to_string(limit.reset);
  droplet::Result parsed = droplet::parse_response(
      200,
      {{"Content-Type", "application/json"},
       {"X-Request-Id", got.request_id()},
       {"ratelimit-limit", "5000"},
       {"ratelimit-remaining", remaining},
       {"ratelimit-reset", reset},
       {std::string_view("x-bad\0name", 10), "ignored"}},
      got.raw_body());
  CHECK(parsed.ok());
  CHECK_EQ(parsed.http_status(), 200);
  CHECK_EQ(parsed.attempts(), 0);
  CHECK_EQ(parsed.polls(), 0);
  CHECK_EQ(parsed.request_id(), got.request_id());
  CHECK_EQ(parsed.raw_body(), got.raw_body());
  CHECK(parsed.rate_limit().has_value());
  CHECK_EQ(parsed.rate_limit() ? parsed.rate_limit()->remaining : -1, limit.remaining);
  CHECK_EQ(parsed.rate_limit() ? parsed.rate_limit()->reset : -1, limit.reset);
  check_same_action(parsed.action(), got.action());
  check_documented_action(parsed.action());

  droplet::Result missing = client.get(1, 2);
  droplet::Result parsed_missing = droplet::parse_response(404, {}, missing.raw_body());
  CHECK_EQ(parsed_missing.status(), Status::ApiError);
  CHECK_EQ(parsed_missing.error_id(), "not_found");
  CHECK_EQ(parsed_missing.error_message(), missing.error_message());
  CHECK_EQ(parsed_missing.request_id(), missing.request_id());

  droplet::Result half = droplet::parse_response(200, {}, "{\"action\":{\"id\":");
  CHECK_EQ(half.status(), Status::Decode);
  CHECK_EQ(half.raw_body(), "{\"action\":{\"id\":");
  droplet::Result nothing = droplet::parse_response(204, {}, std::string_view());
  CHECK_EQ(nothing.status(), Status::Decode);
}

void test_retry_advice_follows_the_policy() {
  const std::string_view server_error =
      "{\"id\":\"server_error\",\"message\":\"Unexpected server-side error\"}";
  droplet::Result r500 = droplet::parse_response(500, {}, server_error);
  CHECK_EQ(r500.status(), Status::ApiError);
  CHECK_EQ(r500.retry_advice(1, 2, 0), 0ms);
  CHECK_EQ(r500.retry_advice(1, 2, UINT64_MAX), 200ms);
  CHECK_EQ(r500.retry_advice(2, 2, UINT64_MAX), 400ms);
  CHECK_EQ(r500.retry_advice(3, 2, UINT64_MAX), std::nullopt);

  droplet::Result r429 = droplet::parse_response(
      429, {{"retry-after", "1"}},
      "{\"id\":\"too_many_requests\",\"message\":\"API rate limit exceeded.\"}");
  CHECK_EQ(r429.retry_advice(1, 2, 0), 1000ms);
  droplet::Result r503 = droplet::parse_response(503, {{"Retry-After", "120"}}, "{}");
  CHECK_EQ(r503.retry_advice(1, 2, 0), std::nullopt);

  droplet::Result r404 = droplet::parse_response(404, {}, "{\"id\":\"not_found\"}");
  CHECK_EQ(r404.retry_advice(1, 2, 0), std::nullopt);
  droplet::Client client = mock_client();
  droplet::Result ok = client.get(kDroplet, kAction);
  CHECK_EQ(ok.retry_advice(1, 2, 0), std::nullopt);
}

void test_results_move_and_release() {
  droplet::Client client = mock_client();
  droplet::Result a = client.get(kDroplet, kAction);
  const droplet::Action view = a.action();
  droplet::Result b = std::move(a);
  // The views survive the move: the memory moved with the ownership.
  CHECK_EQ(view.id(), kAction);
  CHECK(&b.action().raw() == &view.raw());
  // A moved-from result holds nothing and is not ok.
  CHECK(!a.ok());
  CHECK_EQ(a.status(), Status::InvalidArgument);
  CHECK(!a.has_action());
  CHECK(a.raw_body().empty());
  CHECK_EQ(a.polls(), 0);

  droplet::Result c = client.get(1, 2);
  c = std::move(b);  // frees the 404 result
  CHECK(c.ok());
  droplet::Result &alias = c;
  c = std::move(alias);  // self-move keeps it
  CHECK(c.ok());
  CHECK_EQ(c.action().id(), kAction);

  droplet_action_result raw = c.release();
  CHECK(!c.ok());
  CHECK_EQ(raw.status, DROPLET_STATUS_OK);
  CHECK(raw.action != nullptr && raw.action->id == kAction);
  droplet_action_result_free(&raw);
  CHECK(raw.action == nullptr);

  // A moved-from client fails as a NULL one does in C.
  droplet::Client gone = std::move(client);
  CHECK_EQ(client.get(kDroplet, kAction).status(), Status::InvalidArgument);
  CHECK_EQ(client.wait(kDroplet, kAction, 1s).status(), Status::InvalidArgument);
  CHECK(gone.get(kDroplet, kAction).ok());
}


void test_wait_many_returns_one_result_per_action() {
  droplet::Client client = mock_client();
  const droplet::CallOptions options = droplet::CallOptions().timeout(5s).poll_interval(10ms);
  std::vector<droplet::Result> results =
      client.wait_many({{9101, 900102}, {9101, 900201}, {9101, 900404}}, options);
  CHECK_EQ(results.size(), 3);
  if (results.size() == 3) {
    CHECK(results[0].ok());
    CHECK_EQ(results[0].polls(), 3);
    CHECK_EQ(results[0].action().id(), 900102);
    CHECK_EQ(results[0].action().status(), ActionStatus::Completed);
    CHECK_EQ(results[1].status(), Status::ActionErrored);
    CHECK_EQ(results[1].polls(), 2);
    CHECK_EQ(results[1].action().status(), ActionStatus::Errored);
    CHECK_EQ(results[1].error_message(), "action 900201 ended with status errored");
    CHECK_EQ(results[2].status(), Status::ApiError);
    CHECK_EQ(results[2].http_status(), 404);
    CHECK_EQ(results[2].error_id(), "not_found");
    CHECK(!results[2].has_action());
  }

  // All completed; a vector of refs built at run time.
  std::vector<droplet::ActionRef> refs;
  refs.push_back({9102, 900101});
  refs.push_back({9102, 900102});
  std::vector<droplet::Result> done = client.wait_many(refs, options);
  CHECK_EQ(done.size(), 2);
  CHECK(done.size() == 2 && done[0].ok() && done[1].ok());
  CHECK(done.size() == 2 && done[0].polls() == 2 && done[1].polls() == 3);

  // One shared deadline: the endless action times out, the other completes.
  std::vector<droplet::Result> mixed = client.wait_many(
      {{9103, 900199}, {9103, 900101}}, droplet::CallOptions().timeout(200ms).poll_interval(20ms));
  CHECK_EQ(mixed.size(), 2);
  if (mixed.size() == 2) {
    CHECK_EQ(mixed[0].status(), Status::Timeout);
    CHECK_EQ(mixed[0].action().status(), ActionStatus::InProgress);
    CHECK(mixed[1].ok());
  }

  // Nothing to wait for; a moved-from client.
  CHECK(client.wait_many({}).empty());
  droplet::Client moved = std::move(client);
  std::vector<droplet::Result> refused = client.wait_many({{9104, 900101}, {9104, 900102}});
  CHECK_EQ(refused.size(), 2);
  for (const droplet::Result &r : refused) {
    CHECK_EQ(r.status(), Status::InvalidArgument);
    CHECK_EQ(r.error_message(), "invalid argument: client is NULL");
    CHECK_EQ(r.attempts(), 0);
  }

  // wait_many_or_throw: every completed action, or the first failure in order.
  std::vector<droplet::Result> fine = moved.wait_many_or_throw({{9105, 900101}}, options);
  CHECK(fine.size() == 1 && fine[0].ok());
  const droplet::Error e =
      CAUGHT(moved.wait_many_or_throw({{9106, 900101}, {9106, 900202}, {9106, 900404}}, options));
  CHECK_EQ(e.status(), Status::ActionErrored);
  CHECK_EQ(e.polls(), 3);
  CHECK_EQ(e.has_action() ? e.action().id() : std::nullopt, 900202);
  CHECK_EQ(std::string_view(e.what()), "action 900202 ended with status errored");

  // Cancelled from another thread while sleeping between polls: every action ends so.
  droplet::CancelToken token;
  Clock::time_point triggered_at;
  std::thread canceller([&] {
    std::this_thread::sleep_for(300ms);
    triggered_at = Clock::now();
    token.cancel();
  });
  std::vector<droplet::Result> cancelled = moved.wait_many(
      {{9107, 900199}, {9108, 900199}},
      droplet::CallOptions().cancel(token).timeout(60s).poll_interval(5s));
  const Clock::time_point returned = Clock::now();
  canceller.join();
  const auto after_trigger =
      std::chrono::duration_cast<std::chrono::milliseconds>(returned - triggered_at);
  record(after_trigger < cancel_margin, __FILE__, __LINE__,
         "the cancelled wait_many returned " + show(after_trigger) + " after the trigger");
  CHECK_EQ(cancelled.size(), 2);
  for (const droplet::Result &r : cancelled) {
    CHECK_EQ(r.status(), Status::Cancelled);
    CHECK_EQ(r.has_action() ? r.action().id() : std::nullopt, 900199);
  }
}


// Round 2: nothing that compiles may dangle, and what the header refuses on its own side is
// reported like what the library refuses.

void test_moved_from_cancel_token_refuses_the_call() {
  const droplet::Client client = mock_client();
  droplet::CancelToken token;
  const droplet::CancelToken live = std::move(token);
  droplet::CallOptions options;
  options.cancel(token);
  constexpr std::string_view why = "call options: the cancel token was moved from";
  const droplet::Result g = client.get(kDroplet, kAction, options);
  CHECK_EQ(g.status(), Status::InvalidArgument);
  CHECK_EQ(g.attempts(), 0);
  CHECK_EQ(g.http_status(), 0);
  CHECK_EQ(g.error_message(), why);
  const droplet::Result w = client.wait(kDroplet, kAction, options);
  CHECK_EQ(w.status(), Status::InvalidArgument);
  CHECK_EQ(w.error_message(), why);
  const droplet::Results many = client.wait_many({{kDroplet, kAction}, {1, 2}}, options);
  CHECK_EQ(many.size(), 2);
  for (const droplet::Result &r : many) {
    CHECK_EQ(r.status(), Status::InvalidArgument);
    CHECK_EQ(r.error_message(), why);
  }
  droplet::Error e = CAUGHT(client.get_or_throw(kDroplet, kAction, options));
  CHECK_EQ(e.status(), Status::InvalidArgument);
  CHECK_EQ(std::string_view(e.what()), why);
  // A live token makes the same options usable again.
  options.cancel(live);
  CHECK(client.get(kDroplet, kAction, options).ok());
}

void test_setters_on_a_temporary_return_a_live_object() {
  static_assert(std::is_same<decltype(droplet::ClientBuilder().token("t")),
                             droplet::ClientBuilder>::value,
                "");
  static_assert(std::is_same<decltype(std::declval<droplet::ClientBuilder &>().token("t")),
                             droplet::ClientBuilder &>::value,
                "");
  static_assert(std::is_same<decltype(droplet::CallOptions().timeout(1s)),
                             droplet::CallOptions>::value,
                "");
  static_assert(std::is_same<decltype(std::declval<droplet::CallOptions &>().timeout(1s)),
                             droplet::CallOptions &>::value,
                "");
  auto &&builder = droplet::ClientBuilder().token("mock-token");
  builder.base_url(base_url).timeout(5s);
  const droplet::Client client = builder.build();
  CHECK(client.get(kDroplet, kAction).ok());
  const droplet::Client chained =
      droplet::ClientBuilder().token("mock-token").base_url(base_url).no_pacing().build();
  CHECK(chained.get(kDroplet, kAction).ok());
  auto &&options = droplet::CallOptions().timeout(2s);
  options.poll_interval(10ms);
  CHECK_EQ(options.raw().timeout_ms, 2000);
  CHECK_EQ(options.raw().poll_interval_ms, 10);
  CHECK(client.wait(kDroplet, kAction, options).ok());
}

void test_null_strings_are_refused_with_the_reason() {
  const char *no_url = nullptr;
  const char *no_token = nullptr;
  droplet::Error e = CAUGHT(droplet::Request::build(no_url, "t", 1, 2));
  constexpr std::string_view url_why =
      "request_build: base_url: the string is NULL (std::nullopt means the default)";
  CHECK_EQ(e.status(), Status::InvalidArgument);
  CHECK_EQ(std::string_view(e.what()), url_why);
  CHECK_EQ(droplet::last_error_message(), std::string(url_why));
  e = CAUGHT(droplet::Request::build(std::nullopt, no_token, 1, 2));
  CHECK_EQ(std::string_view(e.what()), "request_build: token: the string is NULL");
  const droplet::Request empty = droplet::Request::try_build(std::nullopt, no_token, 1, 2);
  CHECK(!empty);
  CHECK_EQ(empty.url(), "");
  CHECK_EQ(empty.method(), "");
  CHECK_EQ(empty.headers().size(), 0);
  droplet::ClientBuilder builder;
  e = CAUGHT(builder.token(no_token));
  CHECK_EQ(std::string_view(e.what()), "token: the string is NULL");
  e = CAUGHT(builder.base_url(no_url));
  CHECK_EQ(std::string_view(e.what()), "base_url: the string is NULL");
  // A std::string and a std::string_view are taken as they are.
  const droplet::Request built =
      droplet::Request::try_build(std::string(base_url), std::string("mock-token"), 1, 2);
  CHECK(static_cast<bool>(built));
  CHECK_EQ(built.url(), base_url + "/v2/droplets/1/actions/2");
}

void test_last_error_message_names_the_latest_refusal_on_either_side() {
  const auto library_refusal = [] { return droplet::ClientBuilder().backoff(2s, 1s); };
  droplet::Error e = CAUGHT(library_refusal());
  const std::string from_library = e.what();
  CHECK_EQ(droplet::last_error_message(), from_library);
  CHECK_EQ(droplet::last_error_message(), std::string(droplet_last_error_message()));
  e = CAUGHT(droplet::ClientBuilder().token(std::string_view("mock\0token", 10)));
  CHECK_EQ(droplet::last_error_message(), "token: the string holds a NUL byte");
  e = CAUGHT(library_refusal());
  CHECK_EQ(droplet::last_error_message(), from_library);
  e = CAUGHT(droplet::Request::build(std::string_view("http://127.0.0.1\0", 17), "t", 1, 2));
  CHECK_EQ(droplet::last_error_message(), "request_build: base_url: the string holds a NUL byte");
  // A refusal of this header, then one of the library through a direct C call: the
  // library's is the latest.
  e = CAUGHT(droplet::ClientBuilder().token(std::string_view("mock\0token", 10)));
  droplet::ClientBuilder direct;
  CHECK(droplet_client_builder_set_base_url(direct.raw(), "gopher://x") ==
        DROPLET_STATUS_INVALID_ARGUMENT);
  CHECK_EQ(droplet::last_error_message(), std::string(droplet_last_error_message()));
  CHECK(droplet::last_error_message() != "token: the string holds a NUL byte");
  const droplet::Client client = mock_client();
  CHECK_EQ(droplet::last_error_message(), "");
  const std::optional<droplet::Client> none = droplet::ClientBuilder().try_build();
  CHECK(!none.has_value());
  CHECK_EQ(droplet::last_error_message(), std::string(droplet_last_error_message()));
  CHECK(!droplet::last_error_message().empty());
}

void test_durations_of_any_unit_and_defaults_by_braces() {
  droplet::CallOptions o;
  o.timeout(std::chrono::duration<double>(1.5));
  CHECK_EQ(o.raw().timeout_ms, 1500);
  o.timeout(std::chrono::microseconds(1));
  CHECK_EQ(o.raw().timeout_ms, 1);
  o.timeout(std::chrono::microseconds(1500));
  CHECK_EQ(o.raw().timeout_ms, 2);
  o.timeout(std::chrono::nanoseconds(-5));
  CHECK_EQ(o.raw().timeout_ms, 0);
  o.timeout(std::chrono::hours::max());
  CHECK_EQ(o.raw().timeout_ms, std::numeric_limits<std::uint32_t>::max());
  o.timeout(std::chrono::duration<double>(std::numeric_limits<double>::quiet_NaN()));
  CHECK_EQ(o.raw().timeout_ms, 0);
  o.timeout(std::chrono::duration<double>(-std::numeric_limits<double>::infinity()));
  CHECK_EQ(o.raw().timeout_ms, 0);
  o.poll_interval(std::chrono::duration<float, std::milli>(2.25f));
  CHECK_EQ(o.raw().poll_interval_ms, 3);
  o.poll_interval(std::chrono::minutes(2));
  CHECK_EQ(o.raw().poll_interval_ms, 120000);
  o.poll_interval(std::chrono::duration<float>(0.001f));
  CHECK_EQ(o.raw().poll_interval_ms, 1);
  o.poll_interval(std::chrono::nanoseconds(1));
  CHECK_EQ(o.raw().poll_interval_ms, 1);
  o.poll_interval(std::chrono::nanoseconds(1001000));
  CHECK_EQ(o.raw().poll_interval_ms, 2);

  const droplet::Client client = droplet::ClientBuilder()
                                     .token("mock-token")
                                     .base_url(base_url)
                                     .timeout(std::chrono::duration<double>(2.5))
                                     .backoff(std::chrono::microseconds(10500), 1s)
                                     .build();
  // {} is the call options' overload: the defaults (ten minutes, 3 s between polls).
  const droplet::Result by_braces = client.wait(kDroplet, kAction, {});
  CHECK(by_braces.ok());
  CHECK_EQ(by_braces.polls(), 1);
  const droplet::Result in_seconds =
      client.wait(kDroplet, kAction, std::chrono::duration<double>(2.5), std::chrono::seconds(1));
  CHECK(in_seconds.ok());
  CHECK_EQ(client.wait(kDroplet, kAction, std::chrono::microseconds(0)).status(), Status::Ok);
}

void test_parse_response_takes_any_integer_status() {
  const droplet::Result from_int = droplet::parse_response(404, {}, "{\"id\":\"not_found\"}");
  CHECK_EQ(from_int.status(), Status::ApiError);
  CHECK_EQ(from_int.http_status(), 404);
  const droplet::Result from_u64 = droplet::parse_response(std::uint64_t{404}, {}, "{}");
  CHECK_EQ(from_u64.http_status(), 404);
  const droplet::Result from_short = droplet::parse_response(short{503}, {}, "{}");
  CHECK_EQ(from_short.http_status(), 503);
  for (const long long status : {-1LL, 65536LL, 1LL << 40}) {
    const droplet::Result out = droplet::parse_response(status, {}, "{}");
    CHECK_EQ(out.status(), Status::InvalidArgument);
    CHECK_EQ(out.http_status(), 0);
    CHECK_EQ(out.error_message(), "parse_response: the HTTP status is outside 0..65535");
  }
}

void test_log_takes_move_only_functions_and_null_turns_it_off() {
  // The same call, logged by a copyable function and by a move-only one.
  LogSink copyable;
  const droplet::Client with_copyable = mock_builder().log(copyable.function()).build();
  CHECK(with_copyable.get(kDroplet, kAction).ok());
  auto count = std::make_unique<std::size_t>(0);
  const std::size_t *seen = count.get();
  const droplet::Client with_move_only =
      mock_builder()
          .log([held = std::move(count)](Level, std::string_view) mutable { ++*held; })
          .build();
  CHECK(with_move_only.get(kDroplet, kAction).ok());
  CHECK(*seen > 0);
  CHECK_EQ(*seen, copyable.events.size());
  void (*no_function)(Level, std::string_view) = nullptr;
  const droplet::Client quiet = mock_builder().log(no_function).build();
  CHECK(quiet.get(kDroplet, kAction).ok());
  const droplet::Client off = mock_builder().log(droplet::LogFunction()).build();
  CHECK(off.get(kDroplet, kAction).ok());
}

void test_moved_from_result_says_why_and_times_are_chrono() {
  const droplet::Client client = mock_client();
  droplet::Result first = client.get(kDroplet, kAction);
  droplet::Result second = std::move(first);
  constexpr std::string_view why = "droplet::Result: moved from or released (it holds no result)";
  CHECK_EQ(first.status(), Status::InvalidArgument);
  CHECK_EQ(first.error_message(), why);
  CHECK(second.ok());
  CHECK_EQ(second.error_message(), "");
  const droplet::Action action = second.action();
  CHECK(action.started_at_time() ==
        droplet::SysSeconds(std::chrono::seconds(kStartedUnix)));
  CHECK(action.completed_at_time() ==
        droplet::SysSeconds(std::chrono::seconds(kCompletedUnix)));
  const std::optional<droplet::RateLimit> limit = second.rate_limit();
  CHECK(limit.has_value());
  if (limit) CHECK_EQ(limit->reset_time().time_since_epoch().count(), limit->reset);
  droplet_action_result raw = second.release();
  droplet_action_result_free(&raw);
  CHECK_EQ(second.error_message(), why);
  const droplet::Result running = droplet::parse_response(
      200, {}, "{\"action\":{\"id\":1,\"status\":\"in-progress\",\"started_at\":null}}");
  CHECK(running.ok());
  CHECK(!running.action().started_at_time().has_value());
  CHECK(!running.action().completed_at_time().has_value());
}

void test_results_of_wait_many() {
  const droplet::Client client = mock_client();
  droplet::Results results = client.wait_many({{kDroplet, kAction}, {9201, 900404}},
                                              droplet::CallOptions().poll_interval(10ms));
  CHECK_EQ(results.size(), 2);
  CHECK(!results.all_ok());
  CHECK(results.front().ok());
  CHECK_EQ(results.back().status(), Status::ApiError);
  CHECK_EQ(results[1].http_status(), 404);
  std::size_t seen = 0;
  for (const droplet::Result &r : results) seen += r.attempts() > 0 ? 1u : 0u;
  CHECK_EQ(seen, 2);
  const std::vector<droplet::Result> taken = results.take();
  CHECK_EQ(taken.size(), 2);
  CHECK(results.empty());
  CHECK(client.wait_many({}).empty());
  CHECK(client.wait_many({{kDroplet, kAction}}).all_ok());
}


// Round 2, second pass: what an outside review found.

void log_to_nowhere(Level, std::string_view) {}

void test_options_share_the_token_they_are_given() {
  const droplet::Client client = mock_client();
  // A token reached through a smart pointer dies at the end of the statement; the options
  // keep it alive.
  droplet::CallOptions options;
  options.cancel(*std::make_unique<droplet::CancelToken>());
  CHECK(client.get(kDroplet, kAction, options).ok());
  // A token reassigned after it was given: the options hold the one they were given.
  droplet::CancelToken token;
  droplet::CallOptions held;
  held.cancel(token);
  token.cancel();
  token = droplet::CancelToken();
  CHECK(!token.is_cancelled());
  const droplet::Result cancelled = client.get(kDroplet, kAction, held);
  CHECK_EQ(cancelled.status(), Status::Cancelled);
  CHECK_EQ(cancelled.attempts(), 0);
  // Moved after it was given: the same.
  droplet::CancelToken moved_later;
  droplet::CallOptions before_move;
  before_move.cancel(moved_later);
  const droplet::CancelToken elsewhere = std::move(moved_later);
  elsewhere.cancel();
  CHECK_EQ(client.get(kDroplet, kAction, before_move).status(), Status::Cancelled);
}

void test_results_out_of_range_are_empty_results() {
  const droplet::Client client = mock_client();
  droplet::Results results = client.wait_many({{kDroplet, kAction}});
  CHECK(results.all_ok());
  const droplet::Results moved = std::move(results);
  CHECK(results.empty());
  CHECK(!results.all_ok());
  constexpr std::string_view why = "droplet::Results: no result at this index";
  CHECK_EQ(results.front().status(), Status::InvalidArgument);
  CHECK_EQ(results.front().error_message(), why);
  CHECK_EQ(results.back().error_message(), why);
  CHECK_EQ(results[7].error_message(), why);
  CHECK_EQ(moved[1].error_message(), why);
  CHECK(moved[0].ok());
  CHECK(!droplet::Results().all_ok());
  std::vector<droplet::Result> taken = results.take();
  CHECK(taken.empty());
}

void test_null_bodies_and_headers_are_refused() {
  const char *no_body = nullptr;
  const droplet::Result body = droplet::parse_response(200, {}, no_body);
  CHECK_EQ(body.status(), Status::InvalidArgument);
  CHECK_EQ(body.error_message(), "parse_response: the body is NULL");
  const char *no_name = nullptr;
  const droplet::Result header = droplet::parse_response(200, {{no_name, "v"}}, "{}");
  CHECK_EQ(header.status(), Status::InvalidArgument);
  CHECK_EQ(header.error_message(), "parse_response: a header name or value is NULL");
  const droplet::Result fine =
      droplet::parse_response(503, {{std::string("Retry-After"), std::string_view("7")}}, "{}");
  CHECK_EQ(fine.http_status(), 503);
}

void test_integer_settings_refuse_negative_and_huge_values() {
  const auto reason = [](const droplet::Error &e) { return std::string(e.what()); };
  droplet::Error e = CAUGHT(droplet::ClientBuilder().max_retries(-1));
  CHECK_EQ(e.status(), Status::InvalidArgument);
  CHECK_EQ(reason(e), "max_retries: out of range (0 to 4294967295)");
  CHECK_EQ(droplet::last_error_message(), reason(e));
  e = CAUGHT(droplet::ClientBuilder().requests_per_minute(std::int64_t{1} << 40));
  CHECK_EQ(reason(e), "requests_per_minute: out of range (0 to 4294967295)");
  e = CAUGHT(droplet::ClientBuilder().body_limit(-5));
  CHECK_EQ(reason(e), "body_limit: out of range (0 to 18446744073709551615)");
  const droplet::Client client = mock_builder()
                                     .max_retries(short{1})
                                     .body_limit(std::uint64_t{1} << 20)
                                     .requests_per_minute(1000LL)
                                     .build();
  CHECK(client.get(kDroplet, kAction).ok());
  const droplet::Result huge = droplet::parse_response(std::int64_t{1} << 40, {}, "{}");
  CHECK_EQ(huge.error_message(), "parse_response: the HTTP status is outside 0..65535");
}

void test_a_named_function_logs_and_base_urls_of_every_string_kind() {
  const droplet::Client client = mock_builder().log(log_to_nowhere).build();
  CHECK(client.get(kDroplet, kAction).ok());
  const std::optional<std::string> url = base_url;
  const droplet::Request request = droplet::Request::build(url, "mock-token", 1, 2);
  CHECK_EQ(request.url(), base_url + "/v2/droplets/1/actions/2");
  const std::optional<std::string> none;
  const droplet::Request by_default = droplet::Request::build(none, "t", 1, 2);
  CHECK_EQ(by_default.url(), "https://api.digitalocean.com/v2/droplets/1/actions/2");
}

}  // namespace

int main(int argc, char **argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: %s BASE_URL DEAD_URL SCRATCH_DIR CANCEL_MARGIN_MS\n", argv[0]);
    return 2;
  }
  base_url = argv[1];
  dead_url = argv[2];
  scratch_dir = argv[3];
  cancel_margin = std::chrono::milliseconds(std::atoi(argv[4]));

  test_types_are_move_only_and_statuses_match_the_c_header();
  test_get_returns_every_field_of_the_documented_action();
  test_from_env_reads_the_token_and_url();
  test_api_error_is_a_value_with_every_field();
  test_get_or_throw_throws_an_error_with_the_same_fields();
  test_builder_settings_are_applied();
  test_builder_refusals_throw_with_the_reason();
  test_waiter_drives_a_wait_from_the_callers_loop();
  test_wait_without_and_with_options();
  test_on_poll_sees_every_request_of_a_wait();
  test_a_waiter_holds_what_its_options_gave_it();
  test_cancel_from_another_thread_ends_a_slow_wait();
  test_wait_many_returns_one_result_per_action();
  test_call_options_fill_the_c_struct();
  test_log_function_receives_the_events();
  test_one_client_shared_by_threads();
  test_sans_io_request_and_parse_match_the_client();
  test_retry_advice_follows_the_policy();
  test_results_move_and_release();
  test_moved_from_cancel_token_refuses_the_call();
  test_setters_on_a_temporary_return_a_live_object();
  test_null_strings_are_refused_with_the_reason();
  test_last_error_message_names_the_latest_refusal_on_either_side();
  test_durations_of_any_unit_and_defaults_by_braces();
  test_parse_response_takes_any_integer_status();
  test_log_takes_move_only_functions_and_null_turns_it_off();
  test_moved_from_result_says_why_and_times_are_chrono();
  test_results_of_wait_many();
  test_options_share_the_token_they_are_given();
  test_results_out_of_range_are_empty_results();
  test_null_bodies_and_headers_are_refused();
  test_integer_settings_refuse_negative_and_huge_values();
  test_a_named_function_logs_and_base_urls_of_every_string_kind();

  std::printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
