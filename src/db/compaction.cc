// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.

#include "src/db/compaction.h"

#include <bit>
#include <cmath>

#include "fmt/format.h"
#include "src/db/versioned_reader.h"
#include "src/db/window_merge.h"
#include "src/format/delta_writer.h"
#include "src/merge/aggregate.h"
#include "src/merge/merging_cursor.h"
#include "src/util/status_macros.h"

namespace mesa::internal {
namespace {

bool IsDoubleSum(const ColumnSpec& spec) {
  return spec.type == ColumnType::kDouble &&
         spec.aggregation == Aggregation::kSum;
}

// Per value column: the aggregate of every value seen (SUM: the sum; MIN,
// MAX: the extreme), for the online check. REPLACE has no total. For a
// double SUM also the sum of magnitudes, which bounds the rounding error.
// Only the value columns are read (TotalsProjection): the check needs no
// keys, and decoding them would cost as much as the rest of it.
class ColumnTotals {
 public:
  explicit ColumnTotals(const Schema& schema) : schema_(schema) {
    std::vector<ColumnType> types;
    for (size_t c = schema.num_keys(); c < schema.num_columns(); ++c) {
      types.push_back(schema.column(c).type);
    }
    totals_ = RowBatch(types);
    magnitudes_.assign(types.size(), 0.0);
  }

  // The columns a cursor decodes for Add: the value columns, or the first
  // key column (for the row count) when there are none.
  static std::vector<size_t> TotalsProjection(const Schema& schema) {
    std::vector<size_t> projection;
    for (size_t c = schema.num_keys(); c < schema.num_columns(); ++c) {
      projection.push_back(c);
    }
    if (projection.empty()) projection.push_back(0);
    return projection;
  }

  // `rows` holds the columns of TotalsProjection from column
  // `first_column` on (0; or the schema's key count for a batch of every
  // schema column).
  void Add(const RowBatch& rows, size_t first_column = 0) {
    const size_t n = rows.num_rows();
    if (n == 0) return;
    const size_t keys = schema_.num_keys();
    const size_t values = totals_.num_columns();
    size_t first = 0;
    if (totals_.num_rows() == 0 && values > 0) {
      for (size_t v = 0; v < values; ++v) {
        totals_.column(v).AppendFrom(rows.column(first_column + v), 0);
      }
      first = 1;
    }
    for (size_t v = 0; v < values; ++v) {
      const ColumnSpec& spec = schema_.column(keys + v);
      const ColumnVector& col = rows.column(first_column + v);
      if (IsDoubleSum(spec)) {
        double m = 0;
        for (size_t r = 0; r < n; ++r) m += std::fabs(col.GetDouble(r));
        magnitudes_[v] += m;
      }
      if (spec.aggregation == Aggregation::kReplace) continue;
      ColumnVector* total = &totals_.column(v);
      if (!col.is_string()) {
        // Numbers: fold in a register, one call per batch.
        uint64_t acc = total->GetWord(0);
        const uint64_t* w = col.words().data();
        for (size_t r = first; r < n; ++r) {
          acc = AggregateWords(spec.aggregation, spec.type, acc, w[r]);
        }
        total->words()[0] = acc;
        continue;
      }
      for (size_t r = first; r < n; ++r) {
        AggregateIntoLast(spec.aggregation, total, col, r);
      }
    }
    rows_ += n;
  }

  uint64_t rows() const { return rows_; }

  // Empty if equal, else which column differs. `this` holds the inputs'
  // totals, `out` the output's.
  std::string Compare(const ColumnTotals& out) const {
    if ((rows_ > 0) != (out.rows_ > 0)) return "row presence";
    if (totals_.num_rows() == 0) return "";
    for (size_t v = 0; v < totals_.num_columns(); ++v) {
      const ColumnSpec& spec = schema_.column(schema_.num_keys() + v);
      if (spec.aggregation == Aggregation::kReplace) continue;
      const ColumnVector& a = totals_.column(v);
      const ColumnVector& b = out.totals_.column(v);
      if (IsDoubleSum(spec)) {
        // Floating-point sums depend on their grouping, and the output's
        // rows are the inputs' grouped by key: two sums of the same n
        // values differ by at most about 2 n u sum|x| (u = 2^-53), however
        // much they cancel. Infinite or NaN inputs, or magnitudes near
        // overflow, leave nothing to compare; otherwise both sums are
        // finite.
        const double x = a.GetDouble(0), y = b.GetDouble(0);
        const double n = static_cast<double>(rows_ + out.rows_ + 1);
        const double slack = 2.0 * n * 0x1.0p-53;
        const double magnitude = magnitudes_[v];
        if (!std::isfinite(magnitude * (1.0 + slack))) continue;
        if (!std::isfinite(x) || !std::isfinite(y) ||
            std::fabs(x - y) > slack * magnitude) {
          return spec.name;
        }
        continue;
      }
      if (CompareValues(a, 0, b, 0) != 0) return spec.name;
    }
    return "";
  }

