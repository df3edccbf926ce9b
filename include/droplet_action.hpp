// droplet_action.hpp: the C++17 interface to droplet-action, header-only, over
// droplet_action.h.
//
//   droplet::Client client = droplet::ClientBuilder().token("...").build();
//   droplet::Result result = client.get(3164444, 36804636);
//   if (result.ok()) std::cout << result.action().type() << "\n";
//
// Ownership: every library handle has exactly one owner here, a move-only class that frees
// it in its destructor (Client, ClientBuilder, CancelToken, Result, Request). Nothing is
// ever freed by hand, on any path, exceptions included. A moved-from object is empty: its
// destructor does nothing, and calls on it fail as calls with a NULL handle do in C
// (DROPLET_STATUS_INVALID_ARGUMENT), never crash.
//
// Views: Action, Region, the std::string_view accessors of Result and Request, and Header
// point into memory that the owning Result or Request holds. They stay valid while that
// object lives, moves included (a move hands the memory over, it does not copy it).
// Calling them on a temporary Result does not compile, so that they cannot dangle.
//
// Errors: a call's failure is a value: a Result whose status() says why, with every field
// the library reports. get_or_throw() and wait_or_throw() throw droplet::Error instead,
// which carries the same fields. Building a client throws droplet::Error, with the reason
// that droplet_last_error_message() gives.
//
// Threads: a Client and a CancelToken may be used from many threads at once; a
// ClientBuilder, a Result and a Request from one at a time (or shared read-only).
#ifndef DROPLET_ACTION_HPP
#define DROPLET_ACTION_HPP

#include "droplet_action.h"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#if __cplusplus < 201703L && !(defined(_MSVC_LANG) && _MSVC_LANG >= 201703L)
#error "droplet_action.hpp needs C++17 or later"
#endif

namespace droplet {

// The outcome of a call: the values of droplet_status, in a scoped enum.
enum class Status : std::uint32_t {
  Ok = DROPLET_STATUS_OK,
  InvalidArgument = DROPLET_STATUS_INVALID_ARGUMENT,
  Transport = DROPLET_STATUS_TRANSPORT,
  Timeout = DROPLET_STATUS_TIMEOUT,
  ApiError = DROPLET_STATUS_API_ERROR,
  Decode = DROPLET_STATUS_DECODE,
  BodyTooLarge = DROPLET_STATUS_BODY_TOO_LARGE,
  ActionErrored = DROPLET_STATUS_ACTION_ERRORED,
  Panic = DROPLET_STATUS_PANIC,
  Cancelled = DROPLET_STATUS_CANCELLED,
};

// The status of an action: the values of droplet_action_status.
enum class ActionStatus : std::uint32_t {
  Unknown = DROPLET_ACTION_STATUS_UNKNOWN,
  InProgress = DROPLET_ACTION_STATUS_IN_PROGRESS,
  Completed = DROPLET_ACTION_STATUS_COMPLETED,
  Errored = DROPLET_ACTION_STATUS_ERRORED,
};

// The level of a log event, as the C callback numbers them.
enum class Level : std::uint32_t {
  Error = 1,
  Warn = 2,
  Info = 3,
  Debug = 4,
};

// The receiver of a client's log events: the level and a message that is valid only during
// the call. It runs on the thread that makes the call; with a client shared between
// threads it must be thread-safe. An exception it throws is swallowed.
using LogFunction = std::function<void(Level, std::string_view)>;

// A short, static name for a status ("ok", "cancelled", ...; "unknown status" otherwise).
inline std::string_view to_string(Status status) noexcept {
  return droplet_status_str(static_cast<std::uint32_t>(status));
}

// The library's version, "MAJOR.MINOR.PATCH", as the loaded library reports it.
inline std::string_view version() noexcept { return droplet_version(); }

// Why the last failed builder call, build, from_env or request build on this thread
// failed ("" after a successful build).
inline std::string last_error_message() { return droplet_last_error_message(); }

// The account's rate limit from the ratelimit-* headers of an answer.
struct RateLimit {
  std::int64_t limit;      // requests allowed in the window
  std::int64_t remaining;  // requests left in it
  std::int64_t reset;      // Unix seconds at which the oldest request expires
};

// One HTTP header, as views.
struct Header {
  std::string_view name;
  std::string_view value;
};

// One action to wait for, as wait_many takes them: {droplet_id, action_id}.
using ActionRef = droplet_action_ref;

namespace detail {

inline std::string_view text(const char *s) noexcept {
  return s != nullptr ? std::string_view(s) : std::string_view();
}

// Milliseconds as the C API takes them: negative counts as 0, the top is capped.
inline std::uint32_t clamp_ms(std::chrono::milliseconds ms) noexcept {
  if (ms.count() <= 0) return 0;
  constexpr auto top = std::numeric_limits<std::uint32_t>::max();
  if (ms.count() >= static_cast<std::chrono::milliseconds::rep>(top)) return top;
  return static_cast<std::uint32_t>(ms.count());
}

// A NUL-terminated copy of a view; a NUL byte inside cannot cross as a C string.
inline std::string c_string(std::string_view setting, std::string_view value);

extern "C" inline void droplet_cpp_log_trampoline(void *userdata, std::uint32_t level,
                                                   const char *message) noexcept {
  try {
    const auto &function = *static_cast<const LogFunction *>(userdata);
    function(static_cast<Level>(level), text(message));
  } catch (...) {
    // An exception must not unwind into the library; the event is dropped.
  }
}

}  // namespace detail

// A region, as embedded in an action: a view into the Result that holds it.
class Region {
 public:
  explicit Region(const droplet_region &raw) noexcept : raw_(&raw) {}

