// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// A compaction's merge for inputs whose keys interleave (many singletons
// over the same key space): instead of a heap step per row
// (merge/merging_cursor.h), it merges a window at a time. The window's
// bound is the smallest last key among the inputs' current blocks; every
// input's rows up to the bound (a binary search in its block) are
// gathered, oldest input first, and sorted and aggregated together
// (merge/sort_aggregate.h, a radix sort, stable, so equal keys combine in
// version order and REPLACE keeps the newest). No row above the bound is
// in the window, and every row at or below it is (each input is sorted),
// so each key is merged in exactly one window. A window with rows of one
// input only is already sorted and unique and is passed on as it is.
//
// Thread safety: used by one thread at a time.

#ifndef MESA_DB_WINDOW_MERGE_H_
#define MESA_DB_WINDOW_MERGE_H_

#include <functional>
#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "mesa/row_batch.h"
#include "mesa/schema.h"
#include "src/format/delta_reader.h"

namespace mesa::internal {

class WindowMerge {
 public:
  // Every input decodes every schema column in schema order and is
  // positioned already (SeekToFirst). Inputs: oldest first.
  WindowMerge(const Schema& schema,
              std::vector<std::unique_ptr<DeltaCursor>> inputs);

  // Replaces `out` (a batch of `schema`) with the next window's merged
  // rows, in key order, each key once. False when no row is left or on an
  // input's error (check status()).
  bool NextBatch(RowBatch* out);

  const absl::Status& status() const { return status_; }

  // Called by NextBatch with every window's input rows (all schema
  // columns, before they are merged): each input row is seen exactly
  // once, which lets a compaction total its inputs without reading them
  // a second time.
  void set_input_observer(std::function<void(const RowBatch&)> observer) {
    observer_ = std::move(observer);
  }

 private:
  const Schema& schema_;
  std::vector<std::unique_ptr<DeltaCursor>> inputs_;
  std::vector<size_t> ends_;  // per input: the window's end in its block
  RowBatch window_;
  absl::Status status_;
  std::function<void(const RowBatch&)> observer_;
};

// Whether a compaction of inputs of these row counts should merge by
// windows: at least three inputs, none holding most of the rows (a big
// base beside small deltas merges faster by copying the base's runs).
bool PreferWindowMerge(const std::vector<uint64_t>& input_rows);

}  // namespace mesa::internal

#endif  // MESA_DB_WINDOW_MERGE_H_
