// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.

#include "src/bloom/background_pool.h"

#include <utility>

namespace mesa::internal {

BackgroundPool::BackgroundPool(int threads) {
  threads_.reserve(threads);
  for (int i = 0; i < threads; ++i) {
    threads_.emplace_back([this] { WorkerLoop(); });
  }
}

BackgroundPool::~BackgroundPool() {
  std::deque<std::function<void()>> dropped;
  {
    MutexLock lock(&mu_);
    stopping_ = true;
    dropped.swap(queue_);
    work_available_.SignalAll();
    idle_.SignalAll();
  }
  for (std::thread& t : threads_) t.join();
  // `dropped` is destroyed here, outside the lock and after the workers.
}

void BackgroundPool::Schedule(std::function<void()> task) {
  MutexLock lock(&mu_);
  if (stopping_) return;
  queue_.push_back(std::move(task));
  work_available_.Signal();
}

void BackgroundPool::WaitIdle() {
  MutexLock lock(&mu_);
  while (!stopping_ && (!queue_.empty() || running_ > 0)) idle_.Wait();
}

void BackgroundPool::WorkerLoop() {
  MutexLock lock(&mu_);
  while (true) {
    while (!stopping_ && queue_.empty()) work_available_.Wait();
    if (stopping_) return;
    std::function<void()> task = std::move(queue_.front());
    queue_.pop_front();
    ++running_;
    mu_.Unlock();
    task();
    task = nullptr;  // destroy captures outside the lock
    mu_.Lock();
    --running_;
    if (queue_.empty() && running_ == 0) idle_.SignalAll();
  }
}

}  // namespace mesa::internal
