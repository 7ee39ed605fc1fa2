// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.

#include "src/db/versioned_reader.h"

#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "fmt/format.h"
#include "src/format/key_coding.h"
#include "src/merge/aggregate.h"
#include "src/query/query_cursor.h"
#include "src/query/rollup_chooser.h"
#include "src/query/scan_plan.h"
#include "src/util/coding.h"
#include "src/util/hash.h"
#include "src/util/mutex.h"
#include "src/util/status_macros.h"

namespace mesa::internal {
namespace {

bool HasTypesOf(const RowBatch& batch, const Schema& schema) {
  if (batch.num_columns() != schema.num_columns()) return false;
  for (size_t c = 0; c < schema.num_columns(); ++c) {
    if (batch.column(c).type() != schema.column(c).type) return false;
  }
  return true;
}

// `spec` for a rollup of the table whose schema is `table`: its key
// prefix and range become filters by column name (the rollup's leading
// keys may differ), and the columns are named as the table would return
// them (the rollup may order its value columns differently).
ScanSpec SpecForRollup(const Schema& table, const ScanPlan& checked,
                       const ScanSpec& spec) {
  ScanSpec out = spec;
  out.columns = checked.names;
  out.key_prefix.clear();
  out.lower.reset();
  out.upper.reset();
  out.filters.clear();
  for (size_t c = 0; c < spec.key_prefix.size(); ++c) {
    out.filters.push_back(
        {table.column(c).name, FilterOp::kEq, {spec.key_prefix[c]}});
  }
  const std::string& next = table.column(
      std::min(spec.key_prefix.size(), table.num_keys() - 1)).name;
  if (spec.lower) {
    out.filters.push_back(
        {next, spec.lower_inclusive ? FilterOp::kGe : FilterOp::kGt,
         {*spec.lower}});
  }
  if (spec.upper) {
    out.filters.push_back(
        {next, spec.upper_inclusive ? FilterOp::kLe : FilterOp::kLt,
         {*spec.upper}});
  }
  for (const Filter& f : spec.filters) out.filters.push_back(f);
  return out;
}

// Whether `rollup`'s key columns are exactly the group columns of
// `checked` (a GROUP BY on table `table`), in the table's key order.
bool KeyIsGroupKey(const Schema& rollup, const Schema& table,
                   const ScanPlan& checked) {
  if (rollup.num_keys() != checked.group_keys.size()) return false;
  for (size_t i = 0; i < rollup.num_keys(); ++i) {
    if (rollup.column(i).name != table.column(checked.group_keys[i]).name) {
      return false;
    }
  }
  return true;
}

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
    MESA_ASSIGN_OR_RETURN(auto cached, CachedPlan(table));
    const MergePlan* plan = cached.get();
    std::optional<MergePlan> rollup_plan;
    // The spec is checked against the table asked for, and its tokens are
    // fingerprinted over it, whichever table or rollup is read.
    MESA_ASSIGN_OR_RETURN(ScanPlan checked,
                          PlanScan(plan->table->schema(), table, spec));
    QuerySource source;
    source.table = std::string(table);
    source.source = std::string(table);
    source.version = version_;
    source.fingerprint = checked.fingerprint;
    std::optional<ScanSpec> rewritten;
    if (spec.use_rollups && checked.grouped && !plan->table->is_rollup()) {
      MESA_ASSIGN_OR_RETURN(auto rollup,
                            ChooseRollupPlan(*plan->table, checked));
      if (rollup) {
        rewritten = SpecForRollup(plan->table->schema(), checked, spec);
        // A rollup keyed by exactly the group columns, in the order the
        // GROUP BY returns them, holds one row per group already: read it
        // as it is, with no aggregation pass.
        if (KeyIsGroupKey(rollup->table->schema(), plan->table->schema(),
                          checked)) {
          rewritten->group_by.clear();
        }
        source.source = rollup->table->name();
        source.from_rollup = true;
        rollup_plan = std::move(*rollup);
        plan = &*rollup_plan;
      }
    }
    source.schema = &plan->table->schema();
    for (size_t i = 0; i < plan->deltas.size(); ++i) {
      const DeltaMeta& meta = plan->handles[i]->meta();
      source.deltas.push_back({plan->deltas[i], meta.file_number,
                               meta.min_version, meta.max_version});
    }
    source.keep_alive = plan->pinned;
    if (rewritten) return NewQueryCursor(std::move(source), *rewritten);
    // The table's own plan: the spec was planned over its schema above.
    return NewQueryCursor(std::move(source), spec, std::move(checked));
  }

