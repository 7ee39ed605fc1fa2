// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.

#include "src/version/version_set.h"

#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "fmt/format.h"
#include "gtest/gtest.h"
#include "mesa/file_system.h"
#include "src/version/manifest_log.h"
#include "tests/testing/fault_injection_fs.h"
#include "tests/version/version_test_util.h"

namespace mesa::internal {
namespace {

using testing::MakeDelta;
using testing::MakeTable;
using testing::Ranges;

// Everything a Version holds, as text, for equality checks.
std::string State(const Version& v) {
  std::string out = v.DebugString();
  for (const auto& [id, t] : v.tables()) {
    out += fmt::format(" | {} {} created@{} opts={}", id,
                       t->schema().DebugString(), t->created_version(),
                       t->table_options());
    for (const DeltaPtr& d : t->deltas()) {
      const DeltaMeta& m = d->meta();
      out += fmt::format(" #{}:{}:{}:{}:{}", m.file_number, m.row_count,
                         m.file_size, m.min_key, m.max_key);
    }
  }
  return out;
}

class VersionSetTest : public ::testing::Test {
 protected:
  VersionSetOptions Options(FileSystem* fs = nullptr) {
    VersionSetOptions o;
    o.fs = fs != nullptr ? fs : fs_.get();
    o.dir = dir_;
    o.max_manifest_size = max_manifest_size_;
    o.on_obsolete_delta = [this](const DeltaMeta& d) {
      deleted_.push_back(d.file_number);
    };
    return o;
  }

  std::unique_ptr<VersionSet> Open(FileSystem* fs = nullptr) {
    auto vs = VersionSet::Open(Options(fs));
    EXPECT_TRUE(vs.ok()) << vs.status();
    return vs.ok() ? std::move(vs).value() : nullptr;
  }

  // A commit of the next version touching `tables`.
  static VersionEdit CommitEdit(VersionSet* vs, std::vector<uint32_t> tables) {
    VersionEdit e;
    e.version = vs->current()->version() + 1;
    for (uint32_t t : tables) {
      e.added_deltas.push_back(
          MakeDelta(t, vs->NewFileNumber(), *e.version, *e.version));
    }
    return e;
  }
  static absl::Status Commit(VersionSet* vs, std::vector<uint32_t> tables) {
    return vs->Apply(CommitEdit(vs, std::move(tables)));
  }
  // A commit touching every table.
  static absl::Status CommitAll(VersionSet* vs) {
    std::vector<uint32_t> ids;
    for (const auto& [id, t] : vs->current()->tables()) ids.push_back(id);
    return Commit(vs, ids);
  }
  static absl::Status CreateTable(VersionSet* vs, uint32_t id,
                                  const std::string& name) {
    VersionEdit e;
    e.created_tables.push_back(MakeTable(id, name, "options of " + name));
    return vs->Apply(e);
  }
  // Folds every delta of `table` up to `b` into a base [0, b].
  static absl::Status BaseCompact(VersionSet* vs, uint32_t table, uint64_t b) {
    std::shared_ptr<const Version> v = vs->current();
    VersionEdit e;
    for (const DeltaPtr& d : v->FindTable(table)->deltas()) {
      if (d->min_version() <= b)
        e.removed_deltas.push_back({table, d->file_number()});
    }
    e.added_deltas.push_back(MakeDelta(table, vs->NewFileNumber(), 0, b));
    e.oldest_version = std::max(b, v->oldest_version());
    return vs->Apply(e);
  }

  // Applies `e` and expects InvalidArgument mentioning `needle`, with the
  // state unchanged.
  void ExpectInvalid(VersionSet* vs, VersionEdit e, const std::string& needle) {
    const std::string before = State(*vs->current());
    absl::Status s = vs->Apply(std::move(e));
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
    EXPECT_NE(s.message().find(needle), std::string::npos)
        << "wanted '" << needle << "' in: " << s;
    EXPECT_EQ(State(*vs->current()), before);
  }

  std::vector<std::string> Manifests(FileSystem* fs) {
    std::vector<std::string> out;
    absl::StatusOr<std::vector<std::string>> children = fs->GetChildren(dir_);
    EXPECT_TRUE(children.ok()) << children.status();
    if (!children.ok()) return out;
    for (const std::string& name : *children) {
      if (ParseManifestFileName(name).has_value()) out.push_back(name);
    }
    return out;
  }

