// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.

#include "src/bloom/cache_snapshot.h"

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "mesa/already_read_cache.h"
#include "mesa/file_system.h"
#include "src/util/coding.h"
#include "src/util/hash.h"
#include "tests/bloom/fake_read_history.h"
#include "tests/testing/test_util.h"

namespace mesa {
namespace {

using ::mesa::testing::FakeReadHistory;
using ::mesa::testing::SplitMix64;

std::vector<int64_t> Range(int64_t from, int64_t to) {
  std::vector<int64_t> v;
  for (int64_t i = from; i < to; ++i) v.push_back(i);
  return v;
}

class SnapshotTest : public ::testing::Test {
 protected:
  std::unique_ptr<AlreadyReadCache> NewCache(int block_bytes = 64,
                                             int shards = 4) {
    AlreadyReadCacheOptions o;
    o.num_shards = shards;
    o.block_bytes = block_bytes;
    o.background_threads = 0;
    o.write_through = store_.Writer();
    auto cache = AlreadyReadCache::Create(o, &store_);
    EXPECT_TRUE(cache.ok());
    return std::move(cache).value();
  }

  std::string Save(AlreadyReadCache* cache, int shard = -1) {
    auto file = fs_->NewWritableFile("/snap").value();
    absl::Status s = shard < 0 ? cache->SaveSnapshot(file.get())
                               : cache->SaveShardSnapshot(shard, file.get());
    EXPECT_TRUE(s.ok()) << s;
    EXPECT_TRUE(file->Close().ok());
    return ReadFileToString(fs_.get(), "/snap").value();
  }

  absl::Status Load(AlreadyReadCache* cache, std::string_view bytes) {
    EXPECT_TRUE(WriteFileAtomically(fs_.get(), "/in", bytes).ok());
    auto file = fs_->NewRandomAccessFile("/in").value();
    return cache->LoadSnapshot(*file);
  }

  // A cache with users of many shapes: empty, small, large, with a full
  // overflow stage, both layouts.
  std::unique_ptr<AlreadyReadCache> PopulatedCache(std::vector<int64_t>* users) {
    SplitMix64 rng(mesa::testing::TestSeed(21));
    auto cache = NewCache();
    for (int64_t user = 1; user <= 30; ++user) {
      std::vector<int64_t> items;
      for (size_t i = 0, n = rng.Below(4000); i < n; ++i) items.push_back(rng.Item());
      store_.Add(user, items);
      std::vector<bool> read;
      EXPECT_TRUE(cache->AreRead(user, {1}, &read).ok());
      if (user % 4 == 0) {
        EXPECT_TRUE(cache->MarkRead(user, Range(1, 1 + items.size() / 5 + 10)).ok());
      }
      users->push_back(user);
    }
    return cache;
  }

