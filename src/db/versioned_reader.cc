// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.

#include "src/db/versioned_reader.h"

#include "fmt/format.h"
#include "src/format/key_coding.h"
#include "src/merge/aggregate.h"
#include "src/util/coding.h"
#include "src/util/hash.h"
#include "src/util/status_macros.h"

namespace mesa::internal {
namespace {

// The column types of a merged batch: every key column, then `values`.
std::vector<ColumnType> MergedTypes(const Schema& schema,
                                    const std::vector<size_t>& values) {
  std::vector<ColumnType> types;
  for (size_t c = 0; c < schema.num_keys(); ++c) {
    types.push_back(schema.column(c).type);
  }
  for (size_t c : values) types.push_back(schema.column(c).type);
  return types;
}

// Converts `v` to a one-value column of key column `c`'s type.
absl::StatusOr<ColumnVector> KeyValue(const Schema& schema, size_t c,
                                      const Value& v) {
  ColumnVector col(schema.column(c).type);
  absl::Status s = v.AppendTo(&col);
  if (!s.ok()) {
    return absl::InvalidArgumentError(fmt::format(
        "key column '{}': {}", schema.column(c).name, StatusMessage(s)));
  }
  return col;
}

class ScanCursorImpl final : public ScanCursor {
 public:
  ScanCursorImpl(MergePlan plan, std::unique_ptr<MergingCursor> merge,
                 std::vector<size_t> output, std::vector<std::string> names,
                 std::vector<ColumnVector> prefix,
                 std::optional<ColumnVector> lower, bool lower_inclusive,
                 std::optional<ColumnVector> upper, bool upper_inclusive,
                 size_t batch_rows)
      : plan_(std::move(plan)),
        schema_(plan_.table->schema()),
        merge_(std::move(merge)),
        output_(std::move(output)),
        names_(std::move(names)),
        prefix_(std::move(prefix)),
        lower_(std::move(lower)),
        lower_inclusive_(lower_inclusive),
        upper_(std::move(upper)),
        upper_inclusive_(upper_inclusive),
        batch_rows_(batch_rows),
        merged_(MergedTypes(schema_, merge_->value_columns())) {
    // output_ holds positions in the merged batch (keys, then the merged
    // value columns), not schema indices.
    std::vector<ColumnType> types;
    for (size_t c : output_) types.push_back(merged_.column(c).type());
    out_ = RowBatch(types);
    identity_ = output_.size() == schema_.num_columns() && prefix_.empty() &&
                !lower_ && !upper_;
    for (size_t i = 0; identity_ && i < output_.size(); ++i) {
      identity_ = output_[i] == i;
    }
  }

  bool Next() override {
    out_.Clear();
    while (!done_) {
      if (!merge_->NextBatch(batch_rows_, &merged_)) {
        status_ = merge_->status();
        done_ = true;
        break;
      }
      if (identity_) {
        std::swap(out_, merged_);
        return true;
      }
      for (size_t r = 0; r < merged_.num_rows() && !done_; ++r) {
        if (!RowInRange(r)) continue;
        for (size_t i = 0; i < output_.size(); ++i) {
          out_.column(i).AppendFrom(merged_.column(output_[i]), r);
        }
      }
      if (out_.num_rows() > 0) return true;
    }
    return out_.num_rows() > 0;
  }

  const RowBatch& batch() const override { return out_; }
  const absl::Status& status() const override { return status_; }
  const std::vector<std::string>& column_names() const override {
    return names_;
  }

 private:
  // Whether merged row `r` is inside the scan; sets done_ when it is past
  // the end (rows come in key order, so every later row is too).
  bool RowInRange(size_t r) {
    for (size_t c = 0; c < prefix_.size(); ++c) {
      if (CompareValues(merged_.column(c), r, prefix_[c], 0) != 0) {
        done_ = true;
        return false;
      }
    }
    const size_t p = prefix_.size();
    if (upper_) {
      int c = CompareValues(merged_.column(p), r, *upper_, 0);
      if (c > 0 || (c == 0 && !upper_inclusive_)) {
        done_ = true;
        return false;
      }
    }
    if (lower_) {
      int c = CompareValues(merged_.column(p), r, *lower_, 0);
      if (c < 0 || (c == 0 && !lower_inclusive_)) return false;
    }
    return true;
  }

  MergePlan plan_;
  const Schema& schema_;
  std::unique_ptr<MergingCursor> merge_;
  std::vector<size_t> output_;
  std::vector<std::string> names_;
  std::vector<ColumnVector> prefix_;
  std::optional<ColumnVector> lower_;
  bool lower_inclusive_;
  std::optional<ColumnVector> upper_;
  bool upper_inclusive_;
  size_t batch_rows_;
  bool identity_ = false;
  bool done_ = false;
  RowBatch merged_;
  RowBatch out_;
  absl::Status status_;
};

class VersionedReaderImpl final : public VersionedReader {
 public:
  VersionedReaderImpl(std::shared_ptr<DeltaFiles> files,
                      std::shared_ptr<const Version> pinned, uint64_t version)
      : files_(std::move(files)),
        pinned_(std::move(pinned)),
        version_(version) {}

