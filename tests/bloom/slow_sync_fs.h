// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// A FileSystem that forwards to another and sleeps in every SyncDir, so a
// commit takes long enough for concurrent writers to queue behind it (the
// store's group commit).

#ifndef MESA_TESTS_BLOOM_SLOW_SYNC_FS_H_
#define MESA_TESTS_BLOOM_SLOW_SYNC_FS_H_

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "mesa/file_system.h"

namespace mesa::testing {

class SlowSyncFileSystem final : public FileSystem {
 public:
  // Wraps `base` (not owned).
  SlowSyncFileSystem(FileSystem* base, std::chrono::milliseconds delay)
      : base_(base), delay_(delay) {}

  absl::StatusOr<std::unique_ptr<WritableFile>> NewWritableFile(
      const std::string& path) override {
    return base_->NewWritableFile(path);
  }
  absl::StatusOr<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(
      const std::string& path) override {
    return base_->NewRandomAccessFile(path);
  }
  absl::Status RenameFile(const std::string& from,
                          const std::string& to) override {
    return base_->RenameFile(from, to);
  }
  absl::Status DeleteFile(const std::string& path) override {
    return base_->DeleteFile(path);
  }
  absl::Status CreateDir(const std::string& path) override {
    return base_->CreateDir(path);
  }
  absl::Status SyncDir(const std::string& path) override {
    std::this_thread::sleep_for(delay_);
    return base_->SyncDir(path);
  }
  absl::StatusOr<uint64_t> GetFileSize(const std::string& path) override {
    return base_->GetFileSize(path);
  }
  bool FileExists(const std::string& path) override {
    return base_->FileExists(path);
  }
  absl::StatusOr<std::vector<std::string>> GetChildren(
      const std::string& path) override {
    return base_->GetChildren(path);
  }

 private:
  FileSystem* base_;
  std::chrono::milliseconds delay_;
};

}  // namespace mesa::testing

#endif  // MESA_TESTS_BLOOM_SLOW_SYNC_FS_H_