  FakeReadHistory store_;
  std::unique_ptr<FileSystem> fs_ = NewMemFileSystem();
};

TEST_F(SnapshotTest, RoundTripGivesIdenticalAnswersWithoutLoads) {
  std::vector<int64_t> users;
  auto a = PopulatedCache(&users);
  const std::string bytes = Save(a.get());
  FakeReadHistory empty_store;  // the new replica must not need the store
  AlreadyReadCacheOptions o;
  o.num_shards = 16;  // a different shard count re-shards on load
  auto b = AlreadyReadCache::Create(o, &empty_store).value();
  ASSERT_TRUE(Load(b.get(), bytes).ok());
  EXPECT_EQ(b->Stats().users, users.size());
  EXPECT_EQ(b->Stats().items, a->Stats().items);
  SplitMix64 rng(5);
  for (int64_t user : users) {
    std::vector<int64_t> candidates = Range(1, 500);
    for (int i = 0; i < 2000; ++i) candidates.push_back(rng.Item());
    std::vector<bool> want, got;
    ASSERT_TRUE(a->AreRead(user, candidates, &want).ok());
    ASSERT_TRUE(b->AreRead(user, candidates, &got).ok());
    EXPECT_EQ(got, want) << user;  // the same bits, false positives included
  }
  EXPECT_EQ(empty_store.total_loads(), 0);
  EXPECT_EQ(b->Stats().hits, users.size());
  // Saving the loaded cache again gives the same filters.
  auto c = NewCache(64, 4);
  ASSERT_TRUE(Load(c.get(), Save(b.get())).ok());
  EXPECT_EQ(Save(c.get()), bytes);
}

TEST_F(SnapshotTest, ShardSnapshotHoldsOnlyThatShard) {
  std::vector<int64_t> users;
  auto a = PopulatedCache(&users);
  const int shard = a->ShardOf(users[0]);
  auto b = NewCache();
  ASSERT_TRUE(Load(b.get(), Save(a.get(), shard)).ok());
  uint64_t expected = 0;
  for (int64_t user : users) expected += a->ShardOf(user) == shard;
  EXPECT_EQ(b->Stats().users, expected);
  auto file = fs_->NewWritableFile("/x").value();
  EXPECT_EQ(a->SaveShardSnapshot(4, file.get()).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(SnapshotTest, LoadKeepsUsersAlreadyCached) {
  store_.Add(1, {10});
  auto a = NewCache();
  std::vector<bool> read;
  ASSERT_TRUE(a->AreRead(1, {10}, &read).ok());
  const std::string bytes = Save(a.get());
  auto b = NewCache();
  ASSERT_TRUE(b->MarkRead(1, {20}).ok());  // store now has 10 and 20
  ASSERT_TRUE(b->AreRead(1, {10, 20}, &read).ok());
  ASSERT_TRUE(Load(b.get(), bytes).ok());
  ASSERT_TRUE(b->AreRead(1, {10, 20}, &read).ok());
  EXPECT_TRUE(read[0] && read[1]);  // b's newer filter was kept
}

TEST_F(SnapshotTest, EmptyCacheRoundTrips) {
  auto a = NewCache();
  const std::string bytes = Save(a.get());
  auto b = NewCache();
  ASSERT_TRUE(Load(b.get(), bytes).ok());
  EXPECT_EQ(b->Stats().users, 0u);
}

TEST_F(SnapshotTest, EveryFlippedByteIsDataLossAndAddsNothing) {
  std::vector<int64_t> users;
  store_.Add(1, Range(1, 50));
  store_.Add(2, Range(1, 3));
  auto a = NewCache();
  std::vector<bool> read;
  ASSERT_TRUE(a->AreRead(1, {1}, &read).ok());
  ASSERT_TRUE(a->AreRead(2, {1}, &read).ok());
  ASSERT_TRUE(a->MarkRead(2, Range(100, 170)).ok());  // an overflow stage
  const std::string bytes = Save(a.get());
  auto b = NewCache();
  for (size_t i = 0; i < bytes.size(); ++i) {
    std::string bad = bytes;
    bad[i] ^= 0x20;
    absl::Status s = Load(b.get(), bad);
    ASSERT_EQ(s.code(), absl::StatusCode::kDataLoss) << "byte " << i << ": " << s;
    ASSERT_NE(s.message().find("/in"), std::string::npos) << s;
    ASSERT_NE(s.message().find("offset"), std::string::npos) << s;
  }
  for (size_t n = 0; n < bytes.size(); ++n) {
    absl::Status s = Load(b.get(), bytes.substr(0, n));
    ASSERT_EQ(s.code(), absl::StatusCode::kDataLoss) << "cut at " << n << ": " << s;
  }
  EXPECT_EQ(Load(b.get(), bytes + "x").code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(b->Stats().users, 0u);
  ASSERT_TRUE(Load(b.get(), bytes).ok());
  EXPECT_EQ(b->Stats().users, 2u);
}

TEST_F(SnapshotTest, NewerFormatVersionIsRejectedClearly) {
  auto a = NewCache();
  std::string bytes = Save(a.get());
  // Rewrite the version and re-seal the header: 24 fixed bytes, then the
  // name "default" as lp-bytes, then the checksum.
  const size_t covered = 24 + 1 + 7;
  const uint32_t version = 2;
  std::memcpy(bytes.data() + 8, &version, 4);
  const uint64_t checksum =
      internal::Checksum64(std::string_view(bytes.data(), covered));
  std::memcpy(bytes.data() + covered, &checksum, 8);
  auto b = NewCache();
  absl::Status s = Load(b.get(), bytes);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  EXPECT_NE(s.message().find("newer"), std::string::npos) << s;
}


// The golden cache of format version 1: cache "golden", 4 shards; user 1
// read items 1..30 (64-byte blocks), user 2 items 1..5 then 100..159
// (64-byte blocks, with an overflow stage), user 3 items 7, 8, 9 (32-byte
// blocks, from another cache).
std::unique_ptr<AlreadyReadCache> GoldenCache(FakeReadHistory* store,
                                              FileSystem* fs) {
  auto make = [&](int block_bytes, const char* name) {
    AlreadyReadCacheOptions o;
    o.name = name;
    o.num_shards = 4;
    o.block_bytes = block_bytes;
    o.background_threads = 0;
    o.write_through = store->Writer();
    return AlreadyReadCache::Create(o, store).value();
  };
  store->Add(1, Range(1, 31));
  store->Add(2, Range(1, 6));
  store->Add(3, {7, 8, 9});
  auto golden = make(64, "golden");
  auto other = make(32, "other");
  std::vector<bool> read;
  EXPECT_TRUE(golden->AreRead(1, {1}, &read).ok());
  EXPECT_TRUE(golden->AreRead(2, {1}, &read).ok());
  EXPECT_TRUE(golden->MarkRead(2, Range(100, 160)).ok());
  EXPECT_TRUE(other->AreRead(3, {1}, &read).ok());
  auto out = fs->NewWritableFile("/other").value();
  EXPECT_TRUE(other->SaveSnapshot(out.get()).ok());
  auto in = fs->NewRandomAccessFile("/other").value();
  EXPECT_TRUE(golden->LoadSnapshot(*in).ok());
  return golden;
}

std::string Hex(std::string_view bytes) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

std::string Unhex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

TEST(HexTest, RoundTrips) { EXPECT_EQ(Unhex(Hex("\x00\xff\x10")), "\x00\xff\x10"); }

// Format version 1, from GoldenCache() (printed by PrintGolden). These
// bytes must stay readable forever.
const char kGoldenV1Hex[] =
    "894d4152430d0a1a010000000100000004000000ffffffff06676f6c64656ef736950f6e"
    "fa689d0134010000030100000000000000b8d5c082fc23e4dc4001000000321e00000000"
    "2003eeb17a109c404e0a61cddd1001959243821562d2460890c06814123696b85817c26e"
    "2210b441a37012d716143204a0d1d109f425b48339626e58831888040200000000000000"
    "828ae15173e6abd740010000003232010000002a0e3c8fa9a31c1c53f8a9c6b35c6fd9d8"
    "74c03fef183c7c10954ef4abf6a1a4e7ca8f16e640addb0a1691e5cc9fe4dba72d707e16"
    "dbc1bcdc78c18eb672ffd2c8fb002009902082102c640e00001070200001c21302009220"
    "012050001c1a2080210002000810001647091002101c08884234448840100601065b0000"
    "030704000b0300000000000000b916384ca457c1d6200100000018030000000004000801"
    "04080010004000098000020210800040020000a004012000000880209cdd4aa5d3ba91ce"
    "00100000000300000000000000010000000000000074ea72c06b95a194";

TEST_F(SnapshotTest, GoldenVersion1StaysReadable) {
  FakeReadHistory empty_store;
  AlreadyReadCacheOptions o;
  o.name = "golden";
  o.num_shards = 4;
  auto cache = AlreadyReadCache::Create(o, &empty_store).value();
  const std::string golden = Unhex(kGoldenV1Hex);
  ASSERT_TRUE(Load(cache.get(), golden).ok());
  const AlreadyReadCacheStats s = cache->Stats();
  EXPECT_EQ(s.users, 3u);
  // 98 items, less one that was already a false positive when user 2 read
  // it: it set no new bit, so the filter did not count it.
  EXPECT_EQ(s.items, 97u);
  std::vector<int64_t> unread;
  ASSERT_TRUE(cache->FilterUnread(1, Range(1, 31), &unread).ok());
  EXPECT_TRUE(unread.empty());
  std::vector<int64_t> user2 = Range(1, 6);
  for (int64_t x = 100; x < 160; ++x) user2.push_back(x);
  ASSERT_TRUE(cache->FilterUnread(2, user2, &unread).ok());
  EXPECT_TRUE(unread.empty());
  ASSERT_TRUE(cache->FilterUnread(3, {7, 8, 9, 1000000}, &unread).ok());
  EXPECT_EQ(unread, std::vector<int64_t>{1000000});
  EXPECT_EQ(empty_store.total_loads(), 0);
  // Today's writer writes the same bytes for the same filters.
  EXPECT_EQ(Hex(Save(cache.get())), kGoldenV1Hex);
}

// Run with MESA_PRINT_GOLDEN=1 to print the bytes a new format version's
// golden constant should hold.
TEST_F(SnapshotTest, PrintGolden) {
  if (std::getenv("MESA_PRINT_GOLDEN") == nullptr) GTEST_SKIP();
  auto golden = GoldenCache(&store_, fs_.get());
  const std::string hex = Hex(Save(golden.get()));
  for (size_t i = 0; i < hex.size(); i += 72) {
    std::printf("    \"%s\"\n", hex.substr(i, 72).c_str());
  }
}

}  // namespace
}  // namespace mesa
