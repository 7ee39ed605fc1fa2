// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// coded(count) := table, stream   (codedK(count) := K tables, stream)
//
// table :=
//   flags   u8      bits 0-2: sub (0..7); bit 3: tag 0 has symbols with
//                   codes; bit 4: tag 1 has; bits 5-7: 0. At least one of
//                   bits 3-4 is set.
//   per tag whose bit is set, tag 0 first:
//     lo    varint  the first symbol of the tag with a code
//     span  varint  >= 1: the symbols [lo, lo + span) of the tag, all
//                   within its alphabet of (65 - sub) << sub symbols
//
// stream: an LSB-first bit stream, self-delimiting: the code length of
// every symbol of every table's ranges (tables in order, in each tag 0's
// range then tag 1's; the length code below), then for each value its
// symbol's Huffman code in its table followed by its extra bits; then zero
// bits to the end of the byte. The stream's length follows from its bits.
//
// Length code, from prev = 0 (per table): `0` repeats prev; `1 0 s` is
// prev + 1 (s = 0) or prev - 1 (s = 1); `1 1 bbbb` is the 4-bit literal
// bbbb. 0 means the symbol has no code; lengths are at most 11. A table's
// lengths form a complete prefix code (Kraft sum exactly 1) unless one
// symbol has a code, of length 1, which then takes 0 bits per value.
// Codes are canonical: by length, then by symbol (tag 0's before tag 1's),
// counting up from all zeros; a code is written first bit first into the
// LSB-first stream.
//
// The writer: Huffman code lengths of the table's symbol counts (leaves of
// equal count ordered by symbol), limited to 11 bits by moving leaf pairs up
// the tree (the adjustment of JPEG, ITU T.81 Annex K.3).
//
// The reader copies the rest of its input into a buffer with 16 zero bytes
// after it, refills a 64-bit bit buffer with one unaligned load per value,
// and looks each code up in a table of 2^(longest code) entries; a value
// whose extra bits do not fit the refilled buffer takes a slow path. It
// stops when it has loaded 8 bytes past the input, and checks at the end
// that the stream ended within the input with zero padding bits.

#include "src/format/entropy_encoding.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>

#include "fmt/format.h"
#include "src/util/status_macros.h"

namespace mesa::internal {
namespace {

constexpr size_t kMaxCodes = size_t{1} << kMaxCodeLength;
constexpr uint8_t kTagPresent[2] = {1 << 3, 1 << 4};

// ------------------------------------------------------------ Huffman

// Code lengths (1..kMaxCodeLength) for `k` symbols with counts[0 .. k),
// 1 <= k <= kMaxCodes. A single symbol gets length 1.
void HuffmanLengths(const uint32_t* counts, size_t k, uint8_t* lengths) {
  if (k == 1) {
    lengths[0] = 1;
    return;
  }
  // Leaves in increasing count (then index) order.
  thread_local std::vector<uint32_t> order, parent, depth;
  thread_local std::vector<uint64_t> weight;
  order.resize(k);
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    return counts[a] != counts[b] ? counts[a] < counts[b] : a < b;
  });
  // Two-queue merge: nodes [0, k) are the sorted leaves, [k, 2k - 1) the
  // internal nodes in creation order (their weights never decrease).
  const size_t nodes = 2 * k - 1;
  weight.resize(nodes);
  parent.resize(nodes);
  for (size_t i = 0; i < k; ++i) weight[i] = counts[order[i]];
  size_t leaf = 0, inner = k;
  auto take = [&](size_t next) {
    if (leaf < k && (inner >= next || weight[leaf] <= weight[inner])) {
      return leaf++;
    }
    return inner++;
  };
  for (size_t next = k; next < nodes; ++next) {
    const size_t a = take(next);
    const size_t b = take(next);
    weight[next] = weight[a] + weight[b];
    parent[a] = parent[b] = static_cast<uint32_t>(next);
  }
  // Depths, from the root down (a parent is created after its children).
  depth.resize(nodes);
  depth[nodes - 1] = 0;
  for (size_t i = nodes - 1; i-- > 0;) depth[i] = depth[parent[i]] + 1;
  // Leaves per depth; deeper than the limit, move pairs up (ITU T.81 K.3):
  // two leaves at depth d go, one to their parent's place at d - 1, the
  // other beside a leaf at the deepest level j < d - 1 that has one, which
  // moves down to j + 1. The Kraft sum stays 1. (A leaf at some j < d - 1
  // exists: with every leaf at d - 1 or deeper there would be more than
  // 2^11 of them.)
  uint32_t max_depth = 0;
  for (size_t i = 0; i < k; ++i) max_depth = std::max(max_depth, depth[i]);
  std::vector<uint32_t> per_length(max_depth + 1, 0);
  for (size_t i = 0; i < k; ++i) ++per_length[depth[i]];
  for (uint32_t d = max_depth; d > static_cast<uint32_t>(kMaxCodeLength);
       --d) {
    while (per_length[d] > 0) {
      uint32_t j = d - 2;
      while (per_length[j] == 0) --j;
      per_length[d] -= 2;
      per_length[d - 1] += 1;
      per_length[j + 1] += 2;
      per_length[j] -= 1;
    }
  }
  // The rarest leaves get the longest codes.
  size_t i = 0;
  for (uint32_t d = std::min<uint32_t>(max_depth, kMaxCodeLength); d >= 1;
       --d) {
    for (uint32_t c = 0; c < per_length[d]; ++c) {
      lengths[order[i++]] = static_cast<uint8_t>(d);
    }
  }
}

