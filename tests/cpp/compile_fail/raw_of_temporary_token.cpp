// The C token of a temporary CancelToken is freed at the end of the statement.
// expect: use of deleted function
#include "droplet_action.hpp"

bool triggered() {
#ifndef CONTROL
  const droplet_cancel_token *raw = droplet::CancelToken().raw();  // refused here
  return droplet_cancel_token_is_cancelled(raw);
#else
  const droplet::CancelToken token;
  return droplet_cancel_token_is_cancelled(token.raw());
#endif
}
