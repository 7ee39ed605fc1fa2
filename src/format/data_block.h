// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// Data blocks (docs/format.md, "Data block"): a block header, one
// separately compressed chunk per column, and a checksum over all of it.

#ifndef MESA_FORMAT_DATA_BLOCK_H_
#define MESA_FORMAT_DATA_BLOCK_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "mesa/options.h"
#include "mesa/row_batch.h"
#include "src/format/column_encoding.h"

namespace mesa::internal {

// What a writer remembers of each column's chunks from block to block
// (docs/format.md, "The writer's choice"): the first kTrialBlocks blocks of
// a file, and then every kTrialBlocks-th, try every encoding; the blocks
// between encode each column as its last trial chose (encoding and codec),
// unless the column's sketch (column_encoding.h) is not alike the trial's
// or the chunk comes out more than 1/16 larger per row than at the trial:
// then it tries them all again.
struct ChunkChoice {
  bool valid = false;
  Encoding encoding = Encoding::kPlain;
  Codec codec = Codec::kNone;
  double bytes_per_row = 0;  // stored, at the trial
  ColumnSketch sketch;       // of the trial's chunk
};
struct BlockChoices {
  static constexpr uint64_t kTrialBlocks = 8;
  uint64_t blocks = 0;  // encoded so far
  std::vector<ChunkChoice> columns;
};

// Appends the block holding every row of `rows` to `dst`. With `choices`
// (one per file, updated), most blocks reuse the previous choice of each
// column's encoding; without, every chunk tries every encoding.
// `sketches`, if given, holds SketchColumn of each column of `rows` (a
// caller that needs them too, for zone maps, computes them once).
void EncodeBlock(const RowBatch& rows, Codec codec, int level,
                 std::string* dst, BlockChoices* choices = nullptr,
                 const std::vector<ColumnSketch>* sketches = nullptr);

// One column chunk of a stored block, located but not decoded.
struct ChunkInfo {
  Encoding encoding = Encoding::kPlain;
  Codec codec = Codec::kNone;
  uint64_t raw_size = 0;
  std::string_view payload;
};

struct ParsedBlock {
  uint64_t row_count = 0;
  std::vector<ChunkInfo> chunks;
};

// Verifies the block's checksum and locates its chunks. `expected_rows` and
// `num_columns` come from the index and schema; any disagreement is
// DataLoss. Messages say what failed; the caller adds file and block.
absl::StatusOr<ParsedBlock> ParseBlock(std::string_view stored,
                                       uint64_t expected_rows,
                                       size_t num_columns);

// Decompresses and decodes one chunk into `out` (cleared first), a column
// of the chunk's type. `scratch` is reused across calls.
absl::Status DecodeChunk(const ChunkInfo& chunk, uint64_t rows,
                         std::string* scratch, ColumnVector* out);

}  // namespace mesa::internal

#endif  // MESA_FORMAT_DATA_BLOCK_H_