// Appends the length code to a plan's bit vector.
class LengthCoder {
 public:
  explicit LengthCoder(CodedPlan* plan) : plan_(plan) {
    plan_->table_bits.clear();
    plan_->table_bit_count = 0;
  }
  void Add(int length) {
    if (length == prev_) {
      Put(0, 1);
    } else if (length == prev_ + 1 || length == prev_ - 1) {
      Put(length == prev_ + 1 ? 0b001 : 0b101, 3);
    } else {
      Put(0b11 | static_cast<uint32_t>(length) << 2, 6);
    }
    prev_ = length;
  }

 private:
  void Put(uint32_t bits, int count) {
    for (int i = 0; i < count; ++i) {
      const size_t at = plan_->table_bit_count++;
      if (at % 8 == 0) plan_->table_bits.push_back(0);
      plan_->table_bits.back() =
          static_cast<uint8_t>(plan_->table_bits.back() |
                               ((bits >> i) & 1u) << (at % 8));
    }
  }

  CodedPlan* plan_;
  int prev_ = 0;
};

inline size_t VarintBytes(uint64_t v) {
  size_t n = 1;
  while (v >= 128) {
    v >>= 7;
    ++n;
  }
  return n;
}

inline uint32_t ReverseBits(uint32_t code, int length) {
  uint32_t reversed = 0;
  for (int b = 0; b < length; ++b) {
    reversed |= ((code >> (length - 1 - b)) & 1u) << b;
  }
  return reversed;
}

// Writes an LSB-first stream with one 8-byte store per Put; needs 8 bytes
// of slack after the stream.
class BitWriter {
 public:
  explicit BitWriter(char* p) : p_(p) {}
  // count <= 56; bits above `count` are 0.
  void Put(uint64_t bits, int count) {
    acc_ |= bits << n_;
    n_ += count;
    std::memcpy(p_, &acc_, 8);
    p_ += n_ >> 3;
    acc_ >>= n_ & ~7;
    n_ &= 7;
  }
  // The end of the stream.
  char* end() const { return p_ + (n_ > 0 ? 1 : 0); }

 private:
  char* p_;
  uint64_t acc_ = 0;
  int n_ = 0;
};

