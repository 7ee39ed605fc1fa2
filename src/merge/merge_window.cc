// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.

#include "src/merge/merge_window.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <span>
#include <string>

#include "src/format/key_coding.h"
#include "src/merge/aggregate.h"
#include "src/merge/key_compare.h"

namespace mesa::internal {
namespace {

constexpr size_t kKeyBytes = 32;

// Stable LSD radix sort of `a` by the `num_bytes` bytes of key_of(e)
// above bit `shift`, a byte per pass (`tmp` is scratch); the counts of
// every pass come from one read of the keys.
template <typename E, typename KeyOf>
void RadixSort(std::vector<E>* a, std::vector<E>* tmp, size_t num_bytes,
               int shift, KeyOf key_of) {
  tmp->resize(a->size());
  std::array<std::array<uint32_t, 256>, 8> counts{};
  for (const E& e : *a) {
    const uint64_t k = key_of(e) >> shift;
    for (size_t p = 0; p < num_bytes; ++p) ++counts[p][(k >> (8 * p)) & 0xff];
  }
  for (size_t p = 0; p < num_bytes; ++p) {
    uint32_t sum = 0;
    for (uint32_t& c : counts[p]) {
      const uint32_t k = c;
      c = sum;
      sum += k;
    }
    const int at = shift + static_cast<int>(8 * p);
    std::array<uint32_t, 256>& next = counts[p];
    for (const E& e : *a) (*tmp)[next[(key_of(e) >> at) & 0xff]++] = e;
    a->swap(*tmp);
  }
}

}  // namespace

MergeWindow::MergeWindow(const Schema& schema,
                         const std::vector<size_t>& value_columns)
    : num_keys_(schema.num_keys()) {
  for (size_t c = 0; c < num_keys_; ++c) {
    types_.push_back(schema.column(c).type);
    aggs_.push_back(Aggregation::kNone);
  }
  for (size_t c : value_columns) {
    types_.push_back(schema.column(c).type);
    aggs_.push_back(schema.column(c).aggregation);
  }
  group_start_.assign(1, 0);
}

int MergeWindow::CompareRows(const RowBatch& a, size_t i, const RowBatch& b,
                             size_t j) const {
  return CompareKeyColumns(std::span(types_.data(), num_keys_), a, i, b, j);
}

size_t MergeWindow::Plan(
    const std::vector<std::unique_ptr<DeltaCursor>>& inputs,
    size_t* largest) {
  *largest = 0;
  ends_.assign(inputs.size(), 0);
  const size_t none = inputs.size();
  size_t bound = none;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const DeltaCursor& in = *inputs[i];
    if (!in.Valid()) continue;
    if (bound == none) {
      bound = i;
      continue;
    }
    const RowBatch& a = in.batch();
    const RowBatch& b = inputs[bound]->batch();
    if (CompareRows(a, a.num_rows() - 1, b, b.num_rows() - 1) < 0) {
      bound = i;
    }
  }
  if (bound == none) return 0;
  const RowBatch& bound_batch = inputs[bound]->batch();
  const size_t bound_row = bound_batch.num_rows() - 1;
  size_t total = 0;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const DeltaCursor& in = *inputs[i];
    if (!in.Valid()) continue;
    const RowBatch& b = in.batch();
    size_t lo = in.row(), hi = b.num_rows();
    if (i != bound) {
      // The first row above the bound: most inputs give a few rows of a
      // window, so gallop from the current row, then search the last step.
      size_t step = 1;
      while (lo < hi) {
        const size_t probe = std::min(hi, lo + step) - 1;
        if (CompareRows(b, probe, bound_batch, bound_row) > 0) {
          hi = probe;
          break;
        }
        lo = probe + 1;
        step *= 2;
      }
      while (lo < hi) {
        const size_t mid = lo + (hi - lo) / 2;
        if (CompareRows(b, mid, bound_batch, bound_row) <= 0) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
    }
    ends_[i] = i == bound ? hi : lo;
    const size_t rows = ends_[i] - in.row();
    total += rows;
    *largest = std::max(*largest, rows);
  }
  return total;
}

