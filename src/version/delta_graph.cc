// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// The shortest path of delta_graph.h as a DP over the sorted positions
// where deltas start and end (plus 0 and v+1). Between two consecutive
// positions P[i] < P[i+1] no delta starts or ends, so either every version
// of [P[i], P[i+1]) is empty or none is: a singleton [x, x] <= v puts x
// among the positions, and the base end B puts B+1 there, so the run is
// empty exactly when P[i] itself is.

#include "src/version/delta_graph.h"

#include <algorithm>
#include <limits>

#include "fmt/format.h"

namespace mesa::internal {
namespace {

constexpr uint64_t kUnreached = std::numeric_limits<uint64_t>::max();
constexpr size_t kFreeHop = std::numeric_limits<size_t>::max();

struct Search {
  std::vector<uint64_t> positions;  // sorted, unique
  std::vector<uint64_t> dist;       // deltas on the best path to a position
  std::vector<size_t> parent;       // previous position index
  std::vector<size_t> via;          // the delta taken, or kFreeHop
  std::optional<uint64_t> base_end;
};

// Runs the DP for target v (requires v + 1 to fit).
Search Run(absl::Span<const VersionRange> ranges, uint64_t v) {
  Search s;
  std::vector<uint64_t> singletons;
  std::vector<size_t> usable;  // deltas ending at or before v
  for (size_t i = 0; i < ranges.size(); ++i) {
    const VersionRange& r = ranges[i];
    if (r.min_version > r.max_version) continue;
    if (r.min_version == 0) {
      s.base_end = std::max(s.base_end.value_or(0), r.max_version);
    } else if (r.min_version == r.max_version) {
      singletons.push_back(r.min_version);
    }
    if (r.max_version <= v) usable.push_back(i);
  }
  std::sort(singletons.begin(), singletons.end());
  std::sort(usable.begin(), usable.end(), [&](size_t a, size_t b) {
    const VersionRange& x = ranges[a];
    const VersionRange& y = ranges[b];
    if (x.min_version != y.min_version) return x.min_version < y.min_version;
    if (x.max_version != y.max_version) return x.max_version > y.max_version;
    return a < b;
  });

  s.positions = {0, v + 1};
  for (size_t i : usable) {
    s.positions.push_back(ranges[i].min_version);
    s.positions.push_back(ranges[i].max_version + 1);
  }
  std::sort(s.positions.begin(), s.positions.end());
  s.positions.erase(std::unique(s.positions.begin(), s.positions.end()),
                    s.positions.end());

  auto empty = [&](uint64_t x) {
    if (s.base_end.has_value() && x <= *s.base_end) return false;
    return !std::binary_search(singletons.begin(), singletons.end(), x);
  };
  auto index_of = [&](uint64_t p) {
    return static_cast<size_t>(
        std::lower_bound(s.positions.begin(), s.positions.end(), p) -
        s.positions.begin());
  };

  const size_t n = s.positions.size();
  s.dist.assign(n, kUnreached);
  s.parent.assign(n, 0);
  s.via.assign(n, kFreeHop);
  s.dist[0] = 0;
  auto relax = [&](size_t from, size_t to, uint64_t cost, size_t via) {
    if (s.dist[from] + cost < s.dist[to]) {
      s.dist[to] = s.dist[from] + cost;
      s.parent[to] = from;
      s.via[to] = via;
    }
  };
  size_t next = 0;  // into `usable`, by min_version
  for (size_t i = 0; i < n; ++i) {
    const uint64_t p = s.positions[i];
    const bool reached = s.dist[i] != kUnreached;
    if (reached && i + 1 < n && empty(p)) relax(i, i + 1, 0, kFreeHop);
    // Longer deltas first (see the sort above); ties keep the first hop.
    for (; next < usable.size() && ranges[usable[next]].min_version == p;
         ++next) {
      if (!reached) continue;
      const size_t d = usable[next];
      relax(i, index_of(ranges[d].max_version + 1), 1, d);
    }
  }
  return s;
}

}  // namespace

absl::StatusOr<std::vector<size_t>> FindCoveringPath(
    absl::Span<const VersionRange> ranges, uint64_t v) {
  if (v == std::numeric_limits<uint64_t>::max()) {
    return absl::OutOfRangeError(fmt::format("version {} is too large", v));
  }
  const Search s = Run(ranges, v);
  const size_t goal = s.positions.size() - 1;  // v + 1
  if (s.dist[goal] != kUnreached) {
    std::vector<size_t> path;
    for (size_t i = goal; i != 0; i = s.parent[i]) {
      if (s.via[i] != kFreeHop) path.push_back(s.via[i]);
    }
    std::reverse(path.begin(), path.end());
    return path;
  }
  // Where the chain stops: the furthest position reached. It is not an
  // empty version (else the free hop would have gone on).
  uint64_t stop = 0;
  for (size_t i = 0; i < s.positions.size(); ++i) {
    if (s.dist[i] != kUnreached) stop = s.positions[i];
  }
  if (s.base_end.has_value() && stop <= *s.base_end && v < *s.base_end) {
    return absl::OutOfRangeError(fmt::format(
        "no deltas chain versions [0, {}]: version {} lies inside base delta "
        "[0, {}], which ends after {}; versions below {} were folded into "
        "the base",
        v, stop, *s.base_end, v, *s.base_end));
  }
  return absl::NotFoundError(fmt::format(
      "no deltas chain versions [0, {}]: the chain stops before version {}, "
      "which has rows, and no delta starting there ends by {}",
      v, stop, v));
}

std::optional<uint64_t> LargestCoverableVersion(
    absl::Span<const VersionRange> ranges, uint64_t limit) {
  if (limit == std::numeric_limits<uint64_t>::max()) --limit;
  const Search s = Run(ranges, limit);
  for (size_t i = s.positions.size(); i-- > 1;) {
    if (s.dist[i] != kUnreached) return s.positions[i] - 1;
  }
  return std::nullopt;
}

}  // namespace mesa::internal
