// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// Most batches sort straight from their key columns, with no key
// encoding at all (merge/column_key_sort.h: a radix sort of the varying
// bits, when they add up to at most 64). The rest sort by encoded key:
// each row's order-preserving key encoding is cut into big-endian 64-bit
// words, zero padded to the batch's longest key. Padding never changes an
// order: the encoding of a full key is prefix-free (a string ends with
// 0x00 0x01, a 0x00 inside it is escaped), so two different keys differ
// at a byte inside the shorter one. When at most 8 bytes of those vary
// across the batch, they are packed into one integer per row and radix
// sorted; else keys of up to kMaxInlineWords words sort as fixed-size
// entries holding the words and the row number, compared word by word
// with no indirection, and longer keys by their first word, then memcmp.
// Ties go to the row number (stable, so REPLACE sees batch order). The
// output is then gathered column by column.

#include "src/merge/sort_aggregate.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <vector>

#include "src/format/key_coding.h"
#include "src/merge/column_key_sort.h"
#include "src/merge/aggregate.h"

namespace mesa::internal {
namespace {

constexpr size_t kMaxInlineWords = 4;

// Word w of `key`, zero padded. The key lies in an arena with at least 8
// bytes after its end (EncodedKeys), so one unaligned load reads it.
inline uint64_t WordAt(std::string_view key, size_t w) {
  const size_t at = 8 * w;
  if (at >= key.size()) return 0;
  uint64_t v;
  std::memcpy(&v, key.data() + at, 8);
  v = __builtin_bswap64(v);
  const size_t len = key.size() - at;
  if (len < 8) v &= ~uint64_t{0} << (8 * (8 - len));
  return v;
}

// The rows' encoded keys, back to back, then 8 zero bytes (for WordAt).
struct EncodedKeys {
  std::string arena;
  std::vector<uint32_t> offsets;  // n + 1
  size_t max_size = 0;

