// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// coded(count) of src/format/entropy_encoding.h: the symbol mapping, round
// trips at every sub and distribution, the 11-bit code length limit,
// several tables, exact planned sizes, golden bytes, and malformed streams
// (never a crash or a read outside the input; AddressSanitizer checks the
// latter on exact-size heap copies).

#include "src/format/entropy_encoding.h"

#include <cstring>
#include <limits>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/testing/test_util.h"

namespace mesa::internal {
namespace {

constexpr uint64_t kU64Max = std::numeric_limits<uint64_t>::max();

std::string Hex(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    static const char kDigits[] = "0123456789abcdef";
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

struct Pairs {
  std::vector<uint64_t> magnitudes;
  std::vector<uint8_t> tags;
};

// Reads coded(count) from an exact-size heap copy of `bytes`; the status
// of the read and the number of bytes it consumed.
bool ReadExact(std::string_view bytes, size_t count, Pairs* out,
               std::string* error, size_t* consumed = nullptr) {
  std::unique_ptr<char[]> copy(new char[bytes.size() + 1]);
  std::memcpy(copy.get(), bytes.data(), bytes.size());
  Decoder in(std::string_view(copy.get(), bytes.size()));
  out->magnitudes.assign(count, 0);
  out->tags.assign(count, 0);
  const bool ok =
      ReadCoded(&in, count, out->magnitudes.data(), out->tags.data(), error);
  if (consumed != nullptr) *consumed = bytes.size() - in.remaining();
  return ok;
}

void ExpectRoundTrip(const Pairs& p, int sub) {
  SCOPED_TRACE(::testing::Message() << "sub " << sub << " count "
                                    << p.magnitudes.size());
  std::string body = "prefix";
  AppendCoded(p.magnitudes.data(), p.tags.data(), p.magnitudes.size(), sub,
              &body);
  ASSERT_EQ(body.substr(0, 6), "prefix");
  const std::string coded = body.substr(6);
  // The plan's size is exact.
  CodedHistogram h(sub);
  for (size_t i = 0; i < p.magnitudes.size(); ++i) {
    h.Add(p.magnitudes[i], p.tags[i]);
  }
  CodedPlan plan;
  h.Plan(sub, &plan);
  EXPECT_EQ(plan.size(), coded.size());
  Pairs back;
  std::string error;
  size_t consumed = 0;
  ASSERT_TRUE(ReadExact(coded, p.magnitudes.size(), &back, &error, &consumed))
      << error;
  EXPECT_EQ(consumed, coded.size());
  EXPECT_EQ(back.magnitudes, p.magnitudes);
  EXPECT_EQ(back.tags, p.tags);
  // Bytes after the stream are left to the caller.
  std::string more = coded + "xyz";
  ASSERT_TRUE(ReadExact(more, p.magnitudes.size(), &back, &error, &consumed))
      << error;
  EXPECT_EQ(consumed, coded.size());
}

std::vector<std::pair<std::string, Pairs>> Distributions(size_t n,
                                                         std::mt19937_64& rng) {
  std::vector<std::pair<std::string, Pairs>> out;
  auto add = [&](std::string name, auto gen) {
    Pairs p;
    for (size_t i = 0; i < n; ++i) {
      const auto [m, tag] = gen(i);
      p.magnitudes.push_back(m);
      p.tags.push_back(static_cast<uint8_t>(tag));
    }
    out.push_back({std::move(name), std::move(p)});
  };
  using P = std::pair<uint64_t, int>;
  add("zero", [](size_t) { return P{0, 0}; });
  add("constant tag 1", [](size_t) { return P{12345, 1}; });
  add("two values", [&](size_t) { return P{rng() % 2 ? 3 : 1000, 0}; });
  add("small", [&](size_t) { return P{rng() % 100, rng() % 100 == 0}; });
  add("geometric", [&](size_t) {
    return P{uint64_t{1} << (rng() % 40) | (rng() & 0xff), rng() % 2};
  });
  // Short codes with an occasional wide value: pairs of values that share
  // one store next to pairs that do not fit in one.
  add("small, rare wide", [&](size_t) {
    return P{rng() % 16 == 0 ? rng() >> (rng() % 8) : rng() % 8,
             static_cast<int>(rng() % 5 == 0)};
  });
  add("random 64-bit", [&](size_t) { return P{rng(), static_cast<int>(rng() % 2)}; });
  add("extremes", [&](size_t i) {
    const uint64_t v[] = {0, 1, kU64Max, kU64Max - 1, uint64_t{1} << 63,
                          (uint64_t{1} << 63) - 1, uint64_t{1} << 45,
                          (uint64_t{1} << 46) - 1, (uint64_t{1} << 56) + 5};
    return P{v[i % std::size(v)], static_cast<int>(i % 3 == 0)};
  });
  // Fibonacci counts make the unlimited Huffman code deeper than 11 bits.
  {
    Pairs p;
    uint64_t a = 1, b = 1;
    for (uint64_t s = 0; s < 25; ++s) {
      for (uint64_t k = 0; k < a; ++k) {
        p.magnitudes.push_back(s);
        p.tags.push_back(0);
      }
      const uint64_t c = a + b;
      a = b;
      b = c;
      if (p.magnitudes.size() > 200000) break;
    }
    std::shuffle(p.magnitudes.begin(), p.magnitudes.end(), rng);
    out.push_back({"fibonacci", std::move(p)});
  }
  return out;
}

TEST(EntropyEncodingTest, SymbolsCoverEveryMagnitudeOnce) {
  std::mt19937_64 rng(mesa::testing::TestSeed(31));
  for (int sub = 0; sub <= kMaxCodedSub; ++sub) {
    std::vector<uint64_t> ms = {0, 1, 2, 3, 255, 256, kU64Max, kU64Max >> 1,
                                uint64_t{1} << 63};
    for (int i = 0; i < 2000; ++i) ms.push_back(rng() >> (rng() % 64));
    for (uint64_t m : ms) {
      const uint32_t s = CodedSymbol(m, sub);
      ASSERT_LT(s, CodedAlphabet(sub)) << m;
      const uint64_t base = CodedSymbolBase(s, sub);
      const int extra = CodedExtraBits(s, sub);
      ASSERT_LE(base, m);
      ASSERT_LE(m - base, extra == 64 ? kU64Max : (uint64_t{1} << extra) - 1)
          << "sub " << sub << " m " << m;
      // The symbol's first and last magnitudes map back to it.
      ASSERT_EQ(CodedSymbol(base, sub), s);
      if (extra > 0) {
        ASSERT_EQ(CodedSymbol(base + ((uint64_t{1} << extra) - 1), sub), s);
      }
    }
    // Small magnitudes are their own symbols.
    for (uint64_t m = 0; m < (uint64_t{2} << sub); ++m) {
      EXPECT_EQ(CodedSymbol(m, sub), m);
      EXPECT_EQ(CodedExtraBits(static_cast<uint32_t>(m), sub), 0);
    }
    EXPECT_EQ(CodedSymbol(kU64Max, sub), CodedAlphabet(sub) - 1);
  }
}

TEST(EntropyEncodingTest, RoundTripsAtEverySub) {
  std::mt19937_64 rng(mesa::testing::TestSeed(32));
  for (size_t n : {1, 2, 7, 64, 1300}) {
    for (auto& [name, pairs] : Distributions(n, rng)) {
      SCOPED_TRACE(name);
      if (name == "fibonacci" && n != 1300) continue;
      for (int sub = 0; sub <= kMaxCodedSub; ++sub) {
        // Wide magnitudes at a high sub may have more symbols than an
        // 11-bit code holds: the writer never picks such a sub.
        CodedHistogram h(sub);
        for (size_t i = 0; i < pairs.magnitudes.size(); ++i) {
          h.Add(pairs.magnitudes[i], pairs.tags[i]);
        }
        if (h.SymbolsAt(sub) > (size_t{1} << kMaxCodeLength)) continue;
        ExpectRoundTrip(pairs, sub);
      }
    }
  }
}

TEST(EntropyEncodingTest, ChosenSubIsNearTheSmallest) {
  std::mt19937_64 rng(mesa::testing::TestSeed(33));
  for (auto& [name, pairs] : Distributions(1300, rng)) {
    SCOPED_TRACE(name);
    CodedHistogram h(2);
    for (size_t i = 0; i < pairs.magnitudes.size(); ++i) {
      h.Add(pairs.magnitudes[i], pairs.tags[i]);
    }
    size_t best = SIZE_MAX;
    for (int sub = 0; sub <= 2; ++sub) {
      CodedPlan plan;
      h.Plan(sub, &plan);
      best = std::min(best, plan.size());
    }
    CodedPlan chosen;
    h.PlanBest(&chosen);
    EXPECT_LE(chosen.size(), best + best / 50 + 8);
  }
}

TEST(EntropyEncodingTest, CodesAreAtMostElevenBits) {
  std::mt19937_64 rng(mesa::testing::TestSeed(34));
  Pairs fib = Distributions(1, rng).back().second;
  ASSERT_GT(fib.magnitudes.size(), 10000u);
  // At sub 4, magnitudes below 32 are symbols of their own.
  CodedHistogram h(4);
  for (uint64_t m : fib.magnitudes) h.Add(m, 0);
  CodedPlan plan;
  h.Plan(4, &plan);
  int longest = 0;
  for (uint32_t e : plan.entries) {
    longest = std::max(longest, static_cast<int>((e >> 16) & 0xff));
  }
  EXPECT_EQ(longest, kMaxCodeLength);
  ExpectRoundTrip(fib, 4);
}

TEST(EntropyEncodingTest, SeveralTables) {
  std::mt19937_64 rng(mesa::testing::TestSeed(35));
  const size_t n = 3001;  // odd: the encoder's last value goes alone
  std::vector<uint64_t> m(n);
  std::vector<uint8_t> tags(n), contexts(n);
  std::vector<CodedHistogram> h(kMaxCodedTables, CodedHistogram(2));
  for (size_t i = 0; i < n; ++i) {
    contexts[i] = static_cast<uint8_t>(rng() % kMaxCodedTables);
    // Each table sees a different distribution; table 3 a lone symbol,
    // table 2 some full 64-bit values (pairs too wide for one store).
    m[i] = contexts[i] == 3 ? 77 : rng() % (uint64_t{10} << (8 * contexts[i]));
    if (contexts[i] == 2 && rng() % 8 == 0) m[i] = rng();
    tags[i] = static_cast<uint8_t>(contexts[i] == 1 && rng() % 2);
    h[contexts[i]].Add(m[i], tags[i]);
  }
  CodedPlan plans[kMaxCodedTables];
  for (int t = 0; t < kMaxCodedTables; ++t) h[t].PlanBest(&plans[t]);
  std::string body;
  AppendCoded(plans, kMaxCodedTables, m.data(), tags.data(), contexts.data(), n,
              &body);
  EXPECT_EQ(body.size(), CodedSize(plans, kMaxCodedTables));
  std::unique_ptr<char[]> copy(new char[body.size()]);
  std::memcpy(copy.get(), body.data(), body.size());
  Decoder in(std::string_view(copy.get(), body.size()));
  CodedReader r;
  std::string error;
  ASSERT_TRUE(r.Open(&in, kMaxCodedTables, &error)) << error;
  size_t i_ctx = 0;
  std::vector<uint64_t> back(n);
  std::vector<uint8_t> back_tags(n);
  EXPECT_TRUE(r.Decode(
      n, [&] { return contexts[i_ctx]; },
      [&](size_t i, uint64_t mag, int tag) {
        back[i] = mag;
        back_tags[i] = static_cast<uint8_t>(tag);
        ++i_ctx;
      }));
  ASSERT_TRUE(r.Finish(&in, n, &error)) << error;
  EXPECT_TRUE(in.empty());
  EXPECT_EQ(back, m);
  EXPECT_EQ(back_tags, tags);
}

// Hand-checked bytes of the grammar in docs/format.md.
TEST(EntropyEncodingTest, GoldenBytes) {
  // A lone symbol: flags 08 (sub 0, tag 0), lo 0, span 1, then the length
  // code `1 0 0` (prev 0 + 1 = length 1) and 0 bits per value.
  std::string body;
  std::vector<uint64_t> zeros(5, 0);
  AppendCoded(zeros.data(), nullptr, zeros.size(), 0, &body);
  EXPECT_EQ(Hex(body), "08000101");
  // Magnitudes 1 (tag 0), 1 (tag 1), 2, 1 at sub 1: flags 19 (sub 1, both
  // tags); tag 0 lo 1 span 2, tag 1 lo 1 span 1. Lengths 1, 2 | 2: bits
  // 100 100 0. Codes: (0,1) `0`, (0,2) `10`, (1,1) `11`; values 0 11 10 0.
  body.clear();
  std::vector<uint64_t> m = {1, 1, 2, 1};
  std::vector<uint8_t> tags = {0, 1, 0, 0};
  AppendCoded(m.data(), tags.data(), m.size(), 1, &body);
  EXPECT_EQ(Hex(body), "190102010109" "07");
}

void ExpectBad(const std::string& bytes, size_t count, std::string_view what) {
  Pairs out;
  std::string error;
  EXPECT_FALSE(ReadExact(bytes, count, &out, &error)) << Hex(bytes);
  EXPECT_NE(error.find(what), std::string::npos)
      << "error: " << error << "\nexpected: " << what;
}

std::string Bytes(std::initializer_list<int> bytes) {
  std::string out;
  for (int b : bytes) out.push_back(static_cast<char>(b));
  return out;
}

TEST(EntropyEncodingTest, MalformedStreamsSayWhatIsWrong) {
  ExpectBad("", 1, "truncated before the code table");
  ExpectBad(Bytes({0x28}), 1, "bad code table flags");
  ExpectBad(Bytes({0x00}), 1, "bad code table flags");
  ExpectBad(Bytes({0x08, 0x00}), 1, "truncated code table");
  ExpectBad(Bytes({0x08, 0x41, 0x01, 0x01}), 1, "outside the 65 of sub 0");
  ExpectBad(Bytes({0x08, 0x00, 0x00, 0x01}), 1, "outside");
  // Length literal 12 (`11` then 0011 -> bits 1,1,0,0,1,1).
  ExpectBad(Bytes({0x08, 0x00, 0x01, 0x33}), 1, "code length 12");
  // prev 0 - 1.
  ExpectBad(Bytes({0x08, 0x00, 0x01, 0x05}), 1, "code length -1");
  // A lone symbol of length 2: `100 0`... lengths 1 then +1: span 1 only:
  // literal 2 = bits 1,1,0,1,0,0.
  ExpectBad(Bytes({0x08, 0x00, 0x01, 0x0b}), 1, "lone symbol with code length 2");
  // No symbol with a code: one symbol of length 0 (`0`).
  ExpectBad(Bytes({0x08, 0x00, 0x01, 0x00}), 1, "no symbol of table 0");
  // Two symbols of length 1 and 2: Kraft 3/4.
  ExpectBad(Bytes({0x08, 0x00, 0x02, 0x09}), 1, "not a complete prefix code");
  // Values that run past the stream: a lone symbol with 7 extra bits
  // (symbol 8 at sub 0: width 9), 2 values = 14 bits after 3 bits.
  ExpectBad(Bytes({0x08, 0x08, 0x01, 0x01}), 2, "run past");
  // Nonzero padding after a lone zero symbol.
  ExpectBad(Bytes({0x08, 0x00, 0x01, 0x09}), 1, "nonzero padding");
}

TEST(EntropyEncodingTest, TruncationsAndFlipsNeverCrash) {
  std::mt19937_64 rng(mesa::testing::TestSeed(36));
  size_t detected = 0, total = 0;
  for (auto& [name, pairs] : Distributions(40, rng)) {
    if (name == "fibonacci") continue;
    std::string body;
    AppendCoded(pairs.magnitudes.data(), pairs.tags.data(),
                pairs.magnitudes.size(), 1, &body);
    for (size_t cut = 0; cut < body.size(); ++cut) {
      Pairs out;
      std::string error;
      ASSERT_FALSE(
          ReadExact(body.substr(0, cut), pairs.magnitudes.size(), &out, &error))
          << name << " cut " << cut;
    }
    for (size_t pos = 0; pos < body.size(); ++pos) {
      for (int mask : {0x01, 0x80, 0xff, static_cast<int>(rng() % 255 + 1)}) {
        std::string flipped = body;
        flipped[pos] = static_cast<char>(flipped[pos] ^ mask);
        Pairs out;
        std::string error;
        ++total;
        if (!ReadExact(flipped, pairs.magnitudes.size(), &out, &error)) {
          ++detected;
        }
      }
    }
  }
  EXPECT_GT(detected, total / 10);
  // Random bytes.
  for (int iter = 0; iter < 20000; ++iter) {
    std::string bytes(rng() % 24, '\0');
    for (char& c : bytes) c = static_cast<char>(rng() % 3 ? rng() : 0);
    if (!bytes.empty()) bytes[0] = static_cast<char>(bytes[0] & 0x1f);
    Pairs out;
    std::string error;
    ReadExact(bytes, rng() % 50, &out, &error);
  }
}

}  // namespace
}  // namespace mesa::internal
