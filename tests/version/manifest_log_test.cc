// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.

#include "src/version/manifest_log.h"

#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "mesa/file_system.h"
#include "tests/version/version_test_util.h"

namespace mesa::internal {
namespace {

class ManifestLogTest : public ::testing::Test {
 protected:
  void SetUp() override { VT_ASSERT_OK(fs_->CreateDir(dir_)); }

  // Writes `payloads` as MANIFEST-<number> and returns its bytes.
  std::string WriteLog(uint64_t number,
                       const std::vector<std::string>& payloads) {
    auto writer = ManifestWriter::Create(fs_.get(), dir_, number);
    EXPECT_TRUE(writer.ok()) << writer.status();
    for (const std::string& p : payloads) {
      absl::Status s = (*writer)->AddRecord(p);
      EXPECT_TRUE(s.ok()) << s;
    }
    EXPECT_TRUE((*writer)->Close().ok());
    return ReadFileToString(fs_.get(), ManifestFilePath(dir_, number)).value();
  }

  void Overwrite(const std::string& path, std::string_view bytes) {
    auto file = fs_->NewWritableFile(path).value();
    VT_EXPECT_OK(file->Append(bytes));
    VT_EXPECT_OK(file->Close());
  }

  std::vector<std::string> Payloads(const ManifestContents& c) {
    std::vector<std::string> out;
    for (const ManifestRecord& r : c.records) out.push_back(r.payload);
    return out;
  }

