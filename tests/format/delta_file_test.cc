// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// Round trips of whole delta files over random schemas, distributions,
// block sizes and codecs, and the reader's seek, get, projection and
// zone-map skipping checked against the rows written.

#include <random>

#include "fmt/format.h"
#include "gtest/gtest.h"
#include "mesa/file_system.h"
#include "src/format/delta_reader.h"
#include "src/format/delta_writer.h"
#include "src/format/key_coding.h"
#include "tests/testing/random_rows.h"
#include "tests/testing/test_util.h"

namespace mesa::internal {
namespace {

using testing::Distribution;
using testing::RowsEqual;
using testing::RowToString;

absl::Status WriteDelta(FileSystem* fs, const std::string& path,
                        const Schema& schema, const RowBatch& rows,
                        DeltaFileOptions options, size_t chunk = 0,
                        uint64_t expected_rows = 0) {
  auto writer = DeltaWriter::Create(
      {fs, path, schema, 3, 7, options, expected_rows});
  if (!writer.ok()) return writer.status();
  size_t step = chunk == 0 ? rows.num_rows() : chunk;
  for (size_t b = 0; b < rows.num_rows(); b += step) {
    auto s = (*writer)->Add(rows, b, std::min(rows.num_rows(), b + step));
    if (!s.ok()) return s;
  }
  return (*writer)->Finish().status();
}

RowBatch ReadAll(const DeltaReader& reader) {
  RowBatch out(reader.schema());
  auto cursor = reader.NewCursor();
  for (cursor->SeekToFirst(); cursor->Valid(); cursor->NextBlock()) {
    for (size_t r = cursor->row(); r < cursor->batch().num_rows(); ++r) {
      out.AppendRow(cursor->batch(), r);
    }
  }
  EXPECT_TRUE(cursor->status().ok()) << cursor->status();
  return out;
}

struct Case {
  Codec codec;
  size_t block_size;
  Distribution dist;
};

class DeltaRoundTripTest : public ::testing::TestWithParam<Case> {};

TEST_P(DeltaRoundTripTest, EveryRowBackInOrderBitForBit) {
  const Case& c = GetParam();
  uint64_t seed = testing::TestSeed(
      1000 + static_cast<int>(c.codec) * 100 + c.block_size +
      static_cast<int>(c.dist));
  std::mt19937_64 rng(seed);
  auto fs = NewMemFileSystem();
  for (int iter = 0; iter < 6; ++iter) {
    Schema schema = testing::RandomSchema(rng);
    RowBatch rows =
        testing::RandomSortedRows(rng, schema, 1 + rng() % 3000, c.dist);
    DeltaFileOptions options;
    options.codec = c.codec;
    options.block_size = c.block_size;
    options.short_key_length = 1 + rng() % 40;
    options.bloom_bits_per_key = iter % 3 == 0 ? 0 : 10;
    std::string path = fmt::format("/d{}.delta", iter);
    SCOPED_TRACE(fmt::format("seed {} iter {} schema {} rows {}", seed, iter,
                             schema.DebugString(), rows.num_rows()));
    ASSERT_TRUE(WriteDelta(fs.get(), path, schema, rows, options,
                           1 + rng() % 700, iter % 2 ? rows.num_rows() : 0)
                    .ok());
    auto reader = DeltaReader::Open(fs.get(), path);
    ASSERT_TRUE(reader.ok()) << reader.status();
    EXPECT_EQ((*reader)->row_count(), rows.num_rows());
    EXPECT_EQ((*reader)->min_version(), 3u);
    EXPECT_EQ((*reader)->max_version(), 7u);
    EXPECT_EQ((*reader)->schema(), schema);
    RowBatch back = ReadAll(**reader);
    ASSERT_EQ(back.num_rows(), rows.num_rows());
    for (size_t r = 0; r < rows.num_rows(); ++r) {
      ASSERT_TRUE(RowsEqual(back, r, rows, r))
          << "row " << r << ": " << RowToString(back, r) << " vs "
          << RowToString(rows, r);
    }

    // Seek to every 7th key and to keys between rows: lands on the
    // lower bound.
    for (size_t r = 0; r < rows.num_rows(); r += 7) {
      std::string key;
      AppendEncodedKey(rows, r, schema.num_keys(), &key);
      auto cursor = (*reader)->NewCursor();
      cursor->Seek(key);
      ASSERT_TRUE(cursor->Valid()) << cursor->status();
      ASSERT_TRUE(RowsEqual(cursor->batch(), cursor->row(), rows, r));
      // A key prefix of the first key column lands on the first row with
      // that value.
      std::string prefix;
      AppendKeyPart(rows.column(0), r, &prefix);
      cursor->Seek(prefix);
      ASSERT_TRUE(cursor->Valid());
      size_t first = r;
      while (first > 0 &&
             CompareValues(rows.column(0), first - 1, rows.column(0), r) == 0) {
        --first;
      }
      ASSERT_TRUE(RowsEqual(cursor->batch(), cursor->row(), rows, first));
      // Get finds it.
      RowBatch got(schema);
      auto hit = (*reader)->Get(rows, r, &got);
      ASSERT_TRUE(hit.ok()) << hit.status();
      ASSERT_TRUE(*hit);
      ASSERT_TRUE(RowsEqual(got, 0, rows, r));
    }
    // Seek to the last key, then one step is the end.
    auto cursor = (*reader)->NewCursor();
    cursor->Seek((*reader)->meta().max_key);
    ASSERT_TRUE(cursor->Valid()) << cursor->status();
    EXPECT_TRUE(RowsEqual(cursor->batch(), cursor->row(), rows,
                          rows.num_rows() - 1));
    cursor->Next();
    EXPECT_FALSE(cursor->Valid());
    EXPECT_TRUE(cursor->status().ok()) << cursor->status();
    // A target that is not a key encoding is a clear error.
    cursor->Seek((*reader)->meta().max_key + std::string(9, '\xff'));
    EXPECT_FALSE(cursor->Valid());
    EXPECT_EQ(cursor->status().code(), absl::StatusCode::kInvalidArgument);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Codecs, DeltaRoundTripTest,
    ::testing::Values(Case{Codec::kNone, 1024, Distribution::kRandom},
                      Case{Codec::kSnappy, 1024, Distribution::kSorted},
                      Case{Codec::kZstd, 1024, Distribution::kSkewed},
                      Case{Codec::kZstd, 64 * 1024, Distribution::kRandom},
                      Case{Codec::kSnappy, 4096, Distribution::kConstant},
                      Case{Codec::kNone, 64 * 1024, Distribution::kSkewed},
                      Case{Codec::kZstd, 2048, Distribution::kSorted},
                      Case{Codec::kZstd, 1024, Distribution::kConstant}));

Schema TwoColumnSchema() {
  return *Schema::Create({{"k", ColumnType::kInt64, Aggregation::kNone}},
                         {{"v", ColumnType::kInt64, Aggregation::kSum}});
}

RowBatch Sequential(size_t n, int64_t step = 1) {
  RowBatch rows(TwoColumnSchema());
  for (size_t i = 0; i < n; ++i) {
    rows.column(0).AppendInt64(static_cast<int64_t>(i) * step);
    rows.column(1).AppendInt64(static_cast<int64_t>(i % 13));
  }
  return rows;
}

TEST(DeltaWriterTest, RejectsOutOfOrderAndDuplicateKeys) {
  auto fs = NewMemFileSystem();
  RowBatch rows(TwoColumnSchema());
  for (int64_t k : {1, 2, 2}) {
    rows.column(0).AppendInt64(k);
    rows.column(1).AppendInt64(0);
  }
  auto writer = DeltaWriter::Create({fs.get(), "/x.delta", TwoColumnSchema(),
                                     1, 1, DeltaFileOptions(), 0});
  ASSERT_TRUE(writer.ok());
  absl::Status s = (*writer)->Add(rows);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.ToString().find("row 2"), std::string::npos) << s;
  EXPECT_FALSE((*writer)->Finish().ok());
  writer->reset();
  EXPECT_FALSE(fs->FileExists("/x.delta"));
  EXPECT_FALSE(fs->FileExists("/x.delta.tmp"));

  // Out of order across two Add calls.
  auto w2 = DeltaWriter::Create({fs.get(), "/y.delta", TwoColumnSchema(), 1, 1,
                                 DeltaFileOptions(), 0});
  RowBatch seq = Sequential(10);
  ASSERT_TRUE((*w2)->Add(seq, 5, 10).ok());
  EXPECT_EQ((*w2)->Add(seq, 0, 5).code(), absl::StatusCode::kInvalidArgument);
}

TEST(DeltaWriterTest, RejectsEmptyDeltaBadShapeAndBadOptions) {
  auto fs = NewMemFileSystem();
  auto writer = DeltaWriter::Create({fs.get(), "/e.delta", TwoColumnSchema(),
                                     1, 1, DeltaFileOptions(), 0});
  ASSERT_TRUE(writer.ok());
  EXPECT_EQ((*writer)->Finish().status().code(),
            absl::StatusCode::kFailedPrecondition);

  auto w2 = DeltaWriter::Create({fs.get(), "/s.delta", TwoColumnSchema(), 1, 1,
                                 DeltaFileOptions(), 0});
  RowBatch wrong({ColumnType::kInt64, ColumnType::kString});
  wrong.column(0).AppendInt64(1);
  wrong.column(1).AppendString("x");
  absl::Status s = (*w2)->Add(wrong);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.ToString().find("'v'"), std::string::npos) << s;

