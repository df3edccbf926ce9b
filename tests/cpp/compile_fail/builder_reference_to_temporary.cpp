// A setter on a temporary builder returns the builder by value: a reference to it cannot
// be kept (auto && keeps the value alive instead).
// expect: cannot bind non-const lvalue reference
#include "droplet_action.hpp"

droplet::Client build(const std::string &url) {
#ifndef CONTROL
  droplet::ClientBuilder &builder = droplet::ClientBuilder().token("t");  // refused here
#else
  auto &&builder = droplet::ClientBuilder().token("t");
#endif
  builder.base_url(url);
  return builder.build();
}
