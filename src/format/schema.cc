// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.

#include "mesa/schema.h"

#include "absl/container/flat_hash_set.h"
#include "fmt/format.h"
#include "src/util/coding.h"
#include "src/util/hash.h"

namespace mesa {

std::string_view ColumnTypeName(ColumnType type) {
  switch (type) {
    case ColumnType::kInt32:
      return "int32";
    case ColumnType::kInt64:
      return "int64";
    case ColumnType::kUint64:
      return "uint64";
    case ColumnType::kDouble:
      return "double";
    case ColumnType::kString:
      return "string";
  }
  return "unknown-type";
}

std::string_view AggregationName(Aggregation agg) {
  switch (agg) {
    case Aggregation::kNone:
      return "NONE";
    case Aggregation::kSum:
      return "SUM";
    case Aggregation::kMin:
      return "MIN";
    case Aggregation::kMax:
      return "MAX";
    case Aggregation::kReplace:
      return "REPLACE";
  }
  return "unknown-aggregation";
}

namespace {

bool ValidType(ColumnType t) {
  return t >= ColumnType::kInt32 && t <= ColumnType::kString;
}
bool ValidAggregation(Aggregation a) {
  return a >= Aggregation::kSum && a <= Aggregation::kReplace;
}

}  // namespace

absl::StatusOr<Schema> Schema::Create(std::vector<ColumnSpec> keys,
                                      std::vector<ColumnSpec> values) {
  if (keys.empty()) {
    return absl::InvalidArgumentError(
        "schema has no key column: a table needs at least one");
  }
  if (keys.size() + values.size() > kMaxColumns) {
    return absl::InvalidArgumentError(
        fmt::format("schema has {} columns; at most {} are allowed",
                    keys.size() + values.size(), kMaxColumns));
  }
  absl::flat_hash_set<std::string> names;
  auto check_common = [&](const ColumnSpec& c,
                          std::string_view role) -> absl::Status {
    if (c.name.empty()) {
      return absl::InvalidArgumentError(
          fmt::format("a {} column has an empty name", role));
    }
    if (c.name.size() > kMaxNameLength) {
      return absl::InvalidArgumentError(
          fmt::format("{} column name '{}...' is {} bytes; at most {} are allowed",
                      role, c.name.substr(0, 32), c.name.size(),
                      kMaxNameLength));
    }
    if (!ValidType(c.type)) {
      return absl::InvalidArgumentError(
          fmt::format("{} column '{}' has invalid type code {}", role, c.name,
                      static_cast<int>(c.type)));
    }
    if (!names.insert(c.name).second) {
      return absl::InvalidArgumentError(
          fmt::format("column name '{}' is used twice", c.name));
    }
    return absl::OkStatus();
  };
  for (const ColumnSpec& c : keys) {
    if (auto s = check_common(c, "key"); !s.ok()) return s;
    if (c.aggregation != Aggregation::kNone) {
      return absl::InvalidArgumentError(
          fmt::format("key column '{}' has aggregation {}; key columns take none",
                      c.name, AggregationName(c.aggregation)));
    }
  }
  for (const ColumnSpec& c : values) {
    if (auto s = check_common(c, "value"); !s.ok()) return s;
    if (!ValidAggregation(c.aggregation)) {
      return absl::InvalidArgumentError(fmt::format(
          "value column '{}' needs an aggregation (SUM, MIN, MAX or REPLACE)",
          c.name));
    }
    if (c.aggregation == Aggregation::kSum && c.type == ColumnType::kString) {
      return absl::InvalidArgumentError(fmt::format("value column '{}': SUM is not defined on strings",
                      c.name));
    }
  }
  Schema schema;
  schema.num_keys_ = keys.size();
  schema.columns_ = std::move(keys);
  for (ColumnSpec& c : values) schema.columns_.push_back(std::move(c));
  return schema;
}

std::optional<size_t> Schema::FindColumn(std::string_view name) const {
  for (size_t i = 0; i < columns_.size(); ++i) {
    if (columns_[i].name == name) return i;
  }
  return std::nullopt;
}

uint64_t Schema::Fingerprint() const {
  std::string buf;
  buf.reserve(16 + 24 * columns_.size());  // one allocation (scans plan it)
  internal::PutVarint64(&buf, columns_.size());
  internal::PutVarint64(&buf, num_keys_);
  for (const ColumnSpec& c : columns_) {
    internal::PutLengthPrefixed(&buf, c.name);
    internal::PutFixed8(&buf, static_cast<uint8_t>(c.type));
    internal::PutFixed8(&buf, static_cast<uint8_t>(c.aggregation));
  }
  return internal::Hash64(buf, 0x6d657361 /* "mesa" */);
}

std::string Schema::DebugString() const {
  std::string out = "(";
  for (size_t i = 0; i < columns_.size(); ++i) {
    if (i == num_keys_) {
      out += " | ";
    } else if (i > 0) {
      out += ", ";
    }
    const ColumnSpec& c = columns_[i];
    out += fmt::format("{} {}", c.name, ColumnTypeName(c.type));
    if (c.aggregation != Aggregation::kNone) {
      out += fmt::format(" {}", AggregationName(c.aggregation));
    }
  }
  out += ")";
  return out;
}

bool operator==(const ColumnSpec& a, const ColumnSpec& b) {
  return a.name == b.name && a.type == b.type && a.aggregation == b.aggregation;
}

bool operator==(const Schema& a, const Schema& b) {
  return a.num_keys_ == b.num_keys_ && a.columns_ == b.columns_;
}

}  // namespace mesa
