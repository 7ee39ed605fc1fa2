// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// Covering-path search: which of a table's live deltas a read at version v
// merges (Mesa's "spanning set").
//
// A delta holds the rows of versions [min_version, max_version]. Reading a
// table at v means merging deltas whose ranges, in order, cover every
// version 0..v that has rows of the table exactly once. Version 0 is the
// empty database (the first commit is version 1). There are three kinds of
// delta:
//   base       [0, B]   everything up to B, folded by base compaction
//   singleton  [x, x]   x >= 1, written by the commit of version x
//   cumulative [a, b]   1 <= a < b, merged from singletons (and an older
//                       cumulative) by cumulative compaction
//
// Empty versions. A commit writes a singleton only for the tables it
// touched (an empty delta is never written), so most versions have no
// delta of a given table; a table created at version c has none before c.
// The rule that makes them readable without storing "touched" sets:
//
//   Version x of a table is EMPTY iff x is above the table's base end
//   (the highest max_version of a base; every x if it has no base) and the
//   table has no live singleton [x, x].
//
// This is exact because of the singleton invariant that VersionSet
// enforces on every edit: a singleton [x, x] is added only by the commit of
// version x, and removed only by an edit after which a base reaches x.
// So above the base, "has rows at x" and "has a live singleton [x, x]" are
// the same thing, and cumulatives never decide emptiness (their versions
// are all still present as singletons, or empty).
//
// The search is a shortest path over positions 0..v+1 (position p: every
// version below p is read): each delta [a, b] with b <= v is an edge
// a -> b+1 of cost 1, and each empty version x <= v a free edge x -> x+1.
// The path's deltas, in version order, are the fewest that read [0, v]
// (ties are broken deterministically). It runs in
// O(n log n) over the n deltas, independent of v: free edges are taken a
// run at a time between the positions deltas start and end at.
//
// Consequence: with at most one base [0, B], every v >= B has a path (a
// version above B is a singleton or empty), and no v < B has one.
//
// Thread safety: pure functions.

#ifndef MESA_SRC_VERSION_DELTA_GRAPH_H_
#define MESA_SRC_VERSION_DELTA_GRAPH_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace mesa::internal {

struct VersionRange {
  uint64_t min_version = 0;
  uint64_t max_version = 0;

  friend bool operator==(const VersionRange&, const VersionRange&) = default;
};

// The deltas (indices into `ranges`, in any order; ranges with
// min_version > max_version are ignored) that read [0, v], in version
// order. An empty vector if every version up to v is empty. OutOfRange if
// no path exists because a base covers v without ending at it (v was
// folded away: the message names the base); NotFound for any other dead
// end (not reachable under the singleton invariant; the message names the
// version where the chain stops).
absl::StatusOr<std::vector<size_t>> FindCoveringPath(
    absl::Span<const VersionRange> ranges, uint64_t v);

// The largest B <= `limit` such that [0, B] has a covering path; nullopt if
// there is none (a base that ends after `limit`).
std::optional<uint64_t> LargestCoverableVersion(
    absl::Span<const VersionRange> ranges, uint64_t limit);

}  // namespace mesa::internal

#endif  // MESA_SRC_VERSION_DELTA_GRAPH_H_