  uint64_t version() const override { return version_; }

  absl::StatusOr<std::unique_ptr<ScanCursor>> Scan(
      std::string_view table, const ScanSpec& spec) const override {
    MESA_ASSIGN_OR_RETURN(MergePlan plan,
                          PlanTableRead(files_.get(), pinned_, table, version_));
    const Schema& schema = plan.table->schema();
    if (spec.key_prefix.size() > schema.num_keys() ||
        (spec.key_prefix.size() == schema.num_keys() &&
         (spec.lower || spec.upper))) {
      return absl::InvalidArgumentError(fmt::format(
          "table '{}': a key prefix of {} values{} for {} key columns",
          table, spec.key_prefix.size(),
          spec.lower || spec.upper ? " and a range" : "", schema.num_keys()));
    }
    if (spec.batch_rows == 0) {
      return absl::InvalidArgumentError("ScanSpec.batch_rows must be >= 1");
    }
    std::vector<ColumnVector> prefix;
    std::string seek;
    for (size_t c = 0; c < spec.key_prefix.size(); ++c) {
      MESA_ASSIGN_OR_RETURN(ColumnVector v,
                            KeyValue(schema, c, spec.key_prefix[c]));
      AppendKeyPart(v, 0, &seek);
      prefix.push_back(std::move(v));
    }
    const size_t p = spec.key_prefix.size();
    std::optional<ColumnVector> lower, upper;
    if (spec.lower) {
      MESA_ASSIGN_OR_RETURN(lower, KeyValue(schema, p, *spec.lower));
      AppendKeyPart(*lower, 0, &seek);
    }
    if (spec.upper) {
      MESA_ASSIGN_OR_RETURN(upper, KeyValue(schema, p, *spec.upper));
    }
    std::vector<size_t> output;
    std::vector<std::string> names;
    if (spec.columns.empty()) {
      for (size_t c = 0; c < schema.num_columns(); ++c) {
        output.push_back(c);
        names.push_back(schema.column(c).name);
      }
    } else {
      for (const std::string& name : spec.columns) {
        auto c = schema.FindColumn(name);
        if (!c) {
          return absl::InvalidArgumentError(fmt::format(
              "table '{}' has no column '{}'", table, name));
        }
        output.push_back(*c);
        names.push_back(name);
      }
    }
    // The merge reads every key column plus the projected value columns.
    std::vector<size_t> values;
    std::vector<int> merged_pos(schema.num_columns(), -1);
    for (size_t c = 0; c < schema.num_keys(); ++c) merged_pos[c] = c;
    for (size_t c : output) {
      if (c >= schema.num_keys() && merged_pos[c] < 0) {
        merged_pos[c] = static_cast<int>(schema.num_keys() + values.size());
        values.push_back(c);
      }
    }
    // The merged batch holds keys then `values`; map the output onto it.
    std::vector<size_t> output_in_merged;
    for (size_t c : output) output_in_merged.push_back(merged_pos[c]);
    MESA_ASSIGN_OR_RETURN(auto merge, NewMergingCursor(plan, values, seek));
    auto cursor = std::make_unique<ScanCursorImpl>(
        std::move(plan), std::move(merge), std::move(output_in_merged),
        std::move(names), std::move(prefix), std::move(lower),
        spec.lower_inclusive, std::move(upper), spec.upper_inclusive,
        spec.batch_rows);
    return std::unique_ptr<ScanCursor>(std::move(cursor));
  }

  absl::StatusOr<std::optional<RowBatch>> Get(
      std::string_view table, absl::Span<const Value> key) const override {
    MESA_ASSIGN_OR_RETURN(MergePlan plan,
                          PlanTableRead(files_.get(), pinned_, table, version_));
    const Schema& schema = plan.table->schema();
    if (key.size() != schema.num_keys()) {
      return absl::InvalidArgumentError(fmt::format(
          "table '{}': Get takes {} key values, got {}", table,
          schema.num_keys(), key.size()));
    }
    RowBatch key_row(schema);
    for (size_t c = 0; c < schema.num_keys(); ++c) {
      MESA_ASSIGN_OR_RETURN(ColumnVector v, KeyValue(schema, c, key[c]));
      key_row.column(c).AppendFrom(v, 0);
    }
    RowBatch result(schema), hit(schema);
    for (const auto& delta : plan.deltas) {
      hit.Clear();
      MESA_ASSIGN_OR_RETURN(bool found, delta->Get(key_row, 0, &hit));
      if (!found) continue;
      if (result.num_rows() == 0) {
        result.AppendRow(hit, 0);
        continue;
      }
      for (size_t c = schema.num_keys(); c < schema.num_columns(); ++c) {
        AggregateIntoLast(schema.column(c).aggregation, &result.column(c),
                          hit.column(c), 0);
      }
    }
    if (result.num_rows() == 0) return std::optional<RowBatch>();
    return std::optional<RowBatch>(std::move(result));
  }

