// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// Options of the on-disk format that a user chooses per table.
//
// Thread safety: plain values.

#ifndef MESA_OPTIONS_H_
#define MESA_OPTIONS_H_

#include <cstddef>
#include <cstdint>

#include "absl/status/status.h"

namespace mesa {

// How column chunks are compressed. The numbers are stored on disk.
enum class Codec : uint8_t {
  kNone = 0,
  kSnappy = 1,
  kZstd = 2,
};

// How a table's delta files are written.
struct DeltaFileOptions {
  // Rows are cut into blocks of about this much raw data (8 bytes per
  // number, a string's length per string). Default: 64 KiB
  size_t block_size = 64 * 1024;
  // Default: kZstd
  Codec codec = Codec::kZstd;
  // ZSTD's level, 1 (fastest) to 19. Default: 1
  int zstd_level = 1;
  // Bytes of a block's first key kept in the sparse index, 1..255.
  // Default: 36 (as Doris)
  size_t short_key_length = 36;
  // Bits per row of the per-file Bloom filter on the full key (10 gives
  // about 1 % false positives); 0 writes none. The filter saves a block
  // read for each delta a point lookup misses, at 1.25 bytes per row and
  // a hash per row written at 10 bits: worth it for point-lookup-heavy
  // tables with many deltas. Default: 0 (off, as Doris)
  int bloom_bits_per_key = 0;

  // InvalidArgument naming the field when a value is out of range.
  absl::Status Validate() const;
};

}  // namespace mesa

#endif  // MESA_OPTIONS_H_
