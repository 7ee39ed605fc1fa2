// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.

#include "src/format/bit_packing.h"

#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/testing/test_util.h"

namespace mesa::internal {
namespace {

// The spec's definition, one bit at a time: value i occupies bits
// [i*width, (i+1)*width) of a little-endian, LSB-first bit stream.
std::string ReferencePack(const std::vector<uint64_t>& values, int width) {
  std::string out((values.size() * width + 7) / 8, '\0');
  for (size_t i = 0; i < values.size(); ++i) {
    for (int b = 0; b < width; ++b) {
      if ((values[i] >> b) & 1) {
        const size_t bit = i * width + b;
        out[bit / 8] = static_cast<char>(out[bit / 8] | (1 << (bit % 8)));
      }
    }
  }
  return out;
}

uint64_t Mask(int width) {
  return width == 64 ? ~uint64_t{0} : (uint64_t{1} << width) - 1;
}

// Unpacks from a heap copy of exactly the packed bytes, so that a read one
// byte past the end is caught by AddressSanitizer.
bool UnpackExact(const std::string& packed, size_t count, int width,
                 std::vector<uint64_t>* out) {
  std::unique_ptr<char[]> copy(new char[packed.size() + 1]);
  std::memcpy(copy.get(), packed.data(), packed.size());
  out->assign(count, 0xdeadbeef);
  return UnpackBits(std::string_view(copy.get(), packed.size()), count, width,
                    out->data());
}

TEST(BitPackingTest, BitWidth) {
  EXPECT_EQ(BitWidth(0), 0);
  EXPECT_EQ(BitWidth(1), 1);
  EXPECT_EQ(BitWidth(2), 2);
  EXPECT_EQ(BitWidth(3), 2);
  EXPECT_EQ(BitWidth(255), 8);
  EXPECT_EQ(BitWidth(256), 9);
  EXPECT_EQ(BitWidth(uint64_t{1} << 63), 64);
  EXPECT_EQ(BitWidth(~uint64_t{0}), 64);
  EXPECT_EQ(PackedBytes(0, 64), 0u);
  EXPECT_EQ(PackedBytes(3, 3), 2u);
  EXPECT_EQ(PackedBytes(1300, 0), 0u);
  EXPECT_EQ(PackedBytes(1300, 13), 2113u);
}

TEST(BitPackingTest, KnownBytes) {
  std::string out = "x";  // PackBits appends
  const uint64_t values[] = {1, 2, 3};
  PackBits(values, 3, 3, &out);
  EXPECT_EQ(out, std::string("x\xd1\x00", 3));

  out.clear();
  const uint64_t wide[] = {0x0102, 0x0304};
  PackBits(wide, 2, 16, &out);
  EXPECT_EQ(out, std::string("\x02\x01\x04\x03", 4));

  out.clear();
  const uint64_t nibbles[] = {0xa, 0xb, 0xc};
  PackBits(nibbles, 3, 4, &out);
  EXPECT_EQ(out, std::string("\xba\x0c", 2));
}

TEST(BitPackingTest, HighBitsAreIgnored) {
  const uint64_t values[] = {~uint64_t{0}, 0};
  std::string out;
  PackBits(values, 2, 3, &out);
  EXPECT_EQ(out, std::string("\x07", 1));
}

TEST(BitPackingTest, EveryWidthMatchesReferenceAndRoundTrips) {
  std::mt19937_64 rng(mesa::testing::TestSeed(1));
  const size_t counts[] = {0, 1, 2, 7, 8, 9, 15, 16, 17, 63, 64, 65, 100, 1300};
  for (int width = 0; width <= 64; ++width) {
    for (size_t count : counts) {
      SCOPED_TRACE(::testing::Message()
                   << "width " << width << " count " << count);
      std::vector<uint64_t> values(count);
      for (size_t i = 0; i < count; ++i) {
        // Mix all-ones values in: they exercise every bit of every word.
        values[i] = (i % 5 == 0 ? ~uint64_t{0} : rng()) & Mask(width);
      }
      std::string packed;
      PackBits(values.data(), count, width, &packed);
      ASSERT_EQ(packed.size(), PackedBytes(count, width));
      ASSERT_EQ(packed, ReferencePack(values, width));
      std::vector<uint64_t> got;
      ASSERT_TRUE(UnpackExact(packed, count, width, &got));
      ASSERT_EQ(got, values);
    }
  }
}

TEST(BitPackingTest, UnpackIgnoresTrailingBytes) {
  const uint64_t values[] = {5, 6, 7, 1, 2};
  std::string packed;
  PackBits(values, 5, 3, &packed);
  packed.append(20, '\xff');
  std::vector<uint64_t> got(5);
  ASSERT_TRUE(UnpackBits(packed, 5, 3, got.data()));
  EXPECT_EQ(got, std::vector<uint64_t>(values, values + 5));
}

TEST(BitPackingTest, UnpackRejectsShortInputAndBadWidth) {
  std::mt19937_64 rng(mesa::testing::TestSeed(2));
  for (int width : {1, 3, 8, 13, 16, 32, 57, 63, 64}) {
    std::vector<uint64_t> values(37);
    for (uint64_t& v : values) v = rng() & Mask(width);
    std::string packed;
    PackBits(values.data(), values.size(), width, &packed);
    for (size_t cut = 0; cut < packed.size(); ++cut) {
      std::vector<uint64_t> got;
      EXPECT_FALSE(
          UnpackExact(packed.substr(0, cut), values.size(), width, &got))
          << "width " << width << " cut " << cut;
    }
  }
  uint64_t out[1];
  EXPECT_FALSE(UnpackBits(std::string(16, '\0'), 1, 65, out));
  EXPECT_FALSE(UnpackBits(std::string(16, '\0'), 1, -1, out));
  EXPECT_FALSE(UnpackBits("", SIZE_MAX / 2, 8, out));
  EXPECT_TRUE(UnpackBits("", 0, 64, out));
  EXPECT_TRUE(UnpackBits("", 1000, 0, std::vector<uint64_t>(1000).data()));
}

}  // namespace
}  // namespace mesa::internal
