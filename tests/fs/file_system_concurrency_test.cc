// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// Readers of a file that another thread keeps replacing, on both
// FileSystems: every read sees one whole version, and a reader keeps the
// version it opened however often the file is replaced.

#include <atomic>
#include <memory>
#include <string>
#include <chrono>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "mesa/file_system.h"
#include "tests/testing/test_util.h"

namespace mesa {
namespace {

enum class FsKind { kMem, kPosix };

// Version n: a 6-digit header, then a body whose length and byte depend
// on n, so a torn or mixed read cannot pass for a version.
std::string Version(int n) {
  std::string header = absl::StrCat(1000000 + n).substr(1);
  return header + std::string(static_cast<size_t>(100 + (n * 37) % 900),
                              static_cast<char>('a' + n % 26));
}

// The version number `data` is, or -1 if it is not a whole version.
int ParseVersion(const std::string& data) {
  if (data.size() < 6) return -1;
  int n = std::stoi(data.substr(0, 6));
  return data == Version(n) ? n : -1;
}

class FileSystemConcurrencyTest : public ::testing::TestWithParam<FsKind> {};

INSTANTIATE_TEST_SUITE_P(Kinds, FileSystemConcurrencyTest,
                         ::testing::Values(FsKind::kMem, FsKind::kPosix),
                         [](const ::testing::TestParamInfo<FsKind>& info) {
                           return info.param == FsKind::kMem ? "Mem" : "Posix";
                         });

TEST_P(FileSystemConcurrencyTest, ReadersKeepTheirSnapshotWhileReplaced) {
  std::unique_ptr<FileSystem> mem;
  FileSystem* fs;
  std::string dir;
  if (GetParam() == FsKind::kMem) {
    mem = NewMemFileSystem();
    fs = mem.get();
    dir = "/db";
    ASSERT_TRUE(fs->CreateDir(dir).ok());
  } else {
    fs = DefaultFileSystem();
    dir = testing::NewTempDir("fs_concurrency");
  }
  const std::string path = dir + "/f";
  ASSERT_TRUE(WriteFileAtomically(fs, path, Version(0)).ok());

  constexpr int kVersions = 150;
  constexpr int kReaders = 3;
  std::atomic<bool> done{false};
  std::atomic<int> bad_reads{0};
  std::atomic<int> reads{0};

  std::vector<std::thread> readers;
  for (int r = 0; r < kReaders; ++r) {
    readers.emplace_back([&] {
      std::vector<char> scratch(2000);
      int last_seen = 0;
      while (!done.load()) {
        auto file = fs->NewRandomAccessFile(path);
        if (!file.ok()) {
          ++bad_reads;
          continue;
        }
        auto first = (*file)->Read(0, scratch.size(), scratch.data());
        if (!first.ok()) {
          ++bad_reads;
          continue;
        }
        const std::string snapshot(*first);
        int n = ParseVersion(snapshot);
        // Whole, and never older than one seen before.
        if (n < last_seen) ++bad_reads;
        last_seen = std::max(last_seen, n);
        // Let the writer replace the file, then read the snapshot again.
        std::this_thread::yield();
        auto again = (*file)->Read(0, scratch.size(), scratch.data());
        if (!again.ok() || std::string(*again) != snapshot) ++bad_reads;
        ++reads;
      }
    });
  }
  // At least kVersions versions, and on until the readers have done some
  // work: bounded by time, not by a count of versions, because on a loaded
  // machine the readers may not be scheduled until the writer yields.
  int last = 0;
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (last < kVersions ||
         (reads.load() < 300 && std::chrono::steady_clock::now() < deadline)) {
    ++last;
    ASSERT_TRUE(WriteFileAtomically(fs, path, Version(last % 999999)).ok());
    if (last % 64 == 0) std::this_thread::yield();
  }
  done = true;
  for (std::thread& t : readers) t.join();
  EXPECT_EQ(bad_reads.load(), 0);
  EXPECT_GT(reads.load(), 0);
  EXPECT_EQ(ParseVersion(*ReadFileToString(fs, path)), last % 999999);
}

// Many threads writing different files of one directory at once.
TEST_P(FileSystemConcurrencyTest, ConcurrentWritersOfDifferentFiles) {
  std::unique_ptr<FileSystem> mem;
  FileSystem* fs;
  std::string dir;
  if (GetParam() == FsKind::kMem) {
    mem = NewMemFileSystem();
    fs = mem.get();
    dir = "/db";
    ASSERT_TRUE(fs->CreateDir(dir).ok());
  } else {
    fs = DefaultFileSystem();
    dir = testing::NewTempDir("fs_writers");
  }
  constexpr int kThreads = 4;
  constexpr int kFiles = 20;
  std::atomic<int> errors{0};
  std::vector<std::thread> writers;
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; i < kFiles; ++i) {
        std::string name = absl::StrCat(dir, "/t", t, "_", i);
        if (!WriteFileAtomically(fs, name, Version(t * kFiles + i)).ok()) {
          ++errors;
        }
        if (!fs->GetChildren(dir).ok()) ++errors;
      }
    });
  }
  for (std::thread& t : writers) t.join();
  EXPECT_EQ(errors.load(), 0);
  auto children = fs->GetChildren(dir);
  ASSERT_TRUE(children.ok());
  EXPECT_EQ(children->size(), static_cast<size_t>(kThreads * kFiles));
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kFiles; ++i) {
      auto data = ReadFileToString(fs, absl::StrCat(dir, "/t", t, "_", i));
      ASSERT_TRUE(data.ok());
      EXPECT_EQ(ParseVersion(*data), t * kFiles + i);
    }
  }
}

}  // namespace
}  // namespace mesa
