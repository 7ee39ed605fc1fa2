// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.

#include "src/version/version_edit.h"

#include <cstdint>
#include <random>
#include <string>

#include "gtest/gtest.h"
#include "tests/testing/test_util.h"
#include "tests/version/version_test_util.h"

namespace mesa::internal {
namespace {

using testing::AdsSchema;
using testing::MakeDelta;
using testing::MakeTable;

std::string Hex(std::string_view bytes) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    if (!out.empty()) out += ' ';
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

std::string Unhex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i < hex.size();) {
    if (hex[i] == ' ') {
      ++i;
      continue;
    }
    out += static_cast<char>(
        std::stoi(std::string(hex.substr(i, 2)), nullptr, 16));
    i += 2;
  }
  return out;
}

void ExpectRoundTrip(const VersionEdit& edit) {
  const std::string bytes = edit.Encode();
  absl::StatusOr<VersionEdit> decoded = VersionEdit::Decode(bytes);
  ASSERT_TRUE(decoded.ok()) << decoded.status() << " " << edit.DebugString();
  EXPECT_EQ(*decoded, edit)
      << decoded->DebugString() << " vs " << edit.DebugString();
  EXPECT_EQ(decoded->Encode(), bytes);
}

VersionEdit RandomEdit(std::mt19937_64& rng) {
  auto n = [&](uint64_t bound) { return rng() % bound; };
  auto big = [&]() { return rng() >> n(64); };  // every varint length
  VersionEdit e;
  e.snapshot = n(4) == 0;
  if (e.snapshot || n(2) == 0) e.version = big();
  if (n(2) == 0) e.oldest_version = big();
  if (n(2) == 0) e.next_file_number = big();
  for (uint64_t i = n(3); i > 0; --i) {
    e.dropped_tables.push_back(static_cast<uint32_t>(big()));
  }
  for (uint64_t i = n(3); i > 0; --i) {
    TableInfo t =
        MakeTable(static_cast<uint32_t>(big()), "t" + std::to_string(big()));
    t.created_version = big();
    t.table_options = std::string(n(40), static_cast<char>(n(256)));
    if (n(3) == 0) {
      t.parent_table_id = 1 + static_cast<uint32_t>(big() % 0xfffffffeu);
      if (n(2) == 0) t.ready_version = big() >> 2;
    }
    e.created_tables.push_back(std::move(t));
  }
  for (uint64_t i = n(4); i > 0; --i) {
    e.removed_deltas.push_back({static_cast<uint32_t>(big()), big()});
  }
  for (uint64_t i = n(6); i > 0; --i) {
    DeltaMeta d = MakeDelta(static_cast<uint32_t>(big()), big(), big(), big());
    d.row_count = big();
    d.file_size = big();
    d.min_key = std::string(n(300), static_cast<char>(n(256)));
    e.added_deltas.push_back(std::move(d));
  }
  for (uint64_t i = n(3); i > 0; --i) {
    e.ready_rollups.push_back({static_cast<uint32_t>(big()), big()});
  }
  return e;
}

TEST(VersionEditTest, EmptyEditIsEmptyBytes) {
  VersionEdit e;
  EXPECT_EQ(e.Encode(), "");
  ExpectRoundTrip(e);
}

TEST(VersionEditTest, GoldenCommit) {
  VersionEdit e;
  e.version = 5;
  e.next_file_number = 9;
  DeltaMeta d;
  d.table_id = 1;
  d.file_number = 7;
  d.min_version = d.max_version = 5;
  d.row_count = 3;
  d.file_size = 100;
  d.min_key = "a";
  d.max_key = "b";
  e.added_deltas.push_back(d);
  EXPECT_EQ(Hex(e.Encode()), "02 05 04 09 08 01 07 05 05 03 64 01 61 01 62");
  ExpectRoundTrip(e);
}

TEST(VersionEditTest, GoldenCreateTableAndSnapshot) {
  VersionEdit e;
  e.snapshot = true;
  e.version = 300;
  e.oldest_version = 0;
  TableInfo t;
  t.table_id = 1;
  t.name = "ab";
  t.schema = testing::TinySchema();  // k uint64 | v int64 MAX
  t.table_options = "o";
  e.created_tables.push_back(t);
  e.removed_deltas.clear();
  EXPECT_EQ(Hex(e.Encode()),
            "01 01 02 ac 02 03 00 "                             // header fields
            "06 01 00 02 61 62 02 01 01 6b 03 00 01 76 02 03 "  // table, schema
            "01 6f");                                           // options
  ExpectRoundTrip(e);
}

