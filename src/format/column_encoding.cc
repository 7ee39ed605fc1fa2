// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// The writer's half of the column encodings (docs/format.md, "Column
// encodings"); column_decoding.cc is the reader's. A body describes exactly
// the chunk's n values. Numbers are 64-bit words; the ordered form of an
// integer word is `w ^ 2^63` for int32/int64 and `w` for uint64.
//
// PLAIN := word x n          u32 (the low half) for int32, else u64
//        | len varint x n, then the n strings' bytes       (strings)
// RLE   := run_count varint, then run x run_count
//          run := length varint (>= 1), value
//          value := svarint (int32, int64) | varint (uint64) | u64 (double)
//                 | lp-bytes (string)
//          lengths sum to n
// DICT  := dict_size varint (1..n), PLAIN body of the dict_size values,
//          width u8, packed(n, width) indices, each < dict_size
//          (this writer: dictionary in order of first occurrence, width the
//          bits of dict_size - 1)
// FOR   := base u64 (ordered minimum), width u8, packed(n, width):
//          ordered value i = base + packed[i]
// DELTA := first u64 (ordered value 0), min_delta i64, width u8,
//          packed(n - 1, width): ordered value i = ordered value i-1 +
//          min_delta + packed[i-1] (mod 2^64)
//
// The entropy-coded encodings use coded(count) of entropy_encoding.h, a
// Huffman-coded stream of (tag, magnitude) pairs; x below is the pair's
// signed value, tag ? -magnitude : magnitude (mod 2^64).
// HFOR   := base svarint (a word), coded(n): value i = base + x_i
// HDELTA := base svarint (a word), tables u8 (1..4), thresholds u8 x
//           (tables - 1) (decreasing, 1..64), codedK(n) with that many
//           tables: value i = (tag_i ? base : value i-1) + magnitude_i,
//           with value -1 = base (mod 2^64), coded with table c = the
//           number of thresholds above the bit width of value i-1 - base
// HDICT  := dict_size varint (1..n), the dictionary, coded(n) of the
//           indices (tag 0, each < dict_size); the dictionary is a PLAIN
//           body of dict_size words for numbers, and for strings
//           coded(dict_size) of their lengths (tag 0), bytes_mode u8, then
//           their bytes: raw (mode 0) or coded(total bytes) (mode 1; tag 0,
//           each < 256; total <= 8 x the bytes after bytes_mode)
// HRLE   := run_count varint (1..n), base svarint (a word),
//           coded(run_count) of length - 1 per run (tag 0),
//           coded(run_count): run value r = run value r-1 + x_r, with run
//           value -1 = base (mod 2^64)
// This writer: HFOR's base is the minimum, or 0 when the values straddle
// it (signed types), whichever codes smaller; HDELTA's base is the minimum
// and a value below its predecessor restarts; HRLE's base is the first
// value; HDICT's dictionary is in decreasing order of count (first
// occurrence on ties).
//
// The writer's choice: one branch-free pass over the words finds the
// ordered minimum and maximum, the number of runs and descents and the
// range of consecutive differences, which give the exact sizes of PLAIN,
// FOR and DELTA. With EncodeOptions::entropy_coding, a histogram pass per
// candidate gives the exact sizes of HFOR (always), HDELTA (when at most a
// quarter of the values descend) and HRLE (when there are at most n/2
// runs). RLE's exact size (a varint per run) is summed only when its lower
// bound, 2 bytes a run, could beat them. Then a pass counts distinct values
// into a first-occurrence dictionary, recording each row's index; it stops
// as soon as the dictionary alone makes DICT no smaller than the best other
// encoding, or holds more than kMaxAutoDictSize values (with entropy
// coding: until the dictionary values alone reach the best size, as HDICT
// may still win). HDICT's size then comes from the dictionary's counts.
// (Strings: one pass gives PLAIN's and RLE's sizes, then the same
// dictionary pass.) The
// smallest encoding is then written once, and debug builds check its size
// against the prediction.

#include "src/format/column_encoding.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <memory>
#include <vector>

#include "fmt/format.h"
#include "src/format/bit_packing.h"
#include "src/format/entropy_encoding.h"
#include "src/util/coding.h"
#include "src/util/hash.h"
#include "src/util/status_macros.h"

