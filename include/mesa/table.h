// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// A handle to one table: its name, schema and options. Handles come from
// Database::CreateTable and GetTable and stay valid (as values) after the
// table is dropped; committing rows for a dropped table fails.
//
// Thread safety: immutable; safe to share.

#ifndef MESA_TABLE_H_
#define MESA_TABLE_H_

#include <cstdint>
#include <memory>
#include <string>

#include "mesa/options.h"
#include "mesa/schema.h"

namespace mesa {

struct TableOptions {
  // How the table's delta files are written.
  DeltaFileOptions delta_file;
};

class Table : public std::enable_shared_from_this<Table> {
 public:
  Table(uint32_t id, std::string name, Schema schema, TableOptions options)
      : id_(id),
        name_(std::move(name)),
        schema_(std::move(schema)),
        options_(options) {}

  // Unique over the database's life (a re-created table gets a new id).
  uint32_t id() const { return id_; }
  const std::string& name() const { return name_; }
  const Schema& schema() const { return schema_; }
  const TableOptions& options() const { return options_; }

 private:
  uint32_t id_;
  std::string name_;
  Schema schema_;
  TableOptions options_;
};

}  // namespace mesa

#endif  // MESA_TABLE_H_
