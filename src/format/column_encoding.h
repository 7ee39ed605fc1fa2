// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// The column encodings of docs/format.md ("Column encodings"): the body of
// one column chunk of a data block, before compression. The writer encodes
// each chunk with the smallest encoding that applies; the reader decodes
// any of them and treats every malformed body as corruption.
//
// Thread safety: stateless functions, safe from any thread.

#ifndef MESA_FORMAT_COLUMN_ENCODING_H_
#define MESA_FORMAT_COLUMN_ENCODING_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "mesa/row_batch.h"

namespace mesa::internal {

// Stored on disk as the chunk's `encoding` byte: never renumber.
enum class Encoding : uint8_t {
  kPlain = 0,  // all types
  kRle = 1,    // all types
  kDict = 2,   // all types
  kFor = 3,    // int32, int64, uint64
  kDelta = 4,  // int32, int64, uint64
  // Entropy-coded (src/format/entropy_encoding.h): Huffman-coded magnitude
  // classes plus raw low bits. Their bodies are near-random bytes, which a
  // general-purpose codec does not shrink.
  kHuffFor = 5,    // int32, int64, uint64: signed offsets from a base
  kHuffDelta = 6,  // int32, int64, uint64: steps up, or restarts from a base
  kHuffDict = 7,   // all types: dictionary + coded indices
  kHuffRle = 8,    // int32, int64, uint64: coded run lengths and value steps
};
inline constexpr int kNumEncodings = 9;

// "PLAIN", "RLE", "DICT", "FOR", "DELTA", "HFOR", "HDELTA", "HDICT", "HRLE";
// "UNKNOWN" for other values.
std::string_view EncodingName(Encoding e);

// Whether `e` is defined for columns of `type` (FOR, DELTA, HFOR, HDELTA and
// HRLE are for integer types only).
bool EncodingApplies(Encoding e, ColumnType type);

// Whether `e` is one of the entropy-coded encodings (HFOR, HDELTA, HDICT,
// HRLE), whose bodies a codec does not compress.
bool IsEntropyCoded(Encoding e);

// One pass of cheap statistics of a column: what a writer that reuses an
// earlier chunk's choice of encoding compares to see whether the data
// still looks the same (data_block.h, BlockChoices).
// One pass of statistics over a column of numbers, in their ordered form
// (doubles: their bits as uint64).
struct NumericStats {
  uint64_t min = 0;
  uint64_t max = 0;
  int64_t min_delta = 0;  // of consecutive ordered values
  int64_t max_delta = 0;
  bool delta_overflows = false;  // a difference does not fit an int64
  size_t runs = 0;               // strings too
  size_t descents = 0;           // values below their predecessor
};

struct ColumnSketch {
  size_t n = 0;
  // Exactly as the encoder's statistics pass finds them, so it need not
  // pass again (strings: only runs).
  NumericStats stats;
  int range_width = 0;     // numbers: bits of max - min (ordered)
  int delta_width = 64;    // numbers: bits of the range of differences
  size_t bytes = 0;        // strings: total length
  size_t sample_distinct = 0;  // distinct values among up to 128 spread out
};

struct EncodeOptions {
  // Round bit-packed widths up to a multiple of 8. Set when the chunk will
  // be ZSTD-compressed: whole-byte values give the entropy coder whole
  // symbols. Default: false
  bool byte_aligned_widths = false;
  // Let EncodeColumn choose the entropy-coded encodings too (HFOR, HDELTA,
  // HDICT, HRLE). Default: false
  bool entropy_coding = false;
  // SketchColumn of the very column being encoded, if the caller has it:
  // the encoder then skips its own statistics pass. Default: nullptr
  const ColumnSketch* sketch = nullptr;
};

// Appends to `dst` the body of the smallest encoding of all values of
// `column` and returns which encoding it is. Ties go to the encoding that
// decodes fastest (PLAIN, FOR, DELTA, RLE, DICT, HRLE, HFOR, HDELTA, HDICT
// in that order). One statistics pass computes the classic encodings' exact
// sizes, a histogram pass each entropy-coded candidate's; the values are
// then encoded once. An empty column appends nothing and returns kPlain.
Encoding EncodeColumn(const ColumnVector& column, const EncodeOptions& options,
                      std::string* dst);

// As EncodeColumn; in addition, when an entropy-coded encoding wins and the
// smallest classic encoding (PLAIN, RLE, DICT, FOR, DELTA) is less than
// twice its size, appends that classic body to `runner_up`, for a caller
// that compresses it and keeps whichever is smaller. *runner_up_encoding is
// the runner-up's encoding, or the winner's when there is none.
Encoding EncodeColumn(const ColumnVector& column, const EncodeOptions& options,
                      std::string* dst, std::string* runner_up,
                      Encoding* runner_up_encoding);

ColumnSketch SketchColumn(const ColumnVector& column);
// Whether two sketches describe alike data: run and descent rates within
// 2x, widths within 2 bits, string lengths within 1.25x, distinct values
// in the sample within 1.5x.
bool SketchesAlike(const ColumnSketch& a, const ColumnSketch& b);

// Appends the body of `column` in encoding `e` (for tests and benchmarks).
// InvalidArgument, appending nothing, if `e` does not apply to the
// column's type or, for DELTA, if a difference between consecutive values
// (in ordered form) does not fit an int64. An empty column appends nothing
// (every encoding's body for n == 0 is empty).
absl::Status EncodeColumnAs(Encoding e, const ColumnVector& column,
                            const EncodeOptions& options, std::string* dst);

// Decodes the `n` values of `body`, encoded with `e`, and appends them to
// `out` (whose type says how to read them). A body that is truncated, has
// bytes left over, or holds values out of range is DataLoss, with a message
// saying what is wrong; `out` is then left as it was. n == 0 requires an
// empty body.
absl::Status DecodeColumn(Encoding e, std::string_view body, size_t n,
                          ColumnVector* out);

}  // namespace mesa::internal

#endif  // MESA_FORMAT_COLUMN_ENCODING_H_
