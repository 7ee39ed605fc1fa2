// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.

#include "src/workload/ads_queries.h"

#include <algorithm>
#include <chrono>

#include "absl/container/flat_hash_map.h"
#include "fmt/format.h"
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
  spec.group_by = {"advertiser_id", "country"};
  spec.columns = {"advertiser_id", "country", "clicks", "cost_micros"};
  spec.batch_rows = 4096;
  MESA_ASSIGN_OR_RETURN(auto cursor, reader.Scan("ads", spec));
  return Drain(cursor.get(), 3);  // rows are groups; checksum SUM(cost)
}

absl::StatusOr<ScanResult> RunQ2ByHand(const VersionedReader& reader) {
  ScanSpec spec;
  spec.columns = {"advertiser_id", "country", "clicks", "cost_micros"};
  spec.batch_rows = 4096;
  MESA_ASSIGN_OR_RETURN(auto cursor, reader.Scan("ads", spec));
  struct Sums {
    int64_t clicks = 0, cost = 0;
  };
  // Countries are two bytes: the group key packs into one integer.
  absl::flat_hash_map<std::pair<int64_t, uint32_t>, Sums> groups;
  while (cursor->Next()) {
    const RowBatch& b = cursor->batch();
    for (size_t r = 0; r < b.num_rows(); ++r) {
      std::string_view country = b.column(1).GetString(r);
      uint32_t packed = static_cast<uint32_t>(country.size()) << 16;
      for (size_t i = 0; i < country.size() && i < 2; ++i) {
        packed |= static_cast<uint32_t>(static_cast<uint8_t>(country[i]))
                  << (8 * i);
      }
      Sums& s = groups[{b.column(0).GetInt64(r), packed}];
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
  // The report's rows as views (ScanCursor::NextView): every column is
  // there to read, and none is copied out of the block cache first.
  ScanResult result;
  while (cursor->NextView()) {
    const ColumnView& cost = cursor->views()[kAdsCostMicros];
    result.rows += cost.size();
    for (size_t r = 0; r < cost.size(); ++r) result.checksum += cost.GetInt64(r);
  }
  MESA_RETURN_IF_ERROR(cursor->status());
  return result;
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

namespace {

using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

double Percentile(std::vector<double>* v, double p) {
  if (v->empty()) return 0;
  std::sort(v->begin(), v->end());
  return (*v)[std::min(v->size() - 1, static_cast<size_t>(p * v->size()))];
}

}  // namespace

absl::StatusOr<QueryReport> MeasureQueries(Database* db,
                                           const BatchPlan& plan,
                                           uint64_t q3_queries,
                                           uint64_t q4_lookups) {
  QueryReport r;
  MESA_ASSIGN_OR_RETURN(auto reader, db->NewReader());
  r.version = reader->version();
  auto t0 = Clock::now();
  MESA_ASSIGN_OR_RETURN(ScanResult q1, RunQ1(*reader));
  r.q1_seconds = SecondsSince(t0);
  r.q1_rows = q1.rows;

  std::vector<double> us;
  Q3AdvertiserStream advertisers;
  for (uint64_t j = 0; j < q3_queries; ++j) {
    int64_t a = advertisers.Next();
    auto t = Clock::now();
    MESA_ASSIGN_OR_RETURN(ScanResult q3, RunQ3(*reader, a));
    us.push_back(SecondsSince(t) * 1e6);
    r.q3_rows += q3.rows;
  }
  r.q3_queries = q3_queries;
  r.q3_p50_us = Percentile(&us, 0.5);
  r.q3_p99_us = Percentile(&us, 0.99);

  us.clear();
  const uint64_t n = plan.num_facts();
  const uint64_t stride = std::max<uint64_t>(1, kQ4Lookups / std::max<uint64_t>(1, q4_lookups));
  for (uint64_t k = 0; k < kQ4Lookups && r.q4_lookups < q4_lookups;
       k += stride) {
    uint64_t i = Q4FactIndex(k, n);
    auto t = Clock::now();
    MESA_ASSIGN_OR_RETURN(ScanResult q4, RunQ4(*reader, i));
    us.push_back(SecondsSince(t) * 1e6);
    r.q4_hits += q4.rows;
    ++r.q4_lookups;
  }
  r.q4_p50_us = Percentile(&us, 0.5);
  r.q4_p99_us = Percentile(&us, 0.99);

  r.q5_version = plan.batches / 2;
  MESA_ASSIGN_OR_RETURN(auto old_reader, db->NewReader(r.q5_version));
  t0 = Clock::now();
  MESA_ASSIGN_OR_RETURN(ScanResult q5, RunQ2(*old_reader));
  r.q5_seconds = SecondsSince(t0);
  r.q5_groups = q5.rows;
  t0 = Clock::now();
  MESA_ASSIGN_OR_RETURN(ScanResult q1_old, RunQ1(*old_reader));
  r.q1_old_seconds = SecondsSince(t0);
  r.q1_old_rows = q1_old.rows;
  return r;
}

void PrintQueryReport(const QueryReport& r) {
  fmt::print("  Q1 full scan @v{:<5}  {:>10} rows    {:9.1f} ms  {:7.1f} M rows/s\n",
             r.version, r.q1_rows, r.q1_seconds * 1e3,
             r.q1_rows / r.q1_seconds / 1e6);
  fmt::print("  Q3 report x{:<9}  {:>10} rows    p50 {:7.1f} us  p99 {:7.1f} us\n",
             r.q3_queries, r.q3_rows, r.q3_p50_us, r.q3_p99_us);
  fmt::print("  Q4 point x{:<10}  {:>10} hits    p50 {:7.1f} us  p99 {:7.1f} us\n",
             r.q4_lookups, r.q4_hits, r.q4_p50_us, r.q4_p99_us);
  fmt::print("  Q5 (Q2 @v{:<5})       {:>10} groups  {:9.1f} ms\n",
             r.q5_version, r.q5_groups, r.q5_seconds * 1e3);
  fmt::print("  Q1 @v{:<5}             {:>10} rows    {:9.1f} ms  {:7.1f} M rows/s\n",
             r.q5_version, r.q1_old_rows, r.q1_old_seconds * 1e3,
             r.q1_old_rows / r.q1_old_seconds / 1e6);
}

}  // namespace mesa::workload
