// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.

#include "src/db/delta_files.h"

#include <charconv>

#include "fmt/format.h"

namespace mesa::internal {

std::string DeltaFiles::PathOf(uint64_t file_number) const {
  return fmt::format("{}/{}.delta", dir_, file_number);
}

std::optional<uint64_t> DeltaFiles::ParseName(std::string_view name) {
  constexpr std::string_view kSuffix = ".delta";
  if (name.size() <= kSuffix.size() ||
      name.substr(name.size() - kSuffix.size()) != kSuffix) {
    return std::nullopt;
  }
  std::string_view digits = name.substr(0, name.size() - kSuffix.size());
  uint64_t n = 0;
  auto [end, ec] =
      std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (ec != std::errc() || end != digits.data() + digits.size()) {
    return std::nullopt;
  }
  return n;
}

absl::StatusOr<std::shared_ptr<const DeltaReader>> DeltaFiles::Open(
    uint64_t file_number) {
  {
    MutexLock lock(&mu_);
    auto it = open_.find(file_number);
    if (it != open_.end()) return it->second;
  }
  // Open outside the lock: it reads the file's index.
  auto reader = DeltaReader::Open(fs_, PathOf(file_number), cache_.get());
  if (!reader.ok()) return reader.status();
  MutexLock lock(&mu_);
  auto [it, inserted] = open_.emplace(file_number, *reader);
  return it->second;
}

absl::Status DeltaFiles::Delete(uint64_t file_number) {
  std::shared_ptr<const DeltaReader> reader;
  {
    MutexLock lock(&mu_);
    auto it = open_.find(file_number);
    if (it != open_.end()) {
      reader = std::move(it->second);
      open_.erase(it);
    }
  }
  reader.reset();  // closes the file unless a cursor still holds it
  return fs_->DeleteFile(PathOf(file_number));
}

}  // namespace mesa::internal
