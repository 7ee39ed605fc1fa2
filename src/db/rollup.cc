// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.

#include "src/db/rollup.h"

#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "fmt/format.h"
#include "src/merge/sort_aggregate.h"
#include "src/util/status_macros.h"

namespace mesa::internal {
namespace {

// Rows projected from the parent are aggregated this many at a time (at
// least), so a back-fill holds about one chunk beside the rollup itself.
constexpr size_t kAggregateChunkRows = size_t{1} << 20;

void Project(const RowBatch& from, const std::vector<size_t>& positions,
             RowBatch* to) {
  for (size_t i = 0; i < positions.size(); ++i) {
    to->column(i).AppendRange(from.column(positions[i]), 0, from.num_rows());
  }
}

}  // namespace

absl::StatusOr<Schema> RollupSchema(std::string_view parent_name,
                                    const Schema& parent,
                                    const RollupSpec& spec) {
  auto error = [&](std::string_view what) {
    return absl::InvalidArgumentError(fmt::format(
        "rollup '{}' of table '{}': {}", spec.name, parent_name, what));
  };
  if (spec.name.empty()) {
    return absl::InvalidArgumentError(
        fmt::format("a rollup of table '{}' has an empty name", parent_name));
  }
  if (spec.key_columns.empty()) return error("no key column");
  absl::flat_hash_set<std::string> seen;
  std::vector<ColumnSpec> keys, values;
  for (const std::string& name : spec.key_columns) {
    auto c = parent.FindColumn(name);
    if (!c) return error(fmt::format("the table has no column '{}'", name));
    if (*c >= parent.num_keys()) {
      return error(fmt::format("'{}' is a value column, not a key", name));
    }
    if (!seen.insert(name).second) {
      return error(fmt::format("key column '{}' is listed twice", name));
    }
    keys.push_back(parent.column(*c));
  }
  std::vector<std::string> value_names = spec.value_columns;
  if (value_names.empty()) {
    for (size_t c = parent.num_keys(); c < parent.num_columns(); ++c) {
      value_names.push_back(parent.column(c).name);
    }
  }
  for (const std::string& name : value_names) {
    auto c = parent.FindColumn(name);
    if (!c) return error(fmt::format("the table has no column '{}'", name));
    if (*c < parent.num_keys()) {
      return error(fmt::format("'{}' is a key column, not a value", name));
    }
    if (!seen.insert(name).second) {
      return error(fmt::format("value column '{}' is listed twice", name));
    }
    if (parent.column(*c).aggregation == Aggregation::kReplace) {
      return error(fmt::format(
          "value column '{}' aggregates with REPLACE, which a rollup cannot "
          "keep (which of the rows it combines is newest is not defined); "
          "list value_columns without it",
          name));
    }
    values.push_back(parent.column(*c));
  }
  absl::StatusOr<Schema> schema =
      Schema::Create(std::move(keys), std::move(values));
  if (!schema.ok()) return error(StatusMessage(schema.status()));
  return schema;
}

RollupSpec SpecOfRollup(std::string name, const Schema& rollup) {
  RollupSpec spec;
  spec.name = std::move(name);
  for (size_t c = 0; c < rollup.num_columns(); ++c) {
    (c < rollup.num_keys() ? spec.key_columns : spec.value_columns)
        .push_back(rollup.column(c).name);
  }
  return spec;
}

absl::StatusOr<std::vector<size_t>> RollupColumnMap(const Schema& parent,
                                                    const Schema& rollup) {
  std::vector<size_t> map;
  for (const ColumnSpec& col : rollup.columns()) {
    auto c = parent.FindColumn(col.name);
    if (!c || parent.column(*c).type != col.type) {
      return absl::DataLossError(fmt::format(
          "rollup column '{}' is not a column of its parent {}", col.name,
          parent.DebugString()));
    }
    map.push_back(*c);
  }
  return map;
}

RowBatch DeriveRollupRows(const Schema& rollup, const std::vector<size_t>& map,
                          const RowBatch& parent_rows) {
  RowBatch projected(rollup);
  Project(parent_rows, map, &projected);
  return SortAndAggregateRows(rollup, projected);
}

absl::StatusOr<RowBatch> AggregateRollup(
    const Schema& parent, const std::vector<size_t>& value_columns,
    const Schema& rollup, const std::vector<size_t>& map,
    MergingCursor* parent_rows) {
  // Where each rollup column sits in the cursor's batches.
  std::vector<size_t> positions;
  for (size_t c : map) {
    if (c < parent.num_keys()) {
      positions.push_back(c);
      continue;
    }
    auto it = std::find(value_columns.begin(), value_columns.end(), c);
    if (it == value_columns.end()) {
      return absl::InternalError(fmt::format(
          "rollup column '{}' is not among the columns read",
          parent.column(c).name));
    }
    positions.push_back(parent.num_keys() + (it - value_columns.begin()));
  }
  std::vector<ColumnType> types;
  for (size_t c = 0; c < parent.num_keys(); ++c) {
    types.push_back(parent.column(c).type);
  }
  for (size_t c : value_columns) types.push_back(parent.column(c).type);
  RowBatch batch(types);
  RowBatch rolled(rollup);   // sorted and aggregated so far
  RowBatch pending(rollup);  // projected, not yet aggregated
  // No REPLACE column (RollupSchema), so the order rows combine in does
  // not matter: fold each chunk in with the rows so far.
  auto fold = [&] {
    pending.AppendRows(rolled, 0, rolled.num_rows());
    rolled = SortAndAggregateRows(rollup, pending);
    pending.Clear();
  };
  while (parent_rows->NextBatch(4096, &batch)) {
    Project(batch, positions, &pending);
    if (pending.num_rows() >=
        std::max(kAggregateChunkRows, 2 * rolled.num_rows())) {
      fold();
    }
  }
  MESA_RETURN_IF_ERROR(parent_rows->status());
  if (pending.num_rows() > 0) fold();
  return rolled;
}

}  // namespace mesa::internal
