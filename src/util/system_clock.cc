// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.

#include <chrono>

#include "mesa/clock.h"

namespace mesa {
namespace {

class RealTimeClock final : public Clock {
 public:
  uint64_t NowMicros() override {
    const auto since_epoch = std::chrono::system_clock::now().time_since_epoch();
    const int64_t micros =
        std::chrono::duration_cast<std::chrono::microseconds>(since_epoch)
            .count();
    return micros > 0 ? static_cast<uint64_t>(micros) : 0;
  }
};

}  // namespace

Clock* SystemClock() {
  static RealTimeClock* const clock = new RealTimeClock();
  return clock;
}

}  // namespace mesa
