// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// An in-memory FileSystem. Files are shared, immutable-once-read snapshots:
// a RandomAccessFile keeps the contents it was opened with alive even if the
// file is deleted or replaced, as an open POSIX file descriptor does.

#include <map>
#include <memory>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "mesa/file_system.h"
#include "src/util/mutex.h"

namespace mesa {
namespace {

using internal::Mutex;
using internal::MutexLock;

using Contents = std::shared_ptr<std::string>;

class MemFileSystem;

class MemWritableFile final : public WritableFile {
 public:
  MemWritableFile(MemFileSystem* fs, std::string path)
      : fs_(fs), path_(std::move(path)) {}
  absl::Status Append(std::string_view data) override;
  absl::Status Sync() override { return absl::OkStatus(); }
  absl::Status Close() override { return absl::OkStatus(); }
  uint64_t Size() const override { return size_; }

 private:
  MemFileSystem* fs_;
  std::string path_;
  uint64_t size_ = 0;
};

class MemRandomAccessFile final : public RandomAccessFile {
 public:
  MemRandomAccessFile(std::string path, Contents data)
      : path_(std::move(path)), data_(std::move(data)) {}
  absl::StatusOr<std::string_view> Read(uint64_t offset, size_t n,
                                        char*) const override {
    if (offset >= data_->size()) return std::string_view();
    size_t avail = data_->size() - static_cast<size_t>(offset);
    return std::string_view(data_->data() + offset, std::min(n, avail));
  }
  uint64_t Size() const override { return data_->size(); }
  const std::string& path() const override { return path_; }

 private:
  std::string path_;
  Contents data_;
};

class MemFileSystem final : public FileSystem {
 public:
  absl::StatusOr<std::unique_ptr<WritableFile>> NewWritableFile(
      const std::string& path) override {
    MutexLock lock(&mu_);
    files_[path] = std::make_shared<std::string>();
    return std::make_unique<MemWritableFile>(this, path);
  }

  absl::StatusOr<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(
      const std::string& path) override {
    MutexLock lock(&mu_);
    auto it = files_.find(path);
    if (it == files_.end()) return NotFound(path);
    // Readers get a snapshot: later appends copy-on-write (see Append).
    return std::make_unique<MemRandomAccessFile>(path, it->second);
  }

  absl::Status RenameFile(const std::string& from,
                          const std::string& to) override {
    MutexLock lock(&mu_);
    auto it = files_.find(from);
    if (it == files_.end()) return NotFound(from);
    Contents c = it->second;
    files_.erase(it);
    files_[to] = std::move(c);
    return absl::OkStatus();
  }

  absl::Status DeleteFile(const std::string& path) override {
    MutexLock lock(&mu_);
    if (files_.erase(path) == 0) return NotFound(path);
    return absl::OkStatus();
  }

  absl::Status CreateDir(const std::string& path) override {
    MutexLock lock(&mu_);
    dirs_.insert({path, true});
    return absl::OkStatus();
  }

  absl::Status SyncDir(const std::string&) override {
    return absl::OkStatus();
  }

  absl::StatusOr<uint64_t> GetFileSize(const std::string& path) override {
    MutexLock lock(&mu_);
    auto it = files_.find(path);
    if (it == files_.end()) return NotFound(path);
    return it->second->size();
  }

  bool FileExists(const std::string& path) override {
    MutexLock lock(&mu_);
    return files_.count(path) > 0 || dirs_.count(path) > 0;
  }

  absl::StatusOr<std::vector<std::string>> GetChildren(
      const std::string& path) override {
    MutexLock lock(&mu_);
    if (dirs_.count(path) == 0) return NotFound(path);
    std::string prefix = path;
    if (!absl::EndsWith(prefix, "/")) prefix += "/";
    std::vector<std::string> names;
    for (const auto& [name, unused] : files_) {
      if (absl::StartsWith(name, prefix) &&
          name.find('/', prefix.size()) == std::string::npos) {
        names.push_back(name.substr(prefix.size()));
      }
    }
    return names;
  }

  absl::Status AppendTo(const std::string& path, std::string_view data) {
    MutexLock lock(&mu_);
    auto it = files_.find(path);
    if (it == files_.end()) {
      return absl::NotFoundError(
          absl::StrCat("append to deleted or renamed file ", path));
    }
    // Copy on write when a reader holds the current contents.
    if (it->second.use_count() > 1) {
      it->second = std::make_shared<std::string>(*it->second);
    }
    it->second->append(data);
    return absl::OkStatus();
  }

 private:
  static absl::Status NotFound(const std::string& path) {
    return absl::NotFoundError(absl::StrCat(path, ": no such file"));
  }

  Mutex mu_;
  std::map<std::string, Contents> files_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, bool> dirs_ ABSL_GUARDED_BY(mu_);
};

absl::Status MemWritableFile::Append(std::string_view data) {
  size_ += data.size();
  return fs_->AppendTo(path_, data);
}

}  // namespace

std::unique_ptr<FileSystem> NewMemFileSystem() {
  return std::make_unique<MemFileSystem>();
}

}  // namespace mesa
