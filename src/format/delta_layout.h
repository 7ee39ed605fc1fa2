// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// The fixed parts of a delta file (docs/format.md, "Delta file"): footer,
// meta section and index section, with their encoders and strict decoders.
// Decoders verify checksums first and return DataLoss naming the section.

#ifndef MESA_FORMAT_DELTA_LAYOUT_H_
#define MESA_FORMAT_DELTA_LAYOUT_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "mesa/options.h"
#include "mesa/schema.h"
#include "src/format/zone_map.h"

namespace mesa::internal {

inline constexpr uint32_t kDeltaFormatVersion = 1;
inline constexpr size_t kFooterSize = 56;
inline constexpr char kDeltaMagic[8] = {'\x89', 'M',    'E',    'S',
                                        'A',    '\x0d', '\x0a', '\x1a'};

struct SectionHandle {
  uint64_t offset = 0;
  uint32_t size = 0;
};

struct Footer {
  SectionHandle meta;
  SectionHandle index;
  SectionHandle bloom;  // size 0: no Bloom filter
  uint32_t format_version = kDeltaFormatVersion;

  void EncodeTo(std::string* dst) const;
  // `bytes` is the last kFooterSize bytes of a file of `file_size` bytes.
  static absl::StatusOr<Footer> Decode(std::string_view bytes,
                                       uint64_t file_size);
};

struct DeltaMetaSection {
  Schema schema;
  uint64_t min_version = 0;
  uint64_t max_version = 0;
  uint64_t row_count = 0;
  uint64_t block_count = 0;
  Codec codec = Codec::kNone;
  int64_t codec_level = 0;
  uint64_t short_key_length = 36;
  std::string min_key;
  std::string max_key;
  std::vector<ZoneMap> zone_maps;  // one per column

  void EncodeTo(std::string* dst) const;
  static absl::StatusOr<DeltaMetaSection> Decode(std::string_view bytes);
};

struct IndexEntry {
  uint64_t offset = 0;
  uint64_t size = 0;
  uint64_t row_count = 0;
  std::string short_key;
  std::vector<ZoneMap> zone_maps;  // one per column
};

// Encodes the index section (entries + checksum).
void EncodeIndex(const std::vector<IndexEntry>& entries, const Schema& schema,
                 std::string* dst);
absl::StatusOr<std::vector<IndexEntry>> DecodeIndex(
    std::string_view bytes, const DeltaMetaSection& meta, uint64_t data_end);

// Appends the schema encoding of docs/format.md ("Meta section").
void EncodeSchema(const Schema& schema, std::string* dst);
absl::StatusOr<Schema> DecodeSchema(Decoder* in);

// Appends XXH3-64 of `*dst`'s bytes from `begin` to its end.
void AppendChecksum(std::string* dst, size_t begin);
// Checks the trailing checksum of a section; returns the bytes before it.
absl::StatusOr<std::string_view> VerifySection(std::string_view bytes,
                                               std::string_view what);

}  // namespace mesa::internal

#endif  // MESA_FORMAT_DELTA_LAYOUT_H_
