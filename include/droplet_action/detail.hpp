// droplet_action/detail.hpp: a part of droplet_action.hpp; include that, never this file.
// The helpers behind the interface, in namespace detail (string, URL and duration
// arguments, the log bridge, integer ranges, this thread's last refusal), and
// last_error_message.
#ifndef DROPLET_HPP_PART
#error "include droplet_action.hpp, not droplet_action/detail.hpp"
#endif

DROPLET_HPP_BEGIN_NAMESPACE

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

DROPLET_HPP_END_NAMESPACE
