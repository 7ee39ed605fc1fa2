// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// Entropy-coded values, `coded(count)` of docs/format.md ("Entropy-coded
// values"): the building block of the HFOR, HDELTA, HRLE and HDICT column
// encodings. Each value is a (tag, magnitude) pair, tag 0 or 1 and
// magnitude a u64. A magnitude's *symbol* is its bit width together with
// the `sub` bits below its leading one (small magnitudes are symbols of
// their own); the symbol is Huffman-coded with a table built for the
// chunk, and the magnitude's remaining low bits follow the code as raw
// "extra" bits. What a tag means is up to the encoding (a sign, a restart).
// A stream may use several tables (contexts); the encoding says which
// table codes each value.
//
// Thread safety: stateless functions and value types; safe from any thread.

#ifndef MESA_FORMAT_ENTROPY_ENCODING_H_
#define MESA_FORMAT_ENTROPY_ENCODING_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "src/format/bit_packing.h"
#include "src/util/coding.h"

namespace mesa::internal {

// `sub` (mantissa bits folded into a symbol) is 0..kMaxCodedSub.
inline constexpr int kMaxCodedSub = 7;
// The longest Huffman code.
inline constexpr int kMaxCodeLength = 11;
// The most tables one stream uses.
inline constexpr int kMaxCodedTables = 4;

// Symbols per tag: magnitudes below 2 << sub are symbols of their own, then
// each bit width 2 + sub .. 64 has 1 << sub symbols.
constexpr uint32_t CodedAlphabet(int sub) {
  return static_cast<uint32_t>(65 - sub) << sub;
}

// The symbol (within its tag) of `magnitude`.
inline uint32_t CodedSymbol(uint64_t magnitude, int sub) {
  // Below 2 << sub, width is sub + 1 and the symbol is the magnitude.
  const int width = std::max(BitWidth(magnitude), sub + 1);
  return (static_cast<uint32_t>(width - sub - 1) << sub) +
         static_cast<uint32_t>(magnitude >> (width - 1 - sub));
}

// The number of extra bits that follow `symbol`'s code.
inline int CodedExtraBits(uint32_t symbol, int sub) {
  return std::max(static_cast<int>(symbol >> sub) - 1, 0);
}

// The smallest magnitude of `symbol`; the extra bits are added to it.
inline uint64_t CodedSymbolBase(uint32_t symbol, int sub) {
  if (symbol < (2u << sub)) return symbol;
  const uint32_t top = (1u << sub) | (symbol & ((1u << sub) - 1));
  return uint64_t{top} << CodedExtraBits(symbol, sub);
}

// How the values of one table are coded at one sub: the code of every
// symbol of the table's two ranges, and the exact sizes.
struct CodedPlan {
  int sub = 0;
  uint32_t lo[2] = {0, 0};
  uint32_t span[2] = {0, 0};  // 0: no symbol of this tag
  // Per symbol of the ranges (tag 0's, then tag 1's): the bit-reversed
  // code in bits 0-15, its length in bits 16-23 (0 for a lone symbol),
  // the extra bits in bits 24-31.
  std::vector<uint32_t> entries;
  // The table's length code (LSB first) and its number of bits.
  std::vector<uint8_t> table_bits;
  size_t table_bit_count = 0;
  size_t symbols = 0;       // with a code
  size_t header_bytes = 0;  // of the table's header
  size_t value_bits = 0;    // codes and extra bits of the values
  // Bytes of a coded(count) with this one table.
  size_t size() const {
    return header_bytes + (table_bit_count + value_bits + 7) / 8;
  }
};

// Bytes of a stream of several tables.
size_t CodedSize(const CodedPlan* plans, int num_tables);

// Counts (tag, magnitude) pairs at the granularity of `max_sub` and plans
// their coding at any sub <= max_sub. Magnitudes must stay below
// `magnitude_limit` when given (it bounds the histogram's memory).
class CodedHistogram {
 public:
  explicit CodedHistogram(int max_sub, uint64_t magnitude_limit = ~uint64_t{0});

