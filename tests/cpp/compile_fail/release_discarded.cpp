// A released C result that nobody keeps is leaked.
// expect: nodiscard
#include "droplet_action.hpp"

void drop(droplet::Result &result) {
#ifndef CONTROL
  result.release();  // refused here
#else
  droplet_action_result raw = result.release();
  droplet_action_result_free(&raw);
#endif
}
