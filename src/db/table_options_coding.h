// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// TableOptions as stored in the manifest's opaque per-table blob
// (docs/format.md, "Table options"): version u8 (1), block_size varint,
// codec u8, zstd_level svarint, short_key_length varint,
// bloom_bits_per_key varint.

#ifndef MESA_DB_TABLE_OPTIONS_CODING_H_
#define MESA_DB_TABLE_OPTIONS_CODING_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "mesa/table.h"

namespace mesa::internal {

std::string EncodeTableOptions(const TableOptions& options);
absl::StatusOr<TableOptions> DecodeTableOptions(std::string_view bytes);

}  // namespace mesa::internal

#endif  // MESA_DB_TABLE_OPTIONS_CODING_H_
