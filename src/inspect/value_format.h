// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// How mesa-inspect shows values, keys and names, as text and as JSON, and
// an aligned text table for the human output.
//
// Thread safety: stateless functions; a TextTable is used by one thread.

#ifndef MESA_INSPECT_VALUE_FORMAT_H_
#define MESA_INSPECT_VALUE_FORMAT_H_

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "mesa/options.h"
#include "mesa/row_batch.h"
#include "mesa/schema.h"
#include "src/format/zone_map.h"
#include "src/inspect/json_writer.h"

namespace mesa::internal {

// "none", "Snappy", "ZSTD"; "codec N" for an unknown code.
std::string CodecName(Codec codec);

// Lower-case hex of every byte ("" for none).
std::string Hex(std::string_view bytes);

// A quoted string with C escapes: "ab\x00\xff\"".
std::string QuoteBytes(std::string_view bytes);

// Row `row` of `column` as text: integers in decimal, doubles in their
// shortest round-trip form ("nan", "inf" included), strings quoted.
std::string FormatValue(const ColumnVector& column, size_t row);
void WriteJsonValue(JsonWriter& json, const ColumnVector& column, size_t row);

// An encoded key (or key prefix) decoded to values: "(1, \"ab\")". Bytes
// that do not decode are shown as "<undecodable: why>".
std::string FormatKey(std::string_view encoded, const Schema& schema);
// {"hex": "...", "values": [...]} ("error" instead of "values" if the bytes
// do not decode).
void WriteJsonKey(JsonWriter& json, std::string_view encoded,
                  const Schema& schema);

// A zone map's bounds as text: max is "-" when absent.
std::string FormatZoneMin(const ZoneMap& zone);
std::string FormatZoneMax(const ZoneMap& zone);
// {"column": name, "min": v, "max": v or null}
void WriteJsonZoneMap(JsonWriter& json, std::string_view column,
                      const ZoneMap& zone);

// Rows of cells printed in aligned columns. Cells of the columns marked
// numeric are right-aligned, the others left-aligned.
class TextTable {
 public:
  explicit TextTable(std::vector<std::string> header,
                     std::vector<bool> numeric = {});
  void AddRow(std::vector<std::string> row);
  // Every line starts with `indent`; trailing spaces are trimmed.
  void Print(std::ostream& out, std::string_view indent = "  ") const;

 private:
  std::vector<std::vector<std::string>> rows_;
  std::vector<bool> numeric_;
};

}  // namespace mesa::internal

#endif  // MESA_INSPECT_VALUE_FORMAT_H_