  // The display name ("New York 3"); empty, with data() == nullptr, when absent.
  std::string_view name() const noexcept { return detail::text(raw_->name); }
  // The slug ("nyc3"); empty, with data() == nullptr, when absent.
  std::string_view slug() const noexcept { return detail::text(raw_->slug); }
  // The size slugs, in the order sent.
  std::vector<std::string_view> sizes() const { return list(raw_->sizes, raw_->sizes_len); }
  // The feature names, in the order sent.
  std::vector<std::string_view> features() const {
    return list(raw_->features, raw_->features_len);
  }
  // Whether new droplets can be created there; empty when the field was absent.
  std::optional<bool> available() const noexcept {
    return raw_->has_available ? std::optional<bool>(raw_->available) : std::nullopt;
  }
  const droplet_region &raw() const noexcept { return *raw_; }

 private:
  static std::vector<std::string_view> list(const char *const *items, std::size_t n) {
    std::vector<std::string_view> out;
    out.reserve(n);
    for (std::size_t i = 0; i < n; ++i) out.push_back(detail::text(items[i]));
    return out;
  }
  const droplet_region *raw_;
};

// A droplet action: a view into the Result that holds it. Every field is optional: strings
// are empty (data() == nullptr) when absent, numbers are std::optional.
class Action {
 public:
  explicit Action(const droplet_action &raw) noexcept : raw_(&raw) {}

  std::optional<std::int64_t> id() const noexcept { return number(raw_->id, raw_->has_id); }
  // The status; Unknown when absent or one this library does not know (see status_text).
  ActionStatus status() const noexcept { return static_cast<ActionStatus>(raw_->status); }
  // The status exactly as sent ("in-progress", "completed", ...).
  std::string_view status_text() const noexcept { return detail::text(raw_->status_text); }
  // The kind of action ("create", ...).
  std::string_view type() const noexcept { return detail::text(raw_->type); }
  // The kind of resource ("droplet", ...).
  std::string_view resource_type() const noexcept {
    return detail::text(raw_->resource_type);
  }
  std::string_view region_slug() const noexcept { return detail::text(raw_->region_slug); }
  std::optional<std::int64_t> resource_id() const noexcept {
    return number(raw_->resource_id, raw_->has_resource_id);
  }
  // When the action started, as sent (RFC 3339).
  std::string_view started_at() const noexcept { return detail::text(raw_->started_at); }
  // started_at in whole seconds since the Unix epoch.
  std::optional<std::int64_t> started_at_unix() const noexcept {
    return number(raw_->started_at_unix, raw_->has_started_at);
  }
  // When the action ended, as sent (RFC 3339); empty while it runs.
  std::string_view completed_at() const noexcept { return detail::text(raw_->completed_at); }
  std::optional<std::int64_t> completed_at_unix() const noexcept {
    return number(raw_->completed_at_unix, raw_->has_completed_at);
  }
  // The region; empty when absent or null.
  std::optional<Region> region() const noexcept {
    return raw_->region != nullptr ? std::optional<Region>(Region(*raw_->region))
                                   : std::nullopt;
  }
  const droplet_action &raw() const noexcept { return *raw_; }

