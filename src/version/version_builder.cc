// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.

#include "src/version/version_builder.h"

#include <algorithm>
#include <map>
#include <string>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "fmt/format.h"

namespace mesa::internal {
namespace {

absl::Status Invalid(std::string message) {
  return absl::InvalidArgumentError(std::move(message));
}

std::string Range(uint64_t lo, uint64_t hi) {
  return fmt::format("[{}, {}]", lo, hi);
}

// A table this edit changes: a mutable copy until the Version is built.
struct WorkTable {
  TableInfo info;
  std::vector<DeltaPtr> deltas;
  std::optional<uint64_t> base_end_before;  // nullopt: no base, or new table
  std::vector<DeltaPtr> removed_singletons;
};

std::optional<uint64_t> BaseEnd(const std::vector<DeltaPtr>& deltas) {
  std::optional<uint64_t> end;
  for (const DeltaPtr& d : deltas) {
    if (d->meta().is_base()) end = std::max(end.value_or(0), d->max_version());
  }
  return end;
}

class Applier {
 public:
  Applier(const Version& base, const LiveFileMap& live_files,
          const VersionEdit& edit,
          const std::shared_ptr<const ObsoleteDeltaCallback>& on_obsolete)
      : base_(base),
        live_files_(live_files),
        edit_(edit),
        on_obsolete_(on_obsolete),
        tables_(base.tables()) {}

  absl::StatusOr<AppliedEdit> Run() {
    if (auto s = CheckVersions(); !s.ok()) return s;
    if (auto s = DropTables(); !s.ok()) return s;
    if (auto s = CreateTables(); !s.ok()) return s;
    if (auto s = RemoveDeltas(); !s.ok()) return s;
    if (auto s = AddDeltas(); !s.ok()) return s;
    if (auto s = ReadyRollups(); !s.ok()) return s;
    if (auto s = CheckTables(); !s.ok()) return s;
    if (auto s = CheckRollupParents(); !s.ok()) return s;
    for (auto& [id, w] : work_) {
      tables_[id] = std::make_shared<const TableVersion>(std::move(w.info),
                                                         std::move(w.deltas));
    }
    out_.version =
        std::make_shared<const Version>(latest_, oldest_, std::move(tables_));
    return std::move(out_);
  }

 private:
  absl::Status CheckVersions() {
    latest_ = base_.version();
    oldest_ = base_.oldest_version();
    if (edit_.snapshot) {
      if (base_.version() != 0 || base_.oldest_version() != 0 ||
          !base_.tables().empty()) {
        return Invalid(fmt::format(
            "a snapshot applies only to an empty state, not to version {}",
            base_.version()));
      }
      if (!edit_.version.has_value()) {
        return Invalid("a snapshot must name the latest version");
      }
      if (!edit_.dropped_tables.empty() || !edit_.removed_deltas.empty()) {
        return Invalid("a snapshot drops no table and removes no delta");
      }
      latest_ = *edit_.version;
      if (latest_ > kMaxVersion) {
        return Invalid(fmt::format("version {} is past the last version {}",
                                   latest_, kMaxVersion));
      }
    } else if (edit_.version.has_value()) {
      if (base_.version() >= kMaxVersion) {
        return Invalid(
            fmt::format("no version is left after {}: versions stop at {}",
                        base_.version(), kMaxVersion));
      }
      if (*edit_.version != base_.version() + 1) {
        return Invalid(fmt::format(
            "a commit publishes version {}, but the latest version is {}: the "
            "next commit is {}",
            *edit_.version, base_.version(), base_.version() + 1));
      }
      latest_ = *edit_.version;
    }
    if (edit_.next_file_number.has_value() &&
        *edit_.next_file_number > kMaxFileNumber) {
      return Invalid(fmt::format("next file number {} is past {}",
                                 *edit_.next_file_number, kMaxFileNumber));
    }
    if (edit_.oldest_version.has_value()) {
      const uint64_t o = *edit_.oldest_version;
      if (o < oldest_) {
        return Invalid(fmt::format(
            "the oldest readable version cannot go down, from {} to {}",
            oldest_, o));
      }
      if (o > latest_) {
        return Invalid(fmt::format(
            "oldest readable version {} is above the latest version {}", o,
            latest_));
      }
      oldest_ = o;
    }
    return absl::OkStatus();
  }

