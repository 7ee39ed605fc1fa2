// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.

#include "src/db/database_impl.h"

#include <algorithm>
#include <chrono>
#include <optional>

#include "fmt/format.h"
#include "src/cache/block_cache.h"
#include "src/db/compaction.h"
#include "src/db/rollup.h"
#include "src/db/table_options_coding.h"
#include "src/db/versioned_reader.h"
#include "src/format/delta_writer.h"
#include "src/merge/sort_aggregate.h"
#include "src/util/status_macros.h"

namespace mesa {

absl::Status Options::Validate() const {
  if (history_versions < 1) {
    return absl::InvalidArgumentError(
        "Options.history_versions must be at least 1");
  }
  if (cumulative_threshold < 2) {
    return absl::InvalidArgumentError(fmt::format(
        "Options.cumulative_threshold {} must be at least 2",
        cumulative_threshold));
  }
  if (background_threads < 0 || background_threads > 64) {
    return absl::InvalidArgumentError(fmt::format(
        "Options.background_threads {} is outside [0, 64]",
        background_threads));
  }
  if (history_time < absl::ZeroDuration()) {
    return absl::InvalidArgumentError(fmt::format(
        "Options.history_time {} is negative",
        absl::FormatDuration(history_time)));
  }
  if (max_pending_singletons < cumulative_threshold) {
    return absl::InvalidArgumentError(fmt::format(
        "Options.max_pending_singletons {} is below cumulative_threshold {}",
        max_pending_singletons, cumulative_threshold));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<Database>> Database::Open(
    const Options& options, const std::string& path) {
  return internal::DatabaseImpl::Open(options, path);
}

namespace internal {

DatabaseImpl::DatabaseImpl(const Options& options, std::string dir)
    : options_(options),
      dir_(std::move(dir)),
      fs_(options.fs != nullptr ? options.fs : DefaultFileSystem()),
      clock_(options.clock != nullptr ? options.clock : SystemClock()) {
  policy_.cumulative_trigger = options.cumulative_threshold;
  policy_.history_window = options.history_versions;
  if (options.history_time > absl::ZeroDuration() &&
      options.history_time != absl::InfiniteDuration()) {
    const auto quarter = absl::ToChronoMilliseconds(options.history_time / 4);
    time_window_tick_ = std::clamp(quarter, std::chrono::milliseconds(10),
                                   std::chrono::milliseconds(60000));
  }
}

absl::StatusOr<std::unique_ptr<Database>> DatabaseImpl::Open(
    const Options& options, const std::string& path) {
  MESA_RETURN_IF_ERROR(options.Validate());
  if (path.empty()) {
    return absl::InvalidArgumentError("Database::Open needs a directory path");
  }
  std::unique_ptr<DatabaseImpl> db(new DatabaseImpl(options, path));
  MESA_RETURN_IF_ERROR(db->Init());
  return std::unique_ptr<Database>(std::move(db));
}

absl::Status DatabaseImpl::Init() {
  if (!fs_->FileExists(dir_) && !options_.create_if_missing) {
    return absl::NotFoundError(fmt::format(
        "database {} does not exist (create_if_missing is false)", dir_));
  }
  MESA_RETURN_IF_ERROR(fs_->CreateDir(dir_));
  files_ = std::make_shared<DeltaFiles>(
      fs_, dir_,
      options_.block_cache_bytes > 0
          ? std::make_shared<BlockCache>(options_.block_cache_bytes)
          : nullptr);
  VersionSetOptions vs;
  vs.fs = fs_;
  vs.dir = dir_;
  vs.create_if_missing = options_.create_if_missing;
  // Obsolete deltas are deleted when the last Version naming them goes.
  std::shared_ptr<DeltaFiles> files = files_;
  std::shared_ptr<std::atomic<uint64_t>> gc_errors = gc_errors_;
  vs.on_obsolete_delta = [files, gc_errors](const DeltaMeta& meta) {
    if (!files->Delete(meta.file_number).ok()) ++*gc_errors;
  };
  MESA_ASSIGN_OR_RETURN(versions_, VersionSet::Open(std::move(vs)));
  MESA_RETURN_IF_ERROR(CollectGarbage());
  for (int i = 0; i < options_.background_threads; ++i) {
    bg_threads_.emplace_back([this] { BackgroundLoop(); });
  }
  ScheduleCompaction();
  return absl::OkStatus();
}

DatabaseImpl::~DatabaseImpl() {
  {
    MutexLock lock(&bg_mu_);
    shutting_down_ = true;
    bg_cv_.SignalAll();
  }
  for (std::thread& t : bg_threads_) t.join();
}

absl::Status DatabaseImpl::CollectGarbage() {
  // Before any reader exists, every delta the manifest does not name is
  // garbage: an unpublished commit or compaction output.
  std::vector<uint64_t> live = versions_->LiveFileNumbers();
  MESA_ASSIGN_OR_RETURN(std::vector<std::string> names,
                        fs_->GetChildren(dir_));
  for (const std::string& name : names) {
    bool tmp = name.size() > 4 && name.substr(name.size() - 4) == ".tmp" &&
               name.find(".delta") != std::string::npos;
    auto number = DeltaFiles::ParseName(name);
    if (tmp || (number && !std::binary_search(live.begin(), live.end(),
                                              *number))) {
      MESA_RETURN_IF_ERROR(fs_->DeleteFile(dir_ + "/" + name));
    }
  }
  return absl::OkStatus();
}

std::shared_ptr<const Table> DatabaseImpl::TableHandle(
    const Version& version, const TableVersion& t) const {
  auto decoded = DecodeTableOptions(t.table_options());
  TableOptions options = decoded.ok() ? *decoded : TableOptions();
  if (t.is_rollup()) {
    const TableVersion* parent = version.FindTable(t.parent_id());
    return std::make_shared<Table>(
        t.id(), t.name(), t.schema(), std::move(options),
        parent != nullptr ? parent->name() : std::string("?"),
        t.info().ready_version.has_value());
  }
  for (const TableVersion* r : version.RollupsOf(t.id())) {
    options.rollups.push_back(SpecOfRollup(r->name(), r->schema()));
  }
  return std::make_shared<Table>(t.id(), t.name(), t.schema(),
                                 std::move(options));
}

uint32_t DatabaseImpl::FirstFreeTableId(const Version& current) const {
  uint32_t id = 1;
  for (const auto& [existing, t] : current.tables()) {
    id = std::max(id, existing + 1);
  }
  return id;
}

TableInfo DatabaseImpl::NewTableInfo(std::string_view name,
                                     const Schema& schema,
                                     const TableOptions& options,
                                     uint32_t* next_id) {
  // Ids of dropped tables are never reused: take the file counter's
  // uniqueness for them.
  uint32_t id = *next_id;
  uint64_t unique = versions_->NewFileNumber();
  if (unique < (uint64_t{1} << 32)) id = std::max<uint32_t>(id, unique);
  *next_id = id + 1;
  TableInfo info;
  info.table_id = id;
  info.name = std::string(name);
  info.schema = schema;
  TableOptions stored = options;
  stored.rollups.clear();  // the manifest records rollups as tables
  info.table_options = EncodeTableOptions(stored);
  return info;
}

// ---------------------------------------------------------------- tables

absl::StatusOr<std::shared_ptr<const Table>> DatabaseImpl::CreateTable(
    std::string_view name, const Schema& schema, const TableOptions& options) {
  if (name.empty() || name.size() > kMaxTableNameLength) {
    return absl::InvalidArgumentError(fmt::format(
        "table name '{}' must be 1 to {} bytes", name, kMaxTableNameLength));
  }
  if (schema.num_columns() == 0) {
    return absl::InvalidArgumentError(
        fmt::format("table '{}': empty schema (use Schema::Create)", name));
  }
  absl::Status valid = options.delta_file.Validate();
  if (!valid.ok()) {
    return Annotate(valid, fmt::format("table '{}'", name));
  }
  std::vector<Schema> rollup_schemas;
  for (const RollupSpec& r : options.rollups) {
    MESA_ASSIGN_OR_RETURN(Schema rs, RollupSchema(name, schema, r));
    if (r.name.size() > kMaxTableNameLength) {
      return absl::InvalidArgumentError(fmt::format(
          "rollup name '{}' is longer than {} bytes", r.name,
          kMaxTableNameLength));
    }
    if (r.name == name) {
      return absl::InvalidArgumentError(fmt::format(
          "rollup '{}' has the name of its table", r.name));
    }
    rollup_schemas.push_back(std::move(rs));
  }
  for (size_t i = 0; i < options.rollups.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (options.rollups[i].name == options.rollups[j].name) {
        return absl::InvalidArgumentError(fmt::format(
            "table '{}': two rollups are named '{}'", name,
            options.rollups[i].name));
      }
    }
  }
  MutexLock lock(&commit_mu_);
  auto current = versions_->current();
  if (current->FindTableByName(name) != nullptr) {
    return absl::AlreadyExistsError(
        fmt::format("table '{}' already exists", name));
  }
  for (const RollupSpec& r : options.rollups) {
    if (current->FindTableByName(r.name) != nullptr) {
      return absl::AlreadyExistsError(fmt::format(
          "rollup '{}' of table '{}': a table or rollup of that name exists",
          r.name, name));
    }
  }
  uint32_t next_id = FirstFreeTableId(*current);
  VersionEdit edit;
  edit.created_tables.push_back(NewTableInfo(name, schema, options, &next_id));
  const uint32_t parent_id = edit.created_tables.front().table_id;
  for (size_t i = 0; i < options.rollups.size(); ++i) {
    TableInfo info = NewTableInfo(options.rollups[i].name, rollup_schemas[i],
                                  options, &next_id);
    info.parent_table_id = parent_id;
    info.ready_version = 0;  // ready at its creation (VersionSet sets it)
    edit.created_tables.push_back(std::move(info));
  }
  MESA_RETURN_IF_ERROR(versions_->Apply(std::move(edit)));
  auto after = versions_->current();
  const TableVersion* created = after->FindTableByName(name);
  if (created == nullptr) {
    return absl::InternalError(
        fmt::format("table '{}' missing after its creation", name));
  }
  return TableHandle(*after, *created);
}

absl::StatusOr<std::shared_ptr<const Table>> DatabaseImpl::AddRollup(
    std::string_view table, const RollupSpec& rollup) {
  std::shared_ptr<const Version> after;
  {
    MutexLock lock(&commit_mu_);
    auto current = versions_->current();
    const TableVersion* parent = current->FindTableByName(table);
    if (parent == nullptr) {
      return absl::NotFoundError(fmt::format(
          "cannot add rollup '{}': no table '{}'", rollup.name, table));
    }
    if (parent->is_rollup()) {
      return absl::InvalidArgumentError(fmt::format(
          "cannot add rollup '{}' to '{}': it is itself a rollup",
          rollup.name, table));
    }
    MESA_ASSIGN_OR_RETURN(Schema schema,
                          RollupSchema(table, parent->schema(), rollup));
    if (rollup.name.size() > kMaxTableNameLength) {
      return absl::InvalidArgumentError(
          fmt::format("rollup name '{}' is longer than {} bytes", rollup.name,
                      kMaxTableNameLength));
    }
    if (current->FindTableByName(rollup.name) != nullptr) {
      return absl::AlreadyExistsError(fmt::format(
          "cannot add rollup '{}' to '{}': a table or rollup of that name "
          "exists",
          rollup.name, table));
    }
    auto options = DecodeTableOptions(parent->table_options());
    MESA_RETURN_IF_ERROR(options.status());
    uint32_t next_id = FirstFreeTableId(*current);
    TableInfo info = NewTableInfo(rollup.name, schema, *options, &next_id);
    info.parent_table_id = parent->id();
    // A table without rows has nothing to back-fill.
    if (parent->deltas().empty()) info.ready_version = 0;
    VersionEdit edit;
    edit.created_tables.push_back(std::move(info));
    MESA_RETURN_IF_ERROR(versions_->Apply(std::move(edit)));
    after = versions_->current();
  }
  const TableVersion* created = after->FindTableByName(rollup.name);
  if (created == nullptr) {
    return absl::InternalError(
        fmt::format("rollup '{}' missing after its creation", rollup.name));
  }
  if (!created->RollupReadableAt(after->version())) ScheduleCompaction();
  return TableHandle(*after, *created);
}

absl::Status DatabaseImpl::DropRollup(std::string_view rollup) {
  return Drop(rollup, /*rollup=*/true);
}

absl::Status DatabaseImpl::DropTable(std::string_view name) {
  return Drop(name, /*rollup=*/false);
}

absl::Status DatabaseImpl::Drop(std::string_view name, bool rollup) {
  const char* kind = rollup ? "rollup" : "table";
  MutexLock lock(&commit_mu_);
  auto current = versions_->current();
  const TableVersion* t = current->FindTableByName(name);
  if (t == nullptr) {
    return absl::NotFoundError(fmt::format("no {} '{}'", kind, name));
  }
  if (t->is_rollup() != rollup) {
    return absl::InvalidArgumentError(fmt::format(
        "'{}' is a {}, not a {} (use {})", name, rollup ? "table" : "rollup",
        kind, rollup ? "DropTable" : "DropRollup"));
  }
  // A table goes with its rollups.
  VersionEdit edit;
  edit.dropped_tables.push_back(t->id());
  for (const TableVersion* r : current->RollupsOf(t->id())) {
    edit.dropped_tables.push_back(r->id());
  }
  return versions_->Apply(std::move(edit));
}

std::vector<std::string> DatabaseImpl::ListTables() const {
  std::vector<std::string> names;
  for (const auto& [id, t] : versions_->current()->tables()) {
    names.push_back(t->name());
  }
  std::sort(names.begin(), names.end());
  return names;
}

absl::StatusOr<std::shared_ptr<const Table>> DatabaseImpl::GetTable(
    std::string_view name) const {
  auto current = versions_->current();
  const TableVersion* t = current->FindTableByName(name);
  if (t == nullptr) {
    return absl::NotFoundError(fmt::format("no table '{}'", name));
  }
  return TableHandle(*current, *t);
}

// ---------------------------------------------------------------- commit

size_t DatabaseImpl::PendingSingletons(const TableVersion& t) const {
  // A rollup is not compacted while it is back-filled (its back-fill then
  // retires these singletons at once): it must not hold commits back.
  if (t.is_rollup() && !t.info().ready_version.has_value()) return 0;
  uint64_t covered = 0;  // newest end of a base or cumulative
  for (const DeltaPtr& d : t.deltas()) {
    if (d->min_version() != d->max_version() || d->min_version() == 0) {
      covered = std::max(covered, d->max_version());
    }
  }
  size_t pending = 0;
  for (const DeltaPtr& d : t.deltas()) {
    if (d->min_version() == d->max_version() && d->min_version() > covered) {
      ++pending;
    }
  }
  return pending;
}

absl::Status DatabaseImpl::WaitForCompaction(const UpdateBatch& batch) {
  auto over_limit = [&]() {
    auto current = versions_->current();
    for (const auto& [id, rows] : batch.tables()) {
      const TableVersion* t = current->FindTable(id);
      if (t == nullptr) continue;
      if (PendingSingletons(*t) >= options_.max_pending_singletons) {
        return true;
      }
      // The commit writes a singleton to each of its rollups too.
      for (const TableVersion* r : current->RollupsOf(id)) {
        if (PendingSingletons(*r) >= options_.max_pending_singletons) {
          return true;
        }
      }
    }
    return false;
  };
  if (!over_limit()) return absl::OkStatus();
  ++commit_stalls_;
  if (bg_threads_.empty()) return CompactAll();  // no one else will
  MutexLock lock(&bg_mu_);
  while (over_limit()) {
    if (!bg_error_.ok()) {
      return Annotate(bg_error_,
                      "commit blocked: background compaction failed");
    }
    if (shutting_down_) {
      return absl::CancelledError("database is closing");
    }
    work_pending_ = true;
    bg_cv_.SignalAll();
    bg_cv_.WaitFor(std::chrono::milliseconds(50));
  }
  return absl::OkStatus();
}

absl::StatusOr<DeltaMeta> DatabaseImpl::WriteDelta(const TableVersion& table,
                                                   const RowBatch& sorted,
                                                   uint64_t min_version,
                                                   uint64_t max_version) {
  MESA_ASSIGN_OR_RETURN(TableOptions options,
                        DecodeTableOptions(table.table_options()));
  DeltaMeta meta;
  meta.file_number = versions_->NewFileNumber();
  meta.table_id = table.id();
  meta.min_version = min_version;
  meta.max_version = max_version;
  MESA_ASSIGN_OR_RETURN(
      auto writer,
      DeltaWriter::Create({fs_, files_->PathOf(meta.file_number),
                           table.schema(), min_version, max_version,
                           options.delta_file, sorted.num_rows()}));
  MESA_RETURN_IF_ERROR(writer->Add(sorted));
  MESA_ASSIGN_OR_RETURN(DeltaFileSummary summary, writer->Finish());
  meta.row_count = summary.row_count;
  meta.file_size = summary.file_size;
  meta.min_key = std::move(summary.min_key);
  meta.max_key = std::move(summary.max_key);
  return meta;
}

absl::Status DatabaseImpl::AddCommitDeltas(const Version& current,
                                           const TableVersion& table,
                                           const RowBatch& rows,
                                           VersionEdit* edit) {
  const uint64_t version = *edit->version;
  // Sorted into a batch the database keeps (under commit_mu_), so that a
  // commit does not fault in fresh columns; one far larger than usual is
  // not kept.
  RowBatch& sorted = commit_sorted_;
  SortAndAggregateRows(table.schema(), rows, &sorted);
  struct Release {
    RowBatch* batch;
    ~Release() {
      if (batch->num_rows() > kKeepSortedRows) *batch = RowBatch();
    }
  } release{&sorted};
  MESA_ASSIGN_OR_RETURN(DeltaMeta meta,
                        WriteDelta(table, sorted, version, version));
  edit->added_deltas.push_back(std::move(meta));
  // Every rollup, ready or being back-filled, gets its rows from the
  // parent's (the back-fill retires those at or below its version).
  for (const TableVersion* rollup : current.RollupsOf(table.id())) {
    MESA_ASSIGN_OR_RETURN(std::vector<size_t> map,
                          RollupColumnMap(table.schema(), rollup->schema()));
    RowBatch derived = DeriveRollupRows(rollup->schema(), map, sorted);
    auto rollup_meta = WriteDelta(*rollup, derived, version, version);
    if (!rollup_meta.ok()) {
      return Annotate(rollup_meta.status(),
                      fmt::format("rollup '{}'", rollup->name()));
    }
    edit->added_deltas.push_back(std::move(*rollup_meta));
  }
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> DatabaseImpl::Commit(const UpdateBatch& batch) {
  MutexLock lock(&commit_mu_);
  MESA_RETURN_IF_ERROR(WaitForCompaction(batch));
  auto current = versions_->current();
  const uint64_t version = current->version() + 1;
  VersionEdit edit;
  edit.version = version;
  edit.commit_times.push_back(
      {version, std::max(clock_->NowMicros(), versions_->LatestCommitTime())});
  absl::Status status;
  for (const auto& [id, entry] : batch.tables()) {
    if (entry.rows.num_rows() == 0) continue;
    const TableVersion* t = current->FindTable(id);
    if (t == nullptr) {
      status = absl::NotFoundError(fmt::format(
          "commit: table '{}' (id {}) no longer exists", entry.table->name(),
          id));
      break;
    }
    if (t->is_rollup()) {
      status = absl::InvalidArgumentError(fmt::format(
          "commit: '{}' is a rollup: its rows are derived from its table's, "
          "not committed",
          t->name()));
      break;
    }
    if (t->name() != entry.table->name() ||
        !(t->schema() == entry.table->schema())) {
      // A handle of another database, or one made by hand: its rows were
      // checked against a schema that is not this table's.
      status = absl::InvalidArgumentError(fmt::format(
          "commit: the rows for table '{}' (id {}) were added with a handle "
          "of table '{}' {}, but the table's schema is {}",
          t->name(), id, entry.table->name(),
          entry.table->schema().DebugString(), t->schema().DebugString()));
      break;
    }
    status = AddCommitDeltas(*current, *t, entry.rows, &edit);
    if (!status.ok()) {
      status = Annotate(status, fmt::format("commit of version {}, table '{}'",
                                            version, entry.table->name()));
      break;
    }
  }
  bool maybe_published = false;
  if (status.ok()) {
    status = versions_->Apply(edit);
    // A failed manifest write may have left the record on disk all the
    // same (VersionSet cannot tell): then the files stay, and the next
    // Open decides. Only a refused edit (InvalidArgument) wrote nothing.
    maybe_published = !status.ok() && !absl::IsInvalidArgument(status);
  }
  if (!status.ok()) {
    if (!maybe_published) {
      // Nothing was published: the files are garbage now.
      for (const DeltaMeta& m : edit.added_deltas) {
        (void)fs_->DeleteFile(files_->PathOf(m.file_number));
      }
    }
    return status;
  }
  ScheduleCompaction();
  return version;
}

// ---------------------------------------------------------------- readers

absl::StatusOr<std::unique_ptr<VersionedReader>> DatabaseImpl::NewReader() {
  auto current = versions_->current();
  const uint64_t v = current->version();
  return NewVersionedReader(files_, std::move(current), v);
}

absl::Status DatabaseImpl::CheckReadable(const Version& current,
                                         uint64_t version) {
  if (version > current.version()) {
    return absl::InvalidArgumentError(fmt::format(
        "version {} is in the future: the latest version is {}", version,
        current.version()));
  }
  if (version < current.oldest_version()) {
    return absl::OutOfRangeError(fmt::format(
        "version {} is no longer readable: the oldest readable version is {}",
        version, current.oldest_version()));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<VersionedReader>> DatabaseImpl::NewReader(
    uint64_t version) {
  auto current = versions_->current();
  MESA_RETURN_IF_ERROR(CheckReadable(*current, version));
  return NewVersionedReader(files_, std::move(current), version);
}

absl::StatusOr<uint64_t> DatabaseImpl::Checksum(std::string_view table,
                                                uint64_t version) {
  // The same Version for the bounds check and the read: a compaction in
  // between must not turn a readable version into an error.
  auto current = versions_->current();
  MESA_RETURN_IF_ERROR(CheckReadable(*current, version));
  MESA_ASSIGN_OR_RETURN(
      MergePlan plan,
      PlanTableRead(files_.get(), std::move(current), table, version));
  std::vector<size_t> values;
  const Schema& schema = plan.table->schema();
  for (size_t c = schema.num_keys(); c < schema.num_columns(); ++c) {
    values.push_back(c);
  }
  MESA_ASSIGN_OR_RETURN(auto merge, NewMergingCursor(plan, values, ""));
  return DigestRows(schema, merge.get());
}

uint64_t DatabaseImpl::LatestVersion() const {
  return versions_->current()->version();
}

uint64_t DatabaseImpl::OldestReadableVersion() const {
  return versions_->current()->oldest_version();
}

absl::StatusOr<uint64_t> DatabaseImpl::VersionAt(absl::Time time) const {
  const uint64_t micros =
      time <= absl::UnixEpoch() ? 0 : static_cast<uint64_t>(absl::ToUnixMicros(time));
  const uint64_t oldest = versions_->current()->oldest_version();
  const uint64_t version = versions_->NewestVersionCommittedBy(micros);
  if (version < oldest) {
    return absl::OutOfRangeError(fmt::format(
        "the state at {} (version {}) is no longer readable: the oldest "
        "readable version is {}",
        absl::FormatTime(time), version, oldest));
  }
  return version;
}

absl::StatusOr<absl::Time> DatabaseImpl::CommitTime(uint64_t version) const {
  const std::optional<uint64_t> micros = versions_->CommitTimeOf(version);
  if (!micros.has_value()) {
    return absl::NotFoundError(fmt::format(
        "no commit time for version {} (readable: {}..{}; versions written "
        "by a mesa that did not record times have none)",
        version, versions_->current()->oldest_version(), LatestVersion()));
  }
  return absl::FromUnixMicros(static_cast<int64_t>(*micros));
}

std::optional<uint64_t> DatabaseImpl::TimeWindowLimit() const {
  if (options_.history_time <= absl::ZeroDuration()) return std::nullopt;
  if (options_.history_time == absl::InfiniteDuration()) return 0;
  const uint64_t now = clock_->NowMicros();
  const int64_t window = absl::ToInt64Microseconds(options_.history_time);
  const uint64_t cutoff =
      now > static_cast<uint64_t>(window) ? now - window : 0;
  return versions_->NewestVersionCommittedBy(cutoff);
}

// ---------------------------------------------------------------- compaction

absl::Status DatabaseImpl::CompactAll(bool full) {
  MutexLock lock(&compact_mu_);
  // A full compaction also merges the deltas below the cumulative trigger,
  // so a read at the latest version touches the base and one cumulative.
  CompactionPolicy policy = policy_;
  policy.full = full;
  while (true) {
    auto current = versions_->current();
    policy.time_limit = TimeWindowLimit();
    bool did_work = false;
    for (const auto& [id, table] : current->tables()) {
      // A rollup being back-filled waits for its back-fill, which replaces
      // its deltas up to the back-fill's version.
      if (table->is_rollup() && !table->info().ready_version.has_value()) {
        continue;
      }
      auto plan = PickCompaction(*table, current->version(),
                                 current->oldest_version(), policy);
      if (!plan) continue;
      auto options = DecodeTableOptions(table->table_options());
      MESA_RETURN_IF_ERROR(options.status());
      uint64_t number = versions_->NewFileNumber();
      MESA_ASSIGN_OR_RETURN(
          CompactionOutput out,
          RunCompaction(*plan, table->schema(), options->delta_file,
                        files_.get(), number));
      absl::Status applied = versions_->Apply(plan->ToEdit(out.meta));
      if (absl::IsInvalidArgument(applied)) {
        // Refused before anything was written: the output is garbage. If
        // the table was dropped meanwhile the plan is merely stale
        // (compaction_picker.h): re-plan from the new Version.
        (void)fs_->DeleteFile(files_->PathOf(number));
        if (versions_->current()->FindTable(id) == nullptr) {
          did_work = true;
          break;
        }
      }
      if (!applied.ok()) {
        // A failed manifest write may have reached the disk: the output
        // stays for the next Open to keep or collect.
        return Annotate(applied, fmt::format("publishing compaction {}",
                                             plan->DebugString()));
      }
      (plan->kind == CompactionKind::kBase ? base_compactions_
                                           : cumulative_compactions_)++;
      compaction_input_bytes_ += out.input_bytes;
      compaction_output_bytes_ += out.meta.file_size;
      did_work = true;
      break;  // re-plan from the new Version
    }
    if (!did_work) return absl::OkStatus();
    MutexLock bg(&bg_mu_);
    ++compactions_done_;
    bg_cv_.SignalAll();  // wake commits waiting on back-pressure
  }
}

absl::Status DatabaseImpl::CompactNow() {
  MESA_RETURN_IF_ERROR(BackfillRollups());
  return CompactAll(/*full=*/true);
}

absl::Status DatabaseImpl::BackfillRollups() {
  MutexLock lock(&backfill_mu_);
  while (true) {
    auto current = versions_->current();
    const TableVersion* pending = nullptr;
    for (const auto& [id, t] : current->tables()) {
      if (t->is_rollup() && !t->info().ready_version.has_value()) {
        pending = t.get();
        break;
      }
    }
    if (pending == nullptr) return absl::OkStatus();
    absl::Status s = Backfill(current, *pending);
    if (!s.ok()) {
      return Annotate(s, fmt::format("back-filling rollup '{}'",
                                     pending->name()));
    }
  }
}

absl::Status DatabaseImpl::Backfill(std::shared_ptr<const Version> pinned,
                                    const TableVersion& rollup) {
  // The rollup's rows at P are the parent's at P, grouped by the rollup's
  // key. Its singletons at or below P (commits since it was added) are
  // inside that and retire with the same edit; those above stay. Nothing
  // else touches a rollup that is not ready (CompactAll skips it), so the
  // pinned Version names all of them.
  const uint64_t p = pinned->version();
  const TableVersion* parent = pinned->FindTable(rollup.parent_id());
  if (parent == nullptr) {
    return absl::DataLossError(fmt::format(
        "rollup '{}' has no parent table {}", rollup.name(),
        rollup.parent_id()));
  }
  MESA_ASSIGN_OR_RETURN(std::vector<size_t> map,
                        RollupColumnMap(parent->schema(), rollup.schema()));
  std::vector<size_t> values;
  for (size_t c : map) {
    if (c >= parent->schema().num_keys()) values.push_back(c);
  }
  VersionEdit edit;
  edit.ready_rollups.push_back({rollup.id(), p});
  for (const DeltaPtr& d : rollup.deltas()) {
    if (d->max_version() <= p) {
      edit.removed_deltas.push_back({rollup.id(), d->file_number()});
    }
  }
  std::optional<uint64_t> written;
  if (!parent->deltas().empty()) {
    MESA_ASSIGN_OR_RETURN(
        MergePlan plan, PlanTableRead(files_.get(), pinned, parent->name(), p));
    MESA_ASSIGN_OR_RETURN(auto merge, NewMergingCursor(plan, values, ""));
    MESA_ASSIGN_OR_RETURN(
        RowBatch rows, AggregateRollup(parent->schema(), values,
                                       rollup.schema(), map, merge.get()));
    if (rows.num_rows() > 0) {
      MESA_ASSIGN_OR_RETURN(DeltaMeta meta, WriteDelta(rollup, rows, 0, p));
      written = meta.file_number;
      edit.added_deltas.push_back(std::move(meta));
    }
  }
  absl::Status applied = versions_->Apply(std::move(edit));
  if (absl::IsInvalidArgument(applied)) {
    // Refused, nothing written: the rollup was dropped meanwhile (then
    // there is nothing left to do), or this is a bug.
    if (written) (void)fs_->DeleteFile(files_->PathOf(*written));
    if (versions_->current()->FindTable(rollup.id()) == nullptr) {
      return absl::OkStatus();
    }
  }
  if (applied.ok()) ScheduleCompaction();
  return applied;
}

void DatabaseImpl::ScheduleCompaction() {
  if (bg_threads_.empty()) return;
  MutexLock lock(&bg_mu_);
  work_pending_ = true;
  bg_cv_.SignalAll();
}

void DatabaseImpl::BackgroundLoop() {
  while (true) {
    {
      MutexLock lock(&bg_mu_);
      while (!shutting_down_ && (!work_pending_ || !bg_error_.ok())) {
        if (time_window_tick_.count() == 0 || !bg_error_.ok()) {
          bg_cv_.Wait();
        } else if (!bg_cv_.WaitFor(time_window_tick_)) {
          // Time passed: versions may have aged out of history_time.
          work_pending_ = true;
        }
      }
      if (shutting_down_) return;
      work_pending_ = false;
    }
    absl::Status s = BackfillRollups();
    if (s.ok()) s = CompactAll();
    if (!s.ok()) {
      MutexLock lock(&bg_mu_);
      // Background compaction stops; commits go on until back-pressure,
      // which then reports this error instead of waiting forever.
      bg_error_ = s;
      bg_cv_.SignalAll();
    }
  }
}

DatabaseStats DatabaseImpl::Stats() const {
  DatabaseStats stats;
  auto current = versions_->current();
  stats.latest_version = current->version();
  stats.oldest_readable_version = current->oldest_version();
  for (const auto& [id, table] : current->tables()) {
    TableStats t;
    t.name = table->name();
    if (table->is_rollup()) {
      const TableVersion* parent = current->FindTable(table->parent_id());
      t.rollup_of = parent != nullptr ? parent->name() : "?";
      t.ready = table->info().ready_version.has_value();
    }
    for (const DeltaPtr& d : table->deltas()) {
      t.deltas.push_back({d->file_number(), d->min_version(),
                          d->max_version(), d->meta().row_count,
                          d->meta().file_size});
    }
    stats.tables.push_back(std::move(t));
  }
  stats.cumulative_compactions = cumulative_compactions_;
  stats.base_compactions = base_compactions_;
  stats.compaction_input_bytes = compaction_input_bytes_;
  stats.compaction_output_bytes = compaction_output_bytes_;
  stats.commit_stalls = commit_stalls_;
  if (BlockCache* cache = files_->cache()) {
    stats.block_cache_hits = cache->hits();
    stats.block_cache_misses = cache->misses();
  }
  return stats;
}

}  // namespace internal
}  // namespace mesa
