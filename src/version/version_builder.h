// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// ApplyEdit: the one place that decides whether a VersionEdit makes sense
// for a state, and builds the Version it leads to. VersionSet uses it both
// to apply new edits and to replay the manifest, so what recovery accepts
// is exactly what Apply could have written.
//
// Rules (each violation is InvalidArgument with a message naming the
// table, delta and versions involved):
//  - A snapshot applies only to the empty state and names the latest
//    version; it drops and removes nothing.
//  - A commit publishes latest + 1 and adds only singletons [v, v], at most
//    one per table. Any other edit publishes nothing and adds no singleton
//    (only the commit of x writes [x, x]) and no delta past the latest
//    version.
//  - The oldest readable version never goes down, nor above the latest.
//  - Versions stay at or below kMaxVersion, file numbers below
//    kMaxFileNumber, next_file_number at or below it.
//  - Tables: a dropped table exists; a created one has a new id (not also
//    dropped by the same edit), a name of 1..255 bytes unused by any other
//    table, a schema, and created_version = the edit's version for a
//    commit, the latest version for other edits, <= the latest in a
//    snapshot.
//  - Deltas: a removed delta is live in its table; an added one belongs to
//    an existing table, has min <= max, max >= 1, row_count >= 1,
//    min_key <= max_key, a file number below next_file_number (when the edit
//    has one) that is not live (nor removed by the same edit), and a range
//    its table does not already hold. Ranges may overlap (a cumulative overlaps
//    the singletons it was merged from); only duplicates are refused.
//  - The singleton invariant (delta_graph.h): an edit may remove a
//    singleton [x, x] only if, after it, a base of the table reaches x; and
//    a table's base end never goes down.
//  - Every table's base ends at or below the oldest readable version, so a
//    read at any readable version finds a path.
//
// Thread safety: a pure function of its arguments.

#ifndef MESA_SRC_VERSION_VERSION_BUILDER_H_
#define MESA_SRC_VERSION_VERSION_BUILDER_H_

#include <cstdint>
#include <memory>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "src/version/version.h"
#include "src/version/version_edit.h"

namespace mesa::internal {

// File number -> table id of every live delta of a Version.
using LiveFileMap = absl::flat_hash_map<uint64_t, uint32_t>;

struct AppliedEdit {
  std::shared_ptr<const Version> version;  // the state after the edit
  std::vector<DeltaPtr> removed;  // left the live set (dropped tables too)
  std::vector<DeltaPtr> added;    // new handles, in the edit's order
};

// Applies `edit` to `base`, whose live files `live_files` lists. New
// handles get `on_obsolete` (may be null). Does not mark anything obsolete
// and does not touch `live_files`: see UpdateLiveFiles.
absl::StatusOr<AppliedEdit> ApplyEdit(
    const Version& base, const LiveFileMap& live_files, const VersionEdit& edit,
    const std::shared_ptr<const ObsoleteDeltaCallback>& on_obsolete);

// Brings `live_files` from the base's to the result's.
void UpdateLiveFiles(const AppliedEdit& applied, LiveFileMap* live_files);

}  // namespace mesa::internal

#endif  // MESA_SRC_VERSION_VERSION_BUILDER_H_
