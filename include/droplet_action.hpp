// droplet_action.hpp: the C++17 interface to droplet-action, header-only, over
// droplet_action.h.
//
//   droplet::Client client = droplet::ClientBuilder().token("...").build();
//   droplet::Result result = client.get(3164444, 36804636);
//   if (result.ok()) std::cout << result.action().type() << "\n";
//
// Ownership: every library handle has exactly one owner here, a move-only class that frees
// it in its destructor (Client, ClientBuilder, CancelToken, Result, Results, Request).
// Nothing is ever freed by hand, on any path, exceptions included. A moved-from object is
// empty: its destructor does nothing, and calls on it fail as calls with a NULL handle do in
// C (Status::InvalidArgument, with a message that says so), never crash. A moved-from
// CancelToken given to CallOptions::cancel makes the call fail the same way. CallOptions
// share the token they are given: it lives as long as the last of them, whatever becomes of
// the CancelToken object afterwards.
//
// Views: Action, Region, the std::string_view accessors of Result, Results, Error and
// Request, and Header point into memory that the owning object holds. They stay valid while
// that object lives, moves included (a move hands the memory over, it does not copy it).
// Every accessor of this header that returns a view or a raw handle is refused at compile
// time on a temporary owner (`client.get(1, 2).raw_body()`, `client.wait_many(refs).front()`,
// `client.wait_many(refs).take()`, `droplet::Error(result).error_id()`,
// `droplet::CallOptions().raw()` do not compile), a temporary CancelToken cannot be handed
// to CallOptions, and nullptr is no string. What the standard library hands out follows its
// own rules: a Result inside a temporary std::optional or std::vector, and
// std::exception::what() of a temporary Error, dangle as they would for any type.
// Errors: a call's failure is a value: a Result whose status() says why, with every field
// the library reports. get_or_throw() and wait_or_throw() throw droplet::Error instead,
// which carries the same fields. Building a client throws droplet::Error, with the reason
// that droplet::last_error_message() gives; try_build() and try_from_env() return an empty
// std::optional instead.
//
// Without exceptions (-fno-exceptions): everything that returns a value stays (get, wait,
// wait_many, parse_response, Request::try_build, ClientBuilder::try_build,
// Client::try_from_env, every setter); what throws is left out (build, from_env,
// Request::build, the *_or_throw calls). A setter then keeps the first refusal and
// try_build() reports it; Result::action() and Error::action() without an action, and a
// failed allocation, end the process (std::abort), as the standard library does there. The
// two modes live in inline namespaces of their own (droplet::exc, droplet::noexc), so files
// built each way link into one program without sharing an inline function; pass droplet
// objects only between files built the same way.
//
// Threads: a Client and a CancelToken may be used from many threads at once; a
// ClientBuilder, a Result and a Request from one at a time (or shared read-only).
//
// This file is the one to include: it includes its parts, under droplet_action/, in order
// (the statuses, the detail helpers, the results, Error, the call options, the client, the
// sans-IO half). A part included on its own is refused.
#ifndef DROPLET_ACTION_HPP
#define DROPLET_ACTION_HPP

#include "droplet_action.h"

#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <limits>
#include <memory>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#if __cplusplus < 201703L && !(defined(_MSVC_LANG) && _MSVC_LANG >= 201703L)
#error "droplet_action.hpp needs C++17 or later"
#endif

// 1 when the compiler has exceptions enabled; define it to 0 to leave the throwing calls out.
#ifndef DROPLET_HPP_EXCEPTIONS
#if defined(__cpp_exceptions) || defined(__EXCEPTIONS) || defined(_CPPUNWIND)
#define DROPLET_HPP_EXCEPTIONS 1
#else
#define DROPLET_HPP_EXCEPTIONS 0
#endif
#endif

// The exception mode is part of every name (exc or noexc), so that a program whose files
// are built with and without -fno-exceptions links two sets of inline functions, never one
// body chosen by link order for both. Each part opens and closes the namespaces with these.
#if DROPLET_HPP_EXCEPTIONS
#define DROPLET_HPP_BEGIN_NAMESPACE \
  namespace droplet {               \
  inline namespace exc {
#else
#define DROPLET_HPP_BEGIN_NAMESPACE \
  namespace droplet {               \
  inline namespace noexc {
#endif
#define DROPLET_HPP_END_NAMESPACE \
  } /* inline namespace exc or noexc */ \
  } /* namespace droplet */

// The parts, in order; each refuses to be included without this.
#define DROPLET_HPP_PART 1
#include "droplet_action/status.hpp"
#include "droplet_action/detail.hpp"
#include "droplet_action/result.hpp"
#include "droplet_action/error.hpp"
#include "droplet_action/call_options.hpp"
#include "droplet_action/client.hpp"
#include "droplet_action/sans_io.hpp"

DROPLET_HPP_BEGIN_NAMESPACE

static_assert(static_cast<std::uint32_t>(Status::Cancelled) == 9, "status numbers are fixed");
static_assert(!std::is_copy_constructible<Result>::value, "a Result owns its memory");
static_assert(std::is_nothrow_move_constructible<Result>::value &&
                  std::is_nothrow_move_constructible<Results>::value &&
                  std::is_nothrow_move_constructible<Client>::value &&
                  std::is_nothrow_move_constructible<ClientBuilder>::value &&
                  std::is_nothrow_move_constructible<CancelToken>::value &&
                  std::is_nothrow_move_constructible<Request>::value,
              "moves never throw");

DROPLET_HPP_END_NAMESPACE

#undef DROPLET_HPP_PART
#undef DROPLET_HPP_BEGIN_NAMESPACE
#undef DROPLET_HPP_END_NAMESPACE

#endif  // DROPLET_ACTION_HPP
