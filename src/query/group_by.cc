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
  fast_ = (mode_ == Mode::kWord || mode_ == Mode::kString) && prefix_ >= 1;
  for (size_t j = 0; j < prefix_; ++j) {
    fast_ = fast_ && row_types_[j] != ColumnType::kString;
  }
  for (const GroupValue& v : values_) {
    fast_ = fast_ && v.type != ColumnType::kString;
  }
}

void GroupAggregator::WordIndex::Clear() {
  size_ = 0;
  if (++generation_ == 0) {
    // Wrapped: slots of generation 0 would look current.
    for (Slot& s : slots_) s.generation = 0;
    generation_ = 1;
  }
}

void GroupAggregator::WordIndex::Grow() {
  std::vector<Slot> old(slots_.size() * 2);
  old.swap(slots_);
  mask_ = slots_.size() - 1;
  --shift_;
  for (const Slot& s : old) {
    if (s.generation != generation_) continue;
    size_t i = Home(s.key);
    while (slots_[i].generation == generation_) i = (i + 1) & mask_;
    slots_[i] = s;
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
    case Mode::kWord:
      g = word_index_.FindOrInsert(
          in.column(group_keys_[prefix_]).GetWord(r), next, &fresh);
      break;
    case Mode::kString: {
      const std::string_view v = in.column(group_keys_[prefix_]).GetString(r);
      if (v.size() <= 7) {
        // Short strings (country codes) pack into one word.
        g = word_index_.FindOrInsert(PackShort(v), next, &fresh);
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
    AppendGroup(in, r);
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

void GroupAggregator::AppendGroup(const RowBatch& in, size_t r) {
  const size_t ng = group_keys_.size();
  if (mode_ == Mode::kWord) {
    sort_words_.push_back(SortableWord(
        row_types_[prefix_], in.column(group_keys_[prefix_]).GetWord(r)));
  } else if (mode_ == Mode::kString) {
    const std::string_view v = in.column(group_keys_[prefix_]).GetString(r);
    sort_by_words_ = sort_by_words_ && v.size() <= 7;
    sort_words_.push_back(v.size() <= 7 ? PackShort(v) : 0);
  }
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
}

void GroupAggregator::Flush(RowBatch* ready) {
  if (!open_) return;
  const size_t n = partition_.num_rows();
  const size_t ng = group_keys_.size();
  std::vector<uint32_t>& order = order_;
  order.resize(n);
  std::iota(order.begin(), order.end(), 0);
  if (mode_ == Mode::kEncoded) {
    std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
      return suffixes_[a] < suffixes_[b];
    });
  } else if (mode_ != Mode::kPrefix && sort_by_words_) {
    const uint64_t* words = sort_words_.data();
    std::sort(order.begin(), order.end(), [words](uint32_t a, uint32_t b) {
      return words[a] < words[b];
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
  word_index_.Clear();
  sort_words_.clear();
  sort_by_words_ = true;
  suffixes_.clear();
  for (auto& s : strings_) s.clear();
  open_ = false;
}

void GroupAggregator::AddRange(const RowBatch& in, size_t begin, size_t end,
                               RowBatch* ready) {
  if (fast_) {
    AddRangeFast(in, begin, end, ready);
    return;
  }
  for (size_t r = begin; r < end; ++r) Add(in, r, ready);
}

void GroupAggregator::AddRangeFast(const RowBatch& in, size_t begin,
                                   size_t end, RowBatch* ready) {
  const size_t ng = group_keys_.size();
  const size_t nv = values_.size();
  // Partition columns: rows [0, prefix_) of `prefix_cols`.
  const uint64_t* prefix_cols[8];
  // The values' input words and the open partition's groups' words.
  const uint64_t* src[8];
  uint64_t* dst[8];
  if (prefix_ > 8 || nv > 8) {
    for (size_t r = begin; r < end; ++r) Add(in, r, ready);
    return;
  }
  for (size_t j = 0; j < prefix_; ++j) {
    prefix_cols[j] = in.column(group_keys_[j]).words().data();
  }
  open_prefix_.resize(prefix_);
  if (open_) {
    for (size_t j = 0; j < prefix_; ++j) {
      open_prefix_[j] = partition_.column(j).GetWord(0);
    }
  }
  // Every value a SUM that AggregateWords does as a plain add.
  bool word_sums = true;
  for (size_t i = 0; i < nv; ++i) {
    const GroupValue& v = values_[i];
    src[i] = in.column(v.merged_pos).words().data();
    dst[i] = partition_.column(ng + i).words().data();
    word_sums = word_sums && v.aggregation == Aggregation::kSum &&
                (v.type == ColumnType::kInt64 || v.type == ColumnType::kUint64);
  }
  const ColumnVector& group_col = in.column(group_keys_[prefix_]);
  const bool strings = mode_ == Mode::kString;
  const uint64_t* group_words = strings ? nullptr : group_col.words().data();
  const uint32_t* offsets = strings ? group_col.offsets().data() : nullptr;
  const char* bytes = strings ? group_col.bytes().data() : nullptr;
  for (size_t r = begin; r < end; ++r) {
    bool same = open_;
    for (size_t j = 0; j < prefix_ && same; ++j) {
      same = prefix_cols[j][r] == open_prefix_[j];
    }
    if (!same) {
      Flush(ready);
      open_ = true;
      for (size_t j = 0; j < prefix_; ++j) open_prefix_[j] = prefix_cols[j][r];
    }
    const uint32_t next = static_cast<uint32_t>(partition_.num_rows());
    bool fresh;
    uint32_t g;
    if (!strings) {
      g = word_index_.FindOrInsert(group_words[r], next, &fresh);
    } else {
      const std::string_view v(bytes + offsets[r], offsets[r + 1] - offsets[r]);
      if (v.size() <= 7) {
        g = word_index_.FindOrInsert(PackShort(v), next, &fresh);
      } else {
        auto it = index_.find(absl::string_view(v.data(), v.size()));
        fresh = it == index_.end();
        if (fresh) it = index_.emplace(std::string(v), next).first;
        g = it->second;
      }
    }
    if (fresh) {
      AppendGroup(in, r);
      // The groups' value columns may have moved.
      for (size_t i = 0; i < nv; ++i) {
        dst[i] = partition_.column(ng + i).words().data();
      }
      continue;
    }
    if (word_sums) {
      for (size_t i = 0; i < nv; ++i) dst[i][g] += src[i][r];  // wraps
      continue;
    }
    for (size_t i = 0; i < nv; ++i) {
      const GroupValue& v = values_[i];
      dst[i][g] = AggregateWords(v.aggregation, v.type, dst[i][g], src[i][r]);
    }
  }
}

void GroupAggregator::Finish(RowBatch* ready) { Flush(ready); }

void GroupAggregator::EncodeGroupKey(const RowBatch& groups, size_t r,
                                     std::string* dst) const {
  for (size_t j = 0; j < group_keys_.size(); ++j) {
    AppendKeyPart(groups.column(j), r, dst);
  }
}

}  // namespace mesa::internal
