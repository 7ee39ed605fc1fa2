// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.

#include "src/version/compaction_picker.h"

#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "mesa/file_system.h"
#include "src/version/version_set.h"
#include "tests/testing/test_util.h"
#include "tests/version/version_test_util.h"

namespace mesa::internal {
namespace {

using testing::MakeHandle;
using testing::MakeTable;
using testing::Ranges;

// A table for scripted scenarios: deltas given as [min, max] pairs, file
// numbers in order.
class Script {
 public:
  Script& Add(uint64_t lo, uint64_t hi) {
    deltas_.push_back(MakeHandle(1, ++file_, lo, hi));
    return *this;
  }
  Script& Singletons(uint64_t from, uint64_t to) {
    for (uint64_t v = from; v <= to; ++v) Add(v, v);
    return *this;
  }
  TableVersion Table() const {
    return TableVersion(MakeTable(1, "t"), deltas_);
  }

 private:
  std::vector<DeltaPtr> deltas_;
  uint64_t file_ = 0;
};

CompactionPolicy Policy(size_t trigger, uint64_t window, size_t base_trigger) {
  CompactionPolicy p;
  p.cumulative_trigger = trigger;
  p.history_window = window;
  p.base_trigger = base_trigger;
  return p;
}

// The longest covering path the ladder allows at `at`: the base and at
// most trigger - 1 deltas of each level that fits above the base.
size_t PathBound(const TableVersion& table, uint64_t at,
                 const CompactionPolicy& policy) {
  const uint64_t t = policy.cumulative_trigger;
  const uint64_t above = at - std::min(at, table.base_end().value_or(0));
  size_t levels = 1;
  for (uint64_t reach = t; reach <= above; reach *= t) ++levels;
  return 1 + (t - 1) * levels;
}

std::string Plan(const Script& s, uint64_t latest, uint64_t oldest,
                 const CompactionPolicy& policy) {
  std::optional<CompactionPlan> plan =
      PickCompaction(s.Table(), latest, oldest, policy);
  if (!plan.has_value()) return "none";
  std::string out =
      plan->kind == CompactionKind::kBase ? "base " : "cumulative ";
  out += Ranges(plan->inputs) + " -> [" +
         std::to_string(plan->output_min_version) + "," +
         std::to_string(plan->output_max_version) + "] retire " +
         Ranges(plan->obsolete);
  if (plan->oldest_version.has_value()) {
    out += " oldest " + std::to_string(*plan->oldest_version);
  }
  return out;
}

TEST(CompactionPickerTest, NothingToDo) {
  EXPECT_EQ(Plan(Script(), 50, 0, Policy(10, 100, 10)), "none");
  EXPECT_EQ(Plan(Script().Singletons(1, 9), 9, 0, Policy(10, 100, 10)), "none");
}

TEST(CompactionPickerTest, TwentyFiveSingletonsMakeCumulatives) {
  const CompactionPolicy p = Policy(10, 100, 10);
  Script s;
  s.Singletons(1, 10);
  EXPECT_EQ(Plan(s, 10, 0, p),
            "cumulative [1,1] [2,2] [3,3] [4,4] [5,5] [6,6] [7,7] [8,8] "
            "[9,9] [10,10] -> [1,10] retire ");
  s.Add(1, 10).Singletons(11, 19);
  EXPECT_EQ(Plan(s, 19, 0, p), "none");
  s.Singletons(20, 20);
  // The next rung of the ladder: [1,10] stays for versions 10..19.
  EXPECT_EQ(Plan(s, 20, 0, p),
            "cumulative [11,11] [12,12] [13,13] [14,14] [15,15] [16,16] "
            "[17,17] [18,18] [19,19] [20,20] -> [11,20] retire ");
  Script t;
  t.Singletons(1, 25).Add(1, 20);
  EXPECT_EQ(Plan(t, 25, 0, p), "none");  // 5 singletons after [1,20]
}

TEST(CompactionPickerTest, EmptyVersionsInsideACumulative) {
  // Versions 1, 3, 4, 6..8, 10 did not touch the table.
  Script s;
  s.Add(2, 2).Add(5, 5).Add(9, 9).Add(11, 11);
  EXPECT_EQ(Plan(s, 12, 0, Policy(3, 100, 10)),
            "cumulative [2,2] [5,5] [9,9] -> [1,9] retire ");
}

TEST(CompactionPickerTest, VersionsLeavingTheWindowMakeABase) {
  Script s;
  s.Singletons(1, 30).Add(1, 20);
  EXPECT_EQ(Plan(s, 30, 0, Policy(10, 10, 10)),
            "base [1,20] -> [0,20] retire [1,1] [1,20] [2,2] [3,3] [4,4] "
            "[5,5] [6,6] [7,7] [8,8] [9,9] [10,10] [11,11] [12,12] [13,13] "
            "[14,14] [15,15] [16,16] [17,17] [18,18] [19,19] [20,20] "
            "oldest 20");
}

TEST(CompactionPickerTest, BaseWaitsForItsTrigger) {
  Script s;
  s.Singletons(1, 30).Add(1, 20);
  // Only 5 versions left the window: 1..5 and the straddling [1,20] make 6
  // deltas to retire, below 10; the cumulative is due instead.
  EXPECT_EQ(Plan(s, 30, 0, Policy(10, 25, 10)),
            "cumulative [21,21] [22,22] [23,23] [24,24] [25,25] [26,26] "
            "[27,27] [28,28] [29,29] [30,30] -> [21,30] retire ");
  EXPECT_EQ(Plan(s, 30, 0, Policy(10, 25, 6)).substr(0, 18),
            "base [1,1] [2,2] [");
}

TEST(CompactionPickerTest, BaseOverAnOldBaseAndAStraddler) {
  Script s;
  s.Add(0, 10).Add(11, 30).Singletons(11, 35);
  const std::string plan = Plan(s, 35, 10, Policy(10, 10, 10));
  // The path to 25 cannot use [11,30]; it goes base + singletons, and the
  // straddling cumulative is retired with them.
  EXPECT_EQ(plan.substr(0, plan.find(" -> ")),
            "base [0,10] [11,11] [12,12] [13,13] [14,14] [15,15] [16,16] "
            "[17,17] [18,18] [19,19] [20,20] [21,21] [22,22] [23,23] "
            "[24,24] [25,25]");
  EXPECT_NE(plan.find("-> [0,25] retire [0,10] [11,11] [11,30] [12,12]"),
            std::string::npos)
      << plan;
  EXPECT_NE(plan.find("oldest 25"), std::string::npos);
  // After it, the next cumulative starts right after the new base.
  Script t;
  t.Add(0, 25).Singletons(26, 35);
  EXPECT_EQ(Plan(t, 35, 25, Policy(10, 10, 10)).substr(0, 28),
            "cumulative [26,26] [27,27] [");
}

TEST(CompactionPickerTest, OldestRaisedByTheDatabaseLetsBaseGoFurther) {
  Script s;
  s.Singletons(1, 12);
  EXPECT_EQ(Plan(s, 12, 0, Policy(100, 100, 10)), "none");
  EXPECT_NE(Plan(s, 12, 11, Policy(100, 100, 10)).find("-> [0,11]"),
            std::string::npos);
}

TEST(CompactionPickerTest, TenRungsMakeTheNextLevel) {
  const CompactionPolicy p = Policy(10, 1000, 10);
  Script s;
  for (uint64_t r = 0; r < 9; ++r) s.Add(10 * r + 1, 10 * r + 10);
  s.Singletons(1, 99);
  // Nine rungs of level 1 and nine singletons: nothing is due.
  EXPECT_EQ(Plan(s, 99, 0, p), "none");
  s.Singletons(100, 100);
  EXPECT_EQ(Plan(s, 100, 0, p),
            "cumulative [91,91] [92,92] [93,93] [94,94] [95,95] [96,96] "
            "[97,97] [98,98] [99,99] [100,100] -> [91,100] retire ");
  s.Add(91, 100);
  EXPECT_EQ(Plan(s, 100, 0, p),
            "cumulative [1,10] [11,20] [21,30] [31,40] [41,50] [51,60] "
            "[61,70] [71,80] [81,90] [91,100] -> [1,100] retire ");
  s.Add(1, 100).Singletons(101, 105);
  EXPECT_EQ(Plan(s, 105, 0, p), "none");
  // Version 55 still reads five rungs and five singletons.
  auto path = s.Table().CoveringPath(55);
  ASSERT_TRUE(path.ok()) << path.status();
  EXPECT_EQ(Ranges(*path),
            "[1,10] [11,20] [21,30] [31,40] [41,50] [51,51] [52,52] [53,53] "
            "[54,54] [55,55]");
}

TEST(CompactionPickerTest, FullCompactionMergesTheSpine) {
  CompactionPolicy p = Policy(10, 1000, 10);
  p.full = true;
  Script s;
  s.Singletons(1, 23);
  // The ladder first: the oldest ten singletons.
  EXPECT_EQ(Plan(s, 23, 0, p).substr(0, 40),
            "cumulative [1,1] [2,2] [3,3] [4,4] [5,5]");
  s.Add(1, 10).Add(11, 20);
  // Then the whole spine, keeping the rungs for versions 10..22.
  EXPECT_EQ(Plan(s, 23, 0, p),
            "cumulative [1,10] [11,20] [21,21] [22,22] [23,23] -> [1,23] "
            "retire ");
  s.Add(1, 23);
  EXPECT_EQ(Plan(s, 23, 0, p), "none");
  // Without `full`, three singletons are below the trigger.
  Script t;
  t.Add(1, 20).Singletons(1, 23);
  EXPECT_EQ(Plan(t, 23, 0, Policy(10, 1000, 10)), "none");
}

TEST(CompactionPickerTest, ToEditPublishesTheOutput) {
  Script s;
  s.Singletons(1, 30).Add(1, 20);
  std::optional<CompactionPlan> plan =
      PickCompaction(s.Table(), 30, 0, Policy(10, 10, 10));
  ASSERT_TRUE(plan.has_value());
  DeltaMeta out = testing::MakeDelta(9, 77, 5, 5);  // ids and range replaced
  VersionEdit e = plan->ToEdit(out);
  ASSERT_EQ(e.added_deltas.size(), 1u);
  EXPECT_EQ(e.added_deltas[0].table_id, 1u);
  EXPECT_EQ(e.added_deltas[0].file_number, 77u);
  EXPECT_EQ(e.added_deltas[0].min_version, 0u);
  EXPECT_EQ(e.added_deltas[0].max_version, 20u);
  EXPECT_EQ(e.removed_deltas.size(), plan->obsolete.size());
  EXPECT_EQ(e.oldest_version, 20u);
  EXPECT_FALSE(e.version.has_value());
  EXPECT_NE(plan->DebugString().find("base table 1"), std::string::npos);
}

// Commits to three tables (each touched at random, some versions touch
// none) with compactions applied through a VersionSet as the picker plans
// them. Each delta's contents are modelled as the set of versions whose
// rows it holds. After every step, for every table and every readable
// version, the covering path must read exactly the versions that touched
// the table, each once; every readable version needs at most the base and
// trigger - 1 deltas per ladder level; and files are deleted exactly once, only
// once obsolete.
TEST(CompactionPickerTest, SimulationAgainstAModel) {
  const uint64_t seed = mesa::testing::TestSeed(99);
  std::mt19937_64 rng(seed);
  SCOPED_TRACE(::testing::Message() << "seed " << seed);
  const CompactionPolicy policy = Policy(4, 12, 5);
  auto fs = NewMemFileSystem();
  std::multiset<uint64_t> deleted;
  VersionSetOptions o;
  o.fs = fs.get();
  o.dir = "/db";
  o.max_manifest_size = 2048;
  o.on_obsolete_delta = [&](const DeltaMeta& d) {
    deleted.insert(d.file_number);
  };
  auto vs = VersionSet::Open(o).value();

  std::map<uint64_t, std::set<uint64_t>> contents;  // file -> versions
  std::map<uint32_t, std::set<uint64_t>> touched;   // table -> versions
  for (uint32_t id = 1; id <= 3; ++id) {
    VersionEdit e;
    e.created_tables.push_back(MakeTable(id, "t" + std::to_string(id)));
    VT_ASSERT_OK(vs->Apply(e));
  }
  size_t compactions = 0;
  for (int step = 0; step < 300; ++step) {
    VersionEdit commit;
    commit.version = vs->current()->version() + 1;
    for (uint32_t id = 1; id <= 3; ++id) {
      if (rng() % 4 == 0) continue;  // this version does not touch the table
      DeltaMeta d = testing::MakeDelta(id, vs->NewFileNumber(), *commit.version,
                                       *commit.version);
      contents[d.file_number] = {*commit.version};
      touched[id].insert(*commit.version);
      commit.added_deltas.push_back(d);
    }
    VT_ASSERT_OK(vs->Apply(commit));

    // Compact until nothing is due.
    for (bool again = true; again;) {
      again = false;
      std::shared_ptr<const Version> v = vs->current();
      for (const auto& [id, table] : v->tables()) {
        std::optional<CompactionPlan> plan =
            PickCompaction(*table, v->version(), v->oldest_version(), policy);
        if (!plan.has_value()) continue;
        DeltaMeta out = testing::MakeDelta(id, vs->NewFileNumber(), 0, 0);
        std::set<uint64_t>& merged = contents[out.file_number];
        for (const DeltaPtr& in : plan->inputs) {
          for (uint64_t x : contents.at(in->file_number())) {
            ASSERT_TRUE(merged.insert(x).second) << "version merged twice";
          }
        }
        VersionEdit e = plan->ToEdit(out);
        absl::Status s = vs->Apply(e);
        ASSERT_TRUE(s.ok()) << s << "\n"
                            << plan->DebugString() << "\n"
                            << v->DebugString();
        ++compactions;
        again = true;
        break;  // the Version changed: re-plan from the new one
      }
    }

    std::shared_ptr<const Version> v = vs->current();
    const uint64_t latest = v->version();
    if (latest >= policy.history_window) {
      ASSERT_LE(v->oldest_version(), latest - policy.history_window);
    }
    for (const auto& [id, table] : v->tables()) {
      for (uint64_t at = v->oldest_version(); at <= latest; ++at) {
        absl::StatusOr<std::vector<DeltaPtr>> path = v->CoveringPath(id, at);
        ASSERT_TRUE(path.ok()) << path.status() << "\n" << v->DebugString();
        std::set<uint64_t> read;
        for (const DeltaPtr& d : *path) {
          for (uint64_t x : contents.at(d->file_number())) {
            ASSERT_TRUE(read.insert(x).second)
                << "version " << x << " read twice at " << at;
          }
        }
        const std::set<uint64_t>& t = touched[id];
        ASSERT_EQ(read, std::set<uint64_t>(t.begin(), t.upper_bound(at)))
            << "table " << id << " at " << at << ": " << Ranges(*path) << "\n"
            << v->DebugString();
        // The ladder keeps every readable version's path short: the base
        // and at most trigger - 1 deltas per level.
        ASSERT_LE(path->size(), PathBound(*table, at, policy))
            << "table " << id << " at " << at << ": " << Ranges(*path)
            << "\n" << v->DebugString();
      }
    }
    const std::vector<uint64_t> live = vs->LiveFileNumbers();
    for (uint64_t f : live) ASSERT_EQ(deleted.count(f), 0u) << "live #" << f;
  }
  EXPECT_GT(compactions, 50u);
  EXPECT_GT(vs->current()->oldest_version(), 250u);
  // Every file ever written is live or was deleted, exactly once.
  const std::vector<uint64_t> live = vs->LiveFileNumbers();
  std::set<uint64_t> all(live.begin(), live.end());
  for (uint64_t f : deleted) {
    EXPECT_EQ(deleted.count(f), 1u);
    all.insert(f);
  }
  EXPECT_EQ(all.size(), contents.size());
  EXPECT_EQ(live.size() + deleted.size(), contents.size());
}

}  // namespace
}  // namespace mesa::internal
