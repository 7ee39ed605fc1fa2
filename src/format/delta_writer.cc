// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.

#include "src/format/delta_writer.h"

#include <algorithm>
#include <functional>
#include <string_view>
#include <vector>

#include "fmt/format.h"
#include "src/bloom/split_block.h"
#include "src/format/data_block.h"
#include "src/format/delta_layout.h"
#include "src/format/key_coding.h"
#include "src/format/zone_map.h"
#include "src/util/hash.h"
#include "src/util/status_macros.h"

namespace mesa::internal {
namespace {

// The hash seed of the per-file key filter; stored in the file, so it may
// change without a format change.
constexpr uint64_t kKeyFilterSeed = 0x6b65792d626c6f6full;  // "key-bloo"

// Compares rows r and r - 1 of `col` for every r in `rows` (each >= 1):
// a row whose value is smaller lowers *bad to it, a row whose value is
// equal goes to `equal` (the next key column decides). Column at a time,
// a loop per type: the order check costs a few loads per row, not a
// CompareValues call per key column.
template <typename Less, typename Value>
void CompareWithPrevious(const std::vector<uint32_t>& rows, Less less,
                         Value value, size_t* bad,
                         std::vector<uint32_t>* equal) {
  equal->clear();
  for (uint32_t r : rows) {
    const auto a = value(r), b = value(r - 1);
    if (less(a, b)) {
      *bad = std::min<size_t>(*bad, r);
    } else if (!less(b, a)) {
      equal->push_back(r);
    }
  }
}

// The first row r in (begin, end) of `rows` whose key is not greater than
// row r - 1's, or `end`; *equal says whether its key is equal.
size_t FirstOutOfOrder(const RowBatch& rows, size_t begin, size_t end,
                       size_t keys, bool* equal) {
  *equal = false;
  if (end - begin < 2) return end;
  thread_local std::vector<uint32_t> pending, next;
  pending.resize(end - begin - 1);
  for (size_t r = begin + 1; r < end; ++r) {
    pending[r - begin - 1] = static_cast<uint32_t>(r);
  }
  size_t bad = end;
  for (size_t c = 0; c < keys && !pending.empty(); ++c) {
    const ColumnVector& col = rows.column(c);
    const uint64_t* w = col.words().data();
    switch (col.type()) {
      case ColumnType::kInt32:
      case ColumnType::kInt64:
        CompareWithPrevious(
            pending, std::less<int64_t>(),
            [w](size_t r) { return static_cast<int64_t>(w[r]); }, &bad, &next);
        break;
      case ColumnType::kUint64:
        CompareWithPrevious(
            pending, std::less<uint64_t>(), [w](size_t r) { return w[r]; },
            &bad, &next);
        break;
      case ColumnType::kDouble:
        CompareWithPrevious(
            pending, std::less<uint64_t>(),
            [w](size_t r) { return DoubleOrderedBits(w[r]); }, &bad, &next);
        break;
      case ColumnType::kString:
        CompareWithPrevious(
            pending, std::less<std::string_view>(),
            [&col](size_t r) { return col.GetString(r); }, &bad, &next);
        break;
    }
    pending.swap(next);
  }
  // Rows left pending have keys equal to their predecessor's.
  if (!pending.empty() && pending.front() < bad) {
    *equal = true;
    return pending.front();
  }
  return bad;
}

class DeltaWriterImpl final : public DeltaWriter {
 public:
  explicit DeltaWriterImpl(Params params, std::unique_ptr<WritableFile> file)
      : p_(std::move(params)),
        tmp_path_(p_.path + ".tmp"),
        file_(std::move(file)),
        block_(p_.schema),
        last_key_(KeyTypes(p_.schema)) {
    for (const ColumnSpec& c : p_.schema.columns()) {
      if (c.type != ColumnType::kString) fixed_row_bytes_ += 8;
    }
    file_zones_.reserve(p_.schema.num_columns());
    for (const ColumnSpec& c : p_.schema.columns()) {
      file_zones_.emplace_back(c.type);
    }
    if (p_.options.bloom_bits_per_key > 0 && p_.expected_rows > 0) {
      SizeFilter(p_.expected_rows);
    }
  }

  ~DeltaWriterImpl() override {
    if (!finished_) {
      (void)file_->Close();
      (void)p_.fs->DeleteFile(tmp_path_);
    }
  }

