// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// Grammar of an encoded VersionEdit (docs/format.md, "Manifest"):
//
//   edit  := field*                 fields in increasing tag order; only the
//                                   list tags 5..11 may repeat
//   field := tag varint, then
//     1 snapshot          format_version varint (= 1)
//     2 version           varint
//     3 oldest_version    varint
//     4 next_file_number  varint
//     5 drop_table        table_id varint
//     6 create_table      table_id varint | created_version varint |
//                         name lp-bytes | schema | table_options lp-bytes
//     7 remove_delta      table_id varint | file_number varint
//     8 add_delta         table_id varint | file_number varint |
//                         min_version varint | max_version varint |
//                         row_count varint | file_size varint |
//                         min_key lp-bytes | max_key lp-bytes
//     9 rollup            table_id varint | parent_table_id varint |
//                         ready varint (0: back-filling, else version + 1)
//                         (the rollup fields of a table this edit creates)
//    10 rollup_ready      table_id varint | version varint
//    11 commit_time       version varint | unix_micros varint
//                         (when a version was committed: one in a commit,
//                         for its version; one per readable version in a
//                         snapshot, in increasing version order)
//   schema := column_count varint | key_count varint |
//             (name lp-bytes | type u8 | aggregation u8) x column_count
//
// Every varint is minimal (no trailing 0x80 groups), so each edit has one
// encoding. table_id fits 32 bits.

#include "src/version/version_edit.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "absl/time/time.h"

#include "fmt/format.h"
#include "src/format/delta_layout.h"
#include "src/util/coding.h"

namespace mesa::internal {
namespace {

enum Tag : uint64_t {
  kSnapshot = 1,
  kVersion = 2,
  kOldestVersion = 3,
  kNextFileNumber = 4,
  kDropTable = 5,
  kCreateTable = 6,
  kRemoveDelta = 7,
  kAddDelta = 8,
  kRollup = 9,
  kRollupReady = 10,
  kCommitTime = 11,
};

std::string_view TagName(uint64_t tag) {
  switch (tag) {
    case kSnapshot:
      return "snapshot";
    case kVersion:
      return "version";
    case kOldestVersion:
      return "oldest_version";
    case kNextFileNumber:
      return "next_file_number";
    case kDropTable:
      return "drop_table";
    case kCreateTable:
      return "create_table";
    case kRemoveDelta:
      return "remove_delta";
    case kAddDelta:
      return "add_delta";
    case kRollup:
      return "rollup";
    case kRollupReady:
      return "rollup_ready";
    case kCommitTime:
      return "commit_time";
  }
  return "unknown";
}

bool IsListTag(uint64_t tag) {
  return tag >= kDropTable && tag <= kCommitTime;
}

// Reads the fields of one edit, remembering where it is for messages.
class EditParser {
 public:
  explicit EditParser(std::string_view in) : in_(in), d_(in) {}

  size_t offset() const {
    return static_cast<size_t>(d_.position() - in_.data());
  }
  bool done() const { return d_.empty(); }

  absl::Status Error(std::string_view what) const {
    return absl::DataLossError(
        fmt::format("version edit: {} at byte {}", what, offset()));
  }

  // A minimal varint named `field`.
  absl::Status Varint(std::string_view field, uint64_t* v) {
    const char* start = d_.position();
    if (!d_.GetVarint64(v)) {
      return Error(fmt::format("truncated or malformed varint '{}'", field));
    }
    const size_t used = static_cast<size_t>(d_.position() - start);
    if (used > 1 && d_.position()[-1] == 0) {
      return Error(fmt::format("varint '{}' is longer than needed", field));
    }
    return absl::OkStatus();
  }
  absl::Status TableId(uint32_t* id) {
    uint64_t v = 0;
    if (auto s = Varint("table_id", &v); !s.ok()) return s;
    if (v > UINT32_MAX) {
      return Error(fmt::format("table_id {} does not fit 32 bits", v));
    }
    *id = static_cast<uint32_t>(v);
    return absl::OkStatus();
  }
  absl::Status Bytes(std::string_view field, std::string* out) {
    uint64_t n = 0;
    if (auto s = Varint(field, &n); !s.ok()) return s;
    std::string_view bytes;
    if (n > d_.remaining() || !d_.GetBytes(n, &bytes)) {
      return Error(fmt::format("'{}' of {} bytes runs past the end", field, n));
    }
    out->assign(bytes);
    return absl::OkStatus();
  }
  absl::Status Byte(std::string_view field, uint8_t* v) {
    if (!d_.GetFixed8(v)) return Error(fmt::format("truncated '{}'", field));
    return absl::OkStatus();
  }