// A decode table entry: code length, extra bits, tag, top (the symbol's
// base magnitude >> extra bits, below 2 << sub).
inline uint32_t Entry(int length, int extra, int tag, uint32_t top) {
  return static_cast<uint32_t>(length) | static_cast<uint32_t>(extra) << 8 |
         static_cast<uint32_t>(tag) << 16 | top << 24;
}

}  // namespace

// ------------------------------------------------------------ histogram

CodedHistogram::CodedHistogram(int max_sub, uint64_t magnitude_limit)
    : max_sub_(max_sub),
      alphabet_(std::min(CodedAlphabet(max_sub),
                         CodedSymbol(std::max<uint64_t>(magnitude_limit, 1) - 1,
                                     max_sub) +
                             1)),
      counts_(2 * size_t{alphabet_}, 0) {}

void CodedHistogram::Clear() {
  for (int tag = 0; tag < 2; ++tag) {
    std::fill_n(counts_.begin() + size_t{alphabet_} * tag, top_[tag], 0);
    top_[tag] = 0;
  }
  count_ = 0;
}

void CodedHistogram::Merge(const CodedHistogram& other) {
  for (int tag = 0; tag < 2; ++tag) {
    const size_t at = size_t{alphabet_} * tag;
    for (uint32_t s = 0; s < other.top_[tag]; ++s) {
      counts_[at + s] += other.counts_[at + s];
    }
    top_[tag] = std::max(top_[tag], other.top_[tag]);
  }
  count_ += other.count_;
}

std::vector<CodedHistogram::Present>& CodedHistogram::ScratchPresent() {
  thread_local std::vector<Present> present;
  return present;
}

void CodedHistogram::PresentAt(int sub, std::vector<Present>* out) const {
  out->clear();
  const uint32_t alphabet = CodedAlphabet(sub);
  for (int tag = 0; tag < 2; ++tag) {
    const uint32_t* c = counts_.data() + size_t{alphabet_} * tag;
    for (uint32_t s = 0; s < top_[tag]; ++s) {
      if (c[s] == 0) continue;
      // Every magnitude of a fine symbol has the same coarse symbol, and
      // coarse symbols grow with fine ones.
      const uint32_t coarse =
          tag * alphabet +
          (sub == max_sub_ ? s
                           : CodedSymbol(CodedSymbolBase(s, max_sub_), sub));
      if (!out->empty() && out->back().symbol == coarse) {
        out->back().count += c[s];
      } else {
        out->push_back({coarse, c[s]});
      }
    }
  }
}

namespace {

// c * log2(c), from a table below 4096.
double CLog2C(uint32_t c) {
  static const std::vector<float>* table = [] {
    auto* t = new std::vector<float>(4096);
    for (uint32_t i = 1; i < t->size(); ++i) {
      (*t)[i] = static_cast<float>(i * std::log2(static_cast<double>(i)));
    }
    return t;
  }();
  if (c < table->size()) return (*table)[c];
  return c * std::log2(static_cast<double>(c));
}

}  // namespace

