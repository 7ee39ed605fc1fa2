// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// VersionSet owns the database's current Version and its manifest. Apply()
// writes an edit to the manifest, syncs it, and only then installs the
// Version the edit leads to (design.md invariant 2: a version is visible
// only once durable). Open() recovers the state by replaying the manifest
// that CURRENT names.
//
// Manifest life cycle:
//  - Open() always starts a fresh manifest: it replays the old one, writes
//    MANIFEST-<new number> holding one snapshot record of the recovered
//    state, switches CURRENT to it and deletes every other MANIFEST-* file.
//    (FileSystem has no append-to-existing, and this also drops a torn
//    tail the old manifest may end with.)
//  - Apply() appends one record per edit. Once the manifest has grown to
//    max_manifest_size (and to twice its opening snapshot, so that a state
//    bigger than the limit is not rewritten by every edit), the next Apply()
//    instead writes a new manifest whose snapshot already includes that
//    edit, switches CURRENT, and deletes the old manifest.
//  - If a manifest write fails, VersionSet cannot know whether the edit is
//    durable (a partial record may sit at the end of the file), so it
//    installs nothing and refuses every later Apply(): reopening decides.
//
// File numbers: NewFileNumber() hands out numbers for delta files from a
// counter persisted in every record. Numbers handed out but not yet named
// by an applied edit may be handed out again after a crash; such files are
// garbage on open. Manifests are numbered on their own: each new manifest
// takes the previous one's number + 1 (a new database starts at 1).
//
// Thread safety: every method is safe to call from any thread. Apply()
// calls are serialized internally (each holds a lock across its manifest
// write and sync); current() and NewFileNumber() never wait for I/O.

#ifndef MESA_SRC_VERSION_VERSION_SET_H_
#define MESA_SRC_VERSION_VERSION_SET_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "mesa/file_system.h"
#include "src/util/mutex.h"
#include "src/version/commit_time_log.h"
#include "src/version/manifest_log.h"
#include "src/version/version.h"
#include "src/version/version_builder.h"
#include "src/version/version_edit.h"

namespace mesa::internal {

struct VersionSetOptions {
  // Where manifests and CURRENT live. Required; must outlive the
  // VersionSet.
  FileSystem* fs = nullptr;
  // The database directory; created if missing. Required.
  std::string dir;
  // Start an empty database when `dir` has no CURRENT; else Open fails
  // with NotFound. Default: true
  bool create_if_missing = true;
  // Rotate to a new manifest once the current one reaches this many bytes
  // (and twice its snapshot). Default: 4 MiB
  uint64_t max_manifest_size = uint64_t{4} << 20;
  // Called once per delta removed by an edit, when no Version refers to it
  // any more (see version.h for where it runs). Default: none (the files
  // stay until garbage collection at the next open).
  ObsoleteDeltaCallback on_obsolete_delta;
};

// What Open() found.
struct RecoveryInfo {
  bool created = false;        // no CURRENT: a new, empty database
  uint64_t old_manifest = 0;   // the manifest replayed (0 if created)
  uint64_t records = 0;        // records replayed
  uint64_t dropped_bytes = 0;  // torn tail dropped from that manifest
};

class VersionSet {
 public:
  // Recovers (or creates) the database in options.dir. DataLoss naming the
  // file and offset if CURRENT or the manifest is damaged beyond a torn
  // last record, or a record does not apply to the state before it;
  // InvalidArgument if the manifest was written by a newer mesa.
  static absl::StatusOr<std::unique_ptr<VersionSet>> Open(
      VersionSetOptions options);

  ~VersionSet();
  VersionSet(const VersionSet&) = delete;
  VersionSet& operator=(const VersionSet&) = delete;

  // The current Version. Holding it pins every delta it names.
  std::shared_ptr<const Version> current() const;

