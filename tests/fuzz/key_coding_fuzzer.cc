// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// Fuzzes mesa::internal::DecodeKey (src/format/key_coding.h).
//
// Input: byte 0 picks one of a few fixed schemas, byte 1 a split point; the
// rest is cut there into two candidate encoded keys A and B. For each one
// that decodes:
//  - every decoded column got exactly one value, the others none;
//  - re-encoding the decoded columns gives back the very same bytes (the
//    encoding is canonical, and a key prefix encodes to a byte prefix);
// and when both decode to full keys, memcmp order of A and B is the order
// of their rows under CompareValues, column by column.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "mesa/row_batch.h"
#include "mesa/schema.h"
#include "src/format/key_coding.h"

namespace {

using mesa::ColumnType;

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "key_coding_fuzzer: %s\n", what);
    std::abort();
  }
}

mesa::Schema KeySchema(const std::vector<ColumnType>& types) {
  std::vector<mesa::ColumnSpec> keys;
  for (size_t i = 0; i < types.size(); ++i) {
    keys.push_back({"k" + std::to_string(i), types[i]});
  }
  absl::StatusOr<mesa::Schema> schema = mesa::Schema::Create(
      std::move(keys), {{"v", ColumnType::kInt64, mesa::Aggregation::kSum}});
  Check(schema.ok(), "a fixed schema does not validate");
  return *std::move(schema);
}

const std::vector<mesa::Schema>& Schemas() {
  static const auto* schemas = new std::vector<mesa::Schema>{
      KeySchema({ColumnType::kString}),
      KeySchema({ColumnType::kInt64, ColumnType::kInt32, ColumnType::kInt64,
                 ColumnType::kString}),  // the ads table
      KeySchema({ColumnType::kString, ColumnType::kString,
                 ColumnType::kString}),
      KeySchema({ColumnType::kDouble, ColumnType::kUint64,
                 ColumnType::kInt32}),
      KeySchema({ColumnType::kInt32, ColumnType::kString, ColumnType::kDouble,
                 ColumnType::kString, ColumnType::kUint64}),
  };
  return *schemas;
}

int Sign(int x) { return (x > 0) - (x < 0); }

struct Decoded {
  bool ok = false;
  size_t columns = 0;
};

// Decodes `encoded` into `batch` and checks what one key alone must satisfy.
Decoded DecodeAndCheck(std::string_view encoded, const mesa::Schema& schema,
                       mesa::RowBatch* batch) {
  absl::StatusOr<size_t> n = mesa::internal::DecodeKey(encoded, schema, batch);
  if (!n.ok()) return {};
  Check(*n <= schema.num_keys(), "decoded more columns than the schema has");
  for (size_t c = 0; c < batch->num_columns(); ++c) {
    Check(batch->column(c).size() == (c < *n ? 1u : 0u),
          "a decoded column does not hold exactly one value");
  }
  std::string again;
  if (*n > 0) mesa::internal::AppendEncodedKey(*batch, 0, *n, &again);
  Check(again == encoded, "re-encoding a decoded key changed its bytes");
  return {true, *n};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const std::vector<mesa::Schema>& schemas = Schemas();
  const mesa::Schema& schema = schemas[data[0] % schemas.size()];
  std::string_view rest(reinterpret_cast<const char*>(data + 2), size - 2);
  const size_t split = data[1] % (rest.size() + 1);
  const std::string_view a = rest.substr(0, split);
  const std::string_view b = rest.substr(split);

  mesa::RowBatch row_a(schema), row_b(schema);
  const Decoded da = DecodeAndCheck(a, schema, &row_a);
  const Decoded db = DecodeAndCheck(b, schema, &row_b);
  if (da.ok && db.ok && da.columns == schema.num_keys() &&
      db.columns == schema.num_keys()) {
    int rows = 0;
    for (size_t c = 0; c < schema.num_keys() && rows == 0; ++c) {
      rows = mesa::CompareValues(row_a.column(c), 0, row_b.column(c), 0);
    }
    Check(Sign(a.compare(b)) == Sign(rows),
          "memcmp order of two encoded keys differs from their row order");
  }
  return 0;
}
