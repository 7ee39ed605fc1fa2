// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// FaultInjectionFileSystem over the in-memory and the POSIX file systems.

#include "tests/testing/fault_injection_fs.h"

#include <memory>
#include <string>

#include "gtest/gtest.h"
#include "mesa/file_system.h"
#include "tests/testing/test_util.h"

#define FI_ASSERT_OK(expr)            \
  do {                                \
    absl::Status fi_s_ = (expr);      \
    ASSERT_TRUE(fi_s_.ok()) << fi_s_; \
  } while (0)

namespace mesa::testing {
namespace {

enum class BaseKind { kMem, kPosix };

class FaultInjectionTest : public ::testing::TestWithParam<BaseKind> {
 protected:
  void SetUp() override {
    if (GetParam() == BaseKind::kMem) {
      mem_ = NewMemFileSystem();
      base_ = mem_.get();
      root_ = "/fi";
      FI_ASSERT_OK(base_->CreateDir(root_));
    } else {
      base_ = DefaultFileSystem();
      root_ = NewTempDir("fault_injection");
    }
    dir_ = root_ + "/db";
    FI_ASSERT_OK(base_->CreateDir(dir_));
    fs_ = std::make_unique<FaultInjectionFileSystem>(base_);
  }

  std::string Path(const std::string& name) const { return dir_ + "/" + name; }

  // Creates `name` with `data`; syncs the data if `sync`.
  absl::Status Write(const std::string& name, const std::string& data,
                     bool sync) {
    auto file = fs_->NewWritableFile(Path(name));
    if (!file.ok()) return file.status();
    if (auto s = (*file)->Append(data); !s.ok()) return s;
    if (sync) {
      if (auto s = (*file)->Sync(); !s.ok()) return s;
    }
    return (*file)->Close();
  }

  // The contents of `name` as the wrapped file system has it, or
  // "<missing>".
  std::string Contents(const std::string& name) {
    if (!base_->FileExists(Path(name))) return "<missing>";
    absl::StatusOr<std::string> data = ReadFileToString(base_, Path(name));
    return data.ok() ? *data : data.status().ToString();
  }

  absl::Status Crash() { return fs_->DropUnsyncedData(); }

