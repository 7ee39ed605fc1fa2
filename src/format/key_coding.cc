// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.

#include "src/format/key_coding.h"

#include "absl/strings/str_cat.h"

namespace mesa::internal {
namespace {

void PutBigEndian64(std::string* dst, uint64_t v) {
  char buf[8];
  for (int i = 7; i >= 0; --i) {
    buf[i] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
  dst->append(buf, 8);
}

uint64_t LoadBigEndian(const char* p, int n) {
  uint64_t v = 0;
  for (int i = 0; i < n; ++i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

}  // namespace

void AppendKeyPart(const ColumnVector& column, size_t row, std::string* dst) {
  switch (column.type()) {
    case ColumnType::kInt32: {
      uint32_t v = static_cast<uint32_t>(column.GetInt32(row)) ^ 0x80000000u;
      char buf[4] = {static_cast<char>(v >> 24), static_cast<char>(v >> 16),
                     static_cast<char>(v >> 8), static_cast<char>(v)};
      dst->append(buf, 4);
      return;
    }
    case ColumnType::kInt64:
      PutBigEndian64(dst, column.GetWord(row) ^ (uint64_t{1} << 63));
      return;
    case ColumnType::kUint64:
      PutBigEndian64(dst, column.GetWord(row));
      return;
    case ColumnType::kDouble:
      PutBigEndian64(dst, DoubleOrderedBits(column.GetWord(row)));
      return;
    case ColumnType::kString: {
      std::string_view s = column.GetString(row);
      size_t start = 0;
      for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\0') {
          dst->append(s.data() + start, i - start + 1);
          dst->push_back('\xff');
          start = i + 1;
        }
      }
      dst->append(s.data() + start, s.size() - start);
      dst->push_back('\0');
      dst->push_back('\x01');
      return;
    }
  }
}

void AppendEncodedKey(const RowBatch& batch, size_t row,
                      size_t num_key_columns, std::string* dst) {
  for (size_t c = 0; c < num_key_columns; ++c) {
    AppendKeyPart(batch.column(c), row, dst);
  }
}

absl::StatusOr<size_t> DecodeKey(std::string_view encoded,
                                 const Schema& schema, RowBatch* out) {
  size_t col = 0;
  size_t pos = 0;
  while (pos < encoded.size()) {
    if (col >= schema.num_keys()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "encoded key has ", encoded.size() - pos,
          " bytes after its last key column"));
    }
    ColumnVector& dst = out->column(col);
    const char* p = encoded.data() + pos;
    size_t left = encoded.size() - pos;
    switch (schema.column(col).type) {
      case ColumnType::kInt32:
        if (left < 4) return absl::InvalidArgumentError("truncated int32 key");
        dst.AppendInt32(static_cast<int32_t>(
            static_cast<uint32_t>(LoadBigEndian(p, 4)) ^ 0x80000000u));
        pos += 4;
        break;
      case ColumnType::kInt64:
      case ColumnType::kUint64:
      case ColumnType::kDouble: {
        if (left < 8) return absl::InvalidArgumentError("truncated 8-byte key");
        uint64_t v = LoadBigEndian(p, 8);
        ColumnType t = schema.column(col).type;
        if (t == ColumnType::kInt64) v ^= uint64_t{1} << 63;
        if (t == ColumnType::kDouble) v = DoubleFromOrderedBits(v);
        dst.AppendWord(v);
        pos += 8;
        break;
      }
      case ColumnType::kString: {
        std::string value;
        size_t i = 0;
        bool terminated = false;
        while (i < left) {
          char ch = p[i];
          if (ch != '\0') {
            value.push_back(ch);
            ++i;
            continue;
          }
          if (i + 1 >= left) break;
          if (p[i + 1] == '\xff') {
            value.push_back('\0');
            i += 2;
          } else if (p[i + 1] == '\x01') {
            i += 2;
            terminated = true;
            break;
          } else {
            return absl::InvalidArgumentError("bad escape in string key");
          }
        }
        if (!terminated) {
          return absl::InvalidArgumentError("unterminated string key");
        }
        dst.AppendString(value);
        pos += i;
        break;
      }
    }
    ++col;
  }
  return col;
}

}  // namespace mesa::internal
