// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.

#include "src/merge/merging_cursor.h"

#include <algorithm>
#include <cstring>

#include "fmt/format.h"
#include "src/format/key_coding.h"
#include "src/merge/aggregate.h"
#include "src/merge/key_compare.h"

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
  for (size_t c = 0; c < schema_.num_keys(); ++c) {
    key_types_.push_back(schema_.column(c).type);
  }
  Rebuild();
}

std::unique_ptr<MergingCursor> MergingCursor::Single(
    const Schema& schema, std::unique_ptr<DeltaCursor> input) {
  std::vector<std::unique_ptr<DeltaCursor>> inputs;
  if (input != nullptr) inputs.push_back(std::move(input));
  // Built empty, so the constructor normalizes no key.
  auto cursor = std::unique_ptr<MergingCursor>(
      new MergingCursor(schema, {}, {}));
  cursor->compare_keys_ = false;
  cursor->inputs_ = std::move(inputs);
  cursor->Rebuild();
  return cursor;
}

std::unique_ptr<MergingCursor> MergingCursor::ByPrefix(
    const Schema& schema, size_t prefix,
    std::vector<std::unique_ptr<DeltaCursor>> inputs) {
  auto cursor = std::unique_ptr<MergingCursor>(
      new MergingCursor(schema, {}, {}));
  cursor->compare_keys_ = false;
  cursor->by_prefix_ = true;
  cursor->prefix_ = prefix;
  cursor->inputs_ = std::move(inputs);
  if (prefix > kMaxPrefix || prefix > schema.num_keys()) {
    cursor->status_ = absl::InvalidArgumentError(
        "a by-prefix cursor interleaves by at most 8 key columns");
    return cursor;
  }
  for (size_t c = 0; c < prefix; ++c) {
    if (schema.column(c).type == ColumnType::kString) {
      cursor->status_ = absl::InvalidArgumentError(fmt::format(
          "a by-prefix cursor interleaves by numbers; key column '{}' is a "
          "string",
          schema.column(c).name));
      return cursor;
    }
  }
  cursor->Rebuild();
  return cursor;
}

bool MergingCursor::NextByPrefix(size_t max_rows, RowBatch* out) {
  const size_t p = prefix_;
  ColumnType types[kMaxPrefix];
  for (size_t c = 0; c < p; ++c) types[c] = schema_.column(c).type;
  // The prefix of row r of b as words whose unsigned order is the key order.
  auto load = [&](const RowBatch& b, size_t r, uint64_t* w) {
    for (size_t c = 0; c < p; ++c) {
      w[c] = SortableWord(types[c], b.column(c).GetWord(r));
    }
  };
  uint64_t best[kMaxPrefix], cur[kMaxPrefix];
  while (out->num_rows() < max_rows) {
    bool any = false;
    for (const auto& in : inputs_) {
      if (!in->Valid()) continue;
      load(in->batch(), in->row(), cur);
      if (!any || std::lexicographical_compare(cur, cur + p, best, best + p)) {
        std::copy(cur, cur + p, best);
      }
      any = true;
    }
    if (!any) break;
    for (const auto& in : inputs_) {
      // Equal words are equal values (doubles compare by totalOrder).
      auto same = [&](const RowBatch& b, size_t r) {
        for (size_t c = 0; c < p; ++c) {
          if (SortableWord(types[c], b.column(c).GetWord(r)) != best[c]) {
            return false;
          }
        }
        return true;
      };
      while (in->Valid() && out->num_rows() < max_rows &&
             same(in->batch(), in->row())) {
        const RowBatch& b = in->batch();
        const size_t first = in->row();
        const size_t limit =
            std::min(b.num_rows(), first + (max_rows - out->num_rows()));
        size_t end = first + 1;
        while (end < limit && same(b, end)) ++end;
        out->AppendRows(b, first, end);
        in->Advance(end - first);
      }
      if (!in->status().ok()) {
        status_ = in->status();
        return false;
      }
    }
  }
  return out->num_rows() > 0;
}

int MergingCursor::Compare(const RowBatch& a, size_t i, const RowBatch& b,
                           size_t j) const {
  return CompareKeyColumns(key_types_, a, i, b, j);
}

