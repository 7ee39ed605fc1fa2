// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// Simple column predicates (column OP constant) that block and file zone
// maps can rule out.

#ifndef MESA_FORMAT_PREDICATE_H_
#define MESA_FORMAT_PREDICATE_H_

#include <cstddef>
#include <string_view>

#include "mesa/row_batch.h"

namespace mesa::internal {

enum class CompareOp : uint8_t { kEq, kNe, kLt, kLe, kGt, kGe, kIn };

std::string_view CompareOpName(CompareOp op);

// `column` OP `operands`: one operand, or any number for kIn. The operands
// have the column's type.
struct ColumnPredicate {
  size_t column = 0;
  CompareOp op = CompareOp::kEq;
  ColumnVector operands;
};

// Whether row `row` of `values` satisfies `p`.
bool PredicateMatches(const ColumnPredicate& p, const ColumnVector& values,
                      size_t row);

}  // namespace mesa::internal

#endif  // MESA_FORMAT_PREDICATE_H_
