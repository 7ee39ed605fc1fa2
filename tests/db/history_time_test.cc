// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// The time-based history window (Options::history_time): every commit is
// stamped by Options::clock; a version stays readable while it is one of
// the newest history_versions or was the latest within history_time; a
// background thread folds versions that age out even when no commit comes;
// commit times survive reopening; VersionAt / CommitTime answer by time.

#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "mesa/clock.h"
#include "mesa/database.h"
#include "tests/db/db_test_util.h"

namespace mesa {
namespace {

using testing::ManualClock;
using testing::ScanAll;

constexpr int64_t kStartMicros = 1764000000000000;  // 2025-11-24T16:00:00Z
const absl::Time kStart = absl::FromUnixMicros(kStartMicros);

Schema Counter() {
  return Schema::Create({{"k", ColumnType::kInt64}},
                        {{"n", ColumnType::kInt64, Aggregation::kSum}})
      .value();
}

class HistoryTimeTest : public ::testing::Test {
 protected:
  Options MakeOptions(uint64_t history_versions, absl::Duration history_time,
                      int background_threads) {
    // No back-pressure compaction while committing: the tests decide when
    // compaction runs (CompactNow, or the background thread).
    Options o = testing::SmallCompactionOptions(fs_.get(), background_threads,
                                                /*cumulative_threshold=*/3,
                                                /*max_pending=*/1000);
    o.history_versions = history_versions;
    o.history_time = history_time;
    o.clock = &clock_;
    return o;
  }

  void Open(const Options& o) {
    db_.reset();
    auto db = Database::Open(o, "/db");
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = std::move(*db);
    auto t = db_->GetTable("t");
    if (t.ok()) {
      table_ = *t;
    } else {
      auto created = db_->CreateTable("t", Counter());
      ASSERT_TRUE(created.ok()) << created.status();
      table_ = *created;
    }
  }

  // Commits `count` versions `step` apart, version v adding v to key v % 3.
  void CommitMinutes(int count, absl::Duration step = absl::Minutes(1)) {
    for (int i = 0; i < count; ++i) {
      const int64_t v = static_cast<int64_t>(db_->LatestVersion()) + 1;
      UpdateBatch batch;
      DB_ASSERT_OK(batch.AddRow(*table_, {v % 3, v}));
      auto committed = db_->Commit(batch);
      ASSERT_TRUE(committed.ok()) << committed.status();
      clock_.Advance(step);
    }
  }

  // The sum of n at `version`.
  int64_t Total(uint64_t version) {
    auto reader = db_->NewReader(version);
    EXPECT_TRUE(reader.ok()) << reader.status();
    if (!reader.ok()) return -1;
    auto rows = ScanAll(**reader, "t", Counter());
    EXPECT_TRUE(rows.ok()) << rows.status();
    int64_t total = 0;
    for (size_t r = 0; rows.ok() && r < rows->num_rows(); ++r) {
      total += rows->column(1).GetInt64(r);
    }
    return total;
  }