namespace mesa::internal {
namespace {

constexpr uint64_t kSignBit = uint64_t{1} << 63;
constexpr size_t kNotApplicable = std::numeric_limits<size_t>::max();
// Past this many distinct values the automatic choice gives up on DICT: the
// count costs a hash probe per value, and chunks hold 1-2 K values.
constexpr size_t kMaxAutoDictSize = 4096;

// Tie-break order: the encoding that decodes fastest first.
constexpr Encoding kPreference[kNumEncodings] = {
    Encoding::kPlain,   Encoding::kFor,     Encoding::kDelta,
    Encoding::kRle,     Encoding::kDict,    Encoding::kHuffRle,
    Encoding::kHuffFor, Encoding::kHuffDelta, Encoding::kHuffDict};
// The most mantissa bits HFOR, HDELTA and HRLE fold into symbols (at most
// 504 symbols, which histograms fast).
constexpr int kMaxNumericSub = 2;

// Per-thread scratch arrays, reused from chunk to chunk: slot `kSlot` of
// type T, at least n long. Each encoder uses distinct slots.
template <typename T, int kSlot>
T* Scratch(size_t n) {
  thread_local std::vector<T> buffer;
  if (buffer.size() < n) buffer.resize(n);
  return buffer.data();
}

// ceil(bits / 7) without a division: exact for 1..64 bits.
inline size_t VarintLength(uint64_t v) {
  return (static_cast<size_t>(BitWidth(v | 1)) * 9 + 64) / 64;
}

inline int PackWidth(uint64_t max_value, const EncodeOptions& options) {
  int w = BitWidth(max_value);
  return options.byte_aligned_widths ? (w + 7) & ~7 : w;
}

template <ColumnType kType>
constexpr uint64_t OrderBias() {
  return kType == ColumnType::kUint64 ? 0 : kSignBit;
}

template <ColumnType kType>
inline size_t RleValueBytes(uint64_t word) {
  if constexpr (kType == ColumnType::kUint64) {
    return VarintLength(word);
  } else if constexpr (kType == ColumnType::kDouble) {
    return 8;
  } else {
    return VarintLength(ZigZagEncode(static_cast<int64_t>(word)));
  }
}

template <ColumnType kType>
inline void PutRleValue(uint64_t word, std::string* dst) {
  if constexpr (kType == ColumnType::kUint64) {
    PutVarint64(dst, word);
  } else if constexpr (kType == ColumnType::kDouble) {
    PutFixed64(dst, word);
  } else {
    PutSignedVarint64(dst, static_cast<int64_t>(word));
  }
}

// ---------------------------------------------------------------- stats

// One branch-free pass; the RLE size, which needs a branch per run, is
// computed separately and only when RLE could win.
template <ColumnType kType>
NumericStats ComputeNumericStats(const uint64_t* w, size_t n) {
  constexpr uint64_t kBias = OrderBias<kType>();
  size_t runs = 1;
  NumericStats s;
  if constexpr (kType == ColumnType::kDouble) {
    for (size_t i = 1; i < n; ++i) runs += w[i] != w[i - 1];
  } else {
    uint64_t prev_o = w[0] ^ kBias;
    uint64_t mn = prev_o, mx = prev_o;
    int64_t dmin = std::numeric_limits<int64_t>::max();
    int64_t dmax = std::numeric_limits<int64_t>::min();
    bool overflow = false;
    size_t descents = 0;
    for (size_t i = 1; i < n; ++i) {
      const uint64_t o = w[i] ^ kBias;
      mn = std::min(mn, o);
      mx = std::max(mx, o);
      const int64_t d = static_cast<int64_t>(o - prev_o);
      // The true difference is o - prev_o over the integers; it fits an
      // int64 exactly when its sign agrees with the wrapped one.
      overflow |= (o >= prev_o) != (d >= 0);
      dmin = std::min(dmin, d);
      dmax = std::max(dmax, d);
      runs += o != prev_o;
      descents += o < prev_o;
      prev_o = o;
    }
    s.descents = descents;
    s.min = mn;
    s.max = mx;
    if (n > 1) {
      s.min_delta = dmin;
      s.max_delta = dmax;
    }
    s.delta_overflows = overflow;
  }
  s.runs = runs;
  return s;
}

// The exact size of the RLE body of w[0 .. n), which has `runs` runs.
template <ColumnType kType>
size_t RleSize(const uint64_t* w, size_t n, size_t runs) {
  size_t bytes = VarintLength(runs);
  size_t run_start = 0;
  for (size_t i = 1; i < n; ++i) {
    if (w[i] != w[run_start]) {
      bytes += VarintLength(i - run_start) + RleValueBytes<kType>(w[run_start]);
      run_start = i;
    }
  }
  return bytes + VarintLength(n - run_start) +
         RleValueBytes<kType>(w[run_start]);
}

// A lower bound of the RLE body's size: every run takes 2 bytes or more.
inline size_t RleSizeLowerBound(size_t runs) {
  return VarintLength(runs) + 2 * runs;
}

// A column's strings as raw arrays (offsets relative to `bytes`).
struct StringView {
  const uint32_t* offsets;
  const char* bytes;
  std::string_view Get(size_t i) const {
    return std::string_view(bytes + offsets[i], offsets[i + 1] - offsets[i]);
  }
};

struct StringStats {
  size_t plain_bytes = 0;
  size_t runs = 0;
  size_t run_bytes = 0;
};

StringStats ComputeStringStats(const StringView& col, size_t n) {
  StringStats s;
  std::string_view prev = col.Get(0);
  size_t run_start = 0;
  s.plain_bytes = VarintLength(prev.size()) + prev.size();
  for (size_t i = 1; i < n; ++i) {
    const std::string_view cur = col.Get(i);
    s.plain_bytes += VarintLength(cur.size()) + cur.size();
    if (cur != prev) {
      s.run_bytes +=
          VarintLength(i - run_start) + VarintLength(prev.size()) + prev.size();
      ++s.runs;
      run_start = i;
      prev = cur;
    }
  }
  s.run_bytes +=
      VarintLength(n - run_start) + VarintLength(prev.size()) + prev.size();
  ++s.runs;
  return s;
}

// ---------------------------------------------------------------- DICT

inline uint64_t HashValue(uint64_t w) {
  w ^= w >> 29;
  return w * 0x9E3779B97F4A7C15ull;
}
inline uint64_t HashValue(std::string_view s) { return Hash64(s); }

inline size_t PlainValueBytes(ColumnType type, uint64_t) {
  return type == ColumnType::kInt32 ? 4 : 8;
}
inline size_t PlainValueBytes(ColumnType, std::string_view s) {
  return VarintLength(s.size()) + s.size();
}

// A first-occurrence dictionary: open addressing (linear probing) over
// slots holding index + 1 into the dense array of distinct values.
template <typename V>
class Dictionary {
 public:
  explicit Dictionary(size_t max_distinct) {
    size_t capacity = 16;
    while (capacity < 2 * max_distinct) capacity *= 2;
    slots_.assign(capacity, 0);
    mask_ = capacity - 1;
    shift_ = 64 - BitWidth(mask_);
    values_.reserve(max_distinct);
  }

  // The index of `v`, which is added if new; `*added` says whether it was.
  uint32_t Add(V v, bool* added) {
    size_t s = static_cast<size_t>(HashValue(v) >> shift_);
    for (;; s = (s + 1) & mask_) {
      const uint32_t e = slots_[s];
      if (e == 0) {
        values_.push_back(v);
        slots_[s] = static_cast<uint32_t>(values_.size());
        *added = true;
        return static_cast<uint32_t>(values_.size() - 1);
      }
      if (values_[e - 1] == v) {
        *added = false;
        return e - 1;
      }
    }
  }
  const std::vector<V>& values() const { return values_; }