int CodedHistogram::ChooseSub(double* best_bits_out) const {
  int best = 0;
  double best_bits = 0;
  std::vector<Present>& present = ScratchPresent();
  PresentAt(max_sub_, &present);
  std::vector<Present> coarse;
  const double total = static_cast<double>(count_);
  const double total_log = count_ > 0 ? CLog2C(static_cast<uint32_t>(
                                            std::min<size_t>(count_, UINT32_MAX)))
                                      : 0;
  for (int sub = max_sub_; sub >= 0; --sub) {
    // Coarser symbols merge runs of finer ones.
    coarse.clear();
    const uint32_t fine_alphabet = CodedAlphabet(max_sub_);
    const uint32_t alphabet = CodedAlphabet(sub);
    for (const Present& p : present) {
      const uint32_t tag = p.symbol / fine_alphabet;
      const uint32_t s =
          tag * alphabet +
          (sub == max_sub_
               ? p.symbol % fine_alphabet
               : CodedSymbol(CodedSymbolBase(p.symbol % fine_alphabet, max_sub_),
                             sub));
      if (!coarse.empty() && coarse.back().symbol == s) {
        coarse.back().count += p.count;
      } else {
        coarse.push_back({s, p.count});
      }
    }
    if (coarse.size() > kMaxCodes) continue;  // more symbols than codes
    // Entropy: total log2 total - sum c log2 c; then extra bits and table.
    double bits = total_log + 3.0 * static_cast<double>(coarse.size());
    (void)total;
    for (const Present& p : coarse) {
      bits += static_cast<double>(p.count) *
                  CodedExtraBits(p.symbol % alphabet, sub) -
              CLog2C(p.count);
    }
    if (sub == max_sub_ || bits <= best_bits) {
      best = sub;
      best_bits = bits;
    }
  }
  if (best_bits_out != nullptr) *best_bits_out = best_bits;
  return best;
}

size_t CodedHistogram::SymbolsAt(int sub) const {
  std::vector<Present>& present = ScratchPresent();
  PresentAt(sub, &present);
  return present.size();
}

void CodedHistogram::Plan(int sub, CodedPlan* plan) const {
  std::vector<Present>& present = ScratchPresent();
  PresentAt(sub, &present);
  MESA_DCHECK(!present.empty() && present.size() <= kMaxCodes);
  const uint32_t alphabet = CodedAlphabet(sub);
  const size_t k = present.size();
  thread_local std::vector<uint32_t> counts;
  thread_local std::vector<uint8_t> lengths;
  counts.resize(k);
  for (size_t i = 0; i < k; ++i) counts[i] = present[i].count;
  lengths.resize(k);
  HuffmanLengths(counts.data(), k, lengths.data());
  const bool lone = k == 1;

  plan->sub = sub;
  for (int tag = 0; tag < 2; ++tag) {
    plan->lo[tag] = 0;
    plan->span[tag] = 0;
  }
  for (size_t i = 0; i < k; ++i) {
    const uint32_t tag = present[i].symbol / alphabet;
    const uint32_t symbol = present[i].symbol % alphabet;
    if (plan->span[tag] == 0) plan->lo[tag] = symbol;
    plan->span[tag] = symbol - plan->lo[tag] + 1;
  }
  // Canonical codes: by length, then symbol (present is in symbol order).
  uint32_t per_length[kMaxCodeLength + 1] = {};
  for (uint8_t l : lengths) ++per_length[l];
  uint32_t next[kMaxCodeLength + 1] = {};
  uint32_t code = 0;
  for (int l = 1; l <= kMaxCodeLength; ++l) {
    code = (code + per_length[l - 1]) << 1;
    next[l] = code;
  }
  plan->entries.assign(size_t{plan->span[0]} + plan->span[1], 0);
  LengthCoder table(plan);
  size_t value_bits = 0;
  uint32_t expected[2] = {plan->lo[0], plan->lo[1]};  // next range symbol
  for (size_t i = 0; i < k; ++i) {
    const uint32_t tag = present[i].symbol / alphabet;
    const uint32_t symbol = present[i].symbol % alphabet;
    for (; expected[tag] < symbol; ++expected[tag]) table.Add(0);
    ++expected[tag];
    const int l = lengths[i];
    table.Add(l);
    const int code_length = lone ? 0 : l;
    const int extra = CodedExtraBits(symbol, sub);
    const uint32_t reversed = lone ? 0 : ReverseBits(next[l]++, l);
    plan->entries[(tag ? plan->span[0] : 0) + symbol - plan->lo[tag]] =
        reversed | static_cast<uint32_t>(code_length) << 16 |
        static_cast<uint32_t>(extra) << 24;
    value_bits +=
        size_t{present[i].count} * static_cast<size_t>(code_length + extra);
  }
  plan->value_bits = value_bits;
  plan->symbols = k;
  plan->header_bytes = 1;
  for (int tag = 0; tag < 2; ++tag) {
    if (plan->span[tag] > 0) {
      plan->header_bytes +=
          VarintBytes(plan->lo[tag]) + VarintBytes(plan->span[tag]);
    }
  }
}

