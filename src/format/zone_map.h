// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// Zone maps (docs/format.md, "Zone maps"): the min and max of a column over
// a block or a whole file, so a reader skips data a predicate cannot match.

#ifndef MESA_FORMAT_ZONE_MAP_H_
#define MESA_FORMAT_ZONE_MAP_H_

#include <string>

#include "absl/status/status.h"
#include "mesa/row_batch.h"
#include "src/format/predicate.h"
#include "src/util/coding.h"

namespace mesa::internal {

class ZoneMap {
 public:
  // Strings longer than this keep a cut min and no max.
  static constexpr size_t kMaxStringBound = 32;

  explicit ZoneMap(ColumnType type = ColumnType::kInt64)
      : bounds_(type) {}

  // The zone map of rows [begin, end) of `column` (end > begin).
  static ZoneMap Of(const ColumnVector& column, size_t begin, size_t end);
  // The zone map of an integer column (int32, int64, uint64) whose least
  // and greatest values in ordered form (OrderedWord) are given: what Of
  // finds, without a pass over the values.
  static ZoneMap OfOrderedInts(ColumnType type, uint64_t min_ordered,
                               uint64_t max_ordered);

  // Widens this zone map to cover `other` too (same type).
  void Merge(const ZoneMap& other);

  // Whether some value in [min, max] may satisfy `p`. Conservative: true
  // when unsure.
  bool MayMatch(const ColumnPredicate& p) const;

  bool empty() const { return bounds_.size() == 0; }
  bool has_max() const { return has_max_; }
  // Row 0 is min, row 1 is max (when has_max()).
  const ColumnVector& bounds() const { return bounds_; }

  void EncodeTo(std::string* dst) const;
  // Reads a zone map of a column of `type`; false on malformed input.
  bool DecodeFrom(Decoder* in, ColumnType type);

 private:
  ColumnVector bounds_;
  bool has_max_ = true;
};

}  // namespace mesa::internal

#endif  // MESA_FORMAT_ZONE_MAP_H_
