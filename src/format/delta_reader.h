// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// DeltaReader opens a delta file (docs/format.md): it validates the footer
// and the checksums of the meta and index sections, keeps the sparse index,
// zone maps and Bloom filter in memory, and reads data blocks on demand,
// verifying each block's checksum before decoding it. A DeltaCursor walks
// the rows block by block: it decodes a whole block of the projected
// columns at a time into a RowBatch (the batch API) and offers a row
// position on top of it.
//
// Thread safety: a DeltaReader is immutable after Open() and safe to share
// between threads. A DeltaCursor is used by one thread at a time.

#ifndef MESA_FORMAT_DELTA_READER_H_
#define MESA_FORMAT_DELTA_READER_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "mesa/file_system.h"
#include "mesa/row_batch.h"
#include "mesa/schema.h"
#include "src/format/data_block.h"
#include "src/format/delta_layout.h"
#include "src/format/predicate.h"
#include "src/cache/block_cache.h"

namespace mesa::internal {

class DeltaCursor;

struct CursorOptions {
  // Schema column indices the cursor decodes, in the order of the batch's
  // columns. Empty: every column in schema order.
  std::vector<size_t> projection;
  // Blocks whose zone maps show that some predicate cannot match any row
  // are skipped without being read. Rows inside a block are not filtered.
  std::vector<ColumnPredicate> block_filters;
  // An encoded key or key prefix (key_coding.h); when not empty, the
  // cursor ends before the first row whose key is at or after it, and
  // reads no block that starts there. Needs every key column projected.
  std::string upper_bound;
  // With an upper bound: each block's rows from the seek's position to the
  // bound stay in the decoded chunks (chunks(), rows [view_begin(),
  // view_end())), whose cache entry the cursor holds, instead of being
  // copied into batch(), which stays empty; row() counts from
  // view_begin(). For a scan that hands the rows out or copies them once.
  // StopViews() (and TakeBatch, SeekForward) switch back to batches.
  bool keep_views = false;
};

// Counters a cursor keeps, for Explain and benchmarks.
struct CursorStats {
  uint64_t blocks_read = 0;
  uint64_t blocks_skipped = 0;
  uint64_t rows_decoded = 0;
};

class DeltaReader {
 public:
  // `cache` (optional, not owned, must outlive the reader) keeps decoded
  // column chunks for reuse.
  static absl::StatusOr<std::shared_ptr<const DeltaReader>> Open(
      FileSystem* fs, const std::string& path, BlockCache* cache = nullptr);

  const std::string& path() const { return file_->path(); }
  uint64_t file_size() const { return file_->Size(); }
  const Schema& schema() const { return meta_.schema; }
  const DeltaMetaSection& meta() const { return meta_; }
  const Footer& footer() const { return footer_; }
  const std::vector<IndexEntry>& index() const { return index_; }
  size_t num_blocks() const { return index_.size(); }
  uint64_t min_version() const { return meta_.min_version; }
  uint64_t max_version() const { return meta_.max_version; }
  uint64_t row_count() const { return meta_.row_count; }
  bool has_bloom_filter() const { return bloom_blocks_ > 0; }

  // False only if the file certainly holds no row with this full encoded
  // key (per-file Bloom filter and min/max key).
  bool KeyMayMatch(std::string_view encoded_key) const;

  // The block a seek to `encoded_target` (a full key or key prefix) starts
  // from: the last block whose short key is below the target's.
  size_t FindStartBlock(std::string_view encoded_target) const;

  // Reads block `b` (checksum verified) and decodes the schema columns
  // `columns` into `out`, whose columns have those types. Cached chunks are
  // used when all are there; otherwise the block is decoded, and put in the
  // cache only if `fill_cache` (sequential scans do not, so one big scan
  // does not push out what point reads need).
  absl::Status ReadBlock(size_t b, const std::vector<size_t>& columns,
                         RowBatch* out, bool fill_cache = false) const;

