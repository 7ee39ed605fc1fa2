// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// Mesa's two-level compaction policy over one table's live deltas. The
// picker only plans: the db layer merges the input files into one output
// delta and applies plan.ToEdit(output) through VersionSet::Apply.
//
// Cumulative compaction builds a ladder of cumulatives (Mesa's
// multi-level compaction). The spine is the covering path of the latest
// version above the base. A delta's level is 0 for a singleton, else the
// largest k with T^k <= its span (T = cumulative_trigger). Once T adjacent
// spine deltas share a level, they are merged into one cumulative that
// covers them (and the empty versions before them, back to the previous
// spine delta or the base): ten singletons [11..20] make [11,20], ten of
// those make [1,100], and so on. The lowest level is merged first, its
// oldest run first. Inputs are kept (nothing is obsolete), so every
// version in the history window keeps a short path: a read at v merges at
// most T - 1 deltas per level (about (T - 1) log_T(window) in all; v = 50
// after 100 commits reads [1,10] .. [41,50]), and each version's rows are
// rewritten once per level (write amplification log_T(window)) instead of
// once per cumulative compaction. Base compaction retires the ladder below
// the base.
//
// A full compaction (CompactNow) first runs the ladder, then merges the
// whole spine into one cumulative, so the latest version reads the base
// and one delta. It retires nothing either: the rungs it merged still
// serve the versions below its end (so calling it after every few commits
// costs a file per call until base compaction).
//
// Base compaction. Versions older than latest - history_window and than
// time_limit (or than the oldest readable version, if the db raised it
// further) may be folded away. Let B be the largest version up to that limit that has a covering
// path; merge that path into a new base [0, B]. Every delta that starts at
// or before B becomes obsolete (those ending by B, and those straddling
// B), and the oldest readable version becomes B. It runs once it would
// retire at least `base_trigger` deltas besides the old base, so the base
// (the biggest file) is not rewritten for every commit.
//
// When both are due the base compaction is planned first; call again
// after applying a plan. A plan is computed from one Version: if another
// edit removed one of its deltas meanwhile, Apply refuses the plan's edit
// (InvalidArgument) and the output should be discarded.
//
// Thread safety: pure functions of immutable inputs.

#ifndef MESA_SRC_VERSION_COMPACTION_PICKER_H_
#define MESA_SRC_VERSION_COMPACTION_PICKER_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "src/version/version.h"
#include "src/version/version_edit.h"

namespace mesa::internal {

struct CompactionPolicy {
  // Singletons after the newest cumulative (or base) that start a
  // cumulative compaction; values below 2 act as 2. Default: 10
  size_t cumulative_trigger = 10;
  // How many versions below the latest stay readable: base compaction may
  // fold versions up to latest - history_window. Default: 100
  uint64_t history_window = 100;
  // The time-based window (Options::history_time): base compaction folds
  // no version above this one either. nullopt: no time window.
  std::optional<uint64_t> time_limit;
  // Deltas (besides the old base) a base compaction must retire before it
  // runs; values below 1 act as 1. Default: 10
  size_t base_trigger = 10;
  // Also merge the whole spine into one cumulative once the ladder has
  // nothing due (CompactNow). Default: false
  bool full = false;
};

enum class CompactionKind { kCumulative, kBase };

struct CompactionPlan {
  CompactionKind kind = CompactionKind::kCumulative;
  uint32_t table_id = 0;
  // The deltas to merge, in version order (REPLACE: later inputs win).
  std::vector<DeltaPtr> inputs;
  // The output delta's range.
  uint64_t output_min_version = 0;
  uint64_t output_max_version = 0;
  // The deltas the same edit removes (for a base compaction, a superset of
  // the inputs; none for a cumulative).
  std::vector<DeltaPtr> obsolete;
  // Base compaction: the new oldest readable version.
  std::optional<uint64_t> oldest_version;

  // The edit that publishes `output` (its table id and range are set from
  // this plan) and removes the obsolete deltas.
  VersionEdit ToEdit(DeltaMeta output) const;
  // "base table 3: merge [0,10]#4 [11,11]#9 -> [0,12], retire 5, oldest 12".
  std::string DebugString() const;
};

// The compaction `table` needs at `latest_version` (with the database's
// `oldest_version`), or nullopt if none is due.
std::optional<CompactionPlan> PickCompaction(const TableVersion& table,
                                             uint64_t latest_version,
                                             uint64_t oldest_version,
                                             const CompactionPolicy& policy);

}  // namespace mesa::internal

#endif  // MESA_SRC_VERSION_COMPACTION_PICKER_H_