  absl::Status Add(const RowBatch& rows, size_t begin, size_t end) override {
    MESA_RETURN_IF_ERROR(status_);
    if (finished_) return absl::FailedPreconditionError("Add after Finish");
    if (end > rows.num_rows() || begin > end) {
      return absl::InvalidArgumentError(
          fmt::format("row range [{},{}) outside a batch of {} rows", begin,
                      end, rows.num_rows()));
    }
    MESA_RETURN_IF_ERROR(CheckBatchShape(rows));
    const size_t keys = p_.schema.num_keys();
    // Strictly increasing keys: each row against the previous one. Nothing
    // is added when a row is out of order (the writer is then unusable).
    auto out_of_order = [&](size_t r, bool equal) {
      status_ = absl::InvalidArgumentError(fmt::format(
          "{}: row {} of the batch has a key {} the previous row's; rows "
          "must be added in strictly increasing key order",
          p_.path, r, equal ? "equal to" : "smaller than"));
      return status_;
    };
    if (end > begin && rows_added_ > 0) {
      const int c = CompareKeys(rows, begin, last_key_, 0, keys);
      if (c <= 0) return out_of_order(begin, c == 0);
    }
    bool equal;
    if (const size_t r = FirstOutOfOrder(rows, begin, end, keys, &equal);
        r != end) {
      return out_of_order(r, equal);
    }
    if (end > begin && rows_added_ == 0) {
      AppendEncodedKey(rows, begin, keys, &min_key_);
    }
    if (p_.options.bloom_bits_per_key > 0) {
      for (size_t r = begin; r < end; ++r) {
        key_scratch_.clear();
        AppendEncodedKey(rows, r, keys, &key_scratch_);
        uint64_t h = Hash64(key_scratch_, kKeyFilterSeed);
        if (filter_blocks_ > 0) {
          InsertHash(h);
        } else {
          key_hashes_.push_back(h);
        }
      }
    }
    // Rows go into the block a run at a time: a block ends after the row
    // that brings its raw size to block_size (or its rows to
    // kMaxBlockRows).
    std::vector<const ColumnVector*> strings;
    for (size_t c = 0; c < rows.num_columns(); ++c) {
      if (rows.column(c).is_string()) strings.push_back(&rows.column(c));
    }
    const size_t block_size = p_.options.block_size;
    size_t r = begin;
    while (r < end) {
      size_t take = r;
      size_t bytes = block_raw_bytes_;
      const size_t room = static_cast<size_t>(kMaxBlockRows - block_.num_rows());
      const size_t limit = std::min(end, r + room);
      if (strings.empty()) {
        // ceil((block_size - bytes) / fixed_row_bytes_), at least one row.
        const size_t need =
            bytes >= block_size || fixed_row_bytes_ == 0
                ? 1
                : (block_size - bytes + fixed_row_bytes_ - 1) / fixed_row_bytes_;
        take = std::min(limit, r + std::max<size_t>(need, 1));
        bytes += (take - r) * fixed_row_bytes_;
      } else {
        while (take < limit && (take == r || bytes < block_size)) {
          bytes += fixed_row_bytes_;
          for (const ColumnVector* col : strings) bytes += col->ValueSize(take) + 4;
          ++take;
        }
      }
      block_.AppendRows(rows, r, take);
      rows_added_ += take - r;
      block_raw_bytes_ = bytes;
      r = take;
      if (block_raw_bytes_ >= block_size || block_.num_rows() >= kMaxBlockRows) {
        status_ = FlushBlock();
        MESA_RETURN_IF_ERROR(status_);
      }
    }
    if (end > begin) {
      last_key_.Clear();
      for (size_t c = 0; c < keys; ++c) {
        last_key_.column(c).AppendFrom(rows.column(c), end - 1);
      }
    }
    return absl::OkStatus();
  }

  absl::StatusOr<DeltaFileSummary> Finish() override {
    MESA_RETURN_IF_ERROR(status_);
    if (finished_) return absl::FailedPreconditionError("Finish called twice");
    if (rows_added_ == 0) {
      return absl::FailedPreconditionError(
          fmt::format("{}: no rows added; an empty delta is never written",
                      p_.path));
    }
    status_ = FinishImpl();
    MESA_RETURN_IF_ERROR(status_);
    finished_ = true;
    DeltaFileSummary summary;
    summary.file_size = offset_;
    summary.row_count = rows_added_;
    summary.block_count = index_.size();
    summary.min_key = min_key_;
    summary.max_key = max_key_;
    return summary;
  }

