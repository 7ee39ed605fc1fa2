// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// The exact generator of the reference workloads of shared/workloads.md:
// `ads` (the paper's advertising facts) and `already_read` (a feed's
// read-history filter), their batch plans and their query streams. Every
// benchmark, example and comparison draws its data from here, so figures
// from different tools describe the same facts, bit for bit.
//
// Every stream is splitmix64 and every fact or query draws a fixed number of
// values, so the generators can seek: fact `i` of `ads` is the same whether
// it is generated alone, in order, or from many threads.
//
// Not part of libmesa.a: this is the `mesa_workload` library, linked by
// bench/, examples/ and tests/.
//
// Thread safety: the free functions are safe to call from many threads; a
// generator or stream object is used by one thread at a time.

#ifndef MESA_WORKLOAD_WORKLOAD_H_
#define MESA_WORKLOAD_WORKLOAD_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "mesa/row_batch.h"
#include "mesa/schema.h"

namespace mesa::workload {

// ------------------------------------------------------------ random numbers

// splitmix64, as workloads.md spells it. The state advances by a constant
// on every draw, so Skip() is O(1).
class SplitMix64 {
 public:
  static constexpr uint64_t kGamma = 0x9E3779B97F4A7C15ull;

  explicit SplitMix64(uint64_t seed) : state_(seed) {}

  uint64_t next() {
    state_ += kGamma;
    uint64_t z = state_;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // A uniform double in [0, 1).
  double u() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  // Advances the stream as `n` calls of next() would.
  void Skip(uint64_t n) { state_ += n * kGamma; }

 private:
  uint64_t state_;
};

// The seeds of workloads.md: one stream per purpose.
inline constexpr uint64_t kFactSeed = 42;     // facts of both workloads
inline constexpr uint64_t kQ3Seed = 7;        // Q3 advertisers
inline constexpr uint64_t kR1UserSeed = 11;   // R1 users
inline constexpr uint64_t kR1DocSeed = 13;    // R1 candidate docs

// ------------------------------------------------------------ scales

enum class Scale { kSmall, kDefault, kLarge };

// "small", "default" or "large"; InvalidArgument otherwise.
absl::StatusOr<Scale> ParseScale(std::string_view name);
std::string_view ScaleName(Scale scale);

// `batches` batches of `rows_per_batch` facts: batch b (from 0) holds facts
// [b * rows_per_batch, (b + 1) * rows_per_batch) and is committed as
// version b + 1.
struct BatchPlan {
  uint64_t batches = 0;
  uint64_t rows_per_batch = 0;

  uint64_t num_facts() const { return batches * rows_per_batch; }
  uint64_t begin(uint64_t batch) const { return batch * rows_per_batch; }
  uint64_t end(uint64_t batch) const { return (batch + 1) * rows_per_batch; }
};

// ads: small 10 x 10,000; default 100 x 100,000; large 1,000 x 100,000.
BatchPlan AdsPlan(Scale scale);
// already_read: small 10 x 20,000; default 100 x 200,000. workloads.md
// defines no large scale for it: InvalidArgument.
absl::StatusOr<BatchPlan> ReadsPlan(Scale scale);

// ------------------------------------------------------------ workload ads

// Column indexes of AdsSchema().
inline constexpr size_t kAdsAdvertiserId = 0;
inline constexpr size_t kAdsDate = 1;
inline constexpr size_t kAdsPublisherId = 2;
inline constexpr size_t kAdsCountry = 3;
inline constexpr size_t kAdsImpressions = 4;
inline constexpr size_t kAdsClicks = 5;
inline constexpr size_t kAdsCostMicros = 6;
inline constexpr size_t kAdsNumKeys = 4;

// Table `ads`: (advertiser_id int64, date int32, publisher_id int64,
// country string | impressions int64 SUM, clicks int64 SUM, cost_micros
// int64 SUM).
const Schema& AdsSchema();
// The rollup view `ads_by_advertiser_country`: (advertiser_id int64,
// country string | clicks int64 SUM, cost_micros int64 SUM).
const Schema& AdsByAdvertiserCountrySchema();

inline constexpr size_t kNumCountries = 40;
inline constexpr char kCountryBytes[] =
    "USGBDEFRJPCNINBRCAAUKRITESMXRUNLSECHPLTRIDSAARZABEATNODKFIIEPTGRCZHURO"
    "ILNZSGHKTW";
// COUNTRIES[i] of workloads.md, for i < kNumCountries: two bytes in static
// storage.
inline std::string_view Country(size_t i) {
  return std::string_view(kCountryBytes + 2 * i, 2);
}

struct AdsFact {
  int64_t advertiser_id;
  int32_t date;  // days since 1970-01-01
  int64_t publisher_id;
  std::string_view country;  // points into static storage
  int64_t impressions;
  int64_t clicks;
  int64_t cost_micros;
};

// Facts of `ads` in order, from fact `first` on. Allocates nothing.
class AdsFactGenerator {
 public:
  static constexpr uint64_t kDrawsPerFact = 8;

