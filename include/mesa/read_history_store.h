// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// The already-read cache's store as a mesa table: (user_id int64, item_id
// int64) -> read_at int64 MAX. It loads a user's history with one prefix
// scan, answers exact checks from that scan, and writes reads through an
// UpdateBatch, grouping the rows of concurrent writers into one commit.
//
// Thread safety: safe to use from many threads (the Database is).

#ifndef MESA_READ_HISTORY_STORE_H_
#define MESA_READ_HISTORY_STORE_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "mesa/already_read_cache.h"
#include "mesa/database.h"

namespace mesa {

class MesaReadHistoryStore final : public ReadHistoryLoader {
 public:
  // Uses table `table` of `db` (not owned, must outlive the store), creating
  // it if missing. InvalidArgument if an existing table has another schema.
  static absl::StatusOr<std::unique_ptr<MesaReadHistoryStore>> Open(
      Database* db, const std::string& table);

  // The table's schema: (user_id int64, item_id int64 | read_at int64 MAX).
  static Schema TableSchema();

  absl::StatusOr<std::vector<int64_t>> LoadItems(int64_t user) override;
  bool SupportsExactCheck() const override { return true; }
  absl::StatusOr<std::vector<bool>> ExactCheck(
      int64_t user, absl::Span<const int64_t> candidates) override;

  // Commits (user, item, read_at) rows; `read_at` is the clock's value in
  // milliseconds unless given. Returns once the rows are committed (durable
  // and visible to LoadItems). Calls from several threads share commits: a
  // call that finds a commit in flight waits and goes in the next one with
  // every other call that arrived meanwhile; each gets that commit's status.
  absl::Status Write(int64_t user, absl::Span<const int64_t> items,
                     int64_t read_at = -1);
  // A ReadHistoryWriter for AlreadyReadCacheOptions::write_through.
  ReadHistoryWriter Writer();

  ~MesaReadHistoryStore() override;

 private:
  struct GroupCommit;
  struct ReaderCache;

  MesaReadHistoryStore(Database* db, std::shared_ptr<const Table> table);

  Database* db_;
  std::shared_ptr<const Table> table_;
  std::unique_ptr<GroupCommit> group_;
  std::unique_ptr<ReaderCache> readers_;
};

}  // namespace mesa

#endif  // MESA_READ_HISTORY_STORE_H_