 private:
  static std::optional<std::int64_t> number(std::int64_t value, bool present) noexcept {
    return present ? std::optional<std::int64_t>(value) : std::nullopt;
  }
  const droplet_action *raw_;
};

// Everything one call returns: owns a droplet_action_result and frees it once. Move-only.
class [[nodiscard]] Result {
 public:
  // Takes ownership of a result returned by the library.
  explicit Result(droplet_action_result raw) noexcept : raw_(raw) {}
  // A moved-from Result holds nothing and reports Status::InvalidArgument, never ok().
  Result(Result &&other) noexcept : raw_(std::exchange(other.raw_, empty())) {}
  Result &operator=(Result &&other) noexcept {
    if (this != &other) {
      droplet_action_result_free(&raw_);
      raw_ = std::exchange(other.raw_, empty());
    }
    return *this;
  }
  Result(const Result &) = delete;
  Result &operator=(const Result &) = delete;
  ~Result() { droplet_action_result_free(&raw_); }

  bool ok() const noexcept { return raw_.status == DROPLET_STATUS_OK; }
  Status status() const noexcept { return static_cast<Status>(raw_.status); }
  // The HTTP status of the last answer; 0 when none came.
  std::uint16_t http_status() const noexcept { return raw_.http_status; }
  // How many requests were sent (0 when the call was refused before sending).
  std::uint32_t attempts() const noexcept { return raw_.attempts; }
  // How many polls the wait that made this result sent (0 for a get or a parse).
  std::uint32_t polls() const noexcept { return droplet_action_result_polls(&raw_); }

  // Whether an action came: on ok(), on ActionErrored, and on a wait's Timeout or
  // Cancelled (the last state seen).
  bool has_action() const noexcept { return raw_.action != nullptr; }
  // The action; throws std::logic_error when has_action() is false.
  Action action() const & {
    if (raw_.action == nullptr) throw std::logic_error("the result holds no action");
    return Action(*raw_.action);
  }
  Action action() const && = delete;

  // What went wrong; empty when ok().
  std::string_view error_message() const & noexcept { return detail::text(raw_.error_message); }
  std::string_view error_message() const && = delete;
  // The API's error id ("not_found", ...); empty when there is none.
  std::string_view error_id() const & noexcept { return detail::text(raw_.error_id); }
  std::string_view error_id() const && = delete;
  // The request id of the last answer; empty when there is none.
  std::string_view request_id() const & noexcept { return detail::text(raw_.request_id); }
  std::string_view request_id() const && = delete;
  // The last body received, byte for byte (it may hold anything); empty when none was kept.
  std::string_view raw_body() const & noexcept {
    return raw_.raw_body != nullptr ? std::string_view(raw_.raw_body, raw_.raw_body_len)
                                    : std::string_view();
  }
  std::string_view raw_body() const && = delete;
  // The rate limit of the last answer; empty when its headers were absent.
  std::optional<RateLimit> rate_limit() const noexcept {
    if (!raw_.rate_limit.present) return std::nullopt;
    return RateLimit{raw_.rate_limit.limit, raw_.rate_limit.remaining, raw_.rate_limit.reset};
  }

  // The retry policy as data: whether the request that gave this result (attempt number
  // `attempt`, from 1) should be sent again, and after how long; empty when it should not.
  // `random` is any 64-bit random number (the jitter).
  std::optional<std::chrono::milliseconds> retry_advice(std::uint32_t attempt,
                                                        std::uint32_t max_retries,
                                                        std::uint64_t random) const noexcept {
    std::uint64_t delay_ms = 0;
    if (!droplet_retry_advice(&raw_, attempt, max_retries, random, &delay_ms)) {
      return std::nullopt;
    }
    return std::chrono::milliseconds(static_cast<std::chrono::milliseconds::rep>(delay_ms));
  }

