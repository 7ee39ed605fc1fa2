// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.

#include "src/version/compaction_picker.h"

#include <algorithm>
#include <utility>

#include "fmt/format.h"

namespace mesa::internal {
namespace {

std::optional<CompactionPlan> PickBase(const TableVersion& table,
                                       uint64_t latest, uint64_t oldest,
                                       const CompactionPolicy& policy) {
  uint64_t limit =
      latest >= policy.history_window ? latest - policy.history_window : 0;
  if (policy.time_limit.has_value()) {
    limit = std::min(limit, *policy.time_limit);
  }
  limit = std::max(limit, oldest);
  const std::optional<uint64_t> base_end = table.base_end();
  std::optional<uint64_t> b = LargestCoverableVersion(table.ranges(), limit);
  if (!b.has_value() || *b == 0 || *b <= base_end.value_or(0)) {
    return std::nullopt;
  }
  absl::StatusOr<std::vector<DeltaPtr>> path = table.CoveringPath(*b);
  if (!path.ok() || path->empty() ||
      (path->size() == 1 && path->front()->meta().is_base())) {
    return std::nullopt;  // nothing to merge: the versions up to B are empty
  }
  CompactionPlan plan;
  plan.kind = CompactionKind::kBase;
  plan.table_id = table.id();
  plan.inputs = *std::move(path);
  plan.output_min_version = 0;
  plan.output_max_version = *b;
  plan.oldest_version = std::max(oldest, *b);
  size_t retired = 0;
  for (const DeltaPtr& d : table.deltas()) {
    if (d->min_version() > *b) break;  // sorted by min_version
    plan.obsolete.push_back(d);
    if (!d->meta().is_base()) ++retired;
  }
  if (retired < std::max<size_t>(policy.base_trigger, 1)) return std::nullopt;
  return plan;
}

// A cumulative's level in the ladder: 0 for a singleton, else the largest
// k with trigger^k <= its span (a merge of `trigger` deltas of level L
// spans at least trigger^(L+1) versions, so it lands at least one level
// higher).
size_t LevelOf(uint64_t min_version, uint64_t max_version,
               uint64_t trigger) {
  if (min_version == max_version) return 0;
  const uint64_t span = max_version - min_version + 1;
  size_t level = 0;
  for (uint64_t reach = 1; reach <= span / trigger; reach *= trigger) {
    ++level;
  }
  return level;
}

std::optional<CompactionPlan> PickCumulative(const TableVersion& table,
                                             uint64_t latest,
                                             const CompactionPolicy& policy) {
  const uint64_t base_end = table.base_end().value_or(0);
  absl::StatusOr<std::vector<DeltaPtr>> path = table.CoveringPath(latest);
  if (!path.ok()) return std::nullopt;  // nothing readable to build on
  std::vector<DeltaPtr> spine;  // the latest path above the base
  for (DeltaPtr& d : *path) {
    if (!d->meta().is_base()) spine.push_back(std::move(d));
  }
  const uint64_t trigger = std::max<uint64_t>(policy.cumulative_trigger, 2);
  std::vector<size_t> levels;
  for (const DeltaPtr& d : spine) {
    levels.push_back(LevelOf(d->min_version(), d->max_version(), trigger));
  }

  // The oldest run of `trigger` adjacent spine deltas of one level, at the
  // lowest level that has one.
  size_t first = spine.size(), count = 0;
  for (size_t i = 0; i < spine.size();) {
    size_t j = i;
    while (j < spine.size() && levels[j] == levels[i]) ++j;
    if (j - i >= trigger &&
        (first == spine.size() || levels[i] < levels[first])) {
      first = i;
      count = trigger;
    }
    i = j;
  }
  if (count == 0 && policy.full && spine.size() >= 2) {
    first = 0;
    count = spine.size();
  }
  if (count == 0) return std::nullopt;

  CompactionPlan plan;
  plan.kind = CompactionKind::kCumulative;
  plan.table_id = table.id();
  // Versions between the previous spine delta and the first input are
  // empty: the output covers them too.
  plan.output_min_version =
      first == 0 ? base_end + 1 : spine[first - 1]->max_version() + 1;
  plan.output_max_version = spine[first + count - 1]->max_version();
  for (size_t i = first; i < first + count; ++i) {
    plan.inputs.push_back(std::move(spine[i]));
  }
  return plan;
}

}  // namespace

VersionEdit CompactionPlan::ToEdit(DeltaMeta output) const {
  VersionEdit edit;
  output.table_id = table_id;
  output.min_version = output_min_version;
  output.max_version = output_max_version;
  edit.added_deltas.push_back(std::move(output));
  for (const DeltaPtr& d : obsolete) {
    edit.removed_deltas.push_back({table_id, d->file_number()});
  }
  edit.oldest_version = oldest_version;
  return edit;
}

std::string CompactionPlan::DebugString() const {
  std::string out = fmt::format(
      "{} table {}: merge",
      kind == CompactionKind::kBase ? "base" : "cumulative", table_id);
  for (const DeltaPtr& d : inputs) {
    out += fmt::format(" [{},{}]#{}", d->min_version(), d->max_version(),
                       d->file_number());
  }
  out += fmt::format(" -> [{},{}], retire {}", output_min_version,
                     output_max_version, obsolete.size());
  if (oldest_version.has_value()) {
    out += fmt::format(", oldest {}", *oldest_version);
  }
  return out;
}

std::optional<CompactionPlan> PickCompaction(const TableVersion& table,
                                             uint64_t latest_version,
                                             uint64_t oldest_version,
                                             const CompactionPolicy& policy) {
  if (table.deltas().empty()) return std::nullopt;
  if (auto plan = PickBase(table, latest_version, oldest_version, policy)) {
    return plan;
  }
  return PickCumulative(table, latest_version, policy);
}

}  // namespace mesa::internal
