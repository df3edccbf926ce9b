// A temporary CancelToken given to named options dies at the end of the statement.
// expect: use of deleted function
#include "droplet_action.hpp"

droplet::Result call(const droplet::Client &client) {
  droplet::CallOptions options;
#ifndef CONTROL
  options.cancel(droplet::CancelToken());  // refused here
  return client.get(1, 2, options);
#else
  const droplet::CancelToken token;
  options.cancel(token);
  return client.get(1, 2, options);
#endif
}
