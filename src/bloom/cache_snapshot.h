// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// The already-read cache snapshot (docs/format.md, "Already-read cache
// snapshot"): a header, chunks of serialized user filters, and an end
// chunk. Each chunk carries its own checksum, verified before a byte of it
// is decoded.

#ifndef MESA_BLOOM_CACHE_SNAPSHOT_H_
#define MESA_BLOOM_CACHE_SNAPSHOT_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "mesa/file_system.h"
#include "src/bloom/user_filter.h"

namespace mesa::internal {

inline constexpr char kSnapshotMagic[8] = {'\x89', 'M',  'A',  'R',
                                           'C',    '\r', '\n', '\x1a'};
inline constexpr uint32_t kSnapshotFormatVersion = 1;
inline constexpr uint8_t kSnapshotItemHashSplitMix = 1;
inline constexpr uint32_t kSnapshotAllShards = 0xFFFFFFFFu;

struct SnapshotHeader {
  uint32_t format_version = kSnapshotFormatVersion;
  uint32_t shard_count = 1;
  uint32_t shard = kSnapshotAllShards;
  std::string name;
};

// Streams user filters to a file: Add() them, then Finish().
class SnapshotWriter {
 public:
  // Writes the header on the first Add() or Finish(). `file` is borrowed.
  SnapshotWriter(WritableFile* file, SnapshotHeader header);

  absl::Status Add(int64_t user, const UserFilter& filter);
  // Writes the last chunk and the end chunk.
  absl::Status Finish();

  uint64_t entries() const { return entries_; }

 private:
  absl::Status Start();
  absl::Status FlushChunk();

  WritableFile* const file_;
  const SnapshotHeader header_;
  bool started_ = false;
  std::string chunk_;  // kind, size placeholder, payload
  uint64_t chunk_entries_ = 0;
  uint64_t entries_ = 0;
  uint64_t chunks_ = 0;
};

struct SnapshotEntry {
  int64_t user = 0;
  std::shared_ptr<UserFilter> filter;
};

// Reads and verifies a whole snapshot. DataLoss names the file and offset
// of the first bad byte range; a newer format version is InvalidArgument.
absl::StatusOr<std::vector<SnapshotEntry>> ReadSnapshot(
    const RandomAccessFile& file, SnapshotHeader* header);

}  // namespace mesa::internal

#endif  // MESA_BLOOM_CACHE_SNAPSHOT_H_
