// The C token of a temporary CancelToken is freed at the end of the statement.
// expect: use of deleted function
#include "droplet_action.hpp"

bool triggered() {
#ifndef CONTROL
  const droplet_cancel *raw = droplet::CancelToken().raw();  // refused here
  return droplet_cancel_is_triggered(raw);
#else
  const droplet::CancelToken token;
  return droplet_cancel_is_triggered(token.raw());
#endif
}
