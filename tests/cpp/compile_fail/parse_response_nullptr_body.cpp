// nullptr is no body; an empty body is "".
// expect: use of deleted function
#include "droplet_action.hpp"

droplet::Result parse() {
#ifndef CONTROL
  return droplet::parse_response(200, {}, nullptr);  // refused here
#else
  return droplet::parse_response(200, {}, "");
#endif
}
