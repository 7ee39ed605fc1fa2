// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// The reader's half of the column encodings of docs/format.md; the grammar
// of every body is at the top of column_encoding.cc.
//
// Every count read from a body is bounded by n or by the bytes left before
// anything is reserved, every read goes through a bounds-checked Decoder or
// UnpackBits, and the numeric decoders write straight into the column's
// words: unpack into place, then one tight pass with no per-value calls or
// branches. Range checks (dictionary indices, FOR overflow, int32) are
// reductions tested once, and run only when the packed width admits an
// out-of-range value, which a well-formed body's width never does for FOR
// and does for DICT only when dict_size is not a power of two.
// A malformed body is DataLoss saying what is wrong, and leaves the column
// as it was.

#include <algorithm>
#include <cstring>
#include <limits>
#include <memory>
#include <utility>
#include <vector>

#include "fmt/format.h"
#include "src/format/bit_packing.h"
#include "src/format/column_encoding.h"
#include "src/format/entropy_encoding.h"
#include "src/util/coding.h"
#include "src/util/status_macros.h"

namespace mesa::internal {
namespace {

constexpr uint64_t kSignBit = uint64_t{1} << 63;
// The ordered forms of INT32_MIN and INT32_MAX.
constexpr uint64_t kInt32OrderedMin = kSignBit - (uint64_t{1} << 31);
constexpr uint64_t kInt32OrderedMax = kSignBit + (uint64_t{1} << 31) - 1;
// A string column's offsets are u32.
constexpr uint64_t kMaxStringBytes = std::numeric_limits<uint32_t>::max();

template <typename... Args>
absl::Status Corrupt(Encoding e, fmt::format_string<Args...> format,
                     Args&&... args) {
  return absl::DataLossError(
      fmt::format("{} body: {}", EncodingName(e),
                  fmt::format(format, std::forward<Args>(args)...)));
}

template <ColumnType kType>
constexpr uint64_t OrderBias() {
  return kType == ColumnType::kUint64 ? 0 : kSignBit;
}

inline bool FitsInt32(uint64_t word) {
  const int64_t v = static_cast<int64_t>(word);
  return v >= std::numeric_limits<int32_t>::min() &&
         v <= std::numeric_limits<int32_t>::max();
}

// Reads coded(count) (entropy_encoding.h) into values[0 .. count): with
// `tags`, magnitudes and tags; without, signed values.
absl::Status ReadCodedValues(Encoding e, Decoder* d, size_t count,
                             std::string_view what, uint64_t* values,
                             uint8_t* tags = nullptr) {
  std::string error;
  if (!ReadCoded(d, count, values, tags, &error)) {
    return Corrupt(e, "{}: {}", what, error);
  }
  return absl::OkStatus();
}

// The largest value `width` bits hold.
inline uint64_t MaxOfWidth(int width) {
  return width == 64 ? ~uint64_t{0} : (uint64_t{1} << width) - 1;
}

// Reads `width` u8 and the packed(count, width) that must be the rest of
// the body, into out[0 .. count); sets *width_out.
absl::Status ReadPacked(Encoding e, Decoder* d, size_t count,
                        std::string_view what, uint64_t* out,
                        int* width_out = nullptr) {
  uint8_t width;
  if (!d->GetFixed8(&width)) {
    return Corrupt(e, "truncated before {} width", what);
  }
  if (width > 64) return Corrupt(e, "{} width {} > 64", what, width);
  const size_t expected = PackedBytes(count, width);
  std::string_view packed(d->position(), d->remaining());
  if (packed.size() != expected) {
    return Corrupt(e, "{} {} x {} bits take {} bytes, body has {}", count, what,
                   width, expected, packed.size());
  }
  const unsigned tail_bits = (count % 8) * width % 8;
  if (tail_bits != 0 && (static_cast<uint8_t>(packed.back()) >> tail_bits)) {
    return Corrupt(e, "nonzero padding bits after the {}", what);
  }
  if (!UnpackBits(packed, count, width, out)) {
    return Corrupt(e, "cannot unpack {}", what);  // not reached
  }
  d->Skip(expected);
  if (width_out != nullptr) *width_out = width;
  return absl::OkStatus();
}

// ---------------------------------------------------------------- numbers

// PLAIN words of `kType` (int32: 4 bytes each) from `src` into out[0 .. n).
template <ColumnType kType>
void ReadPlainWords(const char* src, size_t n, uint64_t* out) {
  if constexpr (kType == ColumnType::kInt32) {
    for (size_t i = 0; i < n; ++i) {
      out[i] = static_cast<uint64_t>(
          static_cast<int64_t>(static_cast<int32_t>(LoadFixed32(src + 4 * i))));
    }
  } else {
    std::memcpy(out, src, 8 * n);
  }
}

template <ColumnType kType>
constexpr size_t PlainWordBytes() {
  return kType == ColumnType::kInt32 ? 4 : 8;
}

template <ColumnType kType>
absl::Status DecodePlainWords(std::string_view body, size_t n, uint64_t* out) {
  constexpr size_t kBytes = PlainWordBytes<kType>();
  if (n > body.size() / kBytes || body.size() != n * kBytes) {
    return Corrupt(Encoding::kPlain, "{} bytes for {} values of {} bytes",
                   body.size(), n, kBytes);
  }
  ReadPlainWords<kType>(body.data(), n, out);
  return absl::OkStatus();
}

template <ColumnType kType>
absl::Status DecodeRleWords(std::string_view body, size_t n, uint64_t* out) {
  constexpr Encoding e = Encoding::kRle;
  Decoder d(body);
  uint64_t run_count;
  if (!d.GetVarint64(&run_count)) return Corrupt(e, "truncated run count");
  if (run_count > n) return Corrupt(e, "{} runs for {} values", run_count, n);
  size_t filled = 0;
  for (uint64_t r = 0; r < run_count; ++r) {
    uint64_t length;
    if (!d.GetVarint64(&length)) return Corrupt(e, "truncated at run {}", r);
    if (length == 0) return Corrupt(e, "run {} has length 0", r);
    if (length > n - filled) {
      return Corrupt(e, "run lengths exceed {} values at run {}", n, r);
    }
    uint64_t word;
    bool ok;
    if constexpr (kType == ColumnType::kUint64) {
      ok = d.GetVarint64(&word);
    } else if constexpr (kType == ColumnType::kDouble) {
      ok = d.GetFixed64(&word);
    } else {
      int64_t v;
      ok = d.GetSignedVarint64(&v);
      word = static_cast<uint64_t>(v);
    }
    if (!ok) return Corrupt(e, "truncated value of run {}", r);
    if (kType == ColumnType::kInt32 && !FitsInt32(word)) {
      return Corrupt(e, "int32 value {} out of range at run {}",
                     static_cast<int64_t>(word), r);
    }
    std::fill(out + filled, out + filled + length, word);
    filled += length;
  }
  if (filled != n) {
    return Corrupt(e, "run lengths sum to {}, expected {}", filled, n);
  }
  if (!d.empty()) return Corrupt(e, "{} bytes left over", d.remaining());
  return absl::OkStatus();
}

template <ColumnType kType>
absl::Status DecodeDictWords(std::string_view body, size_t n, uint64_t* out) {
  constexpr Encoding e = Encoding::kDict;
  constexpr size_t kBytes = PlainWordBytes<kType>();
  Decoder d(body);
  uint64_t dict_size;
  if (!d.GetVarint64(&dict_size)) return Corrupt(e, "truncated dict_size");
  if (dict_size == 0 || dict_size > n) {
    return Corrupt(e, "dict_size {} not in 1..{}", dict_size, n);
  }
  if (dict_size > d.remaining() / kBytes) {
    return Corrupt(e, "truncated dictionary of {} values", dict_size);
  }
  std::vector<uint64_t> dict(dict_size);
  ReadPlainWords<kType>(d.position(), dict_size, dict.data());
  d.Skip(dict_size * kBytes);
  int width;
  MESA_RETURN_IF_ERROR(ReadPacked(e, &d, n, "indices", out, &width));
  const uint64_t last = dict_size - 1;
  if (MaxOfWidth(width) > last) {
    // The width admits indices past the dictionary: find one before the
    // lookup, which must never read past the dictionary.
    uint64_t max_index = 0;
    for (size_t i = 0; i < n; ++i) max_index = std::max(max_index, out[i]);
    if (max_index > last) {
      const size_t row =
          std::find_if(out, out + n, [&](uint64_t x) { return x > last; }) -
          out;
      return Corrupt(e, "index {} >= dictionary size {} at row {}", out[row],
                     dict_size, row);
    }
  }
  const uint64_t* dict_data = dict.data();
  for (size_t i = 0; i < n; ++i) out[i] = dict_data[out[i]];
  return absl::OkStatus();
}

// Finds the first of the n ordered values `ordered(i)` that is outside the
// int32 range, for an error message.
template <typename Ordered>
absl::Status Int32RangeError(Encoding e, size_t n, Ordered ordered) {
  for (size_t i = 0; i < n; ++i) {
    const uint64_t o = ordered(i);
    if (o < kInt32OrderedMin || o > kInt32OrderedMax) {
      return Corrupt(e, "int32 value {} out of range at row {}",
                     static_cast<int64_t>(o ^ kSignBit), i);
    }
  }
  return Corrupt(e, "int32 value out of range");  // not reached
}

template <ColumnType kType>
absl::Status DecodeForWords(std::string_view body, size_t n, uint64_t* out) {
  constexpr Encoding e = Encoding::kFor;
  constexpr uint64_t kBias = OrderBias<kType>();
  Decoder d(body);
  uint64_t base;
  if (!d.GetFixed64(&base)) return Corrupt(e, "truncated base");
  int width;
  MESA_RETURN_IF_ERROR(ReadPacked(e, &d, n, "values", out, &width));
  // Check the values only when the width allows one out of range.
  const uint64_t bound = MaxOfWidth(width);
  if (bound > ~base ||
      (kType == ColumnType::kInt32 &&
       (base < kInt32OrderedMin || base + bound > kInt32OrderedMax))) {
    uint64_t lo = out[0], hi = out[0];
    for (size_t i = 1; i < n; ++i) {
      lo = std::min(lo, out[i]);
      hi = std::max(hi, out[i]);
    }
    if (hi > ~base) {
      const size_t row = std::find(out, out + n, hi) - out;
      return Corrupt(e, "base {} + value {} overflows at row {}", base, hi,
                     row);
    }
    if (kType == ColumnType::kInt32 &&
        (base + lo < kInt32OrderedMin || base + hi > kInt32OrderedMax)) {
      return Int32RangeError(e, n, [&](size_t i) { return base + out[i]; });
    }
  }
  for (size_t i = 0; i < n; ++i) out[i] = (base + out[i]) ^ kBias;
  return absl::OkStatus();
}

template <ColumnType kType>
absl::Status DecodeDeltaWords(std::string_view body, size_t n, uint64_t* out) {
  constexpr Encoding e = Encoding::kDelta;
  constexpr uint64_t kBias = OrderBias<kType>();
  Decoder d(body);
  uint64_t first, min_delta;
  if (!d.GetFixed64(&first) || !d.GetFixed64(&min_delta)) {
    return Corrupt(e, "truncated header");
  }
  MESA_RETURN_IF_ERROR(ReadPacked(e, &d, n - 1, "deltas", out + 1));
  uint64_t o = first;
  out[0] = o;
  if constexpr (kType == ColumnType::kInt32) {
    // Ordered values stay in place until all are known to fit int32.
    bool bad = o - kInt32OrderedMin > kInt32OrderedMax - kInt32OrderedMin;
    for (size_t i = 1; i < n; ++i) {
      o += min_delta + out[i];
      out[i] = o;
      bad |= o - kInt32OrderedMin > kInt32OrderedMax - kInt32OrderedMin;
    }
    if (bad) return Int32RangeError(e, n, [&](size_t i) { return out[i]; });
    for (size_t i = 0; i < n; ++i) out[i] ^= kBias;
  } else {
    out[0] = o ^ kBias;
    for (size_t i = 1; i < n; ++i) {
      o += min_delta + out[i];
      out[i] = o ^ kBias;
    }
  }
  return absl::OkStatus();
}

// Checks that every one of out[0 .. n) is a sign-extended int32.
absl::Status CheckInt32(Encoding e, const uint64_t* out, size_t n) {
  int64_t lo = 0, hi = 0;
  for (size_t i = 0; i < n; ++i) {
    const int64_t v = static_cast<int64_t>(out[i]);
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  if (lo >= std::numeric_limits<int32_t>::min() &&
      hi <= std::numeric_limits<int32_t>::max()) {
    return absl::OkStatus();
  }
  return Int32RangeError(e, n, [&](size_t i) { return out[i] ^ kSignBit; });
}

template <ColumnType kType>
absl::Status DecodeHuffForWords(std::string_view body, size_t n,
                                uint64_t* out) {
  constexpr Encoding e = Encoding::kHuffFor;
  Decoder d(body);
  int64_t base;
  if (!d.GetSignedVarint64(&base)) return Corrupt(e, "truncated base");
  MESA_RETURN_IF_ERROR(ReadCodedValues(e, &d, n, "values", out));
  if (!d.empty()) return Corrupt(e, "{} bytes left over", d.remaining());
  const uint64_t b = static_cast<uint64_t>(base);
  for (size_t i = 0; i < n; ++i) out[i] += b;
  if constexpr (kType == ColumnType::kInt32) return CheckInt32(e, out, n);
  return absl::OkStatus();
}

template <ColumnType kType>
absl::Status DecodeHuffDeltaWords(std::string_view body, size_t n,
                                  uint64_t* out) {
  constexpr Encoding e = Encoding::kHuffDelta;
  Decoder d(body);
  int64_t base;
  uint8_t tables;
  if (!d.GetSignedVarint64(&base) || !d.GetFixed8(&tables)) {
    return Corrupt(e, "truncated header");
  }
  if (tables < 1 || tables > kMaxCodedTables) {
    return Corrupt(e, "{} tables, not 1..{}", tables, kMaxCodedTables);
  }
  // Unused thresholds stay 0: no width is below them.
  uint8_t thresholds[kMaxCodedTables - 1] = {};
  for (int j = 0; j + 1 < tables; ++j) {
    if (!d.GetFixed8(&thresholds[j])) return Corrupt(e, "truncated header");
    if (thresholds[j] < 1 || thresholds[j] > 64 ||
        (j > 0 && thresholds[j] >= thresholds[j - 1])) {
      return Corrupt(e, "threshold {} of {} not decreasing in 1..64", j,
                     thresholds[j]);
    }
  }
  CodedReader reader;
  std::string error;
  if (!reader.Open(&d, tables, &error)) {
    return Corrupt(e, "values: {}", error);
  }
  const uint64_t b = static_cast<uint64_t>(base);
  const int t0 = thresholds[0], t1 = thresholds[1], t2 = thresholds[2];
  uint64_t prev = b;
  reader.Decode(
      n,
      [&] {
        const int width = BitWidth(prev - b);
        return (width < t0) + (width < t1) + (width < t2);
      },
      [&](size_t i, uint64_t m, int restart) {
        prev = (restart ? b : prev) + m;
        out[i] = prev;
      });
  if (!reader.Finish(&d, n, &error)) return Corrupt(e, "values: {}", error);
  if (!d.empty()) return Corrupt(e, "{} bytes left over", d.remaining());
  if constexpr (kType == ColumnType::kInt32) return CheckInt32(e, out, n);
  return absl::OkStatus();
}

template <ColumnType kType>
absl::Status DecodeHuffRleWords(std::string_view body, size_t n,
                                uint64_t* out) {
  constexpr Encoding e = Encoding::kHuffRle;
  Decoder d(body);
  uint64_t run_count;
  int64_t base;
  if (!d.GetVarint64(&run_count) || !d.GetSignedVarint64(&base)) {
    return Corrupt(e, "truncated header");
  }
  if (run_count == 0 || run_count > n) {
    return Corrupt(e, "run_count {} not in 1..{}", run_count, n);
  }
  std::unique_ptr<uint64_t[]> lengths(new uint64_t[run_count]);
  std::unique_ptr<uint8_t[]> tags(new uint8_t[run_count]);
  std::unique_ptr<uint64_t[]> steps(new uint64_t[run_count]);
  MESA_RETURN_IF_ERROR(ReadCodedValues(e, &d, run_count, "run lengths",
                                       lengths.get(), tags.get()));
  MESA_RETURN_IF_ERROR(
      ReadCodedValues(e, &d, run_count, "run values", steps.get()));
  if (!d.empty()) return Corrupt(e, "{} bytes left over", d.remaining());
  size_t filled = 0;
  uint64_t value = static_cast<uint64_t>(base);
  for (uint64_t r = 0; r < run_count; ++r) {
    if (tags[r] != 0) return Corrupt(e, "negative length of run {}", r);
    if (lengths[r] >= n - filled) {
      return Corrupt(e, "run lengths exceed {} values at run {}", n, r);
    }
    value += steps[r];
    if (kType == ColumnType::kInt32 && !FitsInt32(value)) {
      return Corrupt(e, "int32 value {} out of range at run {}",
                     static_cast<int64_t>(value), r);
    }
    const size_t length = static_cast<size_t>(lengths[r]) + 1;
    std::fill(out + filled, out + filled + length, value);
    filled += length;
  }
  if (filled != n) {
    return Corrupt(e, "run lengths sum to {}, expected {}", filled, n);
  }
  return absl::OkStatus();
}

// Reads the coded indices of an HDICT body into index[0 .. n) and checks
// each is below dict_size.
absl::Status ReadDictIndices(Decoder* d, size_t n, uint64_t dict_size,
                             uint64_t* index) {
  constexpr Encoding e = Encoding::kHuffDict;
  MESA_RETURN_IF_ERROR(ReadCodedValues(e, d, n, "indices", index));
  if (!d->empty()) return Corrupt(e, "{} bytes left over", d->remaining());
  uint64_t max_index = 0;
  for (size_t i = 0; i < n; ++i) max_index = std::max(max_index, index[i]);
  if (max_index >= dict_size) {
    const size_t row =
        std::find_if(index, index + n,
                     [&](uint64_t x) { return x >= dict_size; }) -
        index;
    return Corrupt(e, "index {} >= dictionary size {} at row {}", index[row],
                   dict_size, row);
  }
  return absl::OkStatus();
}

template <ColumnType kType>
absl::Status DecodeHuffDictWords(std::string_view body, size_t n,
                                 uint64_t* out) {
  constexpr Encoding e = Encoding::kHuffDict;
  constexpr size_t kBytes = PlainWordBytes<kType>();
  Decoder d(body);
  uint64_t dict_size;
  if (!d.GetVarint64(&dict_size)) return Corrupt(e, "truncated dict_size");
  if (dict_size == 0 || dict_size > n) {
    return Corrupt(e, "dict_size {} not in 1..{}", dict_size, n);
  }
  if (dict_size > d.remaining() / kBytes) {
    return Corrupt(e, "truncated dictionary of {} values", dict_size);
  }
  std::vector<uint64_t> dict(dict_size);
  ReadPlainWords<kType>(d.position(), dict_size, dict.data());
  d.Skip(dict_size * kBytes);
  MESA_RETURN_IF_ERROR(ReadDictIndices(&d, n, dict_size, out));
  const uint64_t* dict_data = dict.data();
  for (size_t i = 0; i < n; ++i) out[i] = dict_data[out[i]];
  return absl::OkStatus();
}

template <ColumnType kType>
absl::Status DecodeWords(Encoding e, std::string_view body, size_t n,
                         uint64_t* out) {
  switch (e) {
    case Encoding::kPlain:
      return DecodePlainWords<kType>(body, n, out);
    case Encoding::kRle:
      return DecodeRleWords<kType>(body, n, out);
    case Encoding::kDict:
      return DecodeDictWords<kType>(body, n, out);
    case Encoding::kFor:
      if constexpr (kType != ColumnType::kDouble) {
        return DecodeForWords<kType>(body, n, out);
      }
      break;
    case Encoding::kDelta:
      if constexpr (kType != ColumnType::kDouble) {
        return DecodeDeltaWords<kType>(body, n, out);
      }
      break;
    case Encoding::kHuffFor:
      if constexpr (kType != ColumnType::kDouble) {
        return DecodeHuffForWords<kType>(body, n, out);
      }
      break;
    case Encoding::kHuffDelta:
      if constexpr (kType != ColumnType::kDouble) {
        return DecodeHuffDeltaWords<kType>(body, n, out);
      }
      break;
    case Encoding::kHuffRle:
      if constexpr (kType != ColumnType::kDouble) {
        return DecodeHuffRleWords<kType>(body, n, out);
      }
      break;
    case Encoding::kHuffDict:
      return DecodeHuffDictWords<kType>(body, n, out);
  }
  return absl::DataLossError("not reached");
}

// ---------------------------------------------------------------- strings

// Appends n strings to a column's offsets and bytes.
struct StringSink {
  std::vector<uint32_t>* offsets;
  std::string* bytes;
  // Bytes the column may still take.
  uint64_t room() const { return kMaxStringBytes - bytes->size(); }
};

// Reads `count` varint lengths and then the strings' bytes from `d`:
// end[i] = base + the total length of strings 0..i, and *data the bytes.
// Requires base + d->remaining() to fit an `Offset`.
template <typename Offset>
absl::Status ReadPlainStrings(Encoding e, Decoder* d, size_t count,
                              std::string_view what, uint64_t base, Offset* end,
                              std::string_view* data) {
  uint64_t total = 0;
  for (size_t i = 0; i < count; ++i) {
    uint64_t length;
    if (!d->GetVarint64(&length)) {
      return Corrupt(e, "truncated {} length {}", what, i);
    }
    // The strings follow the lengths, so their sum can never exceed what
    // is left; this also keeps the sum from overflowing.
    if (length > d->remaining() || total + length > d->remaining()) {
      return Corrupt(e, "{} {} of {} bytes overruns the body", what, i, length);
    }
    total += length;
    end[i] = static_cast<Offset>(base + total);
  }
  if (!d->GetBytes(total, data)) {
    return Corrupt(e, "{} {} bytes of {} present", what, total, d->remaining());
  }
  return absl::OkStatus();
}

absl::Status DecodePlainStrings(std::string_view body, size_t n,
                                StringSink sink) {
  constexpr Encoding e = Encoding::kPlain;
  // Each length takes at least a byte: bounds n before reserving.
  if (n > body.size()) {
    return Corrupt(e, "{} bytes cannot hold {} string lengths", body.size(), n);
  }
  if (body.size() > sink.room()) {
    return Corrupt(e, "{} bytes of strings overflow the column", body.size());
  }
  Decoder d(body);
  const size_t first = sink.offsets->size();
  sink.offsets->resize(first + n);
  std::string_view data;
  MESA_RETURN_IF_ERROR(ReadPlainStrings(e, &d, n, "string", sink.bytes->size(),
                                        sink.offsets->data() + first, &data));
  if (!d.empty()) return Corrupt(e, "{} bytes left over", d.remaining());
  sink.bytes->append(data.data(), data.size());
  return absl::OkStatus();
}

absl::Status DecodeRleStrings(std::string_view body, size_t n,
                              StringSink sink) {
  constexpr Encoding e = Encoding::kRle;
  Decoder d(body);
  uint64_t run_count;
  if (!d.GetVarint64(&run_count)) return Corrupt(e, "truncated run count");
  // A run takes at least 2 bytes.
  if (run_count > n || run_count > d.remaining() / 2) {
    return Corrupt(e, "{} runs for {} values in {} bytes", run_count, n,
                   body.size());
  }
  std::vector<std::pair<uint64_t, std::string_view>> runs(run_count);
  uint64_t filled = 0, total = 0;
  for (uint64_t r = 0; r < run_count; ++r) {
    uint64_t length;
    std::string_view value;
    if (!d.GetVarint64(&length) || !d.GetLengthPrefixed(&value)) {
      return Corrupt(e, "truncated at run {}", r);
    }
    if (length == 0) return Corrupt(e, "run {} has length 0", r);
    if (length > n - filled) {
      return Corrupt(e, "run lengths exceed {} values at run {}", n, r);
    }
    if (!value.empty() && length > (sink.room() - total) / value.size()) {
      return Corrupt(e, "strings overflow the column at run {}", r);
    }
    total += length * value.size();
    filled += length;
    runs[r] = {length, value};
  }
  if (filled != n) {
    return Corrupt(e, "run lengths sum to {}, expected {}", filled, n);
  }
  if (!d.empty()) return Corrupt(e, "{} bytes left over", d.remaining());
  uint64_t pos = sink.bytes->size();
  size_t row = sink.offsets->size();
  sink.offsets->resize(row + n);
  sink.bytes->resize(pos + total);
  uint32_t* offsets = sink.offsets->data();
  char* bytes = sink.bytes->data();
  for (const auto& [length, value] : runs) {
    for (uint64_t i = 0; i < length; ++i) {
      std::memcpy(bytes + pos, value.data(), value.size());
      pos += value.size();
      offsets[row++] = static_cast<uint32_t>(pos);
    }
  }
  return absl::OkStatus();
}

// The strings of dictionary indices index[0 .. n), each checked below
// dict_size unless `checked`: the dictionary's strings are
// dict_data[off[x], off[x + 1]).
absl::Status GatherDictStrings(Encoding e, const uint64_t* off,
                               std::string_view dict_data, uint64_t dict_size,
                               const uint64_t* index, size_t n, bool checked,
                               StringSink sink);

// The dictionary of a DICT or HDICT string body: dict_size, then the
// strings; off[0 .. dict_size] their offsets in *dict_data.
absl::Status ReadStringDictionary(Encoding e, Decoder* d, size_t n,
                                  uint64_t* dict_size,
                                  std::unique_ptr<uint64_t[]>* off,
                                  std::string_view* dict_data) {
  if (!d->GetVarint64(dict_size)) return Corrupt(e, "truncated dict_size");
  if (*dict_size == 0 || *dict_size > n) {
    return Corrupt(e, "dict_size {} not in 1..{}", *dict_size, n);
  }
  // Each length takes at least a byte: bounds dict_size before reserving.
  if (*dict_size > d->remaining()) {
    return Corrupt(e, "{} bytes cannot hold {} dictionary lengths",
                   d->remaining(), *dict_size);
  }
  off->reset(new uint64_t[*dict_size + 1]);
  (*off)[0] = 0;
  return ReadPlainStrings(e, d, *dict_size, "dictionary string", 0,
                          off->get() + 1, dict_data);
}

absl::Status DecodeHuffDictStrings(std::string_view body, size_t n,
                                   StringSink sink) {
  constexpr Encoding e = Encoding::kHuffDict;
  Decoder d(body);
  uint64_t dict_size;
  if (!d.GetVarint64(&dict_size)) return Corrupt(e, "truncated dict_size");
  if (dict_size == 0 || dict_size > n) {
    return Corrupt(e, "dict_size {} not in 1..{}", dict_size, n);
  }
  // The dictionary: coded lengths, then the bytes.
  std::unique_ptr<uint64_t[]> off(new uint64_t[dict_size + 1]);
  off[0] = 0;
  MESA_RETURN_IF_ERROR(ReadCodedValues(e, &d, dict_size, "dictionary lengths",
                                       off.get() + 1));
  // The bytes take at least a bit each (coded) or a byte (raw).
  const uint64_t limit = uint64_t{8} * d.remaining();
  for (uint64_t j = 0; j < dict_size; ++j) {
    // Negative (tag 1) lengths are huge: this rejects them too.
    if (off[j + 1] > limit - off[j]) {
      return Corrupt(e, "dictionary string {} of {} bytes overruns the body",
                     j, off[j + 1]);
    }
    off[j + 1] += off[j];
  }
  uint8_t bytes_mode;
  if (!d.GetFixed8(&bytes_mode)) return Corrupt(e, "truncated bytes_mode");
  const uint64_t total = off[dict_size];
  std::string_view dict_data;
  std::string decoded;
  if (bytes_mode == 0) {
    if (!d.GetBytes(total, &dict_data)) {
      return Corrupt(e, "dictionary of {} bytes, {} left", total,
                     d.remaining());
    }
  } else if (bytes_mode == 1) {
    // Each coded byte takes at least a bit: bounds the allocation.
    if (total == 0 || total > uint64_t{8} * d.remaining()) {
      return Corrupt(e, "{} coded dictionary bytes in {} bytes", total,
                     d.remaining());
    }
    decoded.resize(total);
    CodedReader reader;
    std::string error;
    if (!reader.Open(&d, 1, &error)) {
      return Corrupt(e, "dictionary bytes: {}", error);
    }
    uint64_t bad = 0;
    char* out = decoded.data();
    reader.Decode(
        total, [] { return 0; },
        [&](size_t i, uint64_t m, int tag) {
          bad |= (m >> 8) | static_cast<uint64_t>(tag);
          out[i] = static_cast<char>(m);
        });
    if (!reader.Finish(&d, total, &error)) {
      return Corrupt(e, "dictionary bytes: {}", error);
    }
    if (bad != 0) return Corrupt(e, "dictionary byte out of range");
    dict_data = decoded;
  } else {
    return Corrupt(e, "bytes_mode {}", bytes_mode);
  }
  std::unique_ptr<uint64_t[]> index(new uint64_t[n]);
  MESA_RETURN_IF_ERROR(ReadDictIndices(&d, n, dict_size, index.get()));
  return GatherDictStrings(e, off.get(), dict_data, dict_size, index.get(), n,
                           /*checked=*/true, sink);
}

absl::Status DecodeDictStrings(std::string_view body, size_t n,
                               StringSink sink) {
  constexpr Encoding e = Encoding::kDict;
  Decoder d(body);
  uint64_t dict_size = 0;
  std::unique_ptr<uint64_t[]> off;
  std::string_view dict_data;
  MESA_RETURN_IF_ERROR(
      ReadStringDictionary(e, &d, n, &dict_size, &off, &dict_data));
  std::unique_ptr<uint64_t[]> index(new uint64_t[n]);
  MESA_RETURN_IF_ERROR(ReadPacked(e, &d, n, "indices", index.get()));
  return GatherDictStrings(e, off.get(), dict_data, dict_size, index.get(), n,
                           /*checked=*/false, sink);
}

absl::Status GatherDictStrings(Encoding e, const uint64_t* off,
                               std::string_view dict_data, uint64_t dict_size,
                               const uint64_t* index, size_t n, bool checked,
                               StringSink sink) {
  const uint64_t room = sink.room();
  uint64_t total = 0;
  for (size_t i = 0; i < n; ++i) {
    const uint64_t x = index[i];
    if (!checked && x >= dict_size) {
      return Corrupt(e, "index {} >= dictionary size {} at row {}", x,
                     dict_size, i);
    }
    total += off[x + 1] - off[x];
    if (total > room) return Corrupt(e, "strings overflow the column");
  }
  // Short strings are copied as one fixed 16-byte move: the dictionary gets
  // 16 bytes of padding, the column 16 bytes of slack, trimmed at the end.
  constexpr size_t kShort = 16;
  std::unique_ptr<char[]> dict(new char[dict_data.size() + kShort]);
  std::memcpy(dict.get(), dict_data.data(), dict_data.size());
  std::memset(dict.get() + dict_data.size(), 0, kShort);
  uint64_t pos = sink.bytes->size();
  const size_t first = sink.offsets->size();
  sink.offsets->resize(first + n);
  sink.bytes->resize(pos + total + kShort);
  uint32_t* offsets = sink.offsets->data() + first;
  char* bytes = sink.bytes->data();
  for (size_t i = 0; i < n; ++i) {
    const uint64_t x = index[i];
    const uint64_t length = off[x + 1] - off[x];
    const char* src = dict.get() + off[x];
    if (length <= kShort) {
      std::memcpy(bytes + pos, src, kShort);
    } else {
      std::memcpy(bytes + pos, src, length);
    }
    pos += length;
    offsets[i] = static_cast<uint32_t>(pos);
  }
  sink.bytes->resize(pos);
  return absl::OkStatus();
}

absl::Status DecodeStrings(Encoding e, std::string_view body, size_t n,
                           StringSink sink) {
  switch (e) {
    case Encoding::kPlain:
      return DecodePlainStrings(body, n, sink);
    case Encoding::kRle:
      return DecodeRleStrings(body, n, sink);
    case Encoding::kDict:
      return DecodeDictStrings(body, n, sink);
    case Encoding::kHuffDict:
      return DecodeHuffDictStrings(body, n, sink);
    default:
      return absl::DataLossError("not reached");
  }
}

}  // namespace

absl::Status DecodeColumn(Encoding e, std::string_view body, size_t n,
                          ColumnVector* out) {
  const ColumnType type = out->type();
  if (!EncodingApplies(e, type)) {
    return absl::DataLossError(fmt::format(
        "encoding {} ({}) is not defined for {} columns", EncodingName(e),
        static_cast<int>(e), ColumnTypeName(type)));
  }
  if (n == 0) {
    if (body.empty()) return absl::OkStatus();
    return Corrupt(e, "{} bytes for 0 values", body.size());
  }
  if (out->is_string()) {
    std::vector<uint32_t>& offsets = out->offsets();
    std::string& bytes = out->bytes();
    const size_t old_rows = offsets.size(), old_bytes = bytes.size();
    absl::Status s = DecodeStrings(e, body, n, StringSink{&offsets, &bytes});
    if (!s.ok()) {
      offsets.resize(old_rows);
      bytes.resize(old_bytes);
    }
    return s;
  }
  std::vector<uint64_t>& words = out->words();
  const size_t base = words.size();
  words.resize(base + n);
  absl::Status s;
  switch (type) {
    case ColumnType::kInt32:
      s = DecodeWords<ColumnType::kInt32>(e, body, n, words.data() + base);
      break;
    case ColumnType::kInt64:
      s = DecodeWords<ColumnType::kInt64>(e, body, n, words.data() + base);
      break;
    case ColumnType::kUint64:
      s = DecodeWords<ColumnType::kUint64>(e, body, n, words.data() + base);
      break;
    case ColumnType::kDouble:
      s = DecodeWords<ColumnType::kDouble>(e, body, n, words.data() + base);
      break;
    case ColumnType::kString:
      break;
  }
  if (!s.ok()) words.resize(base);
  return s;
}

}  // namespace mesa::internal