  absl::Status DropTables() {
    for (uint32_t id : edit_.dropped_tables) {
      if (!dropped_.insert(id).second) {
        return Invalid(fmt::format("table {} is dropped twice", id));
      }
      auto it = tables_.find(id);
      if (it == tables_.end()) {
        return Invalid(fmt::format("cannot drop table {}: no such table", id));
      }
      for (const DeltaPtr& d : it->second->deltas()) out_.removed.push_back(d);
      tables_.erase(it);
    }
    return absl::OkStatus();
  }

  absl::Status CreateTables() {
    absl::flat_hash_set<std::string> names;
    if (!edit_.created_tables.empty()) {
      for (const auto& [id, table] : tables_) names.insert(table->name());
    }
    for (const TableInfo& t : edit_.created_tables) {
      const std::string what =
          fmt::format("cannot create table '{}' (id {})", t.name, t.table_id);
      if (dropped_.contains(t.table_id)) {
        return Invalid(what + ": the same edit drops that id");
      }
      if (tables_.contains(t.table_id) || work_.contains(t.table_id)) {
        return Invalid(what + ": the id is in use");
      }
      if (t.name.empty() || t.name.size() > kMaxTableNameLength) {
        return Invalid(fmt::format("{}: a name has 1..{} bytes, not {}", what,
                                   kMaxTableNameLength, t.name.size()));
      }
      if (!names.insert(t.name).second) {
        return Invalid(what + ": the name is in use");
      }
      if (t.schema.num_keys() == 0) {
        return Invalid(what + ": it has no schema");
      }
      if (t.is_rollup()) {
        if (auto s = CheckNewRollup(t, what); !s.ok()) return s;
      } else if (t.ready_version.has_value()) {
        return Invalid(what + ": a ready version, but it is not a rollup");
      }
      if (edit_.snapshot ? t.created_version > latest_
                         : t.created_version != latest_) {
        return Invalid(fmt::format(
            "{}: created_version is {}, but the table is created at version "
            "{}",
            what, t.created_version, latest_));
      }
      work_[t.table_id] = WorkTable{t, {}, std::nullopt, {}};
    }
    return absl::OkStatus();
  }

  // A rollup's parent is a table of its own, live after this edit's drops
  // (created before it in the same edit, or earlier).
  absl::Status CheckNewRollup(const TableInfo& t, const std::string& what) {
    const TableInfo* parent = nullptr;
    if (auto it = work_.find(t.parent_table_id); it != work_.end()) {
      parent = &it->second.info;
    } else if (auto it = tables_.find(t.parent_table_id); it != tables_.end()) {
      parent = &it->second->info();
    }
    if (parent == nullptr) {
      return Invalid(fmt::format("{}: its parent table {} does not exist",
                                 what, t.parent_table_id));
    }
    if (parent->is_rollup()) {
      return Invalid(fmt::format("{}: its parent '{}' is itself a rollup",
                                 what, parent->name));
    }
    if (!edit_.snapshot && t.ready_version.has_value() &&
        *t.ready_version != t.created_version) {
      return Invalid(fmt::format(
          "{}: a new rollup is ready at its creation (version {}) or not "
          "at all, not from version {}",
          what, t.created_version, *t.ready_version));
    }
    if (t.ready_version.has_value() && *t.ready_version > latest_) {
      return Invalid(fmt::format("{}: ready version {} is after the latest {}",
                                 what, *t.ready_version, latest_));
    }
    return absl::OkStatus();
  }

