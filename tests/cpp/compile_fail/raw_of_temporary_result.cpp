// The C result of a temporary Result is freed at the end of the statement.
// expect: use of deleted function
#include "droplet_action.hpp"

const char *message(const droplet::Client &client) {
#ifndef CONTROL
  const droplet_action_result &raw = client.get(1, 2).raw();  // refused here
  return raw.error_message;
#else
  static const droplet::Result result = client.get(1, 2);
  return result.raw().error_message;
#endif
}
