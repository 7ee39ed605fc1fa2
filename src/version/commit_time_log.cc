// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.

#include "src/version/commit_time_log.h"

#include <algorithm>

#include "fmt/format.h"

namespace mesa::internal {

absl::Status CommitTimeLog::Check(const VersionEdit& edit) const {
  const std::vector<CommitTime>& times = edit.commit_times;
  if (times.empty()) return absl::OkStatus();
  if (edit.is_commit()) {
    if (times.size() != 1 || times[0].version != *edit.version) {
      return absl::InvalidArgumentError(fmt::format(
          "the commit of version {} records {} commit times (the first for "
          "version {}): a commit records only its own",
          *edit.version, times.size(), times[0].version));
    }
    if (times[0].unix_micros < latest_time()) {
      return absl::InvalidArgumentError(fmt::format(
          "version {} is committed at {}, before the latest recorded commit "
          "time {}",
          *edit.version, FormatUnixMicros(times[0].unix_micros),
          FormatUnixMicros(latest_time())));
    }
    return absl::OkStatus();
  }
  if (!edit.snapshot) {
    return absl::InvalidArgumentError(fmt::format(
        "an edit that commits no version records {} commit times (the first "
        "for version {})",
        times.size(), times[0].version));
  }
  // A snapshot describes the whole state, its readable versions included.
  const uint64_t latest = edit.version.value_or(0);
  const uint64_t oldest = edit.oldest_version.value_or(0);
  for (size_t i = 0; i < times.size(); ++i) {
    const CommitTime& t = times[i];
    if (t.version < oldest || t.version > latest || t.version == 0) {
      return absl::InvalidArgumentError(fmt::format(
          "snapshot records a commit time for version {}, outside its "
          "readable versions [{}, {}]",
          t.version, std::max<uint64_t>(oldest, 1), latest));
    }
    if (i > 0 && (t.version <= times[i - 1].version ||
                  t.unix_micros < times[i - 1].unix_micros)) {
      return absl::InvalidArgumentError(fmt::format(
          "snapshot commit times out of order: version {} at {} after "
          "version {} at {}",
          t.version, FormatUnixMicros(t.unix_micros), times[i - 1].version,
          FormatUnixMicros(times[i - 1].unix_micros)));
    }
  }
  return absl::OkStatus();
}

void CommitTimeLog::Apply(const VersionEdit& edit, uint64_t oldest_version) {
  times_.insert(times_.end(), edit.commit_times.begin(),
                edit.commit_times.end());
  while (!times_.empty() && times_.front().version < oldest_version) {
    times_.pop_front();
  }
}

std::vector<CommitTime> CommitTimeLog::Range(uint64_t from,
                                             uint64_t to) const {
  auto first = std::lower_bound(
      times_.begin(), times_.end(), from,
      [](const CommitTime& t, uint64_t v) { return t.version < v; });
  std::vector<CommitTime> out;
  for (auto it = first; it != times_.end() && it->version <= to; ++it) {
    out.push_back(*it);
  }
  return out;
}

uint64_t CommitTimeLog::NewestVersionCommittedBy(uint64_t unix_micros,
                                                 uint64_t latest) const {
  // Versions without a time precede the first recorded one and count as
  // older than any time.
  if (times_.empty()) return latest;
  auto after = std::upper_bound(
      times_.begin(), times_.end(), unix_micros,
      [](uint64_t micros, const CommitTime& t) { return micros < t.unix_micros; });
  if (after == times_.begin()) return times_.front().version - 1;
  return std::prev(after)->version;
}

std::optional<uint64_t> CommitTimeLog::TimeOf(uint64_t version) const {
  auto it = std::lower_bound(
      times_.begin(), times_.end(), version,
      [](const CommitTime& t, uint64_t v) { return t.version < v; });
  if (it == times_.end() || it->version != version) return std::nullopt;
  return it->unix_micros;
}

}  // namespace mesa::internal
