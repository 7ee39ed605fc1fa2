// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.

#include "src/format/predicate.h"

namespace mesa::internal {

std::string_view CompareOpName(CompareOp op) {
  switch (op) {
    case CompareOp::kEq:
      return "=";
    case CompareOp::kNe:
      return "!=";
    case CompareOp::kLt:
      return "<";
    case CompareOp::kLe:
      return "<=";
    case CompareOp::kGt:
      return ">";
    case CompareOp::kGe:
      return ">=";
    case CompareOp::kIn:
      return "IN";
  }
  return "?";
}

bool PredicateMatches(const ColumnPredicate& p, const ColumnVector& values,
                      size_t row) {
  if (p.op == CompareOp::kIn) {
    for (size_t i = 0; i < p.operands.size(); ++i) {
      if (CompareValues(values, row, p.operands, i) == 0) return true;
    }
    return false;
  }
  int c = CompareValues(values, row, p.operands, 0);
  switch (p.op) {
    case CompareOp::kEq:
      return c == 0;
    case CompareOp::kNe:
      return c != 0;
    case CompareOp::kLt:
      return c < 0;
    case CompareOp::kLe:
      return c <= 0;
    case CompareOp::kGt:
      return c > 0;
    case CompareOp::kGe:
      return c >= 0;
    case CompareOp::kIn:
      break;
  }
  return false;
}

}  // namespace mesa::internal