  // The grammar of EncodeSchema (delta_layout.h), parsed strictly: minimal
  // varints, and errors that say where.
  absl::Status ParseSchema(Schema* out) {
    uint64_t columns = 0, keys = 0;
    if (auto s = Varint("column_count", &columns); !s.ok()) return s;
    if (columns < 1 || columns > Schema::kMaxColumns) {
      return Error(fmt::format("schema column_count {} is not in 1..{}",
                               columns, Schema::kMaxColumns));
    }
    if (auto s = Varint("key_count", &keys); !s.ok()) return s;
    if (keys < 1 || keys > columns) {
      return Error(
          fmt::format("schema key_count {} is not in 1..{}", keys, columns));
    }
    std::vector<ColumnSpec> key_specs, value_specs;
    for (uint64_t i = 0; i < columns; ++i) {
      ColumnSpec c;
      uint8_t type = 0, agg = 0;
      if (auto s = Bytes("column name", &c.name); !s.ok()) return s;
      if (auto s = Byte("column type", &type); !s.ok()) return s;
      if (auto s = Byte("column aggregation", &agg); !s.ok()) return s;
      c.type = static_cast<ColumnType>(type);
      c.aggregation = static_cast<Aggregation>(agg);
      (i < keys ? key_specs : value_specs).push_back(std::move(c));
    }
    absl::StatusOr<Schema> schema =
        Schema::Create(std::move(key_specs), std::move(value_specs));
    if (!schema.ok()) {
      return Error(fmt::format("invalid schema ({})",
                               std::string(schema.status().message())));
    }
    *out = *std::move(schema);
    return absl::OkStatus();
  }

