// droplet_action/result.hpp: a part of droplet_action.hpp; include that, never this file.
// The values a call returns: Region, Action, Result and Results; and
// parse_response, which makes a Result of an answer the caller received.
#ifndef DROPLET_HPP_PART
#error "include droplet_action.hpp, not droplet_action/result.hpp"
#endif

DROPLET_HPP_BEGIN_NAMESPACE

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

DROPLET_HPP_END_NAMESPACE
