// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// Sorting by encoded key: each row's order-preserving key encoding is built
// once; rows sort by its first 8 bytes as an integer, then by the rest with
// memcmp, then by row number (stable, so REPLACE sees batch order).

#include "src/merge/sort_aggregate.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "src/format/key_coding.h"
#include "src/merge/aggregate.h"

namespace mesa::internal {
namespace {

struct SortEntry {
  uint64_t prefix;  // first 8 bytes of the encoded key, big-endian order
  uint32_t row;
  uint32_t key_offset;
  uint32_t key_size;
};

uint64_t PrefixOf(const char* p, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8; ++i) {
    v = (v << 8) | (i < n ? static_cast<uint8_t>(p[i]) : 0);
  }
  return v;
}

}  // namespace

RowBatch SortAndAggregateRows(const Schema& schema, const RowBatch& rows) {
  const size_t n = rows.num_rows();
  const size_t keys = schema.num_keys();
  std::string arena;
  std::vector<SortEntry> entries(n);
  for (size_t r = 0; r < n; ++r) {
    size_t begin = arena.size();
    AppendEncodedKey(rows, r, keys, &arena);
    entries[r].row = static_cast<uint32_t>(r);
    entries[r].key_offset = static_cast<uint32_t>(begin);
    entries[r].key_size = static_cast<uint32_t>(arena.size() - begin);
  }
  for (SortEntry& e : entries) {
    e.prefix = PrefixOf(arena.data() + e.key_offset, e.key_size);
  }
  auto key_of = [&](const SortEntry& e) {
    return std::string_view(arena.data() + e.key_offset, e.key_size);
  };
  std::sort(entries.begin(), entries.end(),
            [&](const SortEntry& a, const SortEntry& b) {
              if (a.prefix != b.prefix) return a.prefix < b.prefix;
              int c = key_of(a).compare(key_of(b));
              if (c != 0) return c < 0;
              return a.row < b.row;
            });

  RowBatch out(schema);
  for (size_t c = 0; c < schema.num_columns(); ++c) {
    out.column(c).Reserve(n);
  }
  for (size_t i = 0; i < n; ++i) {
    const uint32_t r = entries[i].row;
    if (i > 0 && entries[i].prefix == entries[i - 1].prefix &&
        key_of(entries[i]) == key_of(entries[i - 1])) {
      for (size_t c = keys; c < schema.num_columns(); ++c) {
        AggregateIntoLast(schema.column(c).aggregation, &out.column(c),
                          rows.column(c), r);
      }
      continue;
    }
    out.AppendRow(rows, r);
  }
  return out;
}

}  // namespace mesa::internal
