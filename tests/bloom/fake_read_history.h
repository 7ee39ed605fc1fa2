// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// A deterministic in-memory read-history store for the already-read cache
// tests: a std::map user -> set of items, with per-user load counters, an
// optional load delay and injectable failures. Thread-safe.

#ifndef MESA_TESTS_BLOOM_FAKE_READ_HISTORY_H_
#define MESA_TESTS_BLOOM_FAKE_READ_HISTORY_H_

#include <chrono>
#include <cstdint>
#include <map>
#include <set>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/types/span.h"
#include "mesa/already_read_cache.h"
#include "src/util/mutex.h"

namespace mesa::testing {

class FakeReadHistory : public ReadHistoryLoader {
 public:
  explicit FakeReadHistory(bool exact_check = false)
      : exact_check_(exact_check) {}

  // Writes rows straight into the store (bypassing any cache).
  void Add(int64_t user, absl::Span<const int64_t> items) {
    internal::MutexLock lock(&mu_);
    reads_[user].insert(items.begin(), items.end());
  }
  // A write-through sink for AlreadyReadCacheOptions.
  ReadHistoryWriter Writer() {
    return [this](int64_t user, absl::Span<const int64_t> items) {
      internal::MutexLock lock(&mu_);
      if (fail_writes_) return absl::UnavailableError("injected write failure");
      ++writes_;
      reads_[user].insert(items.begin(), items.end());
      return absl::OkStatus();
    };
  }

  absl::StatusOr<std::vector<int64_t>> LoadItems(int64_t user) override {
    std::chrono::microseconds delay;
    {
      internal::MutexLock lock(&mu_);
      ++loads_[user];
      ++total_loads_;
      delay = load_delay_;
      if (fail_loads_) return absl::UnavailableError("injected load failure");
    }
    if (delay.count() > 0) std::this_thread::sleep_for(delay);
    internal::MutexLock lock(&mu_);
    auto it = reads_.find(user);
    if (it == reads_.end()) return std::vector<int64_t>();
    return std::vector<int64_t>(it->second.begin(), it->second.end());
  }

  bool SupportsExactCheck() const override { return exact_check_; }

  absl::StatusOr<std::vector<bool>> ExactCheck(
      int64_t user, absl::Span<const int64_t> candidates) override {
    internal::MutexLock lock(&mu_);
    ++exact_checks_;
    std::vector<bool> out(candidates.size());
    auto it = reads_.find(user);
    for (size_t i = 0; i < candidates.size(); ++i) {
      out[i] = it != reads_.end() && it->second.contains(candidates[i]);
    }
    return out;
  }

  bool Contains(int64_t user, int64_t item) {
    internal::MutexLock lock(&mu_);
    auto it = reads_.find(user);
    return it != reads_.end() && it->second.contains(item);
  }
  int loads(int64_t user) {
    internal::MutexLock lock(&mu_);
    auto it = loads_.find(user);
    return it == loads_.end() ? 0 : it->second;
  }
  int total_loads() {
    internal::MutexLock lock(&mu_);
    return total_loads_;
  }
  int exact_checks() {
    internal::MutexLock lock(&mu_);
    return exact_checks_;
  }
  int writes() {
    internal::MutexLock lock(&mu_);
    return writes_;
  }
  void set_load_delay(std::chrono::microseconds d) {
    internal::MutexLock lock(&mu_);
    load_delay_ = d;
  }
  void set_fail_loads(bool fail) {
    internal::MutexLock lock(&mu_);
    fail_loads_ = fail;
  }
  void set_fail_writes(bool fail) {
    internal::MutexLock lock(&mu_);
    fail_writes_ = fail;
  }

 private:
  const bool exact_check_;
  internal::Mutex mu_;
  std::map<int64_t, std::set<int64_t>> reads_ ABSL_GUARDED_BY(mu_);
  std::map<int64_t, int> loads_ ABSL_GUARDED_BY(mu_);
  int total_loads_ ABSL_GUARDED_BY(mu_) = 0;
  int exact_checks_ ABSL_GUARDED_BY(mu_) = 0;
  int writes_ ABSL_GUARDED_BY(mu_) = 0;
  std::chrono::microseconds load_delay_ ABSL_GUARDED_BY(mu_){0};
  bool fail_loads_ ABSL_GUARDED_BY(mu_) = false;
  bool fail_writes_ ABSL_GUARDED_BY(mu_) = false;
};

// splitmix64, for reproducible random items in tests.
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // A positive item id below 2^62.
  int64_t Item() { return static_cast<int64_t>(Next() >> 2) + 1; }
  uint64_t Below(uint64_t n) { return Next() % n; }

 private:
  uint64_t state_;
};

}  // namespace mesa::testing

#endif  // MESA_TESTS_BLOOM_FAKE_READ_HISTORY_H_
