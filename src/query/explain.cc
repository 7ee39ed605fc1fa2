// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// ScanExplain::ToString (include/mesa/query.h).

#include <algorithm>
#include <iterator>

#include "fmt/format.h"
#include "mesa/query.h"

namespace mesa {

std::string ScanExplain::ToString() const {
  std::string s = fmt::format("scan of '{}' at version {}: read {} '{}'\n",
                              table, version,
                              from_rollup ? "rollup" : "table", source);
  fmt::format_to(std::back_inserter(s),
                 "  deltas: {} ({} pruned by min/max keys or zone maps)\n",
                 deltas.size(),
                 std::count_if(deltas.begin(), deltas.end(),
                               [](const DeltaExplain& d) { return d.skipped; }));
  for (const DeltaExplain& d : deltas) {
    fmt::format_to(std::back_inserter(s),
                   "    #{} [{},{}] {} rows, {} blocks: {}\n", d.file_number,
                   d.min_version, d.max_version, d.rows, d.blocks,
                   d.skipped ? std::string("pruned")
                             : fmt::format("{} blocks read, {} skipped, {} "
                                           "rows decoded",
                                           d.blocks_read, d.blocks_skipped,
                                           d.rows_decoded));
  }
  const double never =
      rows_in_deltas == 0 ? 0.0
                          : 100.0 * static_cast<double>(rows_never_decoded) /
                                static_cast<double>(rows_in_deltas);
  fmt::format_to(std::back_inserter(s),
                 "  blocks: {} read, {} skipped by zone maps\n"
                 "  rows: {} in deltas, {} decoded, {} never decoded "
                 "({:.1f}%), {} merged, {} returned\n"
                 "  skip-scan: {} ({} seeks)\n",
                 blocks_read, blocks_skipped, rows_in_deltas, rows_decoded,
                 rows_never_decoded, never, rows_merged, rows_returned,
                 skip_scan ? "yes" : "no", seeks);
  if (!group_by.empty()) {
    fmt::format_to(std::back_inserter(s), "  group by: {}\n", group_by);
  }
  return s;
}

}  // namespace mesa
