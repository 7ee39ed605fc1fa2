// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.

#include "src/inspect/value_format.h"

#include <algorithm>

#include "fmt/format.h"
#include "src/format/key_coding.h"
#include "src/util/status_macros.h"

namespace mesa::internal {
namespace {

RowBatch KeyBatch(const Schema& schema) {
  std::vector<ColumnType> types;
  for (size_t k = 0; k < schema.num_keys(); ++k) {
    types.push_back(schema.column(k).type);
  }
  return RowBatch(types);
}

}  // namespace

std::string CodecName(Codec codec) {
  switch (codec) {
    case Codec::kNone:
      return "none";
    case Codec::kSnappy:
      return "Snappy";
    case Codec::kZstd:
      return "ZSTD";
  }
  return fmt::format("codec {}", static_cast<int>(codec));
}

std::string Hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(bytes.size() * 2);
  for (char ch : bytes) {
    const auto c = static_cast<unsigned char>(ch);
    hex.push_back(kDigits[c >> 4]);
    hex.push_back(kDigits[c & 15]);
  }
  return hex;
}

std::string QuoteBytes(std::string_view bytes) {
  std::string q = "\"";
  for (char ch : bytes) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      q.push_back('\\');
      q.push_back(ch);
    } else if (c >= 0x20 && c < 0x7f) {
      q.push_back(ch);
    } else {
      q += fmt::format("\\x{:02x}", c);
    }
  }
  q.push_back('"');
  return q;
}

std::string FormatValue(const ColumnVector& column, size_t row) {
  switch (column.type()) {
    case ColumnType::kInt32:
    case ColumnType::kInt64:
      return fmt::format("{}", column.GetInt64(row));
    case ColumnType::kUint64:
      return fmt::format("{}", column.GetUint64(row));
    case ColumnType::kDouble:
      return fmt::format("{}", column.GetDouble(row));
    case ColumnType::kString:
      return QuoteBytes(column.GetString(row));
  }
  return "?";
}

void WriteJsonValue(JsonWriter& json, const ColumnVector& column, size_t row) {
  switch (column.type()) {
    case ColumnType::kInt32:
    case ColumnType::kInt64:
      return json.Int(column.GetInt64(row));
    case ColumnType::kUint64:
      return json.Uint(column.GetUint64(row));
    case ColumnType::kDouble:
      return json.Double(column.GetDouble(row));
    case ColumnType::kString:
      return json.String(column.GetString(row));
  }
}

std::string FormatKey(std::string_view encoded, const Schema& schema) {
  RowBatch key = KeyBatch(schema);
  absl::StatusOr<size_t> n = DecodeKey(encoded, schema, &key);
  if (!n.ok()) {
    return fmt::format("<undecodable: {}>", StatusMessage(n.status()));
  }
  std::string text = "(";
  for (size_t c = 0; c < *n; ++c) {
    if (c > 0) text += ", ";
    text += FormatValue(key.column(c), 0);
  }
  return text + ")";
}

void WriteJsonKey(JsonWriter& json, std::string_view encoded,
                  const Schema& schema) {
  json.BeginObject(/*compact=*/true);
  json.Field("hex", Hex(encoded));
  RowBatch key = KeyBatch(schema);
  absl::StatusOr<size_t> n = DecodeKey(encoded, schema, &key);
  if (n.ok()) {
    json.Key("values");
    json.BeginArray();
    for (size_t c = 0; c < *n; ++c) WriteJsonValue(json, key.column(c), 0);
    json.EndArray();
  } else {
    json.Field("error", StatusMessage(n.status()));
  }
  json.EndObject();
}

std::string FormatZoneMin(const ZoneMap& zone) {
  return zone.empty() ? "-" : FormatValue(zone.bounds(), 0);
}

std::string FormatZoneMax(const ZoneMap& zone) {
  return zone.empty() || !zone.has_max() ? "-" : FormatValue(zone.bounds(), 1);
}

void WriteJsonZoneMap(JsonWriter& json, std::string_view column,
                      const ZoneMap& zone) {
  json.BeginObject(/*compact=*/true);
  json.Field("column", column);
  json.Key("min");
  if (zone.empty()) {
    json.Null();
  } else {
    WriteJsonValue(json, zone.bounds(), 0);
  }
  json.Key("max");
  if (zone.empty() || !zone.has_max()) {
    json.Null();
  } else {
    WriteJsonValue(json, zone.bounds(), 1);
  }
  json.EndObject();
}

TextTable::TextTable(std::vector<std::string> header,
                     std::vector<bool> numeric)
    : numeric_(std::move(numeric)) {
  numeric_.resize(header.size(), false);
  rows_.push_back(std::move(header));
}

void TextTable::AddRow(std::vector<std::string> row) {
  rows_.push_back(std::move(row));
}

void TextTable::Print(std::ostream& out, std::string_view indent) const {
  std::vector<size_t> widths;
  for (const auto& row : rows_) {
    if (widths.size() < row.size()) widths.resize(row.size(), 0);
    for (size_t c = 0; c < row.size(); ++c) {
      widths[c] = std::max(widths[c], row[c].size());
    }
  }
  for (const auto& row : rows_) {
    std::string line(indent);
    for (size_t c = 0; c < row.size(); ++c) {
      if (c > 0) line += "  ";
      const bool right = c < numeric_.size() && numeric_[c];
      const std::string pad(widths[c] - row[c].size(), ' ');
      line += right ? pad + row[c] : row[c] + pad;
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out << line << '\n';
  }
}

}  // namespace mesa::internal
