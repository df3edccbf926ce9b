// Built with -fno-exceptions, linked into a program built with exceptions
// (tests/cpp/mixed/with_exceptions.cpp): the header's inline functions of the two modes are
// distinct, so neither file runs the other's.
#include "droplet_action.hpp"

#include <string>

#if DROPLET_HPP_EXCEPTIONS
#error "this file must be built with -fno-exceptions"
#endif

std::string refusal_without_exceptions() {
  droplet::ClientBuilder builder;
  builder.token(std::string_view("a\0b", 3));
  const std::optional<droplet::Client> client = builder.try_build();
  return client ? "built" : droplet::last_error_message();
}
