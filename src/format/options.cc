// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.

#include "fmt/format.h"
#include "mesa/options.h"

namespace mesa {

absl::Status DeltaFileOptions::Validate() const {
  if (block_size < 64 || block_size > (size_t{64} << 20)) {
    return absl::InvalidArgumentError(fmt::format(
        "DeltaFileOptions.block_size {} is outside [64 B, 64 MiB]",
        block_size));
  }
  if (static_cast<uint8_t>(codec) > 2) {
    return absl::InvalidArgumentError(fmt::format(
        "DeltaFileOptions.codec {} is not a codec",
        static_cast<int>(codec)));
  }
  if (codec == Codec::kZstd && (zstd_level < 1 || zstd_level > 19)) {
    return absl::InvalidArgumentError(fmt::format(
        "DeltaFileOptions.zstd_level {} is outside [1, 19]", zstd_level));
  }
  if (short_key_length < 1 || short_key_length > 255) {
    return absl::InvalidArgumentError(fmt::format(
        "DeltaFileOptions.short_key_length {} is outside [1, 255]",
        short_key_length));
  }
  if (bloom_bits_per_key < 0 || bloom_bits_per_key > 64) {
    return absl::InvalidArgumentError(fmt::format(
        "DeltaFileOptions.bloom_bits_per_key {} is outside [0, 64]",
        bloom_bits_per_key));
  }
  return absl::OkStatus();
}

}  // namespace mesa
