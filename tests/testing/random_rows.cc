// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.

#include "tests/testing/random_rows.h"

#include <bit>
#include <cmath>
#include <limits>

#include "fmt/format.h"
#include "src/workload/workload.h"

namespace mesa::testing {
namespace {

constexpr ColumnType kTypes[] = {ColumnType::kInt32, ColumnType::kInt64,
                                 ColumnType::kUint64, ColumnType::kDouble,
                                 ColumnType::kString};

std::string RandomString(std::mt19937_64& rng, size_t max_len) {
  static constexpr char kAlphabet[] = {'\x00', '\x01', 'a', 'b', 'z', '\xfe',
                                       '\xff'};
  size_t len = rng() % (max_len + 1);
  std::string s;
  for (size_t i = 0; i < len; ++i) s.push_back(kAlphabet[rng() % 7]);
  return s;
}

uint64_t ExtremeWord(std::mt19937_64& rng, ColumnType type) {
  switch (type) {
    case ColumnType::kInt32: {
      const int32_t v[] = {std::numeric_limits<int32_t>::min(),
                           std::numeric_limits<int32_t>::max(), 0, -1};
      return static_cast<uint64_t>(static_cast<int64_t>(v[rng() % 4]));
    }
    case ColumnType::kInt64: {
      const int64_t v[] = {std::numeric_limits<int64_t>::min(),
                           std::numeric_limits<int64_t>::max(), 0, -1};
      return static_cast<uint64_t>(v[rng() % 4]);
    }
    case ColumnType::kUint64: {
      const uint64_t v[] = {0, 1, std::numeric_limits<uint64_t>::max(),
                            uint64_t{1} << 63};
      return v[rng() % 4];
    }
    default: {
      const double v[] = {-0.0, 0.0, std::numeric_limits<double>::infinity(),
                          -std::numeric_limits<double>::infinity(),
                          std::numeric_limits<double>::quiet_NaN(), 1e300};
      return std::bit_cast<uint64_t>(v[rng() % 6]);
    }
  }
}

}  // namespace

Schema RandomSchema(std::mt19937_64& rng, size_t max_keys,
                    size_t max_values) {
  std::vector<ColumnSpec> keys, values;
  size_t nk = 1 + rng() % max_keys;
  size_t nv = rng() % (max_values + 1);
  for (size_t i = 0; i < nk; ++i) {
    keys.push_back({fmt::format("k{}", i), kTypes[rng() % 5],
                    Aggregation::kNone});
  }
  for (size_t i = 0; i < nv; ++i) {
    ColumnType t = kTypes[rng() % 5];
    Aggregation a = static_cast<Aggregation>(1 + rng() % 4);
    if (t == ColumnType::kString && a == Aggregation::kSum) {
      a = Aggregation::kMax;
    }
    values.push_back({fmt::format("v{}", i), t, a});
  }
  return *Schema::Create(std::move(keys), std::move(values));
}

void AppendRandomValue(std::mt19937_64& rng, Distribution dist, size_t row,
                       ColumnVector* column) {
  const ColumnType type = column->type();
  if (type == ColumnType::kString) {
    switch (dist) {
      case Distribution::kConstant:
        column->AppendString(std::string("c\0st", 4));
        return;
      case Distribution::kSorted:
        column->AppendString(fmt::format("{:08d}", row));
        return;
      case Distribution::kRandom:
        column->AppendString(RandomString(rng, 12));
        return;
      case Distribution::kSkewed: {
        static const char* kFew[] = {"", "US", "GB", "a\xff", "\x00"};
        column->AppendString(rng() % 4 == 0 ? RandomString(rng, 40)
                                            : std::string(kFew[rng() % 5]));
        return;
      }
    }
  }
  uint64_t w = 0;
  switch (dist) {
    case Distribution::kConstant:
      w = type == ColumnType::kDouble ? std::bit_cast<uint64_t>(2.5) : 7;
      break;
    case Distribution::kSorted:
      w = type == ColumnType::kDouble
              ? std::bit_cast<uint64_t>(static_cast<double>(row) * 0.5)
              : row * 3;
      break;
    case Distribution::kRandom:
      w = rng();
      if (rng() % 16 == 0) w = ExtremeWord(rng, type);
      break;
    case Distribution::kSkewed:
      w = rng() % 8 == 0 ? ExtremeWord(rng, type) : rng() % 5;
      if (type == ColumnType::kDouble && rng() % 8 != 0) {
        w = std::bit_cast<uint64_t>(static_cast<double>(rng() % 5));
      }
      break;
  }
  if (type == ColumnType::kInt32) {
    w = static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(w)));
  }
  column->AppendWord(w);
}