  std::unique_ptr<FileSystem> fs_ = NewMemFileSystem();
  ManualClock clock_{kStartMicros};
  std::unique_ptr<Database> db_;
  std::shared_ptr<const Table> table_;
};

TEST_F(HistoryTimeTest, VersionsOlderThanTheWindowAreFolded) {
  // Time alone: history_versions = 1, ten minutes.
  ASSERT_NO_FATAL_FAILURE(Open(MakeOptions(1, absl::Minutes(10), 0)));
  ASSERT_NO_FATAL_FAILURE(CommitMinutes(30));  // v at minute v - 1
  DB_ASSERT_OK(db_->CompactNow());
  // Now is minute 30: versions latest at some moment of minutes 20..30,
  // that is v21 (committed at 20) and up, stay readable; v21 is the oldest.
  EXPECT_EQ(db_->OldestReadableVersion(), 21u);
  EXPECT_EQ(Total(21), 21 * 22 / 2);
  EXPECT_EQ(Total(30), 30 * 31 / 2);
  auto gone = db_->NewReader(20);
  EXPECT_EQ(gone.status().code(), absl::StatusCode::kOutOfRange)
      << gone.status();

  // Twenty minutes later, with no commit in between, history_versions = 1
  // alone decides: the latest version and the one before it (the picker
  // folds up to latest - history_versions) stay readable, the rest may be
  // folded once base compaction finds enough of them.
  clock_.Advance(absl::Minutes(20));
  DB_ASSERT_OK(db_->CompactNow());
  const uint64_t oldest = db_->OldestReadableVersion();
  EXPECT_GT(oldest, 21u);
  EXPECT_LE(oldest, 29u);
  for (uint64_t v = oldest; v <= 30; ++v) {
    EXPECT_EQ(Total(v), static_cast<int64_t>(v * (v + 1) / 2)) << "v" << v;
  }
}

TEST_F(HistoryTimeTest, TheWindowIsTheUnionOfVersionsAndTime) {
  // 25 versions by count, ten minutes by time: the count keeps more.
  ASSERT_NO_FATAL_FAILURE(Open(MakeOptions(25, absl::Minutes(10), 0)));
  ASSERT_NO_FATAL_FAILURE(CommitMinutes(40));
  DB_ASSERT_OK(db_->CompactNow());
  EXPECT_EQ(db_->OldestReadableVersion(), 15u);  // 40 - 25
  // Three versions by count: now the time keeps more.
  Options o = MakeOptions(3, absl::Minutes(10), 0);
  ASSERT_NO_FATAL_FAILURE(Open(o));
  ASSERT_NO_FATAL_FAILURE(CommitMinutes(20));  // v41..v60, minutes 40..59
  DB_ASSERT_OK(db_->CompactNow());
  // Now is minute 60: v51 (minute 50) is the latest at minute 50.
  EXPECT_EQ(db_->OldestReadableVersion(), 51u);
  EXPECT_EQ(Total(51), 51 * 52 / 2);
}

TEST_F(HistoryTimeTest, AnInfiniteWindowFoldsNothing) {
  ASSERT_NO_FATAL_FAILURE(Open(MakeOptions(1, absl::InfiniteDuration(), 0)));
  ASSERT_NO_FATAL_FAILURE(CommitMinutes(30));
  clock_.Advance(absl::Hours(24 * 365));
  DB_ASSERT_OK(db_->CompactNow());
  EXPECT_EQ(db_->OldestReadableVersion(), 0u);
  EXPECT_EQ(Total(1), 1);
}

TEST_F(HistoryTimeTest, BackgroundCompactionFoldsAgedVersionsWithoutCommits) {
  // 40 ms of history: background compaction wakes up every 10 ms.
  ASSERT_NO_FATAL_FAILURE(Open(MakeOptions(1, absl::Milliseconds(40), 1)));
  // Every version committed at the same moment: none has aged out yet, so
  // the compactions these commits start fold nothing.
  ASSERT_NO_FATAL_FAILURE(CommitMinutes(20, absl::ZeroDuration()));
  // A reader pinned at an old version keeps reading it whatever is folded.
  auto pinned = db_->NewReader(2);
  ASSERT_TRUE(pinned.ok()) << pinned.status();
  EXPECT_EQ(db_->OldestReadableVersion(), 0u);
  // No more commits: only the passing of time can raise the oldest version,
  // up to latest - history_versions.
  clock_.Advance(absl::Seconds(1));
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (db_->OldestReadableVersion() < 19 &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(db_->OldestReadableVersion(), 19u);
  EXPECT_EQ(Total(19), 19 * 20 / 2);
  auto rows = ScanAll(**pinned, "t", Counter());
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_EQ(rows->column(1).GetInt64(0) + rows->column(1).GetInt64(1), 3);
}

TEST_F(HistoryTimeTest, CommitTimesAnswerVersionAtAndSurviveReopening) {
  const Options o = MakeOptions(100, absl::ZeroDuration(), 0);
  ASSERT_NO_FATAL_FAILURE(Open(o));
  EXPECT_EQ(db_->VersionAt(kStart).value(), 0u);  // before the first commit
  ASSERT_NO_FATAL_FAILURE(CommitMinutes(5));       // v1..v5, minutes 0..4
  // The clock steps back: the next version's time does not.
  clock_.Set(kStart - absl::Hours(1));
  ASSERT_NO_FATAL_FAILURE(CommitMinutes(1));       // v6
  for (int pass = 0; pass < 2; ++pass) {
    SCOPED_TRACE(pass == 0 ? "open" : "reopened");
    for (uint64_t v = 1; v <= 5; ++v) {
      EXPECT_EQ(db_->CommitTime(v).value(),
                kStart + absl::Minutes(static_cast<int64_t>(v) - 1));
    }
    EXPECT_EQ(db_->CommitTime(6).value(), kStart + absl::Minutes(4));
    EXPECT_EQ(db_->VersionAt(kStart - absl::Seconds(1)).value(), 0u);
    EXPECT_EQ(db_->VersionAt(kStart + absl::Seconds(150)).value(), 3u);
    EXPECT_EQ(db_->VersionAt(kStart + absl::Minutes(4)).value(), 6u);
    EXPECT_EQ(db_->VersionAt(kStart + absl::Hours(9)).value(), 6u);
    EXPECT_EQ(db_->CommitTime(7).status().code(), absl::StatusCode::kNotFound);
    ASSERT_NO_FATAL_FAILURE(Open(o));
  }
}

TEST_F(HistoryTimeTest, VersionAtAFoldedTimeIsOutOfRange) {
  ASSERT_NO_FATAL_FAILURE(Open(MakeOptions(1, absl::Minutes(10), 0)));
  ASSERT_NO_FATAL_FAILURE(CommitMinutes(30));
  DB_ASSERT_OK(db_->CompactNow());
  ASSERT_EQ(db_->OldestReadableVersion(), 21u);
  auto v = db_->VersionAt(kStart + absl::Minutes(5));
  EXPECT_EQ(v.status().code(), absl::StatusCode::kOutOfRange) << v.status();
  EXPECT_NE(v.status().message().find("oldest readable version is 21"),
            std::string::npos)
      << v.status();
  EXPECT_EQ(db_->VersionAt(kStart + absl::Minutes(20)).value(), 21u);
  EXPECT_EQ(db_->CommitTime(20).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(HistoryTimeTest, NegativeWindowIsInvalid) {
  Options o = MakeOptions(1, absl::Seconds(-1), 0);
  auto db = Database::Open(o, "/db");
  EXPECT_EQ(db.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(db.status().message().find("history_time"), std::string::npos)
      << db.status();
}

}  // namespace
}  // namespace mesa
