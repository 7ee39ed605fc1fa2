// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// A handle to one table: its name, schema and options. Handles come from
// Database::CreateTable and GetTable and stay valid (as values) after the
// table is dropped; committing rows for a dropped table fails.
//
// A table may have rollups (materialized views, the paper's table C over
// table B): tables keyed by a subset of its key columns, with some of its
// value columns, whose rows every Commit derives from the table's rows and
// publishes in the same manifest record. A rollup is read like any table,
// by its name; queries on the parent use it when it answers them.
//
// Thread safety: immutable; safe to share.

#ifndef MESA_TABLE_H_
#define MESA_TABLE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "mesa/options.h"
#include "mesa/schema.h"

namespace mesa {

// A rollup of a table. Its name is a table name: unique among the
// database's tables and rollups.
struct RollupSpec {
  std::string name;
  // Key columns of the parent, in the rollup's key order (any order, at
  // least one; the parent's order is what a prefix scan of the parent
  // would also answer).
  std::vector<std::string> key_columns;
  // Value columns of the parent, each keeping its aggregation; empty: all
  // of them. A REPLACE column cannot be rolled up: which of several parent
  // rows is "newest" is not defined across keys.
  std::vector<std::string> value_columns;
};

struct TableOptions {
  // How the table's delta files are written (its rollups' too).
  DeltaFileOptions delta_file;
  // Rollups created with the table, ready from its first version. More can
  // be added later with Database::AddRollup.
  std::vector<RollupSpec> rollups;
};

class Table : public std::enable_shared_from_this<Table> {
 public:
  Table(uint32_t id, std::string name, Schema schema, TableOptions options,
        std::string rollup_of = "", bool ready = true)
      : id_(id),
        name_(std::move(name)),
        schema_(std::move(schema)),
        options_(std::move(options)),
        rollup_of_(std::move(rollup_of)),
        ready_(ready) {}

  // Unique over the database's life (a re-created table gets a new id).
  uint32_t id() const { return id_; }
  const std::string& name() const { return name_; }
  const Schema& schema() const { return schema_; }
  // For a table: its options, with options().rollups listing its rollups
  // as of when this handle was made.
  const TableOptions& options() const { return options_; }
  // For a rollup: its parent's name; empty for a table of its own.
  const std::string& rollup_of() const { return rollup_of_; }
  bool is_rollup() const { return !rollup_of_.empty(); }
  // False while a rollup added to a table holding data is back-filled.
  bool ready() const { return ready_; }

 private:
  uint32_t id_;
  std::string name_;
  Schema schema_;
  TableOptions options_;
  std::string rollup_of_;
  bool ready_;
};

}  // namespace mesa

#endif  // MESA_TABLE_H_
