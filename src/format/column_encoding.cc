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
// The writer's choice: one branch-free pass over the words finds the
// ordered minimum and maximum, the number of runs and the range of
// consecutive differences, which give the exact sizes of PLAIN, FOR and
// DELTA. RLE's exact size (a varint per run) is summed only when its lower
// bound, 2 bytes a run, could beat them. Then a pass counts distinct values
// into a first-occurrence dictionary, recording each row's index; it stops
// as soon as the dictionary alone makes DICT no smaller than the best other
// encoding, or holds more than kMaxAutoDictSize values. (Strings: one pass
// gives PLAIN's and RLE's sizes, then the same dictionary pass.) The
// smallest encoding is then written once, and debug builds check its size
// against the prediction.

#include "src/format/column_encoding.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <memory>
#include <vector>

#include "fmt/format.h"
#include "src/format/bit_packing.h"
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
    Encoding::kPlain, Encoding::kFor, Encoding::kDelta, Encoding::kRle,
    Encoding::kDict};

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

struct NumericStats {
  uint64_t min = 0;  // ordered form
  uint64_t max = 0;
  int64_t min_delta = 0;  // of consecutive ordered values
  int64_t max_delta = 0;
  bool delta_overflows = false;  // a difference does not fit an int64
  size_t runs = 0;
};

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
      prev_o = o;
    }
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

