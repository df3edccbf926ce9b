// droplet_action.hpp: the C++17 interface to droplet-action, header-only, over
// droplet_action.h.
//
//   droplet::Client client = droplet::ClientBuilder().token("...").build();
//   droplet::Result result = client.get(3164444, 36804636);
//   if (result.ok()) std::cout << result.action().type() << "\n";
//
// Ownership: every library handle has exactly one owner here, a move-only class that frees
// it in its destructor (Client, ClientBuilder, CancelToken, Result, Results, Request).
// Nothing is ever freed by hand, on any path, exceptions included. A moved-from object is
// empty: its destructor does nothing, and calls on it fail as calls with a NULL handle do in
// C (Status::InvalidArgument, with a message that says so), never crash. A moved-from
// CancelToken given to CallOptions::cancel makes the call fail the same way. CallOptions
// share the token they are given: it lives as long as the last of them, whatever becomes of
// the CancelToken object afterwards.
//
// Views: Action, Region, the std::string_view accessors of Result, Results, Error and
// Request, and Header point into memory that the owning object holds. They stay valid while
// that object lives, moves included (a move hands the memory over, it does not copy it).
// Every accessor of this header that returns a view or a raw handle is refused at compile
// time on a temporary owner (`client.get(1, 2).raw_body()`, `client.wait_many(refs).front()`,
// `client.wait_many(refs).take()`, `droplet::Error(result).error_id()`,
// `droplet::CallOptions().raw()` do not compile), a temporary CancelToken cannot be handed
// to CallOptions, and nullptr is no string. What the standard library hands out follows its
// own rules: a Result inside a temporary std::optional or std::vector, and
// std::exception::what() of a temporary Error, dangle as they would for any type.
// Errors: a call's failure is a value: a Result whose status() says why, with every field
// the library reports. get_or_throw() and wait_or_throw() throw droplet::Error instead,
// which carries the same fields. Building a client throws droplet::Error, with the reason
// that droplet::last_error_message() gives; try_build() and try_from_env() return an empty
// std::optional instead.
//
// Without exceptions (-fno-exceptions): everything that returns a value stays (get, wait,
// wait_many, parse_response, Request::try_build, ClientBuilder::try_build,
// Client::try_from_env, every setter); what throws is left out (build, from_env,
// Request::build, the *_or_throw calls). A setter then keeps the first refusal and
// try_build() reports it; Result::action() and Error::action() without an action, and a
// failed allocation, end the process (std::abort), as the standard library does there. The
// two modes live in inline namespaces of their own (droplet::exc, droplet::noexc), so files
// built each way link into one program without sharing an inline function; pass droplet
// objects only between files built the same way.
//
// Threads: a Client and a CancelToken may be used from many threads at once; a
// ClientBuilder, a Result and a Request from one at a time (or shared read-only).
#ifndef DROPLET_ACTION_HPP
#define DROPLET_ACTION_HPP

#include "droplet_action.h"

#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
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

// 1 when the compiler has exceptions enabled; define it to 0 to leave the throwing calls out.
#ifndef DROPLET_HPP_EXCEPTIONS
#if defined(__cpp_exceptions) || defined(__EXCEPTIONS) || defined(_CPPUNWIND)
#define DROPLET_HPP_EXCEPTIONS 1
#else
#define DROPLET_HPP_EXCEPTIONS 0
#endif
#endif

