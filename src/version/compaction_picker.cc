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

std::optional<CompactionPlan> PickCumulative(const TableVersion& table,
                                             const CompactionPolicy& policy) {
  const uint64_t base_end = table.base_end().value_or(0);
  // The newest cumulative that starts above the base (a straddler is left
  // for the next base compaction to retire).
  const DeltaPtr* newest = nullptr;
  for (const DeltaPtr& d : table.deltas()) {
    const DeltaMeta& m = d->meta();
    if (m.is_base() || m.is_singleton() || m.min_version <= base_end) continue;
    if (newest == nullptr || m.max_version > (*newest)->max_version()) {
      newest = &d;  // on equal ends, the earlier (longer) one is kept
    }
  }
  const uint64_t after =
      newest != nullptr ? (*newest)->max_version() : base_end;
  std::vector<DeltaPtr> singletons;
  for (const DeltaPtr& d : table.deltas()) {
    if (d->meta().is_singleton() && d->min_version() > after) {
      singletons.push_back(d);
    }
  }
  if (singletons.size() < std::max<size_t>(policy.cumulative_trigger, 2)) {
    return std::nullopt;
  }
  CompactionPlan plan;
  plan.kind = CompactionKind::kCumulative;
  plan.table_id = table.id();
  if (newest != nullptr) {
    plan.inputs.push_back(*newest);
    plan.obsolete.push_back(*newest);
    plan.output_min_version = (*newest)->min_version();
  } else {
    plan.output_min_version = base_end + 1;
  }
  plan.output_max_version = singletons.back()->max_version();
  for (DeltaPtr& d : singletons) plan.inputs.push_back(std::move(d));
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
  return PickCumulative(table, policy);
}

}  // namespace mesa::internal