// Fills `dict` and codes[0 .. n) with the dictionary of `get(i)` and returns
// the DICT body's size, or kNotApplicable as soon as the dictionary holds
// more than `max_size` values or makes the body larger than `limit` (or as
// large, when `stop_at_equal`).
template <typename V, typename Get>
size_t BuildDictionary(ColumnType type, size_t n, Get get, size_t max_size,
                       size_t limit, bool stop_at_equal,
                       const EncodeOptions& options, Dictionary<V>* dict,
                       uint64_t* codes) {
  size_t dict_bytes = 0;
  size_t size = 0;
  for (size_t i = 0; i < n; ++i) {
    const V v = get(i);
    bool added;
    codes[i] = dict->Add(v, &added);
    if (added) {
      const size_t d = dict->values().size();
      dict_bytes += PlainValueBytes(type, v);
      // The body's size if no other value were new: it only grows.
      size = VarintLength(d) + dict_bytes + 1 +
             PackedBytes(n, PackWidth(d - 1, options));
      if (d > max_size || size > limit || (stop_at_equal && size == limit)) {
        return kNotApplicable;
      }
    }
  }
  return size;
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

// The most distinct values the dictionary pass may meet.
size_t DictionaryCapacity(const Encoding* forced, size_t n) {
  if (forced == nullptr) return std::min(n, kMaxAutoDictSize);
  return *forced == Encoding::kDict ? n : 0;
}

// Encodes a numeric column with `forced`, or with the smallest encoding if
// `forced` is not set. Returns the encoding, or InvalidArgument.
template <ColumnType kType>
absl::StatusOr<Encoding> EncodeWords(const ColumnVector& column,
                                     const EncodeOptions& options,
                                     const Encoding* forced, std::string* dst) {
  constexpr bool kOrdered = kType != ColumnType::kDouble;
  const uint64_t* w = column.words().data();
  const size_t n = column.size();
  const NumericStats stats = ComputeNumericStats<kType>(w, n);
  size_t sizes[kNumEncodings];
  std::fill(std::begin(sizes), std::end(sizes), kNotApplicable);
  sizes[static_cast<int>(Encoding::kPlain)] =
      n * (kType == ColumnType::kInt32 ? 4 : 8);
  if constexpr (kOrdered) {
    sizes[static_cast<int>(Encoding::kFor)] =
        9 + PackedBytes(n, PackWidth(stats.max - stats.min, options));
    if (!stats.delta_overflows) {
      const uint64_t range = static_cast<uint64_t>(stats.max_delta) -
                             static_cast<uint64_t>(stats.min_delta);
      sizes[static_cast<int>(Encoding::kDelta)] =
          17 + PackedBytes(n - 1, PackWidth(range, options));
    }
  }
  {
    size_t best;
    Smallest(sizes, &best);
    if ((forced != nullptr && *forced == Encoding::kRle) ||
        (forced == nullptr && RleSizeLowerBound(stats.runs) <= best)) {
      sizes[static_cast<int>(Encoding::kRle)] =
          RleSize<kType>(w, n, stats.runs);
    }
  }
  std::unique_ptr<uint64_t[]> scratch(new uint64_t[n]);
  Dictionary<uint64_t> dict(forced ? n : std::min(n, kMaxAutoDictSize));
  auto get = [w](size_t i) { return w[i]; };
  Encoding chosen;
  if (forced != nullptr) {
    chosen = *forced;
    if (chosen == Encoding::kDict) {
      sizes[static_cast<int>(Encoding::kDict)] = BuildDictionary<uint64_t>(
          kType, n, get, kNotApplicable, kNotApplicable, false, options, &dict,
          scratch.get());
    }
    if (sizes[static_cast<int>(chosen)] == kNotApplicable) {
      return absl::InvalidArgumentError(fmt::format(
          "{} does not apply to this {} column{}", EncodingName(chosen),
          ColumnTypeName(kType),
          chosen == Encoding::kDelta ? " (a difference overflows int64)" : ""));
    }
  } else {
    // DICT's size is not known yet: this is the best of the others.
    size_t limit;
    const Encoding other = Smallest(sizes, &limit);
    sizes[static_cast<int>(Encoding::kDict)] = BuildDictionary<uint64_t>(
        kType, n, get, kMaxAutoDictSize, limit,
        PrefersOver(other, Encoding::kDict), options, &dict, scratch.get());
    size_t unused;
    chosen = Smallest(sizes, &unused);
  }
  const size_t old_size = dst->size();
  dst->reserve(old_size + sizes[static_cast<int>(chosen)]);
  switch (chosen) {
    case Encoding::kPlain:
      EncodePlainWords<kType>(w, n, dst);
      break;
    case Encoding::kRle:
      EncodeRleWords<kType>(w, n, stats.runs, dst);
      break;
    case Encoding::kDict:
      EncodeDictWords(kType, dict, scratch.get(), n, options, dst);
      break;
    case Encoding::kFor:
      if constexpr (kOrdered) {
        EncodeFor<kType>(w, n, stats, options, scratch.get(), dst);
      }
      break;
    case Encoding::kDelta:
      if constexpr (kOrdered) {
        EncodeDelta<kType>(w, n, stats, options, scratch.get(), dst);
      }
      break;
  }
  MESA_DCHECK(dst->size() - old_size == sizes[static_cast<int>(chosen)]);
  return chosen;
}

// Encodes a string column; as EncodeWords.
absl::StatusOr<Encoding> EncodeStrings(const ColumnVector& column,
                                       const EncodeOptions& options,
                                       const Encoding* forced,
                                       std::string* dst) {
  const StringView col{column.offsets().data(), column.bytes().data()};
  const size_t n = column.size();
  const StringStats stats = ComputeStringStats(col, n);
  size_t sizes[kNumEncodings];
  std::fill(std::begin(sizes), std::end(sizes), kNotApplicable);
  sizes[static_cast<int>(Encoding::kPlain)] = stats.plain_bytes;
  sizes[static_cast<int>(Encoding::kRle)] =
      VarintLength(stats.runs) + stats.run_bytes;
  std::unique_ptr<uint64_t[]> codes(new uint64_t[n]);
  Dictionary<std::string_view> dict(DictionaryCapacity(forced, n));
  auto get = [&col](size_t i) { return col.Get(i); };
  Encoding chosen;
  if (forced != nullptr) {
    chosen = *forced;
    if (chosen == Encoding::kDict) {
      sizes[static_cast<int>(Encoding::kDict)] =
          BuildDictionary<std::string_view>(ColumnType::kString, n, get,
                                            kNotApplicable, kNotApplicable,
                                            false, options, &dict, codes.get());
    }
    if (sizes[static_cast<int>(chosen)] == kNotApplicable) {
      return absl::InvalidArgumentError(fmt::format(
          "{} does not apply to string columns", EncodingName(chosen)));
    }
  } else {
    size_t limit;
    const Encoding other = Smallest(sizes, &limit);
    sizes[static_cast<int>(Encoding::kDict)] =
        BuildDictionary<std::string_view>(
            ColumnType::kString, n, get, kMaxAutoDictSize, limit,
            PrefersOver(other, Encoding::kDict), options, &dict, codes.get());
    size_t unused;
    chosen = Smallest(sizes, &unused);
  }
  const size_t old_size = dst->size();
  dst->reserve(old_size + sizes[static_cast<int>(chosen)]);
  switch (chosen) {
    case Encoding::kRle:
      EncodeRleStrings(col, n, stats.runs, dst);
      break;
    case Encoding::kDict:
      EncodeDictStrings(dict, codes.get(), n, options, dst);
      break;
    default:
      EncodePlainStrings(n, get, dst);
      break;
  }
  MESA_DCHECK(dst->size() - old_size == sizes[static_cast<int>(chosen)]);
  return chosen;
}

absl::StatusOr<Encoding> Encode(const ColumnVector& column,
                                const EncodeOptions& options,
                                const Encoding* forced, std::string* dst) {
  if (column.empty()) return forced ? *forced : Encoding::kPlain;
  switch (column.type()) {
    case ColumnType::kInt32:
      return EncodeWords<ColumnType::kInt32>(column, options, forced, dst);
    case ColumnType::kInt64:
      return EncodeWords<ColumnType::kInt64>(column, options, forced, dst);
    case ColumnType::kUint64:
      return EncodeWords<ColumnType::kUint64>(column, options, forced, dst);
    case ColumnType::kDouble:
      return EncodeWords<ColumnType::kDouble>(column, options, forced, dst);
    case ColumnType::kString:
      return EncodeStrings(column, options, forced, dst);
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
  }
  return "UNKNOWN";
}

bool EncodingApplies(Encoding e, ColumnType type) {
  switch (e) {
    case Encoding::kPlain:
    case Encoding::kRle:
    case Encoding::kDict:
      return true;
    case Encoding::kFor:
    case Encoding::kDelta:
      return type == ColumnType::kInt32 || type == ColumnType::kInt64 ||
             type == ColumnType::kUint64;
  }
  return false;
}

Encoding EncodeColumn(const ColumnVector& column, const EncodeOptions& options,
                      std::string* dst) {
  absl::StatusOr<Encoding> e = Encode(column, options, nullptr, dst);
  MESA_DCHECK(e.ok());
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
