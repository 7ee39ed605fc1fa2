// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.

#include "src/util/coding.h"

#include <limits>
#include <random>

#include "gtest/gtest.h"

namespace mesa::internal {
namespace {

TEST(CodingTest, VarintRoundTripsEdgeValues) {
  const uint64_t values[] = {0, 1, 127, 128, 16383, 16384, (1ull << 32) - 1,
                             1ull << 63, std::numeric_limits<uint64_t>::max()};
  std::string buf;
  for (uint64_t v : values) PutVarint64(&buf, v);
  Decoder d(buf);
  for (uint64_t v : values) {
    uint64_t got;
    ASSERT_TRUE(d.GetVarint64(&got));
    EXPECT_EQ(got, v);
  }
  EXPECT_TRUE(d.empty());
}

TEST(CodingTest, VarintRejectsTruncationAndOverflow) {
  std::string buf;
  PutVarint64(&buf, std::numeric_limits<uint64_t>::max());
  for (size_t cut = 0; cut < buf.size(); ++cut) {
    Decoder d(std::string_view(buf).substr(0, cut));
    uint64_t v;
    EXPECT_FALSE(d.GetVarint64(&v)) << "cut at " << cut;
  }
  std::string overflow(9, '\xff');
  overflow.push_back('\x02');  // 10th byte may only be 0 or 1
  Decoder d(overflow);
  uint64_t v;
  EXPECT_FALSE(d.GetVarint64(&v));
}

TEST(CodingTest, ZigZagRoundTrips) {
  std::mt19937_64 rng(1);
  for (int i = 0; i < 10000; ++i) {
    int64_t v = static_cast<int64_t>(rng());
    EXPECT_EQ(ZigZagDecode(ZigZagEncode(v)), v);
  }
  EXPECT_EQ(ZigZagEncode(-1), 1u);
  EXPECT_EQ(ZigZagEncode(1), 2u);
  EXPECT_EQ(ZigZagDecode(ZigZagEncode(std::numeric_limits<int64_t>::min())),
            std::numeric_limits<int64_t>::min());
}

TEST(CodingTest, FixedAndLengthPrefixed) {
  std::string buf;
  PutFixed32(&buf, 0xdeadbeef);
  PutFixed64(&buf, 0x0123456789abcdefull);
  PutLengthPrefixed(&buf, std::string("a\0b", 3));
  Decoder d(buf);
  uint32_t a;
  uint64_t b;
  std::string_view s;
  ASSERT_TRUE(d.GetFixed32(&a));
  ASSERT_TRUE(d.GetFixed64(&b));
  ASSERT_TRUE(d.GetLengthPrefixed(&s));
  EXPECT_EQ(a, 0xdeadbeefu);
  EXPECT_EQ(b, 0x0123456789abcdefull);
  EXPECT_EQ(s, std::string_view("a\0b", 3));
  EXPECT_FALSE(d.GetFixed8(nullptr));
}

}  // namespace
}  // namespace mesa::internal
