// The results of wait_many say how each wait ended; dropping them drops every failure.
// expect: nodiscard
#include "droplet_action.hpp"

bool wait_all(const droplet::Client &client) {
#ifndef CONTROL
  client.wait_many({{1, 2}, {1, 3}});  // refused here
  return true;
#else
  return client.wait_many({{1, 2}, {1, 3}}).all_ok();
#endif
}