  // The C result, still owned by this object.
  const droplet_action_result &raw() const noexcept { return raw_; }
  // Gives the C result up: the caller frees it with droplet_action_result_free. This
  // object is then empty, as a moved-from one.
  droplet_action_result release() noexcept { return std::exchange(raw_, empty()); }

 private:
  static droplet_action_result empty() noexcept {
    droplet_action_result raw{};
    raw.status = DROPLET_STATUS_INVALID_ARGUMENT;
    return raw;
  }
  droplet_action_result raw_;
};

// Classifies an answer that the caller's own HTTP stack received, exactly as Client::get
// classifies one: ok() with the action, Status::ApiError, Status::Decode or
// Status::BodyTooLarge (above 4 MiB); attempts() is 0. The sans-IO half of Request. A header
// whose name or value holds a NUL byte is ignored, as the library ignores any header that
// is not valid HTTP.
inline Result parse_response(std::uint16_t http_status, const std::vector<Header> &headers,
                             std::string_view body) {
  std::vector<std::string> strings;
  strings.reserve(headers.size() * 2);
  std::vector<droplet_header> raw;
  raw.reserve(headers.size());
  for (const Header &header : headers) {
    if (header.name.find('\0') != std::string_view::npos ||
        header.value.find('\0') != std::string_view::npos) {
      continue;
    }
    strings.emplace_back(header.name);
    const char *name = strings.back().c_str();
    strings.emplace_back(header.value);
    raw.push_back(droplet_header{name, strings.back().c_str()});
  }
  return Result(droplet_response_parse(
      http_status, raw.empty() ? nullptr : raw.data(), raw.size(),
      reinterpret_cast<const std::uint8_t *>(body.data()), body.size()));
}

// Thrown by get_or_throw and wait_or_throw (with the failed call's Result) and when a
// client cannot be built (status InvalidArgument, no result). Cheap to copy: the result is
// shared between copies; the views it hands out live as long as the last copy.
class Error : public std::runtime_error {
 public:
  // A failure with no result: what() is the message.
  Error(Status status, const std::string &message)
      : std::runtime_error(message), status_(status) {}
  // A failed call: what() is its error message.
  explicit Error(Result result)
      : std::runtime_error(std::string(result.error_message())),
        status_(result.status()),
        result_(std::make_shared<const Result>(std::move(result))) {}

  Status status() const noexcept { return status_; }
  // The failed call's result, or nullptr for a failure that has none.
  const Result *result() const noexcept { return result_.get(); }

  // The fields of the result (zero or empty when there is none).
  std::string_view error_message() const noexcept { return what(); }
  std::uint16_t http_status() const noexcept { return result_ ? result_->http_status() : 0; }
  std::uint32_t attempts() const noexcept { return result_ ? result_->attempts() : 0; }
  std::uint32_t polls() const noexcept { return result_ ? result_->polls() : 0; }
  std::string_view error_id() const noexcept {
    return result_ ? result_->error_id() : std::string_view();
  }
  std::string_view request_id() const noexcept {
    return result_ ? result_->request_id() : std::string_view();
  }
  std::string_view raw_body() const noexcept {
    return result_ ? result_->raw_body() : std::string_view();
  }
  std::optional<RateLimit> rate_limit() const noexcept {
    return result_ ? result_->rate_limit() : std::nullopt;
  }
  // The action that came with the failure: the errored action, or a wait's last state.
  bool has_action() const noexcept { return result_ && result_->has_action(); }
  // Throws std::logic_error when has_action() is false.
  Action action() const {
    if (!result_) throw std::logic_error("the error holds no action");
    return result_->action();
  }

