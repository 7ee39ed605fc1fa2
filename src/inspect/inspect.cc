// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// mesa-inspect's command line: options, the subcommand table and dispatch.
// A subcommand names one handler per kind of operand. Today every operand
// is a delta file; `ls DBDIR`, `versions DBDIR` and `verify DBDIR` plug in
// as the `directory` handler of a (new or existing) table entry, and a
// directory operand given to an entry without one is a usage error.

#include "src/inspect/inspect.h"

#include <charconv>
#include <optional>
#include <span>
#include <string_view>

#include "fmt/format.h"
#include "src/inspect/inspect_command.h"

namespace mesa::internal {
namespace {

using Handler = int (*)(const Invocation&);

struct Subcommand {
  std::string_view name;
  std::string_view operands;  // for the usage text
  std::string_view summary;
  bool takes_rows;        // accepts --rows N
  Handler delta_file;     // the operand is a delta file
  Handler directory;      // the operand is a database directory; null: none
};

constexpr Subcommand kSubcommands[] = {
    {"dump", "FILE [--rows N] [--json]",
     "footer, schema, versions, keys, zone maps, index and blocks; with "
     "--rows the first N rows",
     true, &DumpDelta, nullptr},
    {"verify", "FILE|DBDIR [--json]",
     "checks every checksum, decodes every block and checks key order, "
     "short keys, zone maps, row counts and the Bloom filter; for a "
     "database: the manifest, every live delta against it, and a covering "
     "path at every readable version",
     false, &VerifyDelta, &VerifyDatabase},
    {"ls", "DBDIR [--json]",
     "tables, schemas, versions and live deltas with ranges, rows and sizes",
     false, nullptr, &ListDatabase},
    {"versions", "DBDIR [--json]", "the manifest history, one edit a line",
     false, nullptr, &ListVersions},
    {"stats", "FILE [--json]",
     "raw, encoded and stored bytes per column, encodings used, section "
     "sizes",
     false, &StatsDelta, nullptr},
};

void PrintUsage(std::ostream& os) {
  os << "usage: mesa-inspect COMMAND OPERAND [OPTIONS]\n\ncommands:\n";
  for (const Subcommand& s : kSubcommands) {
    os << fmt::format("  {} {}\n      {}\n", s.name, s.operands, s.summary);
  }
  os << "\noptions:\n"
        "  --json     machine-readable output (one JSON document)\n"
        "  --rows N   dump: also print the first N rows\n"
        "  --help     this text\n"
        "\nexit codes: 0 ok, 1 unreadable file or problems found, 2 usage "
        "error\n";
}

int UsageError(std::ostream& err, std::string_view message) {
  err << "mesa-inspect: " << message << "\n";
  err << "run 'mesa-inspect --help' for usage\n";
  return kExitUsage;
}

const Subcommand* FindSubcommand(std::string_view name) {
  for (const Subcommand& s : kSubcommands) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

std::optional<uint64_t> ParseCount(std::string_view text) {
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) {
    return std::nullopt;
  }
  return v;
}

bool IsDirectory(FileSystem* fs, const std::string& path) {
  return fs->GetChildren(path).ok();
}

}  // namespace

std::shared_ptr<const DeltaReader> OpenDeltaOrReport(const Invocation& inv) {
  auto reader = DeltaReader::Open(inv.fs, inv.path);
  if (!reader.ok()) {
    // The reader's errors name the file already.
    *inv.err << "mesa-inspect: cannot open the delta file: "
             << reader.status().ToString() << "\n";
    return nullptr;
  }
  return *std::move(reader);
}

int RunInspect(const std::vector<std::string>& args, std::ostream& out,
               std::ostream& err) {
  return RunInspect(DefaultFileSystem(), args, out, err);
}

int RunInspect(FileSystem* fs, const std::vector<std::string>& args,
               std::ostream& out, std::ostream& err) {
  if (args.empty()) {
    PrintUsage(err);
    return kExitUsage;
  }
  if (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    PrintUsage(out);
    return kExitOk;
  }
  const Subcommand* cmd = FindSubcommand(args[0]);
  if (cmd == nullptr) {
    return UsageError(err, fmt::format("unknown command '{}'", args[0]));
  }
  Invocation inv;
  inv.fs = fs;
  inv.out = &out;
  inv.err = &err;
  std::vector<std::string> operands;
  const std::span<const std::string> rest(args.begin() + 1, args.end());
  for (size_t i = 0; i < rest.size(); ++i) {
    std::string_view a = rest[i];
    if (a == "--help" || a == "-h") {
      PrintUsage(out);
      return kExitOk;
    } else if (a == "--json") {
      inv.json = true;
    } else if (a == "--rows" || a.starts_with("--rows=")) {
      if (!cmd->takes_rows) {
        return UsageError(err,
                          fmt::format("{} does not take --rows", cmd->name));
      }
      std::string_view value;
      if (a == "--rows") {
        if (i + 1 == rest.size()) return UsageError(err, "--rows needs N");
        value = rest[++i];
      } else {
        value = a.substr(7);
      }
      inv.rows = ParseCount(value);
      if (!inv.rows) {
        return UsageError(
            err, fmt::format("--rows wants a row count, not '{}'", value));
      }
    } else if (a.size() > 1 && a[0] == '-') {
      return UsageError(err, fmt::format("unknown option '{}'", a));
    } else {
      operands.emplace_back(a);
    }
  }
  if (operands.size() != 1) {
    return UsageError(
        err, fmt::format("{} takes one operand ({}), got {}", cmd->name,
                         cmd->operands, operands.size()));
  }
  inv.path = operands[0];
  if (IsDirectory(fs, inv.path)) {
    if (cmd->directory == nullptr) {
      return UsageError(err, fmt::format("{}: {} is a directory; {} takes a "
                                         "delta file",
                                         cmd->name, inv.path, cmd->name));
    }
    return cmd->directory(inv);
  }
  if (cmd->delta_file == nullptr) {
    return UsageError(err, fmt::format("{}: {} is not a database directory",
                                       cmd->name, inv.path));
  }
  return cmd->delta_file(inv);
}

}  // namespace mesa::internal