  void Clear();
  void Add(uint64_t magnitude, int tag, uint32_t times = 1) {
    const uint32_t symbol = CodedSymbol(magnitude, max_sub_);
    counts_[static_cast<size_t>(tag) * alphabet_ + symbol] += times;
    top_[tag] = std::max(top_[tag], symbol + 1);
    count_ += times;
  }
  // Adds many pairs fast: pairs(add) calls add(magnitude, tag) for each.
  template <typename Pairs>
  void AddAll(Pairs pairs) {
    uint32_t* const counts = counts_.data();
    const int sub = max_sub_;
    const size_t tag_offset = alphabet_;
    uint64_t max0 = 0, max1 = 0;
    size_t n = 0;
    pairs([&](uint64_t magnitude, int tag) {
      ++counts[(tag ? tag_offset : 0) + CodedSymbol(magnitude, sub)];
      max0 = std::max(max0, tag ? 0 : magnitude);
      max1 = std::max(max1, tag ? magnitude : 0);
      ++n;
    });
    // A tag's top symbol is its largest magnitude's (a magnitude of 0 with
    // tag 1 still counts: top_ covers it).
    top_[0] = std::max(top_[0], CodedSymbol(max0, sub) + 1);
    top_[1] = std::max(top_[1], CodedSymbol(max1, sub) + 1);
    count_ += n;
  }
  size_t count() const { return count_; }
  // Adds the counts of `other`, which has the same max_sub and limit.
  void Merge(const CodedHistogram& other);

  // The sub the writer uses: the one whose symbols' empirical entropy plus
  // extra bits and about 3 bits of table per symbol is smallest, the
  // smaller sub on ties. *bits (if not null) is that estimate of the
  // values' and table's bits.
  int ChooseSub(double* bits = nullptr) const;
  // The number of symbols with counts at `sub`: a plan needs at most
  // 2^11 (ChooseSub never picks a sub with more).
  size_t SymbolsAt(int sub) const;
  // The plan at `sub` (<= max_sub). 1 <= SymbolsAt(sub) <= 2^11.
  void Plan(int sub, CodedPlan* plan) const;
  // Plan(ChooseSub(), plan).
  void PlanBest(CodedPlan* plan) const { Plan(ChooseSub(), plan); }

 private:
  struct Present {
    uint32_t symbol;  // tag * CodedAlphabet(sub) + symbol within the tag
    uint32_t count;
  };
  // The symbols with counts at `sub`, in increasing order.
  void PresentAt(int sub, std::vector<Present>* out) const;
  static std::vector<Present>& ScratchPresent();

  int max_sub_;
  uint32_t alphabet_;  // per tag, as far as magnitude_limit needs
  size_t count_ = 0;
  uint32_t top_[2] = {0, 0};  // 1 + the largest symbol counted, per tag
  std::vector<uint32_t> counts_;  // 2 * alphabet_
};

// Appends a stream of `count` pairs (tags[i], magnitudes[i]) (tags ==
// nullptr: all 0), value i coded with table contexts[i] (contexts ==
// nullptr: all table 0) of `plans`, which histograms of exactly those
// pairs made: the tables' headers, then the stream. count >= 1.
void AppendCoded(const CodedPlan* plans, int num_tables,
                 const uint64_t* magnitudes, const uint8_t* tags,
                 const uint8_t* contexts, size_t count, std::string* dst);

// coded(count) with one table planned at `sub`.
void AppendCoded(const uint64_t* magnitudes, const uint8_t* tags, size_t count,
                 int sub, std::string* dst);

// Reads a stream: Open reads the tables, Next each value, Finish checks
// the end and moves the input past the stream. Reads nothing outside the
// input's bytes.
class CodedReader {
 public:
  CodedReader() = default;
  CodedReader(const CodedReader&) = delete;
  CodedReader& operator=(const CodedReader&) = delete;

  // Reads `num_tables` table headers from `in` and the code lengths that
  // start the stream, which may run to the end of `in`. False, with
  // *error set, if they are malformed.
  bool Open(Decoder* in, int num_tables, std::string* error);

