// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.

#include "src/format/zone_map.h"

#include <algorithm>

#include "src/format/key_coding.h"
#include "src/util/status_macros.h"

namespace mesa::internal {
ZoneMap ZoneMap::Of(const ColumnVector& column, size_t begin, size_t end) {
  ZoneMap z(column.type());
  if (begin >= end) return z;
  if (!column.is_string()) {
    const ColumnType type = column.type();
    const uint64_t* w = column.words().data();
    uint64_t lo = SortableWord(type, w[begin]), hi = lo;
    size_t lo_i = begin, hi_i = begin;
    for (size_t i = begin + 1; i < end; ++i) {
      uint64_t s = SortableWord(type, w[i]);
      if (s < lo) lo = s, lo_i = i;
      if (s > hi) hi = s, hi_i = i;
    }
    z.bounds_.AppendWord(w[lo_i]);
    z.bounds_.AppendWord(w[hi_i]);
    return z;
  }
  std::string_view lo, hi;
  const uint32_t* off = column.offsets().data();
  bool all_short = true;
  for (size_t i = begin; i < end && all_short; ++i) {
    all_short = off[i + 1] - off[i] <= 8;
  }
  if (all_short) {
    // (ShortStringWord, length) pairs order as the strings do: compared
    // in registers, with no call per value.
    const char* bytes = column.bytes().data();
    const size_t size = column.bytes().size();
    auto word = [&](size_t i) {
      return ShortStringWord(bytes + off[i], off[i + 1] - off[i],
                             size - off[i]);
    };
    uint64_t lo_w = word(begin), hi_w = lo_w;
    uint32_t lo_n = off[begin + 1] - off[begin], hi_n = lo_n;
    size_t lo_i = begin, hi_i = begin;
    for (size_t i = begin + 1; i < end; ++i) {
      const uint64_t w = word(i);
      const uint32_t len = off[i + 1] - off[i];
      if (w < lo_w || (w == lo_w && len < lo_n)) {
        lo_w = w, lo_n = len, lo_i = i;
      }
      if (w > hi_w || (w == hi_w && len > hi_n)) {
        hi_w = w, hi_n = len, hi_i = i;
      }
    }
    lo = column.GetString(lo_i);
    hi = column.GetString(hi_i);
  } else {
    lo = hi = column.GetString(begin);
    for (size_t i = begin + 1; i < end; ++i) {
      std::string_view s = column.GetString(i);
      if (s < lo) lo = s;
      if (s > hi) hi = s;
    }
  }
  // A cut string is still a lower bound; a cut max is not an upper bound.
  z.bounds_.AppendString(lo.substr(0, kMaxStringBound));
  z.has_max_ = hi.size() <= kMaxStringBound;
  z.bounds_.AppendString(z.has_max_ ? hi : std::string_view());
  return z;
}

ZoneMap ZoneMap::OfOrderedInts(ColumnType type, uint64_t min_ordered,
                               uint64_t max_ordered) {
  MESA_DCHECK(type == ColumnType::kInt32 || type == ColumnType::kInt64 ||
              type == ColumnType::kUint64);
  ZoneMap z(type);
  z.bounds_.AppendWord(WordFromOrdered(type, min_ordered));
  z.bounds_.AppendWord(WordFromOrdered(type, max_ordered));
  return z;
}

void ZoneMap::Merge(const ZoneMap& other) {
  if (other.empty()) return;
  if (empty()) {
    *this = other;
    return;
  }
  ColumnVector merged(bounds_.type());
  merged.AppendFrom(CompareValues(other.bounds_, 0, bounds_, 0) < 0
                        ? other.bounds_
                        : bounds_,
                    0);
  bool has_max = has_max_ && other.has_max_;
  if (has_max) {
    merged.AppendFrom(CompareValues(other.bounds_, 1, bounds_, 1) > 0
                          ? other.bounds_
                          : bounds_,
                      1);
  } else {
    merged.AppendFrom(bounds_, 1);  // placeholder; ignored without a max
  }
  bounds_ = std::move(merged);
  has_max_ = has_max;
}

bool ZoneMap::MayMatch(const ColumnPredicate& p) const {
  if (empty()) return false;
  auto cmp_min = [&](size_t i) {  // operand i vs min
    return CompareValues(p.operands, i, bounds_, 0);
  };
  auto cmp_max = [&](size_t i) {  // operand i vs max
    return CompareValues(p.operands, i, bounds_, 1);
  };
  auto in_range = [&](size_t i) {
    return cmp_min(i) >= 0 && (!has_max_ || cmp_max(i) <= 0);
  };
  switch (p.op) {
    case CompareOp::kEq:
      return in_range(0);
    case CompareOp::kIn:
      for (size_t i = 0; i < p.operands.size(); ++i) {
        if (in_range(i)) return true;
      }
      return false;
    case CompareOp::kNe:
      // Only a zone holding one value, equal to the operand, is excluded.
      return !(has_max_ && CompareValues(bounds_, 0, bounds_, 1) == 0 &&
               cmp_min(0) == 0);
    case CompareOp::kLt:  // some value < x  <=>  min < x
      return cmp_min(0) > 0;
    case CompareOp::kLe:
      return cmp_min(0) >= 0;
    case CompareOp::kGt:  // some value > x  <=>  max > x
      return !has_max_ || cmp_max(0) < 0;
    case CompareOp::kGe:
      return !has_max_ || cmp_max(0) <= 0;
  }
  return true;
}

void ZoneMap::EncodeTo(std::string* dst) const {
  PutFixed8(dst, has_max_ ? 0 : 1);
  auto put = [&](size_t i) {
    if (bounds_.is_string()) {
      PutLengthPrefixed(dst, bounds_.GetString(i));
    } else {
      PutFixed64(dst, bounds_.GetWord(i));
    }
  };
  put(0);
  if (has_max_) put(1);
}

bool ZoneMap::DecodeFrom(Decoder* in, ColumnType type) {
  bounds_ = ColumnVector(type);
  uint8_t flags;
  if (!in->GetFixed8(&flags) || flags > 1) return false;
  has_max_ = flags == 0;
  auto get = [&]() {
    if (type == ColumnType::kString) {
      std::string_view s;
      if (!in->GetLengthPrefixed(&s) || s.size() > kMaxStringBound) {
        return false;
      }
      bounds_.AppendString(s);
      return true;
    }
    uint64_t w;
    if (!in->GetFixed64(&w)) return false;
    // An int32 column's words are sign-extended 32-bit values.
    if (type == ColumnType::kInt32 &&
        static_cast<int64_t>(w) != static_cast<int32_t>(w)) {
      return false;
    }
    bounds_.AppendWord(w);
    return true;
  };
  if (!get()) return false;
  if (has_max_) {
    if (!get()) return false;
    if (CompareValues(bounds_, 0, bounds_, 1) > 0) return false;  // min > max
  } else {
    if (type != ColumnType::kString) return false;  // only strings lack a max
    std::string min(bounds_.GetString(0));  // placeholder max
    bounds_.AppendString(min);
  }
  return true;
}

}  // namespace mesa::internal
