// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// DatabaseImpl coordinates; the work lives in collaborators: VersionSet
// (manifest and versions), DeltaFiles (files and open readers), the commit
// path below, RunCompaction (compaction.h) and the VersionedReader
// (versioned_reader.h).

#ifndef MESA_DB_DATABASE_IMPL_H_
#define MESA_DB_DATABASE_IMPL_H_

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>
#include <vector>

#include "mesa/database.h"
#include "src/db/delta_files.h"
#include "src/util/mutex.h"
#include "src/version/compaction_picker.h"
#include "src/version/version_set.h"

namespace mesa::internal {

class DatabaseImpl final : public Database {
 public:
  static absl::StatusOr<std::unique_ptr<Database>> Open(
      const Options& options, const std::string& path);
  ~DatabaseImpl() override;

  absl::StatusOr<std::shared_ptr<const Table>> CreateTable(
      std::string_view name, const Schema& schema,
      const TableOptions& options) override;
  absl::Status DropTable(std::string_view name) override;
  std::vector<std::string> ListTables() const override;
  absl::StatusOr<std::shared_ptr<const Table>> GetTable(
      std::string_view name) const override;
  absl::StatusOr<std::shared_ptr<const Table>> AddRollup(
      std::string_view table, const RollupSpec& rollup) override;
  absl::Status DropRollup(std::string_view rollup) override;
  absl::StatusOr<uint64_t> Commit(const UpdateBatch& batch) override;
  absl::StatusOr<std::unique_ptr<VersionedReader>> NewReader() override;
  absl::StatusOr<std::unique_ptr<VersionedReader>> NewReader(
      uint64_t version) override;
  absl::StatusOr<uint64_t> Checksum(std::string_view table,
                                    uint64_t version) override;
  absl::Status CompactNow() override;
  uint64_t LatestVersion() const override;
  uint64_t OldestReadableVersion() const override;
  absl::StatusOr<uint64_t> VersionAt(absl::Time time) const override;
  absl::StatusOr<absl::Time> CommitTime(uint64_t version) const override;
  DatabaseStats Stats() const override;

 private:
  DatabaseImpl(const Options& options, std::string dir);
  absl::Status Init();
  absl::Status CollectGarbage();
  // The newest version base compaction may fold up to under history_time
  // (CompactionPolicy::time_limit), nullopt without a time window.
  std::optional<uint64_t> TimeWindowLimit() const;
  std::shared_ptr<const Table> TableHandle(const Version& version,
                                          const TableVersion& t) const;
  // The TableInfo of a new table or rollup, with a fresh id above `*next_id`
  // (which it advances).
  TableInfo NewTableInfo(std::string_view name, const Schema& schema,
                         const TableOptions& options, uint32_t* next_id);
  uint32_t FirstFreeTableId(const Version& current) const;
  // DropTable (rollup false) and DropRollup (true).
  absl::Status Drop(std::string_view name, bool rollup);
  // InvalidArgument for a version after current's latest, OutOfRange
  // naming the oldest readable version for one before it.
  static absl::Status CheckReadable(const Version& current, uint64_t version);

  // Commit helpers.
  absl::Status WaitForCompaction(const UpdateBatch& batch);
  // Writes `sorted` (sorted and aggregated rows of table `table`) as a
  // delta [min_version, max_version]: a commit's singleton or a rollup's
  // back-filled base.
  absl::StatusOr<DeltaMeta> WriteDelta(const TableVersion& table,
                                       const RowBatch& sorted,
                                       uint64_t min_version,
                                       uint64_t max_version);
  // Adds to `edit` the singletons of `table` and its rollups for `rows`.
  absl::Status AddCommitDeltas(const Version& current,
                               const TableVersion& table, const RowBatch& rows,
                               VersionEdit* edit)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(commit_mu_);

  // Back-fills every rollup that is not ready (serialized by
  // backfill_mu_): each from the latest version, published with one edit
  // that marks it ready there.
  absl::Status BackfillRollups();
  absl::Status Backfill(std::shared_ptr<const Version> pinned,
                        const TableVersion& rollup);

  // Runs every due compaction of every table (with `full`, also merges
  // every pending singleton). Serialized by compact_mu_.
  absl::Status CompactAll(bool full = false);
  size_t PendingSingletons(const TableVersion& t) const;
  void BackgroundLoop();
  void ScheduleCompaction();

  const Options options_;
  const std::string dir_;
  FileSystem* const fs_;
  CompactionPolicy policy_;
  Clock* const clock_;
  // How often background compaction wakes up to fold versions that aged
  // out of history_time; zero: only when work is scheduled.
  std::chrono::milliseconds time_window_tick_{0};
  std::shared_ptr<DeltaFiles> files_;
  std::unique_ptr<VersionSet> versions_;

  Mutex commit_mu_;   // serializes Commit, CreateTable and DropTable
  // The last commit's sorted rows (AddCommitDeltas), kept for their
  // memory when it had at most kKeepSortedRows rows.
  static constexpr size_t kKeepSortedRows = size_t{1} << 18;
  RowBatch commit_sorted_ ABSL_GUARDED_BY(commit_mu_);
  Mutex compact_mu_;  // serializes compactions
  Mutex backfill_mu_;  // serializes rollup back-fills

  Mutex bg_mu_;
  CondVar bg_cv_{&bg_mu_};
  bool shutting_down_ ABSL_GUARDED_BY(bg_mu_) = false;
  bool work_pending_ ABSL_GUARDED_BY(bg_mu_) = false;
  uint64_t compactions_done_ ABSL_GUARDED_BY(bg_mu_) = 0;
  absl::Status bg_error_ ABSL_GUARDED_BY(bg_mu_);
  std::vector<std::thread> bg_threads_;

  std::atomic<uint64_t> cumulative_compactions_{0};
  std::atomic<uint64_t> base_compactions_{0};
  std::atomic<uint64_t> compaction_input_bytes_{0};
  std::atomic<uint64_t> compaction_output_bytes_{0};
  std::atomic<uint64_t> commit_stalls_{0};
  std::shared_ptr<std::atomic<uint64_t>> gc_errors_ =
      std::make_shared<std::atomic<uint64_t>>(0);
};

}  // namespace mesa::internal

#endif  // MESA_DB_DATABASE_IMPL_H_
