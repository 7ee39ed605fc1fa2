// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.

#include "src/format/compression.h"

#include <snappy.h>
#include <zstd.h>

#include <memory>

#include "fmt/format.h"

namespace mesa::internal {
namespace {

struct ZstdContexts {
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  ZSTD_DCtx* dctx = ZSTD_createDCtx();
  ~ZstdContexts() {
    ZSTD_freeCCtx(cctx);
    ZSTD_freeDCtx(dctx);
  }
};

ZstdContexts& ThreadZstd() {
  thread_local ZstdContexts contexts;
  return contexts;
}

}  // namespace

bool ValidCodec(uint8_t code) { return code <= 2; }

void Compress(Codec codec, int level, std::string_view input,
              std::string* dst) {
  size_t old = dst->size();
  switch (codec) {
    case Codec::kNone:
      dst->append(input);
      return;
    case Codec::kSnappy: {
      dst->resize(old + snappy::MaxCompressedLength(input.size()));
      size_t n = 0;
      snappy::RawCompress(input.data(), input.size(), dst->data() + old, &n);
      dst->resize(old + n);
      return;
    }
    case Codec::kZstd: {
      dst->resize(old + ZSTD_compressBound(input.size()));
      size_t n = ZSTD_compressCCtx(ThreadZstd().cctx, dst->data() + old,
                                   dst->size() - old, input.data(),
                                   input.size(), level);
      // Compression into a ZSTD_compressBound buffer cannot fail but for
      // memory exhaustion; fall back to the raw bytes, which the chunk's
      // codec byte then says.
      if (ZSTD_isError(n)) {
        dst->resize(old);
        dst->append(input);
        return;
      }
      dst->resize(old + n);
      return;
    }
  }
}

absl::Status CheckDecompressedSize(Codec codec, std::string_view input,
                                   size_t raw_size) {
  switch (codec) {
    case Codec::kNone:
      if (input.size() == raw_size) return absl::OkStatus();
      break;
    case Codec::kSnappy: {
      size_t n = 0;
      if (snappy::GetUncompressedLength(input.data(), input.size(), &n) &&
          n == raw_size) {
        return absl::OkStatus();
      }
      break;
    }
    case Codec::kZstd: {
      unsigned long long n =
          ZSTD_getFrameContentSize(input.data(), input.size());
      if (n != ZSTD_CONTENTSIZE_UNKNOWN && n != ZSTD_CONTENTSIZE_ERROR &&
          n == raw_size) {
        return absl::OkStatus();
      }
      break;
    }
  }
  return absl::DataLossError(fmt::format(
      "{} payload of {} bytes does not declare the {} decompressed bytes its "
      "chunk header says",
      codec == Codec::kZstd ? "ZSTD"
                            : (codec == Codec::kSnappy ? "Snappy" : "raw"),
      input.size(), raw_size));
}

absl::Status Decompress(Codec codec, std::string_view input, size_t raw_size,
                        char* out) {
  switch (codec) {
    case Codec::kNone:
      if (input.size() != raw_size) {
        return absl::DataLossError(fmt::format(
            "uncompressed payload is {} bytes, header says {}", input.size(),
            raw_size));
      }
      std::memcpy(out, input.data(), raw_size);
      return absl::OkStatus();
    case Codec::kSnappy: {
      size_t n = 0;
      if (!snappy::GetUncompressedLength(input.data(), input.size(), &n) ||
          n != raw_size) {
        return absl::DataLossError(fmt::format(
            "Snappy payload does not decode to the {} bytes the header says",
            raw_size));
      }
      if (!snappy::RawUncompress(input.data(), input.size(), out)) {
        return absl::DataLossError("malformed Snappy payload");
      }
      return absl::OkStatus();
    }
    case Codec::kZstd: {
      size_t n = ZSTD_decompressDCtx(ThreadZstd().dctx, out, raw_size,
                                     input.data(), input.size());
      if (ZSTD_isError(n)) {
        return absl::DataLossError(
            fmt::format("malformed ZSTD payload: {}", ZSTD_getErrorName(n)));
      }
      if (n != raw_size) {
        return absl::DataLossError(fmt::format(
            "ZSTD payload decodes to {} bytes, header says {}", n, raw_size));
      }
      return absl::OkStatus();
    }
  }
  return absl::DataLossError(
      fmt::format("unknown codec {}", static_cast<int>(codec)));
}

}  // namespace mesa::internal
