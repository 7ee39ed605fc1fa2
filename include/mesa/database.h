// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// A Database is a directory of versioned tables (design.md). Every Commit
// publishes one update batch, across every table it touches, as the next
// version, atomically and durably; readers pin a version and get
// repeatable answers while ingest and compaction go on.
//
// Thread safety: a Database is safe to use from many threads at once.
// Commits are serialized internally.

#ifndef MESA_DATABASE_H_
#define MESA_DATABASE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "mesa/clock.h"
#include "mesa/file_system.h"
#include "mesa/reader.h"
#include "mesa/table.h"
#include "mesa/update_batch.h"

namespace mesa {

struct Options {
  // Where the files go. Not owned; must outlive the Database.
  // Default: DefaultFileSystem() (POSIX)
  FileSystem* fs = nullptr;
  // Create the directory and an empty database if none is there.
  // Default: true
  bool create_if_missing = true;
  // The history window: which versions stay readable. A version stays
  // readable while it is one of the newest `history_versions`, or while it
  // was the latest version at some moment within the last `history_time`
  // (by `clock`). Versions that leave the window are folded into the base
  // by the next base compaction that finds enough of them, so they may stay
  // readable a while longer; never shorter. A window by time alone:
  // history_versions = 1 and history_time set.
  //
  // At least 1. Default: 100
  uint64_t history_versions = 100;
  // Not negative; zero: the window is history_versions alone; infinite:
  // nothing is ever folded. With background threads, compaction also
  // wakes up as time passes (at most every history_time / 4, at least
  // every minute) to fold versions that aged out; without, Commit (at
  // back-pressure) and CompactNow() do it. Default: zero
  absl::Duration history_time = absl::ZeroDuration();
  // The clock that stamps each commit's time (kept in the manifest; see
  // mesa-inspect versions). Not owned; must outlive the Database.
  // Default: SystemClock()
  Clock* clock = nullptr;
  // Merge singletons into a cumulative delta once this many have piled up
  // above the newest cumulative (Mesa's cumulative compaction). At least 2.
  // Default: 10
  size_t cumulative_threshold = 10;
  // Background compaction threads; 0 disables background compaction
  // (CompactNow() still works). Default: 1
  int background_threads = 1;
  // Back-pressure: once a table has this many singleton deltas above its
  // newest cumulative, Commit waits for compaction to catch up instead of
  // failing. At least cumulative_threshold. Default: 64
  size_t max_pending_singletons = 64;
  // Capacity of the cache of decoded blocks, in bytes; 0 disables it.
  // Default: 256 MiB
  size_t block_cache_bytes = size_t{256} << 20;

  // InvalidArgument naming the field when a value is out of range.
  absl::Status Validate() const;
};

struct DeltaStats {
  uint64_t file_number = 0;
  uint64_t min_version = 0;
  uint64_t max_version = 0;
  uint64_t rows = 0;
  uint64_t bytes = 0;
};

struct TableStats {
  std::string name;
  std::string rollup_of;  // a rollup's parent; empty for a table
  bool ready = true;      // false while a rollup is back-filled
  std::vector<DeltaStats> deltas;  // live deltas, by version range
};

struct DatabaseStats {
  uint64_t latest_version = 0;
  uint64_t oldest_readable_version = 0;
  std::vector<TableStats> tables;
  uint64_t cumulative_compactions = 0;
  uint64_t base_compactions = 0;
  uint64_t compaction_input_bytes = 0;
  uint64_t compaction_output_bytes = 0;
  uint64_t commit_stalls = 0;  // commits that waited for compaction
  uint64_t block_cache_hits = 0;
  uint64_t block_cache_misses = 0;
};

class Database {
 public:
  // Opens (or creates) the database in directory `path`: recovers the
  // manifest, drops a torn last record, and deletes files it does not name.
  static absl::StatusOr<std::unique_ptr<Database>> Open(
      const Options& options, const std::string& path);

  virtual ~Database() = default;

