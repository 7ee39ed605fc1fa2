// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// Delta-file benchmarks on the `ads` facts of shared/workloads.md, sorted
// and aggregated (default scale: 10 M facts, 9,456,826 rows): bytes per
// row on disk, sort-free encode + compress + write, decode of all seven
// columns, and seek latency. Scale from $MESA_BENCH_SCALE (default
// "default"). Files go to an in-memory FileSystem so the figures measure
// the format, not the disk.

#include <benchmark/benchmark.h>

#include <array>

#include <cstdlib>
#include <memory>
#include <random>

#include "mesa/file_system.h"
#include "src/format/delta_reader.h"
#include "src/format/column_encoding.h"
#include "src/format/delta_writer.h"
#include "src/format/key_coding.h"
#include "src/workload/workload.h"

namespace mesa::internal {
namespace {

const RowBatch& AdsRows() {
  static const RowBatch* rows = [] {
    const char* env = std::getenv("MESA_BENCH_SCALE");
    auto scale = workload::ParseScale(env != nullptr ? env : "default");
    auto plan = workload::AdsPlan(scale.ok() ? *scale
                                             : workload::Scale::kDefault);
    auto* batch = new RowBatch(workload::AdsSchema());
    workload::FillAdsBatch(0, plan.num_facts(), batch);
    workload::SortAndAggregate(workload::AdsSchema(), batch);
    return batch;
  }();
  return *rows;
}

FileSystem* BenchFs() {
  static FileSystem* fs = NewMemFileSystem().release();
  return fs;
}

std::string PathFor(Codec codec) {
  return "/ads_" + std::to_string(static_cast<int>(codec)) + ".delta";
}

absl::Status WriteAds(Codec codec, const std::string& path) {
  DeltaFileOptions options;
  options.codec = codec;
  auto writer = DeltaWriter::Create({BenchFs(), path, workload::AdsSchema(), 1,
                                     100, options, AdsRows().num_rows()});
  if (!writer.ok()) return writer.status();
  if (auto s = (*writer)->Add(AdsRows()); !s.ok()) return s;
  return (*writer)->Finish().status();
}

std::shared_ptr<const DeltaReader> AdsReader(Codec codec) {
  static std::shared_ptr<const DeltaReader> readers[3];
  auto& r = readers[static_cast<int>(codec)];
  if (r == nullptr) {
    if (!WriteAds(codec, PathFor(codec)).ok()) std::abort();
    r = *DeltaReader::Open(BenchFs(), PathFor(codec));
  }
  return r;
}

void BM_Write(benchmark::State& state) {
  const Codec codec = static_cast<Codec>(state.range(0));
  const RowBatch& rows = AdsRows();
  for (auto _ : state) {
    auto s = WriteAds(codec, "/write_bench.delta");
    if (!s.ok()) state.SkipWithError(std::string(s.message()).c_str());
  }
  auto size = BenchFs()->GetFileSize("/write_bench.delta");
  state.SetItemsProcessed(state.iterations() * rows.num_rows());
  state.counters["bytes_per_row"] =
      static_cast<double>(*size) / static_cast<double>(rows.num_rows());
  state.counters["rows"] = static_cast<double>(rows.num_rows());
}
BENCHMARK(BM_Write)->Arg(0)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)
    ->MeasureProcessCPUTime()->UseRealTime();

void BM_DecodeAllColumns(benchmark::State& state) {
  auto reader = AdsReader(static_cast<Codec>(state.range(0)));
  uint64_t rows = 0;
  for (auto _ : state) {
    auto cursor = reader->NewCursor();
    uint64_t checksum = 0;
    for (cursor->SeekToFirst(); cursor->Valid(); cursor->NextBlock()) {
      checksum += cursor->batch().column(6).GetWord(cursor->row());
      rows += cursor->batch().num_rows();
    }
    benchmark::DoNotOptimize(checksum);
  }
  state.SetItemsProcessed(static_cast<int64_t>(rows));
}
BENCHMARK(BM_DecodeAllColumns)->Arg(0)->Arg(1)->Arg(2)
    ->Unit(benchmark::kMillisecond);

void BM_DecodeOneColumn(benchmark::State& state) {
  auto reader = AdsReader(Codec::kZstd);
  uint64_t rows = 0;
  for (auto _ : state) {
    auto cursor = reader->NewCursor({{workload::kAdsClicks}, {}});
    for (cursor->SeekToFirst(); cursor->Valid(); cursor->NextBlock()) {
      rows += cursor->batch().num_rows();
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(rows));
}
BENCHMARK(BM_DecodeOneColumn)->Unit(benchmark::kMillisecond);

void BM_SeekRandomKey(benchmark::State& state) {
  auto reader = AdsReader(Codec::kZstd);
  const RowBatch& rows = AdsRows();
  std::mt19937_64 rng(7);
  std::vector<std::string> keys(4096);
  for (auto& k : keys) {
    AppendEncodedKey(rows, rng() % rows.num_rows(), workload::kAdsNumKeys, &k);
  }
  auto cursor = reader->NewCursor();
  size_t i = 0;
  for (auto _ : state) {
    cursor->Seek(keys[i++ % keys.size()]);
    benchmark::DoNotOptimize(cursor->Valid());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SeekRandomKey)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace mesa::internal

namespace mesa::internal {
namespace {

// Not a timing: the stored bytes per row of each column (and the encodings
// chosen), reported as counters, to see where the bytes go.
void BM_ColumnBytesPerRow(benchmark::State& state) {
  auto reader = AdsReader(static_cast<Codec>(state.range(0)));
  const Schema& schema = reader->schema();
  std::vector<double> bytes(schema.num_columns());
  std::vector<std::array<uint64_t, kNumEncodings>> encodings(
      schema.num_columns());
  for (auto _ : state) {
    std::string storage;
    for (size_t b = 0; b < reader->num_blocks(); ++b) {
      auto parsed = reader->ParseRawBlock(b, &storage);
      if (!parsed.ok()) std::abort();
      for (size_t c = 0; c < schema.num_columns(); ++c) {
        bytes[c] += static_cast<double>(parsed->chunks[c].payload.size());
        encodings[c][static_cast<int>(parsed->chunks[c].encoding)]++;
      }
    }
  }
  std::string label;
  for (size_t c = 0; c < schema.num_columns(); ++c) {
    state.counters[schema.column(c).name] =
        bytes[c] / static_cast<double>(state.iterations()) /
        static_cast<double>(reader->row_count());
    int best = 0;
    for (int e = 1; e < kNumEncodings; ++e) {
      if (encodings[c][e] > encodings[c][best]) best = e;
    }
    label += schema.column(c).name + "=" +
             std::string(EncodingName(static_cast<Encoding>(best))) + " ";
  }
  state.SetLabel(label);
}
BENCHMARK(BM_ColumnBytesPerRow)->Arg(2)->Iterations(1);

}  // namespace
}  // namespace mesa::internal