void MergeWindow::Fill(
    const std::vector<std::unique_ptr<DeltaCursor>>& inputs) {
  Clear();
  size_t n = 0;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const DeltaCursor& in = *inputs[i];
    if (!in.Valid() || ends_[i] <= in.row()) continue;
    runs_.push_back({i, &in.batch(), static_cast<uint32_t>(in.row()),
                     static_cast<uint32_t>(ends_[i]),
                     static_cast<uint32_t>(n)});
    n += ends_[i] - in.row();
  }
  rows_ = n;
  if (runs_.size() <= 1) {
    // One input's rows: sorted, each key once.
    identity_ = true;
    group_start_.resize(n + 1);
    for (size_t i = 0; i <= n; ++i) group_start_[i] = static_cast<uint32_t>(i);
    return;
  }
  refs_.resize(n);
  for (size_t j = 0; j < runs_.size(); ++j) {
    const Run& run = runs_[j];
    uint64_t* to = refs_.data() + run.at;
    for (uint32_t r = run.begin; r < run.end; ++r) *to++ = uint64_t{j} << 32 | r;
  }
  if (SortColumns()) return;
  NormalizeKeys();
  if (!SortPacked()) SortWords();
}

absl::Status MergeWindow::Release(
    const std::vector<std::unique_ptr<DeltaCursor>>& inputs) {
  // Moving an input replaces its block: only once no row of it is needed.
  for (const Run& run : runs_) {
    DeltaCursor& in = *inputs[run.input];
    in.Advance(run.end - in.row());
    if (!in.status().ok()) {
      Clear();
      return in.status();
    }
  }
  Clear();
  return absl::OkStatus();
}

void MergeWindow::Clear() {
  runs_.clear();
  rows_ = 0;
  order_.clear();
  group_start_.assign(1, 0);
  identity_ = false;
  any_dup_ = false;
  next_ = 0;
}

