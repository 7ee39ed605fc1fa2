// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// Runs one compaction plan (version/compaction_picker.h): merges the input
// deltas into one output delta file, then checks the output against the
// inputs before anyone may publish it (Mesa's online check): the same
// per-column SUM totals, MIN and MAX, and no more rows than the inputs.
// A mismatch is an Internal error and the output file is deleted. The
// check reads only the value columns. Inputs that interleave (three or
// more, none holding 80 % of the rows) merge by windows (window_merge.h);
// a big base beside small deltas merges through MergingCursor, which
// copies the base's runs between the deltas' keys.

#ifndef MESA_DB_COMPACTION_H_
#define MESA_DB_COMPACTION_H_

#include "absl/status/statusor.h"
#include "mesa/options.h"
#include "src/db/delta_files.h"
#include "src/version/compaction_picker.h"
#include "src/version/version.h"

namespace mesa::internal {

struct CompactionOutput {
  DeltaMeta meta;
  uint64_t input_bytes = 0;
};

// Writes file `file_number` holding the merge of plan.inputs.
absl::StatusOr<CompactionOutput> RunCompaction(const CompactionPlan& plan,
                                               const Schema& schema,
                                               const DeltaFileOptions& options,
                                               DeltaFiles* files,
                                               uint64_t file_number);

}  // namespace mesa::internal

#endif  // MESA_DB_COMPACTION_H_