void MergingCursor::Normalize(const RowBatch& b, size_t r,
                              NormKey* k) const {
  constexpr size_t kBytes = 32;
  unsigned char buf[kBytes + 8] = {};
  size_t n = 0;
  auto put64 = [&](uint64_t v) {
    v = __builtin_bswap64(v);
    std::memcpy(buf + n, &v, 8);
    n += 8;
  };
  k->exact = true;
  for (size_t c = 0; c < key_types_.size() && k->exact; ++c) {
    if (n >= kBytes) {
      k->exact = false;
      break;
    }
    const ColumnVector& col = b.column(c);
    switch (key_types_[c]) {
      case ColumnType::kInt32: {
        uint32_t v = __builtin_bswap32(
            static_cast<uint32_t>(col.GetInt32(r)) ^ 0x80000000u);
        std::memcpy(buf + n, &v, 4);
        n += 4;
        break;
      }
      case ColumnType::kInt64:
        put64(col.GetWord(r) ^ (uint64_t{1} << 63));
        break;
      case ColumnType::kUint64:
        put64(col.GetWord(r));
        break;
      case ColumnType::kDouble:
        put64(DoubleOrderedBits(col.GetWord(r)));
        break;
      case ColumnType::kString: {
        // As AppendKeyPart: 0x00 escaped as 0x00 0xff, then 0x00 0x01.
        std::string_view str = col.GetString(r);
        size_t i = 0;
        for (; i < str.size() && n < kBytes; ++i) {
          buf[n++] = static_cast<unsigned char>(str[i]);
          if (str[i] == '\0' && n < kBytes) buf[n++] = 0xff;
        }
        if (i < str.size() || n + 2 > kBytes) {
          k->exact = false;  // the rest (or the terminator) is cut off
          n = kBytes;
        } else {
          buf[n++] = 0;
          buf[n++] = 1;
        }
        break;
      }
    }
  }
  if (n > kBytes) k->exact = false;
  for (size_t w = 0; w < 4; ++w) {
    uint64_t v;
    std::memcpy(&v, buf + 8 * w, 8);
    k->w[w] = __builtin_bswap64(v);
  }
}

void MergingCursor::Refresh(size_t input) {
  const DeltaCursor& in = *inputs_[input];
  if (!in.Valid() || !compare_keys_) return;
  if (input == next_input_ && in.row() == next_row_ &&
      in.stats().blocks_read == next_block_) {
    norms_[input] = next_norm_;
    return;
  }
  Normalize(in.batch(), in.row(), &norms_[input]);
}

int MergingCursor::CompareNorm(const NormKey& x, const RowBatch& a, size_t i,
                               const NormKey& y, const RowBatch& b,
                               size_t j) const {
  for (size_t w = 0; w < 4; ++w) {
    if (x.w[w] != y.w[w]) return x.w[w] < y.w[w] ? -1 : 1;
  }
  return x.exact && y.exact ? 0 : Compare(a, i, b, j);
}

bool MergingCursor::HeapLess(size_t a, size_t b) const {
  const DeltaCursor& x = *inputs_[a];
  const DeltaCursor& y = *inputs_[b];
  int c = CompareNorm(norms_[a], x.batch(), x.row(), norms_[b], y.batch(),
                      y.row());
  return c != 0 ? c < 0 : a < b;  // equal keys: the older input first
}

