// A small RAII wrapper over droplet_action.h: no manual frees in user code.
//
//   droplet::Client client = droplet::Client::from_env();
//   droplet::Result result = client.get(3164444, 36804636);
//   if (result.ok()) std::cout << result.action().type << "\n";
#ifndef DROPLET_ACTION_HPP
#define DROPLET_ACTION_HPP

#include "droplet_action.h"

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>

namespace droplet {

// Thrown when a client cannot be created.
class Error : public std::runtime_error {
 public:
  Error(droplet_status status, const std::string &what)
      : std::runtime_error(what), status_(status) {}
  droplet_status status() const noexcept { return status_; }

 private:
  droplet_status status_;
};

// The outcome of one call. Owns the C result and frees it once; move-only.
class Result {
 public:
  explicit Result(droplet_action_result raw) noexcept : raw_(raw) {}
  Result(Result &&other) noexcept : raw_(other.raw_) { other.raw_ = droplet_action_result{}; }
  Result &operator=(Result &&other) noexcept {
    if (this != &other) {
      droplet_action_result_free(&raw_);
      raw_ = other.raw_;
      other.raw_ = droplet_action_result{};
    }
    return *this;
  }
  Result(const Result &) = delete;
  Result &operator=(const Result &) = delete;
  ~Result() { droplet_action_result_free(&raw_); }

  bool ok() const noexcept { return raw_.status == DROPLET_STATUS_OK; }
  droplet_status status() const noexcept { return raw_.status; }
  uint16_t http_status() const noexcept { return raw_.http_status; }
  bool has_action() const noexcept { return raw_.action != nullptr; }
  // The action; only when has_action().
  const droplet_action &action() const {
    if (raw_.action == nullptr) throw std::logic_error("the result holds no action");
    return *raw_.action;
  }
  std::string error_message() const { return text(raw_.error_message); }
  std::string error_id() const { return text(raw_.error_id); }
  std::string request_id() const { return text(raw_.request_id); }
  std::string raw_body() const {
    return raw_.raw_body ? std::string(raw_.raw_body, raw_.raw_body_len) : std::string();
  }
  const droplet_action_result &raw() const noexcept { return raw_; }

 private:
  static std::string text(const char *s) { return s ? std::string(s) : std::string(); }
  droplet_action_result raw_;
};

// A thread-safe client; copies share one connection pool.
class Client {
 public:
  // From DIGITALOCEAN_ACCESS_TOKEN / DIGITALOCEAN_TOKEN and DIGITALOCEAN_API_URL.
  static Client from_env() {
    droplet_client *raw = droplet_client_new_from_env();
    if (raw == nullptr) {
      throw Error(DROPLET_STATUS_INVALID_ARGUMENT, "no API token in the environment");
    }
    return Client(raw);
  }

  // An explicit token and base URL.
  static Client with(const std::string &token, const std::string &base_url) {
    droplet_client_builder *builder = droplet_client_builder_new();
    droplet_status status = droplet_client_builder_set_token(builder, token.c_str());
    if (status == DROPLET_STATUS_OK) {
      status = droplet_client_builder_set_base_url(builder, base_url.c_str());
    }
    if (status != DROPLET_STATUS_OK) {
      droplet_client_builder_free(builder);
      throw Error(status, droplet_status_str(status));
    }
    droplet_client *raw = nullptr;
    status = droplet_client_builder_build(builder, &raw);
    if (status != DROPLET_STATUS_OK) throw Error(status, droplet_status_str(status));
    return Client(raw);
  }

  Result get(int64_t droplet_id, int64_t action_id) const {
    return Result(droplet_action_get(raw_.get(), droplet_id, action_id));
  }

  Result wait(int64_t droplet_id, int64_t action_id, uint32_t timeout_ms,
              uint32_t poll_interval_ms = 0) const {
    return Result(
        droplet_action_wait(raw_.get(), droplet_id, action_id, timeout_ms, poll_interval_ms));
  }

 private:
  explicit Client(droplet_client *raw) : raw_(raw, droplet_client_free) {}
  std::shared_ptr<droplet_client> raw_;
};

}  // namespace droplet

#endif  // DROPLET_ACTION_HPP