  // The decoded chunks of schema columns `columns` of block `b`: (*out)[i]
  // is column columns[i]'s, valid while `*hold` is held. Through the cache
  // when there is one: one probe for the block's entry of exactly these
  // columns, then one for its entry of every column; a miss reads and
  // verifies the block once and decodes these columns, and caches them if
  // `fill_cache`.
  absl::Status ReadColumns(size_t b, const std::vector<size_t>& columns,
                           std::vector<const ColumnVector*>* out,
                           BlockCache::Entry* hold,
                           bool fill_cache = true) const;

  // Reads and verifies block `b` and locates its chunks without decoding
  // them (for mesa-inspect). `storage` keeps the bytes the result views.
  absl::StatusOr<ParsedBlock> ParseRawBlock(size_t b,
                                            std::string* storage) const;

  // Point lookup of a full key: row `row` of `key`, whose first columns are
  // the key columns. On a hit, appends the row (all columns) to `out` and
  // returns true; a missing key is false, not an error.
  absl::StatusOr<bool> Get(const RowBatch& key, size_t row,
                           RowBatch* out) const;

  std::unique_ptr<DeltaCursor> NewCursor(CursorOptions options = {}) const;

 private:
  DeltaReader() = default;
  absl::Status Load();
  absl::StatusOr<std::string_view> ReadBytes(uint64_t offset, uint64_t n,
                                             std::string* scratch) const;
  absl::Status BlockError(size_t b, const absl::Status& s) const;
  // The cached entry of block `b` holding the columns of bit set `mask`
  // (*have = mask) or every column (*have = all of them), or null.
  BlockCache::Entry LookupBlock(size_t b, uint64_t mask,
                                uint64_t* have) const;

  std::unique_ptr<RandomAccessFile> file_;
  BlockCache* cache_ = nullptr;
  uint64_t cache_file_id_ = 0;
  std::vector<size_t> all_columns_;  // 0 .. num_columns-1
  Footer footer_;
  DeltaMetaSection meta_;
  std::vector<IndexEntry> index_;
  // The first 16 bytes of each block's short key as two big-endian words,
  // zero padded, in one array: FindStartBlock's binary search reads it
  // instead of one heap string per step, and compares the strings only
  // among blocks whose heads are equal. Different heads order as the keys.
  struct KeyHead {
    uint64_t hi = 0, lo = 0;
    friend auto operator<=>(const KeyHead&, const KeyHead&) = default;
  };
  static KeyHead HeadOf(std::string_view key);
  std::vector<KeyHead> index_heads_;
  uint32_t bloom_blocks_ = 0;
  uint64_t bloom_seed_ = 0;
  std::vector<uint32_t> bloom_;
  uint64_t data_end_ = 0;

  friend class DeltaCursor;
};

// Walks a delta's rows in key order. Iterator contract as LevelDB's:
// Valid() is false at the end and once status() is not OK.
class DeltaCursor {
 public:
  DeltaCursor(const DeltaReader* reader, CursorOptions options);

  void SeekToFirst();
  // Positions at the first row whose key is >= `encoded_target`, a full
  // encoded key or the encoding of a key prefix. When every key column is
  // projected, the batch then holds only the block's rows from there (up
  // to the upper bound), copied from the decoded chunks (the block cache's
  // when it has them): a short range does not copy a whole block.
  void Seek(std::string_view encoded_target);
  // Like Seek, but never moves backward, and reads nothing when the
  // target is in the current block (a binary search of its rest) or the
  // cursor is already at or past it: what skip-scans call between nearby
  // keys. The index decides whether blocks in between are jumped over.
  void SeekForward(std::string_view encoded_target);

  bool Valid() const { return valid_; }
  const absl::Status& status() const { return status_; }

  // The decoded current block (projected columns; after a seek, its rows
  // from the seek's position on) and the current row in it. Rows
  // [row(), batch().num_rows()) are the rest of the block.
  const RowBatch& batch() const { return batch_; }
  size_t row() const { return row_; }

