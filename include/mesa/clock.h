// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// The wall clock that stamps each commit with its time (Options::clock),
// which the time-based history window (Options::history_time) reads. Tests
// and hosts with their own notion of time supply their own.
//
// Thread safety: NowMicros may be called from several threads at once.

#ifndef MESA_CLOCK_H_
#define MESA_CLOCK_H_

#include <cstdint>

namespace mesa {

class Clock {
 public:
  virtual ~Clock() = default;
  // Microseconds since the Unix epoch. It may step back (the database keeps
  // its versions' times non-decreasing regardless).
  virtual uint64_t NowMicros() = 0;
};

// The system's real-time clock; never null, never destroyed.
Clock* SystemClock();

}  // namespace mesa

#endif  // MESA_CLOCK_H_
