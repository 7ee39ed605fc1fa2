// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.

#include "src/bloom/background_pool.h"

#include <atomic>
#include <chrono>
#include <thread>

#include "gtest/gtest.h"

namespace mesa::internal {
namespace {

TEST(BackgroundPoolTest, RunsEveryTaskBeforeWaitIdleReturns) {
  BackgroundPool pool(2);
  std::atomic<int> ran{0};
  for (int i = 0; i < 100; ++i) {
    pool.Schedule([&] { ran.fetch_add(1); });
  }
  pool.WaitIdle();
  EXPECT_EQ(ran.load(), 100);
  pool.WaitIdle();  // idle already: returns at once
}

TEST(BackgroundPoolTest, TasksMayScheduleMoreTasks) {
  BackgroundPool pool(1);
  std::atomic<int> ran{0};
  pool.Schedule([&] {
    ran.fetch_add(1);
    pool.Schedule([&] { ran.fetch_add(1); });
  });
  pool.WaitIdle();
  EXPECT_EQ(ran.load(), 2);
}

TEST(BackgroundPoolTest, DestructorFinishesRunningTasksAndDropsQueuedOnes) {
  std::atomic<int> ran{0};
  std::atomic<bool> started{false};
  {
    BackgroundPool pool(1);
    pool.Schedule([&] {
      started = true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      ran.fetch_add(1);
    });
    for (int i = 0; i < 10; ++i) pool.Schedule([&] { ran.fetch_add(100); });
    while (!started) std::this_thread::yield();
  }
  EXPECT_EQ(ran.load(), 1);
}

}  // namespace
}  // namespace mesa::internal
