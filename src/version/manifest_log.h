// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// The manifest log: an append-only file `MANIFEST-<number>` in the database
// directory holding checksummed records, and the file `CURRENT` that names
// the live manifest. The byte format is in docs/format.md, "Manifest":
//
//   record := length u32 | length_check u32 | checksum u64 | payload
//   length_check = the low 32 bits of XXH3-64 of the 4 length bytes
//   checksum     = XXH3-64 of the payload (length bytes)
//
// The length has its own check so that a damaged length is never taken for
// a record that runs past the end of the file (which would silently drop
// every later record as a "torn tail").
//
// This layer frames bytes; it does not know what a payload means (VersionSet
// stores one encoded VersionEdit per record).
//
// Crash model: AddRecord() returns only once the record is synced, so a
// crash leaves every acknowledged record intact and at most a prefix of the
// one being appended. ReadManifest() therefore drops a torn *last* record
// and keeps everything before it; damage that a cut cannot explain is
// DataLoss.
//
// Thread safety: a ManifestWriter is used by one thread at a time; the free
// functions are thread-compatible (they touch only the files they name).

#ifndef MESA_SRC_VERSION_MANIFEST_LOG_H_
#define MESA_SRC_VERSION_MANIFEST_LOG_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "mesa/file_system.h"

namespace mesa::internal {

inline constexpr char kCurrentFileName[] = "CURRENT";
// Bytes of a record before its payload: length, length_check, checksum.
inline constexpr size_t kManifestRecordHeaderSize = 16;
// The largest payload a record may hold.
inline constexpr size_t kMaxManifestRecordSize = size_t{1} << 30;

// "MANIFEST-000042" (at least six digits).
std::string ManifestFileName(uint64_t number);
// The number of a file named by ManifestFileName(), or nullopt for any
// other name.
std::optional<uint64_t> ParseManifestFileName(std::string_view name);
// `dir`/MANIFEST-<number>.
std::string ManifestFilePath(const std::string& dir, uint64_t number);

// The framed bytes of one record.
std::string EncodeManifestRecord(std::string_view payload);

// Appends records to a new manifest file.
class ManifestWriter {
 public:
  // Creates (truncating) `dir`/MANIFEST-<number>. The new name becomes
  // durable with the directory's next SyncDir (SetCurrentManifest does one).
  static absl::StatusOr<std::unique_ptr<ManifestWriter>> Create(
      FileSystem* fs, const std::string& dir, uint64_t number);

  ~ManifestWriter();
  ManifestWriter(const ManifestWriter&) = delete;
  ManifestWriter& operator=(const ManifestWriter&) = delete;

  // Appends one record and syncs the file. After a failure the file may end
  // in a partial record: the caller must not append again (VersionSet
  // stops writing until the database is reopened).
  absl::Status AddRecord(std::string_view payload);
  absl::Status Close();

  uint64_t number() const { return number_; }
  const std::string& path() const { return path_; }
  // Bytes appended so far.
  uint64_t size() const;

 private:
  ManifestWriter(uint64_t number, std::string path,
                 std::unique_ptr<WritableFile> file);

  const uint64_t number_;
  const std::string path_;
  std::unique_ptr<WritableFile> file_;
};

struct ManifestRecord {
  uint64_t offset = 0;  // of the record's header in the file
  std::string payload;
};

struct ManifestContents {
  std::vector<ManifestRecord> records;  // every intact record, in order
  // The end of the last intact record: where a continuing log would append.
  uint64_t valid_size = 0;
  // Bytes after valid_size that were dropped as a torn last record (or a
  // tail of zero bytes); 0 if the file ends with an intact record.
  uint64_t dropped_bytes = 0;
};

// Reads every record of the manifest at `path`. Dropped, and reported in
// `dropped_bytes`: a last record the file ends inside (its header cut, or
// its intact length reaching past the end), a last record whose payload
// fails its checksum and ends exactly at the end of the file, and a tail of
// zero bytes. DataLoss naming the file and offset: a length that fails its
// length_check (unless all zeros from there on), and a payload that fails
// its checksum with more bytes after it.
absl::StatusOr<ManifestContents> ReadManifest(FileSystem* fs,
                                              const std::string& path);

// Makes CURRENT name MANIFEST-<number>, durably (WriteFileAtomically: a
// temporary file, sync, rename, SyncDir of `dir`).
absl::Status SetCurrentManifest(FileSystem* fs, const std::string& dir,
                                uint64_t number);
// The manifest number CURRENT names: NotFound if there is no CURRENT,
// DataLoss if its contents are not "MANIFEST-<number>\n".
absl::StatusOr<uint64_t> ReadCurrentManifest(FileSystem* fs,
                                             const std::string& dir);

}  // namespace mesa::internal

#endif  // MESA_SRC_VERSION_MANIFEST_LOG_H_
