// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.

#include "src/format/column_encoding.h"

#include <bit>
#include <cstring>
#include <limits>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "src/format/bit_packing.h"
#include "tests/testing/test_util.h"

namespace mesa::internal {
namespace {

constexpr ColumnType kAllTypes[] = {ColumnType::kInt32, ColumnType::kInt64,
                                    ColumnType::kUint64, ColumnType::kDouble,
                                    ColumnType::kString};
constexpr Encoding kAllEncodings[] = {
    Encoding::kPlain,   Encoding::kRle,       Encoding::kDict,
    Encoding::kFor,     Encoding::kDelta,     Encoding::kHuffFor,
    Encoding::kHuffDelta, Encoding::kHuffDict, Encoding::kHuffRle};
constexpr size_t kSizes[] = {1, 2, 7, 8, 9, 100, 1300};

constexpr int64_t kI64Min = std::numeric_limits<int64_t>::min();
constexpr int64_t kI64Max = std::numeric_limits<int64_t>::max();
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

std::string Bytes(std::initializer_list<int> bytes) {
  std::string out;
  for (int b : bytes) out.push_back(static_cast<char>(b));
  return out;
}

ColumnVector WordColumn(ColumnType type, const std::vector<uint64_t>& words) {
  ColumnVector c(type);
  for (uint64_t w : words) c.AppendWord(w);
  return c;
}

ColumnVector StringColumn(const std::vector<std::string>& values) {
  ColumnVector c(ColumnType::kString);
  for (const std::string& s : values) c.AppendString(s);
  return c;
}

// A value of `type` as a word: int32 values are sign-extended.
uint64_t Fit(ColumnType type, uint64_t w) {
  if (type == ColumnType::kInt32) {
    return static_cast<uint64_t>(
        static_cast<int64_t>(static_cast<int32_t>(static_cast<uint32_t>(w))));
  }
  return w;
}

struct Named {
  std::string name;
  ColumnVector column;
};

// Columns of every distribution the encodings care about.
std::vector<Named> NumericColumns(ColumnType type, size_t n,
                                  std::mt19937_64& rng) {
  std::vector<Named> out;
  auto add = [&](std::string name, auto gen) {
    ColumnVector c(type);
    for (size_t i = 0; i < n; ++i) c.AppendWord(Fit(type, gen(i)));
    out.push_back({std::move(name), std::move(c)});
  };
  const bool is32 = type == ColumnType::kInt32;
  add("constant", [](size_t) { return uint64_t{42}; });
  add("zero", [](size_t) { return uint64_t{0}; });
  uint64_t acc = rng();
  if (is32) acc = static_cast<uint64_t>(-1000000);
  add("sorted", [&](size_t) { return acc += rng() % 20; });
  uint64_t down = is32 ? 5000000 : rng();
  add("descending", [&](size_t) { return down -= rng() % 1000; });
  add("random", [&](size_t) { return rng(); });
  add("small range", [&](size_t) { return 1000000 + rng() % 3000; });
  add("negative small range", [&](size_t) {
    return static_cast<uint64_t>(-5000 + int64_t(rng() % 9));
  });
  add("skewed",
      [&](size_t) { return rng() % 10 < 9 ? uint64_t{7} + rng() % 3 : rng(); });
  uint64_t run_value = 0;
  add("runs", [&](size_t) {
    if (rng() % 50 == 0) run_value = rng();
    return run_value;
  });
  const uint64_t specials[] = {
      static_cast<uint64_t>(kI64Min), static_cast<uint64_t>(kI64Max), kU64Max,
      0, 1, uint64_t{1} << 63,
      // doubles: -0.0, +0.0, quiet and signalling NaNs, -NaN, +-inf
      std::bit_cast<uint64_t>(-0.0), 0x7ff8000000000000, 0x7ff0000000000001,
      0xfff8000000000123, 0x7ff0000000000000, 0xfff0000000000000, 0x80000000,
      0x7fffffff, 0xffffffff80000000};
  add("specials", [&](size_t i) { return specials[i % std::size(specials)]; });
  add("specials random",
      [&](size_t) { return specials[rng() % std::size(specials)]; });
  add("alternating extremes", [&](size_t i) {
    return i % 2 ? static_cast<uint64_t>(kI64Min) : kU64Max >> 1;
  });
  return out;
}

std::string RandomString(std::mt19937_64& rng, size_t max_len) {
  std::string s(rng() % (max_len + 1), '\0');
  for (char& c : s) {
    switch (rng() % 4) {
      case 0:
        c = '\0';
        break;
      case 1:
        c = '\xff';
        break;
      default:
        c = static_cast<char>(rng());
    }
  }
  return s;
}

std::vector<Named> StringColumns(size_t n, std::mt19937_64& rng) {
  std::vector<Named> out;
  auto add = [&](std::string name, auto gen) {
    ColumnVector c(ColumnType::kString);
    for (size_t i = 0; i < n; ++i) c.AppendString(gen(i));
    out.push_back({std::move(name), std::move(c)});
  };
  add("constant", [](size_t) { return std::string("advertiser"); });
  add("empty", [](size_t) { return std::string(); });
  std::vector<std::string> dict;
  for (int i = 0; i < 40; ++i) dict.push_back(RandomString(rng, 12));
  dict.push_back("");
  dict.push_back(std::string("\0", 1));
  dict.push_back(std::string("\xff\x00", 2));
  add("dictionary", [&](size_t) { return dict[rng() % dict.size()]; });
  add("random", [&](size_t) { return RandomString(rng, 20); });
  add("long", [&](size_t) { return RandomString(rng, 300); });
  std::string run_value;
  add("runs", [&](size_t) {
    if (rng() % 30 == 0) run_value = RandomString(rng, 8);
    return run_value;
  });
  add("sorted", [&](size_t i) { return "key-" + std::to_string(100000 + i); });
  return out;
}

std::vector<Named> Columns(ColumnType type, size_t n, std::mt19937_64& rng) {
  return type == ColumnType::kString ? StringColumns(n, rng)
                                     : NumericColumns(type, n, rng);
}

void ExpectSameValues(const ColumnVector& want, const ColumnVector& got,
                      size_t offset = 0) {
  ASSERT_EQ(got.size(), want.size() + offset);
  for (size_t i = 0; i < want.size(); ++i) {
    if (want.is_string()) {
      ASSERT_EQ(Hex(got.GetString(offset + i)), Hex(want.GetString(i)))
          << "row " << i;
    } else {
      ASSERT_EQ(got.GetWord(offset + i), want.GetWord(i)) << "row " << i;
    }
  }
}

// Decodes from a heap copy of exactly the body, so that a read past its end
// is caught by AddressSanitizer.
absl::Status DecodeExact(Encoding e, std::string_view body, size_t n,
                         ColumnVector* out) {
  std::unique_ptr<char[]> copy(new char[body.size() + 1]);
  std::memcpy(copy.get(), body.data(), body.size());
  return DecodeColumn(e, std::string_view(copy.get(), body.size()), n, out);
}

// ------------------------------------------------------------ round trips

TEST(ColumnEncodingTest, EveryEncodingRoundTripsEveryTypeAndDistribution) {
  std::mt19937_64 rng(mesa::testing::TestSeed(11));
  for (ColumnType type : kAllTypes) {
    for (size_t n : kSizes) {
      for (Named& c : Columns(type, n, rng)) {
        for (bool aligned : {false, true}) {
          for (Encoding e : kAllEncodings) {
            SCOPED_TRACE(::testing::Message()
                         << ColumnTypeName(type) << " " << c.name << " n=" << n
                         << " " << EncodingName(e) << " aligned=" << aligned);
            std::string body = "prefix";
            absl::Status s = EncodeColumnAs(e, c.column, {aligned}, &body);
            if (!EncodingApplies(e, type)) {
              EXPECT_TRUE(absl::IsInvalidArgument(s)) << s;
              EXPECT_EQ(body, "prefix");
              continue;
            }
            if (e == Encoding::kDelta && !s.ok()) {
              // Only consecutive differences beyond int64 may refuse DELTA.
              EXPECT_TRUE(absl::IsInvalidArgument(s)) << s;
              EXPECT_TRUE(c.name.find("random") != std::string::npos ||
                          c.name.find("specials") != std::string::npos ||
                          c.name.find("extremes") != std::string::npos ||
                          c.name == "skewed" || c.name == "runs")
                  << s;
              continue;
            }
            ASSERT_TRUE(s.ok()) << s;
            ASSERT_EQ(body.substr(0, 6), "prefix");
            std::string_view encoded = std::string_view(body).substr(6);
            ColumnVector out(type);
            ASSERT_TRUE(DecodeExact(e, encoded, n, &out).ok());
            ExpectSameValues(c.column, out);
            // Decoding appends.
            ColumnVector more(type);
            more.AppendFrom(c.column, n - 1);
            ASSERT_TRUE(DecodeColumn(e, encoded, n, &more).ok());
            ExpectSameValues(c.column, more, 1);
          }
        }
      }
    }
  }
}

TEST(ColumnEncodingTest, AutoChoiceIsTheSmallestAndMatchesForcedBytes) {
  std::mt19937_64 rng(mesa::testing::TestSeed(12));
  // Ties go to the encoding that decodes fastest.
  const Encoding preference[] = {Encoding::kPlain, Encoding::kFor,
                                 Encoding::kDelta, Encoding::kRle,
                                 Encoding::kDict};
  for (ColumnType type : kAllTypes) {
    for (size_t n : kSizes) {
      for (Named& c : Columns(type, n, rng)) {
        for (bool aligned : {false, true}) {
          SCOPED_TRACE(::testing::Message()
                       << ColumnTypeName(type) << " " << c.name << " n=" << n
                       << " aligned=" << aligned);
          Encoding best = Encoding::kPlain;
          std::string best_body;
          size_t best_size = SIZE_MAX;
          for (Encoding e : preference) {
            std::string body;
            if (!EncodeColumnAs(e, c.column, {aligned}, &body).ok()) continue;
            if (body.size() < best_size) {
              best = e;
              best_size = body.size();
              best_body = body;
            }
          }
          std::string body;
          Encoding chosen = EncodeColumn(c.column, {aligned}, &body);
          EXPECT_EQ(EncodingName(chosen), EncodingName(best));
          EXPECT_EQ(body.size(), best_size);
          EXPECT_EQ(Hex(body), Hex(best_body));
          ColumnVector out(type);
          ASSERT_TRUE(DecodeExact(chosen, body, n, &out).ok());
          ExpectSameValues(c.column, out);
        }
      }
    }
  }
}

// With entropy coding, the choice is the smallest of every encoding it
// sizes: HDELTA when at most a quarter of the values descend, HRLE when
// there are at most n/2 runs.
TEST(ColumnEncodingTest, AutoChoiceWithEntropyCodingIsTheSmallest) {
  std::mt19937_64 rng(mesa::testing::TestSeed(17));
  for (ColumnType type : kAllTypes) {
    for (size_t n : kSizes) {
      for (Named& c : Columns(type, n, rng)) {
        for (bool aligned : {false, true}) {
          SCOPED_TRACE(::testing::Message()
                       << ColumnTypeName(type) << " " << c.name << " n=" << n
                       << " aligned=" << aligned);
          EncodeOptions options{aligned, true};
          size_t runs = 1, descents = 0;
          if (!c.column.is_string()) {
            const uint64_t bias = type == ColumnType::kUint64 ? 0 : 1ull << 63;
            for (size_t i = 1; i < n; ++i) {
              const uint64_t a = c.column.GetWord(i - 1) ^ bias;
              const uint64_t b = c.column.GetWord(i) ^ bias;
              runs += a != b;
              descents += b < a;
            }
          }
          size_t best_size = SIZE_MAX, dict_size = SIZE_MAX;
          for (Encoding e : kAllEncodings) {
            if (e == Encoding::kHuffDelta && descents > n / 4) continue;
            if (e == Encoding::kHuffRle && runs > n / 2) continue;
            std::string body;
            if (!EncodeColumnAs(e, c.column, options, &body).ok()) continue;
            if (e == Encoding::kHuffDict) {
              dict_size = body.size();
            } else {
              best_size = std::min(best_size, body.size());
            }
          }
          std::string body;
          const Encoding chosen = EncodeColumn(c.column, options, &body);
          // HDICT, whose dictionary bytes may be coded, is sized only when
          // the dictionary's raw bytes do not already reach the best size.
          size_t raw_dictionary = 0, distinct_count = 0;
          {
            std::set<std::string> distinct;
            for (size_t i = 0; i < n; ++i) {
              distinct.insert(c.column.is_string()
                                  ? std::string(c.column.GetString(i))
                                  : std::to_string(c.column.GetWord(i)));
            }
            distinct_count = distinct.size();
            for (const std::string& v : distinct) {
              raw_dictionary += c.column.is_string()
                                    ? v.size() + (v.size() < 128 ? 1 : 2)
                                    : (type == ColumnType::kInt32 ? 4 : 8);
            }
          }
          // As the encoder counts it: the value count's varint too.
          raw_dictionary += distinct_count < 128 ? 1 : distinct_count < 16384 ? 2 : 3;
          if (dict_size < best_size &&
              (chosen == Encoding::kHuffDict || raw_dictionary < best_size)) {
            best_size = dict_size;
          }
          EXPECT_EQ(body.size(), best_size) << EncodingName(chosen);
          std::string forced;
          ASSERT_TRUE(EncodeColumnAs(chosen, c.column, options, &forced).ok());
          EXPECT_EQ(Hex(body), Hex(forced));
          ColumnVector out(type);
          ASSERT_TRUE(DecodeExact(chosen, body, n, &out).ok());
          ExpectSameValues(c.column, out);
          // The runner-up is a classic encoding, smaller than 1.5 times
          // the winner, or none.
          std::string again, runner_up;
          Encoding runner_up_encoding;
          EXPECT_EQ(EncodeColumn(c.column, options, &again, &runner_up,
                                 &runner_up_encoding),
                    chosen);
          EXPECT_EQ(again, body);
          if (!runner_up.empty()) {
            EXPECT_TRUE(IsEntropyCoded(chosen));
            EXPECT_FALSE(IsEntropyCoded(runner_up_encoding));
            EXPECT_LT(runner_up.size(), body.size() + body.size() / 2);
            ColumnVector back(type);
            ASSERT_TRUE(
                DecodeExact(runner_up_encoding, runner_up, n, &back).ok());
            ExpectSameValues(c.column, back);
          } else {
            EXPECT_EQ(runner_up_encoding, chosen);
          }
        }
      }
    }
  }
}

TEST(ColumnEncodingTest, EntropyCodedChoiceOnTypicalColumns) {
  std::mt19937_64 rng(mesa::testing::TestSeed(18));
  const size_t n = 1300;
  std::vector<uint64_t> skewed, resets, runs;
  uint64_t key = 0, run_value = 20000;
  for (size_t i = 0; i < n; ++i) {
    // A value column: mostly small, a few large, a few negative.
    int64_t v = static_cast<int64_t>(rng() % 8);
    if (rng() % 10 == 0) v = static_cast<int64_t>(rng() % 100000);
    if (rng() % 50 == 0) v = -v;
    skewed.push_back(static_cast<uint64_t>(v));
    // A secondary key column: sorted runs of about 16 values.
    key = i % 16 == 0 ? rng() % 50 : key + rng() % 20;
    resets.push_back(500000 + key);
    // A date column: long runs of consecutive values.
    if (rng() % 20 == 0) ++run_value;
    runs.push_back(run_value);
  }
  std::vector<std::string> strings;
  for (size_t i = 0; i < n; ++i) {
    strings.push_back("country-" + std::to_string(rng() % 40 * (rng() % 3)));
  }
  const EncodeOptions options{true, true};
  std::string body;
  EXPECT_EQ(
      EncodeColumn(WordColumn(ColumnType::kInt64, skewed), options, &body),
      Encoding::kHuffFor);
  EXPECT_EQ(
      EncodeColumn(WordColumn(ColumnType::kInt64, resets), options, &body),
      Encoding::kHuffDelta);
  EXPECT_EQ(EncodeColumn(WordColumn(ColumnType::kInt32, runs), options, &body),
            Encoding::kHuffRle);
  EXPECT_EQ(EncodeColumn(StringColumn(strings), options, &body),
            Encoding::kHuffDict);
  // Without entropy coding, never an entropy-coded encoding.
  for (const auto& words : {skewed, resets, runs}) {
    EXPECT_FALSE(IsEntropyCoded(
        EncodeColumn(WordColumn(ColumnType::kInt64, words), {true}, &body)));
  }
}

TEST(ColumnEncodingTest, AutoChoiceOnTypicalColumns) {
  std::mt19937_64 rng(mesa::testing::TestSeed(13));
  const size_t n = 1300;
  std::vector<uint64_t> sorted, constant, small, random, few;
  uint64_t key = 1000000;
  for (size_t i = 0; i < n; ++i) {
    sorted.push_back(key += 1 + rng() % 4);
    constant.push_back(7);
    small.push_back(rng() % 1000);
    random.push_back(rng());
    few.push_back(std::bit_cast<uint64_t>(0.25 * (rng() % 10)));
  }
  std::vector<std::string> strings;
  std::vector<std::string> names;
  for (int i = 0; i < 40; ++i) names.push_back("campaign-" + std::to_string(i));
  for (size_t i = 0; i < n; ++i) strings.push_back(names[rng() % 40]);

  for (bool aligned : {false, true}) {
    std::string body;
    EXPECT_EQ(
        EncodeColumn(WordColumn(ColumnType::kInt64, sorted), {aligned}, &body),
        Encoding::kDelta);
    EXPECT_EQ(EncodeColumn(WordColumn(ColumnType::kInt32, constant), {aligned},
                           &body),
              Encoding::kRle);
    // A constant string: RLE and DICT both take 4 bytes; RLE wins the tie.
    body.clear();
    EXPECT_EQ(EncodeColumn(StringColumn(std::vector<std::string>(100, "x")),
                           {aligned}, &body),
              Encoding::kRle);
    EXPECT_EQ(body.size(), 4u);
    EXPECT_EQ(
        EncodeColumn(WordColumn(ColumnType::kUint64, small), {aligned}, &body),
        Encoding::kFor);
    EXPECT_EQ(
        EncodeColumn(WordColumn(ColumnType::kInt64, random), {aligned}, &body),
        Encoding::kPlain);
    EXPECT_EQ(
        EncodeColumn(WordColumn(ColumnType::kDouble, few), {aligned}, &body),
        Encoding::kDict);
    EXPECT_EQ(EncodeColumn(StringColumn(strings), {aligned}, &body),
              Encoding::kDict);
  }
}

TEST(ColumnEncodingTest, ByteAlignedWidthsRoundUp) {
  std::vector<uint64_t> values;
  for (uint64_t i = 0; i < 100; ++i) values.push_back(1000 + i % 10);
  ColumnVector c = WordColumn(ColumnType::kInt64, values);
  std::string exact, aligned;
  ASSERT_TRUE(EncodeColumnAs(Encoding::kFor, c, {false}, &exact).ok());
  ASSERT_TRUE(EncodeColumnAs(Encoding::kFor, c, {true}, &aligned).ok());
  EXPECT_EQ(exact[8], 4);  // range 9 takes 4 bits
  EXPECT_EQ(aligned[8], 8);
  EXPECT_EQ(exact.size(), 9u + 50u);
  EXPECT_EQ(aligned.size(), 9u + 100u);
}

// FOR and DELTA at every width 0..64, DICT at every width its size allows.
TEST(ColumnEncodingTest, EveryBitWidthRoundTrips) {
  for (int width = 0; width <= 64; ++width) {
    const uint64_t range = width == 64 ? kU64Max : (uint64_t{1} << width) - 1;
    for (bool aligned : {false, true}) {
      SCOPED_TRACE(::testing::Message()
                   << "width " << width << " aligned " << aligned);
      const int want = aligned ? (width + 7) / 8 * 8 : width;
      // FOR: values spanning exactly `range` above a base.
      const uint64_t base = width == 64 ? 0 : 12345;
      std::vector<uint64_t> values = {base + range, base, base + range / 2,
                                      base + (range > 0 ? 1 : 0), base};
      ColumnVector c = WordColumn(ColumnType::kUint64, values);
      std::string body;
      ASSERT_TRUE(EncodeColumnAs(Encoding::kFor, c, {aligned}, &body).ok());
      EXPECT_EQ(static_cast<int>(static_cast<uint8_t>(body[8])), want);
      ColumnVector out(ColumnType::kUint64);
      ASSERT_TRUE(DecodeExact(Encoding::kFor, body, values.size(), &out).ok());
      ExpectSameValues(c, out);

      // DELTA: consecutive differences spanning exactly `range`.
      std::vector<uint64_t> seq;
      if (width == 64) {
        seq = {uint64_t{1} << 63, 0, (uint64_t{1} << 63) - 1};
      } else {
        seq = {5, 5, 5 + range, 5 + range};
      }
      c = WordColumn(ColumnType::kUint64, seq);
      body.clear();
      ASSERT_TRUE(EncodeColumnAs(Encoding::kDelta, c, {aligned}, &body).ok());
      EXPECT_EQ(static_cast<int>(static_cast<uint8_t>(body[16])), want);
      out.Clear();
      ASSERT_TRUE(DecodeExact(Encoding::kDelta, body, seq.size(), &out).ok());
      ExpectSameValues(c, out);
    }
  }
  // DICT widths 0..11 (dictionaries of 1 .. 2048 values).
  for (int width = 0; width <= 11; ++width) {
    const size_t d = size_t{1} << width;
    std::vector<uint64_t> values;
    for (size_t i = 0; i < d; ++i) values.push_back(i * 7919);
    for (size_t i = 0; i < d; ++i) values.push_back(i * 7919);
    ColumnVector c = WordColumn(ColumnType::kInt64, values);
    std::string body;
    ASSERT_TRUE(EncodeColumnAs(Encoding::kDict, c, {}, &body).ok());
    ColumnVector out(ColumnType::kInt64);
    ASSERT_TRUE(DecodeExact(Encoding::kDict, body, values.size(), &out).ok());
    ExpectSameValues(c, out);
  }
}

// ------------------------------------------------------------ exact bytes

struct Golden {
  Encoding encoding;
  ColumnVector column;
  std::string body;
};

std::vector<Golden> Goldens() {
  std::vector<Golden> g;
  g.push_back({Encoding::kPlain,
               WordColumn(ColumnType::kInt32, {1, static_cast<uint64_t>(-1)}),
               Bytes({1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff})});
  g.push_back({Encoding::kPlain, WordColumn(ColumnType::kInt64, {0x0102}),
               Bytes({2, 1, 0, 0, 0, 0, 0, 0})});
  g.push_back({Encoding::kPlain, StringColumn({"ab", "", std::string("\0", 1)}),
               Bytes({2, 0, 1, 'a', 'b', 0})});
  g.push_back(
      {Encoding::kRle,
       WordColumn(ColumnType::kInt64, {5, 5, 5, static_cast<uint64_t>(-7)}),
       Bytes({2, 3, 10, 1, 13})});
  g.push_back({Encoding::kRle, WordColumn(ColumnType::kUint64, {300, 300}),
               Bytes({1, 2, 0xac, 0x02})});
  g.push_back({Encoding::kRle,
               WordColumn(ColumnType::kDouble, {std::bit_cast<uint64_t>(1.0)}),
               Bytes({1, 1, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f})});
  g.push_back({Encoding::kRle, StringColumn({"x", "x", "yz"}),
               Bytes({2, 2, 1, 'x', 1, 2, 'y', 'z'})});
  // First-occurrence dictionary; indices 0 1 0 in 1 bit each.
  g.push_back({Encoding::kDict, StringColumn({"b", "a", "b"}),
               Bytes({2, 1, 1, 'b', 'a', 1, 0x02})});
  g.push_back({Encoding::kDict, WordColumn(ColumnType::kInt32, {9, 9}),
               Bytes({1, 9, 0, 0, 0, 0})});
  // base = ordered 10, width 2, values 0 2 1.
  g.push_back({Encoding::kFor, WordColumn(ColumnType::kInt64, {10, 12, 11}),
               Bytes({10, 0, 0, 0, 0, 0, 0, 0x80, 2, 0x18})});
  g.push_back({Encoding::kFor, WordColumn(ColumnType::kUint64, {3, 3}),
               Bytes({3, 0, 0, 0, 0, 0, 0, 0, 0})});
  // first = ordered 100, min_delta 1, width 2, packed 0 1 2.
  g.push_back(
      {Encoding::kDelta, WordColumn(ColumnType::kInt64, {100, 101, 103, 106}),
       Bytes({100, 0, 0, 0, 0, 0, 0, 0x80, 1, 0, 0, 0, 0, 0, 0, 0, 2, 0x24})});
  // HFOR: base 5 (svarint 0a), then coded(3) of a lone symbol 0: flags 08
  // (sub 0, tag 0), lo 0, span 1, the length code `1 0 0` and no bits per
  // value.
  g.push_back({Encoding::kHuffFor, WordColumn(ColumnType::kInt64, {5, 5, 5}),
               Bytes({0x0a, 0x08, 0, 1, 0x01})});
  // HDELTA: base 7 (0e), 1 table; steps 0 0 1 from the base: symbols 0 and
  // 1 of length 1 (flags 08, lo 0, span 2), lengths `100 0`, codes 0 0 1.
  g.push_back(
      {Encoding::kHuffDelta, WordColumn(ColumnType::kInt64, {7, 7, 8}),
       Bytes({0x0e, 1, 0x08, 0, 2, 0x41})});
  // HRLE: 2 runs, base 5 (0a); lengths - 1 = 2, 0 at sub 1 (flags 09, lo 0,
  // span 3, lengths 1 0 1 = `100 101 100`, codes 1 0); steps 0, 4 at sub 2
  // (flags 0a, lo 0, span 5, lengths 1 0 0 0 1 = `100 101 0 0 100`, codes
  // 0 1).
  g.push_back({Encoding::kHuffRle, WordColumn(ColumnType::kInt64, {5, 5, 5, 9}),
               Bytes({2, 0x0a, 0x09, 0, 3, 0x69, 0x02, 0x0a, 0, 5, 0x29,
                      0x11})});
  // HDICT: "b" (twice) before "a"; lengths: a lone 1 (08 01 01 01); raw
  // bytes (mode 0) "ba"; indices 0 1 0 with two codes of length 1.
  g.push_back({Encoding::kHuffDict, StringColumn({"b", "a", "b"}),
               Bytes({2, 0x08, 1, 1, 0x01, 0, 'b', 'a', 0x08, 0, 2, 0x21})});
  // A descending int32: min_delta -2 as an i64.
  g.push_back({Encoding::kDelta,
               WordColumn(ColumnType::kInt32, {0, static_cast<uint64_t>(-2)}),
               Bytes({0, 0, 0, 0, 0, 0, 0, 0x80, 0xfe, 0xff, 0xff, 0xff, 0xff,
                      0xff, 0xff, 0xff, 0})});
  return g;
}

TEST(ColumnEncodingTest, GoldenBytes) {
  for (const Golden& g : Goldens()) {
    SCOPED_TRACE(::testing::Message() << EncodingName(g.encoding) << " "
                                      << ColumnTypeName(g.column.type()));
    std::string body;
    ASSERT_TRUE(EncodeColumnAs(g.encoding, g.column, {}, &body).ok());
    EXPECT_EQ(Hex(body), Hex(g.body));
    ColumnVector out(g.column.type());
    ASSERT_TRUE(DecodeExact(g.encoding, g.body, g.column.size(), &out).ok());
    ExpectSameValues(g.column, out);
  }
}

TEST(ColumnEncodingTest, EmptyColumn) {
  for (ColumnType type : kAllTypes) {
    ColumnVector c(type);
    std::string body;
    EXPECT_EQ(EncodeColumn(c, {}, &body), Encoding::kPlain);
    EXPECT_EQ(body, "");
    for (Encoding e : kAllEncodings) {
      if (!EncodingApplies(e, type)) continue;
      EXPECT_TRUE(EncodeColumnAs(e, c, {}, &body).ok());
      EXPECT_EQ(body, "");
      ColumnVector out(type);
      EXPECT_TRUE(DecodeColumn(e, "", 0, &out).ok());
      EXPECT_TRUE(out.empty());
      EXPECT_TRUE(absl::IsDataLoss(DecodeColumn(e, "\x01", 0, &out)));
    }
  }
}

TEST(ColumnEncodingTest, DeltaRefusesOverflowingDifferences) {
  for (const auto& [type, values] :
       std::vector<std::pair<ColumnType, std::vector<uint64_t>>>{
           {ColumnType::kInt64,
            {static_cast<uint64_t>(kI64Min), static_cast<uint64_t>(kI64Max)}},
           {ColumnType::kInt64,
            {static_cast<uint64_t>(kI64Max), static_cast<uint64_t>(-2)}},
           {ColumnType::kUint64, {kU64Max, 0}}}) {
    ColumnVector c = WordColumn(type, values);
    std::string body;
    absl::Status s = EncodeColumnAs(Encoding::kDelta, c, {}, &body);
    EXPECT_TRUE(absl::IsInvalidArgument(s)) << s;
    EXPECT_EQ(body, "");
    Encoding chosen = EncodeColumn(c, {}, &body);
    EXPECT_NE(chosen, Encoding::kDelta);
    ColumnVector out(type);
    ASSERT_TRUE(DecodeColumn(chosen, body, values.size(), &out).ok());
    ExpectSameValues(c, out);
  }
  // The largest differences that fit still work.
  ColumnVector c = WordColumn(
      ColumnType::kUint64,
      {0, uint64_t{1} << 62, (uint64_t{1} << 63) - 1, 0, kU64Max >> 1});
  std::string body;
  ASSERT_TRUE(EncodeColumnAs(Encoding::kDelta, c, {}, &body).ok());
  ColumnVector out(ColumnType::kUint64);
  ASSERT_TRUE(DecodeColumn(Encoding::kDelta, body, 5, &out).ok());
  ExpectSameValues(c, out);
}

// ------------------------------------------------------------ corruption

void ExpectDataLoss(Encoding e, ColumnType type, const std::string& body,
                    size_t n, std::string_view message) {
  ColumnVector out(type);
  out.AppendFrom(type == ColumnType::kString ? StringColumn({"keep"})
                                             : WordColumn(type, {77}),
                 0);
  absl::Status s = DecodeExact(e, body, n, &out);
  EXPECT_TRUE(absl::IsDataLoss(s)) << s;
  EXPECT_NE(std::string(s.message()).find(message), std::string::npos)
      << "message: " << s.message() << "\nexpected: " << message;
  // The column is left as it was.
  ASSERT_EQ(out.size(), 1u);
  if (type == ColumnType::kString) {
    EXPECT_EQ(out.GetString(0), "keep");
    EXPECT_EQ(out.bytes(), "keep");
  } else {
    EXPECT_EQ(out.GetWord(0), 77u);
  }
}

TEST(ColumnEncodingTest, MalformedBodiesSayWhatIsWrong) {
  const ColumnType i64 = ColumnType::kInt64;
  const ColumnType i32 = ColumnType::kInt32;
  const ColumnType str = ColumnType::kString;
  ExpectDataLoss(Encoding::kPlain, i64, std::string(15, 'x'), 2,
                 "15 bytes for 2 values");
  ExpectDataLoss(Encoding::kPlain, str, Bytes({1, 97, 'a'}), 2,
                 "string 1 of 97 bytes overruns");
  ExpectDataLoss(Encoding::kPlain, str, Bytes({1, 'a', 'b'}), 1,
                 "1 bytes left over");
  ExpectDataLoss(Encoding::kRle, i64, Bytes({2, 3, 10, 2, 13}), 4,
                 "run lengths exceed 4 values at run 1");
  ExpectDataLoss(Encoding::kRle, i64, Bytes({2, 1, 10, 2, 13}), 4,
                 "run lengths sum to 3, expected 4");
  ExpectDataLoss(Encoding::kRle, i64, Bytes({1, 0, 10}), 4,
                 "run 0 has length 0");
  ExpectDataLoss(Encoding::kRle, i64, Bytes({1, 4, 10, 0}), 4,
                 "1 bytes left over");
  ExpectDataLoss(Encoding::kRle, i64, Bytes({9, 4, 10}), 4, "9 runs");
  // The svarint 80 80 80 80 20 is zigzag(2^32).
  ExpectDataLoss(Encoding::kRle, i32,
                 Bytes({1, 1, 0x80, 0x80, 0x80, 0x80, 0x20}), 1,
                 "int32 value 4294967296 out of range at run 0");
  ExpectDataLoss(Encoding::kRle, str, Bytes({1, 2, 5, 'a'}), 2,
                 "truncated at run 0");
  ExpectDataLoss(Encoding::kDict, i64, Bytes({0, 0}), 3,
                 "dict_size 0 not in 1..3");
  ExpectDataLoss(Encoding::kDict, i64, Bytes({4}), 3,
                 "dict_size 4 not in 1..3");
  ExpectDataLoss(
      Encoding::kDict, i64,
      Bytes({2, 1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 2, 0x24}), 3,
      "index 2 >= dictionary size 2 at row 2");
  ExpectDataLoss(Encoding::kDict, str, Bytes({2, 1, 1, 'b', 'a', 2, 0x24}), 3,
                 "index 2 >= dictionary size 2 at row 2");
  ExpectDataLoss(Encoding::kDict, str, Bytes({2, 1, 1, 'b', 'a', 65, 0}), 3,
                 "indices width 65 > 64");
  ExpectDataLoss(Encoding::kDict, str, Bytes({2, 1, 1, 'b', 'a', 1, 2, 0}), 3,
                 "3 indices x 1 bits take 1 bytes, body has 2");
  ExpectDataLoss(Encoding::kDict, str, Bytes({2, 1, 1, 'b', 'a', 1, 0x0a}), 3,
                 "nonzero padding bits");
  ExpectDataLoss(
      Encoding::kFor, i64,
      Bytes({0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0x0c}), 2,
      "base 18446744073709551614 + value 3 overflows at row 1");
  // int32: ordered base of 2^31 - 1 above the ordered zero, plus 1.
  ExpectDataLoss(Encoding::kFor, i32,
                 Bytes({0xff, 0xff, 0xff, 0x7f, 0, 0, 0, 0x80, 1, 0x02}), 2,
                 "int32 value 2147483648 out of range at row 1");
  ExpectDataLoss(
      Encoding::kDelta, i32,
      Bytes({0xfe, 0xff, 0xff, 0x7f, 0, 0, 0, 0x80, 1, 0, 0, 0, 0, 0, 0, 0, 0}),
      3, "int32 value 2147483648 out of range at row 2");
  ExpectDataLoss(Encoding::kDelta, i64, Bytes({1, 2, 3}), 3,
                 "truncated header");
  ExpectDataLoss(Encoding::kHuffFor, i64, "", 1, "truncated base");
  ExpectDataLoss(Encoding::kHuffFor, i64, Bytes({0x0a, 0x08, 0, 1, 0x01, 0}),
                 3, "1 bytes left over");
  ExpectDataLoss(Encoding::kHuffFor, i64, Bytes({0x0a, 0x28}), 3,
                 "HFOR body: values: bad code table flags");
  // HFOR of int32: base 2^31 - 1 (svarint fe ff ff ff 0f), values 0 and 1.
  ExpectDataLoss(Encoding::kHuffFor, i32,
                 Bytes({0xfe, 0xff, 0xff, 0xff, 0x0f, 0x08, 0, 2, 0x21}), 3,
                 "int32 value 2147483648 out of range at row 1");
  ExpectDataLoss(Encoding::kHuffDelta, i64, Bytes({0x0e, 0}), 3,
                 "0 tables, not 1..4");
  ExpectDataLoss(Encoding::kHuffDelta, i64, Bytes({0x0e, 3, 5, 5}), 3,
                 "threshold 1 of 5 not decreasing");
  ExpectDataLoss(Encoding::kHuffDelta, i64, Bytes({0x0e, 1, 0x08, 0, 2}), 3,
                 "values: stream ends inside the code table");
  ExpectDataLoss(Encoding::kHuffDelta, i64, Bytes({0x0e, 1, 0x08, 0, 2, 0x01}),
                 10, "values: 10 values run past the 1 bytes left");
  ExpectDataLoss(Encoding::kHuffRle, i64, Bytes({0, 0}), 3,
                 "run_count 0 not in 1..3");
  // One run of length 1 + 3 = 4 > 3 (a lone symbol 3: flags 08 lo 3 span 1).
  ExpectDataLoss(Encoding::kHuffRle, i64,
                 Bytes({1, 0x0a, 0x08, 3, 1, 0x01, 0x08, 0, 1, 0x01}), 3,
                 "run lengths exceed 3 values at run 0");
  ExpectDataLoss(Encoding::kHuffRle, i64,
                 Bytes({1, 0x0a, 0x10, 1, 1, 0x01, 0x08, 0, 1, 0x01}), 3,
                 "negative length of run 0");
  ExpectDataLoss(Encoding::kHuffRle, i64,
                 Bytes({1, 0x0a, 0x08, 1, 1, 0x01, 0x08, 0, 1, 0x01}), 3,
                 "run lengths sum to 2, expected 3");
  ExpectDataLoss(Encoding::kHuffDict, str,
                 Bytes({2, 0x08, 1, 1, 0x01, 2, 'b', 'a', 0x08, 0, 2, 0x21}),
                 3, "bytes_mode 2");
  // Lengths 100, 100 (a lone symbol 100 at sub 7: flags 0f).
  ExpectDataLoss(Encoding::kHuffDict, str,
                 Bytes({2, 0x0f, 100, 1, 0x01, 0, 'b', 'a'}), 3,
                 "dictionary string 0 of 100 bytes overruns the body");
  // Lengths 2, 2 with raw bytes "ba" only.
  ExpectDataLoss(Encoding::kHuffDict, str,
                 Bytes({2, 0x08, 2, 1, 0x01, 0, 'b', 'a'}), 3,
                 "dictionary of 4 bytes, 2 left");
  // Coded bytes: 2 claimed in 0 bytes left.
  ExpectDataLoss(Encoding::kHuffDict, str,
                 Bytes({2, 0x08, 1, 1, 0x01, 1}), 3,
                 "2 coded dictionary bytes in 0 bytes");
  // Indices 0 and 2 (symbols 0, 2 of length 1: lengths `100 101 100`,
  // codes 0 1) for a dictionary of 2.
  ExpectDataLoss(
      Encoding::kHuffDict, str,
      Bytes({2, 0x08, 1, 1, 0x01, 0, 'b', 'a', 0x08, 0, 3, 0x69, 0x04}), 2,
      "index 2 >= dictionary size 2 at row 1");
  ExpectDataLoss(Encoding::kHuffDict, i64, Bytes({3}), 2,
                 "dict_size 3 not in 1..2");
  ExpectDataLoss(Encoding::kFor, str, "", 1, "not defined for string");
  ExpectDataLoss(Encoding::kDelta, ColumnType::kDouble, "", 1,
                 "not defined for double");
  ExpectDataLoss(static_cast<Encoding>(9), i64, "", 1, "UNKNOWN (9)");
}

// Bodies of every applicable encoding for a few columns of every type.
std::vector<Golden> SweepBodies(std::mt19937_64& rng) {
  std::vector<Golden> out;
  for (ColumnType type : kAllTypes) {
    for (Named& c : Columns(type, 37, rng)) {
      for (Encoding e : kAllEncodings) {
        std::string body;
        if (!EncodeColumnAs(e, c.column, {(rng() & 1) != 0}, &body).ok()) {
          continue;
        }
        out.push_back({e, c.column, body});
      }
    }
  }
  return out;
}

TEST(ColumnEncodingTest, EveryTruncationIsDataLoss) {
  std::mt19937_64 rng(mesa::testing::TestSeed(14));
  for (const Golden& g : SweepBodies(rng)) {
    for (size_t cut = 0; cut < g.body.size(); ++cut) {
      ColumnVector out(g.column.type());
      absl::Status s =
          DecodeExact(g.encoding, g.body.substr(0, cut), g.column.size(), &out);
      ASSERT_TRUE(absl::IsDataLoss(s))
          << EncodingName(g.encoding) << " " << ColumnTypeName(g.column.type())
          << " cut " << cut << " of " << g.body.size() << ": " << s;
      ASSERT_TRUE(out.empty());
    }
    // And a byte too many.
    ColumnVector out(g.column.type());
    EXPECT_TRUE(absl::IsDataLoss(DecodeExact(
        g.encoding, g.body + std::string(1, '\0'), g.column.size(), &out)));
  }
}

TEST(ColumnEncodingTest, ByteFlipsNeverCrash) {
  std::mt19937_64 rng(mesa::testing::TestSeed(15));
  size_t detected = 0, total = 0;
  for (const Golden& g : SweepBodies(rng)) {
    for (size_t pos = 0; pos < g.body.size(); ++pos) {
      for (int mask : {0x01, 0x80, 0xff, static_cast<int>(rng() % 255 + 1)}) {
        std::string body = g.body;
        body[pos] = static_cast<char>(body[pos] ^ mask);
        ColumnVector out(g.column.type());
        absl::Status s = DecodeExact(g.encoding, body, g.column.size(), &out);
        ++total;
        if (s.ok()) {
          ASSERT_EQ(out.size(), g.column.size());
        } else {
          ASSERT_TRUE(absl::IsDataLoss(s)) << s;
          ASSERT_TRUE(out.empty());
          ++detected;
        }
      }
    }
  }
  // Flips in raw values decode to other values; structure flips are caught.
  EXPECT_GT(detected, total / 10);
}

TEST(ColumnEncodingTest, RandomBodiesNeverCrash) {
  std::mt19937_64 rng(mesa::testing::TestSeed(16));
  for (int iter = 0; iter < 20000; ++iter) {
    const ColumnType type = kAllTypes[rng() % std::size(kAllTypes)];
    const Encoding e = kAllEncodings[rng() % std::size(kAllEncodings)];
    std::string body(rng() % 40, '\0');
    for (char& ch : body) ch = static_cast<char>(rng() % 4 ? rng() : 0);
    const size_t n = rng() % 20;
    ColumnVector out(type);
    absl::Status s = DecodeExact(e, body, n, &out);
    if (s.ok()) {
      ASSERT_EQ(out.size(), n);
    } else {
      ASSERT_TRUE(absl::IsDataLoss(s)) << s;
    }
  }
}

}  // namespace
}  // namespace mesa::internal
