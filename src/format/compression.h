// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// The block codecs of docs/format.md: none, Snappy, ZSTD. ZSTD contexts are
// reused per thread, so compressing many small column chunks pays the
// context setup once.
//
// Thread safety: stateless functions, safe from any thread.

#ifndef MESA_FORMAT_COMPRESSION_H_
#define MESA_FORMAT_COMPRESSION_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "mesa/options.h"

namespace mesa::internal {

// Appends `input` compressed with `codec` to `dst`. `level` is ZSTD's level
// (ignored by the other codecs).
void Compress(Codec codec, int level, std::string_view input,
              std::string* dst);

// Decompresses `input` (compressed with `codec`) into exactly `raw_size`
// bytes at `out`. DataLoss if the input is malformed or does not decompress
// to exactly `raw_size` bytes.
absl::Status Decompress(Codec codec, std::string_view input, size_t raw_size,
                        char* out);

// Checks, without decompressing, that `input` declares exactly `raw_size`
// decompressed bytes (Snappy's length preamble, ZSTD's frame content
// size). DataLoss otherwise. Cheap: call it before allocating raw_size.
absl::Status CheckDecompressedSize(Codec codec, std::string_view input,
                                   size_t raw_size);

bool ValidCodec(uint8_t code);

}  // namespace mesa::internal

#endif  // MESA_FORMAT_COMPRESSION_H_
