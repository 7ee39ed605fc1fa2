// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// The bookkeeping behind fault_injection_fs.h. Each file the wrapper knows
// of is an Inode: how many bytes were appended, how many of them were
// synced, and under which name it lives now (if any). Two maps from names
// to inodes describe the namespace: live_ as it is now, durable_ as a crash
// would leave it. SyncDir(d) copies live_'s entries of d into durable_; a
// crash rebuilds the wrapped file system from durable_.

#include "tests/testing/fault_injection_fs.h"

#include <set>
#include <utility>

#include "fmt/format.h"

namespace mesa::testing {

using internal::MutexLock;

namespace {

// The directory a path's entry lives in, computed as WriteFileAtomically
// does.
std::string Parent(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string NormalizeDir(std::string dir) {
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  return dir;
}

}  // namespace

struct FaultInjectionFileSystem::Inode {
  uint64_t size = 0;    // bytes appended (or found, for a pre-existing file)
  uint64_t synced = 0;  // bytes made durable by Sync
  std::string live_path;  // empty once no name refers to it
  int durable_links = 0;  // entries of durable_ that name it
  // Its synced bytes, kept when it lost its name while a crash could bring
  // the name back.
  std::unique_ptr<std::string> preserved;
};

class FaultInjectionFileSystem::File final : public WritableFile {
 public:
  File(FaultInjectionFileSystem* fs, InodePtr node,
       std::unique_ptr<WritableFile> base, uint64_t generation,
       std::string path)
      : fs_(fs),
        node_(std::move(node)),
        base_(std::move(base)),
        generation_(generation),
        path_(std::move(path)) {}

  absl::Status Append(std::string_view data) override {
    return fs_->FileAppend(this, data);
  }
  absl::Status Sync() override { return fs_->FileSync(this); }
  absl::Status Close() override { return fs_->FileClose(this); }
  uint64_t Size() const override { return base_->Size(); }

