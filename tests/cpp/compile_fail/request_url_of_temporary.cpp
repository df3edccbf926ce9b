// The URL of a temporary Request is freed at the end of the statement.
// expect: use of deleted function
#include "droplet_action.hpp"

std::string url() {
#ifndef CONTROL
  const std::string_view view = droplet::Request::try_build(std::nullopt, "t", 1, 2).url();  // refused here
  return std::string(view);
#else
  const droplet::Request request = droplet::Request::try_build(std::nullopt, "t", 1, 2);
  return std::string(request.url());
#endif
}
