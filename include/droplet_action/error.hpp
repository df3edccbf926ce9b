// droplet_action/error.hpp: a part of droplet_action.hpp; include that, never this file.
// Error, the exception, and the detail helpers that record a refusal or throw it.
#ifndef DROPLET_HPP_PART
#error "include droplet_action.hpp, not droplet_action/error.hpp"
#endif

DROPLET_HPP_BEGIN_NAMESPACE

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

DROPLET_HPP_END_NAMESPACE