size_t CodedSize(const CodedPlan* plans, int num_tables) {
  size_t bytes = 0, bits = 0;
  for (int t = 0; t < num_tables; ++t) {
    bytes += plans[t].header_bytes;
    bits += plans[t].table_bit_count + plans[t].value_bits;
  }
  return bytes + (bits + 7) / 8;
}

// ------------------------------------------------------------ encoder

void AppendCoded(const CodedPlan* plans, int num_tables,
                 const uint64_t* magnitudes, const uint8_t* tags,
                 const uint8_t* contexts, size_t count, std::string* dst) {
  size_t bits = 0;
  for (int t = 0; t < num_tables; ++t) {
    const CodedPlan& plan = plans[t];
    uint8_t flags = static_cast<uint8_t>(plan.sub);
    for (int tag = 0; tag < 2; ++tag) {
      if (plan.span[tag] > 0) flags |= kTagPresent[tag];
    }
    PutFixed8(dst, flags);
    for (int tag = 0; tag < 2; ++tag) {
      if (plan.span[tag] == 0) continue;
      PutVarint64(dst, plan.lo[tag]);
      PutVarint64(dst, plan.span[tag]);
    }
    bits += plan.table_bit_count + plan.value_bits;
  }
  const size_t stream = (bits + 7) / 8;
  const size_t begin = dst->size();
  // 8 bytes of slack for the writer's whole-word stores.
  dst->resize(begin + stream + 8);
  BitWriter w(dst->data() + begin);
  for (int t = 0; t < num_tables; ++t) {
    const CodedPlan& plan = plans[t];
    for (size_t i = 0; i < plan.table_bit_count; i += 8) {
      w.Put(plan.table_bits[i / 8],
            static_cast<int>(std::min<size_t>(8, plan.table_bit_count - i)));
    }
  }
  if (num_tables == 1) {
    // One table: its fields in registers.
    const int sub = plans[0].sub;
    const uint32_t* const entries = plans[0].entries.data();
    const int64_t offset0 = plans[0].lo[0];
    const int64_t offset1 = int64_t{plans[0].lo[1]} - int64_t{plans[0].span[0]};
    // Value i's entry and mantissa (its extra bits).
    auto look_up = [&](size_t i, uint32_t* e, uint64_t* mantissa) {
      const uint64_t m = magnitudes[i];
      const int64_t offset = tags != nullptr && tags[i] ? offset1 : offset0;
      *e = entries[static_cast<int64_t>(CodedSymbol(m, sub)) - offset];
      *mantissa = m & ((uint64_t{1} << (*e >> 24)) - 1);
    };
    auto put_one = [&](uint32_t e, uint64_t mantissa) {
      const int length = static_cast<int>((e >> 16) & 0xff);
      const int extra = static_cast<int>(e >> 24);
      if (length + extra <= 56) [[likely]] {
        w.Put((e & 0xffff) | mantissa << length, length + extra);
      } else {
        w.Put(e & 0xffff, length);
        w.Put(mantissa & 0xffffffffu, 32);
        w.Put(mantissa >> 32, extra - 32);
      }
    };
    // Two values per store when their codes and extra bits fit in 56 bits
    // together (the common case: short codes, few extra bits), which
    // halves the writer's dependent chain of shifts and stores.
    size_t i = 0;
    for (; i + 2 <= count; i += 2) {
      uint32_t e0, e1;
      uint64_t mantissa0, mantissa1;
      look_up(i, &e0, &mantissa0);
      look_up(i + 1, &e1, &mantissa1);
      const int length0 = static_cast<int>((e0 >> 16) & 0xff);
      const int length1 = static_cast<int>((e1 >> 16) & 0xff);
      const int bits0 = length0 + static_cast<int>(e0 >> 24);
      const int bits1 = length1 + static_cast<int>(e1 >> 24);
      if (bits0 + bits1 <= 56) [[likely]] {
        const uint64_t first = (e0 & 0xffff) | mantissa0 << length0;
        const uint64_t second = (e1 & 0xffff) | mantissa1 << length1;
        w.Put(first | second << bits0, bits0 + bits1);
      } else {
        put_one(e0, mantissa0);
        put_one(e1, mantissa1);
      }
    }
    if (i < count) {
      uint32_t e;
      uint64_t mantissa;
      look_up(i, &e, &mantissa);
      put_one(e, mantissa);
    }
    MESA_DCHECK(w.end() == dst->data() + begin + stream);
    dst->resize(begin + stream);
    return;
  }
  // Entry index of a (tag, symbol) in table t: symbol - offset[t][tag].
  const uint32_t* entries[kMaxCodedTables];
  int64_t offset[kMaxCodedTables][2];
  int subs[kMaxCodedTables];
  for (int t = 0; t < num_tables; ++t) {
    entries[t] = plans[t].entries.data();
    offset[t][0] = plans[t].lo[0];
    offset[t][1] = int64_t{plans[t].lo[1]} - int64_t{plans[t].span[0]};
    subs[t] = plans[t].sub;
  }
  for (size_t i = 0; i < count; ++i) {
    const int t = contexts != nullptr ? contexts[i] : 0;
    const int tag = tags != nullptr ? tags[i] : 0;
    const uint64_t m = magnitudes[i];
    const uint32_t e = entries[t][static_cast<int64_t>(CodedSymbol(m, subs[t])) -
                                  offset[t][tag]];
    const int length = static_cast<int>((e >> 16) & 0xff);
    const int extra = static_cast<int>(e >> 24);
    const uint64_t mantissa = m & ((uint64_t{1} << extra) - 1);
    if (length + extra <= 56) {
      w.Put((e & 0xffff) | mantissa << length, length + extra);
    } else {
      w.Put(e & 0xffff, length);
      w.Put(mantissa & 0xffffffffu, 32);
      w.Put(mantissa >> 32, extra - 32);
    }
  }
  MESA_DCHECK(w.end() == dst->data() + begin + stream);
  dst->resize(begin + stream);
}