 private:
  Status status_;
  std::shared_ptr<const Result> result_;
};

namespace detail {

inline std::string c_string(std::string_view setting, std::string_view value) {
  if (value.find('\0') != std::string_view::npos) {
    throw Error(Status::InvalidArgument, std::string(setting) + ": the string holds a NUL byte");
  }
  return std::string(value);
}

inline void check(droplet_status status) {
  if (status != DROPLET_STATUS_OK) {
    throw Error(static_cast<Status>(status), droplet_last_error_message());
  }
}

}  // namespace detail

// A cancellation token: trigger() ends every call that holds it with Status::Cancelled
// within about 20 ms, from any thread. Once triggered it stays triggered. It must outlive
// every call that holds it. Move-only.
class CancelToken {
 public:
  // A token that is not triggered; throws std::bad_alloc if memory runs out.
  CancelToken() : raw_(droplet_cancel_new()) {
    if (raw_ == nullptr) throw std::bad_alloc();
  }
  CancelToken(CancelToken &&other) noexcept : raw_(std::exchange(other.raw_, nullptr)) {}
  CancelToken &operator=(CancelToken &&other) noexcept {
    if (this != &other) {
      droplet_cancel_free(raw_);
      raw_ = std::exchange(other.raw_, nullptr);
    }
    return *this;
  }
  CancelToken(const CancelToken &) = delete;
  CancelToken &operator=(const CancelToken &) = delete;
  ~CancelToken() { droplet_cancel_free(raw_); }

  // Thread-safe and async-signal-safe; does nothing on a moved-from token.
  void trigger() const noexcept { droplet_cancel_trigger(raw_); }
  // False for a moved-from token.
  bool triggered() const noexcept { return droplet_cancel_is_triggered(raw_); }
  const droplet_cancel *raw() const noexcept { return raw_; }

 private:
  droplet_cancel *raw_;
};

// Options for one call; unset fields (or a zero or negative duration) mean the client's
// setting, and durations above UINT32_MAX ms are capped. It refers to the token it is
// given, which must outlive the call.
class CallOptions {
 public:
  CallOptions() noexcept = default;

  // Ends the call with Status::Cancelled when the token is triggered.
  CallOptions &cancel(const CancelToken &token) noexcept {
    raw_.cancel = token.raw();
    return *this;
  }
  // A get: the longest the whole call may take, retries and pauses included. A wait: its
  // deadline (unset: ten minutes).
  CallOptions &timeout(std::chrono::milliseconds timeout) noexcept {
    raw_.timeout_ms = detail::clamp_ms(timeout);
    return *this;
  }
  // Waits only: the pause between polls (unset: 3 s).
  CallOptions &poll_interval(std::chrono::milliseconds interval) noexcept {
    raw_.poll_interval_ms = detail::clamp_ms(interval);
    return *this;
  }
  const droplet_call_options &raw() const noexcept { return raw_; }

 private:
  droplet_call_options raw_{sizeof(droplet_call_options), nullptr, 0, 0};
};

class ClientBuilder;

// A client for the API. Thread-safe: share one between threads (by reference); calls on it
// may run at the same time. Move-only; it owns its log function, which lives exactly as
// long as the client.
class [[nodiscard]] Client {
 public:
  // From DIGITALOCEAN_ACCESS_TOKEN (else DIGITALOCEAN_TOKEN) and DIGITALOCEAN_API_URL.
  // Throws Error with the reason when no token is set or a setting is invalid.
  static Client from_env() {
    droplet_client *raw = droplet_client_new_from_env();
    if (raw == nullptr) {
      throw Error(Status::InvalidArgument, droplet_last_error_message());
    }
    return Client(raw, nullptr);
  }

  Client(Client &&other) noexcept
      : raw_(std::exchange(other.raw_, nullptr)), log_(std::move(other.log_)) {}
  Client &operator=(Client &&other) noexcept {
    if (this != &other) {
      droplet_client_free(raw_);  // before the log function it may call
      raw_ = std::exchange(other.raw_, nullptr);
      log_ = std::move(other.log_);
    }
    return *this;
  }
  Client(const Client &) = delete;
  Client &operator=(const Client &) = delete;
  // No call on the client may be running.
  ~Client() { droplet_client_free(raw_); }  // log_ goes after, once nothing can call it

  // GET /v2/droplets/{droplet_id}/actions/{action_id}, with the client's retries and
  // timeouts. Blocks until done; failures are in the Result.
  Result get(std::int64_t droplet_id, std::int64_t action_id) const noexcept {
    return Result(droplet_action_get(raw_, droplet_id, action_id));
  }
  // The same with per-call options: a cancel token and a limit on the whole call.
  Result get(std::int64_t droplet_id, std::int64_t action_id,
             const CallOptions &options) const noexcept {
    return Result(droplet_action_get_opts(raw_, droplet_id, action_id, &options.raw()));
  }

