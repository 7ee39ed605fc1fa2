// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.

#include "src/query/rollup_chooser.h"

#include <algorithm>

namespace mesa::internal {
namespace {

bool Contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

bool Answers(const QueryShape& q, const RollupCandidate& r) {
  if (!q.grouped || !r.usable) return false;
  for (const std::string& c : q.group_by) {
    if (!Contains(r.key_columns, c)) return false;
  }
  for (const std::string& c : q.filter_columns) {
    if (!Contains(r.key_columns, c)) return false;
  }
  for (const std::string& c : q.value_columns) {
    if (!Contains(r.value_columns, c)) return false;
  }
  // The group columns, as the rollup orders them, must be in the table's
  // order.
  std::vector<std::string> order;
  for (const std::string& k : r.key_columns) {
    if (Contains(q.group_by, k)) order.push_back(k);
  }
  return order == q.group_by;
}

}  // namespace

QueryShape ShapeOf(const Schema& table, const ScanPlan& plan) {
  QueryShape q;
  q.grouped = plan.grouped;
  for (size_t c : plan.group_keys) q.group_by.push_back(table.column(c).name);
  for (const ColumnPredicate& p : plan.predicates) {
    const std::string& name = table.column(p.column).name;
    if (!Contains(q.filter_columns, name)) q.filter_columns.push_back(name);
  }
  for (const GroupValue& v : plan.group_values) {
    // merged_pos -> schema column: merge_values holds them after the keys.
    const size_t c = plan.merge_values[v.merged_pos - table.num_keys()];
    q.value_columns.push_back(table.column(c).name);
  }
  return q;
}

std::optional<size_t> ChooseRollup(
    const QueryShape& query, const std::vector<RollupCandidate>& candidates) {
  std::optional<size_t> best;
  for (size_t i = 0; i < candidates.size(); ++i) {
    const RollupCandidate& r = candidates[i];
    if (!Answers(query, r)) continue;
    if (!best || r.bytes < candidates[*best].bytes ||
        (r.bytes == candidates[*best].bytes &&
         r.name < candidates[*best].name)) {
      best = i;
    }
  }
  return best;
}

}  // namespace mesa::internal
