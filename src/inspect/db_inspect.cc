// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// mesa-inspect on a database directory: `ls` (tables, schemas, versions,
// live deltas), `versions` (the manifest history) and `verify` (the
// manifest, every live delta file in full, and a covering path for every
// readable version). The manifest is replayed read-only: inspecting never
// changes the directory (opening a Database would start a new manifest).

#include <sstream>

#include "fmt/format.h"
#include "src/db/delta_files.h"
#include "src/inspect/inspect_command.h"
#include "src/inspect/json_writer.h"
#include "src/inspect/value_format.h"
#include "src/util/status_macros.h"
#include "src/version/manifest_log.h"
#include "src/version/version_builder.h"
#include "src/version/version_edit.h"

namespace mesa::internal {
namespace {

struct ReplayedEdit {
  uint64_t offset = 0;
  VersionEdit edit;
};

struct DbState {
  uint64_t manifest_number = 0;
  uint64_t dropped_bytes = 0;
  std::vector<ReplayedEdit> edits;
  std::shared_ptr<const Version> version = std::make_shared<Version>();
};

absl::StatusOr<DbState> Replay(FileSystem* fs, const std::string& dir) {
  DbState state;
  auto number = ReadCurrentManifest(fs, dir);
  if (!number.ok()) return number.status();
  state.manifest_number = *number;
  const std::string path = fmt::format("{}/{}", dir, ManifestFileName(*number));
  auto contents = ReadManifest(fs, path);
  if (!contents.ok()) return contents.status();
  state.dropped_bytes = contents->dropped_bytes;
  LiveFileMap live;
  for (const ManifestRecord& record : contents->records) {
    auto edit = VersionEdit::Decode(record.payload);
    if (!edit.ok()) {
      return Annotate(edit.status(),
                      fmt::format("{}: record at offset {}", path,
                                  record.offset));
    }
    auto applied = ApplyEdit(*state.version, live, *edit, nullptr);
    if (!applied.ok()) {
      return Annotate(applied.status(),
                      fmt::format("{}: record at offset {} does not apply",
                                  path, record.offset));
    }
    UpdateLiveFiles(*applied, &live);
    state.version = applied->version;
    state.edits.push_back({record.offset, std::move(*edit)});
  }
  return state;
}

std::optional<DbState> ReplayOrReport(const Invocation& inv) {
  auto state = Replay(inv.fs, inv.path);
  if (!state.ok()) {
    *inv.err << "mesa-inspect: cannot read the database manifest: "
             << state.status().ToString() << "\n";
    return std::nullopt;
  }
  return *std::move(state);
}

std::string EditKind(const VersionEdit& e) {
  if (e.snapshot) return "snapshot";
  if (e.is_commit()) return fmt::format("commit v{}", *e.version);
  if (!e.created_tables.empty()) return "create table";
  if (!e.dropped_tables.empty()) return "drop table";
  if (e.oldest_version) return "base compaction";
  if (!e.added_deltas.empty()) return "compaction";
  return "edit";
}

}  // namespace

int ListDatabase(const Invocation& inv) {
  auto state = ReplayOrReport(inv);
  if (!state) return kExitFailed;
  const Version& v = *state->version;
  if (inv.json) {
    JsonWriter j(*inv.out);
    j.BeginObject();
    j.Field("directory", inv.path);
    j.Field("manifest", state->manifest_number);
    j.Field("latest_version", v.version());
    j.Field("oldest_readable_version", v.oldest_version());
    j.Key("tables");
    j.BeginArray();
    for (const auto& [id, t] : v.tables()) {
      j.BeginObject();
      j.Field("id", uint64_t{id});
      j.Field("name", t->name());
      j.Field("schema", t->schema().DebugString());
      j.Field("created_version", t->created_version());
      if (t->is_rollup()) {
        j.Field("rollup_of", uint64_t{t->parent_id()});
        const auto& ready = t->info().ready_version;
        j.Key("ready_version");
        if (ready.has_value()) {
          j.Uint(*ready);
        } else {
          j.Null();
        }
      }
      j.Key("deltas");
      j.BeginArray();
      for (const DeltaPtr& d : t->deltas()) {
        j.BeginObject(/*compact=*/true);
        j.Field("file", d->file_number());
        j.Field("min_version", d->min_version());
        j.Field("max_version", d->max_version());
        j.Field("rows", d->meta().row_count);
        j.Field("bytes", d->meta().file_size);
        j.EndObject();
      }
      j.EndArray();
      j.EndObject();
    }
    j.EndArray();
    j.EndObject();
    return kExitOk;
  }
  std::ostream& out = *inv.out;
  out << fmt::format(
      "database {}: MANIFEST-{}, latest version {}, oldest readable {}\n",
      inv.path, state->manifest_number, v.version(), v.oldest_version());
  for (const auto& [id, t] : v.tables()) {
    uint64_t rows = 0, bytes = 0;
    for (const DeltaPtr& d : t->deltas()) {
      rows += d->meta().row_count;
      bytes += d->meta().file_size;
    }
    std::string kind = "table";
    if (t->is_rollup()) {
      const TableVersion* parent = v.FindTable(t->parent_id());
      const auto& ready = t->info().ready_version;
      kind = fmt::format(
          "rollup of '{}' ({})", parent != nullptr ? parent->name() : "?",
          ready.has_value() ? fmt::format("ready from version {}", *ready)
                            : "being back-filled");
    }
    out << fmt::format(
        "\n{} '{}' (id {}, created at version {}): {}\n  {} live deltas, "
        "{} rows, {} bytes\n",
        kind, t->name(), id, t->created_version(), t->schema().DebugString(),
        t->deltas().size(), rows, bytes);
    out << fmt::format("  {:>10}  {:>21}  {:>12}  {:>12}\n", "file",
                       "versions", "rows", "bytes");
    for (const DeltaPtr& d : t->deltas()) {
      out << fmt::format("  {:>10}  {:>21}  {:>12}  {:>12}\n",
                         fmt::format("{}.delta", d->file_number()),
                         fmt::format("[{},{}]", d->min_version(),
                                     d->max_version()),
                         d->meta().row_count, d->meta().file_size);
    }
  }
  return kExitOk;
}

int ListVersions(const Invocation& inv) {
  auto state = ReplayOrReport(inv);
  if (!state) return kExitFailed;
  if (inv.json) {
    JsonWriter j(*inv.out);
    j.BeginObject();
    j.Field("manifest", state->manifest_number);
    j.Field("dropped_tail_bytes", state->dropped_bytes);
    j.Key("records");
    j.BeginArray();
    for (const ReplayedEdit& r : state->edits) {
      j.BeginObject(/*compact=*/true);
      j.Field("offset", r.offset);
      j.Field("kind", EditKind(r.edit));
      j.Field("edit", r.edit.DebugString());
      if (r.edit.is_commit() && !r.edit.commit_times.empty()) {
        j.Field("committed_unix_micros", r.edit.commit_times[0].unix_micros);
      }
      j.EndObject();
    }
    j.EndArray();
    j.EndObject();
    return kExitOk;
  }
  *inv.out << fmt::format("MANIFEST-{}: {} records{}\n",
                          state->manifest_number, state->edits.size(),
                          state->dropped_bytes > 0
                              ? fmt::format(", {} torn tail bytes dropped",
                                            state->dropped_bytes)
                              : "");
  for (const ReplayedEdit& r : state->edits) {
    *inv.out << fmt::format("  @{:<8} {:<16} {}\n", r.offset,
                            EditKind(r.edit), r.edit.DebugString());
  }
  return kExitOk;
}

int VerifyDatabase(const Invocation& inv) {
  std::vector<std::string> problems, notes;
  auto state = Replay(inv.fs, inv.path);
  if (!state.ok()) {
    problems.push_back(
        fmt::format("manifest: {}", StatusMessage(state.status())));
  } else {
    const Version& v = *state->version;
    if (state->dropped_bytes > 0) {
      notes.push_back(fmt::format(
          "manifest ends with a torn record ({} bytes), dropped on open",
          state->dropped_bytes));
    }
    DeltaFiles files(inv.fs, inv.path);
    std::vector<uint64_t> live = v.DeltaFileNumbers();
    for (const auto& [id, t] : v.tables()) {
      for (const DeltaPtr& d : t->deltas()) {
        Invocation sub = inv;
        sub.path = files.PathOf(d->file_number());
        sub.json = false;
        std::ostringstream sink, errors;
        sub.out = &sink;
        sub.err = &errors;
        if (VerifyDelta(sub) != kExitOk) {
          problems.push_back(fmt::format("table '{}' delta {}: {}{}",
                                         t->name(), sub.path, errors.str(),
                                         sink.str()));
          continue;
        }
        auto reader = DeltaReader::Open(inv.fs, sub.path);
        if (!reader.ok()) continue;  // reported by VerifyDelta
        const DeltaMeta& m = d->meta();
        if ((*reader)->row_count() != m.row_count ||
            (*reader)->file_size() != m.file_size ||
            (*reader)->min_version() != m.min_version ||
            (*reader)->max_version() != m.max_version ||
            (*reader)->meta().min_key != m.min_key ||
            (*reader)->meta().max_key != m.max_key ||
            !((*reader)->schema() == t->schema())) {
          problems.push_back(fmt::format(
              "table '{}' delta {}: the file does not match the manifest "
              "(rows, size, versions, keys or schema)",
              t->name(), sub.path));
        }
      }
      // A rollup answers from its ready version on (none while it is
      // back-filled).
      uint64_t first = std::max(v.oldest_version(), t->created_version());
      if (t->is_rollup()) {
        first = std::max(first, t->info().ready_version.value_or(UINT64_MAX));
      }
      for (uint64_t ver = first; ver <= v.version(); ++ver) {
        auto path = v.CoveringPath(id, ver);
        if (!path.ok()) {
          problems.push_back(fmt::format(
              "table '{}': no covering path at version {}: {}", t->name(),
              ver, StatusMessage(path.status())));
          break;
        }
      }
    }
    auto names = inv.fs->GetChildren(inv.path);
    if (names.ok()) {
      for (const std::string& name : *names) {
        auto number = DeltaFiles::ParseName(name);
        if (number && !std::binary_search(live.begin(), live.end(), *number)) {
          notes.push_back(fmt::format(
              "{} is not in the manifest (garbage, removed on open)", name));
        }
      }
    }
  }
  const bool ok = problems.empty();
  if (inv.json) {
    JsonWriter j(*inv.out);
    j.BeginObject();
    j.Field("directory", inv.path);
    j.Field("ok", ok);
    j.Key("problems");
    j.BeginArray();
    for (const auto& p : problems) j.String(p);
    j.EndArray();
    j.Key("notes");
    j.BeginArray();
    for (const auto& n : notes) j.String(n);
    j.EndArray();
    j.EndObject();
  } else {
    for (const auto& n : notes) *inv.out << "note: " << n << "\n";
    for (const auto& p : problems) *inv.out << "PROBLEM: " << p << "\n";
    *inv.out << fmt::format("{}: {}\n", inv.path,
                            ok ? "OK" : fmt::format("{} problems",
                                                    problems.size()));
  }
  return ok ? kExitOk : kExitFailed;
}

}  // namespace mesa::internal
