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
#include "tests/testing/forwarding_file_system.h"

namespace mesa::testing {

class SlowSyncFileSystem final : public ForwardingFileSystem {
 public:
  // Wraps `base` (not owned).
  SlowSyncFileSystem(FileSystem* base, std::chrono::milliseconds delay)
      : ForwardingFileSystem(base), delay_(delay) {}

  absl::Status SyncDir(const std::string& path) override {
    std::this_thread::sleep_for(delay_);
    return ForwardingFileSystem::SyncDir(path);
  }

 private:
  std::chrono::milliseconds delay_;
};

}  // namespace mesa::testing

#endif  // MESA_TESTS_BLOOM_SLOW_SYNC_FS_H_
