// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.

#include "src/query/scan_plan.h"

#include <algorithm>

#include "fmt/format.h"
#include "src/util/coding.h"
#include "src/util/hash.h"
#include "src/util/status_macros.h"

namespace mesa::internal {
namespace {

CompareOp OpOf(FilterOp op) {
  switch (op) {
    case FilterOp::kEq:
      return CompareOp::kEq;
    case FilterOp::kNe:
      return CompareOp::kNe;
    case FilterOp::kLt:
      return CompareOp::kLt;
    case FilterOp::kLe:
      return CompareOp::kLe;
    case FilterOp::kGt:
      return CompareOp::kGt;
    case FilterOp::kGe:
      return CompareOp::kGe;
    case FilterOp::kIn:
      return CompareOp::kIn;
  }
  return CompareOp::kEq;
}

void PutValue(const Value& v, std::string* dst) {
  PutFixed8(dst, static_cast<uint8_t>(v.type()));
  if (v.type() == ColumnType::kString) {
    PutLengthPrefixed(dst, v.str());
  } else {
    PutFixed64(dst, v.word());
  }
}

uint64_t Fingerprint(const Schema& schema, const ScanSpec& spec) {
  std::string s;
  s.reserve(256);
  PutFixed64(&s, schema.Fingerprint());
  PutVarint64(&s, spec.key_prefix.size());
  for (const Value& v : spec.key_prefix) PutValue(v, &s);
  for (const auto* bound : {&spec.lower, &spec.upper}) {
    PutFixed8(&s, bound->has_value());
    if (*bound) PutValue(**bound, &s);
  }
  PutFixed8(&s, spec.lower_inclusive);
  PutFixed8(&s, spec.upper_inclusive);
  PutVarint64(&s, spec.filters.size());
  for (const Filter& f : spec.filters) {
    PutLengthPrefixed(&s, f.column);
    PutFixed8(&s, static_cast<uint8_t>(f.op));
    PutVarint64(&s, f.values.size());
    for (const Value& v : f.values) PutValue(v, &s);
  }
  for (const auto* names : {&spec.group_by, &spec.columns}) {
    PutVarint64(&s, names->size());
    for (const std::string& n : *names) PutLengthPrefixed(&s, n);
  }
  return Hash64(s, 0x7363616e73706563ull);
}

}  // namespace

absl::StatusOr<ColumnVector> ColumnOperands(std::string_view table,
                                            const ColumnSpec& spec,
                                            const std::vector<Value>& values) {
  ColumnVector col(spec.type);
  for (const Value& v : values) {
    absl::Status s = v.AppendTo(&col);
    if (!s.ok()) {
      return absl::InvalidArgumentError(
          fmt::format("table '{}' {} column '{}' ({}): value {}: {}", table,
                      spec.aggregation == Aggregation::kNone ? "key" : "value",
                      spec.name, ColumnTypeName(spec.type),
                      v.DebugString(), StatusMessage(s)));
    }
  }
  return col;
}

absl::StatusOr<ScanPlan> PlanScan(const Schema& schema, std::string_view table,
                                  const ScanSpec& spec) {
  ScanPlan plan;
  const size_t nk = schema.num_keys();
  if (spec.key_prefix.size() > nk ||
      (spec.key_prefix.size() == nk && (spec.lower || spec.upper))) {
    return absl::InvalidArgumentError(fmt::format(
        "table '{}': a key prefix of {} values{} for {} key columns", table,
        spec.key_prefix.size(), spec.lower || spec.upper ? " and a range" : "",
        nk));
  }
  if (spec.batch_rows == 0) {
    return absl::InvalidArgumentError("ScanSpec.batch_rows must be >= 1");
  }
  // Sized up front: a short scan's planning is part of its latency, and
  // each growth of these vectors is an allocation.
  const size_t num_predicates = spec.key_prefix.size() + spec.lower.has_value() +
                                spec.upper.has_value() + spec.filters.size();
  plan.predicates.reserve(num_predicates);
  plan.key_predicates.reserve(num_predicates);
  plan.merged_predicates.reserve(num_predicates);
  auto add = [&](size_t c, CompareOp op,
                 const std::vector<Value>& values) -> absl::Status {
    MESA_ASSIGN_OR_RETURN(ColumnVector operands,
                          ColumnOperands(table, schema.column(c), values));
    plan.predicates.push_back({c, op, std::move(operands)});
    return absl::OkStatus();
  };
  for (size_t c = 0; c < spec.key_prefix.size(); ++c) {
    MESA_RETURN_IF_ERROR(add(c, CompareOp::kEq, {spec.key_prefix[c]}));
  }
  const size_t p = spec.key_prefix.size();
  if (spec.lower) {
    MESA_RETURN_IF_ERROR(add(
        p, spec.lower_inclusive ? CompareOp::kGe : CompareOp::kGt,
        {*spec.lower}));
  }
  if (spec.upper) {
    MESA_RETURN_IF_ERROR(add(
        p, spec.upper_inclusive ? CompareOp::kLe : CompareOp::kLt,
        {*spec.upper}));
  }
  for (const Filter& f : spec.filters) {
    auto c = schema.FindColumn(f.column);
    if (!c) {
      return absl::InvalidArgumentError(fmt::format(
          "table '{}' has no column '{}' (in a filter)", table, f.column));
    }
    const size_t want = f.op == FilterOp::kIn ? f.values.size() : 1;
    if (f.values.size() != want || want == 0) {
      return absl::InvalidArgumentError(fmt::format(
          "table '{}' column '{}': a {} filter takes {} values, got {}", table,
          f.column, CompareOpName(OpOf(f.op)),
          f.op == FilterOp::kIn ? "one or more" : "exactly one",
          f.values.size()));
    }
    MESA_RETURN_IF_ERROR(add(*c, OpOf(f.op), f.values));
  }
  for (const ColumnPredicate& pr : plan.predicates) {
    if (pr.column < nk) plan.key_predicates.push_back(pr);
  }

  // Group key.
  plan.grouped = !spec.group_by.empty();
  std::vector<bool> in_group(nk, false);
  for (const std::string& name : spec.group_by) {
    auto c = schema.FindColumn(name);
    if (!c) {
      return absl::InvalidArgumentError(fmt::format(
          "table '{}' has no column '{}' (in GROUP BY)", table, name));
    }
    if (*c >= nk) {
      return absl::InvalidArgumentError(fmt::format(
          "table '{}': GROUP BY '{}': only key columns can be grouped by, "
          "'{}' is a value column ({})",
          table, name, name,
          AggregationName(schema.column(*c).aggregation)));
    }
    if (in_group[*c]) {
      return absl::InvalidArgumentError(fmt::format(
          "table '{}': GROUP BY names '{}' twice", table, name));
    }
    in_group[*c] = true;
  }
  for (size_t c = 0; c < nk; ++c) {
    if (in_group[c]) plan.group_keys.push_back(c);
  }
  while (plan.group_prefix < nk && in_group[plan.group_prefix]) {
    ++plan.group_prefix;
  }

  // Output columns.
  std::vector<size_t> out_cols;  // schema indices
  out_cols.reserve(spec.columns.empty() ? schema.num_columns()
                                        : spec.columns.size());
  plan.merge_values.reserve(schema.num_columns() - nk);
  if (spec.columns.empty()) {
    if (plan.grouped) {
      out_cols = plan.group_keys;
      for (size_t c = nk; c < schema.num_columns(); ++c) out_cols.push_back(c);
    } else {
      for (size_t c = 0; c < schema.num_columns(); ++c) out_cols.push_back(c);
    }
  } else {
    for (const std::string& name : spec.columns) {
      auto c = schema.FindColumn(name);
      if (!c) {
        return absl::InvalidArgumentError(
            fmt::format("table '{}' has no column '{}'", table, name));
      }
      if (plan.grouped && *c < nk && !in_group[*c]) {
        return absl::InvalidArgumentError(fmt::format(
            "table '{}': column '{}' is neither grouped by nor a value "
            "column",
            table, name));
      }
      out_cols.push_back(*c);
    }
  }
  if (plan.grouped && plan.group_keys.size() < nk) {
    for (size_t c : out_cols) {
      if (schema.column(c).aggregation == Aggregation::kReplace) {
        return absl::InvalidArgumentError(fmt::format(
            "table '{}': column '{}' is REPLACE, which has no value over a "
            "group of several keys; GROUP BY every key column, or leave it "
            "out of the columns",
            table, schema.column(c).name));
      }
    }
  }

  // The merge reads every key column, the projected value columns and the
  // value columns filters name.
  plan.merged_pos.assign(schema.num_columns(), -1);
  for (size_t c = 0; c < nk; ++c) plan.merged_pos[c] = static_cast<int>(c);
  auto need = [&](size_t c) {
    if (plan.merged_pos[c] < 0) {
      plan.merged_pos[c] = static_cast<int>(nk + plan.merge_values.size());
      plan.merge_values.push_back(c);
    }
  };
  for (size_t c : out_cols) need(c);
  for (const ColumnPredicate& pr : plan.predicates) need(pr.column);
  for (const ColumnPredicate& pr : plan.predicates) {
    ColumnPredicate m = pr;
    m.column = static_cast<size_t>(plan.merged_pos[pr.column]);
    plan.merged_predicates.push_back(std::move(m));
  }

  plan.names.reserve(out_cols.size());
  plan.types.reserve(out_cols.size());
  plan.output.reserve(out_cols.size());
  for (size_t c : out_cols) {
    plan.names.push_back(schema.column(c).name);
    plan.types.push_back(schema.column(c).type);
    if (!plan.grouped) {
      plan.output.push_back(static_cast<size_t>(plan.merged_pos[c]));
      continue;
    }
    if (c < nk) {
      auto it = std::find(plan.group_keys.begin(), plan.group_keys.end(), c);
      plan.output.push_back(static_cast<size_t>(it - plan.group_keys.begin()));
      continue;
    }
    size_t i = 0;
    const size_t pos = static_cast<size_t>(plan.merged_pos[c]);
    while (i < plan.group_values.size() &&
           plan.group_values[i].merged_pos != pos) {
      ++i;
    }
    if (i == plan.group_values.size()) {
      plan.group_values.push_back(
          {pos, schema.column(c).aggregation, schema.column(c).type});
    }
    plan.output.push_back(plan.group_keys.size() + i);
  }
  plan.fingerprint = Fingerprint(schema, spec);
  return plan;
}

}  // namespace mesa::internal