 private:
  const Schema& schema_;
  RowBatch totals_;                 // the value columns, one row
  std::vector<double> magnitudes_;  // by value column; double SUM only
  uint64_t rows_ = 0;
};

absl::StatusOr<ColumnTotals> TotalsOf(const DeltaReader& reader) {
  ColumnTotals totals(reader.schema());
  CursorOptions options;
  options.projection = ColumnTotals::TotalsProjection(reader.schema());
  auto cursor = reader.NewCursor(options);
  for (cursor->SeekToFirst(); cursor->Valid(); cursor->NextBlock()) {
    totals.Add(cursor->batch());
  }
  MESA_RETURN_IF_ERROR(cursor->status());
  return totals;
}

}  // namespace

absl::StatusOr<CompactionOutput> RunCompaction(const CompactionPlan& plan,
                                               const Schema& schema,
                                               const DeltaFileOptions& options,
                                               DeltaFiles* files,
                                               uint64_t file_number) {
  CompactionOutput out;
  std::vector<std::shared_ptr<const DeltaReader>> inputs;
  uint64_t input_rows = 0;
  std::vector<uint64_t> input_row_counts;
  for (const DeltaPtr& d : plan.inputs) {
    MESA_ASSIGN_OR_RETURN(auto reader, OpenLiveDelta(files, d->file_number()));
    input_rows += reader->row_count();
    input_row_counts.push_back(reader->row_count());
    out.input_bytes += reader->file_size();
    inputs.push_back(std::move(reader));
  }

  std::vector<size_t> values;
  CursorOptions cursor_options;
  for (size_t c = 0; c < schema.num_columns(); ++c) {
    cursor_options.projection.push_back(c);
    if (c >= schema.num_keys()) values.push_back(c);
  }
  std::vector<std::unique_ptr<DeltaCursor>> cursors;
  for (const auto& reader : inputs) {
    cursors.push_back(reader->NewCursor(cursor_options));
    cursors.back()->SeekToFirst();
    MESA_RETURN_IF_ERROR(cursors.back()->status());
  }
  // Input totals: every input row. The window merge hands them over as it
  // reads them; the heap merge's inputs are read once more, in version
  // order.
  ColumnTotals in_totals(schema);
  const bool window_merge = PreferWindowMerge(input_row_counts);
  if (!window_merge) {
    CursorOptions totals_options;
    totals_options.projection = ColumnTotals::TotalsProjection(schema);
    for (const auto& reader : inputs) {
      auto cursor = reader->NewCursor(totals_options);
      for (cursor->SeekToFirst(); cursor->Valid(); cursor->NextBlock()) {
        in_totals.Add(cursor->batch());
      }
      MESA_RETURN_IF_ERROR(cursor->status());
    }
  }

  const std::string path = files->PathOf(file_number);
  MESA_ASSIGN_OR_RETURN(
      auto writer,
      DeltaWriter::Create({files->fs(), path, schema, plan.output_min_version,
                           plan.output_max_version, options, 0}));
  RowBatch batch(schema);
  if (window_merge) {
    WindowMerge merge(schema, std::move(cursors));
    // Without value columns the totals count rows: column 0 stands in
    // (TotalsProjection).
    const size_t first_total_column =
        schema.num_keys() < schema.num_columns() ? schema.num_keys() : 0;
    merge.set_input_observer([&](const RowBatch& rows) {
      in_totals.Add(rows, first_total_column);
    });
    while (merge.NextBatch(&batch)) {
      MESA_RETURN_IF_ERROR(writer->Add(batch));
    }
    MESA_RETURN_IF_ERROR(merge.status());
  } else {
    MergingCursor merge(schema, values, std::move(cursors));
    while (merge.NextBatch(4096, &batch)) {
      MESA_RETURN_IF_ERROR(writer->Add(batch));
    }
    MESA_RETURN_IF_ERROR(merge.status());
  }
  if (writer->rows_added() == 0) {
    return absl::InternalError(fmt::format(
        "compaction {} merged {} input rows into none", plan.DebugString(),
        input_rows));
  }
  MESA_ASSIGN_OR_RETURN(DeltaFileSummary summary, writer->Finish());

  // The online check reads the output back from storage.
  auto check = [&]() -> absl::Status {
    MESA_ASSIGN_OR_RETURN(auto written, DeltaReader::Open(files->fs(), path));
    MESA_ASSIGN_OR_RETURN(ColumnTotals out_totals, TotalsOf(*written));
    if (out_totals.rows() > input_rows) {
      return absl::InternalError(fmt::format(
          "compaction {}: output has {} rows, inputs only {}",
          plan.DebugString(), out_totals.rows(), input_rows));
    }
    std::string diff = in_totals.Compare(out_totals);
    if (!diff.empty()) {
      return absl::InternalError(fmt::format(
          "compaction {}: output's aggregate of column '{}' differs from "
          "its inputs' (Mesa's online check); the output is discarded",
          plan.DebugString(), diff));
    }
    return absl::OkStatus();
  };
  if (absl::Status s = check(); !s.ok()) {
    (void)files->fs()->DeleteFile(path);
    return s;
  }
  out.meta.file_number = file_number;
  out.meta.table_id = plan.table_id;
  out.meta.min_version = plan.output_min_version;
  out.meta.max_version = plan.output_max_version;
  out.meta.row_count = summary.row_count;
  out.meta.file_size = summary.file_size;
  out.meta.min_key = summary.min_key;
  out.meta.max_key = summary.max_key;
  return out;
}

}  // namespace mesa::internal