void MergeWindow::NormalizeKeys() {
  const size_t n = rows_;
  // Each row's first kKeyBytes bytes of key encoding, as MergingCursor::
  // Normalize (and AppendKeyPart) makes them: numbers big-endian with the
  // sign flipped (doubles in total order), int32 in 4 bytes; strings with
  // 0x00 escaped as 0x00 0xff, then 0x00 0x01. Built as four big-endian
  // words: a number is ORed into the one or two words its bytes fall in,
  // column by column, so the type dispatch is hoisted out of the rows. A
  // key whose encoding does not fit is inexact (only its head is kept).
  words_.assign(4 * n, 0);
  uint64_t* const base = words_.data();
  // Puts the ordered value `v` (its bytes from the top, `bytes` of them) at
  // byte `p` of row `r`'s words; the bytes past kKeyBytes are dropped.
  auto put = [base](size_t r, size_t p, uint64_t v) {
    uint64_t* w = base + 4 * r + p / 8;
    const int shift = static_cast<int>(p % 8) * 8;
    w[0] |= v >> shift;
    if (shift != 0 && p / 8 + 1 < 4) w[1] |= v << (64 - shift);
  };
  auto ordered = [](ColumnType type, uint64_t word) {
    return type == ColumnType::kInt32
               ? uint64_t{static_cast<uint32_t>(word) ^ 0x80000000u} << 32
               : SortableWord(type, word);
  };
  // Until the first string column, every row's column starts at the same
  // byte (`fixed`), and no position per row is kept.
  size_t fixed = 0;
  bool uniform = true, cut = false;
  for (size_t c = 0; c < num_keys_; ++c) {
    const ColumnType type = types_[c];
    const size_t width = type == ColumnType::kInt32 ? 4 : 8;
    if (uniform && type != ColumnType::kString) {
      if (fixed >= kKeyBytes) {
        cut = true;  // this column starts past what is compared
        break;
      }
      for (const Run& run : runs_) {
        const uint64_t* words = run.batch->column(c).words().data();
        for (uint32_t r = run.begin, w = run.at; r < run.end; ++r, ++w) {
          put(w, fixed, ordered(type, words[r]));
        }
      }
      fixed += width;
      if (fixed > kKeyBytes) {
        cut = true;  // the number runs past what is compared
        break;
      }
      continue;
    }
    if (uniform) {
      uniform = false;
      pos_.assign(n, static_cast<uint32_t>(fixed));
    }
    for (const Run& run : runs_) {
      const ColumnVector& col = run.batch->column(c);
      for (uint32_t src = run.begin, r = run.at; src < run.end; ++src, ++r) {
        uint32_t p = pos_[r];
        if (p >= kKeyBytes) {
          pos_[r] = kKeyBytes + 1;
          continue;
        }
        if (type != ColumnType::kString) {
          put(r, p, ordered(type, col.GetWord(src)));
          pos_[r] = static_cast<uint32_t>(p + width);
          continue;
        }
        auto byte = [&](unsigned char b) {
          base[4 * r + p / 8] |= uint64_t{b} << (56 - 8 * (p % 8));
          ++p;
        };
        const std::string_view str = col.GetString(src);
        if (str.size() <= 6 && p + str.size() + 2 <= kKeyBytes) {
          // A short string that fits with its terminator: one put, unless
          // it holds a 0x00 (escaped below).
          uint64_t v = 0;
          bool zero = false;
          for (size_t i = 0; i < str.size(); ++i) {
            const unsigned char b = static_cast<unsigned char>(str[i]);
            zero |= b == 0;
            v |= uint64_t{b} << (56 - 8 * i);
          }
          if (!zero) {
            v |= uint64_t{1} << (56 - 8 * (str.size() + 1));  // 0x00 0x01
            put(r, p, v);
            pos_[r] = static_cast<uint32_t>(p + str.size() + 2);
            continue;
          }
        }
        size_t i = 0;
        for (; i < str.size() && p < kKeyBytes; ++i) {
          byte(static_cast<unsigned char>(str[i]));
          if (str[i] == '\0' && p < kKeyBytes) byte(0xff);
        }
        if (i < str.size() || p + 2 > kKeyBytes) {
          p = kKeyBytes + 1;  // the rest (or the terminator) is cut off
        } else {
          byte(0);
          byte(1);
        }
        pos_[r] = p;
      }
    }
  }
  inexact_.resize(n);
  if (uniform) {
    std::fill(inexact_.begin(), inexact_.end(), cut);
    any_inexact_ = cut && n > 0;
    num_words_ = (std::min(fixed, kKeyBytes) + 7) / 8;
    return;
  }
  any_inexact_ = false;
  size_t longest = 0;
  for (size_t r = 0; r < n; ++r) {
    inexact_[r] = pos_[r] > kKeyBytes;
    any_inexact_ |= inexact_[r] != 0;
    longest = std::max<size_t>(longest, std::min<size_t>(pos_[r], kKeyBytes));
  }
  num_words_ = (longest + 7) / 8;
}

