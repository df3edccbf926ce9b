// droplet_action/client.hpp: a part of droplet_action.hpp; include that, never this file.
// Client and ClientBuilder.
#ifndef DROPLET_HPP_PART
#error "include droplet_action.hpp, not droplet_action/client.hpp"
#endif

DROPLET_HPP_BEGIN_NAMESPACE

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

DROPLET_HPP_END_NAMESPACE