  std::unique_ptr<FileSystem> fs_ = NewMemFileSystem();
  const std::string dir_ = "/db";
  const std::vector<std::string> payloads_ = {
      "first", std::string(1000, '\0'), "", std::string("\xff\x00\x01", 3),
      "the last record"};
};

TEST_F(ManifestLogTest, FileNames) {
  EXPECT_EQ(ManifestFileName(7), "MANIFEST-000007");
  EXPECT_EQ(ManifestFileName(12345678), "MANIFEST-12345678");
  EXPECT_EQ(ParseManifestFileName("MANIFEST-000007"), 7u);
  EXPECT_EQ(ParseManifestFileName("MANIFEST-12345678"), 12345678u);
  EXPECT_EQ(ParseManifestFileName("MANIFEST-7"),
            std::nullopt);  // not canonical
  EXPECT_EQ(ParseManifestFileName("MANIFEST-"), std::nullopt);
  EXPECT_EQ(ParseManifestFileName("MANIFEST-00000x"), std::nullopt);
  EXPECT_EQ(ParseManifestFileName("CURRENT"), std::nullopt);
  EXPECT_EQ(ParseManifestFileName("MANIFEST-000007.tmp"), std::nullopt);
}

TEST_F(ManifestLogTest, RecordFraming) {
  const std::string r = EncodeManifestRecord("abc");
  ASSERT_EQ(r.size(), kManifestRecordHeaderSize + 3);
  EXPECT_EQ(r.substr(0, 4), std::string("\x03\x00\x00\x00", 4));
  EXPECT_EQ(r.substr(16), "abc");
}

TEST_F(ManifestLogTest, ReplaysRecordsInOrder) {
  const std::string bytes = WriteLog(3, payloads_);
  auto c = ReadManifest(fs_.get(), ManifestFilePath(dir_, 3));
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(Payloads(*c), payloads_);
  EXPECT_EQ(c->valid_size, bytes.size());
  EXPECT_EQ(c->dropped_bytes, 0u);
  EXPECT_EQ(c->records[1].offset, kManifestRecordHeaderSize + 5);
}

TEST_F(ManifestLogTest, WriterSizeCountsEveryByte) {
  auto writer = ManifestWriter::Create(fs_.get(), dir_, 1).value();
  VT_ASSERT_OK(writer->AddRecord("12345"));
  EXPECT_EQ(writer->size(), kManifestRecordHeaderSize + 5);
  EXPECT_EQ(writer->number(), 1u);
  VT_ASSERT_OK(writer->Close());
  EXPECT_EQ(writer->AddRecord("x").code(),
            absl::StatusCode::kFailedPrecondition);
}

// A crash mid-append leaves any prefix of the last record: every cut drops
// exactly that record and keeps all before it.
TEST_F(ManifestLogTest, TornTailAtEveryByteOfTheLastRecord) {
  const std::string bytes = WriteLog(4, payloads_);
  const size_t last =
      bytes.size() - (kManifestRecordHeaderSize + payloads_.back().size());
  std::vector<std::string> kept(payloads_.begin(), payloads_.end() - 1);
  const std::string path = ManifestFilePath(dir_, 4);
  for (size_t cut = last; cut < bytes.size(); ++cut) {
    Overwrite(path, std::string_view(bytes).substr(0, cut));
    auto c = ReadManifest(fs_.get(), path);
    ASSERT_TRUE(c.ok()) << "cut " << cut << ": " << c.status();
    EXPECT_EQ(Payloads(*c), kept) << "cut " << cut;
    EXPECT_EQ(c->valid_size, last);
    EXPECT_EQ(c->dropped_bytes, cut - last);
  }
}

TEST_F(ManifestLogTest, DamagedLastPayloadIsDropped) {
  std::string bytes = WriteLog(5, payloads_);
  bytes.back() ^= 0x40;
  Overwrite(ManifestFilePath(dir_, 5), bytes);
  auto c = ReadManifest(fs_.get(), ManifestFilePath(dir_, 5));
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->records.size(), payloads_.size() - 1);
  EXPECT_GT(c->dropped_bytes, 0u);
}

TEST_F(ManifestLogTest, ZeroTailIsDropped) {
  std::string bytes = WriteLog(6, payloads_);
  bytes.append(100, '\0');
  Overwrite(ManifestFilePath(dir_, 6), bytes);
  auto c = ReadManifest(fs_.get(), ManifestFilePath(dir_, 6));
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(Payloads(*c), payloads_);
  EXPECT_EQ(c->dropped_bytes, 100u);
}

// Any flipped byte before the last record is DataLoss naming the file and
// the offset of the damaged record; nothing is silently dropped.
TEST_F(ManifestLogTest, CorruptionInTheMiddleIsDataLoss) {
  const std::string bytes = WriteLog(7, payloads_);
  const size_t last =
      bytes.size() - (kManifestRecordHeaderSize + payloads_.back().size());
  const std::string path = ManifestFilePath(dir_, 7);
  for (size_t i = 0; i < last; ++i) {
    std::string damaged = bytes;
    damaged[i] ^= 0x01;
    Overwrite(path, damaged);
    auto c = ReadManifest(fs_.get(), path);
    ASSERT_FALSE(c.ok()) << "flip at " << i;
    EXPECT_EQ(c.status().code(), absl::StatusCode::kDataLoss);
    EXPECT_NE(c.status().message().find("MANIFEST-000007"), std::string::npos)
        << c.status();
    EXPECT_NE(c.status().message().find("offset"), std::string::npos);
  }
}

TEST_F(ManifestLogTest, EmptyManifestHasNoRecords) {
  WriteLog(8, {});
  auto c = ReadManifest(fs_.get(), ManifestFilePath(dir_, 8));
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_TRUE(c->records.empty());
  EXPECT_EQ(ReadManifest(fs_.get(), ManifestFilePath(dir_, 9)).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(ManifestLogTest, CurrentFile) {
  EXPECT_EQ(ReadCurrentManifest(fs_.get(), dir_).status().code(),
            absl::StatusCode::kNotFound);
  VT_ASSERT_OK(SetCurrentManifest(fs_.get(), dir_, 42));
  EXPECT_EQ(ReadFileToString(fs_.get(), "/db/CURRENT").value(),
            "MANIFEST-000042\n");
  EXPECT_EQ(ReadCurrentManifest(fs_.get(), dir_).value(), 42u);
  EXPECT_FALSE(fs_->FileExists("/db/CURRENT.tmp"));

  for (std::string bad :
       {"MANIFEST-000042", "MANIFEST-42\n", "garbage\n", ""}) {
    Overwrite("/db/CURRENT", bad);
    auto n = ReadCurrentManifest(fs_.get(), dir_);
    EXPECT_EQ(n.status().code(), absl::StatusCode::kDataLoss) << bad;
  }
}

}  // namespace
}  // namespace mesa::internal