TEST(VersionEditTest, FullEditRoundTrips) {
  VersionEdit e;
  e.version = 12;
  e.oldest_version = 3;
  e.next_file_number = 1u << 20;
  e.dropped_tables = {4, 0xffffffffu};
  TableInfo t = MakeTable(2, "ads", std::string("opt\0ions", 8));
  t.created_version = 12;
  e.created_tables.push_back(t);
  e.created_tables.push_back(MakeTable(3, std::string(255, 'x')));
  e.removed_deltas = {{2, 5}, {3, 6}};
  e.added_deltas = {MakeDelta(2, 11, 12, 12), MakeDelta(3, 12, 0, 12)};
  ExpectRoundTrip(e);
  EXPECT_EQ(AdsSchema(), e.created_tables[0].schema);
}

TEST(VersionEditTest, GoldenRollup) {
  VersionEdit e;
  TableInfo parent = MakeTable(3, "B");
  TableInfo rollup = MakeTable(5, "C");
  rollup.parent_table_id = 3;
  rollup.ready_version = 7;
  TableInfo backfilled = MakeTable(7, "D");
  backfilled.parent_table_id = 3;
  e.created_tables = {parent, rollup, backfilled};
  e.ready_rollups = {{9, 12}};
  const std::string bytes = e.Encode();
  // After the three create_table fields: rollup 5 of 3 ready from 7 (7+1),
  // rollup 7 of 3 back-filling (0), then rollup 9 ready at 12.
  EXPECT_EQ(Hex(bytes.substr(bytes.size() - 11)),
            "09 05 03 08 09 07 03 00 0a 09 0c");
  ExpectRoundTrip(e);
}

TEST(VersionEditTest, GoldenCommitTime) {
  VersionEdit e;
  e.version = 5;
  e.commit_times = {{5, 1000}};
  // version 5, then tag 11: version 5, 1000 = 0xe8 0x07.
  EXPECT_EQ(Hex(e.Encode()), "02 05 0b 05 e8 07");
  ExpectRoundTrip(e);
  EXPECT_NE(e.DebugString().find("committed 1970-01-01T00:00:00.001000Z"),
            std::string::npos)
      << e.DebugString();

  VersionEdit snapshot;
  snapshot.snapshot = true;
  snapshot.version = 9;
  snapshot.oldest_version = 7;
  snapshot.commit_times = {{7, 1}, {8, 1}, {9, 2}};
  EXPECT_EQ(Hex(snapshot.Encode()),
            "01 01 02 09 03 07 0b 07 01 0b 08 01 0b 09 02");
  ExpectRoundTrip(snapshot);
}

TEST(VersionEditTest, RollupFieldsMustFollowTheirTablesInOrder) {
  VersionEdit e;
  e.created_tables = {MakeTable(3, "B"), MakeTable(5, "C"), MakeTable(7, "D")};
  const std::string tables = e.Encode();
  // Fields for a table not created here, out of order, or with parent 0.
  for (const char* tail : {"09 04 03 00", "09 07 03 00 09 05 03 00",
                           "09 05 03 00 09 05 03 00", "09 05 00 00"}) {
    auto d = VersionEdit::Decode(tables + Unhex(tail));
    EXPECT_EQ(d.status().code(), absl::StatusCode::kDataLoss) << tail;
  }
  auto ok = VersionEdit::Decode(tables + Unhex("09 05 03 00 09 07 05 01"));
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(ok->created_tables[1].parent_table_id, 3u);
  EXPECT_FALSE(ok->created_tables[1].ready_version.has_value());
  EXPECT_EQ(ok->created_tables[2].ready_version, 0u);
}

TEST(VersionEditTest, RandomEditsRoundTrip) {
  const uint64_t seed = mesa::testing::TestSeed(20260101);
  std::mt19937_64 rng(seed);
  for (int i = 0; i < 2000; ++i) {
    VersionEdit e = RandomEdit(rng);
    SCOPED_TRACE(::testing::Message() << "seed " << seed << " edit " << i);
    ExpectRoundTrip(e);
  }
}

TEST(VersionEditTest, EveryTruncationFailsOrIsAPrefixEdit) {
  VersionEdit e;
  e.version = 77;
  e.next_file_number = 1000;
  e.created_tables.push_back(MakeTable(2, "ads"));
  e.added_deltas = {MakeDelta(2, 500, 77, 77)};
  const std::string bytes = e.Encode();
  for (size_t cut = 0; cut < bytes.size(); ++cut) {
    absl::StatusOr<VersionEdit> d = VersionEdit::Decode(bytes.substr(0, cut));
    // A cut at a field boundary is a valid, shorter edit; anywhere else it
    // is DataLoss. Either way the encoding of what decoded is the prefix.
    if (d.ok()) {
      EXPECT_EQ(d->Encode(), bytes.substr(0, cut));
    } else {
      EXPECT_EQ(d.status().code(), absl::StatusCode::kDataLoss) << d.status();
    }
  }
}

