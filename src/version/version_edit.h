// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// A VersionEdit is the payload of one manifest record: one change to the
// set of tables and live deltas, applied atomically. There are three kinds:
//
//  - a commit publishes the next version `v` (= the latest + 1) and adds one
//    singleton delta [v, v] for each table the commit touched (a commit may
//    also create and drop tables);
//  - any other edit (a compaction, a table created or dropped on its own)
//    publishes no version: it adds and removes deltas and may raise the
//    oldest readable version;
//  - a snapshot is the whole state (every table and live delta, the latest
//    and oldest versions) and is the first record of every manifest.
//
// The byte format is in docs/format.md, "Manifest". Encode() is
// deterministic and Decode() is strict: Decode(x) succeeds only on the
// exact bytes Encode() produces for the decoded edit, so
// Encode(Decode(x)) == x. Decode() checks the bytes, not the meaning:
// whether an edit applies to a state (a commit number that follows the
// latest, a delta of an existing table, ...) is VersionSet's check.
//
// Thread safety: plain values; no internal synchronization.

#ifndef MESA_SRC_VERSION_VERSION_EDIT_H_
#define MESA_SRC_VERSION_VERSION_EDIT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "mesa/schema.h"

namespace mesa::internal {

// The manifest format version a snapshot record carries.
inline constexpr uint32_t kManifestFormatVersion = 1;

// The longest table name, in bytes.
inline constexpr size_t kMaxTableNameLength = 255;

// Bounds that keep version and file-number arithmetic far from overflow
// (VersionSet refuses edits beyond them): versions stop at 2^62; file
// numbers are below 2^62 and a next_file_number is at most 2^62.
inline constexpr uint64_t kMaxVersion = uint64_t{1} << 62;
inline constexpr uint64_t kMaxFileNumber = uint64_t{1} << 62;

// What the manifest knows of one delta file. The file itself (the rows) is
// the db layer's; the manifest only names it.
struct DeltaMeta {
  uint64_t file_number = 0;  // unique over the database's life
  uint32_t table_id = 0;
  // The versions whose rows the delta holds: [min_version, max_version],
  // max_version >= 1. A delta with min_version 0 is a base; one with
  // min_version == max_version >= 1 a singleton (written by the commit of
  // that version); any other a cumulative.
  uint64_t min_version = 0;
  uint64_t max_version = 0;
  uint64_t row_count = 0;  // >= 1: an empty delta is never written
  uint64_t file_size = 0;
  std::string min_key;  // encoded key of the first row
  std::string max_key;  // encoded key of the last row (>= min_key)

  bool is_base() const { return min_version == 0; }
  bool is_singleton() const {
    return min_version != 0 && min_version == max_version;
  }

  friend bool operator==(const DeltaMeta&, const DeltaMeta&) = default;
};

// A table as the manifest records it at creation.
struct TableInfo {
  uint32_t table_id = 0;
  std::string name;  // 1..kMaxTableNameLength bytes, unique among tables
  Schema schema;
  // Opaque to this module: owned and interpreted by the db layer.
  std::string table_options;
  // The first version at which the table exists (it is empty there unless
  // the creating commit also added a delta to it). VersionSet::Apply fills
  // it in: the edit's version for a commit, else the latest version.
  uint64_t created_version = 0;
  // A rollup (materialized view) is a table whose rows the db layer derives
  // from its parent's: the parent's table id, or 0 for a table of its own.
  // Its schema's columns are a subset of the parent's, matched by name.
  uint32_t parent_table_id = 0;
  // A rollup's deltas hold every row of its parent from this version on
  // (reads below it must not use the rollup). A rollup declared with its
  // parent is ready from its creation; one added to a table holding data is
  // not ready (nullopt) until its back-fill is published (RollupReady).
  // Unused (nullopt) for a table of its own.
  std::optional<uint64_t> ready_version;

  bool is_rollup() const { return parent_table_id != 0; }

  friend bool operator==(const TableInfo&, const TableInfo&) = default;
};

// Marks a back-filled rollup ready from `version` on.
struct RollupReady {
  uint32_t table_id = 0;
  uint64_t version = 0;

  friend bool operator==(const RollupReady&, const RollupReady&) = default;
};

// When a version was committed, in microseconds since the Unix epoch (the
// database's clock, made non-decreasing across versions).
struct CommitTime {
  uint64_t version = 0;
  uint64_t unix_micros = 0;

  friend bool operator==(const CommitTime&, const CommitTime&) = default;
};

// Names one live delta to remove.
struct DeltaId {
  uint32_t table_id = 0;
  uint64_t file_number = 0;

  friend bool operator==(const DeltaId&, const DeltaId&) = default;
};

struct VersionEdit {
  // A snapshot: the whole state, applied to an empty state; only ever the
  // first record of a manifest, written by VersionSet itself.
  bool snapshot = false;
  // Commit: the version this edit publishes (the latest + 1). Snapshot: the
  // latest committed version (0 for an empty database). Unset otherwise.
  std::optional<uint64_t> version;
  // The new oldest readable version (raised by base compaction; it never
  // goes down). Unset: unchanged.
  std::optional<uint64_t> oldest_version;
  // The next unused file number. VersionSet::Apply fills it in.
  std::optional<uint64_t> next_file_number;

  // Applied in this order: dropped tables, created tables, removed deltas,
  // added deltas, ready rollups. Commit times are not part of a Version:
  // VersionSet keeps them (the time-based history window).
  std::vector<uint32_t> dropped_tables;
  std::vector<TableInfo> created_tables;
  std::vector<DeltaId> removed_deltas;
  std::vector<DeltaMeta> added_deltas;
  std::vector<RollupReady> ready_rollups;
  std::vector<CommitTime> commit_times;

  bool is_commit() const { return !snapshot && version.has_value(); }

  // Appends the encoding to `dst`.
  void EncodeTo(std::string* dst) const;
  std::string Encode() const {
    std::string out;
    EncodeTo(&out);
    return out;
  }
  // Parses an encoded edit. DataLoss naming the field on truncated,
  // malformed or non-canonical input (fields out of tag order, a repeated
  // single field, a varint longer than needed), a table id past 32 bits,
  // an invalid schema, or an unknown tag; InvalidArgument if a snapshot was
  // written by a newer mesa.
  static absl::StatusOr<VersionEdit> Decode(std::string_view in);

  // A one-line summary for logs and test failures.
  std::string DebugString() const;

  friend bool operator==(const VersionEdit&, const VersionEdit&) = default;
};

// "2026-11-25T19:00:00.000000Z": a commit time for logs and mesa-inspect.
std::string FormatUnixMicros(uint64_t unix_micros);

}  // namespace mesa::internal

#endif  // MESA_SRC_VERSION_VERSION_EDIT_H_
