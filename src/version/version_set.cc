// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.

#include "src/version/version_set.h"

#include <algorithm>
#include <utility>

#include "fmt/format.h"
#include "src/util/status_macros.h"

namespace mesa::internal {

VersionSet::VersionSet(VersionSetOptions options)
    : options_(std::move(options)),
      on_obsolete_(options_.on_obsolete_delta
                       ? std::make_shared<const ObsoleteDeltaCallback>(
                             options_.on_obsolete_delta)
                       : nullptr),
      current_(std::make_shared<const Version>()) {}

VersionSet::~VersionSet() {
  MutexLock l(&apply_mu_);
  if (manifest_ != nullptr) {
    // Every record is synced already; a failed close loses nothing.
    (void)manifest_->Close();
  }
}

absl::StatusOr<std::unique_ptr<VersionSet>> VersionSet::Open(
    VersionSetOptions options) {
  if (options.fs == nullptr || options.dir.empty()) {
    return absl::InvalidArgumentError(
        "VersionSetOptions needs a file system and a directory");
  }
  std::unique_ptr<VersionSet> set(new VersionSet(std::move(options)));
  MESA_RETURN_IF_ERROR(set->Recover());
  return set;
}

absl::Status VersionSet::Recover() {
  FileSystem* fs = options_.fs;
  const std::string& dir = options_.dir;
  MESA_RETURN_IF_ERROR(fs->CreateDir(dir));

  auto state = std::make_shared<const Version>();
  LiveFileMap live_files;
  CommitTimeLog times;
  uint64_t next_file = 1;

  absl::StatusOr<uint64_t> number = ReadCurrentManifest(fs, dir);
  if (absl::IsNotFound(number.status())) {
    if (!options_.create_if_missing) {
      return absl::NotFoundError(fmt::format(
          "{}: no database here (no {} file)", dir, kCurrentFileName));
    }
    recovery_.created = true;
  } else if (!number.ok()) {
    return number.status();
  } else {
    recovery_.old_manifest = *number;
    const std::string name = ManifestFileName(*number);
    if (*number >= kMaxFileNumber) {
      return absl::DataLossError(
          fmt::format("{}/{} names {}: manifest numbers stop at {}", dir,
                      kCurrentFileName, name, kMaxFileNumber));
    }
    if (!fs->FileExists(ManifestFilePath(dir, *number))) {
      return absl::DataLossError(fmt::format(
          "{}/{} names {}, which does not exist", dir, kCurrentFileName, name));
    }
    MESA_ASSIGN_OR_RETURN(ManifestContents contents,
                          ReadManifest(fs, ManifestFilePath(dir, *number)));
    recovery_.dropped_bytes = contents.dropped_bytes;
    if (contents.records.empty()) {
      return absl::DataLossError(
          fmt::format("{}: no intact record (a manifest starts with a "
                      "snapshot); {} bytes dropped",
                      name, contents.dropped_bytes));
    }
    for (size_t i = 0; i < contents.records.size(); ++i) {
      const ManifestRecord& record = contents.records[i];
      // Every failure is corruption, except a snapshot of a newer format.
      auto fail = [&](const absl::Status& s, bool keep_code = false) {
        return absl::Status(
            keep_code ? s.code() : absl::StatusCode::kDataLoss,
            fmt::format("{}: record {} at offset {}: {}", name, i,
                        record.offset, std::string(s.message())));
      };
      absl::StatusOr<VersionEdit> edit = VersionEdit::Decode(record.payload);
      if (!edit.ok()) {
        return fail(edit.status(), absl::IsInvalidArgument(edit.status()));
      }
      if (edit->snapshot != (i == 0)) {
        return fail(
            absl::DataLossError(i == 0 ? "the first record is not a snapshot"
                                       : "a snapshot after the first record"));
      }
      absl::StatusOr<AppliedEdit> applied =
          ApplyEdit(*state, live_files, *edit, on_obsolete_);
      if (!applied.ok()) return fail(applied.status());
      if (absl::Status s = times.Check(*edit); !s.ok()) return fail(s);
      times.Apply(*edit, applied->version->oldest_version());
      UpdateLiveFiles(*applied, &live_files);
      state = std::move(applied->version);
      next_file = std::max(next_file, edit->next_file_number.value_or(0));
    }
    recovery_.records = contents.records.size();
    for (const auto& [file, table] : live_files) {
      next_file = std::max(next_file, file + 1);
    }
  }
  next_file_number_.store(next_file);

  MutexLock l(&apply_mu_);
  live_files_ = std::move(live_files);
  {
    MutexLock t(&times_mu_);
    commit_times_ = std::move(times);
  }
  {
    MutexLock c(&current_mu_);
    current_ = state;
  }
  MESA_RETURN_IF_ERROR(StartManifest(*state, recovery_.old_manifest + 1));
  DeleteStaleManifests();
  return absl::OkStatus();
}

absl::Status VersionSet::StartManifest(
    const Version& version, uint64_t number,
    const std::vector<CommitTime>& new_times) {
  VersionEdit snapshot = version.ToSnapshotEdit();
  snapshot.next_file_number = next_file_number_.load();
  {
    MutexLock t(&times_mu_);
    snapshot.commit_times =
        commit_times_.Range(version.oldest_version(), version.version());
  }
  for (const CommitTime& t : new_times) {
    if (t.version >= version.oldest_version()) {
      snapshot.commit_times.push_back(t);
    }
  }
  MESA_ASSIGN_OR_RETURN(
      std::unique_ptr<ManifestWriter> writer,
      ManifestWriter::Create(options_.fs, options_.dir, number));
  MESA_RETURN_IF_ERROR(writer->AddRecord(snapshot.Encode()));
  MESA_RETURN_IF_ERROR(SetCurrentManifest(options_.fs, options_.dir, number));
  // The new manifest is live: the old one is garbage. A failed delete only
  // leaves a file that the next Open deletes.
  std::unique_ptr<ManifestWriter> old = std::move(manifest_);
  manifest_ = std::move(writer);
  snapshot_size_ = manifest_->size();
  if (old != nullptr) {
    (void)old->Close();
    (void)options_.fs->DeleteFile(old->path());
  }
  return absl::OkStatus();
}

void VersionSet::DeleteStaleManifests() {
  absl::StatusOr<std::vector<std::string>> children =
      options_.fs->GetChildren(options_.dir);
  if (!children.ok()) return;  // garbage only: the next Open retries
  for (const std::string& name : *children) {
    std::optional<uint64_t> n = ParseManifestFileName(name);
    const bool stale = (n.has_value() && *n != manifest_->number()) ||
                       name == std::string(kCurrentFileName) + ".tmp";
    if (stale) {
      (void)options_.fs->DeleteFile(fmt::format("{}/{}", options_.dir, name));
    }
  }
}

std::shared_ptr<const Version> VersionSet::current() const {
  MutexLock l(&current_mu_);
  return current_;
}

absl::Status VersionSet::Apply(VersionEdit edit) {
  std::shared_ptr<const Version> replaced;
  std::vector<DeltaPtr> removed;
  absl::Status s;
  {
    MutexLock l(&apply_mu_);
    s = ApplyLocked(std::move(edit), &replaced, &removed);
  }
  // `replaced` and `removed` are released here, with no lock held: if they
  // held the last references to obsolete deltas, the callback runs now.
  return s;
}

absl::Status VersionSet::ApplyLocked(VersionEdit edit,
                                     std::shared_ptr<const Version>* replaced,
                                     std::vector<DeltaPtr>* removed) {
  if (!write_error_.ok()) {
    return absl::FailedPreconditionError(fmt::format(
        "the manifest is not written any more after an earlier write error "
        "({}); reopen the database",
        write_error_.ToString()));
  }
  if (edit.snapshot) {
    return absl::InvalidArgumentError(
        "a snapshot edit is written by VersionSet only");
  }
  std::shared_ptr<const Version> base = current();
  const uint64_t created_at = edit.version.value_or(base->version());
  for (TableInfo& t : edit.created_tables) {
    t.created_version = created_at;
    // A rollup created ready is ready from its creation.
    if (t.ready_version.has_value()) t.ready_version = created_at;
  }
  edit.next_file_number = next_file_number_.load();

  MESA_ASSIGN_OR_RETURN(AppliedEdit applied,
                        ApplyEdit(*base, live_files_, edit, on_obsolete_));
  {
    MutexLock t(&times_mu_);
    MESA_RETURN_IF_ERROR(commit_times_.Check(edit));
  }

  const bool rotate = manifest_->size() >=
                      std::max(options_.max_manifest_size, 2 * snapshot_size_);
  absl::Status s =
      rotate ? StartManifest(*applied.version, manifest_->number() + 1,
                             edit.commit_times)
             : manifest_->AddRecord(edit.Encode());
  if (!s.ok()) {
    write_error_ = s;
    return s;
  }
  UpdateLiveFiles(applied, &live_files_);
  {
    MutexLock t(&times_mu_);
    commit_times_.Apply(edit, applied.version->oldest_version());
  }
  for (const DeltaPtr& d : applied.removed) d->MarkObsolete();
  *removed = std::move(applied.removed);
  {
    MutexLock l(&current_mu_);
    *replaced = std::move(current_);
    current_ = std::move(applied.version);
  }
  return absl::OkStatus();
}

uint64_t VersionSet::NewFileNumber() { return next_file_number_.fetch_add(1); }

std::vector<uint64_t> VersionSet::LiveFileNumbers() const {
  return current()->DeltaFileNumbers();
}

uint64_t VersionSet::NewestVersionCommittedBy(uint64_t unix_micros) const {
  const uint64_t latest = current()->version();
  MutexLock t(&times_mu_);
  return std::min(latest,
                  commit_times_.NewestVersionCommittedBy(unix_micros, latest));
}

std::optional<uint64_t> VersionSet::CommitTimeOf(uint64_t version) const {
  MutexLock t(&times_mu_);
  return commit_times_.TimeOf(version);
}

uint64_t VersionSet::LatestCommitTime() const {
  MutexLock t(&times_mu_);
  return commit_times_.latest_time();
}

uint64_t VersionSet::manifest_number() const {
  MutexLock l(&apply_mu_);
  return manifest_ == nullptr ? 0 : manifest_->number();
}

uint64_t VersionSet::manifest_size() const {
  MutexLock l(&apply_mu_);
  return manifest_ == nullptr ? 0 : manifest_->size();
}

}  // namespace mesa::internal
