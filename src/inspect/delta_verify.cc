// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// mesa-inspect verify FILE [--json]: checks everything a delta file
// promises (docs/format.md, "Delta file"), far more than a read does:
//
//  - open: footer (magic, checksum, version, section placement), meta and
//    index checksums and shape, Bloom section checksum (DeltaReader::Open);
//  - every block's checksum and header, and every column of every block
//    decoded;
//  - keys strictly increasing within and across blocks; each block's short
//    key is its first key cut to short_key_length;
//  - each index zone map contains its block's values, the file zone maps
//    contain every value of the file;
//  - row counts (blocks vs index vs meta); min_key and max_key are the
//    first and last rows' keys; every key is in the Bloom filter.
//
// Every problem found is listed (the first kMaxListed of them); a block
// that does not decode is skipped by the checks that need its rows.

#include <algorithm>

#include "fmt/format.h"
#include "src/format/data_block.h"
#include "src/format/delta_layout.h"
#include "src/format/key_coding.h"
#include "src/inspect/inspect_command.h"
#include "src/inspect/json_writer.h"
#include "src/inspect/value_format.h"
#include "src/util/status_macros.h"

namespace mesa::internal {
namespace {

constexpr size_t kMaxListed = 100;
// Key-order and Bloom problems are per row; a broken block reports a few.
constexpr size_t kMaxRowProblemsPerBlock = 3;

class Verifier {
 public:
  explicit Verifier(const DeltaReader& r)
      : r_(r), schema_(r.schema()), file_bounds_(r.schema()) {}

  void Run() {
    for (size_t b = 0; b < r_.num_blocks(); ++b) CheckBlock(b);
    FinalChecks();
  }

  const std::vector<std::string>& problems() const { return problems_; }
  size_t problem_count() const { return problem_count_; }
  uint64_t blocks_decoded() const { return blocks_decoded_; }
  uint64_t rows_checked() const { return rows_; }

 private:
  template <typename... Args>
  void Problem(fmt::format_string<Args...> format, Args&&... args) {
    if (problems_.size() < kMaxListed) {
      problems_.push_back(fmt::format(format, std::forward<Args>(args)...));
    }
    ++problem_count_;
  }

  std::string Key(std::string_view encoded) const {
    return FormatKey(encoded, schema_);
  }

  void CheckBlock(size_t b) {
    const IndexEntry& e = r_.index()[b];
    absl::StatusOr<ParsedBlock> parsed = r_.ParseRawBlock(b, &storage_);
    if (!parsed.ok()) {
      Problem("block {}: {}", b, StatusMessage(parsed.status()));
      prev_key_valid_ = false;
      return;
    }
    RowBatch rows(schema_);
    bool decoded = true;
    for (size_t c = 0; c < schema_.num_columns(); ++c) {
      absl::Status s = DecodeChunk(parsed->chunks[c], parsed->row_count,
                                   &scratch_, &rows.column(c));
      if (!s.ok()) {
        Problem("block {} column '{}': {}", b, schema_.column(c).name,
                StatusMessage(s));
        decoded = false;
      }
    }
    if (!decoded) {
      prev_key_valid_ = false;
      return;
    }
    ++blocks_decoded_;
    const size_t n = rows.num_rows();
    if (n != e.row_count) {
      Problem("block {}: decodes to {} rows, the index says {}", b, n,
              e.row_count);
    }
    rows_ += n;
    CheckKeys(b, rows);
    CheckZoneMaps(b, rows);
  }

  void CheckKeys(size_t b, const RowBatch& rows) {
    const size_t n = rows.num_rows();
    const DeltaMetaSection& m = r_.meta();
    size_t order_problems = 0, bloom_problems = 0, range_problems = 0;
    std::string key;
    for (size_t i = 0; i < n; ++i) {
      key.clear();
      AppendEncodedKey(rows, i, schema_.num_keys(), &key);
      if (i == 0) {
        const std::string_view cut =
            std::string_view(key).substr(0, m.short_key_length);
        if (r_.index()[b].short_key != cut) {
          Problem("block {}: short key {} is not its first key {} cut to {} "
                  "bytes",
                  b, Hex(r_.index()[b].short_key), Hex(key),
                  m.short_key_length);
        }
        if (b == 0 && key != m.min_key) {
          Problem("meta: min key {} is not the first row's key {}",
                  Key(m.min_key), Key(key));
        }
      }
      if (i + 1 == n && b + 1 == r_.num_blocks() && key != m.max_key) {
        Problem("meta: max key {} is not the last row's key {}",
                Key(m.max_key), Key(key));
      }
      if (prev_key_valid_ && key <= prev_key_ &&
          order_problems++ < kMaxRowProblemsPerBlock) {
        Problem("block {} row {}: key {} is not greater than the previous "
                "key {}",
                b, i, Key(key), Key(prev_key_));
      }
      const bool in_range = key >= m.min_key && key <= m.max_key;
      if (!in_range && range_problems++ < kMaxRowProblemsPerBlock) {
        Problem("block {} row {}: key {} lies outside the file's [min key, "
                "max key]",
                b, i, Key(key));
      }
      if (in_range && r_.has_bloom_filter() && !r_.KeyMayMatch(key) &&
          bloom_problems++ < kMaxRowProblemsPerBlock) {
        Problem("block {} row {}: key {} is missing from the Bloom filter",
                b, i, Key(key));
      }
      prev_key_.swap(key);
      prev_key_valid_ = true;
    }
  }

