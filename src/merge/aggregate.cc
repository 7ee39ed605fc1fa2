// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.

#include "src/merge/aggregate.h"

namespace mesa::internal {

void AggregateIntoLast(Aggregation agg, ColumnVector* dst,
                       const ColumnVector& src, size_t j) {
  const size_t last = dst->size() - 1;
  if (!dst->is_string()) {
    uint64_t& w = dst->words()[last];
    w = AggregateWords(agg, dst->type(), w, src.GetWord(j));
    return;
  }
  // Strings: MIN, MAX or REPLACE (SUM is rejected by Schema::Create).
  std::string_view older = dst->GetString(last);
  std::string_view newer = src.GetString(j);
  bool take_newer = agg == Aggregation::kReplace ||
                    (agg == Aggregation::kMin && newer < older) ||
                    (agg == Aggregation::kMax && newer > older);
  if (!take_newer) return;
  // Replace the last string: drop its bytes, append the new ones.
  std::string& bytes = dst->bytes();
  bytes.resize(dst->offsets()[last]);
  bytes.append(newer);
  dst->offsets()[last + 1] = static_cast<uint32_t>(bytes.size());
}

}  // namespace mesa::internal
