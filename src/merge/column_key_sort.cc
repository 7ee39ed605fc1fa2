// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.

#include "src/merge/column_key_sort.h"

#include <algorithm>
#include <bit>
#include <cstring>

#include "src/format/key_coding.h"

namespace mesa::internal {
namespace {

// One fixed-width field of the key columns' ordered form (header comment):
// `width` bytes, right-aligned in a uint64.
struct Field {
  enum Kind : uint8_t {
    kInt32,
    kInt64,
    kUint64,
    kDouble,
    kStringBytes,   // at most 8 bytes, zero padded at the end
    kStringLength,  // one byte
  };
  Kind kind;
  const ColumnVector* column;
  int width;
};

// Calls fn(r, value) for rows 0 .. n of field `f`, a loop per kind.
template <typename Fn>
void ForEachFieldValue(const Field& f, size_t n, Fn fn) {
  const ColumnVector& col = *f.column;
  switch (f.kind) {
    case Field::kInt32: {
      const uint64_t* w = col.words().data();
      for (size_t r = 0; r < n; ++r) fn(r, (w[r] ^ 0x80000000u) & 0xffffffffu);
      return;
    }
    case Field::kInt64: {
      const uint64_t* w = col.words().data();
      for (size_t r = 0; r < n; ++r) fn(r, w[r] ^ (uint64_t{1} << 63));
      return;
    }
    case Field::kUint64: {
      const uint64_t* w = col.words().data();
      for (size_t r = 0; r < n; ++r) fn(r, w[r]);
      return;
    }
    case Field::kDouble: {
      const uint64_t* w = col.words().data();
      for (size_t r = 0; r < n; ++r) fn(r, DoubleOrderedBits(w[r]));
      return;
    }
    case Field::kStringBytes: {
      const uint32_t* off = col.offsets().data();
      const char* bytes = col.bytes().data();
      const size_t size = col.bytes().size();
      for (size_t r = 0; r < n; ++r) {
        fn(r, ShortStringWord(bytes + off[r], off[r + 1] - off[r],
                              size - off[r]));
      }
      return;
    }
    case Field::kStringLength: {
      const uint32_t* off = col.offsets().data();
      for (size_t r = 0; r < n; ++r) fn(r, off[r + 1] - off[r]);
      return;
    }
  }
}

// The fields of the key columns; false if a string column has a value
// longer than 8 bytes.
bool ColumnFields(const RowBatch& rows, size_t num_keys,
                  std::vector<Field>* fields) {
  for (size_t c = 0; c < num_keys; ++c) {
    const ColumnVector& col = rows.column(c);
    switch (col.type()) {
      case ColumnType::kInt32:
        fields->push_back({Field::kInt32, &col, 4});
        break;
      case ColumnType::kInt64:
        fields->push_back({Field::kInt64, &col, 8});
        break;
      case ColumnType::kUint64:
        fields->push_back({Field::kUint64, &col, 8});
        break;
      case ColumnType::kDouble:
        fields->push_back({Field::kDouble, &col, 8});
        break;
      case ColumnType::kString: {
        const uint32_t* off = col.offsets().data();
        uint32_t longest = 0;
        for (size_t r = 0; r + 1 < col.offsets().size(); ++r) {
          longest = std::max(longest, off[r + 1] - off[r]);
        }
        if (longest > 8) return false;
        fields->push_back({Field::kStringBytes, &col, 8});
        fields->push_back({Field::kStringLength, &col, 1});
        break;
      }
    }
  }
  return true;
}

}  // namespace

// Digits of at most 12 bits (4096 buckets, 16 KiB of counts: in L1),
// as few passes as that allows, the bits spread evenly over them. The
// histograms of all digits in one pass, then a scatter pass per digit.
void RadixSortPacked(int key_bits, std::vector<PackedEntry>* a,
                     std::vector<PackedEntry>* b) {
  if (key_bits <= 0) return;
  constexpr int kMaxDigitBits = 12;
  const int passes = (key_bits + kMaxDigitBits - 1) / kMaxDigitBits;
  const int digit_bits = (key_bits + passes - 1) / passes;
  const size_t buckets = size_t{1} << digit_bits;
  const uint64_t mask = buckets - 1;
  std::vector<uint32_t> counts(buckets * static_cast<size_t>(passes), 0);
  for (const PackedEntry& e : *a) {
    for (int p = 0; p < passes; ++p) {
      ++counts[p * buckets + ((e.key >> (digit_bits * p)) & mask)];
    }
  }
  for (int p = 0; p < passes; ++p) {
    uint32_t* const next = counts.data() + p * buckets;
    uint32_t sum = 0;
    for (size_t d = 0; d < buckets; ++d) {
      const uint32_t here = next[d];
      next[d] = sum;
      sum += here;
    }
    PackedEntry* const out = b->data();
    const int shift = digit_bits * p;
    for (const PackedEntry& e : *a) out[next[(e.key >> shift) & mask]++] = e;
    a->swap(*b);
  }
}

bool SortByKeyColumns(const RowBatch& rows, size_t num_keys, size_t n,
                     std::vector<uint32_t>* order, std::vector<uint8_t>* dup) {
  if (n < 2) return false;
  std::vector<Field> fields;
  if (!ColumnFields(rows, num_keys, &fields)) return false;
  // Each field's varying bits, from its highest to its lowest: the packed
  // key takes (value >> shift) & mask(bits) of each field, most
  // significant first.
  struct Run {
    size_t field;
    int shift;
    int bits;
  };
  std::vector<Run> runs;
  int total_bits = 0;
  for (size_t f = 0; f < fields.size(); ++f) {
    uint64_t first = 0, varying = 0;
    ForEachFieldValue(fields[f], 1, [&](size_t, uint64_t v) { first = v; });
    ForEachFieldValue(fields[f], n,
                      [&](size_t, uint64_t v) { varying |= v ^ first; });
    if (varying == 0) continue;
    const int low = std::countr_zero(varying);
    const int bits = 64 - std::countl_zero(varying) - low;
    total_bits += bits;
    if (total_bits > 64) return false;
    runs.push_back({f, low, bits});
  }
  // Batches up to kKeepRows rows sort in buffers the thread keeps (4 MiB
  // at most): fresh ones would fault their pages in on every commit.
  constexpr size_t kKeepRows = size_t{1} << 17;
  thread_local std::vector<PackedEntry> kept_a, kept_b;
  std::vector<PackedEntry> own_a, own_b;
  std::vector<PackedEntry>& a = n <= kKeepRows ? kept_a : own_a;
  std::vector<PackedEntry>& b = n <= kKeepRows ? kept_b : own_b;
  a.resize(n);
  b.resize(n);
  for (size_t r = 0; r < n; ++r) a[r] = {0, static_cast<uint32_t>(r)};
  for (const Run& run : runs) {
    // A run of 64 bits is the only one: the key is 0 before it, and the
    // shift by (bits & 63) = 0 keeps it so.
    const int shift = run.shift, bits = run.bits;
    const uint64_t mask = bits == 64 ? ~uint64_t{0} : (uint64_t{1} << bits) - 1;
    PackedEntry* const out = a.data();
    ForEachFieldValue(fields[run.field], n, [&](size_t r, uint64_t v) {
      out[r].key = (out[r].key << (bits & 63)) | ((v >> shift) & mask);
    });
  }
  RadixSortPacked(total_bits, &a, &b);
  for (size_t i = 0; i < n; ++i) {
    (*order)[i] = a[i].row;
    (*dup)[i] = i > 0 && a[i].key == a[i - 1].key;
  }
  return true;
}

}  // namespace mesa::internal
