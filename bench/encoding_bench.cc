// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// Column encoding throughput on realistic 1,300-value chunks (about one
// data block of a 7-column table): encode and decode of every encoding
// that applies, and of the automatic choice, in values per second.
//
//   Encode/<data>/<encoding>   EncodeColumnAs; "auto" is EncodeColumn,
//                              "auto_aligned" with byte-aligned widths,
//                              "auto_zstd" also with the entropy-coded
//                              encodings (the writer's choice for ZSTD)
//   Decode/<data>/<encoding>   DecodeColumn into a reused ColumnVector
//   Unpack/<width>             UnpackBits alone

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "src/format/bit_packing.h"
#include "src/format/column_encoding.h"

namespace mesa::internal {
namespace {

constexpr size_t kChunk = 1300;

struct DataSet {
  std::string name;
  ColumnVector column;
};

std::vector<DataSet> MakeDataSets() {
  std::mt19937_64 rng(42);
  std::vector<DataSet> sets;
  ColumnVector sorted(ColumnType::kInt64), small(ColumnType::kInt64),
      random(ColumnType::kInt64), strings(ColumnType::kString),
      counts(ColumnType::kInt64), money(ColumnType::kInt64),
      sorted_runs(ColumnType::kInt64), dates(ColumnType::kInt32);
  int64_t secondary = 0;
  int32_t date = 20000;
  int64_t key = 1'000'000'000;
  std::vector<std::string> names;
  for (int i = 0; i < 40; ++i) {
    names.push_back("campaign-" + std::to_string(i * 7919 % 100000));
  }
  for (size_t i = 0; i < kChunk; ++i) {
    key += 1 + static_cast<int64_t>(rng() % 8);  // a leading key column
    sorted.AppendInt64(key);
    small.AppendInt64(static_cast<int64_t>(rng() % 1000));  // clicks
    random.AppendInt64(static_cast<int64_t>(rng()));        // hashes, costs
    strings.AppendString(names[rng() % names.size()]);
    // A count in 1..100, 1 % negated (a correction).
    const int64_t sign = rng() % 100 == 0 ? -1 : 1;
    counts.AppendInt64(sign * (1 + static_cast<int64_t>(rng() % 100)));
    // An amount: 0 a third of the time, else 1..9 times 10,000..999,999.
    const uint64_t amount = (1 + rng() % 9) * (10000 + rng() % 990000);
    money.AppendInt64(rng() % 3 == 0 ? 0 : sign * static_cast<int64_t>(amount));
    // A secondary key column: sorted runs of about 16 values.
    secondary = i % 16 == 0 ? static_cast<int64_t>(rng() % 64)
                            : secondary + static_cast<int64_t>(rng() % 40);
    sorted_runs.AppendInt64(500000 + secondary);
    // A date column: runs of about 16 equal values.
    if (rng() % 16 == 0) ++date;
    dates.AppendInt32(date);
  }
  sets.push_back({"sorted_int64", std::move(sorted)});
  sets.push_back({"small_range_int64", std::move(small)});
  sets.push_back({"dict40_string", std::move(strings)});
  sets.push_back({"random_int64", std::move(random)});
  sets.push_back({"count_int64", std::move(counts)});
  sets.push_back({"amount_int64", std::move(money)});
  sets.push_back({"sorted_runs_int64", std::move(sorted_runs)});
  sets.push_back({"date_runs_int32", std::move(dates)});
  return sets;
}

// How a benchmark encodes: forced, or the automatic choice with exact or
// byte-aligned widths, or (the writer's choice for ZSTD chunks) with
// byte-aligned widths and the entropy-coded encodings.
enum class Mode { kForced, kAuto, kAutoAligned, kAutoZstd };

EncodeOptions OptionsFor(Mode mode) {
  return EncodeOptions{mode == Mode::kAutoAligned || mode == Mode::kAutoZstd,
                       mode == Mode::kAutoZstd};
}

void BM_Encode(benchmark::State& state, const ColumnVector* column, Encoding e,
               Mode mode) {
  const EncodeOptions options = OptionsFor(mode);
  std::string body;
  for (auto _ : state) {
    body.clear();
    if (mode == Mode::kForced) {
      benchmark::DoNotOptimize(EncodeColumnAs(e, *column, options, &body));
    } else {
      benchmark::DoNotOptimize(EncodeColumn(*column, options, &body));
    }
    benchmark::DoNotOptimize(body.data());
  }
  state.SetItemsProcessed(state.iterations() * column->size());
  state.counters["bytes_per_value"] =
      static_cast<double>(body.size()) / column->size();
}

void BM_Decode(benchmark::State& state, const ColumnVector* column, Encoding e,
               Mode mode) {
  const EncodeOptions options = OptionsFor(mode);
  std::string body;
  if (mode != Mode::kForced) {
    e = EncodeColumn(*column, options, &body);
  } else if (!EncodeColumnAs(e, *column, options, &body).ok()) {
    state.SkipWithError("encoding does not apply");
    return;
  }
  ColumnVector out(column->type());
  out.Reserve(column->size());
  for (auto _ : state) {
    out.Clear();
    absl::Status s = DecodeColumn(e, body, column->size(), &out);
    if (!s.ok()) {
      state.SkipWithError("decode failed");
      return;
    }
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(state.iterations() * column->size());
}

void BM_Unpack(benchmark::State& state) {
  const int width = static_cast<int>(state.range(0));
  std::mt19937_64 rng(7);
  std::vector<uint64_t> values(kChunk);
  const uint64_t mask = width == 64 ? ~uint64_t{0} : (uint64_t{1} << width) - 1;
  for (uint64_t& v : values) v = rng() & mask;
  std::string packed;
  PackBits(values.data(), values.size(), width, &packed);
  std::vector<uint64_t> out(kChunk);
  for (auto _ : state) {
    benchmark::DoNotOptimize(UnpackBits(packed, kChunk, width, out.data()));
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * kChunk);
}
BENCHMARK(BM_Unpack)->Arg(3)->Arg(8)->Arg(11)->Arg(17)->Arg(32)->Arg(61);

// The data sets live for the whole program; benchmarks borrow them.
int RegisterAll() {
  static const std::vector<DataSet>* const sets =
      new std::vector<DataSet>(MakeDataSets());
  const Encoding all[] = {Encoding::kPlain,    Encoding::kRle,
                          Encoding::kDict,     Encoding::kFor,
                          Encoding::kDelta,    Encoding::kHuffFor,
                          Encoding::kHuffDelta, Encoding::kHuffDict,
                          Encoding::kHuffRle};
  for (const DataSet& d : *sets) {
    for (const char* op : {"Encode", "Decode"}) {
      auto fn = std::string(op) == "Encode" ? BM_Encode : BM_Decode;
      const std::string prefix = std::string(op) + "/" + d.name + "/";
      benchmark::RegisterBenchmark((prefix + "auto").c_str(), fn, &d.column,
                                   Encoding::kPlain, Mode::kAuto);
      benchmark::RegisterBenchmark((prefix + "auto_aligned").c_str(), fn,
                                   &d.column, Encoding::kPlain,
                                   Mode::kAutoAligned);
      benchmark::RegisterBenchmark((prefix + "auto_zstd").c_str(), fn,
                                   &d.column, Encoding::kPlain,
                                   Mode::kAutoZstd);
      for (Encoding e : all) {
        std::string probe;
        if (!EncodeColumnAs(e, d.column, {}, &probe).ok()) continue;
        benchmark::RegisterBenchmark(
            (prefix + std::string(EncodingName(e))).c_str(), fn, &d.column, e,
            Mode::kForced);
      }
    }
  }
  return 0;
}
const int kRegistered = RegisterAll();

}  // namespace
}  // namespace mesa::internal
