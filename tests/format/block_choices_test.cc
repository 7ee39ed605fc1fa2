// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// The writer's reuse of each column's encoding from block to block
// (data_block.h, BlockChoices): every block decodes to its rows whatever
// the columns do (random, constant, sorted, few distinct values, and
// columns that switch from one to another mid-file), and reuse costs
// little space against trying every encoding in every block, also when
// the data changes under it.

#include <random>

#include "fmt/format.h"
#include "gtest/gtest.h"
#include "src/format/data_block.h"
#include "tests/testing/random_rows.h"
#include "tests/testing/test_util.h"

namespace mesa::internal {
namespace {

constexpr size_t kRowsPerBlock = 1000;

// Block b of a file of `blocks`: column c's distribution may switch at
// the middle (phase 1), so a reused choice meets data it was not made for.
RowBatch Block(std::mt19937_64& rng, const std::vector<ColumnType>& types,
               size_t b, size_t blocks, const std::vector<int>& plan) {
  RowBatch rows(types);
  const bool second_half = b >= blocks / 2;
  for (size_t c = 0; c < types.size(); ++c) {
    const int d = second_half ? plan[c] / 4 : plan[c] % 4;
    for (size_t r = 0; r < kRowsPerBlock; ++r) {
      testing::AppendRandomValue(rng, testing::kAllDistributions[d],
                                 b * kRowsPerBlock + r, &rows.column(c));
    }
  }
  return rows;
}

void ExpectDecodes(const std::string& stored, const RowBatch& want) {
  auto parsed = ParseBlock(stored, want.num_rows(), want.num_columns());
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  std::string scratch;
  for (size_t c = 0; c < want.num_columns(); ++c) {
    ColumnVector got(want.column(c).type());
    ASSERT_TRUE(DecodeChunk(parsed->chunks[c], want.num_rows(), &scratch, &got)
                    .ok());
    ASSERT_EQ(got.size(), want.num_rows());
    for (size_t r = 0; r < want.num_rows(); ++r) {
      ASSERT_EQ(CompareValues(got, r, want.column(c), r), 0)
          << "column " << c << " row " << r;
      if (!got.is_string()) {
        ASSERT_EQ(got.GetWord(r), want.column(c).GetWord(r));
      }
    }
  }
}

TEST(BlockChoicesTest, ReusedChoicesRoundTripAndStaySmall) {
  const uint64_t seed = testing::TestSeed(93);
  std::mt19937_64 rng(seed);
  const std::vector<ColumnType> all_types = {
      ColumnType::kInt32, ColumnType::kInt64, ColumnType::kUint64,
      ColumnType::kDouble, ColumnType::kString};
  for (Codec codec : {Codec::kZstd, Codec::kSnappy, Codec::kNone}) {
    for (int iter = 0; iter < 6; ++iter) {
      SCOPED_TRACE(fmt::format("seed {} codec {} iter {}", seed,
                               static_cast<int>(codec), iter));
      std::vector<ColumnType> types;
      std::vector<int> plan;  // first half's distribution + 4 x second's
      for (int c = 0; c < 6; ++c) {
        types.push_back(all_types[rng() % all_types.size()]);
        plan.push_back(static_cast<int>(rng() % 16));
      }
      const size_t blocks = 40;
      BlockChoices choices;
      size_t reused_size = 0, trial_size = 0;
      for (size_t b = 0; b < blocks; ++b) {
        const RowBatch rows = Block(rng, types, b, blocks, plan);
        std::string with, without;
        EncodeBlock(rows, codec, 1, &with, &choices);
        EncodeBlock(rows, codec, 1, &without);
        ExpectDecodes(with, rows);
        reused_size += with.size();
        trial_size += without.size();
      }
      EXPECT_EQ(choices.blocks, blocks);
      // Random data varies from block to block: reuse stays within 1/16
      // per chunk, and a switch of distribution is seen by the sketch
      // (2.6 % over at worst on these seeds).
      EXPECT_LE(reused_size, trial_size + trial_size / 20)
          << reused_size << " vs " << trial_size;
    }
  }
}

// A column that is constant for a while and then random, and one that is
// random and then constant: the reused choice (RLE, HFOR) does not fit the
// new data, so the writer tries again instead of keeping it.
TEST(BlockChoicesTest, AdaptsWhenTheDataChanges) {
  std::mt19937_64 rng(testing::TestSeed(94));
  const std::vector<ColumnType> types = {ColumnType::kInt64,
                                         ColumnType::kInt64};
  BlockChoices choices;
  size_t reused_size = 0, trial_size = 0;
  for (size_t b = 0; b < 24; ++b) {
    RowBatch rows(types);
    for (size_t r = 0; r < kRowsPerBlock; ++r) {
      const int64_t random = static_cast<int64_t>(rng());
      rows.column(0).AppendInt64(b < 12 ? 7 : random);
      rows.column(1).AppendInt64(b < 12 ? random : 7);
    }
    std::string with, without;
    EncodeBlock(rows, Codec::kZstd, 1, &with, &choices);
    EncodeBlock(rows, Codec::kZstd, 1, &without);
    ExpectDecodes(with, rows);
    reused_size += with.size();
    trial_size += without.size();
  }
  EXPECT_LE(reused_size, trial_size + trial_size / 50);
}

// The sketch tells each distribution from the others, and two chunks of one
// distribution alike. (Sorted doubles from rows 5000-6999 stay within one
// binary exponent: a chunk that crosses one has a jump in its bit patterns
// and is not alike, which only costs a trial.)
TEST(BlockChoicesTest, SketchesTellDistributionsApart) {
  std::mt19937_64 rng(testing::TestSeed(95));
  for (ColumnType type : {ColumnType::kInt32, ColumnType::kInt64,
                          ColumnType::kUint64, ColumnType::kDouble,
                          ColumnType::kString}) {
    std::vector<ColumnSketch> sketches[2];
    for (int copy = 0; copy < 2; ++copy) {
      for (testing::Distribution d : testing::kAllDistributions) {
        ColumnVector col(type);
        for (size_t r = 0; r < kRowsPerBlock; ++r) {
          testing::AppendRandomValue(rng, d, (copy + 5) * kRowsPerBlock + r,
                                     &col);
        }
        sketches[copy].push_back(SketchColumn(col));
      }
    }
    for (size_t a = 0; a < 4; ++a) {
      for (size_t b = 0; b < 4; ++b) {
        EXPECT_EQ(SketchesAlike(sketches[0][a], sketches[1][b]), a == b)
            << "type " << ColumnTypeName(type) << " distributions " << a
            << ", " << b;
      }
    }
  }
  EXPECT_FALSE(SketchesAlike(ColumnSketch(), ColumnSketch()));
}

}  // namespace
}  // namespace mesa::internal