  absl::StatusOr<std::optional<RowBatch>> Get(
      std::string_view table, absl::Span<const Value> key) const override {
    MESA_ASSIGN_OR_RETURN(auto cached, CachedPlan(table));
    const MergePlan& plan = *cached;
    const Schema& schema = plan.table->schema();
    if (key.size() != schema.num_keys()) {
      return absl::InvalidArgumentError(fmt::format(
          "table '{}': Get takes {} key values, got {}", table,
          schema.num_keys(), key.size()));
    }
    // Per-thread scratch rows: a warm point read allocates only its answer.
    thread_local RowBatch key_row, hit;
    if (!HasTypesOf(key_row, schema)) {
      key_row = RowBatch(schema);
      hit = RowBatch(schema);
    }
    key_row.Clear();
    for (size_t c = 0; c < schema.num_keys(); ++c) {
      absl::Status s = key[c].AppendTo(&key_row.column(c));
      if (!s.ok()) {
        return absl::InvalidArgumentError(fmt::format(
            "key column '{}': {}", schema.column(c).name, StatusMessage(s)));
      }
    }
    RowBatch result(schema);
    for (const auto& delta : plan.deltas) {
      // The first hit goes straight into the answer.
      RowBatch* into = result.num_rows() == 0 ? &result : &hit;
      hit.Clear();
      MESA_ASSIGN_OR_RETURN(bool found, delta->Get(key_row, 0, into));
      if (!found || into == &result) continue;
      for (size_t c = schema.num_keys(); c < schema.num_columns(); ++c) {
        AggregateIntoLast(schema.column(c).aggregation, &result.column(c),
                          hit.column(c), 0);
      }
    }
    if (result.num_rows() == 0) return std::optional<RowBatch>();
    return std::optional<RowBatch>(std::move(result));
  }

 private:
  // The read plan of a table. The pinned Version never changes, so neither
  // does the plan: it is made once per table (a covering-path search and
  // the opening of each delta), not once per Get or Scan.
  absl::StatusOr<std::shared_ptr<const MergePlan>> CachedPlan(
      std::string_view table) const {
    const std::string name(table);
    {
      MutexLock lock(&plans_mu_);
      auto it = plans_.find(name);
      if (it != plans_.end()) return it->second;
    }
    MESA_ASSIGN_OR_RETURN(MergePlan plan,
                          PlanTableRead(files_.get(), pinned_, table, version_));
    auto shared = std::make_shared<const MergePlan>(std::move(plan));
    MutexLock lock(&plans_mu_);
    return plans_.emplace(name, std::move(shared)).first->second;
  }

  // The merge plan of the smallest rollup of `table` that answers the
  // scan (rollup_chooser.h), or nullopt: read the table.
  absl::StatusOr<std::optional<MergePlan>> ChooseRollupPlan(
      const TableVersion& table, const ScanPlan& checked) const {
    std::vector<RollupCandidate> candidates;
    std::vector<const TableVersion*> rollups =
        pinned_->RollupsOf(table.id());
    for (const TableVersion* r : rollups) {
      RollupCandidate c;
      c.name = r->name();
      const Schema& rs = r->schema();
      for (size_t i = 0; i < rs.num_columns(); ++i) {
        (rs.is_key(i) ? c.key_columns : c.value_columns)
            .push_back(rs.column(i).name);
      }
      c.usable = r->RollupReadableAt(version_) &&
                 r->created_version() <= version_;
      if (c.usable) {
        MESA_ASSIGN_OR_RETURN(auto path, pinned_->CoveringPath(r->id(), version_));
        for (const DeltaPtr& d : path) c.bytes += d->meta().file_size;
      }
      candidates.push_back(std::move(c));
    }
    auto chosen = ChooseRollup(ShapeOf(table.schema(), checked), candidates);
    if (!chosen) return std::optional<MergePlan>();
    MESA_ASSIGN_OR_RETURN(auto plan, CachedPlan(rollups[*chosen]->name()));
    return std::optional<MergePlan>(*plan);
  }

  // Shared, so that a reader that outlives its Database stays safe.
  std::shared_ptr<DeltaFiles> files_;
  std::shared_ptr<const Version> pinned_;
  uint64_t version_;
  mutable Mutex plans_mu_;
  mutable absl::flat_hash_map<std::string, std::shared_ptr<const MergePlan>>
      plans_ ABSL_GUARDED_BY(plans_mu_);
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
    plan.handles.push_back(d);
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
