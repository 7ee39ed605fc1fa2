// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// Random schemas and rows for property tests. Strings include "\x00" and
// "\xff" bytes and empty values, numbers include the extremes of each type.

#ifndef MESA_TESTS_TESTING_RANDOM_ROWS_H_
#define MESA_TESTS_TESTING_RANDOM_ROWS_H_

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "mesa/row_batch.h"
#include "mesa/schema.h"

namespace mesa::testing {

// How a column's values are drawn.
enum class Distribution { kConstant, kSorted, kRandom, kSkewed };
inline constexpr Distribution kAllDistributions[] = {
    Distribution::kConstant, Distribution::kSorted, Distribution::kRandom,
    Distribution::kSkewed};

// A schema of 1..max_keys key columns and 0..max_values value columns of
// random types and aggregations.
Schema RandomSchema(std::mt19937_64& rng, size_t max_keys = 4,
                    size_t max_values = 4);

// Appends one random value of `column`'s type.
void AppendRandomValue(std::mt19937_64& rng, Distribution dist, size_t row,
                       ColumnVector* column);

// `n` random rows (before dedup), then sorted by key with equal keys
// aggregated: the shape a delta file holds. May return fewer than `n` rows.
RowBatch RandomSortedRows(std::mt19937_64& rng, const Schema& schema,
                          size_t n, Distribution dist);

// Whether rows `i` of `a` and `j` of `b` are equal in every column, bit for
// bit (doubles compare by bit pattern).
bool RowsEqual(const RowBatch& a, size_t i, const RowBatch& b, size_t j);

// Like RowsEqual, but double SUM columns of `schema` compare as numbers with
// a relative tolerance (floating-point addition is associative only up to
// rounding, so merging deltas in a different grouping may differ in the
// last bits, in the sign of a zero, or in which NaN comes out).
bool RowsEquivalent(const Schema& schema, const RowBatch& a, size_t i,
                    const RowBatch& b, size_t j);

// "(1, -5, \"ab\\x00\")", for failure messages.
std::string RowToString(const RowBatch& batch, size_t row);

// Key strings around the 32 bytes of key encoding the merges compare as
// words: empty, 0x00 and 0xff bytes (escaped in the encoding), a string
// whose terminator ends at byte 32, and strings that differ only past it.
std::vector<std::string> KeyStringsAroundThePrefix();

}  // namespace mesa::testing

#endif  // MESA_TESTS_TESTING_RANDOM_ROWS_H_
