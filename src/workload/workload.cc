// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// The out-of-line half of the workload generator (workload.h): schemas,
// scales, batch filling and the reference sort-and-aggregate.

#include "src/workload/workload.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <numeric>
#include <utility>

#include "fmt/format.h"

namespace mesa::workload {
namespace {

Schema MustCreate(std::vector<ColumnSpec> keys, std::vector<ColumnSpec> values) {
  absl::StatusOr<Schema> schema = Schema::Create(std::move(keys),
                                                 std::move(values));
  if (!schema.ok()) {
    // A fixed schema that does not validate is a bug in this file.
    std::fprintf(stderr, "workload schema is invalid: %s\n",
                 schema.status().ToString().c_str());
    std::abort();
  }
  return *std::move(schema);
}

}  // namespace

// ------------------------------------------------------------ scales

absl::StatusOr<Scale> ParseScale(std::string_view name) {
  if (name == "small") return Scale::kSmall;
  if (name == "default") return Scale::kDefault;
  if (name == "large") return Scale::kLarge;
  return absl::InvalidArgumentError(fmt::format(
      "unknown scale '{}': expected small, default or large", name));
}

std::string_view ScaleName(Scale scale) {
  switch (scale) {
    case Scale::kSmall:
      return "small";
    case Scale::kDefault:
      return "default";
    case Scale::kLarge:
      return "large";
  }
  return "unknown";
}

BatchPlan AdsPlan(Scale scale) {
  switch (scale) {
    case Scale::kSmall:
      return {10, 10000};
    case Scale::kDefault:
      return {100, 100000};
    case Scale::kLarge:
      return {1000, 100000};
  }
  return {};
}

absl::StatusOr<BatchPlan> ReadsPlan(Scale scale) {
  switch (scale) {
    case Scale::kSmall:
      return BatchPlan{10, 20000};
    case Scale::kDefault:
      return BatchPlan{100, 200000};
    case Scale::kLarge:
      break;
  }
  return absl::InvalidArgumentError(fmt::format(
      "workload already_read has no scale '{}': use small or default",
      ScaleName(scale)));
}

// ------------------------------------------------------------ ads

const Schema& AdsSchema() {
  static const Schema* schema = new Schema(MustCreate(
      {{"advertiser_id", ColumnType::kInt64},
       {"date", ColumnType::kInt32},
       {"publisher_id", ColumnType::kInt64},
       {"country", ColumnType::kString}},
      {{"impressions", ColumnType::kInt64, Aggregation::kSum},
       {"clicks", ColumnType::kInt64, Aggregation::kSum},
       {"cost_micros", ColumnType::kInt64, Aggregation::kSum}}));
  return *schema;
}

const Schema& AdsByAdvertiserCountrySchema() {
  static const Schema* schema = new Schema(MustCreate(
      {{"advertiser_id", ColumnType::kInt64},
       {"country", ColumnType::kString}},
      {{"clicks", ColumnType::kInt64, Aggregation::kSum},
       {"cost_micros", ColumnType::kInt64, Aggregation::kSum}}));
  return *schema;
}

void AppendAdsKey(const AdsFact& fact, RowBatch* batch) {
  batch->column(kAdsAdvertiserId).AppendInt64(fact.advertiser_id);
  batch->column(kAdsDate).AppendInt32(fact.date);
  batch->column(kAdsPublisherId).AppendInt64(fact.publisher_id);
  batch->column(kAdsCountry).AppendString(fact.country);
}

void AppendAdsFact(const AdsFact& fact, RowBatch* batch) {
  AppendAdsKey(fact, batch);
  batch->column(kAdsImpressions).AppendInt64(fact.impressions);
  batch->column(kAdsClicks).AppendInt64(fact.clicks);
  batch->column(kAdsCostMicros).AppendInt64(fact.cost_micros);
}

void FillAdsBatch(uint64_t begin, uint64_t end, RowBatch* batch) {
  batch->Clear();
  const size_t n = end > begin ? static_cast<size_t>(end - begin) : 0;
  for (size_t c = 0; c < batch->num_columns(); ++c) {
    batch->column(c).Reserve(n);
  }
  batch->column(kAdsCountry).bytes().reserve(2 * n);
  AdsFactGenerator gen(begin);
  for (size_t i = 0; i < n; ++i) AppendAdsFact(gen.Next(), batch);
}

RowBatch AdsBatch(uint64_t begin, uint64_t end) {
  RowBatch batch(AdsSchema());
  FillAdsBatch(begin, end, &batch);
  return batch;
}

std::vector<uint64_t> Q4FactIndexes(uint64_t num_facts) {
  std::vector<uint64_t> out(kQ4Lookups);
  for (uint64_t k = 0; k < kQ4Lookups; ++k) {
    out[k] = Q4FactIndex(k, num_facts);
  }
  return out;
}

// ------------------------------------------------------------ already_read

const Schema& ReadsSchema() {
  static const Schema* schema = new Schema(
      MustCreate({{"user_id", ColumnType::kInt64},
                  {"doc_id", ColumnType::kInt64}},
                 {{"read_at", ColumnType::kInt64, Aggregation::kMax}}));
  return *schema;
}

void AppendReadsFact(const AlreadyReadFact& fact, RowBatch* batch) {
  batch->column(kReadsUserId).AppendInt64(fact.user_id);
  batch->column(kReadsDocId).AppendInt64(fact.doc_id);
  batch->column(kReadsReadAt).AppendInt64(fact.read_at);
}

void FillReadsBatch(uint64_t begin, uint64_t end, RowBatch* batch) {
  batch->Clear();
  const size_t n = end > begin ? static_cast<size_t>(end - begin) : 0;
  for (size_t c = 0; c < batch->num_columns(); ++c) {
    batch->column(c).Reserve(n);
  }
  AlreadyReadFactGenerator gen(begin);
  for (size_t i = 0; i < n; ++i) AppendReadsFact(gen.Next(), batch);
}

RowBatch ReadsBatch(uint64_t begin, uint64_t end) {
  RowBatch batch(ReadsSchema());
  FillReadsBatch(begin, end, &batch);
  return batch;
}

// ------------------------------------------------------------ aggregation
//
// Two ways to order the rows, with the same result:
//  - the fast path packs each row's key into at most 8 big-endian words
//    whose lexicographic order is the CompareValues order of the keys, and
//    sorts (words, row) records in place: one cache line per row instead of
//    a random access per key column per comparison. Numbers take their
//    ordered form (4 bytes for int32, 8 otherwise); a string column whose
//    values are all at most 255 bytes takes max-length bytes zero-padded,
//    then a length byte, which orders exactly as comparing the bytes would
//    (a proper prefix sorts first through its smaller length).
//  - the general path sorts row numbers with CompareValues, column by
//    column, when the packed key would not fit.
// Both break ties by row number, so equal keys keep their input order.

namespace {

constexpr size_t kMaxKeyWords = 8;
constexpr size_t kMaxPackedString = 255;

// Combines the rows rows[0, count) (equal keys, ascending input order) of a
// value column into one value appended to `dst`.
template <typename Index>
void AggregateGroup(const ColumnSpec& spec, const ColumnVector& src,
                    const Index* rows, size_t count, ColumnVector* dst) {
  switch (spec.aggregation) {
    case Aggregation::kSum: {
      if (spec.type == ColumnType::kDouble) {
        double sum = 0;
        for (size_t k = 0; k < count; ++k) sum += src.GetDouble(rows[k]);
        dst->AppendDouble(sum);
        return;
      }
      uint64_t sum = 0;
      for (size_t k = 0; k < count; ++k) sum += src.GetWord(rows[k]);
      if (spec.type == ColumnType::kInt32) {
        dst->AppendInt32(static_cast<int32_t>(static_cast<uint32_t>(sum)));
      } else {
        dst->AppendWord(sum);
      }
      return;
    }
    case Aggregation::kMin:
    case Aggregation::kMax: {
      const bool want_min = spec.aggregation == Aggregation::kMin;
      size_t best = rows[0];
      for (size_t k = 1; k < count; ++k) {
        int cmp = CompareValues(src, rows[k], src, best);
        if (want_min ? cmp < 0 : cmp > 0) best = rows[k];
      }
      dst->AppendFrom(src, best);
      return;
    }
    case Aggregation::kReplace:
    case Aggregation::kNone:
      // The last of the equal rows in input order (kNone cannot occur on a
      // value column of a valid schema).
      dst->AppendFrom(src, rows[count - 1]);
      return;
  }
}

// The sorted row numbers, and where each group of equal keys starts (plus
// a final entry equal to the number of rows).
template <typename Index>
struct Ordering {
  std::vector<Index> order;
  std::vector<Index> group_starts;
};

// The width in bytes of each key column in the packed key, or 0 if the keys
// cannot be packed (a string longer than kMaxPackedString, or more than
// kMaxKeyWords words in all).
size_t PackedKeyBytes(const RowBatch& in, size_t num_keys,
                      std::vector<size_t>* widths) {
  size_t total = 0;
  for (size_t c = 0; c < num_keys; ++c) {
    const ColumnVector& col = in.column(c);
    size_t width = 8;
    if (col.type() == ColumnType::kInt32) {
      width = 4;
    } else if (col.is_string()) {
      size_t max_len = 0;
      for (size_t r = 0; r < col.size(); ++r) {
        max_len = std::max(max_len, col.ValueSize(r));
      }
      if (max_len > kMaxPackedString) return 0;
      width = max_len + 1;
    }
    widths->push_back(width);
    total += width;
  }
  return total <= kMaxKeyWords * 8 ? total : 0;
}

// Writes the packed key of row `r` into `buf`, which holds `widths`' sum
// of zeroed bytes.
void PackKey(const RowBatch& in, const std::vector<size_t>& widths, size_t r,
             unsigned char* buf) {
  for (size_t c = 0; c < widths.size(); ++c) {
    const ColumnVector& col = in.column(c);
    const size_t width = widths[c];
    uint64_t ordered = 0;
    switch (col.type()) {
      case ColumnType::kInt32:
        ordered = static_cast<uint32_t>(col.GetInt32(r)) ^ 0x80000000u;
        break;
      case ColumnType::kInt64:
        ordered = col.GetWord(r) ^ (uint64_t{1} << 63);
        break;
      case ColumnType::kUint64:
        ordered = col.GetWord(r);
        break;
      case ColumnType::kDouble: {
        // The total order CompareValues uses: -NaN < -inf < ... < -0.0 <
        // +0.0 < ... < +inf < NaN.
        uint64_t bits = col.GetWord(r);
        ordered = (bits >> 63) ? ~bits : bits ^ (uint64_t{1} << 63);
        break;
      }
      case ColumnType::kString: {
        std::string_view s = col.GetString(r);
        // A loop, not memcpy: the strings are short. The rest stays zero.
        for (size_t b = 0; b < s.size(); ++b) {
          buf[b] = static_cast<unsigned char>(s[b]);
        }
        buf[width - 1] = static_cast<unsigned char>(s.size());
        buf += width;
        continue;
      }
    }
    for (size_t b = 0; b < width; ++b) {
      buf[b] = static_cast<unsigned char>(ordered >> (8 * (width - 1 - b)));
    }
    buf += width;
  }
}

template <size_t K, typename Index>
void OrderPacked(const RowBatch& in, const std::vector<size_t>& widths,
                 Ordering<Index>* out) {
  struct Record {
    uint64_t words[K];
    Index row;
  };
  const size_t n = in.num_rows();
  std::vector<Record> records(n);
  unsigned char buf[K * 8];
  for (size_t r = 0; r < n; ++r) {
    std::memset(buf, 0, sizeof(buf));
    PackKey(in, widths, r, buf);
    for (size_t k = 0; k < K; ++k) {
      uint64_t w = 0;
      for (size_t b = 0; b < 8; ++b) w = (w << 8) | buf[8 * k + b];
      records[r].words[k] = w;
    }
    records[r].row = static_cast<Index>(r);
  }
  auto same_key = [](const Record& a, const Record& b) {
    for (size_t k = 0; k < K; ++k) {
      if (a.words[k] != b.words[k]) return false;
    }
    return true;
  };
  std::sort(records.begin(), records.end(),
            [](const Record& a, const Record& b) {
              for (size_t k = 0; k < K; ++k) {
                if (a.words[k] != b.words[k]) return a.words[k] < b.words[k];
              }
              return a.row < b.row;
            });
  out->order.resize(n);
  for (size_t i = 0; i < n; ++i) {
    out->order[i] = records[i].row;
    if (i == 0 || !same_key(records[i - 1], records[i])) {
      out->group_starts.push_back(static_cast<Index>(i));
    }
  }
  out->group_starts.push_back(static_cast<Index>(n));
}

template <typename Index>
void OrderByCompareValues(const RowBatch& in, size_t num_keys,
                          Ordering<Index>* out) {
  const size_t n = in.num_rows();
  auto compare_keys = [&](size_t a, size_t b) {
    for (size_t c = 0; c < num_keys; ++c) {
      const ColumnVector& col = in.column(c);
      int cmp = CompareValues(col, a, col, b);
      if (cmp != 0) return cmp;
    }
    return 0;
  };
  out->order.resize(n);
  std::iota(out->order.begin(), out->order.end(), Index{0});
  std::sort(out->order.begin(), out->order.end(), [&](Index a, Index b) {
    int cmp = compare_keys(a, b);
    return cmp != 0 ? cmp < 0 : a < b;
  });
  for (size_t i = 0; i < n; ++i) {
    if (i == 0 || compare_keys(out->order[i - 1], out->order[i]) != 0) {
      out->group_starts.push_back(static_cast<Index>(i));
    }
  }
  out->group_starts.push_back(static_cast<Index>(n));
}

template <typename Index>
void SortAndAggregateImpl(const Schema& schema, RowBatch* rows) {
  const RowBatch& in = *rows;
  const size_t num_keys = schema.num_keys();
  Ordering<Index> ordering;
  std::vector<size_t> widths;
  switch ((PackedKeyBytes(in, num_keys, &widths) + 7) / 8) {
    case 1: OrderPacked<1>(in, widths, &ordering); break;
    case 2: OrderPacked<2>(in, widths, &ordering); break;
    case 3: OrderPacked<3>(in, widths, &ordering); break;
    case 4: OrderPacked<4>(in, widths, &ordering); break;
    case 5: OrderPacked<5>(in, widths, &ordering); break;
    case 6: OrderPacked<6>(in, widths, &ordering); break;
    case 7: OrderPacked<7>(in, widths, &ordering); break;
    case 8: OrderPacked<8>(in, widths, &ordering); break;
    default: OrderByCompareValues(in, num_keys, &ordering); break;
  }
  static_assert(kMaxKeyWords == 8, "add cases above");

  RowBatch out(schema);
  const size_t groups = ordering.group_starts.size() - 1;
  for (size_t c = 0; c < out.num_columns(); ++c) out.column(c).Reserve(groups);
  for (size_t g = 0; g < groups; ++g) {
    const Index* group = ordering.order.data() + ordering.group_starts[g];
    const size_t count = ordering.group_starts[g + 1] - ordering.group_starts[g];
    for (size_t c = 0; c < num_keys; ++c) {
      out.column(c).AppendFrom(in.column(c), group[0]);
    }
    for (size_t c = num_keys; c < schema.num_columns(); ++c) {
      AggregateGroup(schema.column(c), in.column(c), group, count,
                     &out.column(c));
    }
  }
  *rows = std::move(out);
}

}  // namespace

void SortAndAggregate(const Schema& schema, RowBatch* rows) {
  if (rows->num_rows() < std::numeric_limits<uint32_t>::max()) {
    SortAndAggregateImpl<uint32_t>(schema, rows);
  } else {
    SortAndAggregateImpl<uint64_t>(schema, rows);
  }
}

}  // namespace mesa::workload
