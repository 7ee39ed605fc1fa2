// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// A k-way merge of delta cursors that yields each key once, with its value
// columns aggregated across the deltas (design.md, "Read"). The inputs are
// the deltas of one covering path, oldest first: equal keys combine in
// version order, so REPLACE keeps the newest value.
//
// Thread safety: used by one thread at a time.

#ifndef MESA_MERGE_MERGING_CURSOR_H_
#define MESA_MERGE_MERGING_CURSOR_H_

#include <array>
#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "mesa/row_batch.h"
#include "mesa/schema.h"
#include "src/format/delta_reader.h"
#include "src/merge/merge_window.h"

namespace mesa::internal {

class MergingCursor {
 public:
  // Every input's projection must be the schema's key columns, in order,
  // followed by the value columns `value_columns` (schema indices), and be
  // positioned already (SeekToFirst or Seek). Inputs: oldest first.
  MergingCursor(const Schema& schema, std::vector<size_t> value_columns,
                std::vector<std::unique_ptr<DeltaCursor>> inputs);
  // One input (or none): nothing is merged, so its rows come out as they
  // are and its projection may be any columns (a GROUP BY over one delta
  // need not decode the key columns outside the group key).
  static std::unique_ptr<MergingCursor> Single(
      const Schema& schema, std::unique_ptr<DeltaCursor> input);
  // Interleaves the inputs by their first `prefix` key columns only (all
  // numbers), without merging equal keys: each call hands out, for the
  // smallest prefix among the inputs' current rows, that prefix's rows of
  // every input (inputs in order), so rows of one prefix come out
  // together and prefixes in order. The projection's first `prefix`
  // columns must be those key columns; the rest may be any columns. For a
  // GROUP BY partitioned by that prefix whose aggregations do not depend
  // on how rows are combined (integer SUM, MIN, MAX): it then needs no
  // merge of full keys.
  static std::unique_ptr<MergingCursor> ByPrefix(
      const Schema& schema, size_t prefix,
      std::vector<std::unique_ptr<DeltaCursor>> inputs);

  // Clears `out` (keys, then the value columns) and fills it with up to
  // `max_rows` merged rows in key order. False when no row is left (or on
  // error: check status()).
  // Once kWindowAfterRows rows came out since the start or the last
  // SeekForward (a short scan never gets there), batches merge by windows
  // (merge_window.h) while at least three inputs are left and no input
  // gives most of a window's rows; the heap merges the rest. The rows are
  // the same either way.
  bool NextBatch(size_t max_rows, RowBatch* out);
  static constexpr uint64_t kWindowAfterRows = 4096;
  // For tests: windows from this many rows on (0: from the first batch;
  // ~0: never).
  void set_window_after_rows(uint64_t rows) { window_after_rows_ = rows; }
  // How many windows were merged (each a sort of several inputs' rows).
  uint64_t windows() const { return windows_; }

  const absl::Status& status() const { return status_; }
  // The value columns (schema indices) after the keys in each batch.
  const std::vector<size_t>& value_columns() const { return value_columns_; }
  // Sum of the inputs' counters.
  CursorStats stats() const;
  // Input `i`'s counters (inputs in constructor order).
  size_t num_inputs() const { return inputs_.size(); }
  const CursorStats& input_stats(size_t i) const { return inputs_[i]->stats(); }

  // Moves every input forward to its first row at or after
  // `encoded_target` (DeltaCursor::SeekForward): the next batch starts
  // there. Inputs already past it stay. For skip-scans.
  void SeekForward(std::string_view encoded_target);

 private:
  // The first 32 bytes of a row's order-preserving key encoding
  // (key_coding.h) as big-endian words, zero padded; `exact` if the whole
  // encoding fits. Encodings are prefix-free, so different words order
  // two keys as the keys, and equal words mean equal keys unless both are
  // inexact (then the rows are compared).
  struct NormKey {
    std::array<uint64_t, 4> w{};
    bool exact = true;
  };
  void Normalize(const RowBatch& b, size_t r, NormKey* k) const;
  // The inputs' current keys are kept normalized (norms_), so the heap
  // compares a few words held in one place.
  void Refresh(size_t input);
  int CompareNorm(const NormKey& x, const RowBatch& a, size_t i,
                  const NormKey& y, const RowBatch& b, size_t j) const;
  // CompareKeys with the type dispatch hoisted out: numbers compare their
  // words inline, only strings call out.
  int Compare(const RowBatch& a, size_t i, const RowBatch& b, size_t j) const;
  bool HeapLess(size_t a, size_t b) const;
  // How many rows of the top input, from its current row, are below
  // every other input's current key (`rival` holds the smallest of them),
  // at most `limit`; 1 stands for "fewer than two".
  // Also keeps the top's next row normalized (next_norm_) for Refresh.
  size_t RunBelow(size_t rival, size_t limit);
  void SiftDown(size_t pos);
  void Rebuild();
  void CopyRunFromSingle(size_t max_rows, RowBatch* out);
  // Appends windows' merged rows to `out` (up to max_rows) while windows
  // pay; stops early when the heap should take over.
  void NextWindowed(size_t max_rows, RowBatch* out);
  // Moves the inputs past the window's rows (MergeWindow::Release); false
  // on an input's error (status_).
  bool ReleaseWindow();

  const Schema& schema_;
  // False for Single and ByPrefix: the inputs' columns need not be the
  // keys.
  bool compare_keys_ = true;
  // ByPrefix: NextBatch interleaves by the first prefix_ columns.
  bool by_prefix_ = false;
  size_t prefix_ = 0;
  static constexpr size_t kMaxPrefix = 8;
  bool NextByPrefix(size_t max_rows, RowBatch* out);
  std::vector<size_t> value_columns_;
  std::vector<Aggregation> value_aggs_;
  std::vector<ColumnType> key_types_;  // of the key columns
  std::vector<NormKey> norms_;  // by input
  // The key of row next_row_ of input next_input_'s block number
  // next_block_ (its blocks_read count), normalized by RunBelow.
  NormKey next_norm_;
  size_t next_input_ = ~size_t{0};
  size_t next_row_ = 0;
  uint64_t next_block_ = 0;
  std::vector<std::unique_ptr<DeltaCursor>> inputs_;
  std::vector<size_t> heap_;  // indices of valid inputs, min-heap by key
  // Windowed merging: the current window's rows not yet handed out come
  // before every input's current row; the window's rows stay in the
  // inputs' blocks, so nothing else moves an input until ReleaseWindow.
  // After a window, heap_ and norms_ are stale until Rebuild.
  std::unique_ptr<MergeWindow> window_;
  bool heap_stale_ = false;
  uint64_t rows_since_seek_ = 0;
  uint64_t window_after_rows_ = kWindowAfterRows;
  uint64_t windows_ = 0;
  absl::Status status_;
};

}  // namespace mesa::internal

#endif  // MESA_MERGE_MERGING_CURSOR_H_
