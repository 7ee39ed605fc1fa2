// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.

#include "src/query/key_ranges.h"

#include <algorithm>
#include <limits>
#include <numeric>

#include "src/format/key_coding.h"

namespace mesa::internal {
namespace {

int Compare1(const ColumnVector& a, size_t i, const ColumnVector& b) {
  return CompareValues(a, i, b, 0);
}

ColumnVector One(const ColumnVector& src, size_t row) {
  ColumnVector v(src.type());
  v.AppendFrom(src, row);
  return v;
}

// The distinct values of `col`, sorted.
ColumnVector SortedDistinct(const ColumnVector& col) {
  std::vector<size_t> order(col.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return CompareValues(col, a, col, b) < 0;
  });
  ColumnVector out(col.type());
  for (size_t i = 0; i < order.size(); ++i) {
    if (i > 0 && CompareValues(col, order[i], col, order[i - 1]) == 0) continue;
    out.AppendFrom(col, order[i]);
  }
  return out;
}

// The values of `a` (sorted, distinct) that are also in `b`.
ColumnVector Intersect(const ColumnVector& a, const ColumnVector& b) {
  ColumnVector out(a.type());
  for (size_t i = 0; i < a.size(); ++i) {
    for (size_t j = 0; j < b.size(); ++j) {
      if (CompareValues(a, i, b, j) == 0) {
        out.AppendFrom(a, i);
        break;
      }
    }
  }
  return out;
}

}  // namespace

bool AppendSuccessor(const ColumnVector& col, size_t row, ColumnVector* out) {
  switch (col.type()) {
    case ColumnType::kInt32: {
      const int32_t v = col.GetInt32(row);
      if (v == std::numeric_limits<int32_t>::max()) return false;
      out->AppendInt32(v + 1);
      return true;
    }
    case ColumnType::kInt64: {
      const int64_t v = col.GetInt64(row);
      if (v == std::numeric_limits<int64_t>::max()) return false;
      out->AppendInt64(v + 1);
      return true;
    }
    case ColumnType::kUint64: {
      const uint64_t v = col.GetUint64(row);
      if (v == std::numeric_limits<uint64_t>::max()) return false;
      out->AppendUint64(v + 1);
      return true;
    }
    case ColumnType::kDouble: {
      const uint64_t ordered = DoubleOrderedBits(col.GetWord(row));
      if (ordered == std::numeric_limits<uint64_t>::max()) return false;
      out->AppendWord(DoubleFromOrderedBits(ordered + 1));
      return true;
    }
    case ColumnType::kString: {
      std::string s(col.GetString(row));
      s.push_back('\0');
      out->AppendString(s);
      return true;
    }
  }
  return false;
}

KeyRanges::KeyRanges(const Schema& schema,
                     const std::vector<ColumnPredicate>& predicates)
    : columns_(schema.num_keys()) {
  for (const ColumnPredicate& p : predicates) {
    if (p.column >= schema.num_keys() || p.op == CompareOp::kNe) continue;
    Column& col = columns_[p.column];
    col.constrained = true;
    switch (p.op) {
      case CompareOp::kEq:
      case CompareOp::kIn: {
        ColumnVector set = SortedDistinct(p.operands);
        col.points = col.points ? Intersect(*col.points, set) : std::move(set);
        break;
      }
      case CompareOp::kGt:
      case CompareOp::kGe: {
        ColumnVector lo(p.operands.type());
        if (p.op == CompareOp::kGe) {
          lo.AppendFrom(p.operands, 0);
        } else if (!AppendSuccessor(p.operands, 0, &lo)) {
          empty_ = true;  // nothing is above the type's largest value
          break;
        }
        if (!col.lo || Compare1(lo, 0, *col.lo) > 0) col.lo = std::move(lo);
        break;
      }
      case CompareOp::kLt:
      case CompareOp::kLe: {
        const bool inclusive = p.op == CompareOp::kLe;
        int c = col.hi ? Compare1(p.operands, 0, *col.hi) : -1;
        if (c < 0 || (c == 0 && !inclusive)) {
          col.hi = One(p.operands, 0);
          col.hi_inclusive = inclusive;
        }
        break;
      }
      case CompareOp::kNe:
        break;
    }
  }
  for (Column& col : columns_) {
    auto above_lo = [&](const ColumnVector& v, size_t i) {
      return !col.lo || Compare1(v, i, *col.lo) >= 0;
    };
    auto below_hi = [&](const ColumnVector& v, size_t i) {
      if (!col.hi) return true;
      int c = Compare1(v, i, *col.hi);
      return c < 0 || (c == 0 && col.hi_inclusive);
    };
    if (col.points) {
      ColumnVector kept(col.points->type());
      for (size_t i = 0; i < col.points->size(); ++i) {
        if (above_lo(*col.points, i) && below_hi(*col.points, i)) {
          kept.AppendFrom(*col.points, i);
        }
      }
      col.points = std::move(kept);
      col.lo.reset();
      col.hi.reset();
      empty_ = empty_ || col.points->empty();
    } else if (col.lo && col.hi) {
      empty_ = empty_ || !below_hi(*col.lo, 0);
    }
  }
  bool all_single = true;
  for (size_t c = 0; c < columns_.size(); ++c) {
    const Column& col = columns_[c];
    if (col.constrained && (!all_single || (col.points && col.points->size() > 1))) {
      skips_ = true;
    }
    all_single = all_single && col.points && col.points->size() == 1;
    constrained_ = constrained_ || col.constrained;
  }
}