RowBatch RandomSortedRows(std::mt19937_64& rng, const Schema& schema,
                          size_t n, Distribution dist) {
  RowBatch rows(schema);
  for (size_t r = 0; r < n; ++r) {
    for (size_t c = 0; c < schema.num_columns(); ++c) {
      // Key columns after the first vary freely so keys stay mostly unique.
      Distribution d = (c > 0 && c < schema.num_keys()) ? Distribution::kRandom
                                                          : dist;
      AppendRandomValue(rng, d, r, &rows.column(c));
    }
  }
  workload::SortAndAggregate(schema, &rows);
  return rows;
}

bool RowsEqual(const RowBatch& a, size_t i, const RowBatch& b, size_t j) {
  if (a.num_columns() != b.num_columns()) return false;
  for (size_t c = 0; c < a.num_columns(); ++c) {
    const ColumnVector& x = a.column(c);
    const ColumnVector& y = b.column(c);
    if (x.type() != y.type()) return false;
    if (x.is_string() ? x.GetString(i) != y.GetString(j)
                      : x.GetWord(i) != y.GetWord(j)) {
      return false;
    }
  }
  return true;
}

bool RowsEquivalent(const Schema& schema, const RowBatch& a, size_t i,
                    const RowBatch& b, size_t j) {
  if (a.num_columns() != schema.num_columns() ||
      b.num_columns() != schema.num_columns()) {
    return false;
  }
  for (size_t c = 0; c < schema.num_columns(); ++c) {
    const ColumnVector& x = a.column(c);
    const ColumnVector& y = b.column(c);
    if (schema.column(c).type == ColumnType::kDouble &&
        schema.column(c).aggregation == Aggregation::kSum) {
      double u = x.GetDouble(i), v = y.GetDouble(j);
      if (std::isnan(u) || std::isnan(v)) {
        if (std::isnan(u) != std::isnan(v)) return false;
        continue;
      }
      if (u == v) continue;  // also +0 == -0 and equal infinities
      double scale = std::max(std::fabs(u), std::fabs(v));
      if (std::isinf(scale) || std::fabs(u - v) > 1e-9 * scale) return false;
      continue;
    }
    if (x.is_string() ? x.GetString(i) != y.GetString(j)
                      : x.GetWord(i) != y.GetWord(j)) {
      return false;
    }
  }
  return true;
}

std::string RowToString(const RowBatch& batch, size_t row) {
  std::string out = "(";
  for (size_t c = 0; c < batch.num_columns(); ++c) {
    if (c > 0) out += ", ";
    const ColumnVector& col = batch.column(c);
    switch (col.type()) {
      case ColumnType::kInt32:
      case ColumnType::kInt64:
        out += fmt::format("{}", col.GetInt64(row));
        break;
      case ColumnType::kUint64:
        out += fmt::format("{}u", col.GetUint64(row));
        break;
      case ColumnType::kDouble:
        out += fmt::format("{}", col.GetDouble(row));
        break;
      case ColumnType::kString: {
        out += '"';
        for (char ch : col.GetString(row)) {
          if (ch >= 0x20 && ch < 0x7f) {
            out += ch;
          } else {
            out += fmt::format("\\x{:02x}", static_cast<uint8_t>(ch));
          }
        }
        out += '"';
        break;
      }
    }
  }
  return out + ")";
}

std::vector<std::string> KeyStringsAroundThePrefix() {
  const std::string base(30, 'x');
  return {"",
          "a",
          std::string("a\0", 2),
          std::string("a\0\xff", 3),
          std::string(22, 'y'),
          std::string(21, 'y') + std::string(1, '\0'),
          base,
          base + "a",
          base + "b",
          base + std::string("\0", 1),
          base + std::string(10, 'z') + "1",
          base + std::string(10, 'z') + "2"};
}

}  // namespace mesa::testing
