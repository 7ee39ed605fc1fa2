// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.

#include "tests/testing/test_util.h"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>

#include "absl/strings/str_cat.h"

namespace mesa::testing {

std::string NewTempDir(const std::string& name) {
  static std::atomic<int> counter{0};
  const char* base = std::getenv("TEST_TMPDIR");
  std::filesystem::path root =
      base != nullptr ? base : std::filesystem::temp_directory_path();
  std::filesystem::path dir =
      root / absl::StrCat("mesa_", name, "_", ::getpid(), "_", counter++);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

uint64_t TestSeed(uint64_t fallback) {
  const char* env = std::getenv("MESA_TEST_SEED");
  if (env == nullptr) return fallback;
  return std::strtoull(env, nullptr, 0);
}

}  // namespace mesa::testing
