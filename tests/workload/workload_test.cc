// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.

#include "src/workload/workload.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <iterator>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "gtest/gtest.h"

// The full-scale distinct-key counts take a few seconds in an optimized
// build; under a sanitizer or without optimization they check small scale.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define MESA_WORKLOAD_TEST_SLOW 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || \
    __has_feature(memory_sanitizer)
#define MESA_WORKLOAD_TEST_SLOW 1
#endif
#endif
#if !defined(MESA_WORKLOAD_TEST_SLOW) && !defined(NDEBUG)
#define MESA_WORKLOAD_TEST_SLOW 1
#endif

namespace mesa::workload {
namespace {

// ------------------------------------------------------------ self-check

TEST(SplitMix64, SkipEqualsDraws) {
  SplitMix64 a(42), b(42);
  for (int i = 0; i < 17; ++i) a.next();
  b.Skip(17);
  EXPECT_EQ(a.next(), b.next());
}

TEST(SplitMix64, UniformInUnitInterval) {
  SplitMix64 rng(1);
  for (int i = 0; i < 10000; ++i) {
    double u = rng.u();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
  }
}

void ExpectAds(const AdsFact& f, int64_t advertiser, int32_t date,
               int64_t publisher, std::string_view country,
               int64_t impressions, int64_t clicks, int64_t cost) {
  EXPECT_EQ(f.advertiser_id, advertiser);
  EXPECT_EQ(f.date, date);
  EXPECT_EQ(f.publisher_id, publisher);
  EXPECT_EQ(f.country, country);
  EXPECT_EQ(f.impressions, impressions);
  EXPECT_EQ(f.clicks, clicks);
  EXPECT_EQ(f.cost_micros, cost);
}

TEST(WorkloadSelfCheck, AdsFirstFacts) {
  AdsFactGenerator gen;
  ExpectAds(gen.Next(), 7048, 20004, 500043, "JP", 4, 0, 0);
  ExpectAds(gen.Next(), 1267, 20018, 500017, "AU", 52, 2, 1337014);
  ExpectAds(gen.Next(), 1002, 20014, 500001, "PL", 96, 0, 0);
  EXPECT_EQ(gen.index(), 3u);
}

TEST(WorkloadSelfCheck, AlreadyReadFirstFacts) {
  AlreadyReadFactGenerator gen;
  AlreadyReadFact f = gen.Next();
  EXPECT_EQ(f.user_id, 549919);
  EXPECT_EQ(f.doc_id, 4089123);
  EXPECT_EQ(f.read_at, 1700000000000);
  f = gen.Next();
  EXPECT_EQ(f.user_id, 77619);
  EXPECT_EQ(f.doc_id, 40775328);
  EXPECT_EQ(f.read_at, 1700000000001);
  f = gen.Next();
  EXPECT_EQ(f.user_id, 1447);
  EXPECT_EQ(f.doc_id, 654487683);
  EXPECT_EQ(f.read_at, 1700000000002);
}

TEST(WorkloadSelfCheck, Q3Advertisers) {
  Q3AdvertiserStream q3;
  EXPECT_EQ(q3.Next(), 1461);
  EXPECT_EQ(q3.Next(), 1000);
  EXPECT_EQ(q3.Next(), 14166);
}

TEST(WorkloadSelfCheck, R1FirstQuery) {
  R1QueryStream r1;
  R1Query q;
  r1.Next(&q);
  EXPECT_EQ(q.user_id, 100011);
  EXPECT_EQ(q.candidates[0], 454243377);
  EXPECT_EQ(q.candidates[1], 35510039);
  EXPECT_EQ(q.candidates[2], 253459093);
}

// ------------------------------------------------------------ generators

TEST(AdsFactGenerator, SeekMatchesSequentialOrder) {
  AdsFactGenerator seq;
  for (uint64_t i = 0; i < 1000; ++i) {
    AdsFact a = seq.Next();
    AdsFact b = AdsFactAt(i);
    ASSERT_EQ(a.advertiser_id, b.advertiser_id) << i;
    ASSERT_EQ(a.date, b.date) << i;
    ASSERT_EQ(a.publisher_id, b.publisher_id) << i;
    ASSERT_EQ(a.country, b.country) << i;
    ASSERT_EQ(a.impressions, b.impressions) << i;
    ASSERT_EQ(a.clicks, b.clicks) << i;
    ASSERT_EQ(a.cost_micros, b.cost_micros) << i;
  }
  AdsFactGenerator gen(5);
  gen.Seek(1);
  EXPECT_EQ(gen.Next().advertiser_id, 1267);
}

TEST(AdsFactGenerator, FactsStayInTheirRanges) {
  AdsFactGenerator gen;
  int negative = 0;
  for (int i = 0; i < 100000; ++i) {
    AdsFact f = gen.Next();
    ASSERT_GE(f.advertiser_id, 1000);
    ASSERT_LT(f.advertiser_id, 21000);
    ASSERT_GE(f.date, 20000);
    ASSERT_LT(f.date, 20030);
    ASSERT_GE(f.publisher_id, 500000);
    ASSERT_LT(f.publisher_id, 502000);
    ASSERT_EQ(f.country.size(), 2u);
    int64_t imp = std::abs(f.impressions);
    ASSERT_GE(imp, 1);
    ASSERT_LE(imp, 100);
    ASSERT_LE(std::abs(f.clicks), imp / 10 + 1);
    if (f.clicks == 0) {
      ASSERT_EQ(f.cost_micros, 0);
    }
    if (f.impressions < 0) ++negative;
  }
  // About 1% of the facts are corrections.
  EXPECT_GT(negative, 700);
  EXPECT_LT(negative, 1300);
}

TEST(Countries, TableOfWorkloadsMd) {
  const char* expected[] = {"US", "GB", "DE", "FR", "JP", "CN", "IN", "BR",
                            "CA", "AU", "KR", "IT", "ES", "MX", "RU", "NL",
                            "SE", "CH", "PL", "TR", "ID", "SA", "AR", "ZA",
                            "BE", "AT", "NO", "DK", "FI", "IE", "PT", "GR",
                            "CZ", "HU", "RO", "IL", "NZ", "SG", "HK", "TW"};
  ASSERT_EQ(std::size(expected), kNumCountries);
  for (size_t i = 0; i < kNumCountries; ++i) {
    EXPECT_EQ(Country(i), expected[i]) << i;
  }
}

TEST(AlreadyReadFactGenerator, SeekMatchesSequentialOrder) {
  AlreadyReadFactGenerator seq;
  for (uint64_t i = 0; i < 1000; ++i) {
    AlreadyReadFact a = seq.Next();
    AlreadyReadFact b = AlreadyReadFactAt(i);
    ASSERT_EQ(a.user_id, b.user_id) << i;
    ASSERT_EQ(a.doc_id, b.doc_id) << i;
    ASSERT_EQ(a.read_at, b.read_at) << i;
    ASSERT_GE(a.user_id, 1);
    ASSERT_LE(a.user_id, 1000000);
    ASSERT_GE(a.doc_id, 1);
    ASSERT_LE(a.doc_id, 1000000000);
  }
}

TEST(QueryStreams, Q3SeekMatchesSequentialOrder) {
  Q3AdvertiserStream seq;
  std::vector<int64_t> first;
  for (int j = 0; j < 10; ++j) first.push_back(seq.Next());
  Q3AdvertiserStream from7(7);
  EXPECT_EQ(from7.Next(), first[7]);
}

TEST(QueryStreams, R1QueriesAreOneSequencePerStream) {
  R1QueryStream seq;
  R1Query q0, q1;
  seq.Next(&q0);
  seq.Next(&q1);
  // Query 1 draws after query 0 in both streams.
  SplitMix64 users(kR1UserSeed), docs(kR1DocSeed);
  EXPECT_EQ(DrawUserId(users), q0.user_id);
  EXPECT_EQ(DrawUserId(users), q1.user_id);
  for (size_t k = 0; k < kR1Candidates; ++k) {
    ASSERT_EQ(DrawDocId(docs), q0.candidates[k]) << k;
  }
  for (size_t k = 0; k < kR1Candidates; ++k) {
    ASSERT_EQ(DrawDocId(docs), q1.candidates[k]) << k;
  }
  R1QueryStream from1(1);
  R1Query again;
  from1.Next(&again);
  EXPECT_EQ(again.user_id, q1.user_id);
  EXPECT_EQ(again.candidates, q1.candidates);
}

TEST(QueryStreams, Q4Indexes) {
  std::vector<uint64_t> idx = Q4FactIndexes(AdsPlan(Scale::kDefault).num_facts());
  ASSERT_EQ(idx.size(), kQ4Lookups);
  EXPECT_EQ(idx[0], 0u);
  EXPECT_EQ(idx[1], 100u);
  EXPECT_EQ(idx[99999], 9999900u);
  EXPECT_EQ(Q4FactIndex(5, AdsPlan(Scale::kSmall).num_facts()), 5u);
  EXPECT_EQ(Q4FactIndex(5, AdsPlan(Scale::kLarge).num_facts()), 5000u);
}

// ------------------------------------------------------------ scales, batches

TEST(Scales, ParseAndPlans) {
  EXPECT_EQ(ParseScale("small").value(), Scale::kSmall);
  EXPECT_EQ(ParseScale("default").value(), Scale::kDefault);
  EXPECT_EQ(ParseScale("large").value(), Scale::kLarge);
  EXPECT_EQ(ParseScale("huge").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ScaleName(Scale::kDefault), "default");

  EXPECT_EQ(AdsPlan(Scale::kSmall).num_facts(), 100000u);
  EXPECT_EQ(AdsPlan(Scale::kDefault).batches, 100u);
  EXPECT_EQ(AdsPlan(Scale::kDefault).rows_per_batch, 100000u);
  EXPECT_EQ(AdsPlan(Scale::kLarge).num_facts(), 100000000u);
  BatchPlan plan = AdsPlan(Scale::kDefault);
  EXPECT_EQ(plan.begin(3), 300000u);
  EXPECT_EQ(plan.end(3), 400000u);

  EXPECT_EQ(ReadsPlan(Scale::kSmall)->rows_per_batch, 20000u);
  EXPECT_EQ(ReadsPlan(Scale::kDefault)->num_facts(), 20000000u);
  EXPECT_EQ(ReadsPlan(Scale::kLarge).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(Schemas, AdsAndReads) {
  EXPECT_EQ(AdsSchema().DebugString(),
            "(advertiser_id int64, date int32, publisher_id int64, country "
            "string | impressions int64 SUM, clicks int64 SUM, cost_micros "
            "int64 SUM)");
  EXPECT_EQ(AdsSchema().num_keys(), kAdsNumKeys);
  EXPECT_EQ(AdsByAdvertiserCountrySchema().DebugString(),
            "(advertiser_id int64, country string | clicks int64 SUM, "
            "cost_micros int64 SUM)");
  EXPECT_EQ(ReadsSchema().DebugString(),
            "(user_id int64, doc_id int64 | read_at int64 MAX)");
  EXPECT_EQ(ReadsSchema().num_keys(), kReadsNumKeys);
}

TEST(Batches, FillAdsBatchHoldsTheFacts) {
  RowBatch batch(AdsSchema());
  batch.column(0).AppendInt64(99);  // replaced, not appended to
  FillAdsBatch(1, 4, &batch);
  ASSERT_EQ(batch.num_rows(), 3u);
  for (size_t r = 0; r < 3; ++r) {
    AdsFact f = AdsFactAt(1 + r);
    EXPECT_EQ(batch.column(kAdsAdvertiserId).GetInt64(r), f.advertiser_id);
    EXPECT_EQ(batch.column(kAdsDate).GetInt32(r), f.date);
    EXPECT_EQ(batch.column(kAdsPublisherId).GetInt64(r), f.publisher_id);
    EXPECT_EQ(batch.column(kAdsCountry).GetString(r), f.country);
    EXPECT_EQ(batch.column(kAdsImpressions).GetInt64(r), f.impressions);
    EXPECT_EQ(batch.column(kAdsClicks).GetInt64(r), f.clicks);
    EXPECT_EQ(batch.column(kAdsCostMicros).GetInt64(r), f.cost_micros);
  }
  EXPECT_EQ(AdsBatch(0, 0).num_rows(), 0u);
}

TEST(Batches, FillReadsBatchHoldsTheFacts) {
  RowBatch batch = ReadsBatch(10, 15);
  ASSERT_EQ(batch.num_rows(), 5u);
  for (size_t r = 0; r < 5; ++r) {
    AlreadyReadFact f = AlreadyReadFactAt(10 + r);
    EXPECT_EQ(batch.column(kReadsUserId).GetInt64(r), f.user_id);
    EXPECT_EQ(batch.column(kReadsDocId).GetInt64(r), f.doc_id);
    EXPECT_EQ(batch.column(kReadsReadAt).GetInt64(r), kReadAtBase + 10 + r);
  }
}

// ------------------------------------------------------------ SortAndAggregate

Schema MixedSchema() {
  return Schema::Create(
             {{"k_str", ColumnType::kString}, {"k_i32", ColumnType::kInt32}},
             {{"sum64", ColumnType::kInt64, Aggregation::kSum},
              {"sum32", ColumnType::kInt32, Aggregation::kSum},
              {"sumd", ColumnType::kDouble, Aggregation::kSum},
              {"min64", ColumnType::kInt64, Aggregation::kMin},
              {"maxs", ColumnType::kString, Aggregation::kMax},
              {"repl", ColumnType::kString, Aggregation::kReplace},
              {"mind", ColumnType::kDouble, Aggregation::kMin},
              {"maxu", ColumnType::kUint64, Aggregation::kMax}})
      .value();
}

void AppendMixed(RowBatch* b, std::string_view ks, int32_t ki, int64_t s64,
                 int32_t s32, double sd, int64_t mn, std::string_view mx,
                 std::string_view repl, double mind, uint64_t maxu) {
  b->column(0).AppendString(ks);
  b->column(1).AppendInt32(ki);
  b->column(2).AppendInt64(s64);
  b->column(3).AppendInt32(s32);
  b->column(4).AppendDouble(sd);
  b->column(5).AppendInt64(mn);
  b->column(6).AppendString(mx);
  b->column(7).AppendString(repl);
  b->column(8).AppendDouble(mind);
  b->column(9).AppendUint64(maxu);
}

TEST(SortAndAggregate, SortsAndCombinesEveryAggregation) {
  Schema schema = MixedSchema();
  RowBatch b(schema);
  const std::string zero_key("a\0b", 3);
  AppendMixed(&b, "b", 1, 10, 1, 0.5, 7, "x", "first", 2.0, 5);
  AppendMixed(&b, zero_key, -5, 1, 2, 1.0, 3, "q", "only", -0.0, 1);
  AppendMixed(&b, "b", 1, 20, 2, 0.25, -4, "zz", "second", -1.5, 9);
  AppendMixed(&b, "a", 7, 5, 5, 0.0, 0, "m", "a7", 0.0, 0);
  AppendMixed(&b, "b", 1, -3, 3, 0.25, 2, "y", "third", 3.0, 2);
  AppendMixed(&b, "b", -1, 4, 4, 4.0, 4, "", "neg", 4.0,
              std::numeric_limits<uint64_t>::max());
  SortAndAggregate(schema, &b);

  ASSERT_EQ(b.num_rows(), 4u);
  // Keys in order: "a" 7 < "a\0b" -5 < "b" -1 < "b" 1.
  EXPECT_EQ(b.column(0).GetString(0), "a");
  EXPECT_EQ(b.column(1).GetInt32(0), 7);
  EXPECT_EQ(b.column(0).GetString(1), zero_key);
  EXPECT_EQ(b.column(1).GetInt32(1), -5);
  EXPECT_EQ(b.column(0).GetString(2), "b");
  EXPECT_EQ(b.column(1).GetInt32(2), -1);
  EXPECT_EQ(b.column(9).GetUint64(2), std::numeric_limits<uint64_t>::max());
  EXPECT_EQ(b.column(0).GetString(3), "b");
  EXPECT_EQ(b.column(1).GetInt32(3), 1);

  // The combined ("b", 1) group.
  EXPECT_EQ(b.column(2).GetInt64(3), 27);
  EXPECT_EQ(b.column(3).GetInt32(3), 6);
  EXPECT_EQ(b.column(4).GetDouble(3), 1.0);
  EXPECT_EQ(b.column(5).GetInt64(3), -4);
  EXPECT_EQ(b.column(6).GetString(3), "zz");
  EXPECT_EQ(b.column(7).GetString(3), "third");
  EXPECT_EQ(b.column(8).GetDouble(3), -1.5);
  EXPECT_EQ(b.column(9).GetUint64(3), 9u);

  // A single-row group is unchanged.
  EXPECT_EQ(b.column(7).GetString(1), "only");
  EXPECT_TRUE(std::signbit(b.column(8).GetDouble(1)));
}

// Random keys with \0 and \xff bytes and prefixes of each other, against a
// std::map model; once with short strings (the packed-key path) and once
// with a string too long to pack (the CompareValues path).
void CheckRandomStringKeys(bool with_long_string) {
  Schema schema = Schema::Create({{"s", ColumnType::kString},
                                  {"i", ColumnType::kInt32},
                                  {"u", ColumnType::kUint64}},
                                 {{"n", ColumnType::kInt64, Aggregation::kSum},
                                  {"last", ColumnType::kInt64,
                                   Aggregation::kReplace}})
                      .value();
  using Key = std::tuple<std::string, int32_t, uint64_t>;
  std::map<Key, std::pair<int64_t, int64_t>> model;
  RowBatch b(schema);
  SplitMix64 rng(1234);
  const char alphabet[] = {'\0', '\x01', 'a', '\xff'};
  auto add = [&](const std::string& s, int32_t i, uint64_t u, int64_t row) {
    b.column(0).AppendString(s);
    b.column(1).AppendInt32(i);
    b.column(2).AppendUint64(u);
    b.column(3).AppendInt64(1);
    b.column(4).AppendInt64(row);
    auto& m = model[Key(s, i, u)];
    m.first += 1;
    m.second = row;
  };
  for (int64_t row = 0; row < 3000; ++row) {
    std::string s;
    size_t len = rng.next() % 4;
    for (size_t k = 0; k < len; ++k) s.push_back(alphabet[rng.next() % 4]);
    int32_t i = static_cast<int32_t>(rng.next() % 5) - 2;
    uint64_t u = rng.next() % 2 == 0 ? 0 : ~uint64_t{0} - rng.next() % 2;
    add(s, i, u, row);
  }
  if (with_long_string) add(std::string(300, '\xff'), 0, 0, 3000);
  SortAndAggregate(schema, &b);
  ASSERT_EQ(b.num_rows(), model.size());
  size_t r = 0;
  for (const auto& [key, value] : model) {
    ASSERT_EQ(b.column(0).GetString(r), std::get<0>(key)) << r;
    ASSERT_EQ(b.column(1).GetInt32(r), std::get<1>(key)) << r;
    ASSERT_EQ(b.column(2).GetUint64(r), std::get<2>(key)) << r;
    ASSERT_EQ(b.column(3).GetInt64(r), value.first) << r;
    ASSERT_EQ(b.column(4).GetInt64(r), value.second) << r;
    ++r;
  }
}

TEST(SortAndAggregate, RandomStringKeysPacked) {
  CheckRandomStringKeys(/*with_long_string=*/false);
}

TEST(SortAndAggregate, RandomStringKeysUnpacked) {
  CheckRandomStringKeys(/*with_long_string=*/true);
}

TEST(SortAndAggregate, IntegerSumsWrapAround) {
  Schema schema =
      Schema::Create({{"k", ColumnType::kInt64}},
                     {{"s64", ColumnType::kInt64, Aggregation::kSum},
                      {"s32", ColumnType::kInt32, Aggregation::kSum},
                      {"su", ColumnType::kUint64, Aggregation::kSum}})
          .value();
  RowBatch b(schema);
  for (int i = 0; i < 2; ++i) {
    b.column(0).AppendInt64(1);
    b.column(1).AppendInt64(i == 0 ? std::numeric_limits<int64_t>::max() : 1);
    b.column(2).AppendInt32(i == 0 ? std::numeric_limits<int32_t>::max() : 1);
    b.column(3).AppendUint64(i == 0 ? std::numeric_limits<uint64_t>::max()
                                    : 2);
  }
  SortAndAggregate(schema, &b);
  ASSERT_EQ(b.num_rows(), 1u);
  EXPECT_EQ(b.column(1).GetInt64(0), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(b.column(2).GetInt32(0), std::numeric_limits<int32_t>::min());
  // An int32 value stays sign-extended in its 64-bit word.
  EXPECT_EQ(b.column(2).GetInt64(0), std::numeric_limits<int32_t>::min());
  EXPECT_EQ(b.column(3).GetUint64(0), 1u);
}

TEST(SortAndAggregate, DoubleKeysInTotalOrder) {
  Schema schema = Schema::Create({{"d", ColumnType::kDouble}},
                                 {{"n", ColumnType::kInt64, Aggregation::kSum}})
                      .value();
  RowBatch b(schema);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (double d : {nan, 1.0, 0.0, -0.0, -2.0, 1.0, 0.0}) {
    b.column(0).AppendDouble(d);
    b.column(1).AppendInt64(1);
  }
  SortAndAggregate(schema, &b);
  ASSERT_EQ(b.num_rows(), 5u);
  EXPECT_EQ(b.column(0).GetDouble(0), -2.0);
  EXPECT_TRUE(std::signbit(b.column(0).GetDouble(1)));  // -0.0 < +0.0
  EXPECT_EQ(b.column(0).GetDouble(2), 0.0);
  EXPECT_FALSE(std::signbit(b.column(0).GetDouble(2)));
  EXPECT_EQ(b.column(1).GetInt64(2), 2);
  EXPECT_EQ(b.column(0).GetDouble(3), 1.0);
  EXPECT_EQ(b.column(1).GetInt64(3), 2);
  EXPECT_TRUE(std::isnan(b.column(0).GetDouble(4)));  // NaN last
}

TEST(SortAndAggregate, EmptyBatch) {
  RowBatch b(AdsSchema());
  SortAndAggregate(AdsSchema(), &b);
  EXPECT_EQ(b.num_rows(), 0u);
  EXPECT_EQ(b.num_columns(), AdsSchema().num_columns());
}

// The ads facts against a std::map model.
TEST(SortAndAggregate, AdsMatchesMapModel) {
  using Key = std::tuple<int64_t, int32_t, int64_t, std::string>;
  struct Sums {
    int64_t impressions = 0, clicks = 0, cost = 0;
  };
  constexpr uint64_t kFacts = 20000;
  std::map<Key, Sums> model;
  AdsFactGenerator gen;
  for (uint64_t i = 0; i < kFacts; ++i) {
    AdsFact f = gen.Next();
    Sums& s = model[Key(f.advertiser_id, f.date, f.publisher_id,
                        std::string(f.country))];
    s.impressions += f.impressions;
    s.clicks += f.clicks;
    s.cost += f.cost_micros;
  }
  RowBatch b = AdsBatch(0, kFacts);
  SortAndAggregate(AdsSchema(), &b);
  ASSERT_EQ(b.num_rows(), model.size());
  ASSERT_LT(model.size(), kFacts);  // some keys repeat
  size_t r = 0;
  for (const auto& [key, sums] : model) {
    ASSERT_EQ(b.column(kAdsAdvertiserId).GetInt64(r), std::get<0>(key)) << r;
    ASSERT_EQ(b.column(kAdsDate).GetInt32(r), std::get<1>(key)) << r;
    ASSERT_EQ(b.column(kAdsPublisherId).GetInt64(r), std::get<2>(key)) << r;
    ASSERT_EQ(b.column(kAdsCountry).GetString(r), std::get<3>(key)) << r;
    ASSERT_EQ(b.column(kAdsImpressions).GetInt64(r), sums.impressions) << r;
    ASSERT_EQ(b.column(kAdsClicks).GetInt64(r), sums.clicks) << r;
    ASSERT_EQ(b.column(kAdsCostMicros).GetInt64(r), sums.cost) << r;
    ++r;
  }
}

TEST(SortAndAggregate, ReadsKeepTheLatestReadAt) {
  RowBatch b(ReadsSchema());
  auto add = [&](int64_t user, int64_t doc, int64_t at) {
    b.column(0).AppendInt64(user);
    b.column(1).AppendInt64(doc);
    b.column(2).AppendInt64(at);
  };
  add(2, 5, 100);
  add(1, 9, 50);
  add(2, 5, 300);
  add(2, 5, 200);
  SortAndAggregate(ReadsSchema(), &b);
  ASSERT_EQ(b.num_rows(), 2u);
  EXPECT_EQ(b.column(0).GetInt64(0), 1);
  EXPECT_EQ(b.column(2).GetInt64(0), 50);
  EXPECT_EQ(b.column(0).GetInt64(1), 2);
  EXPECT_EQ(b.column(1).GetInt64(1), 5);
  EXPECT_EQ(b.column(2).GetInt64(1), 300);
}

// ------------------------------------------------------------ distinct keys

// A fact's key packed into one word (every field has a small range).
uint64_t PackAdsKey(const AdsFact& f) {
  uint64_t country = static_cast<uint64_t>(f.country.data() - kCountryBytes) / 2;
  return (static_cast<uint64_t>(f.advertiser_id - 1000) << 22) |
         (static_cast<uint64_t>(f.date - 20000) << 17) |
         (static_cast<uint64_t>(f.publisher_id - 500000) << 6) | country;
}
uint64_t PackReadsKey(const AlreadyReadFact& f) {
  return (static_cast<uint64_t>(f.user_id) << 30) |
         static_cast<uint64_t>(f.doc_id);
}
size_t CountDistinct(std::vector<uint64_t> keys) {
  std::sort(keys.begin(), keys.end());
  return static_cast<size_t>(std::unique(keys.begin(), keys.end()) -
                             keys.begin());
}

size_t DistinctAdsKeys(uint64_t n) {
  std::vector<uint64_t> keys(n);
  AdsFactGenerator gen;
  for (uint64_t& k : keys) k = PackAdsKey(gen.Next());
  return CountDistinct(std::move(keys));
}
size_t DistinctReadsKeys(uint64_t n) {
  std::vector<uint64_t> keys(n);
  AlreadyReadFactGenerator gen;
  for (uint64_t& k : keys) k = PackReadsKey(gen.Next());
  return CountDistinct(std::move(keys));
}

TEST(DistinctKeys, SmallScaleAgreesWithSortAndAggregate) {
  uint64_t n = AdsPlan(Scale::kSmall).num_facts();
  RowBatch ads = AdsBatch(0, n);
  SortAndAggregate(AdsSchema(), &ads);
  EXPECT_EQ(ads.num_rows(), DistinctAdsKeys(n));

  uint64_t m = ReadsPlan(Scale::kSmall)->num_facts();
  RowBatch reads = ReadsBatch(0, m);
  SortAndAggregate(ReadsSchema(), &reads);
  EXPECT_EQ(reads.num_rows(), DistinctReadsKeys(m));
}

#ifndef MESA_WORKLOAD_TEST_SLOW
// workloads.md: "At scale default, ads has 9,456,826 distinct keys and
// already_read 19,999,136". A few seconds, so optimized builds only.
TEST(DistinctKeys, DefaultScaleMatchesWorkloadsMd) {
  EXPECT_EQ(DistinctAdsKeys(AdsPlan(Scale::kDefault).num_facts()), 9456826u);
  EXPECT_EQ(DistinctReadsKeys(ReadsPlan(Scale::kDefault)->num_facts()),
            19999136u);
}
#endif

}  // namespace
}  // namespace mesa::workload