  // Validates `edit` against the current Version (InvalidArgument naming
  // what is wrong; see version_builder.h for the rules), fills in its
  // next_file_number and the created_version of new tables, writes and
  // syncs it, then makes its Version current and marks removed deltas
  // obsolete. Snapshots are VersionSet's own: InvalidArgument.
  //
  // Failures: InvalidArgument (the edit does not fit the state) and
  // FailedPrecondition (an earlier write failed) mean nothing was written,
  // so the files the edit adds may be deleted. Any other error is a
  // manifest write error: nothing is installed and every later call fails
  // with FailedPrecondition, but the record may nevertheless be durable, so
  // the files the edit adds must be KEPT; the next Open decides (garbage
  // collection at open removes them if the edit did not survive).
  absl::Status Apply(VersionEdit edit);

  // A file number never handed out before (by this VersionSet or by any
  // durable edit before it).
  uint64_t NewFileNumber();

  // The file numbers of every delta the current Version names, sorted: at
  // open, before any reader exists, every other delta file in the
  // directory is garbage. (Manifests are VersionSet's: Open deletes stale
  // ones itself.) While readers run, delete files through the
  // ObsoleteDeltaCallback instead.
  std::vector<uint64_t> LiveFileNumbers() const;

  // The newest version committed at or before `unix_micros`, 0 if none
  // (CommitTimeLog::NewestVersionCommittedBy at the current version).
  uint64_t NewestVersionCommittedBy(uint64_t unix_micros) const;
  // When `version` was committed, if it is readable and its time recorded.
  std::optional<uint64_t> CommitTimeOf(uint64_t version) const;
  // The latest recorded commit time (0 if none): the next commit's time
  // must not be below it.
  uint64_t LatestCommitTime() const;

  uint64_t manifest_number() const;
  uint64_t manifest_size() const;
  const RecoveryInfo& recovery_info() const { return recovery_; }

 private:
  explicit VersionSet(VersionSetOptions options);

  absl::Status Recover();
  // Writes `version` (with the recorded commit times of its readable
  // versions, and `new_times` of an edit not yet in the log) as the
  // snapshot of MANIFEST-<number>, switches CURRENT to it and deletes the
  // previous manifest.
  absl::Status StartManifest(const Version& version, uint64_t number,
                             const std::vector<CommitTime>& new_times = {})
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(apply_mu_);
  // Deletes MANIFEST-* files other than the current one, and CURRENT.tmp.
  void DeleteStaleManifests() ABSL_EXCLUSIVE_LOCKS_REQUIRED(apply_mu_);
  // Apply() under the lock. Hands the replaced Version and the removed
  // handles back so that they are released after the lock is dropped.
  absl::Status ApplyLocked(VersionEdit edit,
                           std::shared_ptr<const Version>* replaced,
                           std::vector<DeltaPtr>* removed)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(apply_mu_);

  const VersionSetOptions options_;
  const std::shared_ptr<const ObsoleteDeltaCallback> on_obsolete_;
  RecoveryInfo recovery_;
  std::atomic<uint64_t> next_file_number_{1};

  mutable Mutex apply_mu_;
  std::unique_ptr<ManifestWriter> manifest_ ABSL_GUARDED_BY(apply_mu_);
  // The size of manifest_'s snapshot record: the manifest rotates at
  // max(max_manifest_size, 2 * this).
  uint64_t snapshot_size_ ABSL_GUARDED_BY(apply_mu_) = 0;
  LiveFileMap live_files_ ABSL_GUARDED_BY(apply_mu_);
  absl::Status write_error_ ABSL_GUARDED_BY(apply_mu_);

  // Written under apply_mu_ and times_mu_; read under times_mu_.
  mutable Mutex times_mu_;
  CommitTimeLog commit_times_ ABSL_GUARDED_BY(times_mu_);

  mutable Mutex current_mu_;
  std::shared_ptr<const Version> current_ ABSL_GUARDED_BY(current_mu_);
};

}  // namespace mesa::internal

#endif  // MESA_SRC_VERSION_VERSION_SET_H_