  uint64_t rows_added() const override { return rows_added_; }

 private:
  static std::vector<ColumnType> KeyTypes(const Schema& schema) {
    std::vector<ColumnType> types;
    for (size_t c = 0; c < schema.num_keys(); ++c) {
      types.push_back(schema.column(c).type);
    }
    return types;
  }

  static int CompareKeys(const RowBatch& a, size_t i, const RowBatch& b,
                         size_t j, size_t keys) {
    for (size_t c = 0; c < keys; ++c) {
      int r = CompareValues(a.column(c), i, b.column(c), j);
      if (r != 0) return r;
    }
    return 0;
  }

  absl::Status CheckBatchShape(const RowBatch& rows) const {
    if (rows.num_columns() != p_.schema.num_columns()) {
      return absl::InvalidArgumentError(fmt::format(
          "{}: batch has {} columns, the schema {} has {}", p_.path,
          rows.num_columns(), p_.schema.DebugString(),
          p_.schema.num_columns()));
    }
    for (size_t c = 0; c < rows.num_columns(); ++c) {
      if (rows.column(c).type() != p_.schema.column(c).type) {
        return absl::InvalidArgumentError(fmt::format(
            "{}: batch column {} is {}, schema column '{}' is {}", p_.path, c,
            ColumnTypeName(rows.column(c).type()), p_.schema.column(c).name,
            ColumnTypeName(p_.schema.column(c).type)));
      }
      if (rows.column(c).size() != rows.num_rows()) {
        return absl::InvalidArgumentError(fmt::format(
            "{}: batch column '{}' has {} values, column 0 has {}", p_.path,
            p_.schema.column(c).name, rows.column(c).size(), rows.num_rows()));
      }
    }
    return absl::OkStatus();
  }

  void SizeFilter(uint64_t rows) {
    uint64_t bits = rows * static_cast<uint64_t>(p_.options.bloom_bits_per_key);
    uint64_t blocks = (bits + 255) / 256;
    filter_blocks_ = static_cast<uint32_t>(
        std::clamp<uint64_t>(blocks, 1, uint64_t{1} << 26));
    filter_.assign(size_t{filter_blocks_} * 8, 0);
  }

  void InsertHash(uint64_t h) {
    SplitBlockInsert(&filter_[size_t{SplitBlockIndex(h, filter_blocks_)} * 8],
                     h);
  }

  absl::Status FlushBlock() {
    if (block_.num_rows() == 0) return absl::OkStatus();
    IndexEntry entry;
    entry.offset = offset_;
    entry.row_count = block_.num_rows();
    std::string first_key;
    AppendEncodedKey(block_, 0, p_.schema.num_keys(), &first_key);
    entry.short_key = first_key.substr(0, p_.options.short_key_length);
    max_key_.clear();
    AppendEncodedKey(block_, block_.num_rows() - 1, p_.schema.num_keys(),
                     &max_key_);
    // One statistics pass per column feeds both the encoder's choice and,
    // for integers, the zone map (its least and greatest ordered values).
    sketches_.resize(block_.num_columns());
    entry.zone_maps.reserve(block_.num_columns());
    for (size_t c = 0; c < block_.num_columns(); ++c) {
      const ColumnVector& column = block_.column(c);
      sketches_[c] = SketchColumn(column);
      const ColumnType type = column.type();
      if (type == ColumnType::kString || type == ColumnType::kDouble) {
        entry.zone_maps.push_back(ZoneMap::Of(column, 0, block_.num_rows()));
      } else {
        entry.zone_maps.push_back(ZoneMap::OfOrderedInts(
            type, sketches_[c].stats.min, sketches_[c].stats.max));
      }
      file_zones_[c].Merge(entry.zone_maps.back());
    }
    block_bytes_.clear();
    EncodeBlock(block_, p_.options.codec, p_.options.zstd_level,
                &block_bytes_, &choices_, &sketches_);
    entry.size = block_bytes_.size();
    MESA_RETURN_IF_ERROR(file_->Append(block_bytes_));
    offset_ += block_bytes_.size();
    index_.push_back(std::move(entry));
    block_.Clear();
    block_raw_bytes_ = 0;
    return absl::OkStatus();
  }