  // Polls until the action finishes (ok()), ends errored (Status::ActionErrored) or
  // `timeout` passes (Status::Timeout, with the last state seen). A zero poll interval
  // means 3 s; a zero timeout is Status::InvalidArgument.
  Result wait(std::int64_t droplet_id, std::int64_t action_id, std::chrono::milliseconds timeout,
              std::chrono::milliseconds poll_interval = {}) const
      noexcept {
    return Result(droplet_action_wait(raw_, droplet_id, action_id, detail::clamp_ms(timeout),
                                      detail::clamp_ms(poll_interval)));
  }
  // The same with per-call options: a cancel token, the deadline (unset: ten minutes) and
  // the poll interval (unset: 3 s).
  Result wait(std::int64_t droplet_id, std::int64_t action_id,
              const CallOptions &options) const noexcept {
    return Result(droplet_action_wait_opts(raw_, droplet_id, action_id, &options.raw()));
  }

  // get, returning only an ok() Result and throwing Error with the result otherwise.
  Result get_or_throw(std::int64_t droplet_id, std::int64_t action_id) const {
    return or_throw(get(droplet_id, action_id));
  }
  Result get_or_throw(std::int64_t droplet_id, std::int64_t action_id,
                      const CallOptions &options) const {
    return or_throw(get(droplet_id, action_id, options));
  }
  // wait, returning only an ok() Result (a completed action) and throwing Error otherwise.
  Result wait_or_throw(std::int64_t droplet_id, std::int64_t action_id,
                       std::chrono::milliseconds timeout,
                       std::chrono::milliseconds poll_interval = {})
      const {
    return or_throw(wait(droplet_id, action_id, timeout, poll_interval));
  }
  Result wait_or_throw(std::int64_t droplet_id, std::int64_t action_id,
                       const CallOptions &options) const {
    return or_throw(wait(droplet_id, action_id, options));
  }

  // Waits for many actions at once under the client's one rate budget and connection
  // pool, polling in turn (the one that started earliest first) until each finishes, the
  // shared deadline passes (options.timeout, unset: ten minutes) or the token is
  // triggered. Returns one Result per ref, in the same order, each as wait() would give it
  // for that ref alone; an empty `refs` gives an empty vector. Throws only std::bad_alloc,
  // before anything is sent.
  std::vector<Result> wait_many(const std::vector<ActionRef> &refs,
                                const CallOptions &options = CallOptions()) const {
    std::vector<Result> out;
    if (refs.empty()) return out;
    out.reserve(refs.size());  // every allocation happens before the results exist
    // A slot the library leaves unfilled reports Status::Panic.
    droplet_action_result unfilled{};
    unfilled.status = DROPLET_STATUS_PANIC;
    std::vector<droplet_action_result> raw(refs.size(), unfilled);
    droplet_actions_wait(raw_, refs.data(), refs.size(), &options.raw(), raw.data());
    for (const droplet_action_result &result : raw) out.emplace_back(result);  // noexcept
    return out;
  }
  // wait_many, returning only when every action completed and throwing Error with the
  // first result, in the order of `refs`, that is not ok() otherwise.
  std::vector<Result> wait_many_or_throw(const std::vector<ActionRef> &refs,
                                         const CallOptions &options = CallOptions()) const {
    std::vector<Result> results = wait_many(refs, options);
    for (Result &result : results) {
      if (!result.ok()) throw Error(std::move(result));
    }
    return results;
  }

  // The C client, still owned by this object (NULL once moved from).
  const droplet_client *raw() const noexcept { return raw_; }

 private:
  friend class ClientBuilder;
  Client(droplet_client *raw, std::unique_ptr<LogFunction> log) noexcept
      : raw_(raw), log_(std::move(log)) {}
  static Result or_throw(Result result) {
    if (!result.ok()) throw Error(std::move(result));
    return result;
  }

