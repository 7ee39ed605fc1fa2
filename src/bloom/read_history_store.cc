// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.

#include "mesa/read_history_store.h"

#include <algorithm>
#include <chrono>

#include "fmt/format.h"
#include "src/util/mutex.h"
#include "src/util/status_macros.h"

namespace mesa {

Schema MesaReadHistoryStore::TableSchema() {
  return *Schema::Create({{"user_id", ColumnType::kInt64, Aggregation::kNone},
                          {"item_id", ColumnType::kInt64, Aggregation::kNone}},
                         {{"read_at", ColumnType::kInt64, Aggregation::kMax}});
}

absl::StatusOr<std::unique_ptr<MesaReadHistoryStore>>
MesaReadHistoryStore::Open(Database* db, const std::string& table) {
  if (db == nullptr) {
    return absl::InvalidArgumentError("MesaReadHistoryStore needs a Database");
  }
  auto handle = db->GetTable(table);
  if (absl::IsNotFound(handle.status())) {
    handle = db->CreateTable(table, TableSchema());
  }
  MESA_RETURN_IF_ERROR(handle.status());
  const Schema& schema = (*handle)->schema();
  if (schema.num_keys() != 2 || schema.num_columns() != 3 ||
      schema.column(0).type != ColumnType::kInt64 ||
      schema.column(1).type != ColumnType::kInt64 ||
      schema.column(2).type != ColumnType::kInt64) {
    return absl::InvalidArgumentError(fmt::format(
        "table '{}' has schema {}; a read history needs (user int64, item "
        "int64 | read_at int64)",
        table, schema.DebugString()));
  }
  return std::unique_ptr<MesaReadHistoryStore>(
      new MesaReadHistoryStore(db, std::move(*handle)));
}

// The reader LoadItems uses, shared by calls until a commit moves the
// latest version (so a call sees every write committed before it) or it
// is kReaderMaxAge old (so a compaction's new layout is picked up, and old
// delta files are not kept alive, soon after it). A reader plans each
// table's read once (its covering path, its open deltas): reusing it
// spares each call that planning.
struct MesaReadHistoryStore::ReaderCache {
  static constexpr std::chrono::milliseconds kReaderMaxAge{100};
  internal::Mutex mu;
  std::shared_ptr<const VersionedReader> reader ABSL_GUARDED_BY(mu);
  std::chrono::steady_clock::time_point made ABSL_GUARDED_BY(mu);
};

absl::StatusOr<std::vector<int64_t>> MesaReadHistoryStore::LoadItems(
    int64_t user) {
  ReaderCache& rc = *readers_;
  std::shared_ptr<const VersionedReader> reader;
  const uint64_t latest = db_->LatestVersion();
  const auto now = std::chrono::steady_clock::now();
  {
    internal::MutexLock lock(&rc.mu);
    if (rc.reader != nullptr && rc.reader->version() == latest &&
        now - rc.made < ReaderCache::kReaderMaxAge) {
      reader = rc.reader;
    }
  }
  if (reader == nullptr) {
    MESA_ASSIGN_OR_RETURN(std::unique_ptr<VersionedReader> fresh,
                          db_->NewReader());
    reader = std::move(fresh);
    internal::MutexLock lock(&rc.mu);
    rc.reader = reader;
    rc.made = now;
  }
  ScanSpec spec;
  spec.key_prefix = {user};
  spec.columns = {table_->schema().column(1).name};
  // The scan's cursors stop at the user's last row (a key prefix bounds
  // them), so one batch can hold a whole history however long.
  spec.batch_rows = 4096;
  MESA_ASSIGN_OR_RETURN(auto cursor, reader->Scan(table_->name(), spec));
  std::vector<int64_t> items;
  // Views: a history in one delta (the base, most of them) is copied once,
  // from the block cache into `items`.
  while (cursor->NextView()) {
    const ColumnView& col = cursor->views()[0];
    items.insert(items.end(), col.words_begin(), col.words_end());
  }
  MESA_RETURN_IF_ERROR(cursor->status());
  return items;  // in key order: sorted
}

// The user's history (one prefix scan), then a branch-free binary search
// per candidate, the 400 searches independent so the CPU overlaps them.
// Measured on workload already_read (bench/already_read_driver.cc,
// docs/performance.md) against a point lookup (VersionedReader::Get) per
// candidate, 8x slower, and against a merge with the sorted candidates,
// whose sort alone costs more than the searches.
absl::StatusOr<std::vector<bool>> MesaReadHistoryStore::ExactCheck(
    int64_t user, absl::Span<const int64_t> candidates) {
  MESA_ASSIGN_OR_RETURN(std::vector<int64_t> items, LoadItems(user));
  std::vector<bool> read(candidates.size());
  if (items.empty()) return read;
  const int64_t* data = items.data();
  for (size_t i = 0; i < candidates.size(); ++i) {
    const int64_t x = candidates[i];
    const int64_t* base = data;
    size_t n = items.size();
    while (n > 1) {
      const size_t half = n / 2;
      base = base[half - 1] < x ? base + half : base;
      n -= half;
    }
    read[i] = *base == x;
  }
  return read;
}

// Group commit, as LevelDB's write queue: a writer that finds no commit in
// flight commits every row queued so far, its own included; the others
// wait for the commit that carries their rows. While one commit (a delta
// file and a manifest record, each synced) is in flight, the rows of every
// caller that arrives meanwhile queue for the next one, so N concurrent
// callers pay about one commit latency each instead of N.
struct MesaReadHistoryStore::GroupCommit {
  struct Group {
    explicit Group(const Schema& schema) : rows(schema) {}
    RowBatch rows;
    bool done = false;
    absl::Status status;
  };
  internal::Mutex mu;
  internal::CondVar cv{&mu};
  std::shared_ptr<Group> open ABSL_GUARDED_BY(mu);  // rows still queued
  bool committing ABSL_GUARDED_BY(mu) = false;
};

MesaReadHistoryStore::MesaReadHistoryStore(Database* db,
                                           std::shared_ptr<const Table> table)
    : db_(db),
      table_(std::move(table)),
      group_(std::make_unique<GroupCommit>()),
      readers_(std::make_unique<ReaderCache>()) {}

MesaReadHistoryStore::~MesaReadHistoryStore() = default;

absl::Status MesaReadHistoryStore::Write(int64_t user,
                                         absl::Span<const int64_t> items,
                                         int64_t read_at) {
  if (items.empty()) return absl::OkStatus();
  if (read_at < 0) {
    read_at = std::chrono::duration_cast<std::chrono::milliseconds>(
                  std::chrono::system_clock::now().time_since_epoch())
                  .count();
  }
  GroupCommit& gc = *group_;
  gc.mu.Lock();
  if (gc.open == nullptr) {
    gc.open = std::make_shared<GroupCommit::Group>(table_->schema());
  }
  std::shared_ptr<GroupCommit::Group> mine = gc.open;
  RowBatch& rows = mine->rows;
  for (int64_t item : items) {
    rows.column(0).AppendInt64(user);
    rows.column(1).AppendInt64(item);
    rows.column(2).AppendInt64(read_at);
  }
  while (!mine->done) {
    if (gc.committing) {
      gc.cv.Wait();
      continue;
    }
    // No commit in flight, so `mine` is still the open group: commit it.
    gc.committing = true;
    gc.open = nullptr;
    gc.mu.Unlock();
    UpdateBatch batch;
    absl::Status status = batch.AddRows(*table_, mine->rows);
    if (status.ok()) status = db_->Commit(batch).status();
    gc.mu.Lock();
    mine->status = std::move(status);
    mine->done = true;
    gc.committing = false;
    gc.cv.SignalAll();
  }
  absl::Status status = mine->status;
  gc.mu.Unlock();
  return status;
}

ReadHistoryWriter MesaReadHistoryStore::Writer() {
  return [this](int64_t user, absl::Span<const int64_t> items) {
    return Write(user, items);
  };
}

}  // namespace mesa