bool MergeWindow::SortColumns() {
  const size_t n = rows_;
  if (n < 2) return false;
  // Each key column's values as words whose unsigned order is the
  // column's order: numbers as SortableWord (int32 in 32 bits), a string
  // of up to 6 bytes with no 0x00 as its key encoding (the bytes, then
  // 0x00 0x01) read as a big-endian word. Any other string: false.
  column_words_.resize(num_keys_ * n);
  uint64_t varying[kMaxColumnsPacked] = {};
  if (num_keys_ > kMaxColumnsPacked) return false;
  for (size_t c = 0; c < num_keys_; ++c) {
    const ColumnType type = types_[c];
    uint64_t* out = column_words_.data() + c * n;
    for (const Run& run : runs_) {
      const ColumnVector& col = run.batch->column(c);
      uint64_t* to = out + run.at;
      if (type == ColumnType::kString) {
        for (uint32_t r = run.begin; r < run.end; ++r) {
          const std::string_view str = col.GetString(r);
          if (str.size() > 6) return false;
          uint64_t v = 0;
          for (size_t i = 0; i < str.size(); ++i) {
            const unsigned char b = static_cast<unsigned char>(str[i]);
            if (b == 0) return false;
            v |= uint64_t{b} << (56 - 8 * i);
          }
          *to++ = v | uint64_t{1} << (56 - 8 * (str.size() + 1));
        }
      } else if (type == ColumnType::kInt32) {
        const uint64_t* words = col.words().data();
        for (uint32_t r = run.begin; r < run.end; ++r) {
          *to++ = static_cast<uint32_t>(words[r]) ^ 0x80000000u;
        }
      } else {
        const uint64_t* words = col.words().data();
        for (uint32_t r = run.begin; r < run.end; ++r) {
          *to++ = SortableWord(type, words[r]);
        }
      }
    }
    uint64_t m = 0;
    for (size_t r = 1; r < n; ++r) m |= out[r] ^ out[0];
    varying[c] = m;
  }
  // The span of bits that vary in each column, most significant column
  // first, side by side: the other bits are the same in every row, so the
  // packed keys order as the keys, and equal ones are equal keys.
  int low[kMaxColumnsPacked], width[kMaxColumnsPacked];
  int bits = 0;
  for (size_t c = 0; c < num_keys_; ++c) {
    low[c] = varying[c] == 0 ? 0 : __builtin_ctzll(varying[c]);
    width[c] = varying[c] == 0 ? 0 : 64 - __builtin_clzll(varying[c]) - low[c];
    bits += width[c];
  }
  if (bits > 64) return false;
  keys_.assign(n, 0);
  for (size_t c = 0; c < num_keys_; ++c) {
    if (width[c] == 0) continue;
    const uint64_t* v = column_words_.data() + c * n;
    const int lo = low[c], w = width[c];
    if (w == 64) {
      for (size_t r = 0; r < n; ++r) keys_[r] = v[r];
      continue;
    }
    const uint64_t mask = (uint64_t{1} << w) - 1;
    for (size_t r = 0; r < n; ++r) {
      keys_[r] = keys_[r] << w | (v[r] >> lo & mask);
    }
  }
  RadixOrder(bits);
  return true;
}

bool MergeWindow::SortPacked() {
  const size_t n = rows_;
  if (any_inexact_ || n < 2) return false;
  uint64_t varying[4] = {};
  for (size_t r = 1; r < n; ++r) {
    for (size_t w = 0; w < num_words_; ++w) {
      varying[w] |= words_[4 * r + w] ^ words_[w];
    }
  }
  // Per word, the span of bits that vary, most significant word first;
  // packed side by side if they fit in 64 bits. The other bits are the
  // same in every row, so equal packed keys are equal keys.
  struct Field {
    size_t word;
    int low;
    int width;
  };
  Field fields[4];
  size_t num_fields = 0;
  int bits = 0;
  for (size_t w = 0; w < num_words_; ++w) {
    if (varying[w] == 0) continue;
    const int low = __builtin_ctzll(varying[w]);
    const int width = 64 - __builtin_clzll(varying[w]) - low;
    fields[num_fields++] = {w, low, width};
    bits += width;
  }
  if (bits > 64) return false;
  keys_.resize(n);
  for (size_t r = 0; r < n; ++r) {
    uint64_t key = 0;
    for (size_t f = 0; f < num_fields; ++f) {
      const uint64_t v = words_[4 * r + fields[f].word] >> fields[f].low;
      key = fields[f].width == 64
                ? v
                : (key << fields[f].width) |
                      (v & ((uint64_t{1} << fields[f].width) - 1));
    }
    keys_[r] = key;
  }
  RadixOrder(bits);
  return true;
}

