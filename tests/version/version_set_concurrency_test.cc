// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// VersionSet under concurrency (run under ThreadSanitizer in CI): readers
// pin and query current() while a writer commits and compacts, and other
// threads draw file numbers.

#include <atomic>
#include <chrono>
#include <deque>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "mesa/file_system.h"
#include "src/util/mutex.h"
#include "src/version/compaction_picker.h"
#include "src/version/version_set.h"
#include "tests/version/version_test_util.h"

namespace mesa::internal {
namespace {

using testing::MakeDelta;
using testing::MakeTable;

class DeletionLog {
 public:
  void Add(uint64_t file) {
    MutexLock l(&mu_);
    if (!deleted_.insert(file).second) ++twice_;
  }
  bool Contains(uint64_t file) {
    MutexLock l(&mu_);
    return deleted_.count(file) > 0;
  }
  size_t size() {
    MutexLock l(&mu_);
    return deleted_.size();
  }
  size_t twice() {
    MutexLock l(&mu_);
    return twice_;
  }

 private:
  Mutex mu_;
  std::set<uint64_t> deleted_ ABSL_GUARDED_BY(mu_);
  size_t twice_ ABSL_GUARDED_BY(mu_) = 0;
};

TEST(VersionSetConcurrencyTest, ReadersPinWhileTheWriterCommitsAndCompacts) {
  auto fs = NewMemFileSystem();
  DeletionLog deleted;
  VersionSetOptions o;
  o.fs = fs.get();
  o.dir = "/db";
  o.max_manifest_size = 4096;  // rotations too
  o.on_obsolete_delta = [&](const DeltaMeta& d) { deleted.Add(d.file_number); };
  std::unique_ptr<VersionSet> vs = VersionSet::Open(o).value();
  for (uint32_t id = 1; id <= 2; ++id) {
    VersionEdit e;
    e.created_tables.push_back(MakeTable(id, "t" + std::to_string(id)));
    VT_ASSERT_OK(vs->Apply(e));
  }

  CompactionPolicy policy;
  policy.cumulative_trigger = 5;
  policy.history_window = 20;
  policy.base_trigger = 5;
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(1500);
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> reads{0};

  std::vector<std::thread> threads;
  // The writer: one commit, then whatever compactions are due.
  threads.emplace_back([&] {
    while (std::chrono::steady_clock::now() < deadline) {
      VersionEdit commit;
      commit.version = vs->current()->version() + 1;
      for (uint32_t id = 1; id <= 2; ++id) {
        if ((*commit.version + id) % 3 == 0) continue;
        commit.added_deltas.push_back(MakeDelta(
            id, vs->NewFileNumber(), *commit.version, *commit.version));
      }
      absl::Status s = vs->Apply(commit);
      EXPECT_TRUE(s.ok()) << s;
      std::shared_ptr<const Version> v = vs->current();
      for (const auto& [id, table] : v->tables()) {
        std::optional<CompactionPlan> plan =
            PickCompaction(*table, v->version(), v->oldest_version(), policy);
        if (!plan.has_value()) continue;
        s = vs->Apply(plan->ToEdit(MakeDelta(id, vs->NewFileNumber(), 0, 0)));
        EXPECT_TRUE(s.ok()) << s;
        break;
      }
    }
    stop = true;
  });
  // Readers: pin a few Versions at a time, query them, check their files
  // are never deleted while pinned.
  for (int r = 0; r < 3; ++r) {
    threads.emplace_back([&, r] {
      std::deque<std::shared_ptr<const Version>> pinned;
      uint64_t last = 0;
      while (!stop) {
        std::shared_ptr<const Version> v = vs->current();
        EXPECT_GE(v->version(), last);
        last = v->version();
        for (const auto& [id, table] : v->tables()) {
          auto path = v->CoveringPath(id, v->version());
          EXPECT_TRUE(path.ok()) << path.status();
          if (v->version() > v->oldest_version()) {
            EXPECT_TRUE(v->CoveringPath(id, v->oldest_version()).ok());
          }
        }
        pinned.push_back(std::move(v));
        if (pinned.size() > static_cast<size_t>(4 + r)) pinned.pop_front();
        for (uint64_t f : pinned.front()->DeltaFileNumbers()) {
          EXPECT_FALSE(deleted.Contains(f))
              << "#" << f << " deleted while pinned";
        }
        ++reads;
      }
    });
  }
  // File numbers from two more threads: all distinct.
  std::vector<std::vector<uint64_t>> numbers(2);
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&, t] {
      while (!stop && numbers[t].size() < 20000) {
        numbers[t].push_back(vs->NewFileNumber());
      }
    });
  }
  for (std::thread& t : threads) t.join();

  std::set<uint64_t> distinct;
  for (const auto& list : numbers) distinct.insert(list.begin(), list.end());
  EXPECT_EQ(distinct.size(), numbers[0].size() + numbers[1].size());
  EXPECT_GT(reads.load(), 10u);
  EXPECT_GT(vs->current()->version(), 10u);
  EXPECT_GT(deleted.size(), 0u);
  EXPECT_EQ(deleted.twice(), 0u);
  for (uint64_t f : vs->LiveFileNumbers()) EXPECT_FALSE(deleted.Contains(f));

  // The state survives a reopen.
  const std::string before = vs->current()->DebugString();
  vs.reset();
  EXPECT_EQ(VersionSet::Open(o).value()->current()->DebugString(), before);
}

}  // namespace
}  // namespace mesa::internal
