// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.

#include "src/version/delta_graph.h"

#include <algorithm>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/testing/test_util.h"

namespace mesa::internal {
namespace {

using Ranges = std::vector<VersionRange>;

std::string Show(const Ranges& ranges, const std::vector<size_t>& path) {
  std::string out;
  for (size_t i : path) {
    if (!out.empty()) out += ' ';
    out += "[" + std::to_string(ranges[i].min_version) + "," +
           std::to_string(ranges[i].max_version) + "]";
  }
  return out;
}

std::string Path(const Ranges& ranges, uint64_t v) {
  absl::StatusOr<std::vector<size_t>> path = FindCoveringPath(ranges, v);
  if (!path.ok()) return path.status().ToString();
  return Show(ranges, *path);
}

// ------------------------------------------------ the oracle: brute force

// The rule of delta_graph.h, written out version by version.
bool EmptyVersion(const Ranges& ranges, uint64_t x) {
  for (const VersionRange& r : ranges) {
    if (r.min_version == 0 && x <= r.max_version) return false;
    if (r.min_version != 0 && r.min_version == x && r.max_version == x) {
      return false;
    }
  }
  return true;
}

bool AllEmpty(const Ranges& ranges, uint64_t from, uint64_t to) {
  for (uint64_t x = from; x <= to; ++x) {
    if (!EmptyVersion(ranges, x)) return false;
  }
  return true;
}

// Whether the deltas `chosen` (any order) read exactly [0, v].
bool Chains(const Ranges& ranges, std::vector<size_t> chosen, uint64_t v) {
  std::sort(chosen.begin(), chosen.end(), [&](size_t a, size_t b) {
    return ranges[a].min_version < ranges[b].min_version;
  });
  uint64_t pos = 0;  // versions below pos are read
  for (size_t i : chosen) {
    const VersionRange& r = ranges[i];
    if (r.min_version < pos || r.max_version > v) return false;
    if (r.min_version > pos && !AllEmpty(ranges, pos, r.min_version - 1)) {
      return false;
    }
    pos = r.max_version + 1;
  }
  return pos > v || AllEmpty(ranges, pos, v);
}

// The fewest deltas over every subset; nullopt if no subset chains.
std::optional<size_t> BruteForce(const Ranges& ranges, uint64_t v) {
  std::optional<size_t> best;
  for (uint32_t mask = 0; mask < (1u << ranges.size()); ++mask) {
    std::vector<size_t> chosen;
    for (size_t i = 0; i < ranges.size(); ++i) {
      if (mask & (1u << i)) chosen.push_back(i);
    }
    if ((!best.has_value() || chosen.size() < *best) &&
        Chains(ranges, chosen, v)) {
      best = chosen.size();
    }
  }
  return best;
}

Ranges RandomRanges(std::mt19937_64& rng, uint64_t max_v) {
  Ranges out;
  const size_t n = rng() % 11;
  while (out.size() < n) {
    const int kind = static_cast<int>(rng() % 6);
    uint64_t a = 1 + rng() % max_v;
    uint64_t b = a + rng() % 6;
    if (kind == 0) a = 0;  // base
    if (kind >= 3) b = a;  // singleton (likelier)
    VersionRange r{a, b};
    if (b == 0 || std::find(out.begin(), out.end(), r) != out.end()) continue;
    out.push_back(r);
  }
  return out;
}

// ------------------------------------------------ scripted cases

TEST(DeltaGraphTest, NoDeltasMeansEveryVersionIsEmpty) {
  EXPECT_EQ(Path({}, 0), "");
  EXPECT_EQ(Path({}, 5), "");
}

TEST(DeltaGraphTest, SingletonsChain) {
  Ranges r = {{1, 1}, {2, 2}, {3, 3}, {4, 4}};
  EXPECT_EQ(Path(r, 3), "[1,1] [2,2] [3,3]");
  EXPECT_EQ(Path(r, 4), "[1,1] [2,2] [3,3] [4,4]");
  EXPECT_EQ(Path(r, 9), "[1,1] [2,2] [3,3] [4,4]");  // 5..9 are empty
}

TEST(DeltaGraphTest, BaseCumulativeAndSingletons) {
  Ranges r = {{0, 10},  {11, 20}, {11, 11}, {12, 12},
              {14, 14}, {20, 20}, {21, 21}, {22, 22}};
  EXPECT_EQ(Path(r, 10), "[0,10]");
  EXPECT_EQ(Path(r, 12), "[0,10] [11,11] [12,12]");
  EXPECT_EQ(Path(r, 13), "[0,10] [11,11] [12,12]");  // 13 is empty
  EXPECT_EQ(Path(r, 19), "[0,10] [11,11] [12,12] [14,14]");
  EXPECT_EQ(Path(r, 20), "[0,10] [11,20]");
  EXPECT_EQ(Path(r, 22), "[0,10] [11,20] [21,21] [22,22]");
}

TEST(DeltaGraphTest, CumulativeSpanningAnEmptyVersion) {
  // Version 7 did not touch the table: a read at 7 stops inside the
  // cumulative [5,8] and still finds its path through the singletons.
  Ranges r = {{5, 5}, {6, 6}, {8, 8}, {5, 8}};
  EXPECT_EQ(Path(r, 7), "[5,5] [6,6]");
  EXPECT_EQ(Path(r, 8), "[5,8]");
  EXPECT_EQ(Path(r, 4), "");  // the table has no rows before 5
}

TEST(DeltaGraphTest, BelowTheBaseIsOutOfRange) {
  Ranges r = {{0, 10}, {11, 11}};
  absl::StatusOr<std::vector<size_t>> p = FindCoveringPath(r, 7);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_NE(p.status().message().find("base delta [0, 10]"), std::string::npos)
      << p.status();
  EXPECT_EQ(Path(r, 11), "[0,10] [11,11]");
}

TEST(DeltaGraphTest, PrefersFewestDeltas) {
  Ranges r = {{1, 1}, {2, 2}, {3, 3}, {1, 2}, {2, 3}, {1, 3}};
  EXPECT_EQ(Path(r, 3), "[1,3]");
  EXPECT_EQ(Path(r, 2), "[1,2]");
}

TEST(DeltaGraphTest, IgnoresInvalidRangesAndHugeVersions) {
  Ranges r = {{5, 3}, {1, 1}};
  EXPECT_EQ(Path(r, 2), "[1,1]");
  EXPECT_EQ(FindCoveringPath(r, UINT64_MAX).status().code(),
            absl::StatusCode::kOutOfRange);
  EXPECT_EQ(LargestCoverableVersion(r, UINT64_MAX), UINT64_MAX - 1);
}

TEST(DeltaGraphTest, LargestCoverableVersion) {
  EXPECT_EQ(LargestCoverableVersion({}, 0), 0u);
  EXPECT_EQ(LargestCoverableVersion({{0, 10}}, 9), std::nullopt);
  EXPECT_EQ(LargestCoverableVersion({{0, 10}}, 10), 10u);
  EXPECT_EQ(LargestCoverableVersion({{0, 10}, {11, 11}}, 50), 50u);
  // Two bases: past 5 only the longer base chains.
  EXPECT_EQ(LargestCoverableVersion({{0, 5}, {0, 10}}, 8), 5u);
}

// ------------------------------------------------ randomized vs the oracle

TEST(DeltaGraphTest, MatchesBruteForceOnRandomDeltaSets) {
  const uint64_t seed = mesa::testing::TestSeed(42);
  std::mt19937_64 rng(seed);
  for (int iter = 0; iter < 700; ++iter) {
    const uint64_t max_v = 2 + rng() % 16;
    const Ranges ranges = RandomRanges(rng, max_v);
    std::optional<uint64_t> largest_brute;
    for (uint64_t v = 0; v <= max_v + 3; ++v) {
      SCOPED_TRACE(::testing::Message()
                   << "seed " << seed << " iter " << iter << " v " << v);
      const std::optional<size_t> best = BruteForce(ranges, v);
      if (best.has_value()) largest_brute = v;
      EXPECT_EQ(LargestCoverableVersion(ranges, v), largest_brute);
      absl::StatusOr<std::vector<size_t>> path = FindCoveringPath(ranges, v);
      if (!best.has_value()) {
        ASSERT_FALSE(path.ok()) << Show(ranges, *path);
        EXPECT_TRUE(path.status().code() == absl::StatusCode::kOutOfRange ||
                    path.status().code() == absl::StatusCode::kNotFound);
        continue;
      }
      ASSERT_TRUE(path.ok()) << path.status();
      EXPECT_EQ(path->size(), *best) << Show(ranges, *path);
      EXPECT_TRUE(Chains(ranges, *path, v)) << Show(ranges, *path);
      for (size_t i = 1; i < path->size(); ++i) {  // in version order
        EXPECT_LT(ranges[(*path)[i - 1]].max_version,
                  ranges[(*path)[i]].min_version);
      }
    }
  }
}

}  // namespace
}  // namespace mesa::internal
