// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// The read merge for deltas whose keys interleave (every delta spans the
// key space: the cumulatives ingest leaves): a window at a time instead of
// a heap step per row (MergingCursor). The window's bound is the smallest
// last key among the inputs' current blocks; every input's rows up to it
// (a search in its block) make the window, oldest input first, left in
// place (no copy: the inputs move on once the window is handed out), and
// are sorted together, stably, so equal keys combine in version order (REPLACE
// keeps the newest) exactly as the heap merge combines them. No row above
// the bound is in the window and every row at or below it is, so each key
// is merged in exactly one window. (db/window_merge.h does the same for
// compactions, whole windows at once; this one hands the merged rows out
// in batches of any size, and projects value columns.)
//
// Sorting: each row's order-preserving key encoding (key_coding.h) is cut
// to its first 32 bytes as four big-endian words, column by column; when
// every row's encoding fits and at most 8 bytes vary across the window,
// those bytes are packed into one integer per row and sorted by a stable
// LSD radix sort (the ads key: 7 varying bytes of 24). Otherwise a
// comparison sort on the words, full keys compared only when words tie
// and a key does not fit.
//
// Thread safety: used by one thread at a time.

#ifndef MESA_MERGE_MERGE_WINDOW_H_
#define MESA_MERGE_MERGE_WINDOW_H_

#include <array>
#include <memory>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "mesa/row_batch.h"
#include "mesa/schema.h"
#include "src/format/delta_reader.h"

namespace mesa::internal {

class MergeWindow {
 public:
  // Rows (the inputs' batches and the output) hold the schema's key
  // columns, then the value columns `value_columns` (schema indices).
  MergeWindow(const Schema& schema, const std::vector<size_t>& value_columns);

  // Plans the next window over `inputs` (oldest first; those not Valid are
  // skipped): returns the rows it would hold, and in `*largest` the most
  // rows one input gives (a window mostly of one input merges faster by
  // the heap, which copies that input's runs).
  size_t Plan(const std::vector<std::unique_ptr<DeltaCursor>>& inputs,
              size_t* largest);
  // Merges the rows Plan planned. They stay in the inputs' blocks, so
  // the inputs must not move until Release.
  void Fill(const std::vector<std::unique_ptr<DeltaCursor>>& inputs);
  // Moves the inputs past the window's rows (all handed out, or skipped)
  // and empties it. An input's error comes back.
  absl::Status Release(const std::vector<std::unique_ptr<DeltaCursor>>& inputs);
  // Rows of the inputs the window holds (Release has not moved them).
  bool holds_rows() const { return !runs_.empty(); }

  // No merged row left to hand out.
  bool empty() const { return next_ >= group_start_.size() - 1; }
  // Appends up to `max_rows` merged rows to `out` (whose columns are the
  // keys, then the value columns); returns how many.
  size_t Take(size_t max_rows, RowBatch* out);
  // Drops the merged rows whose keys are below `encoded_target` (a key or
  // key prefix encoding); true if some are left.
  bool SkipBelow(std::string_view encoded_target);
  void Clear();

 private:
  // CompareKeys with the type dispatch hoisted: numbers inline.
  int CompareRows(const RowBatch& a, size_t i, const RowBatch& b,
                  size_t j) const;
  // Fills words_ (4 per row) and inexact_ from window_'s keys.
  void NormalizeKeys();
  // Fills order_ and group_start_ (sorted; rows of equal keys together).
  void Sort();
  // Sorts by the varying bits of the key columns' values, with no key
  // encoding, when every key column is a number or a string of at most 6
  // bytes with no 0x00 and the bits fit in 64: false (nothing done) if
  // not.
  bool SortColumns();
  bool SortPacked();
  void SortWords();
  // Fills order_ and group_start_ from keys_ (`bits` of packed key per
  // row): a stable radix sort.
  void RadixOrder(int bits);
  static constexpr size_t kMaxColumnsPacked = 16;

  const size_t num_keys_;
  std::vector<ColumnType> types_;     // of the batch columns
  std::vector<Aggregation> aggs_;     // of the batch columns (kNone: keys)
  std::vector<size_t> ends_;          // Plan: per input, its window end
  // The window: rows [begin, end) of each contributing input's block, in
  // input order (oldest first); window row numbers count through them.
  struct Run {
    size_t input;
    const RowBatch* batch;
    uint32_t begin, end;
    uint32_t at;  // the window row number of `begin`
  };
  std::vector<Run> runs_;
  size_t rows_ = 0;
  std::vector<uint64_t> refs_;  // window row -> run << 32 | row in its block
  std::vector<const uint64_t*> bases_;  // Take scratch
  std::vector<uint32_t> pos_;  // NormalizeKeys scratch: bytes put per row
  std::vector<uint64_t> column_words_;  // SortColumns: column-major
  std::vector<uint64_t> keys_;          // packed keys, by window row
  std::vector<uint64_t> words_;  // row r: words_[4r .. 4r+4)
  std::vector<uint8_t> inexact_;
  bool any_inexact_ = false;
  size_t num_words_ = 0;  // words that are not zero in some row
  std::vector<uint32_t> order_;        // window rows in key order
  std::vector<uint32_t> group_start_;  // into order_; last: order_.size()
  std::vector<uint64_t> first_;        // Take scratch (refs)
  bool any_dup_ = false;
  // One input's rows: in order, each key once (order_ is not filled).
  bool identity_ = false;
  size_t next_ = 0;  // the next group to hand out
  struct Packed {
    uint64_t key;
    uint32_t row;
  };
  std::vector<Packed> packed_, packed_tmp_;
  std::vector<uint64_t> packed_words_, packed_words_tmp_;  // key, then row
};

}  // namespace mesa::internal

#endif  // MESA_MERGE_MERGE_WINDOW_H_
