// A client built and dropped at once is a build whose failure nobody sees.
// expect: nodiscard
#include "droplet_action.hpp"

bool build(droplet::ClientBuilder &builder) {
#ifndef CONTROL
  builder.try_build();  // refused here
  return true;
#else
  return builder.try_build().has_value();
#endif
}