  // Advances one row, loading the next unskipped block when needed.
  void Next();
  // Skips the rest of the current block.
  void NextBlock();
  // Swaps the batch (whose current row must be its first) with `out`,
  // whose columns have the batch's types, and loads the next block: the
  // rows are handed over without a copy.
  void TakeBatch(RowBatch* out);
  // Advances `n` rows within the current block (n <= rows left in it),
  // loading the next block when the current one is used up.
  void Advance(size_t n);

  // CursorOptions::keep_views, while on: the current rows are rows
  // [view_begin(), view_end()) of chunks() (one per projected column),
  // valid until the cursor moves to another block.
  bool keeps_views() const { return views_; }
  const std::vector<const ColumnVector*>& chunks() const { return chunks_; }
  size_t view_begin() const { return view_begin_; }
  size_t view_end() const { return view_end_; }
  // Copies the current rows into batch() and keeps batches from now on.
  void StopViews();

  const CursorStats& stats() const { return stats_; }
  const std::vector<size_t>& projection() const { return projection_; }

 private:
  // Rows of the current block the cursor holds (batch or view).
  size_t rows_here() const;
  bool BlockSkipped(size_t b) const;
  // Loads the first unskipped block at or after `b`; clears valid_ at end.
  void LoadFrom(size_t b, bool fill_cache = false);
  // Whether block `b` and every later one start at or past the upper bound.
  bool PastUpper(size_t b) const;
  // Drops the batch's rows at or past the upper bound (from row `from`
  // on); the cursor then ends with the batch.
  void ClipToUpper(size_t from);
  // Seek from block `b` on, when every key column is projected: loads the
  // first unskipped block with a row >= the target (any row if `target`
  // is null), from that row on and up to the upper bound.
  void SeekFrom(size_t b, const RowBatch* target, size_t target_columns,
                bool fill_cache);
  // Decodes the key columns missing from the projection (for Seek).
  absl::Status LoadSeekKeys();
  int CompareRowToTarget(size_t r, const RowBatch& target,
                         size_t target_columns) const;
  // Decodes a seek target into `target` (one row of the key columns) and
  // returns how many key columns it holds; sets status_ on a bad target.
  // `target` keeps its columns when it has the key's already.
  std::optional<size_t> DecodeSeekTarget(std::string_view encoded_target,
                                         RowBatch* target);
  // The first row at or after `from` in the current block that is >= the
  // target; batch_.num_rows() if none is.
  size_t FirstRowNotBelow(size_t from, const RowBatch& target,
                          size_t target_columns) const;

  const DeltaReader* reader_;
  std::vector<size_t> projection_;
  std::vector<ColumnPredicate> filters_;
  // For each key column, its position in the batch, or -1 if it is not
  // projected (then seek_keys_ holds it).
  std::vector<int> key_positions_;
  RowBatch batch_;
  RowBatch seek_keys_;
  RowBatch seek_target_;  // Seek's decoded target, reused by the next seek
  bool all_keys_projected_ = false;
  std::string upper_;
  RowBatch upper_keys_;  // upper_ decoded, upper_columns_ key columns
  size_t upper_columns_ = 0;
  bool at_upper_ = false;  // the batch ends at the upper bound
  // SeekFrom's view of a decoded block: the columns, and the entry that
  // keeps them alive (released once the rows it wants are copied, or,
  // with views_, when the cursor moves to another block).
  std::vector<const ColumnVector*> chunks_;
  BlockCache::Entry hold_;
  bool views_ = false;
  size_t view_begin_ = 0, view_end_ = 0;
  std::vector<const ColumnVector*> key_cols_;  // scratch for SeekFrom
  size_t block_ = 0;
  size_t row_ = 0;
  bool valid_ = false;
  absl::Status status_;
  CursorStats stats_;
};

}  // namespace mesa::internal

#endif  // MESA_FORMAT_DELTA_READER_H_
