// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// The mesa-inspect command line, as a function tests can call:
//
//   mesa-inspect dump FILE [--rows N] [--json]   footer, schema, index, blocks
//   mesa-inspect verify FILE [--json]            every checksum and invariant
//   mesa-inspect stats FILE [--json]             sizes and encodings per column
//
// Exit codes: 0 success (verify: no problem found); 1 the file cannot be
// read or verify found problems; 2 a usage error.
//
// Thread safety: RunInspect may run on many threads at once.

#ifndef MESA_INSPECT_INSPECT_H_
#define MESA_INSPECT_INSPECT_H_

#include <ostream>
#include <string>
#include <vector>

#include "mesa/file_system.h"

namespace mesa::internal {

// Runs `mesa-inspect args...` over the POSIX file system; returns the
// process exit code. Results go to `out`, errors and usage to `err`.
int RunInspect(const std::vector<std::string>& args, std::ostream& out,
               std::ostream& err);

// The same over `fs` (borrowed), e.g. an in-memory file system in tests.
int RunInspect(FileSystem* fs, const std::vector<std::string>& args,
               std::ostream& out, std::ostream& err);

}  // namespace mesa::internal

#endif  // MESA_INSPECT_INSPECT_H_
