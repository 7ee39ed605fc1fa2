// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// One test body for both FileSystems: POSIX (in a temporary directory) and
// in-memory.

#include "mesa/file_system.h"

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/testing/test_util.h"

#define FS_ASSERT_OK(expr)            \
  do {                                \
    absl::Status fs_s_ = (expr);      \
    ASSERT_TRUE(fs_s_.ok()) << fs_s_; \
  } while (0)

namespace mesa {
namespace {

enum class FsKind { kMem, kPosix };

class FileSystemTest : public ::testing::TestWithParam<FsKind> {
 protected:
  void SetUp() override {
    if (GetParam() == FsKind::kMem) {
      mem_ = NewMemFileSystem();
      fs_ = mem_.get();
      dir_ = "/mem/db";
      FS_ASSERT_OK(fs_->CreateDir("/mem"));
      FS_ASSERT_OK(fs_->CreateDir(dir_));
    } else {
      fs_ = DefaultFileSystem();
      dir_ = testing::NewTempDir("file_system") + "/db";
      FS_ASSERT_OK(fs_->CreateDir(dir_));
    }
  }

  std::string Path(const std::string& name) const { return dir_ + "/" + name; }

  absl::Status Write(const std::string& name, const std::string& data) {
    auto file = fs_->NewWritableFile(Path(name));
    if (!file.ok()) return file.status();
    if (auto s = (*file)->Append(data); !s.ok()) return s;
    if (auto s = (*file)->Sync(); !s.ok()) return s;
    return (*file)->Close();
  }

  std::vector<std::string> Children() {
    absl::StatusOr<std::vector<std::string>> names = fs_->GetChildren(dir_);
    EXPECT_TRUE(names.ok()) << names.status();
    std::vector<std::string> out;
    if (names.ok()) out = *names;
    std::sort(out.begin(), out.end());
    return out;
  }

