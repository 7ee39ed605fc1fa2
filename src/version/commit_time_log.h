// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// CommitTimeLog: when each readable version was committed
// (VersionEdit::commit_times), oldest first. The time-based history window
// (Options::history_time) asks it which version was the latest at a given
// time; a snapshot record carries it into the next manifest.
//
// A version without a recorded time (the database was written by a mesa
// that did not record commit times) counts as older than any time: such
// versions all precede the first recorded one, since times are recorded
// from some version on and never stop.
//
// Commit times live here, not in Version: a Version is copied per edit,
// and a window of a day of frequent commits holds many times.
//
// Thread safety: none; VersionSet guards it.

#ifndef MESA_SRC_VERSION_COMMIT_TIME_LOG_H_
#define MESA_SRC_VERSION_COMMIT_TIME_LOG_H_

#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "src/version/version_edit.h"

namespace mesa::internal {

class CommitTimeLog {
 public:
  // InvalidArgument naming the version unless `edit`'s commit times fit
  // this log: a commit has at most one, for its own version, no earlier
  // than the latest recorded time; a snapshot has times for versions within
  // [oldest, latest] of the state it describes, in increasing version and
  // non-decreasing time order; any other edit has none.
  absl::Status Check(const VersionEdit& edit) const;

  // Records `edit`'s times (Check passed), then forgets the times of
  // versions below `oldest_version` (no longer readable).
  void Apply(const VersionEdit& edit, uint64_t oldest_version);

  // The recorded times of versions in [from, to], oldest first.
  std::vector<CommitTime> Range(uint64_t from, uint64_t to) const;

  // The newest version committed at or before `unix_micros`, given that
  // `latest` is the latest version: the version a reader of the state "as
  // of unix_micros" reads. 0 if every version is newer.
  uint64_t NewestVersionCommittedBy(uint64_t unix_micros,
                                    uint64_t latest) const;

  // The time `version` was committed, if recorded.
  std::optional<uint64_t> TimeOf(uint64_t version) const;

  // The latest recorded time, 0 if none: a new commit's time is at least
  // this (the clock may step back; versions' times do not).
  uint64_t latest_time() const {
    return times_.empty() ? 0 : times_.back().unix_micros;
  }

 private:
  std::deque<CommitTime> times_;  // increasing versions
};

}  // namespace mesa::internal

#endif  // MESA_SRC_VERSION_COMMIT_TIME_LOG_H_
