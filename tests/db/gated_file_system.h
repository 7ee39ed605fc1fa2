// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// A FileSystem for tests that can hold every read at a gate: a commit
// never reads, a compaction always does, so a closed gate stops background
// compaction at a known point while commits go on.
//
// Thread safety: as any FileSystem; Close() and Open() may be called from
// any thread.

#ifndef MESA_TESTS_DB_GATED_FILE_SYSTEM_H_
#define MESA_TESTS_DB_GATED_FILE_SYSTEM_H_

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "mesa/file_system.h"
#include "tests/testing/forwarding_file_system.h"

namespace mesa::testing {

class GatedFileSystem final : public ForwardingFileSystem {
 public:
  explicit GatedFileSystem(std::unique_ptr<FileSystem> base)
      : ForwardingFileSystem(base.get()), owned_(std::move(base)) {}

  // Reads wait from now on, until Open().
  void Close() {
    std::lock_guard<std::mutex> l(mu_);
    closed_ = true;
  }
  void Open() {
    std::lock_guard<std::mutex> l(mu_);
    closed_ = false;
    cv_.notify_all();
  }
  // Waits until some read is held at the gate; false after `timeout`.
  bool WaitForWaiter(std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> l(mu_);
    return cv_.wait_for(l, timeout, [&] { return waiting_ > 0; });
  }

  absl::StatusOr<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(
      const std::string& path) override {
    auto file = ForwardingFileSystem::NewRandomAccessFile(path);
    if (!file.ok()) return file.status();
    return std::unique_ptr<RandomAccessFile>(
        new GatedFile(this, std::move(*file)));
  }

 private:
  class GatedFile final : public RandomAccessFile {
   public:
    GatedFile(GatedFileSystem* fs, std::unique_ptr<RandomAccessFile> base)
        : fs_(fs), base_(std::move(base)) {}
    absl::StatusOr<std::string_view> Read(uint64_t offset, size_t n,
                                          char* scratch) const override {
      fs_->Pass();
      return base_->Read(offset, n, scratch);
    }
    uint64_t Size() const override { return base_->Size(); }
    const std::string& path() const override { return base_->path(); }

   private:
    GatedFileSystem* fs_;
    std::unique_ptr<RandomAccessFile> base_;
  };

  void Pass() {
    std::unique_lock<std::mutex> l(mu_);
    if (!closed_) return;
    ++waiting_;
    cv_.notify_all();
    cv_.wait(l, [&] { return !closed_; });
    --waiting_;
  }

  std::unique_ptr<FileSystem> owned_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool closed_ = false;
  int waiting_ = 0;
};

}  // namespace mesa::testing

#endif  // MESA_TESTS_DB_GATED_FILE_SYSTEM_H_
