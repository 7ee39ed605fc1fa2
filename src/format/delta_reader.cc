// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.

#include "src/format/delta_reader.h"

#include <algorithm>

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
  for (const IndexEntry& e : index_) {
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

size_t DeltaReader::FindStartBlock(std::string_view encoded_target) const {
  std::string_view cut = encoded_target.substr(0, meta_.short_key_length);
  auto it = std::partition_point(
      index_.begin(), index_.end(),
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

absl::Status DeltaReader::ReadColumns(
    size_t b, const std::vector<size_t>& columns,
    std::vector<BlockCache::Entry>* out) const {
  out->assign(columns.size(), nullptr);
  std::vector<size_t> missing;
  for (size_t i = 0; i < columns.size(); ++i) {
    if (cache_ != nullptr) {
      (*out)[i] = cache_->Lookup({cache_file_id_, static_cast<uint32_t>(b),
                                  static_cast<uint32_t>(columns[i])});
    }
    if ((*out)[i] == nullptr) missing.push_back(i);
  }
  if (missing.empty()) return absl::OkStatus();
  thread_local std::string storage, scratch;
  MESA_ASSIGN_OR_RETURN(ParsedBlock parsed, ParseRawBlock(b, &storage));
  for (size_t i : missing) {
    const size_t c = columns[i];
    auto column = std::make_shared<ColumnVector>(schema().column(c).type);
    absl::Status s =
        DecodeChunk(parsed.chunks[c], parsed.row_count, &scratch, column.get());
    if (!s.ok()) {
      return BlockError(
          b, Annotate(s, fmt::format("column '{}'", schema().column(c).name)));
    }
    if (cache_ != nullptr) {
      cache_->Insert({cache_file_id_, static_cast<uint32_t>(b),
                      static_cast<uint32_t>(c)},
                     column);
    }
    (*out)[i] = std::move(column);
  }
  return absl::OkStatus();
}

absl::Status DeltaReader::ReadBlock(size_t b,
                                    const std::vector<size_t>& columns,
                                    RowBatch* out, bool fill_cache) const {
  if (cache_ != nullptr) {
    std::vector<BlockCache::Entry> entries;
    if (fill_cache) {
      MESA_RETURN_IF_ERROR(ReadColumns(b, columns, &entries));
    } else {
      for (size_t c : columns) {
        entries.push_back(cache_->Lookup({cache_file_id_,
                                          static_cast<uint32_t>(b),
                                          static_cast<uint32_t>(c)}));
        if (entries.back() == nullptr) break;
      }
    }
    if (!columns.empty() && entries.size() == columns.size() &&
        entries.back() != nullptr) {
      for (size_t i = 0; i < columns.size(); ++i) out->column(i) = *entries[i];
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
  encoded.clear();
  AppendEncodedKey(key, row, keys, &encoded);
  if (!KeyMayMatch(encoded)) return false;
  std::string_view cut =
      std::string_view(encoded).substr(0, meta_.short_key_length);
  // Every column at once: one cache probe per column, and a hit (the
  // common case once the min/max keys and the Bloom filter passed) needs
  // the value columns anyway.
  std::vector<BlockCache::Entry> cols;
  for (size_t b = FindStartBlock(encoded); b < index_.size(); ++b) {
    // Past this block's first key, the key cannot be in it or later.
    if (std::string_view(index_[b].short_key) > cut) return false;
    MESA_RETURN_IF_ERROR(ReadColumns(b, all_columns_, &cols));
    auto compare = [&](size_t r) {
      for (size_t c = 0; c < keys; ++c) {
        int cmp = CompareValues(*cols[c], r, key.column(c), row);
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
  if (!status_.ok()) return;
  const size_t n = reader_->num_blocks();
  while (b < n && BlockSkipped(b)) {
    ++stats_.blocks_skipped;
    ++b;
  }
  block_ = b;
  row_ = 0;
  seek_keys_ = RowBatch();
  if (b >= n) return;
  status_ = reader_->ReadBlock(b, projection_, &batch_, fill_cache);
  if (!status_.ok()) return;
  ++stats_.blocks_read;
  stats_.rows_decoded += batch_.num_rows();
  valid_ = true;
}

void DeltaCursor::SeekToFirst() { LoadFrom(0); }

void DeltaCursor::Next() {
  if (!valid_) return;
  if (++row_ >= batch_.num_rows()) LoadFrom(block_ + 1);
}

void DeltaCursor::Advance(size_t n) {
  if (!valid_) return;
  row_ += n;
  if (row_ >= batch_.num_rows()) LoadFrom(block_ + 1);
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
  std::vector<ColumnType> key_types;
  for (size_t k = 0; k < schema.num_keys(); ++k) {
    key_types.push_back(schema.column(k).type);
  }
  *target = RowBatch(key_types);
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
  if (!status_.ok()) return;
  RowBatch target;
  const std::optional<size_t> decoded =
      DecodeSeekTarget(encoded_target, &target);
  if (!decoded) return;
  const size_t target_columns = *decoded;
  if (target_columns == 0) {
    SeekToFirst();
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
  if (reader_->FindStartBlock(encoded_target) > block_) {
    Seek(encoded_target);  // blocks in between are never read
    return;
  }
  RowBatch target;
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
    LoadFrom(block_ + 1, /*fill_cache=*/true);
  }
}

}  // namespace mesa::internal
