// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// Grammar of a manifest file (docs/format.md, "Manifest"):
//
//   manifest := record*
//   record   := length u32 | length_check u32 | checksum u64 | payload
//
//   length_check = (u32) XXH3-64(the 4 length bytes)
//   checksum     = XXH3-64(payload)
//
// and of CURRENT: "MANIFEST-<decimal number>\n".

#include "src/version/manifest_log.h"

#include <algorithm>
#include <utility>

#include "fmt/format.h"
#include "src/util/coding.h"
#include "src/util/hash.h"
#include "src/util/status_macros.h"

namespace mesa::internal {
namespace {

constexpr std::string_view kManifestPrefix = "MANIFEST-";

uint32_t LengthCheck(std::string_view length_bytes) {
  return static_cast<uint32_t>(Checksum64(length_bytes));
}

bool AllZero(std::string_view bytes) {
  return std::all_of(bytes.begin(), bytes.end(), [](char c) { return c == 0; });
}

// The basename of a path, for messages.
std::string_view BaseName(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

}  // namespace

std::string ManifestFileName(uint64_t number) {
  return fmt::format("{}{:06d}", kManifestPrefix, number);
}

std::optional<uint64_t> ParseManifestFileName(std::string_view name) {
  if (name.substr(0, kManifestPrefix.size()) != kManifestPrefix) {
    return std::nullopt;
  }
  std::string_view digits = name.substr(kManifestPrefix.size());
  if (digits.empty() || digits.size() > 19) return std::nullopt;
  uint64_t n = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + static_cast<uint64_t>(c - '0');
  }
  if (ManifestFileName(n) != name) return std::nullopt;  // not canonical
  return n;
}

std::string ManifestFilePath(const std::string& dir, uint64_t number) {
  return fmt::format("{}/{}", dir, ManifestFileName(number));
}

std::string EncodeManifestRecord(std::string_view payload) {
  std::string out;
  out.reserve(kManifestRecordHeaderSize + payload.size());
  PutFixed32(&out, static_cast<uint32_t>(payload.size()));
  PutFixed32(&out, LengthCheck(std::string_view(out.data(), 4)));
  PutFixed64(&out, Checksum64(payload));
  out.append(payload);
  return out;
}

// ------------------------------------------------------------ ManifestWriter

ManifestWriter::ManifestWriter(uint64_t number, std::string path,
                               std::unique_ptr<WritableFile> file)
    : number_(number), path_(std::move(path)), file_(std::move(file)) {}

ManifestWriter::~ManifestWriter() {
  if (file_ != nullptr) (void)file_->Close();  // nothing left to lose: synced
}

absl::StatusOr<std::unique_ptr<ManifestWriter>> ManifestWriter::Create(
    FileSystem* fs, const std::string& dir, uint64_t number) {
  std::string path = ManifestFilePath(dir, number);
  MESA_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> file,
                        fs->NewWritableFile(path));
  return std::unique_ptr<ManifestWriter>(
      new ManifestWriter(number, std::move(path), std::move(file)));
}

absl::Status ManifestWriter::AddRecord(std::string_view payload) {
  if (file_ == nullptr) {
    return absl::FailedPreconditionError(
        fmt::format("{}: append after Close", path_));
  }
  if (payload.size() > kMaxManifestRecordSize) {
    return absl::InvalidArgumentError(
        fmt::format("{}: a record of {} bytes exceeds the limit of {}", path_,
                    payload.size(), kMaxManifestRecordSize));
  }
  MESA_RETURN_IF_ERROR(file_->Append(EncodeManifestRecord(payload)));
  return file_->Sync();
}

absl::Status ManifestWriter::Close() {
  if (file_ == nullptr) return absl::OkStatus();
  absl::Status s = file_->Close();
  file_.reset();
  return s;
}

uint64_t ManifestWriter::size() const {
  return file_ == nullptr ? 0 : file_->Size();
}

// ------------------------------------------------------------ reading

absl::StatusOr<ManifestContents> ReadManifest(FileSystem* fs,
                                              const std::string& path) {
  MESA_ASSIGN_OR_RETURN(std::string data, ReadFileToString(fs, path));
  const std::string_view name = BaseName(path);
  ManifestContents out;
  const std::string_view all(data);
  uint64_t pos = 0;
  while (pos < all.size()) {
    const std::string_view rest = all.substr(pos);
    if (rest.size() < kManifestRecordHeaderSize) {
      out.dropped_bytes = rest.size();  // a cut header
      break;
    }
    const uint32_t length = LoadFixed32(rest.data());
    if (LoadFixed32(rest.data() + 4) != LengthCheck(rest.substr(0, 4))) {
      if (AllZero(rest)) {
        out.dropped_bytes = rest.size();
        break;
      }
      return absl::DataLossError(fmt::format(
          "{}: corrupt record header at offset {} (length check mismatch; "
          "{} bytes after it)",
          name, pos, rest.size()));
    }
    if (length > rest.size() - kManifestRecordHeaderSize) {
      out.dropped_bytes = rest.size();  // a cut payload
      break;
    }
    const std::string_view payload =
        rest.substr(kManifestRecordHeaderSize, length);
    const uint64_t record_end = pos + kManifestRecordHeaderSize + length;
    if (LoadFixed64(rest.data() + 8) != Checksum64(payload)) {
      if (record_end == all.size() || AllZero(rest)) {
        out.dropped_bytes = rest.size();  // a damaged last record
        break;
      }
      return absl::DataLossError(fmt::format(
          "{}: record at offset {} ({} bytes) fails its checksum and is "
          "followed by {} more bytes",
          name, pos, length, all.size() - record_end));
    }
    out.records.push_back({pos, std::string(payload)});
    pos = record_end;
    out.valid_size = pos;
  }
  return out;
}

// ------------------------------------------------------------ CURRENT

absl::Status SetCurrentManifest(FileSystem* fs, const std::string& dir,
                                uint64_t number) {
  return WriteFileAtomically(fs, fmt::format("{}/{}", dir, kCurrentFileName),
                             ManifestFileName(number) + "\n");
}

absl::StatusOr<uint64_t> ReadCurrentManifest(FileSystem* fs,
                                             const std::string& dir) {
  const std::string path = fmt::format("{}/{}", dir, kCurrentFileName);
  if (!fs->FileExists(path)) {
    return absl::NotFoundError(fmt::format("{}: no such file", path));
  }
  MESA_ASSIGN_OR_RETURN(std::string contents, ReadFileToString(fs, path));
  std::optional<uint64_t> number;
  if (!contents.empty() && contents.back() == '\n') {
    contents.pop_back();
    number = ParseManifestFileName(contents);
  }
  if (!number.has_value()) {
    return absl::DataLossError(fmt::format(
        "{}: expected \"MANIFEST-<number>\\n\", found {} bytes: \"{}\"", path,
        contents.size(), contents.substr(0, 64)));
  }
  return *number;
}

}  // namespace mesa::internal