  absl::Status ReadyRollups() {
    for (const RollupReady& r : edit_.ready_rollups) {
      WorkTable* w = Work(r.table_id);
      if (w == nullptr) {
        return Invalid(fmt::format("cannot mark rollup {} ready: {}",
                                   r.table_id, TableNotFound(r.table_id)));
      }
      const std::string what = fmt::format(
          "cannot mark table '{}' (id {}) ready at version {}", w->info.name,
          r.table_id, r.version);
      if (!w->info.is_rollup()) return Invalid(what + ": it is not a rollup");
      if (w->info.ready_version.has_value()) {
        return Invalid(fmt::format("{}: it is ready since version {}", what,
                                   *w->info.ready_version));
      }
      if (r.version < w->info.created_version || r.version > latest_) {
        return Invalid(fmt::format(
            "{}: the version is outside [{}, {}] (its creation, the latest)",
            what, w->info.created_version, latest_));
      }
      w->info.ready_version = r.version;
    }
    return absl::OkStatus();
  }

  // Every rollup's parent is still there: dropping a table drops its
  // rollups in the same edit.
  absl::Status CheckRollupParents() {
    for (const auto& [id, t] : tables_) {
      const uint32_t parent = t->parent_id();
      if (parent != 0 && dropped_.contains(parent) && !dropped_.contains(id)) {
        return Invalid(fmt::format(
            "cannot drop table {}: the same edit must drop its rollup '{}' "
            "(id {})",
            parent, t->name(), id));
      }
    }
    return absl::OkStatus();
  }

  // The working copy of table `id`, or null if there is none.
  WorkTable* Work(uint32_t id) {
    if (auto it = work_.find(id); it != work_.end()) return &it->second;
    auto it = tables_.find(id);
    if (it == tables_.end()) return nullptr;
    const TableVersion& t = *it->second;
    return &(work_[id] = WorkTable{t.info(), t.deltas(), t.base_end(), {}});
  }

  std::string TableNotFound(uint32_t id) const {
    return dropped_.contains(id)
               ? fmt::format("table {} is dropped by the same edit", id)
               : fmt::format("there is no table {}", id);
  }

  absl::Status RemoveDeltas() {
    for (const DeltaId& r : edit_.removed_deltas) {
      WorkTable* w = Work(r.table_id);
      if (w == nullptr) {
        return Invalid(fmt::format("cannot remove delta #{}: {}", r.file_number,
                                   TableNotFound(r.table_id)));
      }
      auto it = std::find_if(
          w->deltas.begin(), w->deltas.end(),
          [&](const DeltaPtr& d) { return d->file_number() == r.file_number; });
      if (it == w->deltas.end()) {
        return Invalid(fmt::format(
            "cannot remove delta #{} of table '{}' (id {}): it is not live",
            r.file_number, w->info.name, r.table_id));
      }
      if ((*it)->meta().is_singleton()) w->removed_singletons.push_back(*it);
      out_.removed.push_back(*it);
      w->deltas.erase(it);
    }
    return absl::OkStatus();
  }

  absl::Status AddDeltas() {
    absl::flat_hash_set<uint64_t> added_files;
    absl::flat_hash_set<uint32_t> committed_tables;
    for (const DeltaMeta& d : edit_.added_deltas) {
      const std::string what =
          fmt::format("cannot add delta #{} {} to table {}", d.file_number,
                      Range(d.min_version, d.max_version), d.table_id);
      WorkTable* w = Work(d.table_id);
      if (w == nullptr) return Invalid(what + ": " + TableNotFound(d.table_id));
      if (d.min_version > d.max_version || d.max_version == 0) {
        return Invalid(what + ": not a version range (min <= max, max >= 1)");
      }
      if (d.row_count == 0) {
        return Invalid(what +
                       ": it has no rows (empty deltas are not written)");
      }
      if (d.min_key > d.max_key) {
        return Invalid(what + ": its min_key sorts after its max_key");
      }
      if (d.file_number >= kMaxFileNumber) {
        return Invalid(
            fmt::format("{}: file numbers stop at {}", what, kMaxFileNumber));
      }
      if (edit_.next_file_number.has_value() &&
          d.file_number >= *edit_.next_file_number) {
        return Invalid(
            fmt::format("{}: file numbers from {} on were never handed out",
                        what, *edit_.next_file_number));
      }
      if (live_files_.contains(d.file_number) ||
          !added_files.insert(d.file_number).second) {
        return Invalid(what + ": the file number is already in use");
      }
      if (edit_.is_commit()) {
        if (d.min_version != latest_ || d.max_version != latest_) {
          return Invalid(fmt::format(
              "{}: the commit of version {} adds only singletons {}", what,
              latest_, Range(latest_, latest_)));
        }
        if (!committed_tables.insert(d.table_id).second) {
          return Invalid(what + ": the commit already adds a delta to it");
        }
      } else if (d.max_version > latest_) {
        return Invalid(fmt::format("{}: it ends after the latest version {}",
                                   what, latest_));
      } else if (!edit_.snapshot && d.min_version == d.max_version) {
        return Invalid(
            fmt::format("{}: only the commit of version {} adds that singleton",
                        what, d.min_version));
      }
      for (const DeltaPtr& e : w->deltas) {
        if (e->min_version() == d.min_version &&
            e->max_version() == d.max_version) {
          return Invalid(fmt::format("{}: it already has that range in #{}",
                                     what, e->file_number()));
        }
      }
      auto handle = std::make_shared<const DeltaHandle>(d, on_obsolete_);
      w->deltas.push_back(handle);
      out_.added.push_back(std::move(handle));
    }
    return absl::OkStatus();
  }

