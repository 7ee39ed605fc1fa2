// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// Back-pressure (Options::max_pending_singletons): with no background
// thread a commit that finds too many singletons compacts inline and
// succeeds; with one, it waits for the background compaction instead of
// failing — unless that compaction failed, which it then reports.

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "mesa/database.h"
#include "src/util/status_macros.h"
#include "tests/db/db_test_util.h"
#include "tests/db/gated_file_system.h"

namespace mesa {
namespace {

using testing::GatedFileSystem;
using testing::ScanAll;

Schema Counter() {
  return Schema::Create({{"k", ColumnType::kInt64}},
                        {{"n", ColumnType::kInt64, Aggregation::kSum}})
      .value();
}

// Singletons above the newest cumulative or base of `table`.
size_t Pending(const DatabaseStats& stats, const std::string& table) {
  for (const TableStats& t : stats.tables) {
    if (t.name != table) continue;
    uint64_t covered = 0;
    for (const DeltaStats& d : t.deltas) {
      if (d.min_version != d.max_version || d.min_version == 0) {
        covered = std::max(covered, d.max_version);
      }
    }
    size_t pending = 0;
    for (const DeltaStats& d : t.deltas) {
      pending += d.min_version == d.max_version && d.min_version > covered;
    }
    return pending;
  }
  return 0;
}

// A database on `fs` holding one Counter table "t", compacting after two
// singletons and holding at most `max_pending` before a commit waits.
struct CounterDb {
  std::unique_ptr<Database> db;
  std::shared_ptr<const Table> t;
};

absl::StatusOr<CounterDb> OpenCounterDb(FileSystem* fs, int background_threads,
                                        size_t max_pending,
                                        uint64_t history_versions = 100) {
  Options o = testing::SmallCompactionOptions(fs, background_threads,
                                              /*cumulative_threshold=*/2,
                                              max_pending);
  o.history_versions = history_versions;
  CounterDb out;
  MESA_ASSIGN_OR_RETURN(out.db, Database::Open(o, "/db"));
  MESA_ASSIGN_OR_RETURN(out.t, out.db->CreateTable("t", Counter()));
  return out;
}

absl::StatusOr<uint64_t> CommitOne(Database* db, const Table& t, int64_t k,
                                   int64_t n) {
  UpdateBatch batch;
  if (absl::Status s = batch.AddRow(t, {k, n}); !s.ok()) return s;
  return db->Commit(batch);
}

// The sum of n over every key at the latest version.
int64_t Total(Database* db, const std::string& table) {
  auto reader = db->NewReader();
  EXPECT_TRUE(reader.ok()) << reader.status();
  auto rows = ScanAll(**reader, table, Counter());
  EXPECT_TRUE(rows.ok()) << rows.status();
  int64_t total = 0;
  for (size_t r = 0; r < rows->num_rows(); ++r) {
    total += rows->column(1).GetInt64(r);
  }
  return total;
}

TEST(BackPressureTest, WithoutBackgroundThreadCommitsCompactInline) {
  auto fs = NewMemFileSystem();
  constexpr size_t kMaxPending = 3;
  auto c = OpenCounterDb(fs.get(), /*background_threads=*/0, kMaxPending);
  ASSERT_TRUE(c.ok()) << c.status();
  for (int i = 1; i <= 40; ++i) {
    auto v = CommitOne(c->db.get(), *c->t, i % 7, i);
    ASSERT_TRUE(v.ok()) << v.status();
    ASSERT_EQ(*v, static_cast<uint64_t>(i));
    EXPECT_LE(Pending(c->db->Stats(), "t"), kMaxPending);
  }
  const DatabaseStats stats = c->db->Stats();
  EXPECT_GT(stats.commit_stalls, 0u);
  EXPECT_GT(stats.cumulative_compactions, 0u);
  EXPECT_EQ(Total(c->db.get(), "t"), 40 * 41 / 2);
}

TEST(BackPressureTest, WithABackgroundThreadCommitsWaitInsteadOfFailing) {
  auto gated = std::make_unique<GatedFileSystem>(NewMemFileSystem());
  GatedFileSystem* gate = gated.get();
  auto c = OpenCounterDb(gate, /*background_threads=*/1, /*max_pending=*/2);
  ASSERT_TRUE(c.ok()) << c.status();
  Database* db = c->db.get();

  // Compaction cannot read its inputs: it stops at the gate.
  gate->Close();
  constexpr int kCommits = 6;
  std::atomic<int> done{0};
  std::vector<absl::Status> results(kCommits);
  std::thread committer([&] {
    for (int i = 0; i < kCommits; ++i) {
      results[i] = CommitOne(db, *c->t, i, 1).status();
      done.fetch_add(1);
    }
  });
  // The second commit makes a cumulative compaction due; the third finds
  // two singletons pending and must wait for it.
  ASSERT_TRUE(gate->WaitForWaiter(std::chrono::seconds(10)));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(done.load(), 2) << "the third commit did not wait";
  EXPECT_GE(db->Stats().commit_stalls, 1u);
  gate->Open();
  committer.join();
  for (int i = 0; i < kCommits; ++i) {
    EXPECT_TRUE(results[i].ok()) << "commit " << i << ": " << results[i];
  }
  EXPECT_EQ(db->LatestVersion(), static_cast<uint64_t>(kCommits));
  EXPECT_EQ(Total(db, "t"), kCommits);
  EXPECT_GT(db->Stats().cumulative_compactions, 0u);
}

// Many commits against a background thread that has real work to do: none
// fails, none exceeds the limit.
TEST(BackPressureTest, SustainedCommitsWithABackgroundThread) {
  auto fs = NewMemFileSystem();
  constexpr size_t kMaxPending = 2;
  auto c = OpenCounterDb(fs.get(), /*background_threads=*/1, kMaxPending,
                         /*history_versions=*/5);
  ASSERT_TRUE(c.ok()) << c.status();
  const int commits = testing::Iterations(300, 100);
  for (int i = 1; i <= commits; ++i) {
    UpdateBatch batch;
    for (int k = 0; k < 20; ++k) {
      DB_ASSERT_OK(batch.AddRow(*c->t, {int64_t{(i * 7 + k) % 50}, int64_t{1}}));
    }
    auto v = c->db->Commit(batch);
    ASSERT_TRUE(v.ok()) << "commit " << i << ": " << v.status();
    ASSERT_LE(Pending(c->db->Stats(), "t"), kMaxPending);
  }
  EXPECT_EQ(Total(c->db.get(), "t"), commits * 20);
}

TEST(BackPressureTest, AFailedBackgroundCompactionIsReportedNotWaitedOn) {
  auto fs = NewMemFileSystem();
  auto c = OpenCounterDb(fs.get(), /*background_threads=*/1, /*max_pending=*/2);
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_TRUE(CommitOne(c->db.get(), *c->t, 1, 1).ok());
  // Damage the first singleton before any compaction reads it.
  auto names = fs->GetChildren("/db");
  ASSERT_TRUE(names.ok());
  std::string victim;
  for (const std::string& n : *names) {
    if (n.size() > 6 && n.substr(n.size() - 6) == ".delta") victim = n;
  }
  ASSERT_FALSE(victim.empty());
  auto data = ReadFileToString(fs.get(), "/db/" + victim);
  ASSERT_TRUE(data.ok());
  std::string bad = *data;
  bad[bad.size() / 3] ^= 0x10;
  {
    auto f = fs->NewWritableFile("/db/" + victim);
    ASSERT_TRUE(f.ok());
    DB_ASSERT_OK((*f)->Append(bad));
    DB_ASSERT_OK((*f)->Close());
  }
  absl::Status last;
  for (int i = 0; i < 20 && last.ok(); ++i) {
    last = CommitOne(c->db.get(), *c->t, 2, 1).status();
  }
  EXPECT_EQ(last.code(), absl::StatusCode::kDataLoss) << last;
  EXPECT_NE(testing::Message(last).find("background compaction failed"),
            std::string::npos)
      << last;
  EXPECT_NE(testing::Message(last).find(victim), std::string::npos) << last;
}

}  // namespace
}  // namespace mesa
