// A setter on temporary call options returns them by value: a reference to them cannot be
// kept.
// expect: cannot bind non-const lvalue reference
#include "droplet_action.hpp"

#include <chrono>

droplet::Result call(const droplet::Client &client) {
#ifndef CONTROL
  droplet::CallOptions &options = droplet::CallOptions().timeout(std::chrono::seconds(1));  // refused here
#else
  auto &&options = droplet::CallOptions().timeout(std::chrono::seconds(1));
#endif
  options.poll_interval(std::chrono::milliseconds(10));
  return client.wait(1, 2, options);
}
