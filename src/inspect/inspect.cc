// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.

#include "src/inspect/inspect.h"

namespace mesa::internal {

int RunInspect(const std::vector<std::string>& args, std::ostream& out,
               std::ostream& err) {
  (void)out;
  err << "usage: mesa-inspect dump|verify|stats FILE [--json] [--rows N]\n";
  return args.empty() ? 2 : 2;
}

}  // namespace mesa::internal
