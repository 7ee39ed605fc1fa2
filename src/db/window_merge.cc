// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.

#include "src/db/window_merge.h"

#include <algorithm>

#include "src/merge/aggregate.h"
#include "src/merge/sort_aggregate.h"

namespace mesa::internal {

WindowMerge::WindowMerge(const Schema& schema,
                         std::vector<std::unique_ptr<DeltaCursor>> inputs)
    : schema_(schema),
      inputs_(std::move(inputs)),
      ends_(inputs_.size(), 0),
      window_(schema) {
  for (const auto& in : inputs_) {
    if (!in->status().ok()) {
      status_ = in->status();
      break;
    }
  }
}

bool WindowMerge::NextBatch(RowBatch* out) {
  if (!status_.ok()) return false;
  const size_t keys = schema_.num_keys();
  // The bound: the smallest last key of the inputs' current blocks.
  size_t bound = inputs_.size();
  for (size_t i = 0; i < inputs_.size(); ++i) {
    const DeltaCursor& in = *inputs_[i];
    if (!in.Valid()) continue;
    if (bound == inputs_.size()) {
      bound = i;
      continue;
    }
    const RowBatch& a = in.batch();
    const RowBatch& b = inputs_[bound]->batch();
    if (CompareKeys(a, a.num_rows() - 1, b, b.num_rows() - 1, keys) < 0) {
      bound = i;
    }
  }
  if (bound == inputs_.size()) return false;
  const RowBatch& bound_batch = inputs_[bound]->batch();
  const size_t bound_row = bound_batch.num_rows() - 1;
  // Each input's rows up to the bound; the window is gathered before any
  // input moves (moving replaces its block, the bound's among them).
  window_.Clear();
  size_t contributors = 0;
  for (size_t i = 0; i < inputs_.size(); ++i) {
    const DeltaCursor& in = *inputs_[i];
    ends_[i] = 0;
    if (!in.Valid()) continue;
    const RowBatch& b = in.batch();
    size_t lo = in.row(), hi = b.num_rows();
    if (i != bound) {
      // The first row above the bound.
      while (lo < hi) {
        const size_t mid = lo + (hi - lo) / 2;
        if (CompareKeys(b, mid, bound_batch, bound_row, keys) <= 0) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
    }
    ends_[i] = i == bound ? hi : lo;
    if (ends_[i] > in.row()) {
      window_.AppendRows(b, in.row(), ends_[i]);
      ++contributors;
    }
  }
  for (size_t i = 0; i < inputs_.size(); ++i) {
    DeltaCursor& in = *inputs_[i];
    if (!in.Valid() || ends_[i] == in.row()) continue;
    in.Advance(ends_[i] - in.row());
    if (!in.status().ok()) {
      status_ = in.status();
      return false;
    }
  }
  if (observer_) observer_(window_);
  if (contributors == 1) {
    // One input's rows: sorted, each key once.
    std::swap(*out, window_);
  } else {
    SortAndAggregateRows(schema_, window_, out);
  }
  return true;
}

bool PreferWindowMerge(const std::vector<uint64_t>& input_rows) {
  if (input_rows.size() < 3) return false;
  uint64_t total = 0, largest = 0;
  for (uint64_t r : input_rows) {
    total += r;
    largest = std::max(largest, r);
  }
  return largest * 10 <= total * 8;
}

}  // namespace mesa::internal