  // The rows of `column` holding its smallest and largest values.
  static std::pair<size_t, size_t> MinMaxRows(const ColumnVector& column) {
    size_t lo = 0, hi = 0;
    for (size_t i = 1; i < column.size(); ++i) {
      if (CompareValues(column, i, column, lo) < 0) lo = i;
      if (CompareValues(column, i, column, hi) > 0) hi = i;
    }
    return {lo, hi};
  }

  // Problems if `zone` does not contain rows `lo` and `hi` of `column`.
  void CheckContains(std::string_view where, size_t c, const ZoneMap& zone,
                     const ColumnVector& column, size_t lo, size_t hi) {
    const std::string& name = schema_.column(c).name;
    if (CompareValues(zone.bounds(), 0, column, lo) > 0) {
      Problem("{} zone map of column '{}': min {} is above the data's min {}",
              where, name, FormatZoneMin(zone), FormatValue(column, lo));
    }
    if (zone.has_max() && CompareValues(zone.bounds(), 1, column, hi) < 0) {
      Problem("{} zone map of column '{}': max {} is below the data's max {}",
              where, name, FormatZoneMax(zone), FormatValue(column, hi));
    }
  }

  void CheckZoneMaps(size_t b, const RowBatch& rows) {
    if (rows.num_rows() == 0) return;
    const std::string where = fmt::format("block {}", b);
    for (size_t c = 0; c < schema_.num_columns(); ++c) {
      const ColumnVector& column = rows.column(c);
      auto [lo, hi] = MinMaxRows(column);
      CheckContains(where, c, r_.index()[b].zone_maps[c], column, lo, hi);
      // Keep the file's running min and max: row 0 min, row 1 max.
      ColumnVector& fb = file_bounds_.column(c);
      if (fb.empty()) {
        fb.AppendFrom(column, lo);
        fb.AppendFrom(column, hi);
        continue;
      }
      ColumnVector merged(column.type());
      merged.AppendFrom(CompareValues(column, lo, fb, 0) < 0 ? column : fb,
                        CompareValues(column, lo, fb, 0) < 0 ? lo : 0);
      merged.AppendFrom(CompareValues(column, hi, fb, 1) > 0 ? column : fb,
                        CompareValues(column, hi, fb, 1) > 0 ? hi : 1);
      fb = std::move(merged);
    }
  }

  void FinalChecks() {
    const DeltaMetaSection& m = r_.meta();
    for (size_t c = 0; c < schema_.num_columns(); ++c) {
      const ColumnVector& fb = file_bounds_.column(c);
      if (!fb.empty()) CheckContains("file", c, m.zone_maps[c], fb, 0, 1);
    }
    if (blocks_decoded_ == r_.num_blocks() && rows_ != m.row_count) {
      Problem("meta: {} rows, the blocks hold {}", m.row_count, rows_);
    }
    if (r_.num_blocks() != m.block_count) {
      Problem("meta: {} blocks, the index has {}", m.block_count,
              r_.num_blocks());
    }
  }

  const DeltaReader& r_;
  const Schema& schema_;
  RowBatch file_bounds_;
  std::string storage_, scratch_;
  std::string prev_key_;
  bool prev_key_valid_ = false;
  std::vector<std::string> problems_;
  size_t problem_count_ = 0;
  uint64_t blocks_decoded_ = 0;
  uint64_t rows_ = 0;
};

void Report(const Invocation& inv, const DeltaReader* reader,
            const std::vector<std::string>& problems, size_t problem_count,
            uint64_t blocks, uint64_t rows) {
  const bool ok = problem_count == 0;
  if (inv.json) {
    JsonWriter json(*inv.out);
    json.BeginObject();
    json.Field("file", inv.path);
    json.Field("ok", ok);
    json.Field("opened", reader != nullptr);
    if (reader != nullptr) {
      json.Field("blocks", uint64_t{reader->num_blocks()});
      json.Field("blocks_decoded", blocks);
      json.Field("rows_checked", rows);
      json.Field("bloom_filter", reader->has_bloom_filter());
    }
    json.Field("problem_count", uint64_t{problem_count});
    json.Key("problems");
    json.BeginArray();
    for (const std::string& p : problems) json.String(p);
    json.EndArray();
    json.EndObject();
    return;
  }
  std::ostream& os = *inv.out;
  if (ok) {
    os << fmt::format(
        "{}: OK\n  {} blocks, {} rows: checksums, decoding, key order, "
        "short keys, zone maps, row counts, min/max key{}\n",
        inv.path, blocks, rows,
        reader->has_bloom_filter() ? ", Bloom filter" : "");
    return;
  }
  os << fmt::format("{}: FAILED, {} problem{}\n", inv.path, problem_count,
                    problem_count == 1 ? "" : "s");
  for (const std::string& p : problems) os << "  " << p << "\n";
  if (problem_count > problems.size()) {
    os << fmt::format("  ... and {} more\n", problem_count - problems.size());
  }
}

}  // namespace

int VerifyDelta(const Invocation& inv) {
  auto reader = DeltaReader::Open(inv.fs, inv.path);
  if (!reader.ok()) {
    Report(inv, nullptr,
           {fmt::format("cannot open: {}", reader.status().ToString())}, 1,
           0, 0);
    return kExitFailed;
  }
  Verifier v(**reader);
  v.Run();
  Report(inv, reader->get(), v.problems(), v.problem_count(),
         v.blocks_decoded(), v.rows_checked());
  return v.problem_count() == 0 ? kExitOk : kExitFailed;
}

}  // namespace mesa::internal