TEST(VersionEditTest, UnknownTagIsDataLossNamingIt) {
  absl::StatusOr<VersionEdit> d = VersionEdit::Decode(Unhex("02 05 2a 01"));
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(d.status().message().find("unknown tag 42 at byte 2"),
            std::string::npos)
      << d.status();
  EXPECT_EQ(VersionEdit::Decode(Unhex("00")).status().code(),
            absl::StatusCode::kDataLoss);
}

TEST(VersionEditTest, FieldOrderAndRepeatsAreChecked) {
  // version after next_file_number
  auto out_of_order = VersionEdit::Decode(Unhex("04 09 02 05"));
  EXPECT_EQ(out_of_order.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(out_of_order.status().message().find("comes after"),
            std::string::npos);
  // version twice
  auto repeated = VersionEdit::Decode(Unhex("02 05 02 06"));
  EXPECT_EQ(repeated.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(repeated.status().message().find("repeats"), std::string::npos);
  // list fields may repeat
  auto drops = VersionEdit::Decode(Unhex("05 01 05 02"));
  ASSERT_TRUE(drops.ok()) << drops.status();
  EXPECT_EQ(drops->dropped_tables, (std::vector<uint32_t>{1, 2}));
}

TEST(VersionEditTest, NonMinimalVarintIsRejected) {
  EXPECT_TRUE(VersionEdit::Decode(Unhex("02 05")).ok());
  auto d = VersionEdit::Decode(Unhex("02 85 00"));
  EXPECT_EQ(d.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(d.status().message().find("longer than needed"), std::string::npos);
  EXPECT_EQ(VersionEdit::Decode(Unhex("82 00 05")).status().code(),
            absl::StatusCode::kDataLoss);
}

TEST(VersionEditTest, TableIdMustFit32Bits) {
  EXPECT_TRUE(VersionEdit::Decode(Unhex("05 ff ff ff ff 0f")).ok());
  auto d = VersionEdit::Decode(Unhex("05 80 80 80 80 10"));
  EXPECT_EQ(d.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(d.status().message().find("32 bits"), std::string::npos);
}

TEST(VersionEditTest, InvalidSchemaIsDataLoss) {
  // One column, a key with aggregation SUM.
  auto d = VersionEdit::Decode(Unhex("06 01 00 01 74 01 01 01 6b 03 01 00"));
  EXPECT_EQ(d.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(d.status().message().find("invalid schema"), std::string::npos)
      << d.status();
  // Type code 9.
  d = VersionEdit::Decode(Unhex("06 01 00 01 74 01 01 01 6b 09 00 00"));
  EXPECT_EQ(d.status().code(), absl::StatusCode::kDataLoss);
  // key_count 0.
  d = VersionEdit::Decode(Unhex("06 01 00 01 74 01 00 01 6b 03 00 00"));
  EXPECT_EQ(d.status().code(), absl::StatusCode::kDataLoss);
}

TEST(VersionEditTest, NewerSnapshotFormatIsInvalidArgument) {
  auto d = VersionEdit::Decode(Unhex("01 02 02 00"));
  EXPECT_EQ(d.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(d.status().message().find("newer mesa"), std::string::npos);
  EXPECT_EQ(VersionEdit::Decode(Unhex("01 00")).status().code(),
            absl::StatusCode::kDataLoss);
}

TEST(VersionEditTest, ByteFlipsNeverCrashAndDecodedEditsReencodeExactly) {
  std::mt19937_64 rng(mesa::testing::TestSeed(7));
  for (int i = 0; i < 300; ++i) {
    const std::string bytes = RandomEdit(rng).Encode();
    if (bytes.empty()) continue;
    for (int flip = 0; flip < 20; ++flip) {
      std::string damaged = bytes;
      damaged[rng() % damaged.size()] ^= static_cast<char>(1 + rng() % 255);
      absl::StatusOr<VersionEdit> d = VersionEdit::Decode(damaged);
      if (d.ok()) {
        EXPECT_EQ(d->Encode(), damaged);
      } else {
        EXPECT_TRUE(d.status().code() == absl::StatusCode::kDataLoss ||
                    d.status().code() == absl::StatusCode::kInvalidArgument)
            << d.status();
      }
    }
  }
}

}  // namespace
}  // namespace mesa::internal