std::string KeyRanges::Start() const {
  std::string start;
  for (const Column& col : columns_) {
    if (col.points && !col.points->empty()) {
      AppendKeyPart(*col.points, 0, &start);
      if (col.points->size() > 1) break;
    } else {
      if (col.lo) AppendKeyPart(*col.lo, 0, &start);
      break;
    }
  }
  return start;
}

bool KeyRanges::Interval(std::string* upper) const {
  upper->clear();
  if (empty_) return false;
  // The single values of the leading columns, as a row (for KeySuccessor).
  std::vector<ColumnType> types;
  for (const Column& col : columns_) {
    if (!col.points || col.points->size() != 1) break;
    types.push_back(col.points->type());
  }
  const size_t k = types.size();
  for (size_t c = k + 1; c < columns_.size(); ++c) {
    if (columns_[c].constrained) return false;
  }
  if (k < columns_.size() && columns_[k].points) return false;  // IN list
  RowBatch prefix(types);
  for (size_t c = 0; c < k; ++c) {
    prefix.column(c).AppendFrom(*columns_[c].points, 0);
  }
  if (k < columns_.size() && columns_[k].hi) {
    const Column& col = columns_[k];
    std::string head;
    for (size_t c = 0; c < k; ++c) AppendKeyPart(prefix.column(c), 0, &head);
    if (!col.hi_inclusive) {
      *upper = head;
      AppendKeyPart(*col.hi, 0, upper);
      return true;
    }
    ColumnVector next(col.hi->type());
    if (AppendSuccessor(*col.hi, 0, &next)) {
      *upper = head;
      AppendKeyPart(next, 0, upper);
      return true;
    }
    // hi is its type's largest value: the interval ends with the prefix.
  }
  // Every key that starts with the prefix (none: the whole table).
  if (k > 0 && !KeySuccessor(prefix, 0, k, upper)) upper->clear();
  return true;
}

bool KeySuccessor(const RowBatch& keys, size_t row, size_t c,
                  std::string* target) {
  for (size_t j = c; j-- > 0;) {
    ColumnVector next(keys.column(j).type());
    if (!AppendSuccessor(keys.column(j), row, &next)) continue;
    target->clear();
    for (size_t i = 0; i < j; ++i) AppendKeyPart(keys.column(i), row, target);
    AppendKeyPart(next, 0, target);
    return true;
  }
  return false;
}

KeyRanges::Step KeyRanges::Next(const RowBatch& keys, size_t row,
                                std::string* target) const {
  if (empty_) return Step::kEnd;
  if (!constrained_) return Step::kMatch;
  for (size_t c = 0; c < columns_.size(); ++c) {
    const Column& col = columns_[c];
    if (!col.constrained) continue;
    const ColumnVector& x = keys.column(c);
    const ColumnVector* seek_to = nullptr;
    size_t seek_row = 0;
    bool above = false;
    if (col.points) {
      const ColumnVector& pts = *col.points;
      size_t lo = 0, hi = pts.size();
      while (lo < hi) {  // first point >= x
        size_t mid = lo + (hi - lo) / 2;
        if (CompareValues(pts, mid, x, row) < 0) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      if (lo == pts.size()) {
        above = true;
      } else if (CompareValues(pts, lo, x, row) != 0) {
        seek_to = &pts;
        seek_row = lo;
      }
    } else {
      if (col.lo && CompareValues(x, row, *col.lo, 0) < 0) {
        seek_to = &*col.lo;
      } else if (col.hi) {
        int cmp = CompareValues(x, row, *col.hi, 0);
        above = cmp > 0 || (cmp == 0 && !col.hi_inclusive);
      }
    }
    if (seek_to != nullptr) {
      target->clear();
      for (size_t i = 0; i < c; ++i) AppendKeyPart(keys.column(i), row, target);
      AppendKeyPart(*seek_to, seek_row, target);
      return Step::kSeek;
    }
    if (above) {
      return KeySuccessor(keys, row, c, target) ? Step::kSeek
                                                     : Step::kEnd;
    }
  }
  return Step::kMatch;
}

}  // namespace mesa::internal
