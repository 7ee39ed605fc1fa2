// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.

#include "src/query/group_by.h"

#include <algorithm>
#include <numeric>

#include "src/format/key_coding.h"
#include "src/merge/aggregate.h"

namespace mesa::internal {

GroupAggregator::GroupAggregator(std::vector<size_t> group_keys, size_t prefix,
                                 std::vector<GroupValue> values,
                                 std::vector<ColumnType> key_types)
    : group_keys_(std::move(group_keys)),
      prefix_(prefix),
      values_(std::move(values)),
      row_types_(std::move(key_types)) {
  for (const GroupValue& v : values_) row_types_.push_back(v.type);
  partition_ = RowBatch(row_types_);
  strings_.resize(values_.size());
  if (prefix_ == group_keys_.size()) {
    mode_ = Mode::kPrefix;
  } else if (prefix_ + 1 == group_keys_.size()) {
    mode_ = row_types_[prefix_] == ColumnType::kString ? Mode::kString
                                                        : Mode::kWord;
  }
}

bool GroupAggregator::SamePartition(const RowBatch& in, size_t r) const {
  // Equal words are equal values (doubles compare by totalOrder, which
  // tells every bit pattern apart).
  for (size_t j = 0; j < prefix_; ++j) {
    const ColumnVector& a = in.column(group_keys_[j]);
    const ColumnVector& b = partition_.column(j);
    if (a.is_string() ? a.GetString(r) != b.GetString(0)
                      : a.GetWord(r) != b.GetWord(0)) {
      return false;
    }
  }
  return true;
}

void GroupAggregator::Add(const RowBatch& in, size_t r, RowBatch* ready) {
  if (open_ && !SamePartition(in, r)) Flush(ready);
  open_ = true;
  const size_t ng = group_keys_.size();
  const uint32_t next = static_cast<uint32_t>(partition_.num_rows());
  size_t g = 0;
  bool fresh = false;
  switch (mode_) {
    case Mode::kPrefix:
      fresh = next == 0;
      break;
    case Mode::kWord: {
      auto [it, inserted] =
          word_index_.try_emplace(in.column(group_keys_[prefix_]).GetWord(r),
                                  next);
      fresh = inserted;
      g = it->second;
      break;
    }
    case Mode::kString: {
      const std::string_view v = in.column(group_keys_[prefix_]).GetString(r);
      if (v.size() <= 7) {
        // Short strings (country codes) pack into one word: the bytes,
        // and the length in the top byte (so "a" and "a\0" differ).
        uint64_t packed = uint64_t{v.size()} << 56;
        for (size_t i = 0; i < v.size(); ++i) {
          packed |= uint64_t{static_cast<uint8_t>(v[i])} << (8 * i);
        }
        auto [it, inserted] = word_index_.try_emplace(packed, next);
        fresh = inserted;
        g = it->second;
        break;
      }
      auto it = index_.find(absl::string_view(v.data(), v.size()));
      fresh = it == index_.end();
      if (fresh) it = index_.emplace(std::string(v), next).first;
      g = it->second;
      break;
    }
    case Mode::kEncoded: {
      buf_.clear();
      for (size_t j = prefix_; j < ng; ++j) {
        AppendKeyPart(in.column(group_keys_[j]), r, &buf_);
      }
      auto [it, inserted] = index_.try_emplace(buf_, next);
      fresh = inserted;
      g = it->second;
      if (inserted) suffixes_.push_back(buf_);
      break;
    }
  }
  if (fresh) {
    for (size_t j = 0; j < ng; ++j) {
      partition_.column(j).AppendFrom(in.column(group_keys_[j]), r);
    }
    for (size_t i = 0; i < values_.size(); ++i) {
      ColumnVector& dst = partition_.column(ng + i);
      const ColumnVector& src = in.column(values_[i].merged_pos);
      if (dst.is_string()) {
        strings_[i].emplace_back(src.GetString(r));
        dst.AppendString({});
      } else {
        dst.AppendFrom(src, r);
      }
    }
    return;
  }
  // Rows come in key order; for SUM, MIN and MAX the order does not
  // matter (REPLACE is only allowed when every group is one key).
  for (size_t i = 0; i < values_.size(); ++i) {
    const GroupValue& v = values_[i];
    ColumnVector& dst = partition_.column(ng + i);
    const ColumnVector& src = in.column(v.merged_pos);
    if (!dst.is_string()) {
      uint64_t& w = dst.words()[g];
      if (v.aggregation == Aggregation::kSum &&
          (v.type == ColumnType::kInt64 || v.type == ColumnType::kUint64)) {
        w += src.GetWord(r);  // wraps, as AggregateWords does
      } else {
        w = AggregateWords(v.aggregation, v.type, w, src.GetWord(r));
      }
      continue;
    }
    std::string& s = strings_[i][g];
    const std::string_view newer = src.GetString(r);
    if (v.aggregation == Aggregation::kReplace ||
        (v.aggregation == Aggregation::kMin && newer < s) ||
        (v.aggregation == Aggregation::kMax && newer > s)) {
      s.assign(newer);
    }
  }
}

void GroupAggregator::Flush(RowBatch* ready) {
  if (!open_) return;
  const size_t n = partition_.num_rows();
  const size_t ng = group_keys_.size();
  std::vector<uint32_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  if (mode_ == Mode::kEncoded) {
    std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
      return suffixes_[a] < suffixes_[b];
    });
  } else if (mode_ != Mode::kPrefix) {
    const ColumnVector& col = partition_.column(prefix_);
    std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
      return CompareValues(col, a, col, b) < 0;
    });
  }
  for (uint32_t g : order) {
    for (size_t c = 0; c < ng; ++c) {
      ready->column(c).AppendFrom(partition_.column(c), g);
    }
    for (size_t i = 0; i < values_.size(); ++i) {
      ColumnVector& dst = ready->column(ng + i);
      if (dst.is_string()) {
        dst.AppendString(strings_[i][g]);
      } else {
        dst.AppendFrom(partition_.column(ng + i), g);
      }
    }
  }
  groups_out_ += n;
  partition_.Clear();
  index_.clear();
  word_index_.clear();
  suffixes_.clear();
  for (auto& s : strings_) s.clear();
  open_ = false;
}

void GroupAggregator::AddRange(const RowBatch& in, size_t begin, size_t end,
                               RowBatch* ready) {
  for (size_t r = begin; r < end; ++r) Add(in, r, ready);
}

void GroupAggregator::Finish(RowBatch* ready) { Flush(ready); }

void GroupAggregator::EncodeGroupKey(const RowBatch& groups, size_t r,
                                     std::string* dst) const {
  for (size_t j = 0; j < group_keys_.size(); ++j) {
    AppendKeyPart(groups.column(j), r, dst);
  }
}

}  // namespace mesa::internal