  explicit AdsFactGenerator(uint64_t first = 0) : rng_(kFactSeed) {
    Seek(first);
  }
  // The next call of Next() returns fact `i`.
  void Seek(uint64_t i) {
    rng_ = SplitMix64(kFactSeed);
    rng_.Skip(i * kDrawsPerFact);
    index_ = i;
  }
  // The index of the fact Next() returns.
  uint64_t index() const { return index_; }

  AdsFact Next() {
    AdsFact f;
    double a = rng_.u();
    f.advertiser_id = 1000 + static_cast<int64_t>(20000.0 * (a * a * a * a));
    f.date = 20000 + static_cast<int32_t>(30.0 * rng_.u());
    double p = rng_.u();
    f.publisher_id = 500000 + static_cast<int64_t>(2000.0 * (p * p * p));
    double c = rng_.u();
    f.country = Country(static_cast<size_t>(40.0 * (c * c)));
    double impressions = 1.0 + static_cast<double>(
                                   static_cast<int64_t>(100.0 * rng_.u()));
    double clicks =
        static_cast<double>(static_cast<int64_t>(impressions * rng_.u() * 0.1));
    double price = 10000.0 + static_cast<double>(
                                 static_cast<int64_t>(990000.0 * rng_.u()));
    f.impressions = static_cast<int64_t>(impressions);
    f.clicks = static_cast<int64_t>(clicks);
    f.cost_micros = static_cast<int64_t>(clicks * price);
    if (rng_.u() < 0.01) {  // a correction: a negative fact
      f.impressions = -f.impressions;
      f.clicks = -f.clicks;
      f.cost_micros = -f.cost_micros;
    }
    ++index_;
    return f;
  }

 private:
  SplitMix64 rng_;
  uint64_t index_ = 0;
};

// Fact `i` of `ads` alone.
inline AdsFact AdsFactAt(uint64_t i) { return AdsFactGenerator(i).Next(); }

// Appends the 4 key columns of `fact` to columns 0..3 of *batch.
void AppendAdsKey(const AdsFact& fact, RowBatch* batch);
// Appends every column of `fact` to *batch (AdsSchema()'s columns).
void AppendAdsFact(const AdsFact& fact, RowBatch* batch);
// Replaces the rows of *batch (AdsSchema()'s columns) with facts
// [begin, end) of `ads`.
void FillAdsBatch(uint64_t begin, uint64_t end, RowBatch* batch);
// A new batch holding facts [begin, end) of `ads`.
RowBatch AdsBatch(uint64_t begin, uint64_t end);

// Q3 report: the date range [kQ3DateBegin, kQ3DateEnd), and the advertiser
// of query j, from stream seed 7 (one draw per query).
inline constexpr int32_t kQ3DateBegin = 20010;
inline constexpr int32_t kQ3DateEnd = 20020;
class Q3AdvertiserStream {
 public:
  explicit Q3AdvertiserStream(uint64_t first_query = 0) : rng_(kQ3Seed) {
    rng_.Skip(first_query);
  }
  int64_t Next() {
    double a = rng_.u();
    return 1000 + static_cast<int64_t>(20000.0 * (a * a * a * a));
  }

