// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// Byte-flip and truncation sweeps over a small delta file (a few blocks,
// ZSTD and plain chunks, a string column, a Bloom filter). Every byte of a
// delta file is covered by a checksum or is the magic, so every flip of
// every bit and every cut must be detected: open, a full scan, seeks and
// point gets either fail with DataLoss or InvalidArgument naming the file,
// or return exactly the original rows. A wrong row, a missing row or a
// silent miss is never acceptable.

#include <string>
#include <vector>

#include "fmt/format.h"
#include "gtest/gtest.h"
#include "mesa/file_system.h"
#include "src/format/delta_reader.h"
#include "src/format/delta_writer.h"
#include "src/format/key_coding.h"
#include "src/util/status_macros.h"
#include "tests/testing/random_rows.h"

namespace mesa::internal {
namespace {

using testing::RowsEqual;
using testing::RowToString;

constexpr char kPath[] = "/corrupt/t.delta";

Schema CorruptionSchema() {
  return *Schema::Create(
      {{"user", ColumnType::kString}, {"seq", ColumnType::kInt64}},
      {{"clicks", ColumnType::kInt64, Aggregation::kSum},
       {"spend", ColumnType::kDouble, Aggregation::kSum},
       {"note", ColumnType::kString, Aggregation::kReplace}});
}

RowBatch CorruptionRows() {
  RowBatch rows(CorruptionSchema());
  for (int i = 0; i < 60; ++i) {
    rows.column(0).AppendString(fmt::format("u{}\xff", i / 6));
    rows.column(1).AppendInt64(i % 6 - 2);
    rows.column(2).AppendInt64(i * 37 % 11);
    rows.column(3).AppendDouble(i * 0.5);
    // Repetitive text, long enough that the chunk is ZSTD-compressed.
    rows.column(4).AppendString(i % 3 == 0 ? std::string("a\0b", 3)
                                           : "the same note again");
  }
  return rows;
}

std::string WriteOriginal(FileSystem* fs) {
  DeltaFileOptions options;
  options.codec = Codec::kZstd;
  options.block_size = 600;
  options.bloom_bits_per_key = 10;
  auto writer =
      DeltaWriter::Create({fs, kPath, CorruptionSchema(), 2, 9, options});
  EXPECT_TRUE(writer.ok()) << writer.status();
  EXPECT_TRUE((*writer)->Add(CorruptionRows()).ok());
  EXPECT_TRUE((*writer)->Finish().ok());
  return *ReadFileToString(fs, kPath);
}

// An error is acceptable if it is corruption or a bad argument, naming the
// file.
::testing::AssertionResult AcceptableError(const absl::Status& s) {
  if (s.code() != absl::StatusCode::kDataLoss &&
      s.code() != absl::StatusCode::kInvalidArgument) {
    return ::testing::AssertionFailure() << "unexpected code: " << s;
  }
  if (StatusMessage(s).find(kPath) == std::string_view::npos) {
    return ::testing::AssertionFailure() << "message does not name the file: "
                                         << s;
  }
  return ::testing::AssertionSuccess();
}

class CorruptionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(fs_->CreateDir("/corrupt").ok());
    original_ = WriteOriginal(fs_.get());
    rows_ = CorruptionRows();
    auto reader = DeltaReader::Open(fs_.get(), kPath);
    ASSERT_TRUE(reader.ok()) << reader.status();
    ASSERT_GE((*reader)->num_blocks(), 3u);
    ASSERT_TRUE((*reader)->has_bloom_filter());
    // Both ZSTD-compressed and stored chunks, so flips reach both paths.
    size_t zstd_chunks = 0, plain_chunks = 0;
    for (size_t b = 0; b < (*reader)->num_blocks(); ++b) {
      std::string storage;
      auto parsed = (*reader)->ParseRawBlock(b, &storage);
      ASSERT_TRUE(parsed.ok()) << parsed.status();
      for (const ChunkInfo& c : parsed->chunks) {
        ++(c.codec == Codec::kZstd ? zstd_chunks : plain_chunks);
      }
    }
    ASSERT_GT(zstd_chunks, 0u);
    ASSERT_GT(plain_chunks, 0u);
    for (size_t r = 0; r < rows_.num_rows(); ++r) {
      std::string key;
      AppendEncodedKey(rows_, r, 2, &key);
      keys_.push_back(std::move(key));
    }
  }

