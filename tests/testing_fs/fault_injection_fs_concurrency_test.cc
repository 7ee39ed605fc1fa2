// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// FaultInjectionFileSystem used from many threads at once, then crashed.

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "mesa/file_system.h"
#include "tests/testing/fault_injection_fs.h"

namespace mesa::testing {
namespace {

TEST(FaultInjectionConcurrencyTest, WritersReadersAndACrash) {
  FaultInjectionFileSystem fs(NewMemFileSystem());
  ASSERT_TRUE(fs.CreateDir("/db").ok());
  constexpr int kThreads = 4;
  constexpr int kFiles = 25;
  std::atomic<int> errors{0};
  std::atomic<bool> done{false};

  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kFiles; ++i) {
        // One durable file and one whose directory entry is never synced
        // by this thread (another thread's SyncDir may sync it).
        std::string name = absl::StrCat("/db/t", t, "_", i);
        if (!WriteFileAtomically(&fs, name, name).ok()) ++errors;
        auto file = fs.NewWritableFile(name + ".unsynced");
        if (!file.ok() || !(*file)->Append("x").ok() || !(*file)->Close().ok()) {
          ++errors;
        }
      }
    });
  }
  std::thread reader([&] {
    while (!done.load()) {
      auto names = fs.GetChildren("/db");
      if (!names.ok()) ++errors;
      (void)fs.mutation_count();
      std::this_thread::yield();
    }
  });
  for (std::thread& t : threads) t.join();
  done = true;
  reader.join();
  ASSERT_EQ(errors.load(), 0);
  // 4 mutations for the temporary file, a rename and a SyncDir, then 3 for
  // the unsynced file, per file.
  EXPECT_EQ(fs.mutation_count(), 1u + kThreads * kFiles * 9u);

  ASSERT_TRUE(fs.DropUnsyncedData().ok());
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kFiles; ++i) {
      std::string name = absl::StrCat("/db/t", t, "_", i);
      auto data = ReadFileToString(&fs, name);
      ASSERT_TRUE(data.ok()) << name;
      EXPECT_EQ(*data, name);
      // Never synced data: if its entry survived, it is empty.
      if (fs.FileExists(name + ".unsynced")) {
        EXPECT_EQ(*fs.GetFileSize(name + ".unsynced"), 0u);
      }
    }
  }
}

}  // namespace
}  // namespace mesa::testing