 private:
  std::string_view in_;
  Decoder d_;
};

}  // namespace

void VersionEdit::EncodeTo(std::string* dst) const {
  if (snapshot) {
    PutVarint64(dst, kSnapshot);
    PutVarint64(dst, kManifestFormatVersion);
  }
  if (version.has_value()) {
    PutVarint64(dst, kVersion);
    PutVarint64(dst, *version);
  }
  if (oldest_version.has_value()) {
    PutVarint64(dst, kOldestVersion);
    PutVarint64(dst, *oldest_version);
  }
  if (next_file_number.has_value()) {
    PutVarint64(dst, kNextFileNumber);
    PutVarint64(dst, *next_file_number);
  }
  for (uint32_t id : dropped_tables) {
    PutVarint64(dst, kDropTable);
    PutVarint64(dst, id);
  }
  for (const TableInfo& t : created_tables) {
    PutVarint64(dst, kCreateTable);
    PutVarint64(dst, t.table_id);
    PutVarint64(dst, t.created_version);
    PutLengthPrefixed(dst, t.name);
    EncodeSchema(t.schema, dst);  // the delta file's meta grammar
    PutLengthPrefixed(dst, t.table_options);
  }
  for (const DeltaId& d : removed_deltas) {
    PutVarint64(dst, kRemoveDelta);
    PutVarint64(dst, d.table_id);
    PutVarint64(dst, d.file_number);
  }
  for (const DeltaMeta& d : added_deltas) {
    PutVarint64(dst, kAddDelta);
    PutVarint64(dst, d.table_id);
    PutVarint64(dst, d.file_number);
    PutVarint64(dst, d.min_version);
    PutVarint64(dst, d.max_version);
    PutVarint64(dst, d.row_count);
    PutVarint64(dst, d.file_size);
    PutLengthPrefixed(dst, d.min_key);
    PutLengthPrefixed(dst, d.max_key);
  }
  for (const TableInfo& t : created_tables) {
    if (!t.is_rollup()) continue;
    PutVarint64(dst, kRollup);
    PutVarint64(dst, t.table_id);
    PutVarint64(dst, t.parent_table_id);
    PutVarint64(dst, t.ready_version.has_value() ? *t.ready_version + 1 : 0);
  }
  for (const RollupReady& r : ready_rollups) {
    PutVarint64(dst, kRollupReady);
    PutVarint64(dst, r.table_id);
    PutVarint64(dst, r.version);
  }
  for (const CommitTime& t : commit_times) {
    PutVarint64(dst, kCommitTime);
    PutVarint64(dst, t.version);
    PutVarint64(dst, t.unix_micros);
  }
}

absl::StatusOr<VersionEdit> VersionEdit::Decode(std::string_view in) {
  VersionEdit edit;
  EditParser p(in);
  uint64_t last_tag = 0;
  size_t next_rollup = 0;  // created_tables before it have had their turn
  while (!p.done()) {
    const size_t field_offset = p.offset();
    uint64_t tag = 0;
    if (auto s = p.Varint("tag", &tag); !s.ok()) return s;
    if (tag < kSnapshot || tag > kCommitTime) {
      return absl::DataLossError(fmt::format(
          "version edit: unknown tag {} at byte {}", tag, field_offset));
    }
    if (tag < last_tag || (tag == last_tag && !IsListTag(tag))) {
      return absl::DataLossError(fmt::format(
          "version edit: field '{}' at byte {} {} '{}'", TagName(tag),
          field_offset, tag == last_tag ? "repeats" : "comes after",
          TagName(last_tag)));
    }
    last_tag = tag;
    switch (tag) {
      case kSnapshot: {
        uint64_t format = 0;
        if (auto s = p.Varint("format_version", &format); !s.ok()) return s;
        if (format > kManifestFormatVersion) {
          return absl::InvalidArgumentError(fmt::format(
              "manifest snapshot has format version {}: written by a newer "
              "mesa (this one reads up to {})",
              format, kManifestFormatVersion));
        }
        if (format == 0) return p.Error("snapshot format version 0");
        edit.snapshot = true;
        break;
      }
      case kVersion: {
        uint64_t v = 0;
        if (auto s = p.Varint("version", &v); !s.ok()) return s;
        edit.version = v;
        break;
      }
      case kOldestVersion: {
        uint64_t v = 0;
        if (auto s = p.Varint("oldest_version", &v); !s.ok()) return s;
        edit.oldest_version = v;
        break;
      }
      case kNextFileNumber: {
        uint64_t v = 0;
        if (auto s = p.Varint("next_file_number", &v); !s.ok()) return s;
        edit.next_file_number = v;
        break;
      }
      case kDropTable: {
        uint32_t id = 0;
        if (auto s = p.TableId(&id); !s.ok()) return s;
        edit.dropped_tables.push_back(id);
        break;
      }
      case kCreateTable: {
        TableInfo t;
        if (auto s = p.TableId(&t.table_id); !s.ok()) return s;
        if (auto s = p.Varint("created_version", &t.created_version); !s.ok()) {
          return s;
        }
        if (auto s = p.Bytes("table name", &t.name); !s.ok()) return s;
        if (auto s = p.ParseSchema(&t.schema); !s.ok()) return s;
        if (auto s = p.Bytes("table_options", &t.table_options); !s.ok()) {
          return s;
        }
        edit.created_tables.push_back(std::move(t));
        break;
      }
      case kRemoveDelta: {
        DeltaId d;
        if (auto s = p.TableId(&d.table_id); !s.ok()) return s;
        if (auto s = p.Varint("file_number", &d.file_number); !s.ok()) return s;
        edit.removed_deltas.push_back(d);
        break;
      }
      case kAddDelta: {
        DeltaMeta d;
        if (auto s = p.TableId(&d.table_id); !s.ok()) return s;
        if (auto s = p.Varint("file_number", &d.file_number); !s.ok()) return s;
        if (auto s = p.Varint("min_version", &d.min_version); !s.ok()) return s;
        if (auto s = p.Varint("max_version", &d.max_version); !s.ok()) return s;
        if (auto s = p.Varint("row_count", &d.row_count); !s.ok()) return s;
        if (auto s = p.Varint("file_size", &d.file_size); !s.ok()) return s;
        if (auto s = p.Bytes("min_key", &d.min_key); !s.ok()) return s;
        if (auto s = p.Bytes("max_key", &d.max_key); !s.ok()) return s;
        edit.added_deltas.push_back(std::move(d));
        break;
      }
      case kRollup: {
        uint32_t id = 0, parent = 0;
        uint64_t ready = 0;
        if (auto s = p.TableId(&id); !s.ok()) return s;
        if (auto s = p.TableId(&parent); !s.ok()) return s;
        if (auto s = p.Varint("ready", &ready); !s.ok()) return s;
        if (parent == 0) return p.Error("rollup with parent_table_id 0");
        if (ready > kMaxVersion + 1) {
          return p.Error(fmt::format("rollup ready version {} is past {}",
                                     ready - 1, kMaxVersion));
        }
        // In the order of the created tables, as Encode writes them.
        TableInfo* t = nullptr;
        while (next_rollup < edit.created_tables.size() && t == nullptr) {
          TableInfo& c = edit.created_tables[next_rollup++];
          if (c.table_id == id) t = &c;
        }
        if (t == nullptr) {
          return p.Error(fmt::format(
              "rollup fields for table {}, which the edit does not create "
              "(after the tables of the rollup fields before it)",
              id));
        }
        t->parent_table_id = parent;
        if (ready > 0) t->ready_version = ready - 1;
        break;
      }
      case kRollupReady: {
        RollupReady r;
        if (auto s = p.TableId(&r.table_id); !s.ok()) return s;
        if (auto s = p.Varint("version", &r.version); !s.ok()) return s;
        edit.ready_rollups.push_back(r);
        break;
      }
      case kCommitTime: {
        CommitTime t;
        if (auto s = p.Varint("version", &t.version); !s.ok()) return s;
        if (auto s = p.Varint("unix_micros", &t.unix_micros); !s.ok()) {
          return s;
        }
        edit.commit_times.push_back(t);
        break;
      }
    }
  }
  return edit;
}

std::string VersionEdit::DebugString() const {
  std::string out = snapshot ? "snapshot" : (is_commit() ? "commit" : "edit");
  if (version.has_value()) out += fmt::format(" v={}", *version);
  if (oldest_version.has_value()) {
    out += fmt::format(" oldest={}", *oldest_version);
  }
  if (next_file_number.has_value()) {
    out += fmt::format(" next_file={}", *next_file_number);
  }
  for (uint32_t id : dropped_tables) out += fmt::format(" -table {}", id);
  for (const TableInfo& t : created_tables) {
    out += fmt::format(" +table {} '{}' {} @{}", t.table_id, t.name,
                       t.schema.DebugString(), t.created_version);
    if (t.is_rollup()) {
      out += fmt::format(" rollup of {} ready {}", t.parent_table_id,
                         t.ready_version.has_value()
                             ? fmt::format("@{}", *t.ready_version)
                             : "no");
    }
  }
  for (const DeltaId& d : removed_deltas) {
    out += fmt::format(" -delta {}/#{}", d.table_id, d.file_number);
  }
  for (const DeltaMeta& d : added_deltas) {
    out +=
        fmt::format(" +delta {}/#{} [{},{}] rows={}", d.table_id, d.file_number,
                    d.min_version, d.max_version, d.row_count);
  }
  for (const RollupReady& r : ready_rollups) {
    out += fmt::format(" rollup {} ready @{}", r.table_id, r.version);
  }
  if (commit_times.size() == 1) {
    out += fmt::format(" committed {}", FormatUnixMicros(commit_times[0].unix_micros));
  } else if (!commit_times.empty()) {
    out += fmt::format(" commit_times={} (v{} {} .. v{} {})",
                       commit_times.size(), commit_times.front().version,
                       FormatUnixMicros(commit_times.front().unix_micros),
                       commit_times.back().version,
                       FormatUnixMicros(commit_times.back().unix_micros));
  }
  return out;
}

std::string FormatUnixMicros(uint64_t unix_micros) {
  const absl::Time t = absl::FromUnixMicros(static_cast<int64_t>(
      std::min<uint64_t>(unix_micros, std::numeric_limits<int64_t>::max())));
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", t, absl::UTCTimeZone());
}

}  // namespace mesa::internal
