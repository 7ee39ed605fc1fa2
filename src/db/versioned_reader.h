// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// The VersionedReader of a Database: a pinned Version (whose delta files
// stay on disk while it is held) and a version number inside it. Scans
// merge the deltas of the covering path of each table at that version.

#ifndef MESA_DB_VERSIONED_READER_H_
#define MESA_DB_VERSIONED_READER_H_

#include <memory>

#include "mesa/reader.h"
#include "src/db/delta_files.h"
#include "src/merge/merging_cursor.h"
#include "src/version/version.h"

namespace mesa::internal {

// A table's rows at one version, merged over its covering path: the engine
// under Scan, Get, Checksum and compaction.
struct MergePlan {
  std::shared_ptr<const Version> pinned;
  const TableVersion* table = nullptr;
  std::vector<std::shared_ptr<const DeltaReader>> deltas;  // oldest first
  std::vector<DeltaPtr> handles;  // the deltas' metadata, parallel
};

// The reader of a delta file that a Version names: DataLoss naming the
// file if it is missing.
absl::StatusOr<std::shared_ptr<const DeltaReader>> OpenLiveDelta(
    DeltaFiles* files, uint64_t file_number);

// The merge plan of `table_name` at `version` in `pinned`.
absl::StatusOr<MergePlan> PlanTableRead(
    DeltaFiles* files, std::shared_ptr<const Version> pinned,
    std::string_view table_name, uint64_t version);

// A merging cursor over `plan`'s deltas with every key column and the
// value columns `values`, each input positioned at `seek_target` (an
// encoded key or prefix; empty: the start).
absl::StatusOr<std::unique_ptr<MergingCursor>> NewMergingCursor(
    const MergePlan& plan, const std::vector<size_t>& values,
    std::string_view seek_target);

std::unique_ptr<VersionedReader> NewVersionedReader(
    std::shared_ptr<DeltaFiles> files, std::shared_ptr<const Version> pinned,
    uint64_t version);

// An order-independent digest of the rows a merging cursor yields.
absl::StatusOr<uint64_t> DigestRows(const Schema& schema,
                                    MergingCursor* cursor);

}  // namespace mesa::internal

#endif  // MESA_DB_VERSIONED_READER_H_