  droplet_client *raw_;
  std::unique_ptr<LogFunction> log_;
};

// The settings of a client. Each setter checks its value at once and throws Error (status
// InvalidArgument, the reason in what()) when it is refused; build() consumes the builder.
// Move-only; not thread-safe.
class ClientBuilder {
 public:
  // The defaults: base URL https://api.digitalocean.com, 30 s per attempt, 10 s to
  // connect, 2 retries, 4 MiB body limit, no proxy. Throws std::bad_alloc if memory runs
  // out.
  ClientBuilder() : raw_(droplet_client_builder_new()) {
    if (raw_ == nullptr) throw std::bad_alloc();
  }
  ClientBuilder(ClientBuilder &&other) noexcept
      : raw_(std::exchange(other.raw_, nullptr)), log_(std::move(other.log_)) {}
  ClientBuilder &operator=(ClientBuilder &&other) noexcept {
    if (this != &other) {
      droplet_client_builder_free(raw_);
      raw_ = std::exchange(other.raw_, nullptr);
      log_ = std::move(other.log_);
    }
    return *this;
  }
  ClientBuilder(const ClientBuilder &) = delete;
  ClientBuilder &operator=(const ClientBuilder &) = delete;
  ~ClientBuilder() { droplet_client_builder_free(raw_); }

  // The API token (required); copied, and never part of any message.
  ClientBuilder &token(std::string_view token) {
    detail::check(droplet_client_builder_set_token(raw_, detail::c_string("token", token).c_str()));
    return *this;
  }
  // The API base URL. Plain http is accepted for loopback hosts only, unless
  // allow_insecure_http(true).
  ClientBuilder &base_url(std::string_view url) {
    detail::check(
        droplet_client_builder_set_base_url(raw_, detail::c_string("base_url", url).c_str()));
    return *this;
  }
  // The longest one attempt may take, connecting to the end of the body (above 0).
  ClientBuilder &timeout(std::chrono::milliseconds timeout) {
    detail::check(droplet_client_builder_set_timeout_ms(raw_, detail::clamp_ms(timeout)));
    return *this;
  }
  // The longest connecting may take (above 0).
  ClientBuilder &connect_timeout(std::chrono::milliseconds timeout) {
    detail::check(
        droplet_client_builder_set_connect_timeout_ms(raw_, detail::clamp_ms(timeout)));
    return *this;
  }
  // How many times a failed request is sent again (connection errors, 408, 429, 5xx).
  ClientBuilder &max_retries(std::uint32_t retries) {
    detail::check(droplet_client_builder_set_max_retries(raw_, retries));
    return *this;
  }
  // The backoff between retries: full jitter under base * 2^retry, capped at max.
  ClientBuilder &backoff(std::chrono::milliseconds base, std::chrono::milliseconds max) {
    detail::check(droplet_client_builder_set_backoff_ms(raw_, detail::clamp_ms(base),
                                                        detail::clamp_ms(max)));
    return *this;
  }
  // The largest answer body accepted, in bytes (above 0).
  ClientBuilder &body_limit(std::uint64_t bytes) {
    detail::check(droplet_client_builder_set_body_limit(raw_, bytes));
    return *this;
  }
  ClientBuilder &user_agent(std::string_view user_agent) {
    detail::check(droplet_client_builder_set_user_agent(
        raw_, detail::c_string("user_agent", user_agent).c_str()));
    return *this;
  }
  // http://[user:password@]host:port, socks4://, socks4a://, socks5:// or socks5h://.
  ClientBuilder &proxy(std::string_view proxy_url) {
    detail::check(
        droplet_client_builder_set_proxy(raw_, detail::c_string("proxy", proxy_url).c_str()));
    return *this;
  }
  // Allows a plain http base URL to a host that is not loopback.
  ClientBuilder &allow_insecure_http(bool allow = true) {
    detail::check(droplet_client_builder_set_allow_insecure_http(raw_, allow));
    return *this;
  }
  // Trusts the certificate authorities of a PEM file too (checked now, read at build).
  ClientBuilder &ca_file(std::string_view path) {
    detail::check(
        droplet_client_builder_set_ca_file(raw_, detail::c_string("ca_file", path).c_str()));
    return *this;
  }
  // Sends the client's events at or above `max_level` to `function`, which the client
  // owns from build() on. An empty function turns logging off.
  ClientBuilder &log(LogFunction function, Level max_level = Level::Debug) {
    if (!function) {
      detail::check(droplet_client_builder_set_log_callback(raw_, nullptr, nullptr, 0));
      log_.reset();
      return *this;
    }
    auto held = std::make_unique<LogFunction>(std::move(function));
    detail::check(droplet_client_builder_set_log_callback(
        raw_, &detail::droplet_cpp_log_trampoline, held.get(),
        static_cast<std::uint32_t>(max_level)));
    log_ = std::move(held);  // the previous function is no longer referenced
    return *this;
  }