  absl::Status CheckTables() {
    for (const auto& [id, w] : work_) {
      const std::optional<uint64_t> end = BaseEnd(w.deltas);
      if (w.base_end_before.has_value() &&
          end.value_or(0) < *w.base_end_before) {
        return Invalid(fmt::format(
            "table '{}' (id {}): the edit removes its base {} without adding "
            "a base that reaches {}",
            w.info.name, id, Range(0, *w.base_end_before), *w.base_end_before));
      }
      for (const DeltaPtr& s : w.removed_singletons) {
        if (!end.has_value() || s->min_version() > *end) {
          return Invalid(fmt::format(
              "table '{}' (id {}): removing singleton {} (#{}) would lose "
              "version {}: singletons stay until a base reaches them (the "
              "base ends at {})",
              w.info.name, id, Range(s->min_version(), s->max_version()),
              s->file_number(), s->min_version(),
              end.has_value() ? fmt::format("{}", *end) : "none"));
        }
      }
      // A back-filled rollup's base ends at its ready version, which may be
      // above the oldest readable version: it is read only from there on.
      const uint64_t base_limit =
          std::max(oldest_, w.info.is_rollup()
                                ? w.info.ready_version.value_or(0)
                                : uint64_t{0});
      if (end.has_value() && *end > base_limit) {
        return Invalid(fmt::format(
            "table '{}' (id {}): its base {} ends above the oldest readable "
            "version {}: the same edit must raise oldest_version to at least "
            "{}",
            w.info.name, id, Range(0, *end), oldest_, *end));
      }
    }
    return absl::OkStatus();
  }

  const Version& base_;
  const LiveFileMap& live_files_;
  const VersionEdit& edit_;
  const std::shared_ptr<const ObsoleteDeltaCallback>& on_obsolete_;

  uint64_t latest_ = 0;
  uint64_t oldest_ = 0;
  TableMap tables_;  // unchanged tables; changed ones are in work_
  std::map<uint32_t, WorkTable> work_;
  absl::flat_hash_set<uint32_t> dropped_;
  AppliedEdit out_;
};

}  // namespace

absl::StatusOr<AppliedEdit> ApplyEdit(
    const Version& base, const LiveFileMap& live_files, const VersionEdit& edit,
    const std::shared_ptr<const ObsoleteDeltaCallback>& on_obsolete) {
  return Applier(base, live_files, edit, on_obsolete).Run();
}

void UpdateLiveFiles(const AppliedEdit& applied, LiveFileMap* live_files) {
  for (const DeltaPtr& d : applied.removed) live_files->erase(d->file_number());
  for (const DeltaPtr& d : applied.added) {
    (*live_files)[d->file_number()] = d->meta().table_id;
  }
}

}  // namespace mesa::internal
