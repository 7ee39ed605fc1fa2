// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// Golden delta files (docs/format.md: "a change of bytes on disk bumps the
// format version and adds a golden file"). tests/format/golden/ holds one
// file per format version, written once by the writer of that version and
// committed; each must stay readable forever. The rows are a formula
// (GoldenRow), so the test knows every value without a second copy.
//
//  - Every golden file opens, holds exactly the formula's rows, and its
//    footer says its version.
//  - The current writer, given the same rows and options, produces the
//    current version's golden file byte for byte. If it does not, the
//    bytes on disk changed: that is a format change (see the message).
//
// To add the golden file of a new version: bump kDeltaFormatVersion, then
// run `MESA_WRITE_GOLDEN=1 format_test --gtest_filter='Golden*'`, which
// writes golden/delta_v<N>.delta if it does not exist, and commit it. Never
// rewrite an existing golden file.

#include <bit>
#include <filesystem>
#include <limits>

#include "fmt/format.h"
#include "gtest/gtest.h"
#include "mesa/file_system.h"
#include "src/format/delta_reader.h"
#include "src/format/delta_writer.h"
#include "src/format/key_coding.h"
#include "src/inspect/inspect.h"
#include "tests/testing/random_rows.h"

namespace mesa::internal {
namespace {

using testing::RowsEqual;
using testing::RowToString;

// The folder of this source file: the golden files live next to it,
// wherever the build tree is.
std::string GoldenPath(uint32_t version) {
  return (std::filesystem::path(__FILE__).parent_path() / "golden" /
          fmt::format("delta_v{}.delta", version))
      .string();
}

// Version 1: the first format (ZSTD, Bloom filter, several blocks).
constexpr uint64_t kV1Size = 6934;
constexpr size_t kGoldenRows = 300;

Schema GoldenSchema() {
  return *Schema::Create(
      {{"region", ColumnType::kString}, {"day", ColumnType::kInt32}},
      {{"clicks", ColumnType::kInt64, Aggregation::kSum},
       {"views", ColumnType::kUint64, Aggregation::kSum},
       {"ratio", ColumnType::kDouble, Aggregation::kMax},
       {"note", ColumnType::kString, Aggregation::kReplace}});
}

// Row i (0 <= i < 300): six regions of 50 days, sorted by (region, day).
// Every column type, "\0" and "\xff" in keys, negative numbers, uint64s
// above 2^63, NaN, -inf, -0.0, empty strings and a string longer than a
// zone map keeps.
void AppendGoldenRow(size_t i, RowBatch* rows) {
  static const std::string kRegions[] = {
      "",   std::string("a\0b", 3), "apac", "emea", std::string("na\xff", 3),
      "zz"};
  rows->column(0).AppendString(kRegions[i / 50]);
  rows->column(1).AppendInt32(static_cast<int32_t>(i % 50) * 86400 - 1000000);
  rows->column(2).AppendInt64(static_cast<int64_t>(i * 7919 % 1000) - 500);
  rows->column(3).AppendUint64(i * 0x9E3779B97F4A7C15ull);
  double ratio = static_cast<double>(i % 13) * 0.5 - 2.0;
  if (i == 17) ratio = std::numeric_limits<double>::quiet_NaN();
  if (i == 18) ratio = -std::numeric_limits<double>::infinity();
  if (i == 19) ratio = -0.0;
  rows->column(4).AppendDouble(ratio);
  rows->column(5).AppendString(
      i == 123      ? std::string(40, 'x')
      : i % 10 == 0 ? std::string()
                    : fmt::format("note-{}", i % 37));
}

RowBatch GoldenRows() {
  RowBatch rows(GoldenSchema());
  for (size_t i = 0; i < kGoldenRows; ++i) AppendGoldenRow(i, &rows);
  return rows;
}

DeltaFileOptions GoldenOptions() {
  DeltaFileOptions options;
  options.codec = Codec::kZstd;
  options.zstd_level = 1;
  options.block_size = 2048;
  options.short_key_length = 36;
  options.bloom_bits_per_key = 10;
  return options;
}

// The bytes the current writer produces for the golden rows.
std::string WriteFresh() {
  auto fs = NewMemFileSystem();
  auto writer = DeltaWriter::Create(
      {fs.get(), "/golden.delta", GoldenSchema(), 1, 5, GoldenOptions()});
  EXPECT_TRUE(writer.ok()) << writer.status();
  EXPECT_TRUE((*writer)->Add(GoldenRows()).ok());
  EXPECT_TRUE((*writer)->Finish().ok());
  return *ReadFileToString(fs.get(), "/golden.delta");
}

// Which part of the delta at `path` holds byte `offset`.
std::string WhereIs(const std::string& path, uint64_t offset) {
  auto reader = DeltaReader::Open(DefaultFileSystem(), path);
  if (!reader.ok()) return "?";
  const Footer& f = (*reader)->footer();
  for (size_t b = 0; b < (*reader)->num_blocks(); ++b) {
    const IndexEntry& e = (*reader)->index()[b];
    if (offset < e.offset + e.size) return fmt::format("data block {}", b);
  }
  if (f.bloom.size > 0 && offset < f.bloom.offset + f.bloom.size) {
    return "Bloom section";
  }
  if (offset < f.index.offset + f.index.size) return "index section";
  if (offset < f.meta.offset + f.meta.size) return "meta section";
  return "footer";
}

void ExpectGoldenContents(const std::string& path, uint32_t version) {
  auto reader = DeltaReader::Open(DefaultFileSystem(), path);
  ASSERT_TRUE(reader.ok()) << reader.status();
  const DeltaReader& r = **reader;
  EXPECT_EQ(r.footer().format_version, version);
  EXPECT_EQ(r.schema(), GoldenSchema());
  EXPECT_EQ(r.min_version(), 1u);
  EXPECT_EQ(r.max_version(), 5u);
  EXPECT_EQ(r.row_count(), kGoldenRows);
  EXPECT_GE(r.num_blocks(), 2u);
  EXPECT_TRUE(r.has_bloom_filter());
  EXPECT_EQ(r.meta().codec, Codec::kZstd);

  const RowBatch expected = GoldenRows();
  size_t i = 0;
  auto cursor = r.NewCursor();
  for (cursor->SeekToFirst(); cursor->Valid(); cursor->Next(), ++i) {
    ASSERT_LT(i, kGoldenRows);
    ASSERT_TRUE(RowsEqual(cursor->batch(), cursor->row(), expected, i))
        << "row " << i << ": " << RowToString(cursor->batch(), cursor->row())
        << ", expected " << RowToString(expected, i);
  }
  ASSERT_TRUE(cursor->status().ok()) << cursor->status();
  EXPECT_EQ(i, kGoldenRows);
  for (size_t k = 0; k < kGoldenRows; k += 11) {
    RowBatch got(GoldenSchema());
    auto hit = r.Get(expected, k, &got);
    ASSERT_TRUE(hit.ok()) << hit.status();
    ASSERT_TRUE(*hit) << "row " << k;
    EXPECT_TRUE(RowsEqual(got, 0, expected, k));
  }
  // Every invariant mesa-inspect checks holds.
  std::ostringstream out, err;
  EXPECT_EQ(RunInspect({"verify", path}, out, err), 0) << out.str()
                                                       << err.str();
}

TEST(GoldenTest, Version1ReadsBackForever) {
  const std::string path = GoldenPath(1);
  ASSERT_TRUE(std::filesystem::exists(path)) << path;
  EXPECT_EQ(std::filesystem::file_size(path), kV1Size);
  EXPECT_LE(std::filesystem::file_size(path), 8192u);
  ExpectGoldenContents(path, 1);
}

TEST(GoldenTest, TheWriterStillWritesTheCurrentGoldenBytes) {
  const std::string path = GoldenPath(kDeltaFormatVersion);
  const std::string fresh = WriteFresh();
  if (!std::filesystem::exists(path)) {
    if (std::getenv("MESA_WRITE_GOLDEN") == nullptr) {
      FAIL() << "no golden file for format version " << kDeltaFormatVersion
             << " (" << path << "); create it once with MESA_WRITE_GOLDEN=1 "
             << "and commit it";
    }
    ASSERT_TRUE(WriteFileAtomically(DefaultFileSystem(), path, fresh).ok());
    GTEST_SKIP() << "wrote " << path << " (" << fresh.size()
                 << " bytes): commit it, and put its size in this test";
  }
  auto golden = ReadFileToString(DefaultFileSystem(), path);
  ASSERT_TRUE(golden.ok()) << golden.status();
  if (fresh == *golden) return;
  size_t first = 0;
  while (first < fresh.size() && first < golden->size() &&
         fresh[first] == (*golden)[first]) {
    ++first;
  }
  FAIL() << "The delta writer no longer writes the golden bytes of format "
            "version "
         << kDeltaFormatVersion << " (" << path << "): " << fresh.size()
         << " bytes vs " << golden->size() << ", first difference at offset "
         << first << " (" << WhereIs(path, first) << " of the golden file).\n"
         << "A change of bytes on disk is a format change: bump "
            "kDeltaFormatVersion (src/format/delta_layout.h), add a row to "
            "docs/format.md's table of format versions, and add "
            "golden/delta_v<N>.delta (MESA_WRITE_GOLDEN=1), keeping every "
            "older golden file readable.\n"
            "(If only ZSTD-compressed chunk payloads differ, a new libzstd "
            "may compress differently; that is not a format change, and the "
            "golden file must still read back.)";
}

}  // namespace
}  // namespace mesa::internal
