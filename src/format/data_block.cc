// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.

#include "src/format/data_block.h"

#include "fmt/format.h"
#include "src/format/compression.h"
#include "src/format/delta_layout.h"
#include "src/util/coding.h"
#include "src/util/status_macros.h"

namespace mesa::internal {
namespace {

// Largest raw chunk a reader accepts: far above any real block (the target
// is 64 KiB), low enough that a corrupt size cannot exhaust memory.
constexpr uint64_t kMaxRawChunk = uint64_t{1} << 31;


}  // namespace

void EncodeBlock(const RowBatch& rows, Codec codec, int level,
                 std::string* dst, BlockChoices* choices,
                 const std::vector<ColumnSketch>* sketches) {
  const size_t begin = dst->size();
  const size_t num_columns = rows.num_columns();
  const size_t n = rows.num_rows();
  EncodeOptions options;
  options.byte_aligned_widths = codec == Codec::kZstd;
  // The entropy-coded encodings with ZSTD, the codec chosen for size; with
  // none and Snappy, chosen for speed, the classic encodings decode faster.
  options.entropy_coding = codec == Codec::kZstd;
  bool trial = true;
  if (choices != nullptr) {
    choices->columns.resize(num_columns);
    trial = choices->blocks < BlockChoices::kTrialBlocks ||
            choices->blocks % BlockChoices::kTrialBlocks == 0;
    ++choices->blocks;
  }

  thread_local std::string raw, compressed, runner_up;
  std::string chunks;
  std::vector<uint64_t> chunk_sizes(num_columns);
  for (size_t c = 0; c < num_columns; ++c) {
    const ColumnVector& column = rows.column(c);
    Encoding e = Encoding::kPlain;
    Codec used = Codec::kNone;
    std::string_view payload;
    bool chosen = false;
    ChunkChoice* memory = choices != nullptr ? &choices->columns[c] : nullptr;
    ColumnSketch sketch;
    EncodeOptions column_options = options;
    if (memory != nullptr && n > 0) {
      sketch = sketches != nullptr ? (*sketches)[c] : SketchColumn(column);
      column_options.sketch = &sketch;
    }
    if (!trial && memory->valid && n > 0 &&
        SketchesAlike(sketch, memory->sketch)) {
      // The last trial's encoding and codec, kept if about as small.
      raw.clear();
      if (EncodeColumnAs(memory->encoding, column, column_options, &raw)
              .ok()) {
        e = memory->encoding;
        payload = raw;
        if (memory->codec != Codec::kNone && raw.size() >= 64) {
          compressed.clear();
          Compress(memory->codec, level, raw, &compressed);
          if (compressed.size() < raw.size() - raw.size() / 8) {
            used = memory->codec;
            payload = compressed;
          }
        }
        const double limit = memory->bytes_per_row * static_cast<double>(n);
        chosen = static_cast<double>(payload.size()) <= limit + limit / 16 + 16;
      }
    }
    if (!chosen) {
      raw.clear();
      runner_up.clear();
      Encoding runner_up_encoding;
      e = EncodeColumn(column, column_options, &raw, &runner_up,
                       &runner_up_encoding);
      used = Codec::kNone;
      payload = raw;
      // Entropy-coded bodies are stored as they are: no codec shrinks
      // them. When one wins, the smallest classic body (if less than 1.5
      // times as large) is compressed and kept instead if it ends up
      // smaller.
      std::string_view candidate = raw;
      if (IsEntropyCoded(e)) {
        candidate = runner_up.empty() ? std::string_view() : runner_up;
      }
      if (codec != Codec::kNone && candidate.size() >= 64) {
        compressed.clear();
        Compress(codec, level, candidate, &compressed);
        // Keep compression only when it saves at least 1/8, and a classic
        // runner-up only when it beats the entropy-coded body.
        if (compressed.size() < candidate.size() - candidate.size() / 8 &&
            (!IsEntropyCoded(e) || compressed.size() < raw.size())) {
          used = codec;
          payload = compressed;
          if (IsEntropyCoded(e)) {
            e = runner_up_encoding;
            raw.swap(runner_up);
          }
        }
      }
      if (memory != nullptr && n > 0) {
        *memory = {true, e, used,
                   static_cast<double>(payload.size()) / static_cast<double>(n),
                   sketch};
      }
    }
    size_t chunk_begin = chunks.size();
    PutFixed8(&chunks, static_cast<uint8_t>(e));
    PutFixed8(&chunks, static_cast<uint8_t>(used));
    PutVarint64(&chunks, raw.size());
    chunks.append(payload);
    chunk_sizes[c] = chunks.size() - chunk_begin;
  }
  PutVarint64(dst, n);
  PutVarint64(dst, num_columns);
  for (uint64_t s : chunk_sizes) PutVarint64(dst, s);
  dst->append(chunks);
  AppendChecksum(dst, begin);
}

absl::StatusOr<ParsedBlock> ParseBlock(std::string_view stored,
                                       uint64_t expected_rows,
                                       size_t num_columns) {
  MESA_ASSIGN_OR_RETURN(std::string_view body, VerifySection(stored, "block"));
  Decoder in(body);
  ParsedBlock block;
  uint64_t columns;
  if (!in.GetVarint64(&block.row_count) || !in.GetVarint64(&columns)) {
    return absl::DataLossError("block header truncated");
  }
  if (block.row_count != expected_rows) {
    return absl::DataLossError(
        fmt::format("block holds {} rows, the index says {}", block.row_count,
                    expected_rows));
  }
  if (columns != num_columns) {
    return absl::DataLossError(fmt::format(
        "block holds {} columns, the schema has {}", columns, num_columns));
  }
  std::vector<uint64_t> sizes(num_columns);
  for (size_t c = 0; c < num_columns; ++c) {
    if (!in.GetVarintBounded(body.size(), &sizes[c])) {
      return absl::DataLossError(
          fmt::format("block header: bad size of chunk {}", c));
    }
  }
  block.chunks.resize(num_columns);
  for (size_t c = 0; c < num_columns; ++c) {
    std::string_view chunk_bytes;
    if (!in.GetBytes(sizes[c], &chunk_bytes)) {
      return absl::DataLossError(
          fmt::format("chunk {} runs past the end of the block", c));
    }
    Decoder chunk(chunk_bytes);
    uint8_t encoding, codec;
    ChunkInfo& info = block.chunks[c];
    if (!chunk.GetFixed8(&encoding) || !chunk.GetFixed8(&codec) ||
        !chunk.GetVarintBounded(kMaxRawChunk, &info.raw_size)) {
      return absl::DataLossError(fmt::format("chunk {} header truncated", c));
    }
    if (encoding >= kNumEncodings) {
      return absl::DataLossError(
          fmt::format("chunk {}: unknown encoding {}", c, encoding));
    }
    if (!ValidCodec(codec)) {
      return absl::DataLossError(
          fmt::format("chunk {}: unknown codec {}", c, codec));
    }
    info.encoding = static_cast<Encoding>(encoding);
    info.codec = static_cast<Codec>(codec);
    info.payload = std::string_view(chunk.position(), chunk.remaining());
  }
  if (!in.empty()) {
    return absl::DataLossError(
        fmt::format("block has {} bytes after its last chunk", in.remaining()));
  }
  return block;
}

absl::Status DecodeChunk(const ChunkInfo& chunk, uint64_t rows,
                         std::string* scratch, ColumnVector* out) {
  out->Clear();
  std::string_view body = chunk.payload;
  if (chunk.codec != Codec::kNone) {
    // Check the size the payload itself declares before allocating, so a
    // corrupt raw_size cannot make the reader allocate up to 2 GiB.
    MESA_RETURN_IF_ERROR(
        CheckDecompressedSize(chunk.codec, chunk.payload, chunk.raw_size));
    scratch->resize(chunk.raw_size);
    MESA_RETURN_IF_ERROR(Decompress(chunk.codec, chunk.payload,
                                    chunk.raw_size, scratch->data()));
    body = *scratch;
  } else if (chunk.raw_size != chunk.payload.size()) {
    return absl::DataLossError(fmt::format(
        "uncompressed chunk holds {} bytes, its header says {}",
        chunk.payload.size(), chunk.raw_size));
  }
  if (!EncodingApplies(chunk.encoding, out->type())) {
    return absl::DataLossError(
        fmt::format("encoding {} does not apply to a {} column",
                    EncodingName(chunk.encoding), ColumnTypeName(out->type())));
  }
  return DecodeColumn(chunk.encoding, body, rows, out);
}

}  // namespace mesa::internal
