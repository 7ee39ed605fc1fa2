// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// The database's delta files: where each lives, and the open DeltaReaders,
// shared by every reader and compaction that needs them.
//
// Thread safety: safe to use from many threads.

#ifndef MESA_DB_DELTA_FILES_H_
#define MESA_DB_DELTA_FILES_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "mesa/file_system.h"
#include "src/cache/block_cache.h"
#include "src/format/delta_reader.h"
#include "src/util/mutex.h"

namespace mesa::internal {

class DeltaFiles {
 public:
  // `cache` may be null (no block cache).
  DeltaFiles(FileSystem* fs, std::string dir,
             std::shared_ptr<BlockCache> cache = nullptr)
      : fs_(fs), dir_(std::move(dir)), cache_(std::move(cache)) {}

  // "<dir>/<number>.delta".
  std::string PathOf(uint64_t file_number) const;
  // The file number of a name like "12.delta"; nullopt for other names.
  static std::optional<uint64_t> ParseName(std::string_view name);

  // The open reader of a delta file, opening it on first use.
  absl::StatusOr<std::shared_ptr<const DeltaReader>> Open(
      uint64_t file_number);

  // Forgets the reader and deletes the file (the delta is obsolete and no
  // Version refers to it). Errors are returned, not hidden.
  absl::Status Delete(uint64_t file_number);

  FileSystem* fs() const { return fs_; }
  BlockCache* cache() const { return cache_.get(); }
  const std::string& dir() const { return dir_; }

 private:
  FileSystem* const fs_;
  const std::string dir_;
  const std::shared_ptr<BlockCache> cache_;
  Mutex mu_;
  absl::flat_hash_map<uint64_t, std::shared_ptr<const DeltaReader>> open_
      ABSL_GUARDED_BY(mu_);
};

}  // namespace mesa::internal

#endif  // MESA_DB_DELTA_FILES_H_
