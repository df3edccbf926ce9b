// droplet_action/status.hpp: a part of droplet_action.hpp; include that, never this file.
// The statuses (Status, ActionStatus), the log Level and LogFunction, SysSeconds,
// to_string and version, RateLimit, Header and ActionRef.
#ifndef DROPLET_HPP_PART
#error "include droplet_action.hpp, not droplet_action/status.hpp"
#endif

DROPLET_HPP_BEGIN_NAMESPACE

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

DROPLET_HPP_END_NAMESPACE
