// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.

#include <string>

#include "absl/strings/str_cat.h"
#include "mesa/file_system.h"
#include "src/util/status_macros.h"

namespace mesa {

absl::StatusOr<std::string> ReadFileToString(FileSystem* fs,
                                             const std::string& path) {
  MESA_ASSIGN_OR_RETURN(auto file, fs->NewRandomAccessFile(path));
  std::string out(file->Size(), '\0');
  MESA_ASSIGN_OR_RETURN(std::string_view got,
                        file->Read(0, out.size(), out.data()));
  if (got.size() != out.size()) {
    return absl::DataLossError(absl::StrCat(path, ": short read, ", got.size(),
                                            " of ", out.size(), " bytes"));
  }
  if (got.data() != out.data()) out.assign(got);
  return out;
}

absl::Status WriteFileAtomically(FileSystem* fs, const std::string& path,
                                 std::string_view data) {
  std::string tmp = absl::StrCat(path, ".tmp");
  {
    MESA_ASSIGN_OR_RETURN(auto file, fs->NewWritableFile(tmp));
    MESA_RETURN_IF_ERROR(file->Append(data));
    MESA_RETURN_IF_ERROR(file->Sync());
    MESA_RETURN_IF_ERROR(file->Close());
  }
  MESA_RETURN_IF_ERROR(fs->RenameFile(tmp, path));
  size_t slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "." : path.substr(0, slash);
  if (dir.empty()) dir = "/";
  return fs->SyncDir(dir);
}

}  // namespace mesa
