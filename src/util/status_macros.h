// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// Status plumbing. Debian's Abseil (20220623) has no status macros and no
// absl/log, so mesa defines its own, once, here.

#ifndef MESA_UTIL_STATUS_MACROS_H_
#define MESA_UTIL_STATUS_MACROS_H_

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace mesa::internal {

// A status's message as a std::string_view (Debian's Abseil has its own
// absl::string_view, which fmt cannot format).
inline std::string_view StatusMessage(const absl::Status& s) {
  return std::string_view(s.message().data(), s.message().size());
}

// The same status code with `context` put before the message, e.g. the
// file and block an error was found in.
inline absl::Status Annotate(const absl::Status& s, std::string_view context) {
  if (s.ok()) return s;
  std::string msg(context);
  msg += ": ";
  msg += StatusMessage(s);
  return absl::Status(s.code(), msg);
}

}  // namespace mesa::internal

#define MESA_STATUS_CONCAT_INNER_(a, b) a##b
#define MESA_STATUS_CONCAT_(a, b) MESA_STATUS_CONCAT_INNER_(a, b)

// Returns from the enclosing function if `expr` (an absl::Status) is not OK.
#define MESA_RETURN_IF_ERROR(expr)                    \
  do {                                                \
    ::absl::Status mesa_status_ = (expr);             \
    if (!mesa_status_.ok()) return mesa_status_;      \
  } while (0)

// MESA_ASSIGN_OR_RETURN(lhs, expr): evaluates `expr` (an absl::StatusOr<T>);
// returns its status if not OK, else moves its value into `lhs`, which may
// be a declaration (`auto x`) or an existing variable.
#define MESA_ASSIGN_OR_RETURN(lhs, expr)                                     \
  MESA_ASSIGN_OR_RETURN_IMPL_(MESA_STATUS_CONCAT_(mesa_statusor_, __LINE__), \
                              lhs, expr)
#define MESA_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                \
  if (!tmp.ok()) return std::move(tmp).status();    \
  lhs = std::move(tmp).value()

// Debug-only invariant checks: compiled out in release builds (NDEBUG).
#ifdef NDEBUG
#define MESA_DCHECK(cond) \
  do {                    \
    (void)sizeof(cond);   \
  } while (0)
#else
#define MESA_DCHECK(cond)                                                  \
  do {                                                                     \
    if (!(cond)) {                                                         \
      std::fprintf(stderr, "%s:%d: MESA_DCHECK failed: %s\n", __FILE__,    \
                   __LINE__, #cond);                                       \
      std::abort();                                                        \
    }                                                                      \
  } while (0)
#endif

#endif  // MESA_UTIL_STATUS_MACROS_H_