void AppendCoded(const uint64_t* magnitudes, const uint8_t* tags, size_t count,
                 int sub, std::string* dst) {
  CodedHistogram h(sub);
  for (size_t i = 0; i < count; ++i) {
    h.Add(magnitudes[i], tags != nullptr ? tags[i] : 0);
  }
  CodedPlan plan;
  h.Plan(sub, &plan);
  AppendCoded(&plan, 1, magnitudes, tags, nullptr, count, dst);
}

// ------------------------------------------------------------ decoder

bool CodedReader::Open(Decoder* in, int num_tables, std::string* error) {
  struct Header {
    int sub;
    uint64_t lo[2] = {0, 0};
    uint64_t span[2] = {0, 0};
  };
  Header headers[kMaxCodedTables];
  for (int t = 0; t < num_tables; ++t) {
    Header& h = headers[t];
    uint8_t flags;
    if (!in->GetFixed8(&flags)) {
      *error = "truncated before the code table";
      return false;
    }
    if ((flags & 0xe0) != 0 || (flags & (kTagPresent[0] | kTagPresent[1])) == 0) {
      *error = fmt::format("bad code table flags {:#04x}", flags);
      return false;
    }
    h.sub = flags & 7;
    const uint32_t alphabet = CodedAlphabet(h.sub);
    for (int tag = 0; tag < 2; ++tag) {
      if ((flags & kTagPresent[tag]) == 0) continue;
      if (!in->GetVarint64(&h.lo[tag]) || !in->GetVarint64(&h.span[tag])) {
        *error = "truncated code table";
        return false;
      }
      if (h.span[tag] == 0 || h.lo[tag] >= alphabet ||
          h.span[tag] > alphabet - h.lo[tag]) {
        *error = fmt::format("symbols [{}, {} + {}) outside the {} of sub {}",
                             h.lo[tag], h.lo[tag], h.span[tag], alphabet,
                             h.sub);
        return false;
      }
    }
  }
  // The stream may run to the end of the input. Loads within it read it in
  // place; the last few go to a zero-padded copy of its end.
  data_ = in->position();
  size_ = in->remaining();
  direct_end_ = size_ >= 8 ? size_ - 7 : 0;
  tail_start_ = size_ > 16 ? size_ - 16 : 0;
  std::memset(tail_, 0, sizeof(tail_));
  std::memcpy(tail_, data_ + tail_start_, size_ - tail_start_);
  pos_ = 0;
  limit_ = size_ + 8;
  buf_ = 0;
  nbits_ = 0;

  // Code lengths, then the decode tables.
  std::vector<uint32_t> symbols;  // with a code, in order
  std::vector<uint8_t> lengths;
  // Per table: symbols with a code and their lengths (lone: 0).
  std::vector<uint32_t> table_symbols[kMaxCodedTables];
  std::vector<uint8_t> table_lengths[kMaxCodedTables];
  uint32_t table_per_length[kMaxCodedTables][kMaxCodeLength + 1] = {};
  int bits = 0;  // the longest code of all tables
  for (int t = 0; t < num_tables; ++t) {
    const Header& h = headers[t];
    const uint32_t alphabet = CodedAlphabet(h.sub);
    symbols.clear();
    lengths.clear();
    uint32_t per_length[kMaxCodeLength + 1] = {};
    int prev = 0;
    for (int tag = 0; tag < 2; ++tag) {
      for (uint64_t i = 0; i < h.span[tag]; ++i) {
        if (pos_ > limit_) {
          *error = "stream ends inside the code table";
          return false;
        }
        Refill();  // at least 56 bits: a length takes at most 6
        int len;
        if ((buf_ & 1) == 0) {
          len = prev;
          Consume(1);
        } else if ((buf_ & 2) == 0) {
          len = (buf_ & 4) == 0 ? prev + 1 : prev - 1;
          Consume(3);
        } else {
          len = static_cast<int>((buf_ >> 2) & 15);
          Consume(6);
        }
        if (len < 0 || len > kMaxCodeLength) {
          *error = fmt::format("code length {} of symbol {} in table {}", len,
                               h.lo[tag] + i + (tag ? alphabet : 0), t);
          return false;
        }
        prev = len;
        if (len == 0) continue;
        ++per_length[len];
        symbols.push_back(static_cast<uint32_t>(tag * alphabet + h.lo[tag] + i));
        lengths.push_back(static_cast<uint8_t>(len));
      }
    }
    if (consumed_bits() > uint64_t{size_} * 8) {
      *error = "stream ends inside the code table";
      return false;
    }
    if (symbols.empty()) {
      *error = fmt::format("no symbol of table {} has a code", t);
      return false;
    }
    if (symbols.size() == 1) {
      if (lengths[0] != 1) {
        *error = fmt::format("lone symbol with code length {} in table {}",
                             lengths[0], t);
        return false;
      }
      lengths[0] = 0;
    } else {
      uint64_t kraft = 0;
      for (int l = 1; l <= kMaxCodeLength; ++l) {
        kraft += uint64_t{per_length[l]} << (kMaxCodeLength - l);
        if (per_length[l] != 0) bits = std::max(bits, l);
      }
      if (kraft != kMaxCodes) {
        *error = fmt::format(
            "code lengths of table {} are not a complete prefix code (Kraft "
            "sum {}/{})",
            t, kraft, kMaxCodes);
        return false;
      }
    }
    table_symbols[t].swap(symbols);
    table_lengths[t].swap(lengths);
    std::copy(per_length, per_length + kMaxCodeLength + 1,
              table_per_length[t]);
  }
  // Decode tables of 2^bits entries. A code of length l, bit-reversed,
  // fills every entry whose low l bits it is. Built by length: with the
  // codes of lengths < l in a table of 2^(l-1) entries, copying it to its
  // second half extends them to 2^l entries; then each code of length l
  // takes its one entry. (Entries not yet filled are prefixes of longer
  // codes, filled later: the code is complete.)
  const size_t table_size = size_t{1} << bits;
  mask_ = table_size - 1;
  for (int t = 0; t < num_tables; ++t) {
    const Header& h = headers[t];
    const uint32_t alphabet = CodedAlphabet(h.sub);
    const uint32_t* per_length = table_per_length[t];
    const std::vector<uint32_t>& symbols_t = table_symbols[t];
    const std::vector<uint8_t>& lengths_t = table_lengths[t];
    uint32_t* table = tables_ + (size_t{static_cast<unsigned>(t)} << kMaxCodeLength);
    auto entry = [&](size_t j) {
      const uint32_t s = symbols_t[j];
      const int tag = s >= alphabet ? 1 : 0;
      const uint32_t symbol = s - (tag ? alphabet : 0);
      const int extra = CodedExtraBits(symbol, h.sub);
      const uint32_t top =
          static_cast<uint32_t>(CodedSymbolBase(symbol, h.sub) >> extra);
      return Entry(lengths_t[j], extra, tag, top);
    };
    table[0] = 0;
    if (lengths_t.size() == 1 && lengths_t[0] == 0) table[0] = entry(0);
    uint32_t code = 0;
    for (int l = 1; l <= bits; ++l) {
      const size_t half = size_t{1} << (l - 1);
      std::memcpy(table + half, table, half * sizeof(uint32_t));
      code = (code + per_length[l - 1]) << 1;
      if (per_length[l] == 0) continue;
      // Codes of length l, canonical: in symbol order.
      uint32_t next = code;
      for (size_t j = 0; j < symbols_t.size(); ++j) {
        if (lengths_t[j] != l) continue;
        table[ReverseBits(next++, l)] = entry(j);
      }
    }
  }
  return true;
}