 private:
  std::vector<uint32_t> slots_;
  size_t mask_ = 0;
  int shift_ = 0;
  std::vector<V> values_;
};

// The DICT body's size for `d` distinct values taking `dict_bytes`.
inline size_t DictSize(size_t d, size_t dict_bytes, size_t n,
                       const EncodeOptions& options) {
  return VarintLength(d) + dict_bytes + 1 +
         PackedBytes(n, PackWidth(d - 1, options));
}

// Fills `dict` and codes[0 .. n) with the first-occurrence dictionary of
// `get(i)` and sets *dict_bytes to its PLAIN body's size. Returns false as
// soon as the dictionary holds more than `max_size` values or
// `give_up(d, dict_bytes)`, called as each new value is added, says so.
template <typename V, typename Get, typename GiveUp>
bool BuildDictionary(ColumnType type, size_t n, Get get, size_t max_size,
                     GiveUp give_up, Dictionary<V>* dict, uint64_t* codes,
                     size_t* dict_bytes) {
  size_t bytes = 0;
  for (size_t i = 0; i < n; ++i) {
    const V v = get(i);
    bool added;
    codes[i] = dict->Add(v, &added);
    if (added) {
      const size_t d = dict->values().size();
      bytes += PlainValueBytes(type, v);
      if (d > max_size || give_up(d, bytes)) return false;
    }
  }
  *dict_bytes = bytes;
  return true;
}

// The dictionary pass of the automatic choice, which gives up once the
// dictionary cannot win: once DICT's size (which only grows with each new
// value) is above `limit`, or equal to it when a tie goes to the other
// encoding, and, with entropy coding, once the dictionary values alone
// reach `limit` (HDICT adds its indices to them).
struct DictGiveUp {
  size_t n;
  size_t limit;
  bool stop_at_equal;
  bool entropy_coding;
  const EncodeOptions* options;
  bool operator()(size_t d, size_t dict_bytes) const {
    const size_t size = DictSize(d, dict_bytes, n, *options);
    const bool dict_loses = size > limit || (stop_at_equal && size == limit);
    return dict_loses &&
           (!entropy_coding || VarintLength(d) + dict_bytes >= limit);
  }
};

// HDICT's dictionary order: old index order[r] gets index r, in decreasing
// order of count (first occurrence on ties); rank[old] = r.
void RankByCount(const uint64_t* codes, size_t n, size_t d,
                 std::vector<uint32_t>* order, std::vector<uint32_t>* rank,
                 std::vector<uint32_t>* counts) {
  counts->assign(d, 0);
  for (size_t i = 0; i < n; ++i) ++(*counts)[codes[i]];
  order->resize(d);
  for (size_t j = 0; j < d; ++j) (*order)[j] = static_cast<uint32_t>(j);
  std::stable_sort(order->begin(), order->end(), [&](uint32_t a, uint32_t b) {
    return (*counts)[a] > (*counts)[b];
  });
  rank->resize(d);
  for (size_t r = 0; r < d; ++r) (*rank)[(*order)[r]] = static_cast<uint32_t>(r);
}

// The most mantissa bits HDICT folds into symbols: indices below
// 2 << sub are symbols of their own.
inline int DictMaxSub(size_t d) {
  return std::clamp(BitWidth(d - 1) - 1, 0, kMaxCodedSub);
}

// A coded(count) candidate and its size.
struct CodedChoice {
  size_t size = kNotApplicable;
  CodedPlan plan;
};

// HDICT's size with a dictionary of `d` values whose own part (numbers:
// PLAIN words; strings: coded lengths and the bytes) takes `dict_part`
// bytes; the indices' plan.
CodedChoice HuffDictChoice(size_t d, size_t dict_part,
                           const std::vector<uint32_t>& order,
                           const std::vector<uint32_t>& counts) {
  CodedHistogram h(DictMaxSub(d), d);
  for (size_t r = 0; r < d; ++r) h.Add(r, 0, counts[order[r]]);
  CodedChoice c;
  h.PlanBest(&c.plan);
  c.size = VarintLength(d) + dict_part + c.plan.size();
  return c;
}

// How HDICT stores a string dictionary: coded(dict_size) of the lengths,
// then the bytes raw or as coded(total bytes), whichever is smaller (coded
// only with at least two distinct bytes, which bounds the bytes a stream
// can claim).
struct StringDictPlan {
  CodedPlan lengths;
  bool coded_bytes = false;
  CodedPlan bytes;
  size_t total = 0;  // bytes of the strings
  size_t size = 0;   // of the dictionary part
};

void PlanStringDictionary(const std::vector<std::string_view>& values,
                          StringDictPlan* p) {
  CodedHistogram lengths(kMaxNumericSub);
  CodedHistogram bytes(kMaxCodedSub, 256);
  p->total = 0;
  for (std::string_view v : values) {
    lengths.Add(v.size(), 0);
    p->total += v.size();
  }
  lengths.PlanBest(&p->lengths);
  p->coded_bytes = false;
  if (p->total > 0) {
    bytes.AddAll([&](auto add) {
      for (std::string_view v : values) {
        for (char c : v) add(static_cast<uint8_t>(c), 0);
      }
    });
    bytes.PlanBest(&p->bytes);
    p->coded_bytes = p->bytes.symbols >= 2 && p->bytes.size() < p->total;
  }
  p->size = p->lengths.size() + 1 + (p->coded_bytes ? p->bytes.size() : p->total);
}

// ---------------------------------------------------------------- pairs

// The (tag, magnitude) pairs of HFOR, HDELTA and HRLE, passed to
// emit(i, magnitude, tag).

// HFOR: x_i = value i - base, as a sign and a magnitude.
template <typename Emit>
inline void HuffForPairs(const uint64_t* w, size_t n, uint64_t base,
                         Emit emit) {
  for (size_t i = 0; i < n; ++i) {
    const uint64_t x = w[i] - base;
    const uint64_t neg = x >> 63;
    emit(i, (x ^ (0 - neg)) + neg, static_cast<int>(neg));
  }
}

// HDELTA: a step up from the previous value (tag 0), or a restart from
// the minimum (tag 1) for a value below its predecessor; also passes the
// bit width of the previous value above the minimum (0 for the first).
template <ColumnType kType, typename Emit>
inline void HuffDeltaPairs(const uint64_t* w, size_t n, uint64_t min_ordered,
                           Emit emit) {
  constexpr uint64_t kBias = OrderBias<kType>();
  uint64_t prev = min_ordered;
  for (size_t i = 0; i < n; ++i) {
    const uint64_t o = w[i] ^ kBias;
    const bool step = o >= prev;
    emit(i, o - (step ? prev : min_ordered), step ? 0 : 1,
         BitWidth(prev - min_ordered));
    prev = o;
  }
}

// HRLE: per run r, emit_length(r, length - 1) and emit_value(r, magnitude,
// tag) of the step from the previous run's value (the first from w[0]).
template <typename EmitLength, typename EmitValue>
inline void HuffRlePairs(const uint64_t* w, size_t n, EmitLength emit_length,
                         EmitValue emit_value) {
  size_t run_start = 0, r = 0;
  uint64_t prev = w[0];
  for (size_t i = 1; i <= n; ++i) {
    if (i == n || w[i] != w[run_start]) {
      emit_length(r, i - run_start - 1);
      const uint64_t x = w[run_start] - prev;
      const uint64_t neg = x >> 63;
      emit_value(r, (x ^ (0 - neg)) + neg, static_cast<int>(neg));
      prev = w[run_start];
      run_start = i;
      ++r;
    }
  }
}

inline size_t SignedVarintLength(uint64_t word) {
  return VarintLength(ZigZagEncode(static_cast<int64_t>(word)));
}

// HFOR's histogram of the offsets from `base`.
void HuffForCount(const uint64_t* w, size_t n, uint64_t base,
                  CodedHistogram* h) {
  h->Clear();
  h->AddAll([&](auto add) {
    HuffForPairs(w, n, base, [&](size_t, uint64_t m, int tag) { add(m, tag); });
  });
}

// HFOR's base: 0 when the values straddle it (signed types), so that
// values near 0 of either sign stay small; else the minimum. Its plan and
// size.
template <ColumnType kType>
CodedChoice HuffForChoice(const uint64_t* w, size_t n,
                          const NumericStats& stats, uint64_t* base) {
  const bool straddles = kType != ColumnType::kUint64 &&
                         stats.min < kSignBit && stats.max > kSignBit;
  *base = straddles ? 0 : stats.min ^ OrderBias<kType>();
  CodedHistogram h(kMaxNumericSub);
  HuffForCount(w, n, *base, &h);
  CodedChoice c;
  h.PlanBest(&c.plan);
  c.size = SignedVarintLength(*base) + c.plan.size();
  return c;
}

// HDELTA's tables: value i's context is the number of thresholds above
// the bit width of value i-1 above the minimum. The writer's thresholds
// are the top widths, maxw and maxw - 1 (maxw the width of max - min): the
// steps of a locally sorted column are smaller where its values are dense,
// near the minimum.
struct DeltaChoice {
  size_t size = kNotApplicable;
  int tables = 1;
  uint8_t thresholds[kMaxCodedTables - 1] = {};
  CodedPlan plans[kMaxCodedTables];
};


template <ColumnType kType>
DeltaChoice HuffDeltaChoice(const uint64_t* w, size_t n,
                            const NumericStats& stats) {
  const int maxw = BitWidth(stats.max - stats.min);
  // The pairs and three-table contexts, kept for the encoder; histograms
  // per context (fewer tables merge them).
  uint64_t* magnitudes = Scratch<uint64_t, 4>(n);
  uint8_t* tags = Scratch<uint8_t, 2>(n);
  uint8_t* contexts = Scratch<uint8_t, 3>(n);
  HuffDeltaPairs<kType>(w, n, stats.min,
                        [&](size_t i, uint64_t m, int tag, int width) {
                          magnitudes[i] = m;
                          tags[i] = static_cast<uint8_t>(tag);
                          contexts[i] = static_cast<uint8_t>(
                              (width < maxw) + (width < maxw - 1));
                        });
  std::vector<CodedHistogram> h(3, CodedHistogram(kMaxNumericSub));
  for (int c = 0; c < 3; ++c) {
    h[c].AddAll([&](auto add) {
      for (size_t i = 0; i < n; ++i) {
        if (contexts[i] == c) add(magnitudes[i], tags[i]);
      }
    });
  }
  // The number of tables by the estimate; then plans of those only.
  auto merged = [&](int tables, int t) {
    // Table t merges the three-table contexts [first[t], first[t + 1]).
    const int first[4] = {0, tables == 1 ? 3 : 1, tables == 3 ? 2 : 3, 3};
    CodedHistogram m(kMaxNumericSub);
    for (int j = first[t]; j < first[t + 1]; ++j) m.Merge(h[j]);
    return m;
  };
  int best_tables = 1;
  double best_bits = 0;
  for (int tables = 1; tables <= 3; ++tables) {
    if (tables > 1 && maxw < tables - 1) break;
    double bits = 8.0 * (tables - 1);
    bool empty = false;
    for (int t = 0; t < tables && !empty; ++t) {
      const CodedHistogram m = merged(tables, t);
      empty = m.count() == 0;
      double b = 0;
      if (!empty) m.ChooseSub(&b);
      bits += b + 8.0 * 3;  // and a table header
    }
    if (empty) continue;
    if (tables == 1 || bits < best_bits) {
      best_tables = tables;
      best_bits = bits;
    }
  }
  DeltaChoice c;
  c.tables = best_tables;
  for (int t = 0; t < best_tables; ++t) {
    merged(best_tables, t).PlanBest(&c.plans[t]);
  }
  for (int j = 0; j + 1 < best_tables; ++j) {
    c.thresholds[j] = static_cast<uint8_t>(maxw - j);
  }
  c.size = SignedVarintLength(stats.min ^ OrderBias<kType>()) + 1 +
           static_cast<size_t>(best_tables - 1) + CodedSize(c.plans, best_tables);
  return c;
}

struct RleChoice {
  size_t size = kNotApplicable;
  CodedPlan lengths;
  CodedPlan values;
};

RleChoice HuffRleChoice(const uint64_t* w, size_t n, size_t runs,
                        CodedHistogram* lengths, CodedHistogram* values) {
  lengths->Clear();
  values->Clear();
  HuffRlePairs(
      w, n, [lengths](size_t, uint64_t m) { lengths->Add(m, 0); },
      [values](size_t, uint64_t m, int tag) { values->Add(m, tag); });
  RleChoice c;
  lengths->PlanBest(&c.lengths);
  values->PlanBest(&c.values);
  c.size = VarintLength(runs) + SignedVarintLength(w[0]) + c.lengths.size() +
           c.values.size();
  return c;
}

// ---------------------------------------------------------------- encoders

template <ColumnType kType>
void EncodePlainWords(const uint64_t* w, size_t n, std::string* dst) {
  const size_t old_size = dst->size();
  if constexpr (kType == ColumnType::kInt32) {
    dst->resize(old_size + 4 * n);
    char* p = dst->data() + old_size;
    for (size_t i = 0; i < n; ++i) {
      const uint32_t v = static_cast<uint32_t>(w[i]);
      std::memcpy(p + 4 * i, &v, 4);
    }
  } else {
    dst->resize(old_size + 8 * n);
    std::memcpy(dst->data() + old_size, w, 8 * n);
  }
}

void EncodePlainWordsOfType(ColumnType type, const uint64_t* w, size_t n,
                            std::string* dst) {
  if (type == ColumnType::kInt32) {
    EncodePlainWords<ColumnType::kInt32>(w, n, dst);
  } else {
    EncodePlainWords<ColumnType::kInt64>(w, n, dst);
  }
}

template <typename GetString>
void EncodePlainStrings(size_t n, GetString get, std::string* dst) {
  for (size_t i = 0; i < n; ++i) PutVarint64(dst, get(i).size());
  for (size_t i = 0; i < n; ++i) dst->append(get(i));
}

template <ColumnType kType>
void EncodeRleWords(const uint64_t* w, size_t n, size_t runs,
                    std::string* dst) {
  PutVarint64(dst, runs);
  size_t run_start = 0;
  for (size_t i = 1; i <= n; ++i) {
    if (i == n || w[i] != w[run_start]) {
      PutVarint64(dst, i - run_start);
      PutRleValue<kType>(w[run_start], dst);
      run_start = i;
    }
  }
}

void EncodeRleStrings(const StringView& col, size_t n, size_t runs,
                      std::string* dst) {
  PutVarint64(dst, runs);
  size_t run_start = 0;
  for (size_t i = 1; i <= n; ++i) {
    if (i == n || col.Get(i) != col.Get(run_start)) {
      PutVarint64(dst, i - run_start);
      PutLengthPrefixed(dst, col.Get(run_start));
      run_start = i;
    }
  }
}

void EncodeDictWords(ColumnType type, const Dictionary<uint64_t>& dict,
                     const uint64_t* codes, size_t n,
                     const EncodeOptions& options, std::string* dst) {
  const std::vector<uint64_t>& values = dict.values();
  PutVarint64(dst, values.size());
  EncodePlainWordsOfType(type, values.data(), values.size(), dst);
  const int width = PackWidth(values.size() - 1, options);
  PutFixed8(dst, static_cast<uint8_t>(width));
  PackBits(codes, n, width, dst);
}

void EncodeDictStrings(const Dictionary<std::string_view>& dict,
                       const uint64_t* codes, size_t n,
                       const EncodeOptions& options, std::string* dst) {
  const std::vector<std::string_view>& values = dict.values();
  PutVarint64(dst, values.size());
  EncodePlainStrings(
      values.size(), [&](size_t i) { return values[i]; }, dst);
  const int width = PackWidth(values.size() - 1, options);
  PutFixed8(dst, static_cast<uint8_t>(width));
  PackBits(codes, n, width, dst);
}

template <ColumnType kType>
void EncodeFor(const uint64_t* w, size_t n, const NumericStats& stats,
               const EncodeOptions& options, uint64_t* scratch,
               std::string* dst) {
  constexpr uint64_t kBias = OrderBias<kType>();
  const int width = PackWidth(stats.max - stats.min, options);
  PutFixed64(dst, stats.min);
  PutFixed8(dst, static_cast<uint8_t>(width));
  for (size_t i = 0; i < n; ++i) scratch[i] = (w[i] ^ kBias) - stats.min;
  PackBits(scratch, n, width, dst);
}

template <ColumnType kType>
void EncodeDelta(const uint64_t* w, size_t n, const NumericStats& stats,
                 const EncodeOptions& options, uint64_t* scratch,
                 std::string* dst) {
  constexpr uint64_t kBias = OrderBias<kType>();
  const uint64_t min_delta = static_cast<uint64_t>(stats.min_delta);
  const int width =
      PackWidth(static_cast<uint64_t>(stats.max_delta) - min_delta, options);
  PutFixed64(dst, w[0] ^ kBias);
  PutFixed64(dst, min_delta);
  PutFixed8(dst, static_cast<uint8_t>(width));
  for (size_t i = 1; i < n; ++i) {
    scratch[i - 1] = (w[i] ^ kBias) - (w[i - 1] ^ kBias) - min_delta;
  }
  PackBits(scratch, n - 1, width, dst);
}

template <ColumnType kType>
void EncodeHuffFor(const uint64_t* w, size_t n, uint64_t base,
                   const CodedPlan& plan, std::string* dst) {
  uint64_t* magnitudes = Scratch<uint64_t, 1>(n);
  uint8_t* tags = Scratch<uint8_t, 0>(n);
  PutSignedVarint64(dst, static_cast<int64_t>(base));
  HuffForPairs(w, n, base, [&](size_t i, uint64_t m, int tag) {
    magnitudes[i] = m;
    tags[i] = static_cast<uint8_t>(tag);
  });
  AppendCoded(&plan, 1, magnitudes, tags, nullptr, n, dst);
}

// HDELTA from the pairs and contexts HuffDeltaChoice left in its scratch
// arrays.
template <ColumnType kType>
void EncodeHuffDelta(size_t n, uint64_t min_ordered, const DeltaChoice& choice,
                     std::string* dst) {
  const uint64_t* magnitudes = Scratch<uint64_t, 4>(n);
  const uint8_t* tags = Scratch<uint8_t, 2>(n);
  uint8_t* contexts = Scratch<uint8_t, 3>(n);
  PutSignedVarint64(dst, static_cast<int64_t>(min_ordered ^ OrderBias<kType>()));
  PutFixed8(dst, static_cast<uint8_t>(choice.tables));
  for (int j = 0; j + 1 < choice.tables; ++j) {
    PutFixed8(dst, choice.thresholds[j]);
  }
  // Three-table contexts to `tables` tables: the last table takes the rest.
  const uint8_t last = static_cast<uint8_t>(choice.tables - 1);
  for (size_t i = 0; i < n; ++i) contexts[i] = std::min(contexts[i], last);
  AppendCoded(choice.plans, choice.tables, magnitudes, tags, contexts, n, dst);
}

void EncodeHuffRle(const uint64_t* w, size_t n, size_t runs,
                   const RleChoice& choice, std::string* dst) {
  uint64_t* lengths = Scratch<uint64_t, 1>(runs);
  uint64_t* values = Scratch<uint64_t, 2>(runs);
  uint8_t* tags = Scratch<uint8_t, 0>(runs);
  HuffRlePairs(
      w, n, [&](size_t r, uint64_t m) { lengths[r] = m; },
      [&](size_t r, uint64_t m, int tag) {
        values[r] = m;
        tags[r] = static_cast<uint8_t>(tag);
      });
  PutVarint64(dst, runs);
  PutSignedVarint64(dst, static_cast<int64_t>(w[0]));
  AppendCoded(&choice.lengths, 1, lengths, nullptr, nullptr, runs, dst);
  AppendCoded(&choice.values, 1, values, tags, nullptr, runs, dst);
}

// HDICT of the dictionary `values` (first-occurrence order) and its codes,
// which become ranks in place.
template <typename V, typename EncodeDictionary>
void EncodeHuffDict(const std::vector<V>& values, uint64_t* codes, size_t n,
                    const std::vector<uint32_t>& order,
                    const std::vector<uint32_t>& rank, const CodedPlan& plan,
                    EncodeDictionary encode_dictionary, std::string* dst) {
  const size_t d = values.size();
  PutVarint64(dst, d);
  std::vector<V> ordered(d);
  for (size_t r = 0; r < d; ++r) ordered[r] = values[order[r]];
  encode_dictionary(ordered, dst);
  for (size_t i = 0; i < n; ++i) codes[i] = rank[codes[i]];
  AppendCoded(&plan, 1, codes, nullptr, nullptr, n, dst);
}

// ---------------------------------------------------------------- choice

// The smallest of `sizes` (kNotApplicable where an encoding does not
// apply), ties going to the earlier in kPreference.
Encoding Smallest(const size_t* sizes, size_t* best_size) {
  Encoding best = Encoding::kPlain;
  *best_size = kNotApplicable;
  for (Encoding e : kPreference) {
    const size_t s = sizes[static_cast<int>(e)];
    if (s < *best_size) {
      best = e;
      *best_size = s;
    }
  }
  return best;
}

bool PrefersOver(Encoding a, Encoding b) {
  return std::find(std::begin(kPreference), std::end(kPreference), a) <
         std::find(std::begin(kPreference), std::end(kPreference), b);
}

absl::Status NotApplicable(Encoding e, ColumnType type) {
  return absl::InvalidArgumentError(fmt::format(
      "{} does not apply to this {} column{}", EncodingName(e),
      ColumnTypeName(type),
      e == Encoding::kDelta ? " (a difference overflows int64)" : ""));
}

// Where EncodeColumn puts the smallest classic body when an entropy-coded
// one wins.
struct RunnerUp {
  std::string* body;
  Encoding* encoding;
};

// Appends the smallest classic encoding (per `sizes`) to the runner-up when
// `chosen` is entropy-coded and that classic body is less than twice as
// large: a codec may still shrink it below `chosen`.
template <typename Emit>
void EmitRunnerUp(Encoding chosen, const size_t* sizes, RunnerUp* runner_up,
                  Emit emit) {
  if (runner_up == nullptr) return;
  *runner_up->encoding = chosen;
  if (!IsEntropyCoded(chosen)) return;
  size_t classic_sizes[kNumEncodings];
  for (int e = 0; e < kNumEncodings; ++e) {
    classic_sizes[e] =
        IsEntropyCoded(static_cast<Encoding>(e)) ? kNotApplicable : sizes[e];
  }
  size_t best;
  const Encoding classic = Smallest(classic_sizes, &best);
  if (best >= sizes[static_cast<int>(chosen)] + sizes[static_cast<int>(chosen)] / 2) return;
  *runner_up->encoding = classic;
  emit(classic, runner_up->body);
}

// Whether the choice sizes `e`: the forced encoding only, or every classic
// encoding and, with entropy coding, the entropy-coded ones.
bool Wanted(Encoding e, const EncodeOptions& options, const Encoding* forced) {
  if (forced != nullptr) return *forced == e;
  return !IsEntropyCoded(e) || options.entropy_coding;
}

// Encodes a numeric column with `forced`, or with the smallest encoding if
// `forced` is not set. Returns the encoding, or InvalidArgument.
template <ColumnType kType>
absl::StatusOr<Encoding> EncodeWords(const ColumnVector& column,
                                     const EncodeOptions& options,
                                     const Encoding* forced, std::string* dst,
                                     RunnerUp* runner_up) {
  constexpr bool kOrdered = kType != ColumnType::kDouble;
  const uint64_t* w = column.words().data();
  const size_t n = column.size();
  NumericStats stats;
  if (options.sketch != nullptr && options.sketch->n == n) {
    // The caller's sketch ran this very pass (doubles: only runs count).
    stats = options.sketch->stats;
  } else {
    stats = ComputeNumericStats<kType>(w, n);
  }
  auto wanted = [&](Encoding e) { return Wanted(e, options, forced); };
  auto at = [](Encoding e) { return static_cast<int>(e); };
  size_t sizes[kNumEncodings];
  std::fill(std::begin(sizes), std::end(sizes), kNotApplicable);
  sizes[at(Encoding::kPlain)] = n * (kType == ColumnType::kInt32 ? 4 : 8);
  if constexpr (kOrdered) {
    sizes[at(Encoding::kFor)] =
        9 + PackedBytes(n, PackWidth(stats.max - stats.min, options));
    if (!stats.delta_overflows) {
      const uint64_t range = static_cast<uint64_t>(stats.max_delta) -
                             static_cast<uint64_t>(stats.min_delta);
      sizes[at(Encoding::kDelta)] =
          17 + PackedBytes(n - 1, PackWidth(range, options));
    }
  }
  // Entropy-coded candidates.
  CodedChoice hfor;
  DeltaChoice hdelta;
  uint64_t hfor_base = 0;
  RleChoice hrle;
  // With at least two runs, a per-value encoding (HFOR, HDELTA, DICT,
  // HDICT) takes at least a bit per value: when HRLE is smaller than that,
  // they are not sized at all.
  bool per_value_loses = false;
  if constexpr (kOrdered) {
    CodedHistogram h(kMaxNumericSub);
    if (wanted(Encoding::kHuffRle) &&
        (forced != nullptr || stats.runs <= n / 2)) {
      CodedHistogram values(kMaxNumericSub);
      hrle = HuffRleChoice(w, n, stats.runs, &h, &values);
      sizes[at(Encoding::kHuffRle)] = hrle.size;
      // (A constant signed column: RLE, at most 3 bytes and the value's
      // svarint, is smaller than any per-value encoding.)
      per_value_loses =
          forced == nullptr &&
          ((stats.runs >= 2 && hrle.size < n / 8) ||
           (stats.runs == 1 && kType != ColumnType::kUint64 &&
            n < (size_t{1} << 21)));
    }
    if (wanted(Encoding::kHuffFor) && !per_value_loses) {
      hfor = HuffForChoice<kType>(w, n, stats, &hfor_base);
      sizes[at(Encoding::kHuffFor)] = hfor.size;
    }
    if (wanted(Encoding::kHuffDelta) && !per_value_loses &&
        (forced != nullptr || stats.descents <= n / 4)) {
      hdelta = HuffDeltaChoice<kType>(w, n, stats);
      sizes[at(Encoding::kHuffDelta)] = hdelta.size;
    }
  }
  {
    // RLE, when its lower bound could win.
    size_t best;
    Smallest(sizes, &best);
    if ((forced != nullptr && *forced == Encoding::kRle) ||
        (forced == nullptr && RleSizeLowerBound(stats.runs) <= best)) {
      sizes[at(Encoding::kRle)] = RleSize<kType>(w, n, stats.runs);
    }
  }
  // Dictionaries. FOR and DELTA use `scratch`, the dictionaries `codes`:
  // the runner-up and the winner may be one of each.
  uint64_t* scratch = Scratch<uint64_t, 0>(n);
  const bool want_dict =
      wanted(Encoding::kDict) || wanted(Encoding::kHuffDict);
  uint64_t* codes = Scratch<uint64_t, 3>(n);
  Dictionary<uint64_t> dict(
      !want_dict ? 0 : forced != nullptr ? n : std::min(n, kMaxAutoDictSize));
  auto get = [w](size_t i) { return w[i]; };
  size_t dict_bytes = 0;
  bool have_dict = false;
  if (forced != nullptr) {
    if (want_dict) {
      have_dict = BuildDictionary<uint64_t>(
          kType, n, get, kNotApplicable, [](size_t, size_t) { return false; },
          &dict, codes, &dict_bytes);
    }
  } else if (!per_value_loses) {
    // DICT's and HDICT's sizes are not known yet: this is the best of the
    // others.
    size_t limit;
    const Encoding other = Smallest(sizes, &limit);
    have_dict = BuildDictionary<uint64_t>(
        kType, n, get, kMaxAutoDictSize,
        DictGiveUp{n, limit, PrefersOver(other, Encoding::kDict),
                   options.entropy_coding, &options},
        &dict, codes, &dict_bytes);
  }
  std::vector<uint32_t> order, rank, counts;
  CodedChoice hdict;
  if (have_dict) {
    const size_t d = dict.values().size();
    if (wanted(Encoding::kDict)) {
      sizes[at(Encoding::kDict)] = DictSize(d, dict_bytes, n, options);
    }
    if (wanted(Encoding::kHuffDict)) {
      RankByCount(codes, n, d, &order, &rank, &counts);
      hdict = HuffDictChoice(d, dict_bytes, order, counts);
      sizes[at(Encoding::kHuffDict)] = hdict.size;
    }
  }
  Encoding chosen;
  if (forced != nullptr) {
    chosen = *forced;
    if (sizes[at(chosen)] == kNotApplicable) return NotApplicable(chosen, kType);
  } else {
    size_t unused;
    chosen = Smallest(sizes, &unused);
  }
  auto emit = [&](Encoding e, std::string* dst) {
    const size_t old_size = dst->size();
    dst->reserve(old_size + sizes[at(e)]);
    switch (e) {
    case Encoding::kPlain:
      EncodePlainWords<kType>(w, n, dst);
      break;
    case Encoding::kRle:
      EncodeRleWords<kType>(w, n, stats.runs, dst);
      break;
    case Encoding::kDict:
      EncodeDictWords(kType, dict, codes, n, options, dst);
      break;
    case Encoding::kHuffDict:
      EncodeHuffDict(
          dict.values(), codes, n, order, rank, hdict.plan,
          [](const std::vector<uint64_t>& v, std::string* out) {
            EncodePlainWordsOfType(kType, v.data(), v.size(), out);
          },
          dst);
      break;
    case Encoding::kFor:
      if constexpr (kOrdered) {
        EncodeFor<kType>(w, n, stats, options, scratch, dst);
      }
      break;
    case Encoding::kDelta:
      if constexpr (kOrdered) {
        EncodeDelta<kType>(w, n, stats, options, scratch, dst);
      }
      break;
    case Encoding::kHuffFor:
      if constexpr (kOrdered) {
        EncodeHuffFor<kType>(w, n, hfor_base, hfor.plan, dst);
      }
      break;
    case Encoding::kHuffDelta:
      if constexpr (kOrdered) {
        EncodeHuffDelta<kType>(n, stats.min, hdelta, dst);
      }
      break;
    case Encoding::kHuffRle:
      if constexpr (kOrdered) {
        EncodeHuffRle(w, n, stats.runs, hrle, dst);
      }
      break;
    }
    MESA_DCHECK(dst->size() - old_size == sizes[at(e)]);
  };
  // The runner-up first: HDICT remaps the dictionary codes DICT uses.
  EmitRunnerUp(chosen, sizes, runner_up, emit);
  emit(chosen, dst);
  return chosen;
}

// Encodes a string column; as EncodeWords.
absl::StatusOr<Encoding> EncodeStrings(const ColumnVector& column,
                                       const EncodeOptions& options,
                                       const Encoding* forced,
                                       std::string* dst, RunnerUp* runner_up) {
  const StringView col{column.offsets().data(), column.bytes().data()};
  const size_t n = column.size();
  const StringStats stats = ComputeStringStats(col, n);
  auto wanted = [&](Encoding e) { return Wanted(e, options, forced); };
  auto at = [](Encoding e) { return static_cast<int>(e); };
  size_t sizes[kNumEncodings];
  std::fill(std::begin(sizes), std::end(sizes), kNotApplicable);
  sizes[at(Encoding::kPlain)] = stats.plain_bytes;
  sizes[at(Encoding::kRle)] = VarintLength(stats.runs) + stats.run_bytes;
  uint64_t* codes = Scratch<uint64_t, 3>(n);
  const bool want_dict =
      wanted(Encoding::kDict) || wanted(Encoding::kHuffDict);
  Dictionary<std::string_view> dict(
      !want_dict ? 0 : forced != nullptr ? n : std::min(n, kMaxAutoDictSize));
  auto get = [&col](size_t i) { return col.Get(i); };
  size_t dict_bytes = 0;
  bool have_dict = false;
  if (forced != nullptr) {
    if (want_dict) {
      have_dict = BuildDictionary<std::string_view>(
          ColumnType::kString, n, get, kNotApplicable,
          [](size_t, size_t) { return false; }, &dict, codes,
          &dict_bytes);
    }
  } else {
    size_t limit;
    const Encoding other = Smallest(sizes, &limit);
    have_dict = BuildDictionary<std::string_view>(
        ColumnType::kString, n, get, kMaxAutoDictSize,
        DictGiveUp{n, limit, PrefersOver(other, Encoding::kDict),
                   options.entropy_coding, &options},
        &dict, codes, &dict_bytes);
  }
  std::vector<uint32_t> order, rank, counts;
  CodedChoice hdict;
  StringDictPlan string_dict;
  if (have_dict) {
    const size_t d = dict.values().size();
    if (wanted(Encoding::kDict)) {
      sizes[at(Encoding::kDict)] = DictSize(d, dict_bytes, n, options);
    }
    if (wanted(Encoding::kHuffDict)) {
      RankByCount(codes, n, d, &order, &rank, &counts);
      PlanStringDictionary(dict.values(), &string_dict);
      hdict = HuffDictChoice(d, string_dict.size, order, counts);
      sizes[at(Encoding::kHuffDict)] = hdict.size;
    }
  }
  Encoding chosen;
  if (forced != nullptr) {
    chosen = *forced;
    if (sizes[at(chosen)] == kNotApplicable) {
      return absl::InvalidArgumentError(fmt::format(
          "{} does not apply to string columns", EncodingName(chosen)));
    }
  } else {
    size_t unused;
    chosen = Smallest(sizes, &unused);
  }
  auto emit = [&](Encoding e, std::string* dst) {
    const size_t old_size = dst->size();
    dst->reserve(old_size + sizes[at(e)]);
    switch (e) {
    case Encoding::kRle:
      EncodeRleStrings(col, n, stats.runs, dst);
      break;
    case Encoding::kDict:
      EncodeDictStrings(dict, codes, n, options, dst);
      break;
    case Encoding::kHuffDict:
      EncodeHuffDict(
          dict.values(), codes, n, order, rank, hdict.plan,
          [&](const std::vector<std::string_view>& v, std::string* out) {
            uint64_t* lengths = Scratch<uint64_t, 1>(v.size());
            for (size_t i = 0; i < v.size(); ++i) lengths[i] = v[i].size();
            AppendCoded(&string_dict.lengths, 1, lengths, nullptr, nullptr,
                        v.size(), out);
            PutFixed8(out, string_dict.coded_bytes ? 1 : 0);
            if (!string_dict.coded_bytes) {
              for (std::string_view s : v) out->append(s);
              return;
            }
            uint64_t* bytes = Scratch<uint64_t, 2>(string_dict.total);
            size_t k = 0;
            for (std::string_view s : v) {
              for (char c : s) bytes[k++] = static_cast<uint8_t>(c);
            }
            AppendCoded(&string_dict.bytes, 1, bytes, nullptr, nullptr,
                        string_dict.total, out);
          },
          dst);
      break;
    default:
      EncodePlainStrings(n, get, dst);
      break;
    }
    MESA_DCHECK(dst->size() - old_size == sizes[at(e)]);
  };
  EmitRunnerUp(chosen, sizes, runner_up, emit);
  emit(chosen, dst);
  return chosen;
}

absl::StatusOr<Encoding> Encode(const ColumnVector& column,
                                const EncodeOptions& options,
                                const Encoding* forced, std::string* dst,
                                RunnerUp* runner_up = nullptr) {
  if (column.empty()) return forced ? *forced : Encoding::kPlain;
  switch (column.type()) {
    case ColumnType::kInt32:
      return EncodeWords<ColumnType::kInt32>(column, options, forced, dst,
                                               runner_up);
    case ColumnType::kInt64:
      return EncodeWords<ColumnType::kInt64>(column, options, forced, dst,
                                               runner_up);
    case ColumnType::kUint64:
      return EncodeWords<ColumnType::kUint64>(column, options, forced, dst,
                                               runner_up);
    case ColumnType::kDouble:
      return EncodeWords<ColumnType::kDouble>(column, options, forced, dst,
                                               runner_up);
    case ColumnType::kString:
      return EncodeStrings(column, options, forced, dst, runner_up);
  }
  return absl::InvalidArgumentError("unknown column type");
}

}  // namespace

std::string_view EncodingName(Encoding e) {
  switch (e) {
    case Encoding::kPlain:
      return "PLAIN";
    case Encoding::kRle:
      return "RLE";
    case Encoding::kDict:
      return "DICT";
    case Encoding::kFor:
      return "FOR";
    case Encoding::kDelta:
      return "DELTA";
    case Encoding::kHuffFor:
      return "HFOR";
    case Encoding::kHuffDelta:
      return "HDELTA";
    case Encoding::kHuffDict:
      return "HDICT";
    case Encoding::kHuffRle:
      return "HRLE";
  }
  return "UNKNOWN";
}

bool IsEntropyCoded(Encoding e) {
  return e == Encoding::kHuffFor || e == Encoding::kHuffDelta ||
         e == Encoding::kHuffDict || e == Encoding::kHuffRle;
}

bool EncodingApplies(Encoding e, ColumnType type) {
  switch (e) {
    case Encoding::kPlain:
    case Encoding::kRle:
    case Encoding::kDict:
    case Encoding::kHuffDict:
      return true;
    case Encoding::kFor:
    case Encoding::kDelta:
    case Encoding::kHuffFor:
    case Encoding::kHuffDelta:
    case Encoding::kHuffRle:
      return type == ColumnType::kInt32 || type == ColumnType::kInt64 ||
             type == ColumnType::kUint64;
  }
  return false;
}

ColumnSketch SketchColumn(const ColumnVector& column) {
  ColumnSketch k;
  k.n = column.size();
  if (k.n == 0) return k;
  auto from = [&](const NumericStats& s, bool ordered) {  // NOLINT
    k.stats = s;
    if (ordered) {
      k.range_width = BitWidth(s.max - s.min);
      k.delta_width =
          s.delta_overflows
              ? 65
              : BitWidth(static_cast<uint64_t>(s.max_delta) -
                         static_cast<uint64_t>(s.min_delta));
    }
  };
  const uint64_t* w = column.words().data();
  switch (column.type()) {
    case ColumnType::kInt32:
      from(ComputeNumericStats<ColumnType::kInt32>(w, k.n), true);
      break;
    case ColumnType::kInt64:
      from(ComputeNumericStats<ColumnType::kInt64>(w, k.n), true);
      break;
    case ColumnType::kUint64:
      from(ComputeNumericStats<ColumnType::kUint64>(w, k.n), true);
      break;
    case ColumnType::kDouble:
      // The bit patterns as numbers: enough to tell sorted, narrow or
      // constant doubles from others.
      from(ComputeNumericStats<ColumnType::kUint64>(w, k.n), true);
      break;
    case ColumnType::kString: {
      const StringView col{column.offsets().data(), column.bytes().data()};
      k.stats.runs = 1;
      for (size_t i = 1; i < k.n; ++i) {
        k.stats.runs += col.Get(i) != col.Get(i - 1);
      }
      k.bytes = column.bytes().size();
      break;
    }
  }
  // Distinct values of a sample spread over the column (strings by hash).
  constexpr size_t kSample = 128;
  uint64_t sample[kSample];
  const size_t m = std::min(kSample, k.n);
  for (size_t j = 0; j < m; ++j) {
    const size_t i = j * k.n / m;
    sample[j] = column.is_string() ? HashValue(column.GetString(i))
                                   : column.GetWord(i);
  }
  // A 256-slot open-addressing set (slot value + 1; 0 is empty).
  uint64_t slots[2 * kSample] = {};
  bool zero_seen = false;
  size_t distinct = 0;
  for (size_t j = 0; j < m; ++j) {
    const uint64_t v = sample[j];
    if (v == ~uint64_t{0}) {
      distinct += !zero_seen;  // the one value whose + 1 is 0
      zero_seen = true;
      continue;
    }
    size_t at = static_cast<size_t>(HashValue(v) >> 56);
    while (slots[at] != 0 && slots[at] != v + 1) at = (at + 1) & 255;
    if (slots[at] == 0) {
      slots[at] = v + 1;
      ++distinct;
    }
  }
  k.sample_distinct = distinct;
  return k;
}

bool SketchesAlike(const ColumnSketch& a, const ColumnSketch& b) {
  if (a.n == 0 || b.n == 0) return false;
  // Rates per value, smoothed by 1/64 so that small counts do not swing.
  auto rates_alike = [&](size_t x, size_t y, double factor) {
    const double rx = (static_cast<double>(x) + a.n / 64.0) / a.n;
    const double ry = (static_cast<double>(y) + b.n / 64.0) / b.n;
    return rx <= ry * factor && ry <= rx * factor;
  };
  return rates_alike(a.stats.runs, b.stats.runs, 2) &&
         rates_alike(a.stats.descents, b.stats.descents, 2) &&
         rates_alike(a.bytes, b.bytes, 1.25) &&
         a.sample_distinct * 2 <= b.sample_distinct * 3 &&
         b.sample_distinct * 2 <= a.sample_distinct * 3 &&
         std::abs(a.range_width - b.range_width) <= 2 &&
         std::abs(a.delta_width - b.delta_width) <= 2;
}

Encoding EncodeColumn(const ColumnVector& column, const EncodeOptions& options,
                      std::string* dst) {
  absl::StatusOr<Encoding> e = Encode(column, options, nullptr, dst);
  MESA_DCHECK(e.ok());
  return e.ok() ? *e : Encoding::kPlain;
}

Encoding EncodeColumn(const ColumnVector& column, const EncodeOptions& options,
                      std::string* dst, std::string* runner_up,
                      Encoding* runner_up_encoding) {
  RunnerUp r{runner_up, runner_up_encoding};
  absl::StatusOr<Encoding> e = Encode(column, options, nullptr, dst, &r);
  MESA_DCHECK(e.ok());
  if (column.empty()) *runner_up_encoding = Encoding::kPlain;
  return e.ok() ? *e : Encoding::kPlain;
}

absl::Status EncodeColumnAs(Encoding e, const ColumnVector& column,
                            const EncodeOptions& options, std::string* dst) {
  if (!EncodingApplies(e, column.type())) {
    return absl::InvalidArgumentError(fmt::format(
        "encoding {} ({}) does not apply to {} columns", EncodingName(e),
        static_cast<int>(e), ColumnTypeName(column.type())));
  }
  return Encode(column, options, &e, dst).status();
}

}  // namespace mesa::internal
