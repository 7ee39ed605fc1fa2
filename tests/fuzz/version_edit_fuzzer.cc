// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// Fuzzes the manifest's decoders and the edit validation of src/version/.
//
// Byte 0 picks a mode; the rest is the input:
//  0  VersionEdit::Decode. On success Encode gives back the very same
//     bytes (the encoding is canonical) and DebugString works.
//  1  the input is a whole manifest file: VersionSet::Open replays it (in
//     memory) and must fail cleanly or recover a state in which every
//     table has a covering path at every readable version; the recovered
//     state survives a second Open.
//  2  the input is one edit, applied by ApplyEdit to a fixed state with
//     two tables, a base, a cumulative and singletons; if it applies, the
//     same covering-path invariant holds for the result.
// Never a crash, a hang or a sanitizer report.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "mesa/file_system.h"
#include "mesa/schema.h"
#include "src/version/manifest_log.h"
#include "src/version/version.h"
#include "src/version/version_builder.h"
#include "src/version/version_edit.h"
#include "src/version/version_set.h"

namespace {

using namespace mesa::internal;  // NOLINT: a fuzzer's main file

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "version_edit_fuzzer: %s\n", what);
    std::abort();
  }
}

// Every table of `v` reads at the latest version and at the readable
// versions from the oldest on (a bounded number of them).
void CheckPaths(const Version& v) {
  for (const auto& [id, table] : v.tables()) {
    Check(v.CoveringPath(id, v.version()).ok(),
          "no path at the latest version");
    uint64_t end = v.version();
    if (end - v.oldest_version() > 64) end = v.oldest_version() + 64;
    for (uint64_t at = v.oldest_version(); at <= end; ++at) {
      Check(v.CoveringPath(id, at).ok(), "no path at a readable version");
    }
  }
}

void FuzzDecode(std::string_view in) {
  absl::StatusOr<VersionEdit> edit = VersionEdit::Decode(in);
  if (!edit.ok()) return;
  Check(edit->Encode() == in, "re-encoding a decoded edit changed its bytes");
  (void)edit->DebugString();
}

void FuzzManifest(std::string_view in) {
  std::unique_ptr<mesa::FileSystem> fs = mesa::NewMemFileSystem();
  Check(fs->CreateDir("/db").ok(), "CreateDir");
  {
    auto file = fs->NewWritableFile(ManifestFilePath("/db", 5)).value();
    Check(file->Append(in).ok() && file->Close().ok(), "write");
  }
  Check(SetCurrentManifest(fs.get(), "/db", 5).ok(), "CURRENT");
  VersionSetOptions options;
  options.fs = fs.get();
  options.dir = "/db";
  absl::StatusOr<std::unique_ptr<VersionSet>> vs = VersionSet::Open(options);
  if (!vs.ok()) return;
  CheckPaths(*(*vs)->current());
  const std::string state = (*vs)->current()->DebugString();
  vs->reset();
  vs = VersionSet::Open(options);
  Check(vs.ok(), "a recovered database does not open again");
  Check((*vs)->current()->DebugString() == state,
        "reopening changed the state");
}

DeltaMeta Delta(uint32_t table, uint64_t file, uint64_t lo, uint64_t hi) {
  DeltaMeta d;
  d.table_id = table;
  d.file_number = file;
  d.min_version = lo;
  d.max_version = hi;
  d.row_count = 1;
  d.max_key = "z";
  return d;
}

// Tables 1 and 2 at version 12, oldest 4: table 1 has a base [0,4], a
// cumulative [5,9] and singletons 5..12 (7 missing: empty); table 2 has
// singletons 3 and 10. Files 1..30 are used, 31 is next.
struct FixedState {
  FixedState() {
    VersionEdit e;
    e.snapshot = true;
    e.version = 12;
    e.oldest_version = 4;
    e.next_file_number = 31;
    for (uint32_t id : {1u, 2u}) {
      TableInfo t;
      t.table_id = id;
      t.name = id == 1 ? "one" : "two";
      t.schema = mesa::Schema::Create(
                     {{"k", mesa::ColumnType::kString}},
                     {{"v", mesa::ColumnType::kInt64, mesa::Aggregation::kSum}})
                     .value();
      e.created_tables.push_back(t);
    }
    uint64_t file = 1;
    e.added_deltas.push_back(Delta(1, file++, 0, 4));
    e.added_deltas.push_back(Delta(1, file++, 5, 9));
    for (uint64_t v = 5; v <= 12; ++v) {
      if (v != 7) e.added_deltas.push_back(Delta(1, file++, v, v));
    }
    e.added_deltas.push_back(Delta(2, file++, 3, 3));
    e.added_deltas.push_back(Delta(2, file++, 10, 10));
    absl::StatusOr<AppliedEdit> applied =
        ApplyEdit(Version(), live, e, nullptr);
    Check(applied.ok(), "the fixed state does not apply");
    UpdateLiveFiles(*applied, &live);
    version = applied->version;
  }
  LiveFileMap live;
  std::shared_ptr<const Version> version;
};

void FuzzApply(std::string_view in) {
  static const FixedState* state = new FixedState();
  absl::StatusOr<VersionEdit> edit = VersionEdit::Decode(in);
  if (!edit.ok()) return;
  absl::StatusOr<AppliedEdit> applied =
      ApplyEdit(*state->version, state->live, *edit, nullptr);
  if (!applied.ok()) {
    Check(absl::IsInvalidArgument(applied.status()),
          "a refused edit is not InvalidArgument");
    return;
  }
  CheckPaths(*applied->version);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const std::string_view in(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (data[0] % 3) {
    case 0:
      FuzzDecode(in);
      break;
    case 1:
      FuzzManifest(in);
      break;
    case 2:
      FuzzApply(in);
      break;
  }
  return 0;
}
