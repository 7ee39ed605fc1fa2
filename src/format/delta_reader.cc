// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.

#include "src/format/delta_reader.h"

#include <algorithm>
#include <bit>
#include <cstring>

#include "fmt/format.h"
#include "src/bloom/split_block.h"
#include "src/format/delta_writer.h"
#include "src/format/key_coding.h"
#include "src/util/hash.h"
#include "src/util/status_macros.h"

namespace mesa::internal {

absl::StatusOr<std::shared_ptr<const DeltaReader>> DeltaReader::Open(
    FileSystem* fs, const std::string& path, BlockCache* cache) {
  std::shared_ptr<DeltaReader> reader(new DeltaReader());
  MESA_ASSIGN_OR_RETURN(reader->file_, fs->NewRandomAccessFile(path));
  MESA_RETURN_IF_ERROR(Annotate(reader->Load(), path));
  if (cache != nullptr) {
    reader->cache_ = cache;
    reader->cache_file_id_ = cache->NewFileId();
  }
  for (size_t c = 0; c < reader->meta_.schema.num_columns(); ++c) {
    reader->all_columns_.push_back(c);
  }
  return std::shared_ptr<const DeltaReader>(std::move(reader));
}

absl::StatusOr<std::string_view> DeltaReader::ReadBytes(
    uint64_t offset, uint64_t n, std::string* scratch) const {
  scratch->resize(n);
  MESA_ASSIGN_OR_RETURN(std::string_view got,
                        file_->Read(offset, n, scratch->data()));
  if (got.size() != n) {
    return absl::DataLossError(fmt::format(
        "short read: {} of {} bytes at offset {}", got.size(), n, offset));
  }
  return got;
}

absl::Status DeltaReader::Load() {
  const uint64_t size = file_->Size();
  std::string scratch;
  if (size < kFooterSize) {
    return absl::DataLossError(fmt::format(
        "file is {} bytes, shorter than the {}-byte footer", size,
        kFooterSize));
  }
  MESA_ASSIGN_OR_RETURN(std::string_view footer_bytes,
                        ReadBytes(size - kFooterSize, kFooterSize, &scratch));
  MESA_ASSIGN_OR_RETURN(footer_, Footer::Decode(footer_bytes, size));
  MESA_ASSIGN_OR_RETURN(
      std::string_view meta_bytes,
      ReadBytes(footer_.meta.offset, footer_.meta.size, &scratch));
  MESA_ASSIGN_OR_RETURN(meta_, DeltaMetaSection::Decode(meta_bytes));
  data_end_ = footer_.bloom.size > 0 ? footer_.bloom.offset
                                     : footer_.index.offset;
  MESA_ASSIGN_OR_RETURN(
      std::string_view index_bytes,
      ReadBytes(footer_.index.offset, footer_.index.size, &scratch));
  MESA_ASSIGN_OR_RETURN(index_, DecodeIndex(index_bytes, meta_, data_end_));
  index_heads_.reserve(index_.size());
  for (const IndexEntry& e : index_) {
    index_heads_.push_back(HeadOf(e.short_key));
    if (e.row_count > kMaxBlockRows) {
      return absl::DataLossError(fmt::format(
          "index: a block of {} rows exceeds the limit of {}", e.row_count,
          kMaxBlockRows));
    }
  }
  if (index_.front().short_key !=
      std::string_view(meta_.min_key).substr(0, meta_.short_key_length)) {
    return absl::DataLossError(
        "index: block 0's short key is not the file's min key");
  }
  if (footer_.bloom.size > 0) {
    MESA_ASSIGN_OR_RETURN(
        std::string_view bloom_bytes,
        ReadBytes(footer_.bloom.offset, footer_.bloom.size, &scratch));
    MESA_ASSIGN_OR_RETURN(std::string_view body,
                          VerifySection(bloom_bytes, "Bloom section"));
    Decoder in(body);
    if (!in.GetFixed32(&bloom_blocks_) || !in.GetFixed64(&bloom_seed_) ||
        bloom_blocks_ == 0 || in.remaining() != uint64_t{bloom_blocks_} * 32) {
      return absl::DataLossError(
          "Bloom section: block count does not match its size");
    }
    bloom_.resize(size_t{bloom_blocks_} * 8);
    std::memcpy(bloom_.data(), in.position(), in.remaining());
  }
  return absl::OkStatus();
}

bool DeltaReader::KeyMayMatch(std::string_view encoded_key) const {
  if (encoded_key < meta_.min_key || encoded_key > meta_.max_key) return false;
  if (bloom_blocks_ == 0) return true;
  uint64_t h = Hash64(encoded_key, bloom_seed_);
  return SplitBlockTest(&bloom_[size_t{SplitBlockIndex(h, bloom_blocks_)} * 8],
                        h);
}

DeltaReader::KeyHead DeltaReader::HeadOf(std::string_view key) {
  unsigned char buf[16] = {};
  std::memcpy(buf, key.data(), std::min<size_t>(key.size(), 16));
  KeyHead h;
  for (int i = 0; i < 8; ++i) h.hi = h.hi << 8 | buf[i];
  for (int i = 8; i < 16; ++i) h.lo = h.lo << 8 | buf[i];
  return h;
}

size_t DeltaReader::FindStartBlock(std::string_view encoded_target) const {
  std::string_view cut = encoded_target.substr(0, meta_.short_key_length);
  // Blocks whose heads are below the cut's have short keys below it, and
  // those whose heads are above, above it; only equal heads need the
  // strings.
  const KeyHead head = HeadOf(cut);
  auto [from, to] =
      std::equal_range(index_heads_.begin(), index_heads_.end(), head);
  const size_t lo = static_cast<size_t>(from - index_heads_.begin());
  const size_t hi = static_cast<size_t>(to - index_heads_.begin());
  auto it = std::partition_point(
      index_.begin() + lo, index_.begin() + hi,
      [&](const IndexEntry& e) { return std::string_view(e.short_key) < cut; });
  size_t first_not_below = static_cast<size_t>(it - index_.begin());
  return first_not_below == 0 ? 0 : first_not_below - 1;
}

absl::Status DeltaReader::BlockError(size_t b, const absl::Status& s) const {
  return Annotate(s, fmt::format("{}: block {} at offset {}", path(), b,
                                 index_[b].offset));
}

absl::StatusOr<ParsedBlock> DeltaReader::ParseRawBlock(
    size_t b, std::string* storage) const {
  if (b >= index_.size()) {
    return absl::OutOfRangeError(
        fmt::format("{}: no block {} (the file has {})", path(), b,
                    index_.size()));
  }
  const IndexEntry& e = index_[b];
  auto bytes = ReadBytes(e.offset, e.size, storage);
  if (!bytes.ok()) return BlockError(b, bytes.status());
  auto parsed = ParseBlock(*bytes, e.row_count, schema().num_columns());
  if (!parsed.ok()) return BlockError(b, parsed.status());
  return parsed;
}

namespace {

// Orders row `i` of `a` against row `j` of `b` (same type), as
// CompareValues, with the integer cases inline (a point read's binary
// search compares a few key columns per step).
inline int CompareCells(const ColumnVector& a, size_t i, const ColumnVector& b,
                        size_t j) {
  switch (a.type()) {
    case ColumnType::kInt32:
    case ColumnType::kInt64: {
      const int64_t x = a.GetInt64(i), y = b.GetInt64(j);
      return x < y ? -1 : x > y ? 1 : 0;
    }
    case ColumnType::kUint64: {
      const uint64_t x = a.GetUint64(i), y = b.GetUint64(j);
      return x < y ? -1 : x > y ? 1 : 0;
    }
    default:
      return CompareValues(a, i, b, j);
  }
}

}  // namespace

BlockCache::Entry DeltaReader::LookupBlock(size_t b, uint64_t mask,
                                          uint64_t* have) const {
  const size_t n = schema().num_columns();
  // Cache entries are keyed by a bit set of columns (at most 64).
  if (cache_ == nullptr || n > 64) return nullptr;
  const uint64_t all = n == 64 ? ~uint64_t{0} : (uint64_t{1} << n) - 1;
  const uint64_t block = b;
  *have = mask;
  BlockCache::Entry e = cache_->Lookup({cache_file_id_, block, mask},
                                       /*count_miss=*/mask == all);
  if (e == nullptr && mask != all) {
    // A block read whole (a point read's) serves every projection.
    e = cache_->Lookup({cache_file_id_, block, all});
    *have = all;
  }
  return e;
}

absl::Status DeltaReader::ReadColumns(size_t b,
                                      const std::vector<size_t>& columns,
                                      std::vector<const ColumnVector*>* out,
                                      BlockCache::Entry* hold,
                                      bool fill_cache) const {
  const size_t num_columns = schema().num_columns();
  const bool maskable = num_columns <= 64;
  uint64_t mask = 0;
  for (size_t c : columns) mask |= uint64_t{1} << (c & 63);
  uint64_t have = mask;
  *hold = LookupBlock(b, mask, &have);
  if (*hold == nullptr) {
    thread_local std::string storage, scratch;
    MESA_ASSIGN_OR_RETURN(ParsedBlock parsed, ParseRawBlock(b, &storage));
    // The requested columns in increasing order, once each (or, past 64
    // columns, as requested).
    std::vector<size_t> decode;
    if (maskable) {
      for (size_t c = 0; c < num_columns; ++c) {
        if (mask >> c & 1) decode.push_back(c);
      }
    } else {
      decode = columns;
    }
    std::vector<ColumnType> types;
    for (size_t c : decode) types.push_back(schema().column(c).type);
    auto rows = std::make_shared<RowBatch>(types);
    for (size_t i = 0; i < decode.size(); ++i) {
      const size_t c = decode[i];
      absl::Status s = DecodeChunk(parsed.chunks[c], parsed.row_count,
                                   &scratch, &rows->column(i));
      if (!s.ok()) {
        return BlockError(
            b, Annotate(s, fmt::format("column '{}'", schema().column(c).name)));
      }
    }
    if (cache_ != nullptr && maskable && fill_cache) {
      cache_->Insert({cache_file_id_, static_cast<uint64_t>(b), mask}, rows);
    }
    *hold = std::move(rows);
    have = mask;
    if (!maskable) {
      out->resize(columns.size());
      for (size_t i = 0; i < columns.size(); ++i) {
        (*out)[i] = &(*hold)->column(i);
      }
      return absl::OkStatus();
    }
  }
  out->resize(columns.size());
  for (size_t i = 0; i < columns.size(); ++i) {
    const uint64_t below = have & ((uint64_t{1} << columns[i]) - 1);
    (*out)[i] = &(*hold)->column(static_cast<size_t>(std::popcount(below)));
  }
  return absl::OkStatus();
}

absl::Status DeltaReader::ReadBlock(size_t b,
                                    const std::vector<size_t>& columns,
                                    RowBatch* out, bool fill_cache) const {
  if (cache_ != nullptr && !columns.empty() &&
      schema().num_columns() <= 64) {
    // A hit (or fill_cache) copies the cached columns; a miss that is not
    // to be cached decodes straight into `out` below.
    uint64_t mask = 0;
    for (size_t c : columns) mask |= uint64_t{1} << c;
    uint64_t have = mask;
    BlockCache::Entry hold = LookupBlock(b, mask, &have);
    if (hold == nullptr && fill_cache) {
      thread_local std::vector<const ColumnVector*> cols;
      MESA_RETURN_IF_ERROR(ReadColumns(b, columns, &cols, &hold));
      for (size_t i = 0; i < columns.size(); ++i) out->column(i) = *cols[i];
      return absl::OkStatus();
    }
    if (hold != nullptr) {
      for (size_t i = 0; i < columns.size(); ++i) {
        const uint64_t below = have & ((uint64_t{1} << columns[i]) - 1);
        out->column(i) =
            hold->column(static_cast<size_t>(std::popcount(below)));
      }
      return absl::OkStatus();
    }
  }
  thread_local std::string storage, scratch;
  MESA_ASSIGN_OR_RETURN(ParsedBlock parsed, ParseRawBlock(b, &storage));
  for (size_t i = 0; i < columns.size(); ++i) {
    const size_t c = columns[i];
    absl::Status s = DecodeChunk(parsed.chunks[c], parsed.row_count, &scratch,
                                 &out->column(i));
    if (!s.ok()) {
      return BlockError(
          b, Annotate(s, fmt::format("column '{}'", schema().column(c).name)));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<bool> DeltaReader::Get(const RowBatch& key, size_t row,
                                      RowBatch* out) const {
  const size_t keys = schema().num_keys();
  // Per-thread scratch: a point read allocates nothing once warm.
  thread_local std::string encoded;
  thread_local std::vector<const ColumnVector*> cols;
  encoded.clear();
  AppendEncodedKey(key, row, keys, &encoded);
  if (!KeyMayMatch(encoded)) return false;
  std::string_view cut =
      std::string_view(encoded).substr(0, meta_.short_key_length);
  // Every column at once, in one cache entry: a hit (the common case once
  // the min/max keys and the Bloom filter passed) needs the value columns
  // anyway.
  BlockCache::Entry hold;
  for (size_t b = FindStartBlock(encoded); b < index_.size(); ++b) {
    // Past this block's first key, the key cannot be in it or later.
    if (std::string_view(index_[b].short_key) > cut) return false;
    MESA_RETURN_IF_ERROR(ReadColumns(b, all_columns_, &cols, &hold));
    auto compare = [&](size_t r) {
      for (size_t c = 0; c < keys; ++c) {
        int cmp = CompareCells(*cols[c], r, key.column(c), row);
        if (cmp != 0) return cmp;
      }
      return 0;
    };
    const size_t n = cols[0]->size();
    size_t lo = 0, hi = n;
    while (lo < hi) {
      size_t mid = lo + (hi - lo) / 2;
      if (compare(mid) < 0) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    if (lo == n) continue;  // every row is smaller
    if (compare(lo) != 0) return false;
    for (size_t c = 0; c < cols.size(); ++c) {
      out->column(c).AppendFrom(*cols[c], lo);
    }
    return true;
  }
  return false;
}

std::unique_ptr<DeltaCursor> DeltaReader::NewCursor(
    CursorOptions options) const {
  return std::make_unique<DeltaCursor>(this, std::move(options));
}

// ---------------------------------------------------------------- cursor

namespace {

std::vector<ColumnType> TypesOf(const Schema& schema,
                                const std::vector<size_t>& columns) {
  std::vector<ColumnType> types;
  for (size_t c : columns) types.push_back(schema.column(c).type);
  return types;
}

}  // namespace

DeltaCursor::DeltaCursor(const DeltaReader* reader, CursorOptions options)
    : reader_(reader),
      projection_(std::move(options.projection)),
      filters_(std::move(options.block_filters)) {
  const Schema& schema = reader_->schema();
  if (projection_.empty()) {
    for (size_t c = 0; c < schema.num_columns(); ++c) projection_.push_back(c);
  }
  for (size_t c : projection_) {
    if (c >= schema.num_columns()) {
      status_ = absl::InvalidArgumentError(fmt::format(
          "{}: projection names column {}, the schema has {}",
          reader_->path(), c, schema.num_columns()));
      return;
    }
  }
  for (const ColumnPredicate& p : filters_) {
    if (p.column >= schema.num_columns() ||
        p.operands.type() != schema.column(p.column).type ||
        p.operands.empty()) {
      status_ = absl::InvalidArgumentError(fmt::format(
          "{}: a block filter names column {} with {} operands of the wrong "
          "type or none",
          reader_->path(), p.column, p.operands.size()));
      return;
    }
  }
  batch_ = RowBatch(TypesOf(schema, projection_));
  key_positions_.assign(schema.num_keys(), -1);
  for (size_t i = 0; i < projection_.size(); ++i) {
    if (projection_[i] < schema.num_keys() &&
        key_positions_[projection_[i]] < 0) {
      key_positions_[projection_[i]] = static_cast<int>(i);
    }
  }
  all_keys_projected_ = std::none_of(key_positions_.begin(),
                                     key_positions_.end(),
                                     [](int p) { return p < 0; });
  if (!options.upper_bound.empty()) {
    if (!all_keys_projected_) {
      status_ = absl::InvalidArgumentError(fmt::format(
          "{}: a cursor with an upper bound must project every key column",
          reader_->path()));
      return;
    }
    const std::optional<size_t> n =
        DecodeSeekTarget(options.upper_bound, &upper_keys_);
    if (!n) return;
    upper_ = std::move(options.upper_bound);
    upper_columns_ = *n;
    views_ = options.keep_views;
  }
}

bool DeltaCursor::PastUpper(size_t b) const {
  // A block's first key is at or above its short key (a prefix of it).
  return !upper_.empty() &&
         std::string_view(reader_->index_[b].short_key) >= upper_;
}

void DeltaCursor::ClipToUpper(size_t from) {
  if (upper_.empty()) return;
  const size_t n = batch_.num_rows();
  const size_t end = FirstRowNotBelow(from, upper_keys_, upper_columns_);
  if (end == n) return;
  for (size_t i = 0; i < batch_.num_columns(); ++i) {
    ColumnVector& col = batch_.column(i);
    if (col.is_string()) {
      col.offsets().resize(end + 1);
      col.bytes().resize(col.offsets()[end]);
    } else {
      col.words().resize(end);
    }
  }
  at_upper_ = true;
}

bool DeltaCursor::BlockSkipped(size_t b) const {
  const IndexEntry& e = reader_->index_[b];
  for (const ColumnPredicate& p : filters_) {
    if (!e.zone_maps[p.column].MayMatch(p)) return true;
  }
  return false;
}

void DeltaCursor::LoadFrom(size_t b, bool fill_cache) {
  valid_ = false;
  if (!status_.ok() || at_upper_) return;
  if (!upper_.empty()) {
    // Only the rows below the bound are copied out of the decoded block.
    // A short bounded range that goes on into the next block caches it as
    // its seek did (the next scan of the range reads it again: a user's
    // history across two blocks, otherwise decoded anew each time); a long
    // one, past a few blocks, reads like a sequential scan.
    constexpr uint64_t kCachedBoundedBlocks = 4;
    SeekFrom(b, nullptr, 0,
             fill_cache || stats_.blocks_read < kCachedBoundedBlocks);
    return;
  }
  const size_t n = reader_->num_blocks();
  while (b < n && BlockSkipped(b)) {
    ++stats_.blocks_skipped;
    ++b;
  }
  block_ = b;
  row_ = 0;
  seek_keys_ = RowBatch();
  if (b >= n || PastUpper(b)) return;
  status_ = reader_->ReadBlock(b, projection_, &batch_, fill_cache);
  if (!status_.ok()) return;
  ++stats_.blocks_read;
  stats_.rows_decoded += batch_.num_rows();
  ClipToUpper(0);
  valid_ = batch_.num_rows() > 0;
}

void DeltaCursor::SeekToFirst() {
  at_upper_ = false;
  LoadFrom(0);
}

void DeltaCursor::SeekFrom(size_t b, const RowBatch* target,
                           size_t target_columns, bool fill_cache) {
  valid_ = false;
  const size_t num_blocks = reader_->num_blocks();
  const size_t keys = key_positions_.size();
  std::vector<const ColumnVector*>& key_cols = key_cols_;
  key_cols.resize(keys);
  for (; b < num_blocks; ++b) {
    if (BlockSkipped(b)) {
      ++stats_.blocks_skipped;
      continue;
    }
    if (PastUpper(b)) break;
    status_ = reader_->ReadColumns(b, projection_, &chunks_, &hold_,
                                   fill_cache);
    if (!status_.ok()) return;
    const size_t n = chunks_[0]->size();
    ++stats_.blocks_read;
    stats_.rows_decoded += n;
    for (size_t k = 0; k < keys; ++k) {
      key_cols[k] = chunks_[static_cast<size_t>(key_positions_[k])];
    }
    // The first row in [lo, n) whose first `cols` key columns are not
    // below those of `t`'s row 0.
    // The block is usually cold in the CPU caches (each short scan reads
    // another one), so each step fetches the leading key words of both
    // midpoints the next step may probe: two misses overlap instead of
    // following each other.
    const uint64_t* lead[2] = {nullptr, nullptr};
    for (size_t k = 0; k < 2 && k < keys; ++k) {
      if (!key_cols[k]->is_string()) lead[k] = key_cols[k]->words().data();
    }
    auto prefetch = [&](size_t r) {
      if (lead[0] != nullptr) __builtin_prefetch(lead[0] + r);
      if (lead[1] != nullptr) __builtin_prefetch(lead[1] + r);
    };
    auto first_not_below = [&](size_t lo, size_t hi, const RowBatch& t,
                               size_t cols) {
      while (lo < hi) {
        const size_t mid = lo + (hi - lo) / 2;
        if (hi - lo > 16) {
          prefetch(lo + (mid - lo) / 2);
          prefetch(mid + 1 + (hi - mid - 1) / 2);
        }
        int c = 0;
        for (size_t k = 0; k < cols && c == 0; ++k) {
          c = CompareCells(*key_cols[k], mid, t.column(k), 0);
        }
        if (c < 0) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      return lo;
    };
    const size_t lo = target == nullptr
                          ? 0
                          : first_not_below(0, n, *target, target_columns);
    if (lo == n) continue;  // every row is below the target
    size_t end = n;
    if (!upper_.empty()) {
      // Galloping from `lo`: a short range's end is found among the rows
      // about to be copied, not by a binary search over the rest of a
      // block that is cold in the CPU caches.
      auto below_upper = [&](size_t r) {
        int c = 0;
        for (size_t k = 0; k < upper_columns_ && c == 0; ++k) {
          c = CompareCells(*key_cols[k], r, upper_keys_.column(k), 0);
        }
        return c < 0;
      };
      if (!below_upper(lo)) {
        end = lo;
      } else {
        size_t known = lo, step = 1, hi = n;  // rows [lo, known] are below
        while (known + step < n) {
          if (!below_upper(known + step)) {
            hi = known + step;
            break;
          }
          known += step;
          step *= 2;
        }
        end = first_not_below(known + 1, hi, upper_keys_, upper_columns_);
      }
      at_upper_ = end < n;
    }
    block_ = b;
    row_ = 0;
    seek_keys_ = RowBatch();
    if (views_) {
      // The rows stay where they are; hold_ pins them.
      view_begin_ = lo;
      view_end_ = end;
      valid_ = end > lo;
      return;
    }
    for (size_t i = 0; i < chunks_.size(); ++i) {
      ColumnVector& col = batch_.column(i);
      col.Clear();
      col.AppendRange(*chunks_[i], lo, end);
    }
    hold_.reset();  // the cache (or nobody) keeps the block
    valid_ = end > lo;
    return;
  }
  hold_.reset();
  block_ = b;
}

size_t DeltaCursor::rows_here() const {
  return views_ ? view_end_ - view_begin_ : batch_.num_rows();
}

void DeltaCursor::Next() {
  if (!valid_) return;
  if (++row_ >= rows_here()) LoadFrom(block_ + 1);
}

void DeltaCursor::Advance(size_t n) {
  if (!valid_) return;
  row_ += n;
  if (row_ >= rows_here()) LoadFrom(block_ + 1);
}

void DeltaCursor::StopViews() {
  if (!views_) return;
  views_ = false;
  if (valid_) {
    for (size_t i = 0; i < chunks_.size(); ++i) {
      ColumnVector& col = batch_.column(i);
      col.Clear();
      col.AppendRange(*chunks_[i], view_begin_, view_end_);
    }
  }
  hold_.reset();
}

void DeltaCursor::TakeBatch(RowBatch* out) {
  if (!valid_) return;
  StopViews();
  MESA_DCHECK(row_ == 0);
  std::swap(batch_, *out);
  LoadFrom(block_ + 1);
}

void DeltaCursor::NextBlock() {
  if (!valid_) return;
  LoadFrom(block_ + 1);
}

absl::Status DeltaCursor::LoadSeekKeys() {
  const Schema& schema = reader_->schema();
  std::vector<size_t> missing;
  for (size_t k = 0; k < key_positions_.size(); ++k) {
    if (key_positions_[k] < 0) missing.push_back(k);
  }
  if (missing.empty()) return absl::OkStatus();
  // seek_keys_ holds every key column, so positions stay simple.
  std::vector<size_t> all_keys;
  for (size_t k = 0; k < schema.num_keys(); ++k) all_keys.push_back(k);
  seek_keys_ = RowBatch(TypesOf(schema, all_keys));
  return reader_->ReadBlock(block_, all_keys, &seek_keys_);
}

int DeltaCursor::CompareRowToTarget(size_t r, const RowBatch& target,
                                    size_t target_columns) const {
  for (size_t k = 0; k < target_columns; ++k) {
    int pos = key_positions_[k];
    const ColumnVector& col =
        pos >= 0 ? batch_.column(static_cast<size_t>(pos))
                 : seek_keys_.column(k);
    int c = CompareValues(col, r, target.column(k), 0);
    if (c != 0) return c;
  }
  return 0;
}

std::optional<size_t> DeltaCursor::DecodeSeekTarget(
    std::string_view encoded_target, RowBatch* target) {
  const Schema& schema = reader_->schema();
  if (target->num_columns() == schema.num_keys()) {
    target->Clear();  // typed already: a repeated seek allocates nothing
  } else {
    std::vector<ColumnType> key_types;
    for (size_t k = 0; k < schema.num_keys(); ++k) {
      key_types.push_back(schema.column(k).type);
    }
    *target = RowBatch(key_types);
  }
  auto decoded = DecodeKey(encoded_target, schema, target);
  if (!decoded.ok()) {
    status_ = Annotate(decoded.status(),
                       fmt::format("{}: seek target", reader_->path()));
    return std::nullopt;
  }
  return *decoded;
}

size_t DeltaCursor::FirstRowNotBelow(size_t from, const RowBatch& target,
                                     size_t target_columns) const {
  size_t lo = from, hi = batch_.num_rows();
  while (lo < hi) {  // binary search: rows are sorted by key
    const size_t mid = lo + (hi - lo) / 2;
    if (CompareRowToTarget(mid, target, target_columns) < 0) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

void DeltaCursor::Seek(std::string_view encoded_target) {
  valid_ = false;
  at_upper_ = false;
  if (!status_.ok()) return;
  RowBatch& target = seek_target_;
  const std::optional<size_t> decoded =
      DecodeSeekTarget(encoded_target, &target);
  if (!decoded) return;
  const size_t target_columns = *decoded;
  if (target_columns == 0) {
    SeekToFirst();
    return;
  }
  if (all_keys_projected_) {
    SeekFrom(reader_->FindStartBlock(encoded_target), &target, target_columns,
             /*fill_cache=*/true);
    return;
  }
  for (LoadFrom(reader_->FindStartBlock(encoded_target), /*fill_cache=*/true);
       valid_; LoadFrom(block_ + 1, /*fill_cache=*/true)) {
    status_ = LoadSeekKeys();
    if (!status_.ok()) {
      valid_ = false;
      return;
    }
    const size_t lo = FirstRowNotBelow(0, target, target_columns);
    if (lo < batch_.num_rows()) {
      row_ = lo;
      return;
    }
  }
}

void DeltaCursor::SeekForward(std::string_view encoded_target) {
  if (!valid_) return;
  StopViews();  // a skip-scan compares the batch's rows
  if (reader_->FindStartBlock(encoded_target) > block_) {
    Seek(encoded_target);  // blocks in between are never read
    return;
  }
  RowBatch& target = seek_target_;
  const std::optional<size_t> decoded =
      DecodeSeekTarget(encoded_target, &target);
  if (!decoded) {
    valid_ = false;
    return;
  }
  const size_t target_columns = *decoded;
  if (target_columns == 0) return;
  while (valid_) {
    if (seek_keys_.num_columns() == 0) {
      status_ = LoadSeekKeys();
      if (!status_.ok()) {
        valid_ = false;
        return;
      }
    }
    const size_t lo = FirstRowNotBelow(row_, target, target_columns);
    if (lo < batch_.num_rows()) {
      row_ = lo;
      return;
    }
    if (at_upper_) {
      valid_ = false;  // the rest is at or past the upper bound
      return;
    }
    if (all_keys_projected_) {
      SeekFrom(block_ + 1, &target, target_columns, /*fill_cache=*/true);
      return;
    }
    LoadFrom(block_ + 1, /*fill_cache=*/true);
  }
}

}  // namespace mesa::internal
