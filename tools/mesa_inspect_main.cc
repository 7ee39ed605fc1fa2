// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// mesa-inspect: a thin main over src/inspect/ (which tests call directly).

#include <iostream>
#include <string>
#include <vector>

#include "src/inspect/inspect.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return mesa::internal::RunInspect(args, std::cout, std::cerr);
}
