// droplet_action/sans_io.hpp: a part of droplet_action.hpp; include that, never this file.
// The sans-IO half, for callers with their own HTTP stack: Request and Waiter; and
// defaults(), the library's defaults.
#ifndef DROPLET_HPP_PART
#error "include droplet_action.hpp, not droplet_action/sans_io.hpp"
#endif

DROPLET_HPP_BEGIN_NAMESPACE

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

DROPLET_HPP_END_NAMESPACE
