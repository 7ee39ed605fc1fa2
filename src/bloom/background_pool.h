// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// A small fixed pool of threads owned by one AlreadyReadCache, for loads
// and growth rebuilds. Work is best-effort: the destructor lets running
// tasks finish, drops queued ones and joins the threads.
//
// Thread safety: Schedule and WaitIdle may be called from any thread;
// a task may call Schedule but not WaitIdle, and nobody may call them once
// the destructor runs.

#ifndef MESA_BLOOM_BACKGROUND_POOL_H_
#define MESA_BLOOM_BACKGROUND_POOL_H_

#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "src/util/mutex.h"

namespace mesa::internal {

class BackgroundPool {
 public:
  // `threads` >= 1.
  explicit BackgroundPool(int threads);
  ~BackgroundPool();
  BackgroundPool(const BackgroundPool&) = delete;
  BackgroundPool& operator=(const BackgroundPool&) = delete;

  void Schedule(std::function<void()> task);
  // Blocks until no task is queued or running.
  void WaitIdle();

 private:
  void WorkerLoop();

  Mutex mu_;
  CondVar work_available_{&mu_};
  CondVar idle_{&mu_};
  std::deque<std::function<void()>> queue_ ABSL_GUARDED_BY(mu_);
  int running_ ABSL_GUARDED_BY(mu_) = 0;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

}  // namespace mesa::internal

#endif  // MESA_BLOOM_BACKGROUND_POOL_H_