  // Reads `bytes` as the delta at kPath in every way a user can. Returns
  // true if some read failed (acceptably), false if every read succeeded;
  // a wrong result is a test failure.
  bool Detected(const std::string& bytes, const std::string& what) {
    SCOPED_TRACE(what);
    EXPECT_TRUE(WriteFileAtomically(fs_.get(), kPath, bytes).ok());
    auto reader = DeltaReader::Open(fs_.get(), kPath);
    if (!reader.ok()) {
      EXPECT_TRUE(AcceptableError(reader.status()));
      return true;
    }
    bool detected = false;
    // A full scan returns the original rows, in order, then ends or fails.
    size_t r = 0;
    auto cursor = (*reader)->NewCursor();
    for (cursor->SeekToFirst(); cursor->Valid(); cursor->Next(), ++r) {
      if (r >= rows_.num_rows() ||
          !RowsEqual(cursor->batch(), cursor->row(), rows_, r)) {
        ADD_FAILURE() << "scan returned a wrong row " << r << ": "
                      << RowToString(cursor->batch(), cursor->row());
        return true;
      }
    }
    if (!cursor->status().ok()) {
      EXPECT_TRUE(AcceptableError(cursor->status()));
      detected = true;
    } else {
      EXPECT_EQ(r, rows_.num_rows()) << "scan silently lost rows";
    }
    // Seeks and gets land on the right row or fail.
    for (size_t k = 0; k < keys_.size(); k += 7) {
      auto c = (*reader)->NewCursor();
      c->Seek(keys_[k]);
      if (!c->status().ok()) {
        EXPECT_TRUE(AcceptableError(c->status()));
        detected = true;
      } else if (!c->Valid() ||
                 !RowsEqual(c->batch(), c->row(), rows_, k)) {
        ADD_FAILURE() << "seek to row " << k << " landed elsewhere";
      }
      RowBatch got(CorruptionSchema());
      absl::StatusOr<bool> hit = (*reader)->Get(rows_, k, &got);
      if (!hit.ok()) {
        EXPECT_TRUE(AcceptableError(hit.status()));
        detected = true;
      } else if (!*hit || !RowsEqual(got, 0, rows_, k)) {
        ADD_FAILURE() << "get of row " << k << " returned "
                      << (*hit ? RowToString(got, 0) : "a miss");
      }
    }
    return detected;
  }

  std::unique_ptr<FileSystem> fs_ = NewMemFileSystem();
  std::string original_;
  RowBatch rows_;
  std::vector<std::string> keys_;
};

TEST_F(CorruptionTest, TheOriginalReadsBack) {
  EXPECT_FALSE(Detected(original_, "original"));
  // A small file: the sweeps below stay fast under ASan.
  EXPECT_GE(original_.size(), 1000u);
  EXPECT_LE(original_.size(), 3000u);
}

TEST_F(CorruptionTest, EverySingleBitFlipIsDetected) {
  size_t flips = 0, detected = 0;
  for (size_t i = 0; i < original_.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string bytes = original_;
      bytes[i] = static_cast<char>(bytes[i] ^ (1 << bit));
      ++flips;
      if (Detected(bytes, fmt::format("byte {} bit {}", i, bit))) {
        ++detected;
      } else {
        ADD_FAILURE() << "flip of byte " << i << " bit " << bit
                      << " went unnoticed (rows were right)";
      }
      if (HasFailure()) return;
    }
  }
  std::printf("[          ] %zu of %zu single-bit flips detected (%zu-byte "
              "file)\n",
              detected, flips, original_.size());
  EXPECT_EQ(detected, flips);
}

TEST_F(CorruptionTest, EveryTruncationIsDetected) {
  size_t cuts = 0, detected = 0;
  for (size_t len = 0; len < original_.size(); ++len) {
    ++cuts;
    if (Detected(original_.substr(0, len), fmt::format("cut at {}", len))) {
      ++detected;
    }
    if (HasFailure()) return;
  }
  std::printf("[          ] %zu of %zu truncations detected\n", detected,
              cuts);
  EXPECT_EQ(detected, cuts);
}

TEST_F(CorruptionTest, AppendedBytesAreDetected) {
  for (std::string tail : {std::string(1, '\0'), std::string("x"),
                           original_.substr(original_.size() - 56)}) {
    EXPECT_TRUE(Detected(original_ + tail, "appended"));
  }
}

}  // namespace
}  // namespace mesa::internal
