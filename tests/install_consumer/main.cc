// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// Uses only mesa's installed headers and library. Prints one line and
// exits 0 when everything works.

#include <cstdio>
#include <string>

#include "mesa/file_system.h"
#include "mesa/row_batch.h"
#include "mesa/schema.h"

int main() {
  absl::StatusOr<mesa::Schema> schema = mesa::Schema::Create(
      {{"advertiser_id", mesa::ColumnType::kInt64},
       {"country", mesa::ColumnType::kString}},
      {{"clicks", mesa::ColumnType::kInt64, mesa::Aggregation::kSum}});
  if (!schema.ok()) {
    std::fprintf(stderr, "Schema::Create: %s\n",
                 schema.status().ToString().c_str());
    return 1;
  }
  mesa::RowBatch batch(*schema);
  batch.column(0).AppendInt64(7);
  batch.column(1).AppendString("JP");
  batch.column(2).AppendInt64(3);

  std::unique_ptr<mesa::FileSystem> fs = mesa::NewMemFileSystem();
  const std::string path = "/consumer/schema.txt";
  absl::Status s = fs->CreateDir("/consumer");
  if (s.ok()) s = mesa::WriteFileAtomically(fs.get(), path, schema->DebugString());
  if (!s.ok()) {
    std::fprintf(stderr, "WriteFileAtomically: %s\n", s.ToString().c_str());
    return 1;
  }
  absl::StatusOr<std::string> back = mesa::ReadFileToString(fs.get(), path);
  if (!back.ok() || *back != schema->DebugString()) {
    std::fprintf(stderr, "ReadFileToString: %s\n",
                 back.ok() ? "contents differ" : back.status().ToString().c_str());
    return 1;
  }
  std::printf("mesa consumer OK: %s, fingerprint %016llx, %zu row(s)\n",
              back->c_str(),
              static_cast<unsigned long long>(schema->Fingerprint()),
              batch.num_rows());
  return 0;
}