size_t MergingCursor::RunBelow(size_t rival, size_t limit) {
  const DeltaCursor& top = *inputs_[heap_[0]];
  const DeltaCursor& other = *inputs_[rival];
  const RowBatch& tb = top.batch();
  const size_t first = top.row();
  const size_t end = std::min(tb.num_rows(), first + limit);
  NormKey k;
  auto below = [&](size_t r) {
    Normalize(tb, r, &k);
    return CompareNorm(k, tb, r, norms_[rival], other.batch(), other.row()) <
           0;
  };
  // Inputs whose keys interleave (the usual case: every delta spans the
  // key space) give runs of one row, which one comparison settles; long
  // runs are found by galloping, then a binary search. A result below 2
  // only means "no run of two rows": the caller then takes one row.
  if (first + 1 >= end) return 1;
  const bool next_below = below(first + 1);
  // Usually the run is one row and first + 1 becomes the top's key.
  next_norm_ = k;
  next_input_ = heap_[0];
  next_row_ = first + 1;
  next_block_ = top.stats().blocks_read;
  if (!next_below) return 1;
  size_t lo = first + 2, step = 1;  // rows below `lo` are below `other`
  size_t hi = lo;
  while (hi < end && below(hi)) {
    lo = hi + 1;
    step *= 2;
    hi = std::min(end, lo + step);
  }
  hi = std::min(hi, end);
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (below(mid)) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo - first;
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
  norms_.resize(inputs_.size());
  for (size_t i = 0; i < inputs_.size(); ++i) {
    if (!inputs_[i]->status().ok()) {
      status_ = inputs_[i]->status();
      return;
    }
    if (inputs_[i]->Valid()) {
      Refresh(i);
      heap_.push_back(i);
    }
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
  Refresh(heap_[0]);
  if (!in.status().ok()) status_ = in.status();
  if (!in.Valid()) heap_.clear();
}

bool MergingCursor::ReleaseWindow() {
  if (window_ == nullptr || !window_->holds_rows()) return true;
  absl::Status s = window_->Release(inputs_);
  if (!s.ok()) status_ = s;
  return s.ok();
}

void MergingCursor::NextWindowed(size_t max_rows, RowBatch* out) {
  if (window_ == nullptr) {
    window_ = std::make_unique<MergeWindow>(schema_, value_columns_);
  }
  while (out->num_rows() < max_rows) {
    if (window_->empty()) {
      if (!ReleaseWindow()) return;
      if (rows_since_seek_ < window_after_rows_) return;
      size_t valid = 0;
      for (const auto& in : inputs_) valid += in->Valid();
      if (valid < 3) return;
      size_t largest = 0;
      const size_t rows = window_->Plan(inputs_, &largest);
      // Mostly one input's rows: the heap copies its runs faster.
      if (rows == 0 || largest * 8 > rows * 7) return;
      heap_stale_ = true;
      ++windows_;
      window_->Fill(inputs_);
    }
    window_->Take(max_rows - out->num_rows(), out);
  }
}

bool MergingCursor::NextBatch(size_t max_rows, RowBatch* out) {
  out->Clear();
  if (!status_.ok()) return false;
  if (by_prefix_) return NextByPrefix(max_rows, out);
  if (compare_keys_ && inputs_.size() >= 3) {
    NextWindowed(max_rows, out);
    if (!status_.ok()) return false;
    if (heap_stale_ && out->num_rows() < max_rows) {
      if (!ReleaseWindow()) return false;
      heap_stale_ = false;
      Rebuild();
      if (!status_.ok()) return false;
    }
  }
  const size_t keys = schema_.num_keys();
  const size_t num_values = value_columns_.size();
  auto advance_top = [&]() {
    DeltaCursor& in = *inputs_[heap_[0]];
    in.Next();
    Refresh(heap_[0]);
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
      const RowBatch& tb = top.batch();
      size_t run = RunBelow(rival, max_rows - out->num_rows());
      if (run > 1) {
        out->AppendRows(tb, top.row(), top.row() + run);
        top.Advance(run);
        Refresh(heap_[0]);
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
    const NormKey last_norm = norms_[heap_[0]];
    {
      const DeltaCursor& top = *inputs_[heap_[0]];
      out->AppendRow(top.batch(), top.row());
    }
    if (!advance_top()) return false;
    const size_t last = out->num_rows() - 1;
    while (!heap_.empty()) {
      const DeltaCursor& next = *inputs_[heap_[0]];
      if (CompareNorm(last_norm, *out, last, norms_[heap_[0]], next.batch(),
                      next.row()) != 0) {
        break;
      }
      for (size_t v = 0; v < num_values; ++v) {
        AggregateIntoLast(value_aggs_[v], &out->column(keys + v),
                          next.batch().column(keys + v), next.row());
      }
      if (!advance_top()) return false;
    }
  }
  rows_since_seek_ += out->num_rows();
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

  rows_since_seek_ = 0;
  if (window_ != nullptr && !window_->empty() &&
      window_->SkipBelow(encoded_target)) {
    // The window's rows left are at or past the target, and every input
    // row after the window is past them: nothing else moves.
    return;
  }
  if (!ReleaseWindow()) return;
  for (auto& in : inputs_) {
    if (in->Valid()) in->SeekForward(encoded_target);
  }
  heap_stale_ = false;
  Rebuild();
}

}  // namespace mesa::internal
