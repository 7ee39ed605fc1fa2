// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.

#include "src/merge/merging_cursor.h"

#include <algorithm>

#include "src/merge/aggregate.h"

namespace mesa::internal {

MergingCursor::MergingCursor(const Schema& schema,
                             std::vector<size_t> value_columns,
                             std::vector<std::unique_ptr<DeltaCursor>> inputs)
    : schema_(schema),
      value_columns_(std::move(value_columns)),
      inputs_(std::move(inputs)) {
  for (size_t c : value_columns_) {
    value_aggs_.push_back(schema_.column(c).aggregation);
  }
  Rebuild();
}

bool MergingCursor::HeapLess(size_t a, size_t b) const {
  const DeltaCursor& x = *inputs_[a];
  const DeltaCursor& y = *inputs_[b];
  int c = CompareKeys(x.batch(), x.row(), y.batch(), y.row(),
                      schema_.num_keys());
  return c != 0 ? c < 0 : a < b;  // equal keys: the older input first
}

void MergingCursor::SiftDown(size_t pos) {
  const size_t n = heap_.size();
  while (true) {
    size_t smallest = pos;
    size_t l = 2 * pos + 1, r = l + 1;
    if (l < n && HeapLess(heap_[l], heap_[smallest])) smallest = l;
    if (r < n && HeapLess(heap_[r], heap_[smallest])) smallest = r;
    if (smallest == pos) return;
    std::swap(heap_[pos], heap_[smallest]);
    pos = smallest;
  }
}

void MergingCursor::Rebuild() {
  heap_.clear();
  for (size_t i = 0; i < inputs_.size(); ++i) {
    if (!inputs_[i]->status().ok()) {
      status_ = inputs_[i]->status();
      return;
    }
    if (inputs_[i]->Valid()) heap_.push_back(i);
  }
  for (size_t i = heap_.size(); i-- > 0;) SiftDown(i);
}

void MergingCursor::CopyRunFromSingle(size_t max_rows, RowBatch* out) {
  DeltaCursor& in = *inputs_[heap_[0]];
  while (out->num_rows() < max_rows && in.Valid()) {
    size_t take = std::min(max_rows - out->num_rows(),
                           in.batch().num_rows() - in.row());
    out->AppendRows(in.batch(), in.row(), in.row() + take);
    in.Advance(take);
  }
  if (!in.status().ok()) status_ = in.status();
  if (!in.Valid()) heap_.clear();
}

bool MergingCursor::NextBatch(size_t max_rows, RowBatch* out) {
  out->Clear();
  if (!status_.ok()) return false;
  const size_t keys = schema_.num_keys();
  const size_t num_values = value_columns_.size();
  auto advance_top = [&]() {
    DeltaCursor& in = *inputs_[heap_[0]];
    in.Next();
    if (!in.Valid()) {
      if (!in.status().ok()) {
        status_ = in.status();
        return false;
      }
      heap_[0] = heap_.back();
      heap_.pop_back();
    }
    if (!heap_.empty()) SiftDown(0);
    return true;
  };
  while (out->num_rows() < max_rows && !heap_.empty()) {
    if (heap_.size() == 1) {
      CopyRunFromSingle(max_rows, out);
      break;
    }
    // Runs: the rows of the top input whose keys are below every other
    // input's current key are copied in bulk, without heap operations.
    // With one big cumulative and a few small singletons, that is most
    // rows.
    {
      DeltaCursor& top = *inputs_[heap_[0]];
      size_t rival = heap_[1];
      if (heap_.size() > 2 && HeapLess(heap_[2], rival)) rival = heap_[2];
      const DeltaCursor& other = *inputs_[rival];
      const RowBatch& tb = top.batch();
      size_t lo = top.row(), hi = tb.num_rows();
      while (lo < hi) {  // first row of `top` not below `other`'s key
        size_t mid = lo + (hi - lo) / 2;
        if (CompareKeys(tb, mid, other.batch(), other.row(), keys) < 0) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      size_t run = std::min(lo - top.row(), max_rows - out->num_rows());
      if (run > 1) {
        out->AppendRows(tb, top.row(), top.row() + run);
        top.Advance(run);
        if (!top.Valid()) {
          if (!top.status().ok()) {
            status_ = top.status();
            return false;
          }
          heap_[0] = heap_.back();
          heap_.pop_back();
        }
        if (!heap_.empty()) SiftDown(0);
        continue;
      }
    }
    {
      const DeltaCursor& top = *inputs_[heap_[0]];
      out->AppendRow(top.batch(), top.row());
    }
    if (!advance_top()) return false;
    const size_t last = out->num_rows() - 1;
    while (!heap_.empty()) {
      const DeltaCursor& next = *inputs_[heap_[0]];
      if (CompareKeys(*out, last, next.batch(), next.row(), keys) != 0) break;
      for (size_t v = 0; v < num_values; ++v) {
        AggregateIntoLast(value_aggs_[v], &out->column(keys + v),
                          next.batch().column(keys + v), next.row());
      }
      if (!advance_top()) return false;
    }
  }
  return status_.ok() && out->num_rows() > 0;
}

CursorStats MergingCursor::stats() const {
  CursorStats total;
  for (const auto& in : inputs_) {
    total.blocks_read += in->stats().blocks_read;
    total.blocks_skipped += in->stats().blocks_skipped;
    total.rows_decoded += in->stats().rows_decoded;
  }
  return total;
}

void MergingCursor::SeekForward(std::string_view encoded_target) {
  if (!status_.ok()) return;
  for (size_t i : heap_) inputs_[i]->SeekForward(encoded_target);
  Rebuild();
}

}  // namespace mesa::internal