  std::string_view key(size_t r) const {
    return std::string_view(arena.data() + offsets[r],
                            offsets[r + 1] - offsets[r]);
  }
};

// Fills `order` with the rows in key order and `dup[i]` with whether
// order[i] has the key of order[i - 1].
template <size_t W>
void SortInline(const EncodedKeys& keys, size_t n,
                std::vector<uint32_t>* order, std::vector<uint8_t>* dup) {
  struct Entry {
    std::array<uint64_t, W> w;
    uint32_t row;
  };
  std::vector<Entry> entries(n);
  for (size_t r = 0; r < n; ++r) {
    std::string_view k = keys.key(r);
    for (size_t w = 0; w < W; ++w) entries[r].w[w] = WordAt(k, w);
    entries[r].row = static_cast<uint32_t>(r);
  }
  std::sort(entries.begin(), entries.end(),
            [](const Entry& a, const Entry& b) {
              for (size_t w = 0; w < W; ++w) {
                if (a.w[w] != b.w[w]) return a.w[w] < b.w[w];
              }
              return a.row < b.row;
            });
  for (size_t i = 0; i < n; ++i) {
    (*order)[i] = entries[i].row;
    (*dup)[i] = i > 0 && entries[i].w == entries[i - 1].w;
  }
}

// The radix path: false (nothing done) if more than 8 bytes vary.
bool SortPacked(const EncodedKeys& keys, size_t n, std::vector<uint32_t>* order,
                std::vector<uint8_t>* dup) {
  const size_t words = (keys.max_size + 7) / 8;
  if (n < 2 || words == 0) return false;
  std::vector<uint64_t> first(words), varying(words, 0);
  for (size_t w = 0; w < words; ++w) first[w] = WordAt(keys.key(0), w);
  for (size_t r = 1; r < n; ++r) {
    std::string_view k = keys.key(r);
    for (size_t w = 0; w < words; ++w) varying[w] |= WordAt(k, w) ^ first[w];
  }
  // (word, shift) of each varying byte, most significant first.
  std::vector<std::pair<size_t, int>> bytes;
  for (size_t w = 0; w < words; ++w) {
    for (int shift = 56; shift >= 0; shift -= 8) {
      if ((varying[w] >> shift) & 0xff) bytes.emplace_back(w, shift);
    }
  }
  if (bytes.size() > 8) return false;
  std::vector<PackedEntry> a(n), b(n);
  for (size_t r = 0; r < n; ++r) {
    std::string_view k = keys.key(r);
    uint64_t packed = 0;
    size_t loaded = words;  // the word in `word`
    uint64_t word = 0;
    for (const auto& [w, shift] : bytes) {
      if (w != loaded) word = WordAt(k, loaded = w);
      packed = (packed << 8) | ((word >> shift) & 0xff);
    }
    a[r] = {packed, static_cast<uint32_t>(r)};
  }
  RadixSortPacked(8 * static_cast<int>(bytes.size()), &a, &b);
  for (size_t i = 0; i < n; ++i) {
    (*order)[i] = a[i].row;
    (*dup)[i] = i > 0 && a[i].key == a[i - 1].key;
  }
  return true;
}

void SortLong(const EncodedKeys& keys, size_t n, std::vector<uint32_t>* order,
              std::vector<uint8_t>* dup) {
  struct Entry {
    uint64_t prefix;
    uint32_t row;
  };
  std::vector<Entry> entries(n);
  for (size_t r = 0; r < n; ++r) {
    entries[r] = {WordAt(keys.key(r), 0), static_cast<uint32_t>(r)};
  }
  std::sort(entries.begin(), entries.end(),
            [&](const Entry& a, const Entry& b) {
              if (a.prefix != b.prefix) return a.prefix < b.prefix;
              int c = keys.key(a.row).compare(keys.key(b.row));
              if (c != 0) return c < 0;
              return a.row < b.row;
            });
  for (size_t i = 0; i < n; ++i) {
    (*order)[i] = entries[i].row;
    (*dup)[i] = i > 0 && entries[i].prefix == entries[i - 1].prefix &&
                keys.key(entries[i].row) == keys.key(entries[i - 1].row);
  }
}

void SortKeys(const EncodedKeys& keys, size_t n, std::vector<uint32_t>* order,
              std::vector<uint8_t>* dup) {
  if (SortPacked(keys, n, order, dup)) return;
  switch ((keys.max_size + 7) / 8) {
    case 0:
    case 1:
      return SortInline<1>(keys, n, order, dup);
    case 2:
      return SortInline<2>(keys, n, order, dup);
    case 3:
      return SortInline<3>(keys, n, order, dup);
    case kMaxInlineWords:
      return SortInline<kMaxInlineWords>(keys, n, order, dup);
    default:
      return SortLong(keys, n, order, dup);
  }
}

}  // namespace

RowBatch SortAndAggregateRows(const Schema& schema, const RowBatch& rows) {
  RowBatch out;
  SortAndAggregateRows(schema, rows, &out);
  return out;
}

void SortAndAggregateRows(const Schema& schema, const RowBatch& rows,
                          RowBatch* out_batch) {
  const size_t n = rows.num_rows();
  const size_t num_keys = schema.num_keys();
  std::vector<uint32_t> order(n);
  std::vector<uint8_t> dup(n);
  if (!SortByKeyColumns(rows, num_keys, n, &order, &dup)) {
    EncodedKeys keys;
    keys.offsets.reserve(n + 1);
    keys.offsets.push_back(0);
    for (size_t r = 0; r < n; ++r) {
      AppendEncodedKey(rows, r, num_keys, &keys.arena);
      keys.offsets.push_back(static_cast<uint32_t>(keys.arena.size()));
      keys.max_size = std::max<size_t>(
          keys.max_size, keys.offsets[r + 1] - keys.offsets[r]);
    }
    keys.arena.append(8, '\0');
    SortKeys(keys, n, &order, &dup);
  }

  bool reuse = out_batch->num_columns() == schema.num_columns();
  for (size_t c = 0; reuse && c < schema.num_columns(); ++c) {
    reuse = out_batch->column(c).type() == schema.column(c).type;
  }
  if (reuse) {
    out_batch->Clear();
  } else {
    *out_batch = RowBatch(schema);
  }
  RowBatch& out = *out_batch;
  size_t groups = 0;
  for (size_t i = 0; i < n; ++i) groups += !dup[i];
  for (size_t c = 0; c < schema.num_columns(); ++c) {
    ColumnVector& dst = out.column(c);
    const ColumnVector& src = rows.column(c);
    if (!src.is_string()) {
      // Numbers: gather the words, folding the duplicates in.
      std::vector<uint64_t>& words = dst.words();
      words.resize(groups);
      uint64_t* const to = words.data();
      const uint64_t* const from = src.words().data();
      if (groups == n) {
        for (size_t i = 0; i < n; ++i) to[i] = from[order[i]];
        continue;
      }
      const Aggregation agg = schema.column(c).aggregation;
      const ColumnType type = src.type();
      const bool key = c < num_keys;
      size_t k = 0;
      for (size_t i = 0; i < n; ++i) {
        const uint64_t w = from[order[i]];
        if (!dup[i]) {
          to[k++] = w;
        } else if (!key) {
          to[k - 1] = AggregateWords(agg, type, to[k - 1], w);
        }
      }
      continue;
    }
    if (c < num_keys || groups == n) {
      // Strings taken whole: the offsets first, then the bytes.
      const uint32_t* const off = src.offsets().data();
      const char* const bytes = src.bytes().data();
      std::vector<uint32_t>& offsets = dst.offsets();
      offsets.resize(groups + 1);
      size_t total = 0, k = 0;
      for (size_t i = 0; i < n; ++i) {
        if (dup[i]) continue;
        total += off[order[i] + 1] - off[order[i]];
        offsets[++k] = static_cast<uint32_t>(total);
      }
      std::string& to = dst.bytes();
      to.resize(total);
      k = 0;
      for (size_t i = 0; i < n; ++i) {
        if (dup[i]) continue;
        const uint32_t begin = off[order[i]];
        std::memcpy(to.data() + offsets[k], bytes + begin,
                    off[order[i] + 1] - begin);
        ++k;
      }
      continue;
    }
    // A string value column: MIN, MAX or REPLACE.
    dst.Reserve(groups);
    const Aggregation agg = schema.column(c).aggregation;
    for (size_t i = 0; i < n; ++i) {
      if (!dup[i]) {
        dst.AppendFrom(src, order[i]);
      } else {
        AggregateIntoLast(agg, &dst, src, order[i]);
      }
    }
  }
}

}  // namespace mesa::internal
