// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// Where mesa's bytes go. Every read and write of a delta file, manifest or
// cache snapshot goes through a FileSystem, so tests can inject faults and a
// remote object store can plug in without touching the format code.
//
// Thread safety: a FileSystem is safe to use from many threads at once. A
// RandomAccessFile is safe for concurrent reads. A WritableFile is used by
// one thread at a time.

#ifndef MESA_FILE_SYSTEM_H_
#define MESA_FILE_SYSTEM_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace mesa {

// A file opened for appending. Bytes are durable only after Sync() returns
// OK; Close() does not sync.
class WritableFile {
 public:
  virtual ~WritableFile() = default;
  virtual absl::Status Append(std::string_view data) = 0;
  // Makes every byte appended so far durable.
  virtual absl::Status Sync() = 0;
  virtual absl::Status Close() = 0;
  // Bytes appended so far.
  virtual uint64_t Size() const = 0;
};

// A file opened for positional reads.
class RandomAccessFile {
 public:
  virtual ~RandomAccessFile() = default;
  // Reads up to `n` bytes at `offset` into `scratch` (which must hold `n`
  // bytes) and returns a view of what was read: shorter than `n` only at
  // the end of the file. The view may point into `scratch` or into memory
  // the file owns, valid while the file is open.
  virtual absl::StatusOr<std::string_view> Read(uint64_t offset, size_t n,
                                                char* scratch) const = 0;
  virtual uint64_t Size() const = 0;
  // The path the file was opened with, for error messages.
  virtual const std::string& path() const = 0;
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;

  // Creates (or truncates) `path` for writing.
  virtual absl::StatusOr<std::unique_ptr<WritableFile>> NewWritableFile(
      const std::string& path) = 0;
  virtual absl::StatusOr<std::unique_ptr<RandomAccessFile>>
  NewRandomAccessFile(const std::string& path) = 0;

  // Atomically replaces `to` with `from`. Durable once SyncDir() of the
  // parent directory returns OK.
  virtual absl::Status RenameFile(const std::string& from,
                                  const std::string& to) = 0;
  virtual absl::Status DeleteFile(const std::string& path) = 0;
  // Creates the directory if it does not exist yet.
  virtual absl::Status CreateDir(const std::string& path) = 0;
  // Makes renames, creations and deletions inside `path` durable.
  virtual absl::Status SyncDir(const std::string& path) = 0;
  // NotFound if the path does not exist.
  virtual absl::StatusOr<uint64_t> GetFileSize(const std::string& path) = 0;
  virtual bool FileExists(const std::string& path) = 0;
  // Names (not paths) of the entries of a directory, in no particular order.
  virtual absl::StatusOr<std::vector<std::string>> GetChildren(
      const std::string& path) = 0;
};

// The process-wide POSIX file system. Never deleted.
FileSystem* DefaultFileSystem();

// A new, empty file system that keeps everything in memory. Unsynced data is
// kept too (it never crashes); tests that need crash semantics wrap it.
std::unique_ptr<FileSystem> NewMemFileSystem();

// Reads a whole file into a string.
absl::StatusOr<std::string> ReadFileToString(FileSystem* fs,
                                             const std::string& path);

// Writes `data` to `path` durably: a temporary file, Sync, rename over
// `path`, SyncDir of the parent directory.
absl::Status WriteFileAtomically(FileSystem* fs, const std::string& path,
                                 std::string_view data);

}  // namespace mesa

#endif  // MESA_FILE_SYSTEM_H_