 private:
  SplitMix64 rng_;
};

// Q4 point lookups: fact index i = k * (N / 100,000) for k = 0..99,999,
// N = the number of facts (integer division).
inline constexpr uint64_t kQ4Lookups = 100000;
inline uint64_t Q4FactIndex(uint64_t k, uint64_t num_facts) {
  return k * (num_facts / kQ4Lookups);
}
std::vector<uint64_t> Q4FactIndexes(uint64_t num_facts);

// ------------------------------------------------------------ already_read

inline constexpr size_t kReadsUserId = 0;
inline constexpr size_t kReadsDocId = 1;
inline constexpr size_t kReadsReadAt = 2;
inline constexpr size_t kReadsNumKeys = 2;
inline constexpr int64_t kReadAtBase = 1700000000000;

// Table `reads`: (user_id int64, doc_id int64 | read_at int64 MAX).
const Schema& ReadsSchema();

struct AlreadyReadFact {
  int64_t user_id;
  int64_t doc_id;
  int64_t read_at;
};

inline int64_t DrawUserId(SplitMix64& rng) {
  double u = rng.u();
  return 1 + static_cast<int64_t>(1000000.0 * (u * u));
}
inline int64_t DrawDocId(SplitMix64& rng) {
  double u = rng.u();
  return 1 + static_cast<int64_t>(1e9 * (u * u * u));
}

// Facts of `already_read` in order, from fact `first` on. Allocates nothing.
class AlreadyReadFactGenerator {
 public:
  static constexpr uint64_t kDrawsPerFact = 2;

  explicit AlreadyReadFactGenerator(uint64_t first = 0) : rng_(kFactSeed) {
    Seek(first);
  }
  void Seek(uint64_t i) {
    rng_ = SplitMix64(kFactSeed);
    rng_.Skip(i * kDrawsPerFact);
    index_ = i;
  }
  uint64_t index() const { return index_; }

  AlreadyReadFact Next() {
    AlreadyReadFact f;
    f.user_id = DrawUserId(rng_);
    f.doc_id = DrawDocId(rng_);
    f.read_at = kReadAtBase + static_cast<int64_t>(index_);
    ++index_;
    return f;
  }

 private:
  SplitMix64 rng_;
  uint64_t index_ = 0;
};

inline AlreadyReadFact AlreadyReadFactAt(uint64_t i) {
  return AlreadyReadFactGenerator(i).Next();
}

void AppendReadsFact(const AlreadyReadFact& fact, RowBatch* batch);
// Replaces the rows of *batch (ReadsSchema()'s columns) with facts
// [begin, end) of `already_read`.
void FillReadsBatch(uint64_t begin, uint64_t end, RowBatch* batch);
RowBatch ReadsBatch(uint64_t begin, uint64_t end);

// R1 filter: query j's user (stream seed 11, one draw per query) and its 400
// candidate docs (stream seed 13, 400 draws per query). Each stream is one
// sequence: query j draws after query j - 1.
inline constexpr size_t kR1Candidates = 400;
struct R1Query {
  int64_t user_id = 0;
  std::array<int64_t, kR1Candidates> candidates{};
};
class R1QueryStream {
 public:
  explicit R1QueryStream(uint64_t first_query = 0)
      : users_(kR1UserSeed), docs_(kR1DocSeed) {
    users_.Skip(first_query);
    docs_.Skip(first_query * kR1Candidates);
  }
  // Overwrites *query with the next query. Allocates nothing.
  void Next(R1Query* query) {
    query->user_id = DrawUserId(users_);
    for (int64_t& doc : query->candidates) doc = DrawDocId(docs_);
  }

 private:
  SplitMix64 users_;
  SplitMix64 docs_;
};

// ------------------------------------------------------------ aggregation

// Sorts *rows (whose columns are `schema`'s) by the key columns, in the
// order of mesa::CompareValues, and combines rows with equal keys by each
// value column's aggregation: SUM of integers wraps around as uint64
// arithmetic does (int32 columns wrap at 32 bits), MIN and MAX in
// CompareValues order, REPLACE keeps the value of the last of the equal rows
// in the input order (the newest, when batches are appended in version
// order). The reference answer benchmarks and tests compare mesa against.
void SortAndAggregate(const Schema& schema, RowBatch* rows);

}  // namespace mesa::workload

#endif  // MESA_WORKLOAD_WORKLOAD_H_
