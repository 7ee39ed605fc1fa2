// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.

#include "mesa/value.h"

#include <bit>
#include <cmath>
#include <limits>

#include "fmt/format.h"

namespace mesa {

Value::Value(double v)
    : type_(ColumnType::kDouble), word_(std::bit_cast<uint64_t>(v)) {}

std::string Value::DebugString() const {
  switch (type_) {
    case ColumnType::kInt32:
    case ColumnType::kInt64:
      return fmt::format("{}", static_cast<int64_t>(word_));
    case ColumnType::kUint64:
      return fmt::format("{}u", word_);
    case ColumnType::kDouble:
      return fmt::format("{}", std::bit_cast<double>(word_));
    case ColumnType::kString:
      return fmt::format("\"{}\"", str_);
  }
  return "?";
}

absl::Status Value::AppendTo(ColumnVector* column) const {
  const ColumnType want = column->type();
  auto mismatch = [&](std::string_view why) {
    return absl::InvalidArgumentError(
        fmt::format("{} value {} does not fit a {} column{}",
                    ColumnTypeName(type_), DebugString(), ColumnTypeName(want),
                    why));
  };
  if (want == ColumnType::kString || type_ == ColumnType::kString) {
    if (want != type_) return mismatch("");
    column->AppendString(str_);
    return absl::OkStatus();
  }
  if (want == type_) {
    column->AppendWord(word_);
    return absl::OkStatus();
  }
  if (type_ == ColumnType::kDouble) {
    return mismatch(" (a double never converts to an integer column)");
  }
  // An integer: as a signed 64-bit value, or an unsigned one above that.
  const bool is_unsigned = type_ == ColumnType::kUint64;
  const int64_t s = static_cast<int64_t>(word_);
  switch (want) {
    case ColumnType::kInt32:
      if ((is_unsigned && word_ > static_cast<uint64_t>(
                                      std::numeric_limits<int32_t>::max())) ||
          (!is_unsigned && (s < std::numeric_limits<int32_t>::min() ||
                            s > std::numeric_limits<int32_t>::max()))) {
        return mismatch(" (out of range)");
      }
      column->AppendInt32(static_cast<int32_t>(s));
      return absl::OkStatus();
    case ColumnType::kInt64:
      if (is_unsigned && word_ > static_cast<uint64_t>(
                                     std::numeric_limits<int64_t>::max())) {
        return mismatch(" (out of range)");
      }
      column->AppendInt64(s);
      return absl::OkStatus();
    case ColumnType::kUint64:
      if (!is_unsigned && s < 0) return mismatch(" (negative)");
      column->AppendUint64(word_);
      return absl::OkStatus();
    case ColumnType::kDouble: {
      double d = is_unsigned ? static_cast<double>(word_)
                             : static_cast<double>(s);
      bool exact = is_unsigned ? (d < 18446744073709551616.0 &&
                                  static_cast<uint64_t>(d) == word_)
                               : (d < 9223372036854775808.0 &&
                                  static_cast<int64_t>(d) == s);
      if (!exact) return mismatch(" (not exactly representable)");
      column->AppendDouble(d);
      return absl::OkStatus();
    }
    case ColumnType::kString:
      break;
  }
  return mismatch("");
}

}  // namespace mesa
