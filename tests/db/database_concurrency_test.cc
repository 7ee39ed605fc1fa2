// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// Database under concurrency (run under ThreadSanitizer in CI): one
// committer, background compaction plus CompactNow from another thread,
// and reader threads that pin a version and read it again and again while
// commits and compactions go on. A pinned reader's answers never change
// (design.md, invariant 5), and every answer matches the model of the
// version it was read at.

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "fmt/format.h"
#include "gtest/gtest.h"
#include "mesa/database.h"
#include "tests/db/db_test_util.h"
#include "tests/testing/test_util.h"

namespace mesa {
namespace {

using testing::CellValue;
using testing::IdenticalRows;
using testing::RowSource;
using testing::SameRows;
using testing::ScanAll;

Schema Facts() {
  return Schema::Create({{"country", ColumnType::kString},
                         {"id", ColumnType::kInt64}},
                        {{"clicks", ColumnType::kInt64, Aggregation::kSum},
                         {"cost", ColumnType::kDouble, Aggregation::kSum},
                         {"label", ColumnType::kString, Aggregation::kReplace},
                         {"low", ColumnType::kInt32, Aggregation::kMin},
                         {"high", ColumnType::kDouble, Aggregation::kMax}})
      .value();
}

Schema Counts() {
  return Schema::Create({{"day", ColumnType::kInt32}},
                        {{"n", ColumnType::kUint64, Aggregation::kSum}})
      .value();
}

// What one reader saw at one version (its first read).
struct Observation {
  uint64_t version = 0;
  std::map<std::string, RowBatch> rows;  // by table
};

class ConcurrencyHarness {
 public:
  ConcurrencyHarness() {
    fs_ = NewMemFileSystem();
    options_.fs = fs_.get();
    options_.background_threads = 1;
    options_.cumulative_threshold = 2;
    options_.max_pending_singletons = 4;
    options_.history_versions = 8;
    schemas_ = {{"facts", Facts()}, {"counts", Counts()}};
  }

  void Run(std::chrono::milliseconds duration, int readers) {
    auto db = Database::Open(options_, "/db");
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = std::move(*db);
    for (const auto& [name, schema] : schemas_) {
      auto t = db_->CreateTable(name, schema);
      ASSERT_TRUE(t.ok()) << t.status();
      handles_[name] = *t;
    }
    std::vector<std::thread> threads;
    threads.emplace_back([this] { Committer(); });
    threads.emplace_back([this] { Compactor(); });
    for (int i = 0; i < readers; ++i) {
      threads.emplace_back([this, i] { Reader(i); });
    }
    std::this_thread::sleep_for(duration);
    stop_.store(true);
    for (std::thread& t : threads) t.join();
    ASSERT_NO_FATAL_FAILURE(CheckObservations());
    ASSERT_NO_FATAL_FAILURE(CheckEveryReadableVersion());
    const DatabaseStats stats = db_->Stats();
    std::printf(
        "concurrency: %llu commits, %llu pinned readers, %llu re-reads, "
        "%llu cumulative and %llu base compactions, %llu stalls\n",
        static_cast<unsigned long long>(stats.latest_version),
        static_cast<unsigned long long>(pins_.load()),
        static_cast<unsigned long long>(rereads_.load()),
        static_cast<unsigned long long>(stats.cumulative_compactions),
        static_cast<unsigned long long>(stats.base_compactions),
        static_cast<unsigned long long>(stats.commit_stalls));
    EXPECT_GT(stats.latest_version, 20u);
    EXPECT_GT(stats.cumulative_compactions, 0u);
    EXPECT_GT(pins_.load(), 0u);
    db_.reset();
  }

 private:
  void Committer() {
    std::mt19937_64 rng(testing::TestSeed(31));
    std::map<std::string, std::unique_ptr<RowSource>> sources;
    for (const auto& [name, schema] : schemas_) {
      sources[name] = std::make_unique<RowSource>(rng, schema);
    }
    while (!stop_.load()) {
      UpdateBatch batch;
      std::map<std::string, RowBatch> rows;
      for (const auto& [name, schema] : schemas_) {
        if (rng() % 3 == 0) continue;
        RowBatch r = sources[name]->Rows(rng, 1 + rng() % 20);
        if (!batch.AddRows(*handles_.at(name), r).ok()) {
          ADD_FAILURE() << "AddRows";
          return;
        }
        rows.emplace(name, std::move(r));
      }
      auto v = db_->Commit(batch);
      if (!v.ok()) {
        ADD_FAILURE() << "commit: " << v.status();
        return;
      }
      {
        std::lock_guard<std::mutex> l(mu_);
        if (*v != committed_.size() + 1) {
          ADD_FAILURE() << "commit returned version " << *v << " after "
                        << committed_.size();
          return;
        }
        committed_.push_back(std::move(rows));
      }
      // Leave the readers and the compactions some room.
      std::this_thread::sleep_for(std::chrono::microseconds(300));
    }
  }

  void Compactor() {
    while (!stop_.load()) {
      absl::Status s = db_->CompactNow();
      if (!s.ok()) {
        ADD_FAILURE() << "CompactNow: " << s;
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(3));
    }
  }