namespace droplet {
// The exception mode is part of every name (exc or noexc), so that a program whose files
// are built with and without -fno-exceptions links two sets of inline functions, never one
// body chosen by link order for both.
#if DROPLET_HPP_EXCEPTIONS
inline namespace exc {
#else
inline namespace noexc {
#endif

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
  RateLimited = DROPLET_STATUS_RATE_LIMITED,
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

// A point in time to the second on the system clock (std::chrono::sys_seconds in C++20).
using SysSeconds = std::chrono::time_point<std::chrono::system_clock, std::chrono::seconds>;

// A copyable log receiver, as ClientBuilder::log takes it (any callable with this shape is
// taken too, move-only ones included).
using LogFunction = std::function<void(Level, std::string_view)>;

// A short, static name for a status ("ok", "cancelled", ...; "unknown status" otherwise).
inline std::string_view to_string(Status status) noexcept {
  return droplet_status_str(static_cast<std::uint32_t>(status));
}

// The library's version, "MAJOR.MINOR.PATCH", as the loaded library reports it.
inline std::string_view version() noexcept { return droplet_version(); }

// The account's rate limit from the ratelimit-* headers of an answer.
struct RateLimit {
  std::int64_t limit;      // requests allowed in the window
  std::int64_t remaining;  // requests left in it
  std::int64_t reset;      // Unix seconds at which the oldest request expires

  // `reset` as a time point.
  SysSeconds reset_time() const noexcept { return SysSeconds(std::chrono::seconds(reset)); }
};

// One HTTP header, as views. Built from std::string_view, std::string or C strings; a
// NULL C string is remembered and refused by parse_response, a nullptr literal does not
// compile.
struct Header {
  std::string_view name;
  std::string_view value;

  Header() noexcept = default;
  template <class N, class V>
  Header(const N &header_name, const V &header_value) noexcept  // NOLINT: implicit on purpose
      : name(view(header_name)), value(view(header_value)),
        null_(is_null(header_name) || is_null(header_value)) {}
  Header(std::nullptr_t, std::nullptr_t) = delete;

  // Whether it was built from a NULL C string.
  bool null() const noexcept { return null_; }

 private:
  static std::string_view view(std::string_view s) noexcept { return s; }
  static std::string_view view(const char *s) noexcept {
    return s != nullptr ? std::string_view(s) : std::string_view();
  }
  static std::string_view view(std::nullptr_t) = delete;
  static bool is_null(std::string_view) noexcept { return false; }
  static bool is_null(const char *s) noexcept { return s == nullptr; }
  bool null_ = false;
};

// One action to wait for, as wait_many takes them: {droplet_id, action_id}.
using ActionRef = droplet_action_ref;

class Error;

namespace detail {

inline std::string_view text(const char *s) noexcept {
  return s != nullptr ? std::string_view(s) : std::string_view();
}

// The last failure this header refused on its own side (a NUL byte in a string, a NULL
// pointer), on this thread; it stands for droplet_last_error_message() until the library
// reports a failure or a build again.
struct LastError {
  std::string message;
  bool from_cpp = false;
  // What the library said when this header refused: a later failure of a C function
  // called directly (through raw()) changes it, and then the library's reason is newer.
  std::string library_then;
};
inline LastError &last_error() noexcept {
  static thread_local LastError last;
  return last;
}
inline void library_spoke() noexcept { last_error().from_cpp = false; }

// Milliseconds as the C API takes them, from any std::chrono::duration: to the nearest
// microsecond, then up to a whole millisecond (so a positive duration never becomes 0, which
// means "unset"),
// negative and NaN count as 0, the top is capped at UINT32_MAX.
template <class Rep, class Period>
std::uint32_t to_ms(std::chrono::duration<Rep, Period> duration) noexcept {
  const double ms = std::chrono::duration<double, std::milli>(duration).count();
  if (!(ms > 0.0)) return 0;
  constexpr double top = static_cast<double>(std::numeric_limits<std::uint32_t>::max());
  if (ms >= top) return std::numeric_limits<std::uint32_t>::max();
  // Whole microseconds first, so that a float's noise (0.001f s is 1.00000005 ms) does not
  // add a millisecond; a positive duration still never becomes 0.
  const double whole = std::ceil(std::round(ms * 1000.0) / 1000.0);
  return whole < 1.0 ? 1 : static_cast<std::uint32_t>(whole);
}

// A string argument: a std::string_view, a std::string or a C string. A NULL C string is
// refused when the call runs; a nullptr literal does not compile.
class Text {
 public:
  Text(std::string_view value) noexcept : value_(value) {}  // NOLINT: implicit on purpose
  Text(const std::string &value) noexcept : value_(value) {}  // NOLINT
  Text(const char *value) noexcept  // NOLINT
      : value_(value != nullptr ? std::string_view(value) : std::string_view()),
        null_(value == nullptr) {}
  Text(std::nullptr_t) = delete;

  std::string_view view() const noexcept { return value_; }
  bool null() const noexcept { return null_; }

 private:
  std::string_view value_;
  bool null_ = false;
};

// An optional base URL: std::nullopt (or an empty std::optional) for the default, else a
// Text. A nullptr literal does not compile; a NULL C string is refused when the call runs.
class BaseUrl {
 public:
  BaseUrl(std::nullopt_t) noexcept {}  // NOLINT
  BaseUrl(std::optional<std::string_view> url) noexcept : url_(url) {}  // NOLINT
  BaseUrl(const std::optional<std::string> &url) noexcept {  // NOLINT
    if (url) url_ = std::string_view(*url);
  }
  BaseUrl(std::string_view url) noexcept : url_(url) {}  // NOLINT
  BaseUrl(const std::string &url) noexcept : url_(std::string_view(url)) {}  // NOLINT
  BaseUrl(const char *url) noexcept : null_(url == nullptr) {  // NOLINT
    if (url != nullptr) url_ = std::string_view(url);
  }
  BaseUrl(std::nullptr_t) = delete;

  const std::optional<std::string_view> &value() const noexcept { return url_; }
  bool null() const noexcept { return null_; }

 private:
  std::optional<std::string_view> url_;
  bool null_ = false;
};

// A log receiver of any callable type, owned by the client.
class LogSink {
 public:
  LogSink() = default;
  LogSink(const LogSink &) = delete;
  LogSink &operator=(const LogSink &) = delete;
  virtual ~LogSink() = default;
  virtual void call(Level level, std::string_view message) = 0;

  // The C callback: hands each event to the sink behind `userdata`. An exception must not
  // unwind into the library, so the event is dropped instead.
  static void bridge(void *userdata, std::uint32_t level, const char *message) noexcept {
#if DROPLET_HPP_EXCEPTIONS
    try {
      static_cast<LogSink *>(userdata)->call(static_cast<Level>(level), text(message));
    } catch (...) {
    }
#else
    static_cast<LogSink *>(userdata)->call(static_cast<Level>(level), text(message));
#endif
  }
};

template <class F>
class LogSinkOf final : public LogSink {
 public:
  explicit LogSinkOf(F function) : function_(std::move(function)) {}
  void call(Level level, std::string_view message) override { function_(level, message); }

 private:
  F function_;
};

// Marks a Result made on this side of the boundary, with a static message.
struct Refusal {
  const char *message;
};

[[noreturn]] inline void abort_without_exceptions() noexcept { std::abort(); }

// An integer argument: any integer type but bool and the character types.
template <class Int>
using if_integer = std::enable_if_t<
    std::is_integral<Int>::value && !std::is_same<Int, bool>::value &&
        !std::is_same<Int, char>::value && !std::is_same<Int, signed char>::value &&
        !std::is_same<Int, unsigned char>::value && !std::is_same<Int, wchar_t>::value &&
        !std::is_same<Int, char16_t>::value && !std::is_same<Int, char32_t>::value,
    int>;

// `value` as a Target (an unsigned type), or empty when it is negative or too large.
template <class Target, class Int>
std::optional<Target> in_range(Int value) noexcept {
  if constexpr (std::is_signed<Int>::value) {
    if (value < 0) return std::nullopt;
  }
  using Unsigned = std::make_unsigned_t<Int>;
  if constexpr (std::numeric_limits<Unsigned>::digits > std::numeric_limits<Target>::digits) {
    if (static_cast<Unsigned>(value) > static_cast<Unsigned>(std::numeric_limits<Target>::max())) {
      return std::nullopt;
    }
  }
  return static_cast<Target>(value);
}

}  // namespace detail

// Why the last failed builder call, build, from_env or request build on this thread failed,
// whether the library refused it or this header did, C functions called directly through
// raw() included ("" after a successful build). A direct C call that fails with the very
// reason the library gave before this header's refusal is not told apart from it.
inline std::string last_error_message() {
  const detail::LastError &last = detail::last_error();
  const char *library = droplet_last_error_message();
  if (last.from_cpp && last.library_then == library) return last.message;
  return library;
}

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
// are empty (data() == nullptr) when absent, numbers and times are std::optional.
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
  // started_at as a time point (to the second).
  std::optional<SysSeconds> started_at_time() const noexcept {
    return time(raw_->started_at_unix, raw_->has_started_at);
  }
  // When the action ended, as sent (RFC 3339); empty while it runs.
  std::string_view completed_at() const noexcept { return detail::text(raw_->completed_at); }
  std::optional<std::int64_t> completed_at_unix() const noexcept {
    return number(raw_->completed_at_unix, raw_->has_completed_at);
  }
  // completed_at as a time point (to the second).
  std::optional<SysSeconds> completed_at_time() const noexcept {
    return time(raw_->completed_at_unix, raw_->has_completed_at);
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
  static std::optional<SysSeconds> time(std::int64_t unix_seconds, bool present) noexcept {
    return present ? std::optional<SysSeconds>(SysSeconds(std::chrono::seconds(unix_seconds)))
                   : std::nullopt;
  }
  const droplet_action *raw_;
};

// Everything one call returns: owns a droplet_action_result and frees it once. Move-only.
class [[nodiscard]] Result {
 public:
  // Takes ownership of a result returned by the library.
  explicit Result(droplet_action_result raw) noexcept : raw_(raw) {}
  // A call this header refused before reaching the library: Status::InvalidArgument with a
  // static message, nothing sent.
  explicit Result(detail::Refusal refusal) noexcept : raw_(empty()), note_(refusal.message) {}
  // A moved-from Result holds nothing and reports Status::InvalidArgument, never ok().
  Result(Result &&other) noexcept
      : raw_(std::exchange(other.raw_, empty())), note_(std::exchange(other.note_, kMovedFrom)) {}
  Result &operator=(Result &&other) noexcept {
    if (this != &other) {
      droplet_action_result_free(&raw_);
      raw_ = std::exchange(other.raw_, empty());
      note_ = std::exchange(other.note_, kMovedFrom);
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
  // The action; when has_action() is false it throws std::logic_error (without exceptions,
  // it aborts).
  Action action() const & {
    if (raw_.action == nullptr) {
#if DROPLET_HPP_EXCEPTIONS
      throw std::logic_error("the result holds no action");
#else
      detail::abort_without_exceptions();
#endif
    }
    return Action(*raw_.action);
  }
  Action action() const && = delete;

  // What went wrong; empty when ok().
  std::string_view error_message() const & noexcept {
    if (raw_.error_message != nullptr) return raw_.error_message;
    return ok() ? std::string_view() : detail::text(note_);
  }
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
  const droplet_action_result &raw() const & noexcept { return raw_; }
  const droplet_action_result &raw() const && = delete;
  // Gives the C result up: the caller frees it with droplet_action_result_free (so the
  // value must not be dropped). This object is then empty, as a moved-from one.
  [[nodiscard]] droplet_action_result release() noexcept {
    note_ = kMovedFrom;
    return std::exchange(raw_, empty());
  }

 private:
  static constexpr const char *kMovedFrom =
      "droplet::Result: moved from or released (it holds no result)";
  static droplet_action_result empty() noexcept {
    droplet_action_result raw{};
    raw.status = DROPLET_STATUS_INVALID_ARGUMENT;
    return raw;
  }
  droplet_action_result raw_;
  const char *note_ = nullptr;  // static text for a failure made on this side
};

// The results of wait_many, one per ref in the same order. Move-only; the accessors that
// hand out a Result (or a view into one) are refused on a temporary, so that
// `client.wait_many(refs).front().action()` does not compile; iterate it in a range-for,
// keep it in a variable, or take the vector out with take(). Out of range (or on an empty or
// moved-from Results) the accessors return an empty Result (Status::InvalidArgument,
// saying so) rather than reading past the end.
class [[nodiscard]] Results {
 public:
  using iterator = std::vector<Result>::iterator;
  using const_iterator = std::vector<Result>::const_iterator;

  Results() noexcept = default;
  explicit Results(std::vector<Result> results) noexcept : results_(std::move(results)) {}
  Results(Results &&) noexcept = default;
  Results &operator=(Results &&) noexcept = default;
  Results(const Results &) = delete;
  Results &operator=(const Results &) = delete;

  std::size_t size() const noexcept { return results_.size(); }
  bool empty() const noexcept { return results_.empty(); }
  // Whether there is at least one result and every one is ok() (as droplet_action_wait_many
  // returns OK).
  bool all_ok() const noexcept {
    if (results_.empty()) return false;
    for (const Result &result : results_) {
      if (!result.ok()) return false;
    }
    return true;
  }

  Result &operator[](std::size_t i) & noexcept { return at(i); }
  const Result &operator[](std::size_t i) const & noexcept { return at(i); }
  Result &operator[](std::size_t i) && = delete;
  const Result &operator[](std::size_t i) const && = delete;
  Result &front() & noexcept { return at(0); }
  const Result &front() const & noexcept { return at(0); }
  Result &front() && = delete;
  const Result &front() const && = delete;
  Result &back() & noexcept { return at(results_.size() - 1); }
  const Result &back() const & noexcept { return at(results_.size() - 1); }
  Result &back() && = delete;
  const Result &back() const && = delete;
  iterator begin() & noexcept { return results_.begin(); }
  const_iterator begin() const & noexcept { return results_.begin(); }
  iterator begin() && = delete;
  const_iterator begin() const && = delete;
  iterator end() & noexcept { return results_.end(); }
  const_iterator end() const & noexcept { return results_.end(); }
  iterator end() && = delete;
  const_iterator end() const && = delete;

  // Moves the results out into a vector (this object is empty afterwards). Only on a named
  // Results, so that no vector is a temporary whose elements could be handed out.
  [[nodiscard]] std::vector<Result> take() & noexcept { return std::move(results_); }
  std::vector<Result> take() && = delete;
  operator std::vector<Result>() && noexcept { return std::move(results_); }  // NOLINT

 private:
  // The empty Result handed out of range, reset at each use (this thread's own).
  static Result &none() noexcept {
    static thread_local Result result(detail::Refusal{kNoResult});
    result = Result(detail::Refusal{kNoResult});
    return result;
  }
  Result &at(std::size_t i) noexcept { return i < results_.size() ? results_[i] : none(); }
  const Result &at(std::size_t i) const noexcept {
    return i < results_.size() ? results_[i] : none();
  }
  static constexpr const char *kNoResult = "droplet::Results: no result at this index";
  std::vector<Result> results_;
};

// Classifies an answer that the caller's own HTTP stack received, exactly as Client::get
// classifies one: ok() with the action, Status::ApiError, Status::Decode or
// Status::BodyTooLarge (above 4 MiB); attempts() is 0. The sans-IO half of Request. Any
// integer status is taken (no narrowing warning at the call); one outside 0..65535 is
// Status::InvalidArgument. A header whose name or value holds a NUL byte is ignored, as the
// library ignores any header that is not valid HTTP.
template <class Int, detail::if_integer<Int> = 0>
Result parse_response(Int http_status, const std::vector<Header> &headers,
                      detail::Text body) {
  const std::optional<std::uint16_t> status = detail::in_range<std::uint16_t>(http_status);
  if (!status) {
    return Result(detail::Refusal{"parse_response: the HTTP status is outside 0..65535"});
  }
  if (body.null()) return Result(detail::Refusal{"parse_response: the body is NULL"});
  for (const Header &header : headers) {
    if (header.null()) {
      return Result(detail::Refusal{"parse_response: a header name or value is NULL"});
    }
  }
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
      *status, raw.empty() ? nullptr : raw.data(), raw.size(),
      reinterpret_cast<const std::uint8_t *>(body.view().data()), body.view().size()));
}

// Thrown by get_or_throw and wait_or_throw (with the failed call's Result) and when a
// client cannot be built (status InvalidArgument, no result). Cheap to copy: the result is
// shared between copies; the views it hands out live as long as the last copy, and are
// refused on a temporary Error.
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
  const Result *result() const & noexcept { return result_.get(); }
  const Result *result() const && = delete;

  // The fields of the result (zero or empty when there is none).
  std::string_view error_message() const & noexcept { return what(); }
  std::string_view error_message() const && = delete;
  std::uint16_t http_status() const noexcept { return result_ ? result_->http_status() : 0; }
  std::uint32_t attempts() const noexcept { return result_ ? result_->attempts() : 0; }
  std::uint32_t polls() const noexcept { return result_ ? result_->polls() : 0; }
  std::string_view error_id() const & noexcept {
    return result_ ? result_->error_id() : std::string_view();
  }
  std::string_view error_id() const && = delete;
  std::string_view request_id() const & noexcept {
    return result_ ? result_->request_id() : std::string_view();
  }
  std::string_view request_id() const && = delete;
  std::string_view raw_body() const & noexcept {
    return result_ ? result_->raw_body() : std::string_view();
  }
  std::string_view raw_body() const && = delete;
  std::optional<RateLimit> rate_limit() const noexcept {
    return result_ ? result_->rate_limit() : std::nullopt;
  }
  // The action that came with the failure: the errored action, or a wait's last state.
  bool has_action() const noexcept { return result_ && result_->has_action(); }
  // Throws std::logic_error when has_action() is false (without exceptions, aborts).
  Action action() const & {
    if (!result_) {
#if DROPLET_HPP_EXCEPTIONS
      throw std::logic_error("the error holds no action");
#else
      detail::abort_without_exceptions();
#endif
    }
    return result_->action();
  }
  Action action() const && = delete;

 private:
  Status status_;
  std::shared_ptr<const Result> result_;
};

namespace detail {

// Records a refusal made on this side, as last_error_message() then reports it.
inline void record(std::string message) {
  LastError &last = last_error();
  last.message = std::move(message);
  last.from_cpp = true;
  last.library_then = droplet_last_error_message();
}

// A NUL-terminated copy of a string argument, or empty (the refusal recorded): a NULL C
// string or a NUL byte inside cannot cross as a C string.
inline std::optional<std::string> c_string_or_record(std::string_view setting,
                                                     const Text &value) {
  if (value.null()) {
    record(std::string(setting) + ": the string is NULL");
    return std::nullopt;
  }
  if (value.view().find('\0') != std::string_view::npos) {
    record(std::string(setting) + ": the string holds a NUL byte");
    return std::nullopt;
  }
  return std::string(value.view());
}

// c_string_or_record that throws the refusal as an Error when exceptions are on.
inline std::optional<std::string> c_string(std::string_view setting, const Text &value) {
  std::optional<std::string> copy = c_string_or_record(setting, value);
#if DROPLET_HPP_EXCEPTIONS
  if (!copy) throw Error(Status::InvalidArgument, last_error().message);
#endif
  return copy;
}

// A library status: true for OK; otherwise the reason is droplet_last_error_message() and,
// when exceptions are on, it is thrown as an Error.
inline bool check(droplet_status status) {
  if (status == DROPLET_STATUS_OK) return true;
  library_spoke();
#if DROPLET_HPP_EXCEPTIONS
  throw Error(static_cast<Status>(status), droplet_last_error_message());
#else
  return false;
#endif
}

}  // namespace detail

// A cancellation token: cancel() ends every call that holds it with Status::Cancelled
// within about 20 ms, from any thread. Once cancelled it stays cancelled. CallOptions given
// the token share it, so the C token lives as long as the last of them, whatever becomes of
// this object (moved, reassigned or destroyed). Move-only.
class CancelToken {
 public:
  // A token that is not cancelled. If memory runs out it throws std::bad_alloc (without
  // exceptions, the process ends).
  CancelToken() : raw_(droplet_cancel_token_new(), &droplet_cancel_token_free) {
#if DROPLET_HPP_EXCEPTIONS
    if (raw_ == nullptr) throw std::bad_alloc();
#else
    if (raw_ == nullptr) detail::abort_without_exceptions();
#endif
  }
  CancelToken(CancelToken &&other) noexcept = default;
  CancelToken &operator=(CancelToken &&other) noexcept = default;
  CancelToken(const CancelToken &) = delete;
  CancelToken &operator=(const CancelToken &) = delete;
  ~CancelToken() = default;

  // Thread-safe and async-signal-safe; does nothing on a moved-from token.
  void cancel() const noexcept { droplet_cancel_token_cancel(raw_.get()); }
  // False for a moved-from token.
  bool is_cancelled() const noexcept { return droplet_cancel_token_is_cancelled(raw_.get()); }
  // The names of earlier versions.
  [[deprecated("use cancel()")]] void trigger() const noexcept { cancel(); }
  [[deprecated("use is_cancelled()")]] bool triggered() const noexcept { return is_cancelled(); }
  // The C token (NULL once moved from), valid while this object or CallOptions given it
  // live.
  const droplet_cancel_token *raw() const & noexcept { return raw_.get(); }
  const droplet_cancel_token *raw() const && = delete;

 private:
  friend class CallOptions;
  std::shared_ptr<droplet_cancel_token> raw_;
};

class Client;

// What a wait reports after each request (droplet_poll_event): the response's action
// status, or the failure a retry answers. `status_text` is valid only during the call.
struct PollEvent {
  std::int64_t droplet_id;
  std::int64_t action_id;
  ActionStatus status;
  // The status as sent; empty when absent.
  std::optional<std::string_view> status_text;
  // The response's HTTP status; 0 when none came.
  std::uint16_t http_status;
  std::chrono::milliseconds elapsed;
  std::uint32_t polls;
  std::uint32_t requests;
  // Until the next poll; empty once the wait is over.
  std::optional<std::chrono::milliseconds> next_poll_in;
};

// Options for one call; unset fields (or a zero or negative duration) mean the client's
// setting; durations of any std::chrono type are taken to the microsecond, then rounded up
// to whole milliseconds and capped at UINT32_MAX ms. They share the token they are given
// (see CancelToken). Setters on a named object return it by reference; on a temporary, by
// value (so `auto &&options = CallOptions().timeout(1s);` holds a live object).
class CallOptions {
 public:
  CallOptions() noexcept = default;

  // Ends the call with Status::Cancelled when the token is cancelled. A moved-from token
  // makes the call fail with Status::InvalidArgument; a temporary one does not compile (a
  // token nobody else holds could never be cancelled).
  CallOptions &cancel(const CancelToken &token) & noexcept {
    token_ = token.raw_;
    raw_.cancel = token_.get();
    cancel_moved_from_ = token_ == nullptr;
    return *this;
  }
  CallOptions cancel(const CancelToken &token) && noexcept {
    cancel(token);
    return std::move(*this);
  }
  CallOptions &cancel(const CancelToken &&token) & = delete;
  CallOptions cancel(const CancelToken &&token) && = delete;

  // A get: the longest the whole call may take, retries and pauses included. A wait: its
  // deadline (unset: ten minutes).
  template <class Rep, class Period>
  CallOptions &timeout(std::chrono::duration<Rep, Period> timeout) & noexcept {
    raw_.timeout_ms = detail::to_ms(timeout);
    return *this;
  }
  template <class Rep, class Period>
  CallOptions timeout(std::chrono::duration<Rep, Period> timeout) && noexcept {
    this->timeout(timeout);
    return std::move(*this);
  }
  // Waits only: the pause between polls (unset: 3 s).
  template <class Rep, class Period>
  CallOptions &poll_interval(std::chrono::duration<Rep, Period> interval) & noexcept {
    raw_.poll_interval_ms = detail::to_ms(interval);
    return *this;
  }
  template <class Rep, class Period>
  CallOptions poll_interval(std::chrono::duration<Rep, Period> interval) && noexcept {
    poll_interval(interval);
    return std::move(*this);
  }
  // Waits only: `function` (any callable taking `const PollEvent &`, move-only ones too) is
  // called with each PollEvent, on the thread that waits, after each request. Copies of
  // these options, and a Waiter made with them, share it. An empty std::function, a null
  // function pointer or nullptr turns it off. An exception it throws must not unwind into
  // the library, so it is dropped instead.
  template <class F, std::enable_if_t<std::is_invocable<std::decay_t<F> &, const PollEvent &>::value,
                                      int> = 0>
  CallOptions &on_poll(F &&function) & {
    using Fn = std::decay_t<F>;
    // A function named directly is never null; anything else that tests as bool may be.
    if constexpr (!std::is_function<std::remove_reference_t<F>>::value &&
                  std::is_constructible<bool, const Fn &>::value) {
      if (!static_cast<bool>(function)) return on_poll(nullptr);
    }
    auto held = std::make_shared<Fn>(std::forward<F>(function));
    raw_.on_poll = &poll_bridge<Fn>;
    raw_.on_poll_userdata = held.get();
    on_poll_ = std::move(held);
    return *this;
  }
  template <class F, std::enable_if_t<std::is_invocable<std::decay_t<F> &, const PollEvent &>::value,
                                      int> = 0>
  CallOptions on_poll(F &&function) && {
    on_poll(std::forward<F>(function));
    return std::move(*this);
  }
  CallOptions &on_poll(std::nullptr_t) & noexcept {
    raw_.on_poll = nullptr;
    raw_.on_poll_userdata = nullptr;
    on_poll_.reset();
    return *this;
  }
  CallOptions on_poll(std::nullptr_t) && noexcept {
    on_poll(nullptr);
    return std::move(*this);
  }
  // The C options, valid while this object lives.
  const droplet_call_options &raw() const & noexcept { return raw_; }
  const droplet_call_options &raw() const && = delete;

 private:
  friend class Client;
  friend class Waiter;
  template <class F>
  static void poll_bridge(void *userdata, const droplet_poll_event *raw) noexcept {
    PollEvent event{
        raw->droplet_id,
        raw->action_id,
        static_cast<ActionStatus>(raw->status),
        raw->status_text != nullptr ? std::optional<std::string_view>(raw->status_text)
                                    : std::nullopt,
        raw->http_status,
        std::chrono::milliseconds(raw->elapsed_ms),
        raw->polls,
        raw->requests,
        raw->more ? std::optional<std::chrono::milliseconds>(raw->next_poll_in_ms)
                  : std::nullopt,
    };
#if DROPLET_HPP_EXCEPTIONS
    try {
      (*static_cast<F *>(userdata))(event);
    } catch (...) {
    }
#else
    (*static_cast<F *>(userdata))(event);
#endif
  }
  // Why a call with these options is refused before it starts; nullptr when it is not.
  const char *refusal() const noexcept {
    return cancel_moved_from_ ? "call options: the cancel token was moved from" : nullptr;
  }

  droplet_call_options raw_{sizeof(droplet_call_options), nullptr, 0, 0, nullptr, nullptr};
  std::shared_ptr<droplet_cancel_token> token_;
  std::shared_ptr<void> on_poll_;
  bool cancel_moved_from_ = false;
};

class ClientBuilder;

// A client for the API. Thread-safe: share one between threads (by reference); calls on it
// may run at the same time. Move-only; it owns its log function, which lives exactly as
// long as the client.
class [[nodiscard]] Client {
 public:
#if DROPLET_HPP_EXCEPTIONS
  // From DIGITALOCEAN_ACCESS_TOKEN (else DIGITALOCEAN_TOKEN) and DIGITALOCEAN_API_URL.
  // Throws Error with the reason when no token is set or a setting is invalid.
  static Client from_env() {
    std::optional<Client> client = try_from_env();
    if (!client) throw Error(Status::InvalidArgument, droplet_last_error_message());
    return std::move(*client);
  }
#endif
  // from_env without exceptions: empty when no token is set or a setting is invalid
  // (last_error_message() says why).
  [[nodiscard]] static std::optional<Client> try_from_env() {
    droplet_client *raw = droplet_client_new_from_env();
    detail::library_spoke();
    if (raw == nullptr) return std::nullopt;
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
    if (const char *refusal = options.refusal()) return Result(detail::Refusal{refusal});
    return Result(droplet_action_get_with_options(raw_, droplet_id, action_id, &options.raw()));
  }

  // Polls until the action finishes (ok()), ends errored (Status::ActionErrored) or
  // `timeout` passes (Status::Timeout, with the last state seen); the poll interval is
  // 3 s. A zero (or negative) timeout is the default, ten minutes. Any std::chrono
  // duration is taken.
  template <class Rep, class Period>
  Result wait(std::int64_t droplet_id, std::int64_t action_id,
              std::chrono::duration<Rep, Period> timeout) const noexcept {
    return Result(
        droplet_action_wait(raw_, droplet_id, action_id, detail::to_ms(timeout), 0));
  }
  // The same with a poll interval (zero: 3 s).
  template <class Rep, class Period, class Rep2, class Period2>
  Result wait(std::int64_t droplet_id, std::int64_t action_id,
              std::chrono::duration<Rep, Period> timeout,
              std::chrono::duration<Rep2, Period2> poll_interval) const noexcept {
    return Result(droplet_action_wait(raw_, droplet_id, action_id, detail::to_ms(timeout),
                                      detail::to_ms(poll_interval)));
  }
  // The same with per-call options: a cancel token, the deadline (unset: ten minutes) and
  // the poll interval (unset: 3 s). `client.wait(d, a, {})` is this call with defaults.
  Result wait(std::int64_t droplet_id, std::int64_t action_id,
              const CallOptions &options) const noexcept {
    if (const char *refusal = options.refusal()) return Result(detail::Refusal{refusal});
    return Result(droplet_action_wait_with_options(raw_, droplet_id, action_id, &options.raw()));
  }

#if DROPLET_HPP_EXCEPTIONS
  // get, returning only an ok() Result and throwing Error with the result otherwise.
  Result get_or_throw(std::int64_t droplet_id, std::int64_t action_id) const {
    return or_throw(get(droplet_id, action_id));
  }
  Result get_or_throw(std::int64_t droplet_id, std::int64_t action_id,
                      const CallOptions &options) const {
    return or_throw(get(droplet_id, action_id, options));
  }
  // wait, returning only an ok() Result (a completed action) and throwing Error otherwise.
  template <class Rep, class Period>
  Result wait_or_throw(std::int64_t droplet_id, std::int64_t action_id,
                       std::chrono::duration<Rep, Period> timeout) const {
    return or_throw(wait(droplet_id, action_id, timeout));
  }
  template <class Rep, class Period, class Rep2, class Period2>
  Result wait_or_throw(std::int64_t droplet_id, std::int64_t action_id,
                       std::chrono::duration<Rep, Period> timeout,
                       std::chrono::duration<Rep2, Period2> poll_interval) const {
    return or_throw(wait(droplet_id, action_id, timeout, poll_interval));
  }
  Result wait_or_throw(std::int64_t droplet_id, std::int64_t action_id,
                       const CallOptions &options) const {
    return or_throw(wait(droplet_id, action_id, options));
  }
#endif

  // Waits for many actions at once under the client's one rate budget and connection
  // pool, polling in turn (the one that started earliest first) until each finishes, the
  // shared deadline passes (options.timeout, unset: ten minutes) or the token is
  // cancelled. Returns one Result per ref, in the same order, each as wait() would give it
  // for that ref alone; an empty `refs` gives an empty Results. Throws only std::bad_alloc,
  // before anything is sent.
  Results wait_many(const std::vector<ActionRef> &refs,
                    const CallOptions &options = CallOptions()) const {
    std::vector<Result> out;
    if (refs.empty()) return Results();
    out.reserve(refs.size());  // every allocation happens before the results exist
    if (const char *refusal = options.refusal()) {
      for (std::size_t i = 0; i < refs.size(); ++i) out.emplace_back(detail::Refusal{refusal});
      return Results(std::move(out));
    }
    // A slot the library leaves unfilled reports Status::Panic.
    droplet_action_result unfilled{};
    unfilled.status = DROPLET_STATUS_PANIC;
    std::vector<droplet_action_result> raw(refs.size(), unfilled);
    droplet_action_wait_many(raw_, refs.data(), refs.size(), &options.raw(), raw.data());
    for (const droplet_action_result &result : raw) out.emplace_back(result);  // noexcept
    return Results(std::move(out));
  }
#if DROPLET_HPP_EXCEPTIONS
  // wait_many, returning only when every action completed and throwing Error with the
  // first result, in the order of `refs`, that is not ok() otherwise.
  Results wait_many_or_throw(const std::vector<ActionRef> &refs,
                             const CallOptions &options = CallOptions()) const {
    Results results = wait_many(refs, options);
    for (Result &result : results) {
      if (!result.ok()) throw Error(std::move(result));
    }
    return results;
  }
#endif

  // Changes the most verbose level the client's log function gets, for the events that
  // follow (a binding can follow its own logger's level between calls); log_off() turns
  // it off. Thread-safe; no effect on a client without a log function. A moved-from client
  // gives Status::InvalidArgument.
  Status set_log_level(Level max_level) const noexcept {
    return static_cast<Status>(
        droplet_client_set_log_level(raw_, static_cast<std::uint32_t>(max_level)));
  }
  Status log_off() const noexcept {
    return static_cast<Status>(droplet_client_set_log_level(raw_, 0));
  }

  // The C client, still owned by this object (NULL once moved from).
  const droplet_client *raw() const & noexcept { return raw_; }
  const droplet_client *raw() const && = delete;

 private:
  friend class ClientBuilder;
  Client(droplet_client *raw, std::unique_ptr<detail::LogSink> log) noexcept
      : raw_(raw), log_(std::move(log)) {}
#if DROPLET_HPP_EXCEPTIONS
  static Result or_throw(Result result) {
    if (!result.ok()) throw Error(std::move(result));
    return result;
  }
#endif

  droplet_client *raw_;
  std::unique_ptr<detail::LogSink> log_;
};

// The settings of a client. Each setter checks its value at once and throws Error (status
// InvalidArgument, the reason in what()) when it is refused; without exceptions the first
// refusal is kept and try_build() reports it. build() consumes the builder. Setters on a
// named builder return it by reference; on a temporary, by value (so
// `auto &&b = ClientBuilder().token(t);` holds a live builder). Move-only; not thread-safe.
class ClientBuilder {
 public:
  // The defaults: base URL https://api.digitalocean.com, 30 s per attempt, 10 s to
  // connect, 2 retries, 4 MiB body limit, no proxy, the default request budget. If memory
  // runs out it throws std::bad_alloc (without exceptions, try_build() fails).
  ClientBuilder() : ClientBuilder(droplet_client_builder_new()) {}
  // The token and base URL from the environment, as Client::from_env reads them; setters
  // called afterwards win. With no token in the environment and none set, build() fails
  // and names the variables.
  static ClientBuilder from_env() { return ClientBuilder(droplet_client_builder_new_from_env()); }
  ClientBuilder(ClientBuilder &&other) noexcept
      : raw_(std::exchange(other.raw_, nullptr)),
        log_(std::move(other.log_)),
        refused_(std::exchange(other.refused_, false)),
        refusal_(std::move(other.refusal_)) {}
  ClientBuilder &operator=(ClientBuilder &&other) noexcept {
    if (this != &other) {
      droplet_client_builder_free(raw_);
      raw_ = std::exchange(other.raw_, nullptr);
      log_ = std::move(other.log_);
      refused_ = std::exchange(other.refused_, false);
      refusal_ = std::move(other.refusal_);
    }
    return *this;
  }
  ClientBuilder(const ClientBuilder &) = delete;
  ClientBuilder &operator=(const ClientBuilder &) = delete;
  ~ClientBuilder() { droplet_client_builder_free(raw_); }

  // The API token (required); copied, and never part of any message.
  ClientBuilder &token(detail::Text token) & {
    return text_setting("token", token, &droplet_client_builder_set_token);
  }
  ClientBuilder token(detail::Text token) && { return std::move(this->token(token)); }
  // The API base URL. Plain http is accepted for loopback hosts only, unless
  // allow_insecure_http(true).
  ClientBuilder &base_url(detail::Text url) & {
    return text_setting("base_url", url, &droplet_client_builder_set_base_url);
  }
  ClientBuilder base_url(detail::Text url) && { return std::move(base_url(url)); }
  // The longest one attempt may take, connecting to the end of the body (zero or negative:
  // the default, as 0 is in C).
  template <class Rep, class Period>
  ClientBuilder &timeout(std::chrono::duration<Rep, Period> timeout) & {
    return setting(
        [&] { return droplet_client_builder_set_timeout_ms(raw_, detail::to_ms(timeout)); });
  }
  template <class Rep, class Period>
  ClientBuilder timeout(std::chrono::duration<Rep, Period> timeout) && {
    return std::move(this->timeout(timeout));
  }
  // The longest connecting may take (zero or negative: the default).
  template <class Rep, class Period>
  ClientBuilder &connect_timeout(std::chrono::duration<Rep, Period> timeout) & {
    return setting([&] {
      return droplet_client_builder_set_connect_timeout_ms(raw_, detail::to_ms(timeout));
    });
  }
  template <class Rep, class Period>
  ClientBuilder connect_timeout(std::chrono::duration<Rep, Period> timeout) && {
    return std::move(connect_timeout(timeout));
  }
  // How many times a failed request is sent again (connection errors, 408, 429, 5xx); any
  // integer type, a negative or too large value refused.
  template <class Int, detail::if_integer<Int> = 0>
  ClientBuilder &max_retries(Int retries) & {
    return number_setting<std::uint32_t>("max_retries", retries,
                                         &droplet_client_builder_set_max_retries);
  }
  template <class Int, detail::if_integer<Int> = 0>
  ClientBuilder max_retries(Int retries) && {
    return std::move(max_retries(retries));
  }
  // The backoff between retries: full jitter under base * 2^retry, capped at max (zero or
  // negative: the default).
  template <class Rep, class Period, class Rep2, class Period2>
  ClientBuilder &backoff(std::chrono::duration<Rep, Period> base,
                         std::chrono::duration<Rep2, Period2> max) & {
    return setting([&] {
      return droplet_client_builder_set_backoff_ms(raw_, detail::to_ms(base), detail::to_ms(max));
    });
  }
  template <class Rep, class Period, class Rep2, class Period2>
  ClientBuilder backoff(std::chrono::duration<Rep, Period> base,
                        std::chrono::duration<Rep2, Period2> max) && {
    return std::move(backoff(base, max));
  }
  // The largest response body accepted, in bytes (0: the default; a negative value refused).
  template <class Int, detail::if_integer<Int> = 0>
  ClientBuilder &body_limit(Int bytes) & {
    return number_setting<std::uint64_t>("body_limit", bytes,
                                         &droplet_client_builder_set_body_limit);
  }
  template <class Int, detail::if_integer<Int> = 0>
  ClientBuilder body_limit(Int bytes) && {
    return std::move(body_limit(bytes));
  }
  ClientBuilder &user_agent(detail::Text user_agent) & {
    return text_setting("user_agent", user_agent, &droplet_client_builder_set_user_agent);
  }
  ClientBuilder user_agent(detail::Text user_agent) && {
    return std::move(this->user_agent(user_agent));
  }
  // http://[user:password@]host:port, socks4://, socks4a://, socks5:// or socks5h://.
  ClientBuilder &proxy(detail::Text proxy_url) & {
    return text_setting("proxy", proxy_url, &droplet_client_builder_set_proxy);
  }
  ClientBuilder proxy(detail::Text proxy_url) && { return std::move(proxy(proxy_url)); }
  // The proxy the environment names for the base URL, read at build as curl reads it
  // (https_proxy, HTTPS_PROXY, all_proxy, ALL_PROXY; no_proxy/NO_PROXY), as
  // droplet_client_builder_set_proxy_from_env; false: no proxy. Replaces proxy().
  ClientBuilder &proxy_from_env(bool from_env = true) & {
    return setting([&] { return droplet_client_builder_set_proxy_from_env(raw_, from_env); });
  }
  ClientBuilder proxy_from_env(bool from_env = true) && {
    return std::move(proxy_from_env(from_env));
  }
  // Allows a plain http base URL to a host that is not loopback.
  ClientBuilder &allow_insecure_http(bool allow = true) & {
    return setting([&] { return droplet_client_builder_set_allow_insecure_http(raw_, allow); });
  }
  ClientBuilder allow_insecure_http(bool allow = true) && {
    return std::move(allow_insecure_http(allow));
  }
  // Trusts the certificate authorities of a PEM file too (checked now, read at build).
  ClientBuilder &ca_file(detail::Text path) & {
    return text_setting("ca_file", path, &droplet_client_builder_set_ca_file);
  }
  ClientBuilder ca_file(detail::Text path) && { return std::move(ca_file(path)); }
  // The client's request budget, as droplet_client_builder_set_requests_per_minute: every
  // request is paced to at most `requests` a minute (0: the default, DigitalOcean's 250 a
  // minute for its API and none for any other base URL; no_pacing() turns it off).
  template <class Int, detail::if_integer<Int> = 0>
  ClientBuilder &requests_per_minute(Int requests) & {
    return number_setting<std::uint32_t>("requests_per_minute", requests,
                                         &droplet_client_builder_set_requests_per_minute);
  }
  template <class Int, detail::if_integer<Int> = 0>
  ClientBuilder requests_per_minute(Int requests) && {
    return std::move(requests_per_minute(requests));
  }
  // No pacing at all (requests_per_minute(UINT32_MAX)).
  ClientBuilder &no_pacing() & {
    return requests_per_minute(std::numeric_limits<std::uint32_t>::max());
  }
  ClientBuilder no_pacing() && { return std::move(no_pacing()); }
  // Sends the client's events at or above `max_level` to `function` (any callable taking
  // (Level, std::string_view), move-only ones included), which the client owns from
  // build() on. An empty std::function, a null function pointer or nullptr turns logging
  // off. The function runs on the thread that makes the call; with a client shared
  // between threads it must be thread-safe. An exception it throws is swallowed.
  template <class F, std::enable_if_t<std::is_invocable<std::decay_t<F> &, Level,
                                                        std::string_view>::value,
                                      int> = 0>
  ClientBuilder &log(F &&function, Level max_level = Level::Debug) & {
    using Fn = std::decay_t<F>;
    // A function named directly is never null; anything else that tests as bool may be.
    if constexpr (!std::is_function<std::remove_reference_t<F>>::value &&
                  std::is_constructible<bool, const Fn &>::value) {
      if (!static_cast<bool>(function)) return log(nullptr);
    }
    auto held = std::make_unique<detail::LogSinkOf<Fn>>(std::forward<F>(function));
    if (setting([&] { return droplet_client_builder_set_log_callback(raw_, &detail::LogSink::bridge,
                                                        held.get(),
                                                        static_cast<std::uint32_t>(max_level)); })
            .ok_so_far()) {
      log_ = std::move(held);  // the previous function is no longer referenced
    }
    return *this;
  }
  template <class F, std::enable_if_t<std::is_invocable<std::decay_t<F> &, Level,
                                                        std::string_view>::value,
                                      int> = 0>
  ClientBuilder log(F &&function, Level max_level = Level::Debug) && {
    return std::move(log(std::forward<F>(function), max_level));
  }
  ClientBuilder &log(std::nullptr_t) & {
    if (setting([&] { return droplet_client_builder_set_log_callback(raw_, nullptr, nullptr, 0); })
            .ok_so_far()) {
      log_.reset();
    }
    return *this;
  }
  ClientBuilder log(std::nullptr_t) && { return std::move(log(nullptr)); }

#if DROPLET_HPP_EXCEPTIONS
  // Builds the client; the builder is empty afterwards, whatever happens. Throws Error
  // with the reason (no token, plain http to a remote host, ...).
  Client build() {
    droplet_client_builder *raw = std::exchange(raw_, nullptr);
    std::unique_ptr<detail::LogSink> log = std::move(log_);
    refused_ = false;  // with exceptions a refused setter threw instead
    droplet_client *client = nullptr;
    const droplet_status status = droplet_client_builder_build(raw, &client);
    detail::library_spoke();
    detail::check(status);
    return Client(client, std::move(log));
  }
#endif
  // build without exceptions: empty on failure, with the reason (a refused setting, or
  // what the library says) in last_error_message(). The builder is empty afterwards.
  [[nodiscard]] std::optional<Client> try_build() {
    droplet_client_builder *raw = std::exchange(raw_, nullptr);
    std::unique_ptr<detail::LogSink> log = std::move(log_);
    if (std::exchange(refused_, false)) {
      droplet_client_builder_free(raw);
      // The first refusal is the reason, whatever other builders did since.
      detail::record(std::move(refusal_));
      return std::nullopt;
    }
    droplet_client *client = nullptr;
    const droplet_status status = droplet_client_builder_build(raw, &client);
    detail::library_spoke();
    if (status != DROPLET_STATUS_OK) return std::nullopt;
    return Client(client, std::move(log));
  }

  // The C builder, still owned by this object (NULL once built or moved from).
  droplet_client_builder *raw() & noexcept { return raw_; }
  droplet_client_builder *raw() && = delete;

 private:
  explicit ClientBuilder(droplet_client_builder *raw) : raw_(raw) {
#if DROPLET_HPP_EXCEPTIONS
    if (raw_ == nullptr) throw std::bad_alloc();
#endif
  }
  bool ok_so_far() const noexcept { return !refused_; }
  // Applies a library setter's status: once a setting is refused (without exceptions),
  // later ones are skipped so that the first reason stays.
  template <class Set>
  ClientBuilder &setting(Set set) {
    if (refused_) return *this;
    if (!detail::check(set())) refuse(droplet_last_error_message());
    return *this;
  }
  void refuse(std::string reason) {
    refused_ = true;
    refusal_ = std::move(reason);
  }
  template <class Target, class Int>
  ClientBuilder &number_setting(const char *name, Int value,
                                droplet_status (*set)(droplet_client_builder *, Target)) {
    if (refused_) return *this;
    const std::optional<Target> number = detail::in_range<Target>(value);
    if (!number) {
      detail::record(std::string(name) + ": out of range (0 to " +
                     std::to_string(std::numeric_limits<Target>::max()) + ")");
#if DROPLET_HPP_EXCEPTIONS
      throw Error(Status::InvalidArgument, detail::last_error().message);
#else
      refuse(detail::last_error().message);
      return *this;
#endif
    }
    return setting([&] { return set(raw_, *number); });
  }
  ClientBuilder &text_setting(const char *name, const detail::Text &value,
                              droplet_status (*set)(droplet_client_builder *, const char *)) {
    if (refused_) return *this;
    std::optional<std::string> copy = detail::c_string(name, value);
    if (!copy) {
      refuse(detail::last_error().message);
      return *this;
    }
    return setting([&] { return set(raw_, copy->c_str()); });
  }

  droplet_client_builder *raw_;
  std::unique_ptr<detail::LogSink> log_;
  bool refused_ = false;
  std::string refusal_;  // the first refusal's reason, without exceptions
};

// The request Client::get would send first, for callers that bring their own HTTP stack;
// hand its answer to parse_response. It holds the token: do not log it. Move-only. An
// empty Request (moved from, or a failed try_build) has an empty method and URL.
class [[nodiscard]] Request {
 public:
#if DROPLET_HPP_EXCEPTIONS
  // Throws Error (status InvalidArgument) with the reason. std::nullopt as the base URL
  // means https://api.digitalocean.com; plain http is refused for a host that is not
  // loopback; a nullptr literal does not compile, a NULL C string is refused.
  static Request build(detail::BaseUrl base_url, detail::Text token, std::int64_t droplet_id,
                       std::int64_t action_id) {
    Request request = try_build(std::move(base_url), token, droplet_id, action_id);
    if (!request) throw Error(Status::InvalidArgument, last_error_message());
    return request;
  }
#endif
  // build without exceptions: an empty Request (explicit operator bool false) on failure,
  // with the reason in last_error_message(). Never throws but std::bad_alloc.
  static Request try_build(detail::BaseUrl base_url, detail::Text token,
                           std::int64_t droplet_id, std::int64_t action_id) {
    if (base_url.null()) {
      detail::record(
          "request_build: base_url: the string is NULL (std::nullopt means the default)");
      return Request(droplet_request{});
    }
    std::optional<std::string> url;
    if (base_url.value()) {
      url = detail::c_string_or_record("request_build: base_url",
                                       detail::Text(*base_url.value()));
      if (!url) return Request(droplet_request{});
    }
    const std::optional<std::string> secret =
        detail::c_string_or_record("request_build: token", token);
    if (!secret) return Request(droplet_request{});
    droplet_request raw{};
    const droplet_status status = droplet_request_build(url ? url->c_str() : nullptr,
                                                        secret->c_str(), droplet_id,
                                                        action_id, &raw);
    detail::library_spoke();
    if (status != DROPLET_STATUS_OK) return Request(droplet_request{});
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

  // Whether it holds a request (false once moved from, or after a failed try_build).
  explicit operator bool() const noexcept { return raw_.url != nullptr; }
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
  const droplet_request &raw() const & noexcept { return raw_; }
  const droplet_request &raw() const && = delete;

 private:
  explicit Request(droplet_request raw) noexcept : raw_(raw) {}
  droplet_request raw_;
};

// A wait driven by the caller's own event loop, HTTP stack and monotonic clock (in ms), on
// the same engine as Client::wait (droplet_waiter_*): ask next(); on DROPLET_WAIT_SEND send
// Request::build's request and feed() what came back (feed_no_answer() when none came); on
// DROPLET_WAIT_SLEEP come back at step.until_ms; on DROPLET_WAIT_DONE take result().
// Move-only; one thread at a time.
class Waiter {
 public:
  // Empty for an id below 1 or options holding a moved-from token
  // (last_error_message() says why).
  [[nodiscard]] static std::optional<Waiter> create(std::int64_t droplet_id,
                                                    std::int64_t action_id,
                                                    const CallOptions &options,
                                                    std::uint64_t now_ms) noexcept {
    if (options.refusal() != nullptr) return std::nullopt;
    droplet_waiter *raw = droplet_waiter_new(droplet_id, action_id, &options.raw(), now_ms);
    detail::library_spoke();
    if (raw == nullptr) return std::nullopt;
    return Waiter(raw, options.token_, options.on_poll_);
  }
  Waiter(Waiter &&other) noexcept
      : raw_(std::exchange(other.raw_, nullptr)),
        token_(std::move(other.token_)),
        on_poll_(std::move(other.on_poll_)) {}
  Waiter &operator=(Waiter &&other) noexcept {
    if (this != &other) {
      droplet_waiter_free(raw_);  // before what it points to
      raw_ = std::exchange(other.raw_, nullptr);
      token_ = std::move(other.token_);
      on_poll_ = std::move(other.on_poll_);
    }
    return *this;
  }
  Waiter(const Waiter &) = delete;
  Waiter &operator=(const Waiter &) = delete;
  ~Waiter() { droplet_waiter_free(raw_); }  // members after: the waiter goes first

  // What to do at now_ms. A moved-from waiter says DROPLET_WAIT_DONE.
  droplet_wait_step next(std::uint64_t now_ms) noexcept {
    droplet_wait_step step{};
    if (droplet_waiter_next(raw_, now_ms, &step) != DROPLET_STATUS_OK) step.kind = DROPLET_WAIT_DONE;
    return step;
  }
  // The answer to the last request: status, headers, body.
  Status feed(std::uint64_t now_ms, std::uint16_t http_status, const std::vector<Header> &headers,
              std::string_view body) {
    std::vector<std::string> strings;
    strings.reserve(headers.size() * 2);
    std::vector<droplet_header> raw;
    raw.reserve(headers.size());
    for (const Header &header : headers) {
      if (header.null()) return Status::InvalidArgument;
      strings.emplace_back(header.name);
      const char *name = strings.back().c_str();
      strings.emplace_back(header.value);
      raw.push_back(droplet_header{name, strings.back().c_str()});
    }
    return static_cast<Status>(droplet_waiter_feed(
        raw_, now_ms, http_status, raw.empty() ? nullptr : raw.data(), raw.size(),
        reinterpret_cast<const std::uint8_t *>(body.data()), body.size()));
  }
  // No answer came: the connection failed or the request timed out.
  Status feed_no_answer(std::uint64_t now_ms) noexcept {
    return static_cast<Status>(droplet_waiter_feed(raw_, now_ms, 0, nullptr, 0, nullptr, 0));
  }
  // Sends the request asked for through `client` and feeds what came back (blocks for one
  // request; run it on a thread of your own). now_ms: the clock when the call starts.
  Status send(const Client &client, std::uint64_t now_ms) noexcept {
    return static_cast<Status>(droplet_waiter_send(client.raw(), raw_, now_ms));
  }
  // The outcome once next() said DROPLET_WAIT_DONE, as Client::wait reports it; taken once.
  Result result(std::uint64_t now_ms) noexcept { return Result(droplet_waiter_result(raw_, now_ms)); }
  droplet_waiter *raw() & noexcept { return raw_; }
  droplet_waiter *raw() && = delete;

 private:
  Waiter(droplet_waiter *raw, std::shared_ptr<droplet_cancel_token> token,
         std::shared_ptr<void> on_poll) noexcept
      : raw_(raw), token_(std::move(token)), on_poll_(std::move(on_poll)) {}
  droplet_waiter *raw_;
  // What the C waiter points to (the options' token and poll function): it holds them, so
  // the options it was made with may go.
  std::shared_ptr<droplet_cancel_token> token_;
  std::shared_ptr<void> on_poll_;
};

// The library's defaults (droplet_defaults_get): timeouts, retries, pauses, the body limit, a
// wait's deadline and poll interval, DigitalOcean's request limits.
inline droplet_defaults defaults() noexcept { return droplet_defaults_get(); }

static_assert(static_cast<std::uint32_t>(Status::Cancelled) == 9, "status numbers are fixed");
static_assert(!std::is_copy_constructible<Result>::value, "a Result owns its memory");
static_assert(std::is_nothrow_move_constructible<Result>::value &&
                  std::is_nothrow_move_constructible<Results>::value &&
                  std::is_nothrow_move_constructible<Client>::value &&
                  std::is_nothrow_move_constructible<ClientBuilder>::value &&
                  std::is_nothrow_move_constructible<CancelToken>::value &&
                  std::is_nothrow_move_constructible<Request>::value,
              "moves never throw");

}  // inline namespace exc or noexc
}  // namespace droplet

#endif  // DROPLET_ACTION_HPP
