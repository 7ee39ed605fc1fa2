// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.

#include "src/db/table_options_coding.h"

#include "fmt/format.h"
#include "src/util/coding.h"
#include "src/util/status_macros.h"

namespace mesa::internal {

std::string EncodeTableOptions(const TableOptions& options) {
  const DeltaFileOptions& d = options.delta_file;
  std::string out;
  PutFixed8(&out, 1);
  PutVarint64(&out, d.block_size);
  PutFixed8(&out, static_cast<uint8_t>(d.codec));
  PutSignedVarint64(&out, d.zstd_level);
  PutVarint64(&out, d.short_key_length);
  PutVarint64(&out, static_cast<uint64_t>(d.bloom_bits_per_key));
  return out;
}

absl::StatusOr<TableOptions> DecodeTableOptions(std::string_view bytes) {
  Decoder in(bytes);
  uint8_t version, codec;
  uint64_t block_size, short_key, bloom;
  int64_t level;
  if (!in.GetFixed8(&version) || version != 1 ||
      !in.GetVarint64(&block_size) || !in.GetFixed8(&codec) ||
      !in.GetSignedVarint64(&level) || !in.GetVarint64(&short_key) ||
      !in.GetVarint64(&bloom) || !in.empty() || level < -1000 ||
      level > 1000 || bloom > 64) {
    return absl::DataLossError("malformed table options in the manifest");
  }
  TableOptions options;
  options.delta_file.block_size = block_size;
  options.delta_file.codec = static_cast<Codec>(codec);
  options.delta_file.zstd_level = static_cast<int>(level);
  options.delta_file.short_key_length = short_key;
  options.delta_file.bloom_bits_per_key = static_cast<int>(bloom);
  absl::Status s = options.delta_file.Validate();
  if (!s.ok()) {
    return absl::DataLossError(fmt::format(
        "table options in the manifest: {}", StatusMessage(s)));
  }
  return options;
}

}  // namespace mesa::internal
