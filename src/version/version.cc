// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.

#include "src/version/version.h"

#include <algorithm>
#include <utility>

#include "fmt/format.h"

namespace mesa::internal {

// ------------------------------------------------------------ DeltaHandle

DeltaHandle::DeltaHandle(
    DeltaMeta meta, std::shared_ptr<const ObsoleteDeltaCallback> on_obsolete)
    : meta_(std::move(meta)), on_obsolete_(std::move(on_obsolete)) {}

DeltaHandle::~DeltaHandle() {
  if (obsolete() && on_obsolete_ != nullptr && *on_obsolete_) {
    (*on_obsolete_)(meta_);
  }
}

// ------------------------------------------------------------ TableVersion

TableVersion::TableVersion(TableInfo info, std::vector<DeltaPtr> deltas)
    : info_(std::move(info)), deltas_(std::move(deltas)) {
  std::sort(deltas_.begin(), deltas_.end(),
            [](const DeltaPtr& a, const DeltaPtr& b) {
              const DeltaMeta& x = a->meta();
              const DeltaMeta& y = b->meta();
              if (x.min_version != y.min_version) {
                return x.min_version < y.min_version;
              }
              if (x.max_version != y.max_version) {
                return x.max_version < y.max_version;
              }
              return x.file_number < y.file_number;
            });
  ranges_.reserve(deltas_.size());
  for (const DeltaPtr& d : deltas_) {
    ranges_.push_back({d->min_version(), d->max_version()});
  }
}

const DeltaPtr* TableVersion::FindDelta(uint64_t file_number) const {
  for (const DeltaPtr& d : deltas_) {
    if (d->file_number() == file_number) return &d;
  }
  return nullptr;
}

std::optional<uint64_t> TableVersion::base_end() const {
  std::optional<uint64_t> end;
  for (const DeltaPtr& d : deltas_) {
    if (!d->meta().is_base()) break;  // sorted: bases come first
    end = std::max(end.value_or(0), d->max_version());
  }
  return end;
}

absl::StatusOr<std::vector<DeltaPtr>> TableVersion::CoveringPath(
    uint64_t v) const {
  absl::StatusOr<std::vector<size_t>> path = FindCoveringPath(ranges_, v);
  if (!path.ok()) {
    return absl::Status(
        path.status().code(),
        fmt::format("table '{}' (id {}): {}", info_.name, info_.table_id,
                    std::string(path.status().message())));
  }
  std::vector<DeltaPtr> out;
  out.reserve(path->size());
  for (size_t i : *path) out.push_back(deltas_[i]);
  return out;
}

// ------------------------------------------------------------ Version

Version::Version(uint64_t version, uint64_t oldest_version, TableMap tables)
    : version_(version),
      oldest_version_(oldest_version),
      tables_(std::move(tables)) {
  ids_by_name_.reserve(tables_.size());
  for (const auto& [id, table] : tables_) ids_by_name_[table->name()] = id;
}

const TableVersion* Version::FindTable(uint32_t table_id) const {
  auto it = tables_.find(table_id);
  return it == tables_.end() ? nullptr : it->second.get();
}

const TableVersion* Version::FindTableByName(std::string_view name) const {
  auto it = ids_by_name_.find(std::string(name));
  return it == ids_by_name_.end() ? nullptr : FindTable(it->second);
}

std::vector<const TableVersion*> Version::RollupsOf(uint32_t parent_id) const {
  std::vector<const TableVersion*> out;
  for (const auto& [id, t] : tables_) {
    if (t->parent_id() == parent_id && parent_id != 0) out.push_back(t.get());
  }
  return out;
}

absl::StatusOr<std::vector<DeltaPtr>> Version::CoveringPath(uint32_t table_id,
                                                            uint64_t v) const {
  const TableVersion* table = FindTable(table_id);
  if (table == nullptr) {
    return absl::NotFoundError(
        fmt::format("no table with id {} at version {}", table_id, version_));
  }
  if (v < oldest_version_) {
    return absl::OutOfRangeError(fmt::format(
        "version {} is no longer readable: the oldest readable version is {}",
        v, oldest_version_));
  }
  if (v > version_) {
    return absl::OutOfRangeError(fmt::format(
        "version {} is not committed: the latest version is {}", v, version_));
  }
  return table->CoveringPath(v);
}

std::vector<uint64_t> Version::DeltaFileNumbers() const {
  std::vector<uint64_t> out;
  for (const auto& [id, table] : tables_) {
    for (const DeltaPtr& d : table->deltas()) out.push_back(d->file_number());
  }
  std::sort(out.begin(), out.end());
  return out;
}

VersionEdit Version::ToSnapshotEdit() const {
  VersionEdit edit;
  edit.snapshot = true;
  edit.version = version_;
  edit.oldest_version = oldest_version_;
  for (const auto& [id, table] : tables_) {
    edit.created_tables.push_back(table->info());
    for (const DeltaPtr& d : table->deltas()) {
      edit.added_deltas.push_back(d->meta());
    }
  }
  return edit;
}

std::string Version::DebugString() const {
  std::string out =
      fmt::format("v={} oldest={} tables=[", version_, oldest_version_);
  bool first_table = true;
  for (const auto& [id, table] : tables_) {
    out +=
        fmt::format("{}{} '{}':", first_table ? "" : "; ", id, table->name());
    first_table = false;
    for (const DeltaPtr& d : table->deltas()) {
      out += fmt::format(" [{},{}]#{}", d->min_version(), d->max_version(),
                         d->file_number());
    }
  }
  out += "]";
  return out;
}

}  // namespace mesa::internal