  std::unique_ptr<FileSystem> mem_;
  FileSystem* base_ = nullptr;
  std::string root_, dir_;
  std::unique_ptr<FaultInjectionFileSystem> fs_;
};

INSTANTIATE_TEST_SUITE_P(Bases, FaultInjectionTest,
                         ::testing::Values(BaseKind::kMem, BaseKind::kPosix),
                         [](const ::testing::TestParamInfo<BaseKind>& info) {
                           return info.param == BaseKind::kMem ? "Mem"
                                                               : "Posix";
                         });

// ------------------------------------------------------------- faults

TEST_P(FaultInjectionTest, PassesThroughAndCountsEveryMutation) {
  EXPECT_EQ(fs_->mutation_count(), 0u);
  FI_ASSERT_OK(Write("a", "hello", /*sync=*/true));  // new, append, sync, close
  EXPECT_EQ(fs_->mutation_count(), 4u);
  FI_ASSERT_OK(fs_->RenameFile(Path("a"), Path("b")));
  FI_ASSERT_OK(fs_->SyncDir(dir_));
  FI_ASSERT_OK(fs_->CreateDir(dir_ + "/sub"));
  FI_ASSERT_OK(fs_->DeleteFile(Path("b")));
  EXPECT_EQ(fs_->mutation_count(), 8u);
  // Reads are not counted.
  EXPECT_FALSE(fs_->FileExists(Path("b")));
  EXPECT_TRUE(fs_->FileExists(dir_ + "/sub"));
  EXPECT_TRUE(fs_->GetChildren(dir_).ok());
  EXPECT_EQ(fs_->mutation_count(), 8u);
  EXPECT_EQ(fs_->faults_injected(), 0u);
}

TEST_P(FaultInjectionTest, FailsTheArmedMutationOnly) {
  fs_->FailMutation(2);
  auto file = fs_->NewWritableFile(Path("a"));  // op 1
  ASSERT_TRUE(file.ok());
  absl::Status s = (*file)->Append("x");  // op 2
  EXPECT_EQ(s.code(), absl::StatusCode::kInternal);
  EXPECT_EQ(s.message(), "injected fault at op 2: Append " + Path("a"));
  FI_ASSERT_OK((*file)->Append("yz"));  // op 3
  FI_ASSERT_OK((*file)->Close());
  EXPECT_EQ(fs_->faults_injected(), 1u);
  // The failed append did nothing.
  EXPECT_EQ(Contents("a"), "yz");
}

TEST_P(FaultInjectionTest, StickyFaultFailsEveryLaterMutation) {
  FI_ASSERT_OK(Write("a", "data", true));
  fs_->FailMutation(fs_->mutation_count() + 1, /*sticky=*/true);
  EXPECT_FALSE(fs_->NewWritableFile(Path("b")).ok());
  EXPECT_FALSE(fs_->RenameFile(Path("a"), Path("c")).ok());
  EXPECT_FALSE(fs_->DeleteFile(Path("a")).ok());
  EXPECT_FALSE(fs_->SyncDir(dir_).ok());
  EXPECT_FALSE(fs_->CreateDir(dir_ + "/sub").ok());
  EXPECT_EQ(fs_->faults_injected(), 5u);
  // Reads still work.
  absl::StatusOr<std::string> read = ReadFileToString(fs_.get(), Path("a"));
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(*read, "data");
  fs_->ClearFaults();
  FI_ASSERT_OK(fs_->DeleteFile(Path("a")));
}

TEST_P(FaultInjectionTest, FailedMutationsChangeNothing) {
  FI_ASSERT_OK(Write("a", "old", true));
  FI_ASSERT_OK(fs_->SyncDir(dir_));
  auto fail_next = [&] { fs_->FailMutation(fs_->mutation_count() + 1); };

  fail_next();
  EXPECT_FALSE(fs_->NewWritableFile(Path("a")).ok());
  EXPECT_EQ(Contents("a"), "old");  // not truncated
  fail_next();
  EXPECT_FALSE(fs_->NewWritableFile(Path("n")).ok());
  EXPECT_EQ(Contents("n"), "<missing>");
  fail_next();
  EXPECT_FALSE(fs_->RenameFile(Path("a"), Path("b")).ok());
  EXPECT_EQ(Contents("a"), "old");
  EXPECT_EQ(Contents("b"), "<missing>");
  fail_next();
  EXPECT_FALSE(fs_->DeleteFile(Path("a")).ok());
  EXPECT_EQ(Contents("a"), "old");
  fail_next();
  EXPECT_FALSE(fs_->CreateDir(dir_ + "/sub").ok());
  EXPECT_FALSE(base_->FileExists(dir_ + "/sub"));

  // A failed Sync makes nothing durable; a failed SyncDir neither.
  auto file = fs_->NewWritableFile(Path("c"));
  ASSERT_TRUE(file.ok());
  FI_ASSERT_OK((*file)->Append("unsynced"));
  fail_next();
  EXPECT_FALSE((*file)->Sync().ok());
  fail_next();
  EXPECT_FALSE(fs_->SyncDir(dir_).ok());
  fail_next();
  EXPECT_FALSE((*file)->Close().ok());
  EXPECT_EQ(fs_->faults_injected(), 8u);
  FI_ASSERT_OK(Crash());
  EXPECT_EQ(Contents("c"), "<missing>");
  EXPECT_EQ(Contents("a"), "old");
}

// ------------------------------------------------------------- crashes

TEST_P(FaultInjectionTest, CrashDropsTheUnsyncedTail) {
  auto file = fs_->NewWritableFile(Path("log"));
  ASSERT_TRUE(file.ok());
  FI_ASSERT_OK((*file)->Append("abc"));
  FI_ASSERT_OK((*file)->Sync());
  FI_ASSERT_OK((*file)->Append("def"));
  FI_ASSERT_OK(fs_->SyncDir(dir_));
  FI_ASSERT_OK((*file)->Close());
  EXPECT_EQ(Contents("log"), "abcdef");
  FI_ASSERT_OK(Crash());
  EXPECT_EQ(Contents("log"), "abc");
}

TEST_P(FaultInjectionTest, CrashRemovesFilesOfUnsyncedDirectories) {
  FI_ASSERT_OK(Write("synced_data_only", "x", /*sync=*/true));
  FI_ASSERT_OK(Crash());
  EXPECT_EQ(Contents("synced_data_only"), "<missing>");
}

TEST_P(FaultInjectionTest, SyncDirMakesTheEntryDurable) {
  // The entry is durable before the data is: an empty file survives.
  auto file = fs_->NewWritableFile(Path("f"));
  ASSERT_TRUE(file.ok());
  FI_ASSERT_OK(fs_->SyncDir(dir_));
  FI_ASSERT_OK((*file)->Append("late"));
  FI_ASSERT_OK(Crash());
  EXPECT_EQ(Contents("f"), "");

  // Data synced after the entry: both survive.
  file = fs_->NewWritableFile(Path("g"));
  ASSERT_TRUE(file.ok());
  FI_ASSERT_OK(fs_->SyncDir(dir_));
  FI_ASSERT_OK((*file)->Append("both"));
  FI_ASSERT_OK((*file)->Sync());
  FI_ASSERT_OK(Crash());
  EXPECT_EQ(Contents("g"), "both");
}

TEST_P(FaultInjectionTest, SyncDirCoversOnlyItsOwnDirectory) {
  const std::string other = root_ + "/other";
  FI_ASSERT_OK(fs_->CreateDir(other));
  FI_ASSERT_OK(Write("in_db", "1", true));
  FI_ASSERT_OK(WriteFileAtomically(fs_.get(), other + "/atomic", "2"));
  auto file = fs_->NewWritableFile(other + "/plain");
  ASSERT_TRUE(file.ok());
  FI_ASSERT_OK((*file)->Append("3"));
  FI_ASSERT_OK((*file)->Sync());
  FI_ASSERT_OK((*file)->Close());
  FI_ASSERT_OK(fs_->SyncDir(dir_ + "/"));  // a trailing slash is the same
  FI_ASSERT_OK(Crash());
  EXPECT_EQ(Contents("in_db"), "1");
  EXPECT_EQ(*ReadFileToString(base_, other + "/atomic"), "2");
  EXPECT_FALSE(base_->FileExists(other + "/plain"));
}

TEST_P(FaultInjectionTest, CrashRevertsAnUnsyncedRename) {
  FI_ASSERT_OK(Write("current", "v1", true));
  FI_ASSERT_OK(Write("next", "v2", true));
  FI_ASSERT_OK(fs_->SyncDir(dir_));
  FI_ASSERT_OK(fs_->RenameFile(Path("next"), Path("current")));
  EXPECT_EQ(Contents("current"), "v2");
  EXPECT_EQ(Contents("next"), "<missing>");
  FI_ASSERT_OK(Crash());
  EXPECT_EQ(Contents("current"), "v1");
  EXPECT_EQ(Contents("next"), "v2");
}

TEST_P(FaultInjectionTest, CrashKeepsASyncedRename) {
  FI_ASSERT_OK(Write("current", "v1", true));
  FI_ASSERT_OK(Write("next", "v2", true));
  FI_ASSERT_OK(fs_->SyncDir(dir_));
  FI_ASSERT_OK(fs_->RenameFile(Path("next"), Path("current")));
  FI_ASSERT_OK(fs_->SyncDir(dir_));
  FI_ASSERT_OK(Crash());
  EXPECT_EQ(Contents("current"), "v2");
  EXPECT_EQ(Contents("next"), "<missing>");
}

TEST_P(FaultInjectionTest, CrashRevertsRenameChainsAndSwaps) {
  FI_ASSERT_OK(Write("a", "A", true));
  FI_ASSERT_OK(Write("b", "B", true));
  FI_ASSERT_OK(fs_->SyncDir(dir_));
  // Swap a and b through t, then move a along a chain.
  FI_ASSERT_OK(fs_->RenameFile(Path("a"), Path("t")));
  FI_ASSERT_OK(fs_->RenameFile(Path("b"), Path("a")));
  FI_ASSERT_OK(fs_->RenameFile(Path("t"), Path("b")));
  FI_ASSERT_OK(fs_->RenameFile(Path("a"), Path("c")));
  FI_ASSERT_OK(fs_->RenameFile(Path("c"), Path("d")));
  EXPECT_EQ(Contents("b"), "A");
  EXPECT_EQ(Contents("d"), "B");
  FI_ASSERT_OK(Crash());
  EXPECT_EQ(Contents("a"), "A");
  EXPECT_EQ(Contents("b"), "B");
  EXPECT_EQ(Contents("c"), "<missing>");
  EXPECT_EQ(Contents("d"), "<missing>");
  EXPECT_EQ(Contents("t"), "<missing>");
}

TEST_P(FaultInjectionTest, CrashRevertsAnUnsyncedDelete) {
  FI_ASSERT_OK(Write("keep", "kept", true));
  FI_ASSERT_OK(Write("gone", "deleted", true));
  FI_ASSERT_OK(fs_->SyncDir(dir_));
  FI_ASSERT_OK(fs_->DeleteFile(Path("keep")));
  FI_ASSERT_OK(Crash());
  EXPECT_EQ(Contents("keep"), "kept");

  FI_ASSERT_OK(fs_->DeleteFile(Path("gone")));
  FI_ASSERT_OK(fs_->SyncDir(dir_));
  FI_ASSERT_OK(Crash());
  EXPECT_EQ(Contents("gone"), "<missing>");
  EXPECT_EQ(Contents("keep"), "kept");
}

TEST_P(FaultInjectionTest, CrashRevertsAnUnsyncedRecreate) {
  FI_ASSERT_OK(Write("f", "v1", true));
  FI_ASSERT_OK(fs_->SyncDir(dir_));
  FI_ASSERT_OK(Write("f", "v2-longer", true));  // truncates and rewrites
  FI_ASSERT_OK(Crash());
  EXPECT_EQ(Contents("f"), "v1");

  FI_ASSERT_OK(Write("f", "v3", true));
  FI_ASSERT_OK(fs_->SyncDir(dir_));
  FI_ASSERT_OK(Crash());
  EXPECT_EQ(Contents("f"), "v3");
}

TEST_P(FaultInjectionTest, PreexistingFilesAreDurable) {
  // Written behind the wrapper, before it touches them.
  ASSERT_TRUE(WriteFileAtomically(base_, Path("old1"), "one").ok());
  ASSERT_TRUE(WriteFileAtomically(base_, Path("old2"), "two").ok());
  FI_ASSERT_OK(fs_->DeleteFile(Path("old1")));
  FI_ASSERT_OK(fs_->RenameFile(Path("old2"), Path("moved")));
  FI_ASSERT_OK(Crash());
  EXPECT_EQ(Contents("old1"), "one");
  EXPECT_EQ(Contents("old2"), "two");
  EXPECT_EQ(Contents("moved"), "<missing>");
}

TEST_P(FaultInjectionTest, FilesOpenedBeforeACrashAreDead) {
  auto file = fs_->NewWritableFile(Path("f"));
  ASSERT_TRUE(file.ok());
  FI_ASSERT_OK(fs_->SyncDir(dir_));
  FI_ASSERT_OK(Crash());
  EXPECT_EQ((*file)->Append("x").code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ((*file)->Sync().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ((*file)->Close().code(), absl::StatusCode::kFailedPrecondition);
  file->reset();
  EXPECT_EQ(Contents("f"), "");
  // Life goes on after a crash, and a second crash works too.
  FI_ASSERT_OK(WriteFileAtomically(fs_.get(), Path("g"), "after"));
  FI_ASSERT_OK(Write("h", "unsynced dir", true));
  FI_ASSERT_OK(Crash());
  EXPECT_EQ(Contents("g"), "after");
  EXPECT_EQ(Contents("h"), "<missing>");
}

// The pattern a crash test follows, on WriteFileAtomically: whichever
// mutation fails, after the crash the file holds the old or the new
// contents, never anything else, and the new ones if the call succeeded.
TEST_P(FaultInjectionTest, WriteFileAtomicallyIsAtomicAtEveryCrashPoint) {
  FI_ASSERT_OK(WriteFileAtomically(fs_.get(), Path("CURRENT"), "v1"));
  bool completed = false;
  uint64_t crash_points = 0;
  for (uint64_t n = 1; !completed; ++n) {
    ASSERT_LT(n, 20u) << "WriteFileAtomically never completed";
    fs_->FailMutation(fs_->mutation_count() + n, /*sticky=*/true);
    absl::Status s = WriteFileAtomically(fs_.get(), Path("CURRENT"), "v2");
    completed = fs_->faults_injected() == 0;
    if (!completed) {
      ++crash_points;
      EXPECT_FALSE(s.ok()) << "a fault was injected but not reported: " << n;
    }
    FI_ASSERT_OK(Crash());
    fs_->ClearFaults();
    std::string got = Contents("CURRENT");
    if (s.ok()) {
      EXPECT_EQ(got, "v2") << "fault at op " << n;
    } else {
      EXPECT_TRUE(got == "v1" || got == "v2") << got << " at op " << n;
    }
    // Back to v1, durably, with a fresh fault counter.
    FI_ASSERT_OK(WriteFileAtomically(fs_.get(), Path("CURRENT"), "v1"));
    fs_ = std::make_unique<FaultInjectionFileSystem>(base_);
  }
  // NewWritableFile, Append, Sync, Close, RenameFile, SyncDir.
  EXPECT_EQ(crash_points, 6u);
}

}  // namespace
}  // namespace mesa::testing