  DeltaFileOptions bad;
  bad.short_key_length = 0;
  EXPECT_EQ(DeltaWriter::Create({fs.get(), "/b.delta", TwoColumnSchema(), 1, 1,
                                 bad, 0})
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(DeltaWriter::Create({fs.get(), "/b.delta", TwoColumnSchema(), 5, 4,
                                 DeltaFileOptions(), 0})
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(DeltaReaderTest, GetMissesAndBloomFilterRulesOutAbsentKeys) {
  auto fs = NewMemFileSystem();
  RowBatch rows = Sequential(20000, 2);  // even keys only
  DeltaFileOptions options;
  options.bloom_bits_per_key = 10;
  ASSERT_TRUE(
      WriteDelta(fs.get(), "/g.delta", TwoColumnSchema(), rows, options).ok());
  auto reader = *DeltaReader::Open(fs.get(), "/g.delta");
  ASSERT_TRUE(reader->has_bloom_filter());
  size_t may_match = 0;
  RowBatch probe(TwoColumnSchema());
  for (int64_t k = 1; k < 40000; k += 2) {
    probe.Clear();
    probe.column(0).AppendInt64(k);
    probe.column(1).AppendInt64(0);
    std::string key;
    AppendEncodedKey(probe, 0, 1, &key);
    may_match += reader->KeyMayMatch(key);
    RowBatch out(TwoColumnSchema());
    auto hit = reader->Get(probe, 0, &out);
    ASSERT_TRUE(hit.ok());
    EXPECT_FALSE(*hit) << k;
  }
  // 10 bits per key: about 1 % false positives of 20,000 absent keys.
  EXPECT_LT(may_match, 600u);
}

TEST(DeltaReaderTest, ProjectionAndZoneMapSkipping) {
  auto fs = NewMemFileSystem();
  RowBatch rows = Sequential(50000);
  DeltaFileOptions options;
  options.block_size = 4096;
  ASSERT_TRUE(
      WriteDelta(fs.get(), "/z.delta", TwoColumnSchema(), rows, options).ok());
  auto reader = *DeltaReader::Open(fs.get(), "/z.delta");
  ASSERT_GT(reader->num_blocks(), 50u);

  CursorOptions co;
  co.projection = {1};  // the value only
  ColumnPredicate p;
  p.column = 0;
  p.op = CompareOp::kGe;
  p.operands = ColumnVector(ColumnType::kInt64);
  p.operands.AppendInt64(45000);
  co.block_filters.push_back(p);
  auto cursor = reader->NewCursor(co);
  size_t seen = 0;
  for (cursor->SeekToFirst(); cursor->Valid(); cursor->Next()) {
    ASSERT_EQ(cursor->batch().num_columns(), 1u);
    ++seen;
  }
  ASSERT_TRUE(cursor->status().ok());
  // Every row >= 45000 is in an unskipped block; most blocks are skipped.
  EXPECT_GE(seen, 5000u);
  EXPECT_LT(seen, 5000u + 600u);
  EXPECT_GT(cursor->stats().blocks_skipped, reader->num_blocks() * 8 / 10);

  // Seek with a projection that lacks the key column.
  std::string key;
  AppendEncodedKey(rows, 30001, 1, &key);
  auto c2 = reader->NewCursor({{1}, {}});
  c2->Seek(key);
  ASSERT_TRUE(c2->Valid());
  EXPECT_EQ(c2->batch().column(0).GetInt64(c2->row()), 30001 % 13);
}

// Cursors bounded above (CursorOptions::upper_bound) seek, step and
// SeekForward through a file whose blocks a tiny block cache keeps
// evicting (other cursors and point reads fill it meanwhile): every range
// comes back exactly, and a block evicted while a cursor or Get uses it
// stays valid for them (ASan checks the lifetimes).
TEST(DeltaReaderTest, BoundedSeeksUnderCacheEvictionAreExact) {
  auto fs = NewMemFileSystem();
  RowBatch rows = Sequential(60000, /*step=*/2);  // even keys only
  DeltaFileOptions options;
  options.block_size = 4096;
  ASSERT_TRUE(
      WriteDelta(fs.get(), "/b.delta", TwoColumnSchema(), rows, options).ok());
  BlockCache cache(16 * 48 * 1024);  // a few blocks per shard
  auto reader = *DeltaReader::Open(fs.get(), "/b.delta", &cache);
  ASSERT_GT(reader->num_blocks(), 100u);
  auto enc = [](int64_t k) {
    RowBatch r(TwoColumnSchema());
    r.column(0).AppendInt64(k);
    std::string s;
    AppendEncodedKey(r, 0, 1, &s);
    return s;
  };
  std::mt19937_64 rng(5);
  auto noise = reader->NewCursor();
  for (int round = 0; round < 300; ++round) {
    const int64_t lo = static_cast<int64_t>(rng() % 125000) - 2000;
    const int64_t hi = lo + static_cast<int64_t>(rng() % (round % 3 ? 300 : 20000));
    CursorOptions co;
    co.upper_bound = enc(hi);
    auto cursor = reader->NewCursor(co);
    cursor->Seek(enc(lo));
    // Another cursor and a point read move the cache on meanwhile.
    noise->Seek(enc(static_cast<int64_t>(rng() % 120000)));
    RowBatch key(TwoColumnSchema()), got(TwoColumnSchema());
    key.column(0).AppendInt64(static_cast<int64_t>(rng() % 60000) * 2);
    key.column(1).AppendInt64(0);
    auto hit = reader->Get(key, 0, &got);
    ASSERT_TRUE(hit.ok() && *hit);
    EXPECT_EQ(got.column(1).GetInt64(0), key.column(0).GetInt64(0) / 2 % 13);
    int64_t expect = std::max<int64_t>(0, lo + (lo & 1));
    const int64_t skip_to = lo + (hi - lo) / 2;
    bool skipped = round % 2 == 0;
    for (; cursor->Valid(); cursor->Next()) {
      if (!skipped && expect >= skip_to) {
        cursor->SeekForward(enc(skip_to + 7));
        expect = std::max<int64_t>(0, skip_to + 7 + ((skip_to + 7) & 1));
        skipped = true;
        if (!cursor->Valid()) break;
      }
      const int64_t k = cursor->batch().column(0).GetInt64(cursor->row());
      ASSERT_EQ(k, expect) << "range [" << lo << ", " << hi << ")";
      ASSERT_EQ(cursor->batch().column(1).GetInt64(cursor->row()), k / 2 % 13);
      expect += 2;
    }
    ASSERT_TRUE(cursor->status().ok()) << cursor->status();
    EXPECT_GE(expect, std::min<int64_t>(hi, 120000)) << lo << " " << hi;
  }
  EXPECT_LE(cache.usage(), cache.capacity());
  // An upper bound needs the key columns.
  CursorOptions no_keys;
  no_keys.projection = {1};
  no_keys.upper_bound = enc(10);
  EXPECT_EQ(reader->NewCursor(no_keys)->status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(DeltaReaderTest, ForeignAndTruncatedFilesAreClearErrors) {
  auto fs = NewMemFileSystem();
  ASSERT_TRUE(WriteFileAtomically(fs.get(), "/short", "tiny").ok());
  auto r1 = DeltaReader::Open(fs.get(), "/short");
  EXPECT_EQ(r1.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(r1.status().ToString().find("/short"), std::string::npos);
  ASSERT_TRUE(
      WriteFileAtomically(fs.get(), "/foreign", std::string(200, 'x')).ok());
  auto r2 = DeltaReader::Open(fs.get(), "/foreign");
  EXPECT_EQ(r2.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(r2.status().ToString().find("magic"), std::string::npos);
  EXPECT_EQ(DeltaReader::Open(fs.get(), "/missing").status().code(),
            absl::StatusCode::kNotFound);
}

TEST(DeltaWriterTest, PosixFileIsPublishedByRename) {
  std::string dir = testing::NewTempDir("delta_posix");
  FileSystem* fs = DefaultFileSystem();
  RowBatch rows = Sequential(1000);
  std::string path = dir + "/1.delta";
  ASSERT_TRUE(
      WriteDelta(fs, path, TwoColumnSchema(), rows, DeltaFileOptions()).ok());
  EXPECT_FALSE(fs->FileExists(path + ".tmp"));
  auto reader = DeltaReader::Open(fs, path);
  ASSERT_TRUE(reader.ok()) << reader.status();
  RowBatch back = ReadAll(**reader);
  ASSERT_EQ(back.num_rows(), 1000u);
  EXPECT_EQ(back.column(0).GetInt64(999), 999);
}

}  // namespace
}  // namespace mesa::internal
