// A character is no HTTP status ('A' would read as 65).
// expect: no matching function
#include "droplet_action.hpp"

droplet::Result parse() {
#ifndef CONTROL
  return droplet::parse_response('A', {}, "{}");  // refused here
#else
  return droplet::parse_response(200, {}, "{}");
#endif
}