  std::unique_ptr<FileSystem> fs_ = NewMemFileSystem();
  const std::string dir_ = "/db";
  uint64_t max_manifest_size_ = uint64_t{4} << 20;
  std::vector<uint64_t> deleted_;
};

TEST_F(VersionSetTest, CreatesAnEmptyDatabase) {
  auto vs = Open();
  ASSERT_NE(vs, nullptr);
  EXPECT_TRUE(vs->recovery_info().created);
  EXPECT_EQ(vs->current()->version(), 0u);
  EXPECT_TRUE(vs->current()->tables().empty());
  EXPECT_TRUE(vs->LiveFileNumbers().empty());
  EXPECT_EQ(ReadCurrentManifest(fs_.get(), dir_).value(),
            vs->manifest_number());
  EXPECT_EQ(Manifests(fs_.get()).size(), 1u);
}

TEST_F(VersionSetTest, OpenWithoutCreateIsNotFound) {
  VersionSetOptions o = Options();
  o.create_if_missing = false;
  EXPECT_EQ(VersionSet::Open(o).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(VersionSetTest, AppliesAndReplays) {
  std::string expected;
  uint64_t max_file = 0;
  {
    auto vs = Open();
    VT_ASSERT_OK(CreateTable(vs.get(), 1, "events"));
    VT_ASSERT_OK(CreateTable(vs.get(), 2, "ads"));
    for (int i = 0; i < 6; ++i) VT_ASSERT_OK(Commit(vs.get(), {1, 2}));
    VT_ASSERT_OK(Commit(vs.get(), {2}));
    // A commit that creates a table and writes to it.
    VersionEdit e = CommitEdit(vs.get(), {});
    e.created_tables.push_back(MakeTable(3, "clicks"));
    e.added_deltas.push_back(MakeDelta(3, vs->NewFileNumber(), 8, 8));
    VT_ASSERT_OK(vs->Apply(e));
    VT_ASSERT_OK(BaseCompact(vs.get(), 1, 4));
    std::shared_ptr<const Version> v = vs->current();
    EXPECT_EQ(v->version(), 8u);
    EXPECT_EQ(v->oldest_version(), 4u);
    EXPECT_EQ(v->FindTable(3)->created_version(), 8u);
    EXPECT_EQ(v->FindTable(1)->created_version(), 0u);
    EXPECT_EQ(v->FindTableByName("ads")->id(), 2u);
    EXPECT_EQ(v->FindTableByName("nope"), nullptr);
    EXPECT_EQ(Ranges(v->CoveringPath(1, 6).value()), "[0,4] [5,5] [6,6]");
    EXPECT_EQ(Ranges(v->CoveringPath(2, 8).value()),
              "[1,1] [2,2] [3,3] [4,4] [5,5] [6,6] [7,7]");
    expected = State(*v);
    max_file = v->DeltaFileNumbers().back();
  }
  auto vs = Open();
  EXPECT_FALSE(vs->recovery_info().created);
  EXPECT_EQ(vs->recovery_info().records, 12u);  // snapshot + 11 edits
  EXPECT_EQ(vs->recovery_info().dropped_bytes, 0u);
  EXPECT_EQ(State(*vs->current()), expected);
  EXPECT_GT(vs->NewFileNumber(), max_file);
  EXPECT_EQ(Manifests(fs_.get()).size(), 1u);
  // And once more, from the snapshot alone.
  vs.reset();
  vs = Open();
  EXPECT_EQ(vs->recovery_info().records, 1u);
  EXPECT_EQ(State(*vs->current()), expected);
}

TEST_F(VersionSetTest, CoveringPathChecksTheReadableRange) {
  auto vs = Open();
  VT_ASSERT_OK(CreateTable(vs.get(), 1, "t"));
  for (int i = 0; i < 5; ++i) VT_ASSERT_OK(Commit(vs.get(), {1}));
  VT_ASSERT_OK(BaseCompact(vs.get(), 1, 2));
  std::shared_ptr<const Version> v = vs->current();
  auto below = v->CoveringPath(1, 1);
  EXPECT_EQ(below.status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_NE(below.status().message().find("oldest readable version is 2"),
            std::string::npos)
      << below.status();
  auto above = v->CoveringPath(1, 6);
  EXPECT_EQ(above.status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_NE(above.status().message().find("latest version is 5"),
            std::string::npos);
  EXPECT_EQ(v->CoveringPath(9, 3).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(Ranges(v->CoveringPath(1, 2).value()), "[0,2]");
  EXPECT_EQ(Ranges(v->CoveringPath(1, 5).value()), "[0,2] [3,3] [4,4] [5,5]");
}

TEST_F(VersionSetTest, RefusesEditsThatDoNotFitTheState) {
  auto vs = Open();
  VT_ASSERT_OK(CreateTable(vs.get(), 1, "t"));
  for (int i = 0; i < 4; ++i) VT_ASSERT_OK(Commit(vs.get(), {1}));
  const std::vector<DeltaPtr> deltas = vs->current()->FindTable(1)->deltas();

  VersionEdit e = CommitEdit(vs.get(), {1});
  e.version = 9;
  e.added_deltas[0].min_version = e.added_deltas[0].max_version = 9;
  ExpectInvalid(vs.get(), e, "the next commit is 5");

  ExpectInvalid(vs.get(), CommitEdit(vs.get(), {7}), "there is no table 7");

  e = CommitEdit(vs.get(), {1});
  e.added_deltas[0].min_version = 4;
  ExpectInvalid(vs.get(), e, "adds only singletons [5, 5]");

  e = CommitEdit(vs.get(), {1, 1});
  ExpectInvalid(vs.get(), e, "already adds a delta");

  e = CommitEdit(vs.get(), {1});
  e.added_deltas[0].row_count = 0;
  ExpectInvalid(vs.get(), e, "no rows");

  e = CommitEdit(vs.get(), {1});
  std::swap(e.added_deltas[0].min_key, e.added_deltas[0].max_key);
  ExpectInvalid(vs.get(), e, "min_key sorts after its max_key");

  e = CommitEdit(vs.get(), {1});
  e.added_deltas[0].file_number = deltas[0]->file_number();
  ExpectInvalid(vs.get(), e, "already in use");

  e = CommitEdit(vs.get(), {1});
  e.added_deltas[0].file_number = 1'000'000;
  ExpectInvalid(vs.get(), e, "never handed out");

  e = VersionEdit();
  e.removed_deltas.push_back({1, 999});
  ExpectInvalid(vs.get(), e, "not live");

  e = VersionEdit();
  e.removed_deltas.push_back({1, deltas[0]->file_number()});
  e.removed_deltas.push_back({1, deltas[0]->file_number()});
  e.added_deltas.push_back(MakeDelta(1, vs->NewFileNumber(), 0, 1));
  e.oldest_version = 1;
  ExpectInvalid(vs.get(), e, "not live");  // removed twice

  // A compaction may not drop a singleton that no base reaches...
  e = VersionEdit();
  e.removed_deltas.push_back({1, deltas[1]->file_number()});
  e.added_deltas.push_back(MakeDelta(1, vs->NewFileNumber(), 1, 2));
  ExpectInvalid(vs.get(), e, "would lose version 2");
  // ... nor write a singleton, nor a delta past the latest version.
  e = VersionEdit();
  e.added_deltas.push_back(MakeDelta(1, vs->NewFileNumber(), 2, 2));
  ExpectInvalid(vs.get(), e, "only the commit of version 2");
  e = VersionEdit();
  e.added_deltas.push_back(MakeDelta(1, vs->NewFileNumber(), 3, 5));
  ExpectInvalid(vs.get(), e, "ends after the latest version 4");
  // A cumulative duplicating a range.
  e = VersionEdit();
  e.added_deltas.push_back(MakeDelta(1, vs->NewFileNumber(), 1, 3));
  VT_ASSERT_OK(vs->Apply(e));
  e.added_deltas[0].file_number = vs->NewFileNumber();
  ExpectInvalid(vs.get(), e, "already has that range");

  // A base above the oldest readable version.
  e = VersionEdit();
  e.added_deltas.push_back(MakeDelta(1, vs->NewFileNumber(), 0, 2));
  ExpectInvalid(vs.get(), e, "raise oldest_version to at least 2");
  // Oldest going down or past the latest.
  VT_ASSERT_OK(BaseCompact(vs.get(), 1, 2));
  e = VersionEdit();
  e.oldest_version = 1;
  ExpectInvalid(vs.get(), e, "cannot go down");
  e.oldest_version = 5;
  ExpectInvalid(vs.get(), e, "above the latest version 4");
  // Removing the base without a new one reaching as far.
  e = VersionEdit();
  e.removed_deltas.push_back(
      {1, vs->current()->FindTable(1)->deltas()[0]->file_number()});
  ExpectInvalid(vs.get(), e, "removes its base [0, 2]");

  // Tables.
  e = VersionEdit();
  e.created_tables.push_back(MakeTable(1, "other"));
  ExpectInvalid(vs.get(), e, "the id is in use");
  e = VersionEdit();
  e.created_tables.push_back(MakeTable(2, "t"));
  ExpectInvalid(vs.get(), e, "the name is in use");
  e = VersionEdit();
  e.created_tables.push_back(MakeTable(2, ""));
  ExpectInvalid(vs.get(), e, "a name has 1..255 bytes");
  e = VersionEdit();
  e.created_tables.push_back(MakeTable(2, "u"));
  e.created_tables.back().schema = Schema();
  ExpectInvalid(vs.get(), e, "no schema");
  e = VersionEdit();
  e.dropped_tables.push_back(5);
  ExpectInvalid(vs.get(), e, "no such table");
  e = VersionEdit();
  e.dropped_tables.push_back(1);
  e.created_tables.push_back(MakeTable(1, "again"));
  ExpectInvalid(vs.get(), e, "the same edit drops that id");
  e = VersionEdit();
  e.dropped_tables.push_back(1);
  e.removed_deltas.push_back({1, 1});
  ExpectInvalid(vs.get(), e, "dropped by the same edit");
  e = VersionEdit();
  e.snapshot = true;
  e.version = 4;
  ExpectInvalid(vs.get(), e, "VersionSet only");

  // After all that, a good edit still applies.
  VT_ASSERT_OK(Commit(vs.get(), {1}));
  EXPECT_EQ(vs->current()->version(), 5u);
}

TEST_F(VersionSetTest, DropAndRecreateATableName) {
  auto vs = Open();
  VT_ASSERT_OK(CreateTable(vs.get(), 1, "t"));
  VT_ASSERT_OK(Commit(vs.get(), {1}));
  VersionEdit e;
  e.dropped_tables.push_back(1);
  e.created_tables.push_back(MakeTable(2, "t"));  // the name is free again
  VT_ASSERT_OK(vs->Apply(e));
  EXPECT_EQ(vs->current()->FindTableByName("t")->id(), 2u);
  EXPECT_EQ(vs->current()->FindTable(1), nullptr);
  EXPECT_EQ(vs->current()->FindTable(2)->created_version(), 1u);
  EXPECT_TRUE(vs->LiveFileNumbers().empty());
}

TEST_F(VersionSetTest, RotatesTheManifest) {
  max_manifest_size_ = 600;
  std::string expected;
  {
    auto vs = Open();
    const uint64_t first = vs->manifest_number();
    VT_ASSERT_OK(CreateTable(vs.get(), 1, "t"));
    VT_ASSERT_OK(CreateTable(vs.get(), 2, "u"));
    std::set<uint64_t> numbers;
    for (int i = 0; i < 60; ++i) {
      VT_ASSERT_OK(Commit(vs.get(), {1, 2}));
      numbers.insert(vs->manifest_number());
      EXPECT_EQ(
          Manifests(fs_.get()),
          std::vector<std::string>{ManifestFileName(vs->manifest_number())});
      EXPECT_EQ(ReadCurrentManifest(fs_.get(), dir_).value(),
                vs->manifest_number());
    }
    EXPECT_GE(numbers.size(), 3u);
    EXPECT_GT(vs->manifest_number(), first);
    expected = State(*vs->current());
  }
  auto vs = Open();
  EXPECT_EQ(State(*vs->current()), expected);
}

// Commit times survive reopening and manifest rotation (each snapshot
// carries those of the readable versions), and base compaction forgets
// those of the versions it folds.
TEST_F(VersionSetTest, CommitTimesReplayAndFollowTheReadableVersions) {
  max_manifest_size_ = 600;
  {
    auto vs = Open();
    VT_ASSERT_OK(CreateTable(vs.get(), 1, "t"));
    for (uint64_t i = 1; i <= 40; ++i) {
      VersionEdit e = CommitEdit(vs.get(), {1});
      e.commit_times = {{*e.version, 1000 * i}};
      VT_ASSERT_OK(vs->Apply(e));
    }
    EXPECT_EQ(vs->CommitTimeOf(7), 7000u);
    VT_ASSERT_OK(BaseCompact(vs.get(), 1, 30));
    EXPECT_EQ(vs->CommitTimeOf(29), std::nullopt);
    EXPECT_EQ(vs->CommitTimeOf(30), 30000u);
    EXPECT_EQ(vs->LatestCommitTime(), 40000u);
    // A commit may not go back in time.
    VersionEdit early = CommitEdit(vs.get(), {1});
    early.commit_times = {{*early.version, 39999}};
    ExpectInvalid(vs.get(), early, "before the latest recorded commit time");
    // Rotate at least once more with the compacted state.
    for (uint64_t i = 41; i <= 60; ++i) {
      VersionEdit e = CommitEdit(vs.get(), {1});
      e.commit_times = {{*e.version, 1000 * i}};
      VT_ASSERT_OK(vs->Apply(e));
    }
  }
  auto vs = Open();
  EXPECT_EQ(vs->CommitTimeOf(29), std::nullopt);
  for (uint64_t v = 30; v <= 60; ++v) {
    EXPECT_EQ(vs->CommitTimeOf(v), 1000 * v) << "version " << v;
  }
  EXPECT_EQ(vs->NewestVersionCommittedBy(45500), 45u);
  EXPECT_EQ(vs->NewestVersionCommittedBy(1), 29u);  // folded: count as older
}

TEST_F(VersionSetTest, DeletesStaleManifestsOnOpen) {
  Open();
  VT_ASSERT_OK(WriteFileAtomically(fs_.get(), "/db/MANIFEST-000099", "junk"));
  VT_ASSERT_OK(WriteFileAtomically(fs_.get(), "/db/CURRENT.tmp", "junk"));
  VT_ASSERT_OK(WriteFileAtomically(fs_.get(), "/db/000099.delta", "keep"));
  auto vs = Open();
  EXPECT_EQ(Manifests(fs_.get()),
            std::vector<std::string>{ManifestFileName(vs->manifest_number())});
  EXPECT_FALSE(fs_->FileExists("/db/CURRENT.tmp"));
  EXPECT_TRUE(fs_->FileExists("/db/000099.delta"));  // not ours
}

// Builds a manifest of a snapshot and `kEdits` edits, remembering the state
// after each record, for the torn-tail and corruption tests.
class ManifestReplayTest : public VersionSetTest {
 protected:
  static constexpr int kEdits = 6;

  void SetUp() override {
    auto vs = Open();
    states_.push_back(State(*vs->current()));
    VT_ASSERT_OK(CreateTable(vs.get(), 1, "t"));
    states_.push_back(State(*vs->current()));
    for (int i = 1; i < kEdits - 1; ++i) {
      VT_ASSERT_OK(Commit(vs.get(), {1}));
      states_.push_back(State(*vs->current()));
    }
    VT_ASSERT_OK(BaseCompact(vs.get(), 1, 2));
    states_.push_back(State(*vs->current()));
    number_ = vs->manifest_number();
    vs.reset();
    bytes_ =
        ReadFileToString(fs_.get(), ManifestFilePath(dir_, number_)).value();
    auto contents = ReadManifest(fs_.get(), ManifestFilePath(dir_, number_));
    ASSERT_TRUE(contents.ok());
    ASSERT_EQ(contents->records.size(), kEdits + 1u);
    for (const ManifestRecord& r : contents->records)
      starts_.push_back(r.offset);
    starts_.push_back(bytes_.size());
  }

  // A fresh file system holding `manifest` as the live manifest.
  std::unique_ptr<FileSystem> WithManifest(std::string_view manifest) {
    auto fs = NewMemFileSystem();
    EXPECT_TRUE(fs->CreateDir(dir_).ok());
    auto file = fs->NewWritableFile(ManifestFilePath(dir_, number_)).value();
    EXPECT_TRUE(file->Append(manifest).ok());
    EXPECT_TRUE(file->Close().ok());
    EXPECT_TRUE(SetCurrentManifest(fs.get(), dir_, number_).ok());
    return fs;
  }

  uint64_t number_ = 0;
  std::string bytes_;
  std::vector<uint64_t> starts_;     // of each record, then the file size
  std::vector<std::string> states_;  // after the snapshot and each edit
};

// A cut anywhere (a crash mid-append of the last record leaves any prefix)
// recovers exactly the records before the cut; the database then goes on.
TEST_F(ManifestReplayTest, TornTailAtEveryByte) {
  for (size_t cut = 0; cut <= bytes_.size(); ++cut) {
    SCOPED_TRACE(::testing::Message() << "cut at byte " << cut);
    auto fs = WithManifest(std::string_view(bytes_).substr(0, cut));
    size_t complete = 0;  // records entirely before the cut
    while (complete + 1 < starts_.size() && starts_[complete + 1] <= cut) {
      ++complete;
    }
    auto vs = VersionSet::Open(Options(fs.get()));
    if (complete == 0) {  // the snapshot itself is torn
      ASSERT_FALSE(vs.ok());
      EXPECT_EQ(vs.status().code(), absl::StatusCode::kDataLoss);
      continue;
    }
    ASSERT_TRUE(vs.ok()) << vs.status();
    EXPECT_EQ(State(*(*vs)->current()), states_[complete - 1]);
    EXPECT_EQ((*vs)->recovery_info().dropped_bytes, cut - starts_[complete]);
    // The torn manifest is gone; the next edits append to a fresh one.
    EXPECT_FALSE(fs->FileExists(ManifestFilePath(dir_, number_)));
    VT_ASSERT_OK(CommitAll(vs->get()));
    const std::string after = State(*(*vs)->current());
    vs->reset();
    auto again = VersionSet::Open(Options(fs.get()));
    ASSERT_TRUE(again.ok()) << again.status();
    EXPECT_EQ(State(*(*again)->current()), after);
  }
}

TEST_F(ManifestReplayTest, CorruptionInTheMiddleIsDataLoss) {
  for (size_t record = 0; record + 1 < kEdits + 1u; ++record) {
    for (uint64_t at :
         {starts_[record], starts_[record] + 9, starts_[record + 1] - 1}) {
      std::string damaged = bytes_;
      damaged[at] ^= 0x20;
      auto fs = WithManifest(damaged);
      auto vs = VersionSet::Open(Options(fs.get()));
      ASSERT_FALSE(vs.ok()) << "flip at " << at;
      EXPECT_EQ(vs.status().code(), absl::StatusCode::kDataLoss);
      EXPECT_NE(vs.status().message().find(ManifestFileName(number_)),
                std::string::npos)
          << vs.status();
      EXPECT_NE(
          vs.status().message().find(fmt::format("offset {}", starts_[record])),
          std::string::npos)
          << vs.status();
    }
  }
}

TEST_F(ManifestReplayTest, ARecordThatDoesNotApplyIsDataLoss) {
  // A well-framed record whose edit skips a version.
  VersionEdit e;
  e.version = 42;
  const std::string bad = bytes_ + EncodeManifestRecord(e.Encode());
  auto vs = VersionSet::Open(Options(WithManifest(bad).get()));
  ASSERT_FALSE(vs.ok());
  EXPECT_EQ(vs.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(vs.status().message().find(fmt::format("record {} at offset {}",
                                                   kEdits + 1, bytes_.size())),
            std::string::npos)
      << vs.status();
  EXPECT_NE(vs.status().message().find("the next commit is"),
            std::string::npos);

  // A second snapshot.
  e = VersionEdit();
  e.snapshot = true;
  e.version = 0;
  vs = VersionSet::Open(
      Options(WithManifest(bytes_ + EncodeManifestRecord(e.Encode())).get()));
  EXPECT_EQ(vs.status().code(), absl::StatusCode::kDataLoss);
  // A first record that is no snapshot.
  vs = VersionSet::Open(
      Options(WithManifest(std::string_view(bytes_).substr(starts_[1])).get()));
  EXPECT_EQ(vs.status().code(), absl::StatusCode::kDataLoss);
}

TEST_F(ManifestReplayTest, ACommitTimeGoingBackIsDataLoss) {
  VersionEdit first;
  first.version = kEdits - 1;  // SetUp committed versions 1..kEdits - 2
  first.commit_times = {{*first.version, 5000}};
  VersionEdit second;
  second.version = kEdits;
  second.commit_times = {{*second.version, 4999}};
  const std::string good = bytes_ + EncodeManifestRecord(first.Encode());
  auto vs = VersionSet::Open(Options(WithManifest(good).get()));
  ASSERT_TRUE(vs.ok()) << vs.status();
  vs = VersionSet::Open(Options(
      WithManifest(good + EncodeManifestRecord(second.Encode())).get()));
  ASSERT_FALSE(vs.ok());
  EXPECT_EQ(vs.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(vs.status().message().find("before the latest recorded commit"),
            std::string::npos)
      << vs.status();
}

TEST_F(ManifestReplayTest, ANewerFormatIsInvalidArgument) {
  std::string snapshot = "\x01\x02";  // format version 2
  auto vs = VersionSet::Open(
      Options(WithManifest(EncodeManifestRecord(snapshot)).get()));
  EXPECT_EQ(vs.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(vs.status().message().find("newer mesa"), std::string::npos);
}

TEST_F(ManifestReplayTest, MissingManifestIsDataLoss) {
  auto fs = WithManifest(bytes_);
  VT_ASSERT_OK(fs->DeleteFile(ManifestFilePath(dir_, number_)));
  auto vs = VersionSet::Open(Options(fs.get()));
  EXPECT_EQ(vs.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(vs.status().message().find("does not exist"), std::string::npos);
}

// ------------------------------------------------ obsolete files

TEST_F(VersionSetTest, APinnedVersionKeepsItsFilesUntilReleased) {
  auto vs = Open();
  VT_ASSERT_OK(CreateTable(vs.get(), 1, "t"));
  for (int i = 0; i < 4; ++i) VT_ASSERT_OK(Commit(vs.get(), {1}));
  std::vector<uint64_t> singles = vs->LiveFileNumbers();
  ASSERT_EQ(singles.size(), 4u);

  std::shared_ptr<const Version> pinned = vs->current();
  VT_ASSERT_OK(BaseCompact(vs.get(), 1, 3));  // retires singletons 1..3
  EXPECT_TRUE(deleted_.empty());              // the reader still needs them
  EXPECT_EQ(vs->LiveFileNumbers().size(), 2u);
  EXPECT_EQ(Ranges(pinned->CoveringPath(1, 2).value()), "[1,1] [2,2]");

  pinned.reset();
  std::sort(deleted_.begin(), deleted_.end());
  EXPECT_EQ(deleted_,
            std::vector<uint64_t>(singles.begin(), singles.begin() + 3));

  // Unpinned: dropping the table retires its files at once, exactly once.
  deleted_.clear();
  const std::vector<uint64_t> live = vs->LiveFileNumbers();
  VersionEdit drop;
  drop.dropped_tables.push_back(1);
  VT_ASSERT_OK(vs->Apply(drop));
  std::sort(deleted_.begin(), deleted_.end());
  EXPECT_EQ(deleted_, live);
  EXPECT_TRUE(vs->LiveFileNumbers().empty());

  // Closing the set deletes nothing live.
  VT_ASSERT_OK(CreateTable(vs.get(), 2, "u"));
  VT_ASSERT_OK(Commit(vs.get(), {2}));
  deleted_.clear();
  pinned = vs->current();
  vs.reset();
  pinned.reset();
  EXPECT_TRUE(deleted_.empty());
}

TEST_F(VersionSetTest, ReplacedCumulativeIsDeletedOnce) {
  auto vs = Open();
  VT_ASSERT_OK(CreateTable(vs.get(), 1, "t"));
  for (int i = 0; i < 6; ++i) VT_ASSERT_OK(Commit(vs.get(), {1}));
  VersionEdit c1;
  c1.added_deltas.push_back(MakeDelta(1, vs->NewFileNumber(), 1, 3));
  const uint64_t c1_file = c1.added_deltas[0].file_number;
  VT_ASSERT_OK(vs->Apply(c1));
  std::shared_ptr<const Version> pinned = vs->current();
  VersionEdit c2;
  c2.added_deltas.push_back(MakeDelta(1, vs->NewFileNumber(), 1, 6));
  c2.removed_deltas.push_back({1, c1_file});
  VT_ASSERT_OK(vs->Apply(c2));
  VT_ASSERT_OK(Commit(vs.get(), {1}));  // more versions, same handles
  EXPECT_TRUE(deleted_.empty());
  pinned.reset();
  EXPECT_EQ(deleted_, std::vector<uint64_t>{c1_file});
  EXPECT_EQ(Ranges(vs->current()->CoveringPath(1, 7).value()), "[1,6] [7,7]");
}

// ------------------------------------------------ write failures and crashes

TEST_F(VersionSetTest, AWriteErrorStopsFurtherEdits) {
  mesa::testing::FaultInjectionFileSystem fi(fs_.get());
  auto vs = Open(&fi);
  VT_ASSERT_OK(CreateTable(vs.get(), 1, "t"));
  VT_ASSERT_OK(Commit(vs.get(), {1}));
  const std::string before = State(*vs->current());
  fi.FailMutation(fi.mutation_count() + 2);  // the Sync of the next record
  absl::Status s = Commit(vs.get(), {1});
  EXPECT_EQ(s.code(), absl::StatusCode::kInternal) << s;
  EXPECT_EQ(State(*vs->current()), before);  // not installed
  absl::Status again = Commit(vs.get(), {1});
  EXPECT_EQ(again.code(), absl::StatusCode::kFailedPrecondition) << again;
  EXPECT_NE(again.message().find("reopen"), std::string::npos);
  vs.reset();
  // The unsynced record may or may not survive; here the process did not
  // crash, so it is there, and replay accepts it.
  auto reopened = Open(&fi);
  EXPECT_EQ(reopened->current()->version(), 2u);
}

// Crashes at every mutating file-system call of a workload with commits,
// compactions, table changes and manifest rotations. After each crash the
// recovered state is one the workload passed through, no older than the
// last acknowledged edit (nothing synced is lost) and no newer than the
// edit in flight.
TEST_F(VersionSetTest, CrashAtEveryOperationRecoversAPrefix) {
  max_manifest_size_ = 500;
  // The workload: a fixed list of steps; each returns Apply's status.
  auto run = [&](VersionSet* vs, int step) -> absl::Status {
    if (step == 0) return CreateTable(vs, 1, "t");
    if (step == 1) return CreateTable(vs, 2, "u");
    if (step == 9) return BaseCompact(vs, 1, 4);
    if (step == 14) {
      VersionEdit e;
      e.dropped_tables.push_back(2);
      return vs->Apply(e);
    }
    return Commit(vs, step % 3 == 0 || step > 14 ? std::vector<uint32_t>{1}
                                                 : std::vector<uint32_t>{1, 2});
  };
  constexpr int kSteps = 20;
  // The states of a run without faults.
  std::vector<std::string> states;
  {
    auto ref_fs = NewMemFileSystem();
    auto vs = Open(ref_fs.get());
    states.push_back(State(*vs->current()));
    for (int step = 0; step < kSteps; ++step) {
      VT_ASSERT_OK(run(vs.get(), step));
      states.push_back(State(*vs->current()));
    }
    EXPECT_GE(vs->manifest_number(), 3u);  // the workload rotates, twice
  }
  bool completed = false;
  uint64_t crash_points = 0;
  size_t in_flight_kept = 0, in_flight_lost = 0;
  for (uint64_t n = 1; !completed; ++n) {
    ++crash_points;
    SCOPED_TRACE(::testing::Message() << "crash at mutation " << n);
    auto base = NewMemFileSystem();
    mesa::testing::FaultInjectionFileSystem fi(base.get());
    fi.FailMutation(n, /*sticky=*/true);
    size_t acked = 0;
    bool in_flight = false;
    {
      auto vs = VersionSet::Open(Options(&fi));
      if (vs.ok()) {
        for (int step = 0; step < kSteps; ++step) {
          absl::Status s = run(vs->get(), step);
          if (!s.ok()) {
            in_flight = true;
            break;
          }
          ++acked;
        }
        completed = !in_flight;
      } else {
        in_flight = true;  // the database's creation itself
      }
    }
    VT_ASSERT_OK(fi.DropUnsyncedData());
    fi.ClearFaults();
    deleted_.clear();
    auto vs = VersionSet::Open(Options(&fi));
    ASSERT_TRUE(vs.ok()) << vs.status();
    const std::string recovered = State(*(*vs)->current());
    size_t k = acked;
    if (recovered != states[k] && in_flight && k + 1 < states.size()) ++k;
    if (in_flight) ++(k == acked ? in_flight_lost : in_flight_kept);
    ASSERT_EQ(recovered, states[k])
        << "acked " << acked << (in_flight ? " + 1 in flight" : "");
    // And the recovered database goes on.
    VT_ASSERT_OK(CommitAll(vs->get()));
    const std::string next = State(*(*vs)->current());
    vs->reset();
    auto again = VersionSet::Open(Options(&fi));
    ASSERT_TRUE(again.ok()) << again.status();
    EXPECT_EQ(State(*(*again)->current()), next);
    ASSERT_LT(n, 2000u) << "the workload never completes";
  }
  // Crashes hit every step (creation, appends, rotations). An edit in
  // flight is lost every time here: the last thing Apply does before it
  // acknowledges is the sync that makes the edit durable (what follows, the
  // old manifest's deletion, cannot fail an Apply).
  EXPECT_GT(crash_points, 50u);
  EXPECT_GT(in_flight_lost, 20u);
  EXPECT_EQ(in_flight_kept, 0u);
  RecordProperty("crash_points", static_cast<int>(crash_points));
}

// Open rewrites the manifest (snapshot, CURRENT switch, old one deleted):
// a crash at any step of that loses nothing.
TEST_F(VersionSetTest, CrashDuringOpenLosesNothing) {
  max_manifest_size_ = 400;
  std::string expected;
  {
    auto vs = Open();
    VT_ASSERT_OK(CreateTable(vs.get(), 1, "t"));
    for (int i = 0; i < 12; ++i) VT_ASSERT_OK(Commit(vs.get(), {1}));
    VT_ASSERT_OK(BaseCompact(vs.get(), 1, 5));
    expected = State(*vs->current());
  }
  mesa::testing::FaultInjectionFileSystem fi(fs_.get());
  for (uint64_t n = 1;; ++n) {
    SCOPED_TRACE(::testing::Message() << "crash at mutation " << n);
    fi.FailMutation(fi.mutation_count() + n, /*sticky=*/true);
    const bool opened = VersionSet::Open(Options(&fi)).ok();
    VT_ASSERT_OK(fi.DropUnsyncedData());
    fi.ClearFaults();
    auto vs = Open(&fi);
    ASSERT_NE(vs, nullptr);
    EXPECT_EQ(State(*vs->current()), expected);
    if (opened) break;
    ASSERT_LT(n, 100u);
  }
}

}  // namespace
}  // namespace mesa::internal

namespace mesa::internal {
namespace {

class RollupVersionSetTest : public VersionSetTest {};

TEST_F(RollupVersionSetTest, RollupsLiveWithTheirParentAndReplay) {
  auto vs = Open();
  ASSERT_NE(vs, nullptr);
  VersionEdit create;
  create.created_tables.push_back(MakeTable(2, "B"));
  TableInfo c = MakeTable(4, "C");
  c.parent_table_id = 2;
  c.ready_version = 0;  // ready at creation
  create.created_tables.push_back(c);
  ASSERT_TRUE(vs->Apply(create).ok());
  ASSERT_TRUE(Commit(vs.get(), {2, 4}).ok());
  ASSERT_TRUE(Commit(vs.get(), {2, 4}).ok());
  // A rollup added later waits for its back-fill.
  VersionEdit add;
  TableInfo d = MakeTable(6, "D");
  d.parent_table_id = 2;
  add.created_tables.push_back(d);
  ASSERT_TRUE(vs->Apply(add).ok());
  ASSERT_TRUE(Commit(vs.get(), {2, 4, 6}).ok());
  const TableVersion* dv = vs->current()->FindTable(6);
  ASSERT_NE(dv, nullptr);
  EXPECT_TRUE(dv->is_rollup());
  EXPECT_FALSE(dv->RollupReadableAt(3));
  EXPECT_EQ(vs->current()->RollupsOf(2).size(), 2u);

  // Dropping the parent without its rollups is refused.
  VersionEdit drop_parent;
  drop_parent.dropped_tables = {2, 4};
  ExpectInvalid(vs.get(), drop_parent, "must drop its rollup 'D'");

  // Readiness: only for a rollup that is not ready, within its versions.
  VersionEdit not_rollup;
  not_rollup.ready_rollups = {{2, 3}};
  ExpectInvalid(vs.get(), not_rollup, "it is not a rollup");
  VersionEdit already;
  already.ready_rollups = {{4, 3}};
  ExpectInvalid(vs.get(), already, "it is ready since version 0");
  VersionEdit future;
  future.ready_rollups = {{6, 9}};
  ExpectInvalid(vs.get(), future, "outside [2, 3]");

  // The back-fill: a base [0, 3] above the oldest readable version (0),
  // allowed because D is read only from 3 on; D's singleton retires.
  VersionEdit backfill;
  backfill.ready_rollups = {{6, 3}};
  backfill.removed_deltas.push_back(
      {6, vs->current()->FindTable(6)->deltas()[0]->file_number()});
  backfill.added_deltas.push_back(MakeDelta(6, vs->NewFileNumber(), 0, 3));
  ASSERT_TRUE(vs->Apply(backfill).ok());
  EXPECT_TRUE(vs->current()->FindTable(6)->RollupReadableAt(3));
  EXPECT_FALSE(vs->current()->FindTable(6)->RollupReadableAt(2));
  // A table of its own may not do that.
  VersionEdit early_base;
  early_base.added_deltas.push_back(MakeDelta(2, vs->NewFileNumber(), 0, 3));
  early_base.removed_deltas.push_back(
      {2, vs->current()->FindTable(2)->deltas()[0]->file_number()});
  ExpectInvalid(vs.get(), early_base, "ends above the oldest readable");

  const std::string state = State(*vs->current());
  vs.reset();
  vs = Open();
  ASSERT_NE(vs, nullptr);
  EXPECT_EQ(State(*vs->current()), state);
  EXPECT_TRUE(vs->current()->FindTable(6)->RollupReadableAt(3));
  EXPECT_TRUE(vs->current()->FindTable(4)->RollupReadableAt(0));
  EXPECT_EQ(vs->current()->FindTable(4)->parent_id(), 2u);

  VersionEdit drop_all;
  drop_all.dropped_tables = {2, 4, 6};
  ASSERT_TRUE(vs->Apply(drop_all).ok());
}

TEST_F(RollupVersionSetTest, RefusesBadRollups) {
  auto vs = Open();
  ASSERT_NE(vs, nullptr);
  ASSERT_TRUE(CreateTable(vs.get(), 2, "B").ok());
  VersionEdit orphan;
  TableInfo c = MakeTable(4, "C");
  c.parent_table_id = 8;
  orphan.created_tables.push_back(c);
  ExpectInvalid(vs.get(), orphan, "parent table 8 does not exist");
  VersionEdit ok;
  c.parent_table_id = 2;
  ok.created_tables.push_back(c);
  ASSERT_TRUE(vs->Apply(ok).ok());
  VersionEdit nested;
  TableInfo d = MakeTable(6, "D");
  d.parent_table_id = 4;
  nested.created_tables.push_back(d);
  ExpectInvalid(vs.get(), nested, "is itself a rollup");
  VersionEdit own_ready;
  TableInfo e = MakeTable(8, "E");
  e.ready_version = 0;
  own_ready.created_tables.push_back(e);
  ExpectInvalid(vs.get(), own_ready, "not a rollup");
}

}  // namespace
}  // namespace mesa::internal
