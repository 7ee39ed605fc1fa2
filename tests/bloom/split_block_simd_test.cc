// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.

#include "src/bloom/split_block_simd.h"

#include <cstring>
#include <vector>

#include "gtest/gtest.h"
#include "src/bloom/split_block.h"
#include "tests/bloom/fake_read_history.h"
#include "tests/testing/test_util.h"

namespace mesa::internal {
namespace {

using ::mesa::testing::SplitMix64;

// The 64-byte layout spelled out on plain u64 words, as docs/format.md says.
void ModelBlock64Insert(uint64_t* words, uint64_t hash) {
  const uint32_t h = static_cast<uint32_t>(hash);
  for (int i = 0; i < 8; ++i) {
    words[i] |= uint64_t{1} << ((h * kSplitBlockSalt[i]) >> 26);
  }
}
bool ModelBlock64Test(const uint64_t* words, uint64_t hash) {
  const uint32_t h = static_cast<uint32_t>(hash);
  for (int i = 0; i < 8; ++i) {
    if (((words[i] >> ((h * kSplitBlockSalt[i]) >> 26)) & 1) == 0) return false;
  }
  return true;
}

#if MESA_BLOOM_HAVE_AVX2
// Out-of-line AVX2 callers: the kernels inline only into AVX2 functions.
__attribute__((target("avx2"), noinline)) bool Test32Avx2(const BloomWord* b,
                                                          uint64_t h) {
  return Block32TestAvx2(b, h);
}
__attribute__((target("avx2"), noinline)) bool Test64Avx2(const BloomWord* b,
                                                          uint64_t h) {
  return Block64TestAvx2(b, h);
}
#endif

struct alignas(64) Block {
  BloomWord words[16];
  Block() {
    for (auto& w : words) w.store(0, std::memory_order_relaxed);
  }
  std::vector<uint32_t> Plain() const {
    std::vector<uint32_t> out(16);
    for (int i = 0; i < 16; ++i) out[i] = words[i].load();
    return out;
  }
};

TEST(SplitBlockSimdTest, Block32MatchesSplitBlockKernelBitForBit) {
  SplitMix64 rng(mesa::testing::TestSeed(1));
  for (int round = 0; round < 200; ++round) {
    Block atomic_block;
    uint32_t plain[8] = {};
    const int keys = static_cast<int>(rng.Below(40));
    for (int k = 0; k < keys; ++k) {
      const uint64_t h = rng.Next();
      SplitBlockInsert(plain, h);
      AtomicBlock32Insert(atomic_block.words, h);
    }
    const std::vector<uint32_t> got = atomic_block.Plain();
    for (int i = 0; i < 8; ++i) ASSERT_EQ(got[i], plain[i]) << "word " << i;
    for (int i = 8; i < 16; ++i) ASSERT_EQ(got[i], 0u) << "past the block";
    for (int probe = 0; probe < 100; ++probe) {
      const uint64_t h = rng.Next();
      const bool want = SplitBlockTest(plain, h);
      ASSERT_EQ(AtomicBlock32Test(atomic_block.words, h), want);
#if MESA_BLOOM_HAVE_AVX2
      if (CpuHasAvx2()) {
        ASSERT_EQ(Test32Avx2(atomic_block.words, h), want);
      }
#endif
    }
  }
}

TEST(SplitBlockSimdTest, Block64MatchesItsSpecification) {
  SplitMix64 rng(mesa::testing::TestSeed(2));
  for (int round = 0; round < 200; ++round) {
    Block atomic_block;
    uint64_t model[8] = {};
    const int keys = static_cast<int>(rng.Below(60));
    for (int k = 0; k < keys; ++k) {
      const uint64_t h = rng.Next();
      ModelBlock64Insert(model, h);
      AtomicBlock64Insert(atomic_block.words, h);
    }
    const std::vector<uint32_t> got = atomic_block.Plain();
    ASSERT_EQ(std::memcmp(got.data(), model, 64), 0);  // little-endian u64s
    for (int probe = 0; probe < 100; ++probe) {
      const uint64_t h = rng.Next();
      const bool want = ModelBlock64Test(model, h);
      ASSERT_EQ(AtomicBlock64Test(atomic_block.words, h), want);
#if MESA_BLOOM_HAVE_AVX2
      if (CpuHasAvx2()) {
        ASSERT_EQ(Test64Avx2(atomic_block.words, h), want);
      }
#endif
    }
  }
}

TEST(SplitBlockSimdTest, InsertReportsWhetherABitWasNew) {
  for (int bytes : {32, 64}) {
    Block block;
    EXPECT_TRUE(AtomicBlockInsert(bytes, block.words, 12345));
    EXPECT_FALSE(AtomicBlockInsert(bytes, block.words, 12345));
    EXPECT_TRUE(AtomicBlockTest(bytes, block.words, 12345));
  }
}

}  // namespace
}  // namespace mesa::internal