  // Pins a version, reads it, and reads it again while other threads
  // commit and compact.
  void Reader(int id) {
    std::mt19937_64 rng(1000 + id);
    std::vector<Observation> mine;
    while (!stop_.load()) {
      std::unique_ptr<VersionedReader> reader;
      if (rng() % 2) {
        auto r = db_->NewReader();
        if (!r.ok()) {
          ADD_FAILURE() << "NewReader: " << r.status();
          return;
        }
        reader = std::move(*r);
      } else {
        const uint64_t latest = db_->LatestVersion();
        const uint64_t oldest = db_->OldestReadableVersion();
        if (oldest > latest) continue;  // raced with a commit and a base
        const uint64_t v = oldest + rng() % (latest - oldest + 1);
        auto r = db_->NewReader(v);
        if (absl::IsOutOfRange(r.status())) continue;  // folded meanwhile
        if (!r.ok()) {
          ADD_FAILURE() << "NewReader(" << v << "): " << r.status();
          return;
        }
        reader = std::move(*r);
      }
      pins_.fetch_add(1);
      Observation first;
      first.version = reader->version();
      for (const auto& [name, schema] : schemas_) {
        auto rows = ScanAll(*reader, name, schema);
        if (!rows.ok()) {
          ADD_FAILURE() << name << " at " << first.version << ": "
                        << rows.status();
          return;
        }
        first.rows.emplace(name, std::move(*rows));
      }
      // Hold the pin across commits and compactions and read again.
      const int rounds = 2 + static_cast<int>(rng() % 4);
      for (int i = 0; i < rounds && !stop_.load(); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(rng() % 8));
        for (const auto& [name, schema] : schemas_) {
          auto rows = ScanAll(*reader, name, schema);
          if (!rows.ok()) {
            ADD_FAILURE() << name << " at " << first.version << ": "
                          << rows.status();
            return;
          }
          auto same = IdenticalRows(*rows, first.rows.at(name));
          if (!same) {
            ADD_FAILURE() << "pinned reader of " << name << " at version "
                          << first.version << " changed: " << same.message();
            return;
          }
          // A point read of a row it saw.
          const RowBatch& seen = first.rows.at(name);
          if (seen.num_rows() == 0) continue;
          const size_t row = rng() % seen.num_rows();
          std::vector<Value> key;
          for (size_t c = 0; c < schema.num_keys(); ++c) {
            key.push_back(CellValue(seen.column(c), row));
          }
          auto got = reader->Get(name, key);
          if (!got.ok() || !got->has_value()) {
            ADD_FAILURE() << "Get in " << name << " at " << first.version
                          << ": "
                          << (got.ok() ? "missing" : got.status().ToString());
            return;
          }
          RowBatch want(schema);
          want.AppendRow(seen, row);
          auto eq = SameRows(schema, **got, want);
          if (!eq) {
            ADD_FAILURE() << "Get in " << name << ": " << eq.message();
            return;
          }
        }
        rereads_.fetch_add(1);
      }
      if (mine.size() < 200) mine.push_back(std::move(first));
    }
    std::lock_guard<std::mutex> l(mu_);
    for (Observation& o : mine) observations_.push_back(std::move(o));
  }

  // The model's answer for `name` at each version in `wanted`: the
  // aggregate is carried from version to version (aggregations are
  // associative, and the double sums here are exact).
  std::map<uint64_t, RowBatch> ModelAnswers(const std::string& name,
                                            const std::set<uint64_t>& wanted) {
    const Schema& schema = schemas_.at(name);
    std::map<uint64_t, RowBatch> out;
    RowBatch state(schema);
    for (uint64_t v = 0; v <= committed_.size(); ++v) {
      if (v > 0) {
        auto it = committed_[v - 1].find(name);
        if (it != committed_[v - 1].end()) {
          state.AppendRows(it->second, 0, it->second.num_rows());
          workload::SortAndAggregate(schema, &state);
        }
      }
      if (wanted.contains(v)) {
        RowBatch copy(schema);
        copy.AppendRows(state, 0, state.num_rows());
        out.emplace(v, std::move(copy));
      }
    }
    return out;
  }

  void CheckObservations() {
    std::set<uint64_t> versions;
    for (const Observation& o : observations_) {
      ASSERT_LE(o.version, committed_.size());
      versions.insert(o.version);
    }
    for (const auto& [name, schema] : schemas_) {
      std::map<uint64_t, RowBatch> model = ModelAnswers(name, versions);
      for (const Observation& o : observations_) {
        ASSERT_TRUE(SameRows(schema, o.rows.at(name), model.at(o.version)))
            << name << " at version " << o.version;
      }
    }
  }

  void CheckEveryReadableVersion() {
    ASSERT_EQ(db_->LatestVersion(), committed_.size());
    std::set<uint64_t> versions;
    for (uint64_t v = db_->OldestReadableVersion(); v <= committed_.size();
         ++v) {
      versions.insert(v);
    }
    for (const auto& [name, schema] : schemas_) {
      std::map<uint64_t, RowBatch> model = ModelAnswers(name, versions);
      for (uint64_t v : versions) {
        auto reader = db_->NewReader(v);
        ASSERT_TRUE(reader.ok()) << reader.status();
        auto rows = ScanAll(**reader, name, schema);
        ASSERT_TRUE(rows.ok()) << rows.status();
        ASSERT_TRUE(SameRows(schema, *rows, model.at(v)))
            << name << " at " << v;
      }
    }
  }

  std::unique_ptr<FileSystem> fs_;
  Options options_;
  std::unique_ptr<Database> db_;
  std::map<std::string, Schema> schemas_;
  std::map<std::string, std::shared_ptr<const Table>> handles_;
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> pins_{0};
  std::atomic<uint64_t> rereads_{0};

  std::mutex mu_;
  std::vector<std::map<std::string, RowBatch>> committed_;  // by version - 1
  std::vector<Observation> observations_;
};

TEST(DatabaseConcurrencyTest, PinnedReadersNeverChangeWhileCommitsAndCompactionsRun) {
  ConcurrencyHarness h;
  h.Run(std::chrono::milliseconds(2500), 3);
}

}  // namespace
}  // namespace mesa
