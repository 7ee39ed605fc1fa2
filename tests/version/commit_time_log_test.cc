// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.

#include "src/version/commit_time_log.h"

#include <string>

#include "gtest/gtest.h"

namespace mesa::internal {
namespace {

VersionEdit Commit(uint64_t version, uint64_t micros) {
  VersionEdit e;
  e.version = version;
  e.commit_times = {{version, micros}};
  return e;
}

void ExpectInvalid(const CommitTimeLog& log, const VersionEdit& e,
                   const std::string& needle) {
  absl::Status s = log.Check(e);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  EXPECT_NE(s.message().find(needle), std::string::npos)
      << "wanted '" << needle << "' in: " << s;
}

TEST(CommitTimeLogTest, AnswersWhichVersionWasLatestAtATime) {
  CommitTimeLog log;
  EXPECT_EQ(log.NewestVersionCommittedBy(5, /*latest=*/0), 0u);
  for (uint64_t v = 1; v <= 5; ++v) {
    const VersionEdit e = Commit(v, v * 100);  // v1 at 100 .. v5 at 500
    ASSERT_TRUE(log.Check(e).ok());
    log.Apply(e, 0);
  }
  EXPECT_EQ(log.NewestVersionCommittedBy(99, 5), 0u);
  EXPECT_EQ(log.NewestVersionCommittedBy(100, 5), 1u);
  EXPECT_EQ(log.NewestVersionCommittedBy(299, 5), 2u);
  EXPECT_EQ(log.NewestVersionCommittedBy(1000, 5), 5u);
  EXPECT_EQ(log.TimeOf(3), 300u);
  EXPECT_EQ(log.TimeOf(6), std::nullopt);
  EXPECT_EQ(log.latest_time(), 500u);
  EXPECT_EQ(log.Range(2, 3).size(), 2u);
  EXPECT_EQ(log.Range(2, 3).front().version, 2u);

  // Versions below the oldest readable one are forgotten.
  VersionEdit fold;
  log.Apply(fold, /*oldest_version=*/3);
  EXPECT_EQ(log.TimeOf(2), std::nullopt);
  EXPECT_EQ(log.TimeOf(3), 300u);
  EXPECT_EQ(log.NewestVersionCommittedBy(50, 5), 2u);
}

TEST(CommitTimeLogTest, EqualTimesPickTheNewestVersion) {
  CommitTimeLog log;
  for (uint64_t v = 1; v <= 3; ++v) log.Apply(Commit(v, 7), 0);
  EXPECT_EQ(log.NewestVersionCommittedBy(7, 3), 3u);
  EXPECT_EQ(log.NewestVersionCommittedBy(6, 3), 0u);
}

TEST(CommitTimeLogTest, VersionsWithoutATimeCountAsOlderThanAnyTime) {
  // Versions 1..4 were committed by a mesa that recorded no times.
  CommitTimeLog log;
  EXPECT_EQ(log.NewestVersionCommittedBy(0, /*latest=*/4), 4u);
  log.Apply(Commit(5, 1000), 0);
  EXPECT_EQ(log.NewestVersionCommittedBy(0, 5), 4u);
  EXPECT_EQ(log.NewestVersionCommittedBy(1000, 5), 5u);
  EXPECT_EQ(log.TimeOf(4), std::nullopt);
}

TEST(CommitTimeLogTest, RefusesTimesThatDoNotFit) {
  CommitTimeLog log;
  log.Apply(Commit(1, 500), 0);

  VersionEdit two = Commit(2, 600);
  two.commit_times.push_back({3, 600});
  ExpectInvalid(log, two, "records 2 commit times");
  ExpectInvalid(log, Commit(2, 499), "before the latest recorded commit time");
  VersionEdit other_version = Commit(2, 600);
  other_version.commit_times[0].version = 7;
  ExpectInvalid(log, other_version, "a commit records only its own");
  EXPECT_TRUE(log.Check(Commit(2, 500)).ok());  // equal times are fine

  VersionEdit compaction;
  compaction.commit_times = {{1, 500}};
  ExpectInvalid(log, compaction, "an edit that commits no version");

  VersionEdit snapshot;
  snapshot.snapshot = true;
  snapshot.version = 9;
  snapshot.oldest_version = 4;
  snapshot.commit_times = {{4, 1}, {9, 2}};
  EXPECT_TRUE(CommitTimeLog().Check(snapshot).ok());
  snapshot.commit_times = {{3, 1}};
  ExpectInvalid(CommitTimeLog(), snapshot, "outside its readable versions");
  snapshot.commit_times = {{10, 1}};
  ExpectInvalid(CommitTimeLog(), snapshot, "outside its readable versions");
  snapshot.commit_times = {{5, 1}, {5, 1}};
  ExpectInvalid(CommitTimeLog(), snapshot, "out of order");
  snapshot.commit_times = {{5, 2}, {6, 1}};
  ExpectInvalid(CommitTimeLog(), snapshot, "out of order");
}

}  // namespace
}  // namespace mesa::internal