void MergeWindow::RadixOrder(int bits) {
  const size_t n = rows_;
  const size_t num_bytes = (static_cast<size_t>(bits) + 7) / 8;
  order_.resize(n);
  group_start_.clear();
  // The row number fits beside the key in most windows: entries of one
  // word, half the bytes each pass moves.
  const int row_bits = 64 - __builtin_clzll(static_cast<uint64_t>(n - 1) | 1);
  if (bits + row_bits <= 64) {
    packed_words_.resize(n);
    for (size_t r = 0; r < n; ++r) packed_words_[r] = keys_[r] << row_bits | r;
    RadixSort(&packed_words_, &packed_words_tmp_, num_bytes, row_bits,
              [](uint64_t e) { return e; });
    const uint64_t row_mask = (uint64_t{1} << row_bits) - 1;
    for (size_t i = 0; i < n; ++i) {
      const uint64_t e = packed_words_[i];
      order_[i] = static_cast<uint32_t>(e & row_mask);
      if (i == 0 || (e >> row_bits) != (packed_words_[i - 1] >> row_bits)) {
        group_start_.push_back(static_cast<uint32_t>(i));
      }
    }
  } else {
    packed_.resize(n);
    for (size_t r = 0; r < n; ++r) {
      packed_[r] = {keys_[r], static_cast<uint32_t>(r)};
    }
    RadixSort(&packed_, &packed_tmp_, num_bytes, 0,
              [](const Packed& e) { return e.key; });
    for (size_t i = 0; i < n; ++i) {
      order_[i] = packed_[i].row;
      if (i == 0 || packed_[i].key != packed_[i - 1].key) {
        group_start_.push_back(static_cast<uint32_t>(i));
      }
    }
  }
  any_dup_ = group_start_.size() < n;
  group_start_.push_back(static_cast<uint32_t>(n));
}

void MergeWindow::SortWords() {
  const size_t n = rows_;
  const size_t nw = num_words_;
  // Negative, zero or positive as rows a and b's keys.
  auto compare = [&](uint32_t a, uint32_t b) {
    for (size_t w = 0; w < nw; ++w) {
      const uint64_t x = words_[4 * a + w], y = words_[4 * b + w];
      if (x != y) return x < y ? -1 : 1;
    }
    if (!inexact_[a] && !inexact_[b]) return 0;
    const uint64_t x = refs_[a], y = refs_[b];
    return CompareRows(*runs_[x >> 32].batch, static_cast<uint32_t>(x),
                       *runs_[y >> 32].batch, static_cast<uint32_t>(y));
  };
  order_.resize(n);
  for (size_t i = 0; i < n; ++i) order_[i] = static_cast<uint32_t>(i);
  // Ties go to the row number: rows of older inputs come first.
  std::sort(order_.begin(), order_.end(), [&](uint32_t a, uint32_t b) {
    const int c = compare(a, b);
    return c != 0 ? c < 0 : a < b;
  });
  group_start_.clear();
  for (size_t i = 0; i < n; ++i) {
    if (i == 0 || compare(order_[i - 1], order_[i]) != 0) {
      group_start_.push_back(static_cast<uint32_t>(i));
    }
  }
  any_dup_ = group_start_.size() < n;
  group_start_.push_back(static_cast<uint32_t>(n));
}

