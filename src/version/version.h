// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// A Version is an immutable snapshot of the database's tables and live
// deltas: the latest committed version number, the oldest version still
// readable, and per table its name, schema, options blob and live deltas.
// VersionSet (version_set.h) makes them; readers pin one by holding its
// shared_ptr, and everything it names stays on disk while they do.
//
// Delta files are reference-counted through DeltaHandle: consecutive
// Versions share the handles of the deltas they both list. When an edit
// removes a delta, VersionSet marks its handle obsolete once the edit is
// durable; when the last Version (or other holder) that refers to the
// handle lets go, the handle calls the db layer's ObsoleteDeltaCallback
// with the delta's metadata, exactly once, and the db deletes the file.
//
// Thread safety: Version, TableVersion and DeltaHandle are immutable once
// built (MarkObsolete aside, which is atomic) and safe to share between
// threads without synchronization. The callback runs on whichever thread
// drops the last reference.

#ifndef MESA_SRC_VERSION_VERSION_H_
#define MESA_SRC_VERSION_VERSION_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "src/version/delta_graph.h"
#include "src/version/version_edit.h"

namespace mesa::internal {

// Called once for every delta that an edit removed (a compaction's inputs,
// the deltas of a dropped table) when no Version refers to it any more: the
// file may be deleted. It runs on the thread that dropped the last
// reference (a reader releasing its Version, or VersionSet::Apply), with
// no VersionSet lock held; it must be thread-safe and should be quick
// (e.g. queue the deletion).
using ObsoleteDeltaCallback = std::function<void(const DeltaMeta&)>;

class DeltaHandle {
 public:
  // `on_obsolete` may be null (then nothing is called).
  explicit DeltaHandle(
      DeltaMeta meta,
      std::shared_ptr<const ObsoleteDeltaCallback> on_obsolete = nullptr);
  // Runs the callback if the delta was marked obsolete.
  ~DeltaHandle();
  DeltaHandle(const DeltaHandle&) = delete;
  DeltaHandle& operator=(const DeltaHandle&) = delete;

  const DeltaMeta& meta() const { return meta_; }
  uint64_t file_number() const { return meta_.file_number; }
  uint64_t min_version() const { return meta_.min_version; }
  uint64_t max_version() const { return meta_.max_version; }

  // The delta left the live set (VersionSet calls this once the removing
  // edit is durable): the file goes when the last reference does.
  void MarkObsolete() const {
    obsolete_.store(true, std::memory_order_release);
  }
  bool obsolete() const { return obsolete_.load(std::memory_order_acquire); }

 private:
  const DeltaMeta meta_;
  const std::shared_ptr<const ObsoleteDeltaCallback> on_obsolete_;
  mutable std::atomic<bool> obsolete_{false};
};

using DeltaPtr = std::shared_ptr<const DeltaHandle>;

// One table as of one Version.
class TableVersion {
 public:
  // Sorts `deltas` by (min_version, max_version, file_number).
  TableVersion(TableInfo info, std::vector<DeltaPtr> deltas);

  const TableInfo& info() const { return info_; }
  uint32_t id() const { return info_.table_id; }
  const std::string& name() const { return info_.name; }
  const Schema& schema() const { return info_.schema; }
  const std::string& table_options() const { return info_.table_options; }
  uint64_t created_version() const { return info_.created_version; }
  // Rollups (version_edit.h, TableInfo): the parent's id, 0 for a table of
  // its own; and whether the rollup answers reads at version `v` (ready,
  // and v at or after its ready version).
  uint32_t parent_id() const { return info_.parent_table_id; }
  bool is_rollup() const { return info_.is_rollup(); }
  bool RollupReadableAt(uint64_t v) const {
    return info_.ready_version.has_value() && v >= *info_.ready_version;
  }

  // The live deltas, sorted by (min_version, max_version).
  const std::vector<DeltaPtr>& deltas() const { return deltas_; }
  // Their ranges, parallel to deltas().
  const std::vector<VersionRange>& ranges() const { return ranges_; }
  // The live delta with this file number, or null.
  const DeltaPtr* FindDelta(uint64_t file_number) const;
  // The highest max_version of a base delta (one that starts at 0); nullopt
  // if the table has none. Versions up to it are read from the base.
  std::optional<uint64_t> base_end() const;

  // The fewest deltas whose ranges chain [0, v], in version order, by the
  // rule of delta_graph.h (versions with no delta of this table are
  // empty). Does not check `v` against a Version's oldest and latest
  // versions: Version::CoveringPath does.
  absl::StatusOr<std::vector<DeltaPtr>> CoveringPath(uint64_t v) const;

 private:
  TableInfo info_;
  std::vector<DeltaPtr> deltas_;
  std::vector<VersionRange> ranges_;
};

using TableMap = std::map<uint32_t, std::shared_ptr<const TableVersion>>;

class Version {
 public:
  // An empty database: no version committed, no table.
  Version() = default;
  Version(uint64_t version, uint64_t oldest_version, TableMap tables);

  // The latest committed version; 0 before the first commit.
  uint64_t version() const { return version_; }
  // The oldest version a reader may ask for; every table's base ends at or
  // below it.
  uint64_t oldest_version() const { return oldest_version_; }

  // Tables by id.
  const TableMap& tables() const { return tables_; }
  // Null if there is no such table.
  const TableVersion* FindTable(uint32_t table_id) const;
  const TableVersion* FindTableByName(std::string_view name) const;
  // The rollups of table `parent_id`, by id.
  std::vector<const TableVersion*> RollupsOf(uint32_t parent_id) const;

  // The fewest deltas of table `table_id` that chain [0, v], in version
  // order (see delta_graph.h). NotFound if there is no such table;
  // OutOfRange naming the bound if `v` is below oldest_version() or above
  // version(). A table created after `v` has an empty path: the caller
  // decides whether reading it there is an error (TableInfo says when it
  // was created).
  absl::StatusOr<std::vector<DeltaPtr>> CoveringPath(uint32_t table_id,
                                                     uint64_t v) const;

  // The file numbers of every live delta, sorted.
  std::vector<uint64_t> DeltaFileNumbers() const;

  // This whole Version as a snapshot edit (next_file_number unset).
  VersionEdit ToSnapshotEdit() const;

  // "v=12 oldest=3 tables=[1 'ads': [0,3]#7 [4,4]#9 ...]".
  std::string DebugString() const;

 private:
  uint64_t version_ = 0;
  uint64_t oldest_version_ = 0;
  TableMap tables_;
  absl::flat_hash_map<std::string, uint32_t> ids_by_name_;
};

}  // namespace mesa::internal

#endif  // MESA_SRC_VERSION_VERSION_H_
