// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// A FileSystem wrapper for tests that injects I/O errors and simulates
// crashes, after LevelDB's and RocksDB's fault-injection environments.
//
// Faults. Every mutating call is counted, in call order, from 1:
// NewWritableFile, WritableFile::Append, Sync and Close, RenameFile,
// DeleteFile, CreateDir and SyncDir. FailMutation(n) makes call number n
// fail with InternalError("injected fault at op n: <op> <path>") without
// touching the wrapped file system; with `sticky`, every later mutating
// call fails too (the disk is gone). Reads are never counted nor failed.
//
// Crashes. DropUnsyncedData() makes the wrapped file system look as it
// would after a power cut, under this model of a POSIX file system:
//  - File contents: a file keeps the bytes appended before its last
//    successful Sync() and loses the rest.
//  - Directory entries: creating a file (NewWritableFile), renaming one
//    (RenameFile, including replacing the target) and deleting one
//    (DeleteFile) change the directory; the change is durable once SyncDir
//    of that directory succeeds afterwards. A crash reverts every entry of
//    every directory to its state at that directory's last SyncDir: new
//    files vanish, renamed files go back to their old names (and a replaced
//    target comes back), deleted files come back. A file that comes back
//    has the bytes that were synced when its name went away.
//  - Files that existed in the wrapped file system before the wrapper first
//    touched them are taken to be durable and fully synced.
//  - Directories: CreateDir is counted and can fail, but a created
//    directory survives every crash (the FileSystem interface cannot remove
//    one). Renaming directories is not supported.
//  - Not modelled: torn or reordered writes within the synced prefix, lost
//    syncs of data appended to a file after its name went away (such data
//    is lost in a crash: a conservative error), and changes made to the
//    wrapped file system behind the wrapper's back.
// After DropUnsyncedData() every WritableFile opened before it fails with
// FailedPrecondition (its process died); injected faults stay armed.
//
// A crash test usually does: arm FailMutation(mutation_count() + n, true);
// run the workload until it fails; close everything; DropUnsyncedData();
// ClearFaults(); reopen and check; for n = 1, 2, ... until the workload
// completes without reaching op n.
//
// Thread safety: as any FileSystem; the fault and crash controls may be
// called from any thread. Mutating calls are serialized.

#ifndef MESA_TESTS_TESTING_FAULT_INJECTION_FS_H_
#define MESA_TESTS_TESTING_FAULT_INJECTION_FS_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "mesa/file_system.h"
#include "src/util/mutex.h"

namespace mesa::testing {

class FaultInjectionFileSystem final : public FileSystem {
 public:
  // Wraps `base`, which must outlive this object.
  explicit FaultInjectionFileSystem(FileSystem* base);
  // Wraps and owns `base`.
  explicit FaultInjectionFileSystem(std::unique_ptr<FileSystem> base);
  ~FaultInjectionFileSystem() override;

  FileSystem* base() const { return base_; }

  // ----------------------------------------------------------- faults

  // Mutating calls made so far (failed ones included).
  uint64_t mutation_count() const;
  // Makes mutating call number `op` fail (numbered from 1 over the life of
  // this object), and with `sticky` every later one too. Replaces any
  // earlier arming. `op` 0 disarms.
  void FailMutation(uint64_t op, bool sticky = false);
  // Disarms: later calls succeed (if the wrapped file system lets them).
  void ClearFaults() { FailMutation(0, false); }
  // How many calls failed by injection so far.
  uint64_t faults_injected() const;

  // ----------------------------------------------------------- crashes

  // Simulates a crash and restart: see the model above. Fails only if the
  // wrapped file system does.
  absl::Status DropUnsyncedData();

  // ----------------------------------------------------------- FileSystem

  absl::StatusOr<std::unique_ptr<WritableFile>> NewWritableFile(
      const std::string& path) override;
  absl::StatusOr<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(
      const std::string& path) override;
  absl::Status RenameFile(const std::string& from,
                          const std::string& to) override;
  absl::Status DeleteFile(const std::string& path) override;
  absl::Status CreateDir(const std::string& path) override;
  absl::Status SyncDir(const std::string& path) override;
  absl::StatusOr<uint64_t> GetFileSize(const std::string& path) override;
  bool FileExists(const std::string& path) override;
  absl::StatusOr<std::vector<std::string>> GetChildren(
      const std::string& path) override;

 private:
  class File;
  struct Inode;
  using InodePtr = std::shared_ptr<Inode>;

  // Counts one mutating call; the injected fault if it is armed for it.
  absl::Status CountMutation(std::string_view op, std::string_view path)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The file now named `path`: tracked already, or found in the wrapped
  // file system (then taken to be durable). Null if there is none.
  InodePtr Track(const std::string& path) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Before `node` loses its name: keeps its synced bytes if a crash could
  // bring the name back.
  absl::Status PreserveIfDurable(const InodePtr& node)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // `node` lost its name.
  void Unlink(const InodePtr& node) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void SetDurable(const std::string& path, InodePtr node)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void EraseDurable(std::map<std::string, InodePtr>::iterator it)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::StatusOr<std::string> ReadSynced(const Inode& node)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // Called by File.
  absl::Status FileAppend(File* file, std::string_view data);
  absl::Status FileSync(File* file);
  absl::Status FileClose(File* file);

  std::unique_ptr<FileSystem> owned_base_;
  FileSystem* const base_;

  mutable internal::Mutex mu_;
  uint64_t mutations_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t fail_at_ ABSL_GUARDED_BY(mu_) = 0;  // 0: no fault armed
  bool sticky_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t faults_injected_ ABSL_GUARDED_BY(mu_) = 0;
  // Bumped by each crash; files of an older generation are dead.
  uint64_t generation_ ABSL_GUARDED_BY(mu_) = 0;
  // The files the wrapper knows of, by their current name. A path absent
  // here (and from durable_) is as the wrapped file system has it: durable.
  std::map<std::string, InodePtr> live_ ABSL_GUARDED_BY(mu_);
  // What a crash now would leave, by name: each directory's entries as of
  // its last SyncDir.
  std::map<std::string, InodePtr> durable_ ABSL_GUARDED_BY(mu_);
};

}  // namespace mesa::testing

#endif  // MESA_TESTS_TESTING_FAULT_INJECTION_FS_H_
