// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// The mesa-inspect command line, as a function tests can call.

#ifndef MESA_INSPECT_INSPECT_H_
#define MESA_INSPECT_INSPECT_H_

#include <ostream>
#include <string>
#include <vector>

namespace mesa::internal {

// Runs `mesa-inspect args...`; returns the process exit code.
int RunInspect(const std::vector<std::string>& args, std::ostream& out,
               std::ostream& err);

}  // namespace mesa::internal

#endif  // MESA_INSPECT_INSPECT_H_