  // Builds the client; the builder is empty afterwards, whatever happens. Throws Error
  // with the reason (no token, plain http to a remote host, ...).
  Client build() {
    droplet_client_builder *raw = std::exchange(raw_, nullptr);
    std::unique_ptr<LogFunction> log = std::move(log_);
    droplet_client *client = nullptr;
    detail::check(droplet_client_builder_build(raw, &client));
    return Client(client, std::move(log));
  }

  // The C builder, still owned by this object (NULL once built or moved from).
  droplet_client_builder *raw() noexcept { return raw_; }

 private:
  droplet_client_builder *raw_;
  std::unique_ptr<LogFunction> log_;
};

// The request Client::get would send first, for callers that bring their own HTTP stack;
// hand its answer to parse_response. It holds the token: do not log it. Move-only.
class [[nodiscard]] Request {
 public:
  // Throws Error (status InvalidArgument) with the reason. No base URL means
  // https://api.digitalocean.com; plain http is refused for a host that is not loopback.
  static Request build(std::optional<std::string_view> base_url, std::string_view token,
                       std::int64_t droplet_id, std::int64_t action_id) {
    std::string url;
    if (base_url) url = detail::c_string("request_build: base_url", *base_url);
    const std::string secret = detail::c_string("request_build: token", token);
    droplet_request raw{};
    detail::check(droplet_request_build(base_url ? url.c_str() : nullptr, secret.c_str(),
                                        droplet_id, action_id, &raw));
    return Request(raw);
  }

  Request(Request &&other) noexcept : raw_(other.raw_) { other.raw_ = droplet_request{}; }
  Request &operator=(Request &&other) noexcept {
    if (this != &other) {
      droplet_request_free(&raw_);
      raw_ = other.raw_;
      other.raw_ = droplet_request{};
    }
    return *this;
  }
  Request(const Request &) = delete;
  Request &operator=(const Request &) = delete;
  ~Request() { droplet_request_free(&raw_); }

  // "GET".
  std::string_view method() const & noexcept { return detail::text(raw_.method); }
  std::string_view method() const && = delete;
  // The absolute URL.
  std::string_view url() const & noexcept { return detail::text(raw_.url); }
  std::string_view url() const && = delete;
  // The headers to send, the bearer token among them.
  std::vector<Header> headers() const & {
    std::vector<Header> out;
    out.reserve(raw_.headers_len);
    for (std::size_t i = 0; i < raw_.headers_len; ++i) {
      out.push_back(Header{detail::text(raw_.headers[i].name),
                           detail::text(raw_.headers[i].value)});
    }
    return out;
  }
  std::vector<Header> headers() const && = delete;
  const droplet_request &raw() const noexcept { return raw_; }

 private:
  explicit Request(droplet_request raw) noexcept : raw_(raw) {}
  droplet_request raw_;
};

static_assert(static_cast<std::uint32_t>(Status::Cancelled) == 9, "status numbers are fixed");
static_assert(!std::is_copy_constructible<Result>::value, "a Result owns its memory");
static_assert(std::is_nothrow_move_constructible<Result>::value &&
                  std::is_nothrow_move_constructible<Client>::value &&
                  std::is_nothrow_move_constructible<ClientBuilder>::value &&
                  std::is_nothrow_move_constructible<CancelToken>::value &&
                  std::is_nothrow_move_constructible<Request>::value,
              "moves never throw");

}  // namespace droplet

#endif  // DROPLET_ACTION_HPP
