// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// Small helpers shared by the example programs and workload drivers: exit
// with a message on error, time a step, pick a fresh scratch directory.

#ifndef MESA_WORKLOAD_PROGRAM_UTIL_H_
#define MESA_WORKLOAD_PROGRAM_UTIL_H_

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "absl/status/statusor.h"
#include "fmt/format.h"

namespace mesa::workload {

using Clock = std::chrono::steady_clock;

inline double SecondsSince(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// Prints "<what> failed: <status>" and exits 1 unless `s` is OK.
inline void Check(const absl::Status& s, const char* what) {
  if (!s.ok()) {
    fmt::print(stderr, "{} failed: {}\n", what, s.ToString());
    std::exit(1);
  }
}

// The value of `v`; exits as Check does when `v` holds an error.
template <typename T>
T OrDie(absl::StatusOr<T> v, const char* what) {
  Check(v.status(), what);
  return std::move(*v);
}

// `dir` if not empty, else <temp>/<name>; emptied either way.
inline std::string FreshDirectory(const std::string& dir,
                                  const std::string& name) {
  std::string path =
      dir.empty() ? (std::filesystem::temp_directory_path() / name).string()
                  : dir;
  std::filesystem::remove_all(path);
  return path;
}

}  // namespace mesa::workload

#endif  // MESA_WORKLOAD_PROGRAM_UTIL_H_