 private:
  // Shared, so that a reader that outlives its Database stays safe.
  std::shared_ptr<DeltaFiles> files_;
  std::shared_ptr<const Version> pinned_;
  uint64_t version_;
};

}  // namespace

absl::StatusOr<std::shared_ptr<const DeltaReader>> OpenLiveDelta(
    DeltaFiles* files, uint64_t file_number) {
  auto reader = files->Open(file_number);
  if (absl::IsNotFound(reader.status())) {
    // The manifest names it, so it must be there: its loss is data loss,
    // not a missing table.
    return absl::DataLossError(fmt::format(
        "{}: a live delta file is missing ({})", files->PathOf(file_number),
        StatusMessage(reader.status())));
  }
  return reader;
}

absl::StatusOr<MergePlan> PlanTableRead(DeltaFiles* files,
                                        std::shared_ptr<const Version> pinned,
                                        std::string_view table_name,
                                        uint64_t version) {
  const TableVersion* table = pinned->FindTableByName(table_name);
  if (table == nullptr) {
    return absl::NotFoundError(fmt::format("no table '{}'", table_name));
  }
  if (table->created_version() > version) {
    return absl::NotFoundError(fmt::format(
        "table '{}' was created at version {}, after version {}", table_name,
        table->created_version(), version));
  }
  if (table->is_rollup() && !table->RollupReadableAt(version)) {
    const auto& ready = table->info().ready_version;
    return absl::FailedPreconditionError(
        ready.has_value()
            ? fmt::format("rollup '{}' is readable from version {} (its "
                          "back-fill), not at version {}",
                          table_name, *ready, version)
            : fmt::format("rollup '{}' is still being back-filled",
                          table_name));
  }
  MESA_ASSIGN_OR_RETURN(auto path, pinned->CoveringPath(table->id(), version));
  MergePlan plan;
  plan.table = table;
  for (const DeltaPtr& d : path) {
    MESA_ASSIGN_OR_RETURN(auto reader, OpenLiveDelta(files, d->file_number()));
    if (reader->schema() != table->schema()) {
      return absl::DataLossError(fmt::format(
          "{}: the file's schema {} is not table '{}''s {}", reader->path(),
          reader->schema().DebugString(), table_name,
          table->schema().DebugString()));
    }
    plan.deltas.push_back(std::move(reader));
  }
  plan.pinned = std::move(pinned);
  return plan;
}

absl::StatusOr<std::unique_ptr<MergingCursor>> NewMergingCursor(
    const MergePlan& plan, const std::vector<size_t>& values,
    std::string_view seek_target) {
  const Schema& schema = plan.table->schema();
  CursorOptions options;
  for (size_t c = 0; c < schema.num_keys(); ++c) options.projection.push_back(c);
  for (size_t c : values) options.projection.push_back(c);
  std::vector<std::unique_ptr<DeltaCursor>> inputs;
  for (const auto& delta : plan.deltas) {
    auto cursor = delta->NewCursor(options);
    if (seek_target.empty()) {
      cursor->SeekToFirst();
    } else {
      cursor->Seek(seek_target);
    }
    MESA_RETURN_IF_ERROR(cursor->status());
    inputs.push_back(std::move(cursor));
  }
  return std::make_unique<MergingCursor>(schema, values, std::move(inputs));
}

std::unique_ptr<VersionedReader> NewVersionedReader(
    std::shared_ptr<DeltaFiles> files, std::shared_ptr<const Version> pinned,
    uint64_t version) {
  return std::make_unique<VersionedReaderImpl>(std::move(files),
                                               std::move(pinned), version);
}

absl::StatusOr<uint64_t> DigestRows(const Schema& schema,
                                    MergingCursor* cursor) {
  RowBatch batch(schema);
  uint64_t digest = 0;
  std::string buf;
  while (cursor->NextBatch(4096, &batch)) {
    for (size_t r = 0; r < batch.num_rows(); ++r) {
      buf.clear();
      AppendEncodedKey(batch, r, schema.num_keys(), &buf);
      for (size_t c = schema.num_keys(); c < batch.num_columns(); ++c) {
        const ColumnVector& col = batch.column(c);
        if (col.is_string()) {
          PutLengthPrefixed(&buf, col.GetString(r));
        } else {
          PutFixed64(&buf, col.GetWord(r));
        }
      }
      // A sum of per-row hashes does not depend on the order of the rows.
      digest += Hash64(buf, 0x636865636b73756dull);
    }
  }
  MESA_RETURN_IF_ERROR(cursor->status());
  return digest;
}

}  // namespace mesa::internal
