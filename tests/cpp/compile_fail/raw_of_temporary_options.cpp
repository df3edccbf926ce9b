// The C options of temporary CallOptions die at the end of the statement.
// expect: use of deleted function
#include "droplet_action.hpp"

#include <chrono>

std::uint32_t timeout_ms() {
#ifndef CONTROL
  const droplet_call_options &raw = droplet::CallOptions().timeout(std::chrono::seconds(5)).raw();  // refused here
  return raw.timeout_ms;
#else
  const droplet::CallOptions options = droplet::CallOptions().timeout(std::chrono::seconds(5));
  return options.raw().timeout_ms;
#endif
}