  absl::Status FinishImpl() {
    MESA_RETURN_IF_ERROR(FlushBlock());
    std::string tail;
    Footer footer;
    if (p_.options.bloom_bits_per_key > 0) {
      if (filter_blocks_ == 0) {
        SizeFilter(rows_added_);
        for (uint64_t h : key_hashes_) InsertHash(h);
        key_hashes_.clear();
        key_hashes_.shrink_to_fit();
      }
      footer.bloom.offset = offset_;
      PutFixed32(&tail, filter_blocks_);
      PutFixed64(&tail, kKeyFilterSeed);
      for (uint32_t w : filter_) PutFixed32(&tail, w);
      AppendChecksum(&tail, 0);
      footer.bloom.size = static_cast<uint32_t>(tail.size());
    }
    footer.index.offset = offset_ + tail.size();
    size_t index_begin = tail.size();
    EncodeIndex(index_, p_.schema, &tail);
    footer.index.size = static_cast<uint32_t>(tail.size() - index_begin);

    DeltaMetaSection meta;
    meta.schema = p_.schema;
    meta.min_version = p_.min_version;
    meta.max_version = p_.max_version;
    meta.row_count = rows_added_;
    meta.block_count = index_.size();
    meta.codec = p_.options.codec;
    meta.codec_level =
        p_.options.codec == Codec::kZstd ? p_.options.zstd_level : 0;
    meta.short_key_length = p_.options.short_key_length;
    meta.min_key = min_key_;
    meta.max_key = max_key_;
    meta.zone_maps = file_zones_;
    footer.meta.offset = offset_ + tail.size();
    size_t meta_begin = tail.size();
    meta.EncodeTo(&tail);
    footer.meta.size = static_cast<uint32_t>(tail.size() - meta_begin);
    footer.EncodeTo(&tail);

    MESA_RETURN_IF_ERROR(file_->Append(tail));
    offset_ += tail.size();
    MESA_RETURN_IF_ERROR(file_->Sync());
    MESA_RETURN_IF_ERROR(file_->Close());
    MESA_RETURN_IF_ERROR(p_.fs->RenameFile(tmp_path_, p_.path));
    size_t slash = p_.path.rfind('/');
    std::string dir = slash == std::string::npos ? "." : p_.path.substr(0, slash);
    return p_.fs->SyncDir(dir.empty() ? "/" : dir);
  }

  Params p_;
  std::string tmp_path_;
  std::unique_ptr<WritableFile> file_;
  absl::Status status_;
  bool finished_ = false;

  RowBatch block_;
  size_t block_raw_bytes_ = 0;
  size_t fixed_row_bytes_ = 0;
  std::string block_bytes_;
  BlockChoices choices_;
  std::vector<ColumnSketch> sketches_;  // of block_'s columns, by FlushBlock
  uint64_t offset_ = 0;
  uint64_t rows_added_ = 0;
  RowBatch last_key_;
  std::string key_scratch_;
  std::string min_key_, max_key_;
  std::vector<IndexEntry> index_;
  std::vector<ZoneMap> file_zones_;

  uint32_t filter_blocks_ = 0;
  std::vector<uint32_t> filter_;
  std::vector<uint64_t> key_hashes_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<DeltaWriter>> DeltaWriter::Create(
    Params params) {
  if (params.fs == nullptr) {
    return absl::InvalidArgumentError("DeltaWriter needs a FileSystem");
  }
  if (params.schema.num_columns() == 0) {
    return absl::InvalidArgumentError(
        fmt::format("{}: DeltaWriter needs a schema", params.path));
  }
  if (params.max_version < params.min_version) {
    return absl::InvalidArgumentError(
        fmt::format("{}: version range [{},{}] is inverted", params.path,
                    params.min_version, params.max_version));
  }
  MESA_RETURN_IF_ERROR(params.options.Validate());
  MESA_ASSIGN_OR_RETURN(auto file,
                        params.fs->NewWritableFile(params.path + ".tmp"));
  return std::unique_ptr<DeltaWriter>(
      new DeltaWriterImpl(std::move(params), std::move(file)));
}

}  // namespace mesa::internal
