// droplet_action/call_options.hpp: a part of droplet_action.hpp; include that, never this file.
// What a call takes besides its ids: CancelToken, PollEvent and CallOptions.
#ifndef DROPLET_HPP_PART
#error "include droplet_action.hpp, not droplet_action/call_options.hpp"
#endif

DROPLET_HPP_BEGIN_NAMESPACE

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

DROPLET_HPP_END_NAMESPACE
