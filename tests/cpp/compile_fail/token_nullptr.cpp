// A null token is no string at all.
// expect: use of deleted function
#include "droplet_action.hpp"

void set(droplet::ClientBuilder &builder) {
#ifndef CONTROL
  builder.token(nullptr);  // refused here
#else
  builder.token("t");
#endif
}