  // Decodes `count` values: value i with table choose() (< num_tables),
  // then sink(i, magnitude, tag). Returns false if the stream ran out (the
  // values are then garbage); a caller may check only at the end, through
  // Finish. The state lives in registers for the loop.
  template <typename Choose, typename Sink>
  bool Decode(size_t count, Choose choose, Sink sink) {
    uint64_t buf = buf_;
    int nbits = nbits_;
    size_t pos = pos_;
    const char* const data = data_;
    // Past direct_end, byte pos is tail_[pos - tail_start_] (no pointer
    // is formed outside tail_: that would be undefined).
    const char* const tail = tail_;
    const size_t tail_start = tail_start_;
    const size_t direct_end = direct_end_;
    const size_t limit = limit_;
    const uint64_t mask = mask_;
    const uint32_t* const tables = tables_;
    auto refill = [&] {
      buf |= LoadFixed64(pos < direct_end ? data + pos
                                          : tail + (pos - tail_start))
             << nbits;
      pos += static_cast<size_t>((63 - nbits) >> 3);
      nbits |= 56;
    };
    bool ok = true;
    for (size_t i = 0; i < count; ++i) {
      if (pos > limit) {
        ok = false;
        break;
      }
      refill();
      const uint32_t e =
          tables[(static_cast<size_t>(choose()) << kMaxCodeLength) +
                 (buf & mask)];
      const int length = static_cast<int>(e & 0xff);
      const int extra = static_cast<int>((e >> 8) & 0xff);
      const int tag = static_cast<int>((e >> 16) & 1);
      uint64_t m = uint64_t{e >> 24} << extra;
      if (extra <= 56 - kMaxCodeLength) [[likely]] {
        m |= (buf >> length) & ((uint64_t{1} << extra) - 1);
        buf >>= length + extra;
        nbits -= length + extra;
      } else {
        // More extra bits than the buffer holds after the code: the low 32
        // and the rest, a refill before each.
        buf >>= length;
        nbits -= length;
        if (pos > limit) {
          ok = false;
          break;
        }
        refill();
        const uint64_t low = buf & 0xffffffffu;
        buf >>= 32;
        nbits -= 32;
        if (pos > limit) {
          ok = false;
          break;
        }
        refill();
        const int high = extra - 32;
        m |= low | (buf & ((uint64_t{1} << high) - 1)) << 32;
        buf >>= high;
        nbits -= high;
      }
      sink(i, m, tag);
    }
    buf_ = buf;
    nbits_ = nbits;
    pos_ = pos;
    return ok;
  }

  // Checks that the values ended in the stream's last byte with zero
  // padding bits after them and moves `in` past the stream; false, with
  // *error set, if not (`count` is for the message).
  bool Finish(Decoder* in, size_t count, std::string* error);

 private:
  // After Refill, at least 56 bits are buffered. Requires pos_ <= limit_.
  void Refill() {
    const char* src =
        pos_ < direct_end_ ? data_ + pos_ : tail_ + (pos_ - tail_start_);
    buf_ |= LoadFixed64(src) << nbits_;
    pos_ += (63 - nbits_) >> 3;
    nbits_ |= 56;
  }
  void Consume(int n) {
    buf_ >>= n;
    nbits_ -= n;
  }
  uint64_t consumed_bits() const {
    return uint64_t{pos_} * 8 - static_cast<uint64_t>(nbits_);
  }

  // The input, from the stream's first byte. Loads at offsets below
  // direct_end_ read it; later ones read tail_, a copy of its last bytes
  // (from offset tail_start_) followed by zeros.
  const char* data_ = nullptr;
  size_t size_ = 0;
  size_t direct_end_ = 0;
  size_t tail_start_ = 0;
  size_t pos_ = 0;    // the next byte to load
  size_t limit_ = 0;  // size_ + 8: a valid stream never loads past it
  uint64_t buf_ = 0;
  int nbits_ = 0;
  uint64_t mask_ = 0;
  char tail_[48];
  // Table t at t << kMaxCodeLength; every table has 2^bits entries (the
  // longest code of all tables), shorter codes repeated.
  uint32_t tables_[kMaxCodedTables << kMaxCodeLength];
};

// Reads coded(count) (one table) from `in` (count >= 1). With `tags`,
// stores the magnitudes in values[i] and the tags in tags[i]; without,
// stores the signed value `tag ? -magnitude : magnitude` (mod 2^64). On a
// malformed or truncated input, returns false and sets *error (`in` and
// the outputs are then unspecified).
bool ReadCoded(Decoder* in, size_t count, uint64_t* values, uint8_t* tags,
               std::string* error);

}  // namespace mesa::internal

#endif  // MESA_FORMAT_ENTROPY_ENCODING_H_
