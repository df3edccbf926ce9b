// A temporary CancelToken would be freed before the call that holds it.
// expect: use of deleted function
#include "droplet_action.hpp"

droplet::Result call(const droplet::Client &client) {
#ifndef CONTROL
  const droplet::CallOptions options = droplet::CallOptions().cancel(droplet::CancelToken());  // refused here
#else
  const droplet::CancelToken token;
  const droplet::CallOptions options = droplet::CallOptions().cancel(token);
#endif
  return client.get(1, 2, options);
}