bool CodedReader::Finish(Decoder* in, size_t count, std::string* error) {
  const uint64_t used = consumed_bits();
  if (pos_ > limit_ || used > uint64_t{size_} * 8) {
    *error = fmt::format("{} values run past the {} bytes left", count, size_);
    return false;
  }
  const size_t bytes = static_cast<size_t>((used + 7) / 8);
  if (used % 8 != 0 &&
      (static_cast<uint8_t>(data_[bytes - 1]) >> (used % 8)) != 0) {
    *error = "nonzero padding bits after the values";
    return false;
  }
  in->Skip(bytes);
  return true;
}

namespace {

template <bool kTags>
bool ReadValues(CodedReader* r, size_t count, uint64_t* values,
                uint8_t* tags) {
  return r->Decode(
      count, [] { return 0; },
      [values, tags](size_t i, uint64_t m, int tag) {
        (void)tags;
        if constexpr (kTags) {
          values[i] = m;
          tags[i] = static_cast<uint8_t>(tag);
        } else {
          const uint64_t t = static_cast<uint64_t>(tag);
          values[i] = (m ^ (0 - t)) + t;
        }
      });
}

}  // namespace

bool ReadCoded(Decoder* in, size_t count, uint64_t* values, uint8_t* tags,
               std::string* error) {
  CodedReader r;
  if (!r.Open(in, 1, error)) return false;
  if (tags != nullptr) {
    ReadValues<true>(&r, count, values, tags);
  } else {
    ReadValues<false>(&r, count, values, nullptr);
  }
  return r.Finish(in, count, error);
}

}  // namespace mesa::internal
