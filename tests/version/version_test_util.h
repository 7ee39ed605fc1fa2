// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// Helpers shared by the tests of src/version/.

#ifndef MESA_TESTS_VERSION_VERSION_TEST_UTIL_H_
#define MESA_TESTS_VERSION_VERSION_TEST_UTIL_H_

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "gtest/gtest.h"
#include "mesa/schema.h"
#include "src/version/version.h"
#include "src/version/version_edit.h"

#define VT_ASSERT_OK(expr)            \
  do {                                \
    absl::Status vt_s_ = (expr);      \
    ASSERT_TRUE(vt_s_.ok()) << vt_s_; \
  } while (0)
#define VT_EXPECT_OK(expr)            \
  do {                                \
    absl::Status vt_s_ = (expr);      \
    EXPECT_TRUE(vt_s_.ok()) << vt_s_; \
  } while (0)

namespace mesa::internal::testing {

// The ads-like schema of the workload: (advertiser int64, day int32,
// country string | clicks int64 SUM, cost double SUM, last string REPLACE).
inline Schema AdsSchema() {
  return Schema::Create({{"advertiser", ColumnType::kInt64},
                         {"day", ColumnType::kInt32},
                         {"country", ColumnType::kString}},
                        {{"clicks", ColumnType::kInt64, Aggregation::kSum},
                         {"cost", ColumnType::kDouble, Aggregation::kSum},
                         {"last", ColumnType::kString, Aggregation::kReplace}})
      .value();
}

inline Schema TinySchema() {
  return Schema::Create({{"k", ColumnType::kUint64}},
                        {{"v", ColumnType::kInt64, Aggregation::kMax}})
      .value();
}

inline TableInfo MakeTable(uint32_t id, std::string name,
                           std::string options = "") {
  TableInfo t;
  t.table_id = id;
  t.name = std::move(name);
  t.schema = id % 2 == 0 ? AdsSchema() : TinySchema();
  t.table_options = std::move(options);
  return t;
}

inline DeltaMeta MakeDelta(uint32_t table_id, uint64_t file_number,
                           uint64_t min_version, uint64_t max_version) {
  DeltaMeta d;
  d.file_number = file_number;
  d.table_id = table_id;
  d.min_version = min_version;
  d.max_version = max_version;
  d.row_count = 1 + file_number % 1000;
  d.file_size = 4096 + file_number;
  d.min_key = std::string("\x00k", 2) + std::to_string(min_version);
  d.max_key = std::string("\xffk", 2) + std::to_string(max_version);
  return d;
}

// A handle with no callback, for picker and graph tests.
inline DeltaPtr MakeHandle(uint32_t table_id, uint64_t file_number,
                           uint64_t min_version, uint64_t max_version) {
  return std::make_shared<const DeltaHandle>(
      MakeDelta(table_id, file_number, min_version, max_version));
}

// "[0,4] [5,5] [6,9]" of a path or delta list.
inline std::string Ranges(const std::vector<DeltaPtr>& deltas) {
  std::string out;
  for (const DeltaPtr& d : deltas) {
    if (!out.empty()) out += ' ';
    out += "[" + std::to_string(d->min_version()) + "," +
           std::to_string(d->max_version()) + "]";
  }
  return out;
}

}  // namespace mesa::internal::testing

#endif  // MESA_TESTS_VERSION_VERSION_TEST_UTIL_H_