 private:
  friend class FaultInjectionFileSystem;
  FaultInjectionFileSystem* const fs_;
  const InodePtr node_;
  const std::unique_ptr<WritableFile> base_;
  const uint64_t generation_;
  const std::string path_;  // the name it was created with, for messages
};

FaultInjectionFileSystem::FaultInjectionFileSystem(FileSystem* base)
    : base_(base) {}

FaultInjectionFileSystem::FaultInjectionFileSystem(
    std::unique_ptr<FileSystem> base)
    : owned_base_(std::move(base)), base_(owned_base_.get()) {}

FaultInjectionFileSystem::~FaultInjectionFileSystem() = default;

// ------------------------------------------------------------- faults

uint64_t FaultInjectionFileSystem::mutation_count() const {
  MutexLock lock(&mu_);
  return mutations_;
}

void FaultInjectionFileSystem::FailMutation(uint64_t op, bool sticky) {
  MutexLock lock(&mu_);
  fail_at_ = op;
  sticky_ = sticky;
}

uint64_t FaultInjectionFileSystem::faults_injected() const {
  MutexLock lock(&mu_);
  return faults_injected_;
}

absl::Status FaultInjectionFileSystem::CountMutation(std::string_view op,
                                                     std::string_view path) {
  const uint64_t n = ++mutations_;
  if (fail_at_ != 0 && (n == fail_at_ || (sticky_ && n > fail_at_))) {
    ++faults_injected_;
    return absl::InternalError(
        fmt::format("injected fault at op {}: {} {}", n, op, path));
  }
  return absl::OkStatus();
}

// ------------------------------------------------------------- bookkeeping

FaultInjectionFileSystem::InodePtr FaultInjectionFileSystem::Track(
    const std::string& path) {
  if (auto it = live_.find(path); it != live_.end()) return it->second;
  // Known but gone: deleted or renamed away through this wrapper.
  if (durable_.count(path) > 0) return nullptr;
  absl::StatusOr<uint64_t> size = base_->GetFileSize(path);
  if (!size.ok()) return nullptr;
  auto node = std::make_shared<Inode>();
  node->size = node->synced = *size;
  node->live_path = path;
  live_[path] = node;
  SetDurable(path, node);
  return node;
}

absl::StatusOr<std::string> FaultInjectionFileSystem::ReadSynced(
    const Inode& node) {
  if (node.live_path.empty()) {
    if (node.preserved == nullptr) {
      return absl::InternalError(
          "fault injection: a durable file has neither a name nor kept bytes");
    }
    return *node.preserved;
  }
  std::string data(node.synced, '\0');
  if (node.synced == 0) return data;
  auto file = base_->NewRandomAccessFile(node.live_path);
  if (!file.ok()) return file.status();
  absl::StatusOr<std::string_view> got =
      (*file)->Read(0, data.size(), data.data());
  if (!got.ok()) return got.status();
  if (got->size() != data.size()) {
    return absl::InternalError(fmt::format(
        "fault injection: {} has {} bytes, fewer than the {} synced",
        node.live_path, got->size(), data.size()));
  }
  if (got->data() != data.data()) data.assign(*got);
  return data;
}

absl::Status FaultInjectionFileSystem::PreserveIfDurable(
    const InodePtr& node) {
  if (node->durable_links == 0 || node->preserved != nullptr) {
    return absl::OkStatus();
  }
  absl::StatusOr<std::string> data = ReadSynced(*node);
  if (!data.ok()) return data.status();
  node->preserved = std::make_unique<std::string>(*std::move(data));
  return absl::OkStatus();
}

void FaultInjectionFileSystem::Unlink(const InodePtr& node) {
  live_.erase(node->live_path);
  node->live_path.clear();
}

void FaultInjectionFileSystem::SetDurable(const std::string& path,
                                          InodePtr node) {
  if (auto it = durable_.find(path); it != durable_.end()) EraseDurable(it);
  ++node->durable_links;
  durable_.emplace(path, std::move(node));
}

void FaultInjectionFileSystem::EraseDurable(
    std::map<std::string, InodePtr>::iterator it) {
  Inode& node = *it->second;
  if (--node.durable_links == 0) node.preserved.reset();
  durable_.erase(it);
}

// ------------------------------------------------------------- mutations

absl::StatusOr<std::unique_ptr<WritableFile>>
FaultInjectionFileSystem::NewWritableFile(const std::string& path) {
  MutexLock lock(&mu_);
  if (auto s = CountMutation("NewWritableFile", path); !s.ok()) return s;
  InodePtr old = Track(path);
  if (old != nullptr) {
    if (auto s = PreserveIfDurable(old); !s.ok()) return s;
  }
  absl::StatusOr<std::unique_ptr<WritableFile>> base =
      base_->NewWritableFile(path);
  if (!base.ok()) return base.status();
  if (old != nullptr) Unlink(old);
  auto node = std::make_shared<Inode>();
  node->live_path = path;
  live_[path] = node;
  return std::make_unique<File>(this, std::move(node), *std::move(base),
                                generation_, path);
}

absl::Status FaultInjectionFileSystem::FileAppend(File* file,
                                                  std::string_view data) {
  MutexLock lock(&mu_);
  if (file->generation_ != generation_) {
    return absl::FailedPreconditionError(fmt::format(
        "append to {}, a file opened before a simulated crash", file->path_));
  }
  if (auto s = CountMutation("Append", file->path_); !s.ok()) return s;
  absl::Status s = file->base_->Append(data);
  if (s.ok()) file->node_->size += data.size();
  return s;
}

absl::Status FaultInjectionFileSystem::FileSync(File* file) {
  MutexLock lock(&mu_);
  if (file->generation_ != generation_) {
    return absl::FailedPreconditionError(fmt::format(
        "sync of {}, a file opened before a simulated crash", file->path_));
  }
  if (auto s = CountMutation("Sync", file->path_); !s.ok()) return s;
  absl::Status s = file->base_->Sync();
  if (s.ok()) file->node_->synced = file->node_->size;
  return s;
}

absl::Status FaultInjectionFileSystem::FileClose(File* file) {
  MutexLock lock(&mu_);
  if (file->generation_ != generation_) {
    return absl::FailedPreconditionError(fmt::format(
        "close of {}, a file opened before a simulated crash", file->path_));
  }
  if (auto s = CountMutation("Close", file->path_); !s.ok()) return s;
  return file->base_->Close();
}

absl::Status FaultInjectionFileSystem::RenameFile(const std::string& from,
                                                  const std::string& to) {
  MutexLock lock(&mu_);
  if (auto s = CountMutation("RenameFile", fmt::format("{} -> {}", from, to));
      !s.ok()) {
    return s;
  }
  InodePtr src = Track(from);
  if (src == nullptr || from == to) {
    // Missing source (let the wrapped file system say so), or a no-op.
    return base_->RenameFile(from, to);
  }
  InodePtr dst = Track(to);
  if (dst != nullptr) {
    if (auto s = PreserveIfDurable(dst); !s.ok()) return s;
  }
  if (auto s = base_->RenameFile(from, to); !s.ok()) return s;
  if (dst != nullptr) Unlink(dst);
  live_.erase(from);
  src->live_path = to;
  live_[to] = src;
  return absl::OkStatus();
}

absl::Status FaultInjectionFileSystem::DeleteFile(const std::string& path) {
  MutexLock lock(&mu_);
  if (auto s = CountMutation("DeleteFile", path); !s.ok()) return s;
  InodePtr node = Track(path);
  if (node == nullptr) return base_->DeleteFile(path);
  if (auto s = PreserveIfDurable(node); !s.ok()) return s;
  if (auto s = base_->DeleteFile(path); !s.ok()) return s;
  Unlink(node);
  return absl::OkStatus();
}

absl::Status FaultInjectionFileSystem::CreateDir(const std::string& path) {
  MutexLock lock(&mu_);
  if (auto s = CountMutation("CreateDir", path); !s.ok()) return s;
  return base_->CreateDir(path);
}

absl::Status FaultInjectionFileSystem::SyncDir(const std::string& path) {
  MutexLock lock(&mu_);
  if (auto s = CountMutation("SyncDir", path); !s.ok()) return s;
  if (auto s = base_->SyncDir(path); !s.ok()) return s;
  const std::string dir = NormalizeDir(path);
  for (auto it = durable_.begin(); it != durable_.end();) {
    auto next = std::next(it);
    if (Parent(it->first) == dir) EraseDurable(it);
    it = next;
  }
  for (const auto& [name, node] : live_) {
    if (Parent(name) == dir) SetDurable(name, node);
  }
  return absl::OkStatus();
}

// ------------------------------------------------------------- reads

absl::StatusOr<std::unique_ptr<RandomAccessFile>>
FaultInjectionFileSystem::NewRandomAccessFile(const std::string& path) {
  return base_->NewRandomAccessFile(path);
}

absl::StatusOr<uint64_t> FaultInjectionFileSystem::GetFileSize(
    const std::string& path) {
  return base_->GetFileSize(path);
}

bool FaultInjectionFileSystem::FileExists(const std::string& path) {
  return base_->FileExists(path);
}

absl::StatusOr<std::vector<std::string>> FaultInjectionFileSystem::GetChildren(
    const std::string& path) {
  return base_->GetChildren(path);
}

// ------------------------------------------------------------- crashes

absl::Status FaultInjectionFileSystem::DropUnsyncedData() {
  MutexLock lock(&mu_);
  ++generation_;  // every open WritableFile is now dead

  // First read everything the durable image needs (a file may come back
  // under another name than the one it has now), then delete, then write.
  std::set<std::string> unchanged;
  std::vector<std::pair<std::string, std::string>> restores;
  for (const auto& [name, node] : durable_) {
    auto live = live_.find(name);
    if (live != live_.end() && live->second == node &&
        node->size == node->synced) {
      unchanged.insert(name);
      continue;
    }
    absl::StatusOr<std::string> data = ReadSynced(*node);
    if (!data.ok()) return data.status();
    restores.emplace_back(name, *std::move(data));
  }
  for (const auto& [name, node] : live_) {
    if (unchanged.count(name) > 0) continue;
    if (auto s = base_->DeleteFile(name); !s.ok()) return s;
  }
  for (const auto& [name, data] : restores) {
    absl::StatusOr<std::unique_ptr<WritableFile>> file =
        base_->NewWritableFile(name);
    if (!file.ok()) return file.status();
    if (auto s = (*file)->Append(data); !s.ok()) return s;
    if (auto s = (*file)->Sync(); !s.ok()) return s;
    if (auto s = (*file)->Close(); !s.ok()) return s;
  }
  // The wrapped file system now is the durable image: forget everything.
  live_.clear();
  for (auto it = durable_.begin(); it != durable_.end();) {
    auto next = std::next(it);
    EraseDurable(it);
    it = next;
  }
  return absl::OkStatus();
}

}  // namespace mesa::testing
