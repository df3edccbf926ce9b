// NULL for the default base URL is a C habit; in C++ it is std::nullopt.
// expect: use of deleted function
#include "droplet_action.hpp"

droplet::Request build() {
#ifndef CONTROL
  return droplet::Request::build(nullptr, "t", 1, 2);  // refused here
#else
  return droplet::Request::build(std::nullopt, "t", 1, 2);
#endif
}
