// A view into a temporary Error's result would dangle once the Error is gone.
// expect: use of deleted function
#include "droplet_action.hpp"

std::string error_id(const droplet::Client &client) {
#ifndef CONTROL
  const std::string_view id = droplet::Error(client.get(1, 2)).error_id();  // refused here
  return std::string(id);
#else
  const droplet::Error error(client.get(1, 2));
  return std::string(error.error_id());
#endif
}
