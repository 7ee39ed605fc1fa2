// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// A FileSystem that forwards every call to another: the base of test file
// systems that change one or two calls (hold reads at a gate, slow down
// SyncDir) and pass the rest through.
//
// Thread safety: as the FileSystem it forwards to.

#ifndef MESA_TESTS_TESTING_FORWARDING_FILE_SYSTEM_H_
#define MESA_TESTS_TESTING_FORWARDING_FILE_SYSTEM_H_

#include <memory>
#include <string>
#include <vector>

#include "mesa/file_system.h"

namespace mesa::testing {

class ForwardingFileSystem : public FileSystem {
 public:
  // Forwards to `base` (not owned).
  explicit ForwardingFileSystem(FileSystem* base) : base_(base) {}

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

 protected:
  FileSystem* base() const { return base_; }

 private:
  FileSystem* base_;
};

}  // namespace mesa::testing

#endif  // MESA_TESTS_TESTING_FORWARDING_FILE_SYSTEM_H_