  // AlreadyExists if the name (or a rollup's) is taken; InvalidArgument for
  // a bad name, schema, options or rollup. The table and the rollups of
  // options.rollups are created together.
  virtual absl::StatusOr<std::shared_ptr<const Table>> CreateTable(
      std::string_view name, const Schema& schema,
      const TableOptions& options = {}) = 0;
  // Drops a table and its rollups. Readers that already pinned a version
  // still see them. InvalidArgument for a rollup (use DropRollup).
  virtual absl::Status DropTable(std::string_view name) = 0;
  // Tables and rollups, sorted by name.
  virtual std::vector<std::string> ListTables() const = 0;

  // Adds a rollup to table `table`. If the table holds no rows yet the
  // rollup is ready at once; otherwise it is back-filled in the background
  // (or by CompactNow() when background_threads is 0) from a pinned
  // version, while commits go on and derive its rows as usual; it is used
  // and readable only once complete (Table::ready()), from the version it
  // was back-filled at on. The handle returned is the rollup's.
  virtual absl::StatusOr<std::shared_ptr<const Table>> AddRollup(
      std::string_view table, const RollupSpec& rollup) = 0;
  // Drops a rollup: new readers stop seeing it at once; its files go when
  // no reader needs them. InvalidArgument if `rollup` is not a rollup.
  virtual absl::Status DropRollup(std::string_view rollup) = 0;

  // NotFound if there is no such table or rollup.
  virtual absl::StatusOr<std::shared_ptr<const Table>> GetTable(
      std::string_view name) const = 0;

  // Publishes `batch` as the next version and returns it. Each table's rows
  // are sorted and aggregated into one singleton delta, and each of its
  // rollups gets one derived from them; all of them are published by one
  // durable manifest record. NotFound if a table was dropped;
  // InvalidArgument for rows of a rollup (they are derived). May wait
  // (back-pressure) while compaction catches up.
  virtual absl::StatusOr<uint64_t> Commit(const UpdateBatch& batch) = 0;

  // A reader pinned at the latest version, or at `version`: OutOfRange
  // naming the oldest readable version if it is older, InvalidArgument if
  // it is in the future.
  virtual absl::StatusOr<std::unique_ptr<VersionedReader>> NewReader() = 0;
  virtual absl::StatusOr<std::unique_ptr<VersionedReader>> NewReader(
      uint64_t version) = 0;

  // An order-independent digest of `table`'s (or a rollup's) rows at
  // `version`: the same rows under any delta layout give the same digest.
  // Values are digested bit for bit, so a SUM of doubles whose additions
  // round differently in another grouping (another compaction layout) may
  // digest differently; integer sums, MIN, MAX and REPLACE never do.
  virtual absl::StatusOr<uint64_t> Checksum(std::string_view table,
                                            uint64_t version) = 0;

  // Finishes every pending rollup back-fill and runs every due compaction
  // now, in the calling thread, and merges the
  // singletons above the newest cumulative even below the cumulative
  // threshold, so a read at the latest version touches at most the base,
  // one cumulative and one singleton. Versions outside the history window
  // are folded into the base as usual; those inside stay readable.
  virtual absl::Status CompactNow() = 0;

  virtual uint64_t LatestVersion() const = 0;
  virtual uint64_t OldestReadableVersion() const = 0;

  // The version that was the latest at `time` (the newest one committed at
  // or before it; 0 before the first commit), to pin a reader "as of" a
  // time. OutOfRange naming the oldest readable version if that version is
  // no longer readable. Versions written by a mesa that did not record
  // commit times count as committed before any time.
  virtual absl::StatusOr<uint64_t> VersionAt(absl::Time time) const = 0;
  // When `version` was committed. NotFound if it is not readable, or its
  // time was not recorded (see VersionAt).
  virtual absl::StatusOr<absl::Time> CommitTime(uint64_t version) const = 0;
  virtual DatabaseStats Stats() const = 0;
};

}  // namespace mesa

#endif  // MESA_DATABASE_H_
