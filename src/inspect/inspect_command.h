// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// What mesa-inspect's subcommands share: the parsed invocation and the
// exit codes. inspect.cc parses the command line and dispatches through its
// subcommand table; each subcommand lives in its own file.

#ifndef MESA_INSPECT_INSPECT_COMMAND_H_
#define MESA_INSPECT_INSPECT_COMMAND_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <ostream>
#include <string>

#include "mesa/file_system.h"
#include "src/format/delta_reader.h"

namespace mesa::internal {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;  // unreadable input or problems found
inline constexpr int kExitUsage = 2;

struct Invocation {
  FileSystem* fs = nullptr;  // borrowed
  std::string path;          // the one operand: a delta file or a directory
  bool json = false;
  std::optional<uint64_t> rows;  // dump --rows N
  std::ostream* out = nullptr;
  std::ostream* err = nullptr;
};

// Opens the delta file `inv.path`; on failure writes "mesa-inspect: ..."
// with the reader's error to `inv.err` and returns null.
std::shared_ptr<const DeltaReader> OpenDeltaOrReport(const Invocation& inv);

// The delta-file subcommands; each returns an exit code.
int DumpDelta(const Invocation& inv);
int VerifyDelta(const Invocation& inv);
int StatsDelta(const Invocation& inv);

// The database-directory subcommands (db_inspect.cc).
int ListDatabase(const Invocation& inv);
int ListVersions(const Invocation& inv);
int VerifyDatabase(const Invocation& inv);

}  // namespace mesa::internal

#endif  // MESA_INSPECT_INSPECT_COMMAND_H_
