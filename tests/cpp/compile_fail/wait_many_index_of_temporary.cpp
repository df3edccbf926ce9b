// Indexing a temporary Results would hand out a reference into freed memory.
// expect: use of deleted function
#include "droplet_action.hpp"

std::string_view body_of_first(const droplet::Client &client) {
#ifndef CONTROL
  const droplet::Result &first = client.wait_many({{1, 2}})[0];  // refused here
  return first.raw_body();
#else
  static droplet::Results results = client.wait_many({{1, 2}});
  return results[0].raw_body();
#endif
}
