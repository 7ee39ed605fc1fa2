// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.

#include "src/workload/ads_queries.h"

#include "absl/container/flat_hash_map.h"
#include "src/util/status_macros.h"

namespace mesa::workload {

absl::Status LoadAds(Database* db, const BatchPlan& plan, uint64_t first,
                     uint64_t last,
                     const std::function<void(uint64_t)>& on_batch) {
  auto table = db->GetTable("ads");
  if (!table.ok()) table = db->CreateTable("ads", AdsSchema());
  MESA_RETURN_IF_ERROR(table.status());
  RowBatch rows(AdsSchema());
  for (uint64_t b = first; b < last; ++b) {
    FillAdsBatch(plan.begin(b), plan.end(b), &rows);
    UpdateBatch batch;
    MESA_RETURN_IF_ERROR(batch.AddRows(**table, rows));
    MESA_ASSIGN_OR_RETURN(uint64_t version, db->Commit(batch));
    if (version != b + 1) {
      return absl::FailedPreconditionError(
          "the ads workload must be loaded into a fresh database");
    }
    if (on_batch) on_batch(b);
  }
  return absl::OkStatus();
}

namespace {

absl::StatusOr<ScanResult> Drain(ScanCursor* cursor, int cost_column) {
  ScanResult result;
  while (cursor->Next()) {
    const RowBatch& batch = cursor->batch();
    result.rows += batch.num_rows();
    if (cost_column >= 0) {
      const auto& words = batch.column(cost_column).words();
      for (uint64_t w : words) result.checksum += static_cast<int64_t>(w);
    }
  }
  MESA_RETURN_IF_ERROR(cursor->status());
  return result;
}

}  // namespace

absl::StatusOr<ScanResult> RunQ1(const VersionedReader& reader) {
  ScanSpec spec;
  spec.batch_rows = 4096;
  MESA_ASSIGN_OR_RETURN(auto cursor, reader.Scan("ads", spec));
  return Drain(cursor.get(), kAdsCostMicros);
}

absl::StatusOr<ScanResult> RunQ2(const VersionedReader& reader) {
  ScanSpec spec;
  spec.columns = {"advertiser_id", "country", "clicks", "cost_micros"};
  spec.batch_rows = 4096;
  MESA_ASSIGN_OR_RETURN(auto cursor, reader.Scan("ads", spec));
  struct Sums {
    int64_t clicks = 0, cost = 0;
  };
  absl::flat_hash_map<std::pair<int64_t, std::string>, Sums> groups;
  while (cursor->Next()) {
    const RowBatch& b = cursor->batch();
    for (size_t r = 0; r < b.num_rows(); ++r) {
      Sums& s = groups[{b.column(0).GetInt64(r),
                        std::string(b.column(1).GetString(r))}];
      s.clicks += b.column(2).GetInt64(r);
      s.cost += b.column(3).GetInt64(r);
    }
  }
  MESA_RETURN_IF_ERROR(cursor->status());
  ScanResult result;
  result.rows = groups.size();
  for (const auto& [key, s] : groups) result.checksum += s.cost;
  return result;
}

absl::StatusOr<ScanResult> RunQ3(const VersionedReader& reader,
                                 int64_t advertiser) {
  ScanSpec spec;
  spec.key_prefix = {advertiser};
  spec.lower = kQ3DateBegin;
  spec.upper = kQ3DateEnd;
  MESA_ASSIGN_OR_RETURN(auto cursor, reader.Scan("ads", spec));
  return Drain(cursor.get(), kAdsCostMicros);
}

absl::StatusOr<ScanResult> RunQ4(const VersionedReader& reader, uint64_t i) {
  AdsFact f = AdsFactAt(i);
  Value key[] = {f.advertiser_id, f.date, f.publisher_id,
                 std::string_view(f.country)};
  MESA_ASSIGN_OR_RETURN(auto row, reader.Get("ads", key));
  ScanResult result;
  if (row) {
    result.rows = 1;
    result.checksum = row->column(kAdsCostMicros).GetInt64(0);
  }
  return result;
}

}  // namespace mesa::workload
