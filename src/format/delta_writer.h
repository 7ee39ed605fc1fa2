// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// DeltaWriter streams rows, in strictly increasing key order, into a new
// delta file (docs/format.md). It holds one block of rows in memory (plus
// the index, and 8 bytes per row for the Bloom filter unless the row count
// is given up front). Finish() makes the file durable and publishes it by
// an atomic rename; until then the rows live under a temporary name, and a
// writer destroyed without Finish() deletes it.
//
// Thread safety: a DeltaWriter is used by one thread at a time.

#ifndef MESA_FORMAT_DELTA_WRITER_H_
#define MESA_FORMAT_DELTA_WRITER_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "mesa/file_system.h"
#include "mesa/options.h"
#include "mesa/row_batch.h"
#include "mesa/schema.h"

namespace mesa::internal {

// The most rows one block may hold (a reader rejects more).
inline constexpr uint64_t kMaxBlockRows = uint64_t{1} << 24;

struct DeltaFileSummary {
  uint64_t file_size = 0;
  uint64_t row_count = 0;
  uint64_t block_count = 0;
  std::string min_key;  // encoded
  std::string max_key;
};

class DeltaWriter {
 public:
  struct Params {
    FileSystem* fs = nullptr;
    std::string path;  // the published name
    Schema schema;
    uint64_t min_version = 0;
    uint64_t max_version = 0;
    DeltaFileOptions options;
    // The number of rows that will be added, if known: the Bloom filter is
    // then sized up front and no per-row hashes are kept. 0: unknown.
    uint64_t expected_rows = 0;
  };

  static absl::StatusOr<std::unique_ptr<DeltaWriter>> Create(Params params);

  virtual ~DeltaWriter() = default;

  // Appends rows [begin, end) of `rows`, whose columns match the schema.
  // InvalidArgument naming the row if a key is not greater than the key
  // before it (out of order or duplicate), or the batch does not match the
  // schema; the writer is then failed and Finish() returns the error.
  virtual absl::Status Add(const RowBatch& rows, size_t begin, size_t end) = 0;
  absl::Status Add(const RowBatch& rows) { return Add(rows, 0, rows.num_rows()); }

  // Writes index, meta and footer, syncs, and renames the file into place
  // (then syncs the directory). FailedPrecondition if no row was added: an
  // empty delta is never written.
  virtual absl::StatusOr<DeltaFileSummary> Finish() = 0;

  virtual uint64_t rows_added() const = 0;
};

}  // namespace mesa::internal

#endif  // MESA_FORMAT_DELTA_WRITER_H_