size_t MergeWindow::Take(size_t max_rows, RowBatch* out) {
  const size_t g0 = next_;
  const size_t g1 = std::min(group_start_.size() - 1, g0 + max_rows);
  if (g1 <= g0) return 0;
  if (identity_) {
    const Run& run = runs_[0];
    out->AppendRows(*run.batch, run.begin + g0, run.begin + g1);
    next_ = g1;
    return g1 - g0;
  }
  const uint32_t* start = group_start_.data();
  const uint32_t* order = order_.data();
  const uint64_t* refs = refs_.data();
  // Each group's first (oldest) row, shared by the columns.
  first_.resize(g1 - g0);
  for (size_t g = g0; g < g1; ++g) first_[g - g0] = refs[order[start[g]]];
  const uint64_t* first = first_.data();
  for (size_t c = 0; c < types_.size(); ++c) {
    ColumnVector& dst = out->column(c);
    const bool fold = c >= num_keys_ && any_dup_;
    if (types_[c] != ColumnType::kString) {
      bases_.resize(runs_.size());
      for (size_t j = 0; j < runs_.size(); ++j) {
        bases_[j] = runs_[j].batch->column(c).words().data();
      }
      const uint64_t* const* from = bases_.data();
      auto word = [from](uint64_t ref) {
        return from[ref >> 32][static_cast<uint32_t>(ref)];
      };
      std::vector<uint64_t>& to = dst.words();
      const size_t at = to.size();
      to.resize(at + (g1 - g0));
      uint64_t* dst_words = to.data() + at;
      if (!fold) {
        for (size_t i = 0; i < g1 - g0; ++i) dst_words[i] = word(first[i]);
        continue;
      }
      const Aggregation agg = aggs_[c];
      const ColumnType type = types_[c];
      for (size_t g = g0; g < g1; ++g) {
        uint64_t v = word(first[g - g0]);
        for (uint32_t i = start[g] + 1; i < start[g + 1]; ++i) {
          v = AggregateWords(agg, type, v, word(refs[order[i]]));
        }
        dst_words[g - g0] = v;
      }
      continue;
    }
    auto column = [&](uint64_t ref) -> const ColumnVector& {
      return runs_[ref >> 32].batch->column(c);
    };
    if (!fold) {
      // The strings' bytes sized once, then copied: no append per row.
      std::string& bytes = dst.bytes();
      std::vector<uint32_t>& offsets = dst.offsets();
      size_t total = bytes.size();
      for (size_t i = 0; i < g1 - g0; ++i) {
        const uint64_t f = first[i];
        const std::vector<uint32_t>& o = column(f).offsets();
        const uint32_t r = static_cast<uint32_t>(f);
        total += o[r + 1] - o[r];
      }
      size_t at = bytes.size();
      bytes.resize(total);
      const size_t first_offset = offsets.size();
      offsets.resize(first_offset + (g1 - g0));
      char* to = bytes.data();
      for (size_t i = 0; i < g1 - g0; ++i) {
        const uint64_t f = first[i];
        const ColumnVector& col = column(f);
        const uint32_t r = static_cast<uint32_t>(f);
        const uint32_t b = col.offsets()[r], e = col.offsets()[r + 1];
        std::memcpy(to + at, col.bytes().data() + b, e - b);
        at += e - b;
        offsets[first_offset + i] = static_cast<uint32_t>(at);
      }
      continue;
    }
    for (size_t g = g0; g < g1; ++g) {
      const uint64_t f = first[g - g0];
      dst.AppendFrom(column(f), static_cast<uint32_t>(f));
      if (!fold) continue;
      for (uint32_t i = start[g] + 1; i < start[g + 1]; ++i) {
        const uint64_t ref = refs[order[i]];
        AggregateIntoLast(aggs_[c], &dst, column(ref),
                          static_cast<uint32_t>(ref));
      }
    }
  }
  next_ = g1;
  return g1 - g0;
}

bool MergeWindow::SkipBelow(std::string_view encoded_target) {
  size_t lo = next_, hi = group_start_.size() - 1;
  std::string key;
  while (lo < hi) {
    const size_t mid = lo + (hi - lo) / 2;
    const uint64_t ref =
        identity_ ? runs_[0].begin + mid : refs_[order_[group_start_[mid]]];
    key.clear();
    AppendEncodedKey(*runs_[identity_ ? 0 : ref >> 32].batch,
                     static_cast<uint32_t>(ref), num_keys_, &key);
    if (std::string_view(key) < encoded_target) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  next_ = lo;
  return !empty();
}

}  // namespace mesa::internal
