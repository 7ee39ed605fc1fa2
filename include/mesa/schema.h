// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// A table's schema: ordered key columns (the dimensions, which sort the
// rows), then value columns (the measures), each value with the associative
// aggregation that combines two rows with equal keys.
//
// Thread safety: a Schema is immutable after Create() and safe to share.

#ifndef MESA_SCHEMA_H_
#define MESA_SCHEMA_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace mesa {

// Column types. The numbers are stored on disk: never renumber.
enum class ColumnType : uint8_t {
  kInt32 = 1,
  kInt64 = 2,
  kUint64 = 3,
  kDouble = 4,
  kString = 5,  // arbitrary bytes, compared as unsigned bytes
};

// How a value column combines rows with equal keys. The numbers are stored
// on disk: never renumber.
enum class Aggregation : uint8_t {
  kNone = 0,     // key columns only
  kSum = 1,      // integers wrap around on overflow (two's complement);
                 // doubles are associative only up to rounding
  kMin = 2,
  kMax = 3,
  kReplace = 4,  // the value of the newest version wins
};

std::string_view ColumnTypeName(ColumnType type);
std::string_view AggregationName(Aggregation agg);

struct ColumnSpec {
  std::string name;
  ColumnType type = ColumnType::kInt64;
  Aggregation aggregation = Aggregation::kNone;  // kNone for key columns
};

class Schema {
 public:
  // The most columns a schema may have, and the longest column name.
  static constexpr size_t kMaxColumns = 1024;
  static constexpr size_t kMaxNameLength = 255;

  // Validates and builds a schema. Fails with InvalidArgument naming the
  // column when: there is no key column; a name is empty, too long or used
  // twice; a key column has an aggregation; a value column has none; SUM is
  // asked of a string column; there are too many columns.
  static absl::StatusOr<Schema> Create(std::vector<ColumnSpec> keys,
                                       std::vector<ColumnSpec> values);

  Schema() = default;

  size_t num_columns() const { return columns_.size(); }
  size_t num_keys() const { return num_keys_; }
  size_t num_values() const { return columns_.size() - num_keys_; }
  // Keys first (0 .. num_keys-1), then values.
  const ColumnSpec& column(size_t i) const { return columns_[i]; }
  const std::vector<ColumnSpec>& columns() const { return columns_; }
  bool is_key(size_t i) const { return i < num_keys_; }
  std::optional<size_t> FindColumn(std::string_view name) const;

  // A 64-bit digest of names, types, aggregations and the key count: two
  // schemas with equal fingerprints are, for all practical purposes, equal.
  uint64_t Fingerprint() const;
  // "(advertiser_id int64, date int32 | clicks int64 SUM)"
  std::string DebugString() const;

  friend bool operator==(const Schema& a, const Schema& b);

 private:
  std::vector<ColumnSpec> columns_;
  size_t num_keys_ = 0;
};

bool operator==(const ColumnSpec& a, const ColumnSpec& b);

}  // namespace mesa

#endif  // MESA_SCHEMA_H_
