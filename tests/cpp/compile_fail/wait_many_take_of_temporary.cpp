// take() hands the results out as a vector: on a temporary Results, that vector would be a
// temporary too, and a Result taken from it would dangle.
// expect: use of deleted function
#include "droplet_action.hpp"

std::string_view first_error_id(const droplet::Client &client) {
#ifndef CONTROL
  const droplet::Result &first = client.wait_many({{1, 2}}).take().front();  // refused here
  return first.error_id();
#else
  static droplet::Results results = client.wait_many({{1, 2}});
  static const std::vector<droplet::Result> taken = results.take();
  return taken.front().error_id();
#endif
}