  std::unique_ptr<FileSystem> mem_;
  FileSystem* fs_ = nullptr;
  std::string dir_;
};

INSTANTIATE_TEST_SUITE_P(Kinds, FileSystemTest,
                         ::testing::Values(FsKind::kMem, FsKind::kPosix),
                         [](const ::testing::TestParamInfo<FsKind>& info) {
                           return info.param == FsKind::kMem ? "Mem" : "Posix";
                         });

TEST_P(FileSystemTest, WriteSyncRead) {
  auto file = fs_->NewWritableFile(Path("f"));
  ASSERT_TRUE(file.ok()) << file.status();
  FS_ASSERT_OK((*file)->Append("hello, "));
  EXPECT_EQ((*file)->Size(), 7u);
  std::string binary("\0\xff\x01world", 8);
  FS_ASSERT_OK((*file)->Append(binary));
  FS_ASSERT_OK((*file)->Append(""));
  EXPECT_EQ((*file)->Size(), 15u);
  FS_ASSERT_OK((*file)->Sync());
  FS_ASSERT_OK((*file)->Close());

  EXPECT_TRUE(fs_->FileExists(Path("f")));
  absl::StatusOr<uint64_t> size = fs_->GetFileSize(Path("f"));
  ASSERT_TRUE(size.ok());
  EXPECT_EQ(*size, 15u);
  absl::StatusOr<std::string> all = ReadFileToString(fs_, Path("f"));
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_EQ(*all, "hello, " + binary);

  auto reader = fs_->NewRandomAccessFile(Path("f"));
  ASSERT_TRUE(reader.ok()) << reader.status();
  EXPECT_EQ((*reader)->Size(), 15u);
  EXPECT_EQ((*reader)->path(), Path("f"));
  char scratch[16];
  absl::StatusOr<std::string_view> part = (*reader)->Read(7, 3, scratch);
  ASSERT_TRUE(part.ok());
  EXPECT_EQ(*part, std::string_view("\0\xff\x01", 3));
}

TEST_P(FileSystemTest, LargeAppendsAreKeptInOrder) {
  // Larger than the POSIX file's write buffer, in uneven pieces.
  std::string expected;
  auto file = fs_->NewWritableFile(Path("big"));
  ASSERT_TRUE(file.ok());
  for (int i = 0; i < 40; ++i) {
    std::string piece(static_cast<size_t>(1 + i * 4099), static_cast<char>('a' + i % 26));
    expected += piece;
    FS_ASSERT_OK((*file)->Append(piece));
  }
  FS_ASSERT_OK((*file)->Close());
  absl::StatusOr<std::string> all = ReadFileToString(fs_, Path("big"));
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(*all, expected);
}

TEST_P(FileSystemTest, ReadPastTheEndIsShort) {
  FS_ASSERT_OK(Write("f", "0123456789"));
  auto reader = fs_->NewRandomAccessFile(Path("f"));
  ASSERT_TRUE(reader.ok());
  char scratch[64];
  absl::StatusOr<std::string_view> tail = (*reader)->Read(6, 64, scratch);
  ASSERT_TRUE(tail.ok()) << tail.status();
  EXPECT_EQ(*tail, "6789");
  absl::StatusOr<std::string_view> at_end = (*reader)->Read(10, 5, scratch);
  ASSERT_TRUE(at_end.ok());
  EXPECT_TRUE(at_end->empty());
  absl::StatusOr<std::string_view> beyond = (*reader)->Read(1000, 5, scratch);
  ASSERT_TRUE(beyond.ok());
  EXPECT_TRUE(beyond->empty());
}

TEST_P(FileSystemTest, NewWritableFileTruncates) {
  FS_ASSERT_OK(Write("f", "a long first version"));
  FS_ASSERT_OK(Write("f", "short"));
  EXPECT_EQ(*ReadFileToString(fs_, Path("f")), "short");
  EXPECT_EQ(*fs_->GetFileSize(Path("f")), 5u);
}

TEST_P(FileSystemTest, RenameReplacesTheTarget) {
  FS_ASSERT_OK(Write("a", "A"));
  FS_ASSERT_OK(Write("b", "B"));
  FS_ASSERT_OK(fs_->RenameFile(Path("a"), Path("b")));
  FS_ASSERT_OK(fs_->SyncDir(dir_));
  EXPECT_FALSE(fs_->FileExists(Path("a")));
  EXPECT_EQ(*ReadFileToString(fs_, Path("b")), "A");
  FS_ASSERT_OK(fs_->RenameFile(Path("b"), Path("c")));
  EXPECT_EQ(Children(), std::vector<std::string>{"c"});
}

TEST_P(FileSystemTest, DeleteAndChildren) {
  EXPECT_TRUE(Children().empty());
  FS_ASSERT_OK(Write("x", "1"));
  FS_ASSERT_OK(Write("y", "2"));
  FS_ASSERT_OK(Write("z", ""));
  EXPECT_EQ(Children(), (std::vector<std::string>{"x", "y", "z"}));
  FS_ASSERT_OK(fs_->DeleteFile(Path("y")));
  EXPECT_FALSE(fs_->FileExists(Path("y")));
  EXPECT_EQ(Children(), (std::vector<std::string>{"x", "z"}));
  EXPECT_EQ(*fs_->GetFileSize(Path("z")), 0u);
}

TEST_P(FileSystemTest, DirectoriesExist) {
  EXPECT_TRUE(fs_->FileExists(dir_));
  FS_ASSERT_OK(fs_->CreateDir(dir_));  // creating it again is fine
  FS_ASSERT_OK(fs_->SyncDir(dir_));
  EXPECT_FALSE(fs_->FileExists(dir_ + "/nope"));
}

TEST_P(FileSystemTest, MissingFilesAreNotFound) {
  const std::string missing = Path("missing");
  EXPECT_EQ(fs_->NewRandomAccessFile(missing).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(fs_->GetFileSize(missing).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(fs_->DeleteFile(missing).code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(fs_->RenameFile(missing, Path("other")).code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(ReadFileToString(fs_, missing).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(fs_->GetChildren(dir_ + "/no_such_dir").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_FALSE(fs_->FileExists(missing));
  // The message names the path.
  EXPECT_NE(fs_->GetFileSize(missing).status().message().find(missing),
            std::string_view::npos);
}

TEST_P(FileSystemTest, WriteFileAtomicallyReplacesWholeFiles) {
  std::string binary("\0\x01\xff", 3);
  FS_ASSERT_OK(WriteFileAtomically(fs_, Path("CURRENT"), binary));
  EXPECT_EQ(*ReadFileToString(fs_, Path("CURRENT")), binary);
  FS_ASSERT_OK(WriteFileAtomically(fs_, Path("CURRENT"), "second"));
  EXPECT_EQ(*ReadFileToString(fs_, Path("CURRENT")), "second");
  FS_ASSERT_OK(WriteFileAtomically(fs_, Path("EMPTY"), ""));
  EXPECT_EQ(*ReadFileToString(fs_, Path("EMPTY")), "");
  // No temporary file is left behind.
  EXPECT_EQ(Children(), (std::vector<std::string>{"CURRENT", "EMPTY"}));
}

// A reader opened before a file is replaced keeps reading what it opened,
// as an open POSIX file descriptor does.
TEST_P(FileSystemTest, OpenReaderKeepsItsSnapshotAcrossReplacement) {
  FS_ASSERT_OK(WriteFileAtomically(fs_, Path("f"), "version one"));
  auto reader = fs_->NewRandomAccessFile(Path("f"));
  ASSERT_TRUE(reader.ok());
  FS_ASSERT_OK(WriteFileAtomically(fs_, Path("f"), "version two, longer"));
  char scratch[64];
  absl::StatusOr<std::string_view> got = (*reader)->Read(0, 64, scratch);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, "version one");
  EXPECT_EQ((*reader)->Size(), 11u);
  // And after the file is deleted.
  FS_ASSERT_OK(fs_->DeleteFile(Path("f")));
  got = (*reader)->Read(8, 64, scratch);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, "one");
}

// The in-memory file system only: a reader opened while the file is being
// written sees the bytes that were there when it opened.
TEST(MemFileSystemTest, ReaderSnapshotsAFileBeingWritten) {
  std::unique_ptr<FileSystem> fs = NewMemFileSystem();
  FS_ASSERT_OK(fs->CreateDir("/d"));
  auto writer = fs->NewWritableFile("/d/f");
  ASSERT_TRUE(writer.ok());
  FS_ASSERT_OK((*writer)->Append("abc"));
  auto reader = fs->NewRandomAccessFile("/d/f");
  ASSERT_TRUE(reader.ok());
  FS_ASSERT_OK((*writer)->Append("def"));
  char scratch[8];
  EXPECT_EQ(*(*reader)->Read(0, 8, scratch), "abc");
  EXPECT_EQ(*ReadFileToString(fs.get(), "/d/f"), "abcdef");
}

TEST(MemFileSystemTest, FileSystemsAreIndependent) {
  std::unique_ptr<FileSystem> a = NewMemFileSystem();
  std::unique_ptr<FileSystem> b = NewMemFileSystem();
  FS_ASSERT_OK(a->CreateDir("/d"));
  FS_ASSERT_OK(WriteFileAtomically(a.get(), "/d/f", "x"));
  EXPECT_TRUE(a->FileExists("/d/f"));
  EXPECT_FALSE(b->FileExists("/d/f"));
}

}  // namespace
}  // namespace mesa
