// The Results of wait_many die at the end of the statement: a Result (or an Action view)
// taken from a temporary would dangle.
// expect: use of deleted function
#include "droplet_action.hpp"

std::string_view type_of_first(const droplet::Client &client) {
#ifndef CONTROL
  const droplet::Action action = client.wait_many({{1, 2}}).front().action();  // refused here
  return action.type();
#else
  static droplet::Results results = client.wait_many({{1, 2}});
  return results.front().action().type();
#endif
}
