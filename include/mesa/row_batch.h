// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// Columnar batches of rows: how rows move through mesa, as DuckDB's
// DataChunk. A ColumnVector holds one column's values for a batch; a
// RowBatch holds one ColumnVector per column of a schema.
//
// Numeric values are kept as 64-bit words: int32 and int64 sign-extended,
// uint64 as is, double as its IEEE-754 bit pattern. Strings are kept as an
// offsets array over one byte buffer (a numeric column's offsets and bytes
// stay empty: making or clearing one allocates nothing but its words).
//
// Thread safety: not thread-safe; a const ColumnVector or RowBatch may be
// read from many threads.

#ifndef MESA_ROW_BATCH_H_
#define MESA_ROW_BATCH_H_

#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "mesa/schema.h"

namespace mesa {

class ColumnVector {
 public:
  explicit ColumnVector(ColumnType type = ColumnType::kInt64) : type_(type) {
    if (is_string()) offsets_.assign(1, 0);
  }

  ColumnType type() const { return type_; }
  bool is_string() const { return type_ == ColumnType::kString; }
  size_t size() const {
    return is_string() ? offsets_.size() - 1 : words_.size();
  }
  bool empty() const { return size() == 0; }

  void Clear() {
    words_.clear();
    if (is_string()) {
      offsets_.assign(1, 0);
      bytes_.clear();
    }
  }
  void Reserve(size_t rows) {
    if (is_string()) {
      offsets_.reserve(rows + 1);
    } else {
      words_.reserve(rows);
    }
  }

  // Appending. The typed appenders must match the column's type.
  void AppendInt32(int32_t v) { words_.push_back(static_cast<int64_t>(v)); }
  void AppendInt64(int64_t v) { words_.push_back(static_cast<uint64_t>(v)); }
  void AppendUint64(uint64_t v) { words_.push_back(v); }
  void AppendDouble(double v) { words_.push_back(std::bit_cast<uint64_t>(v)); }
  void AppendWord(uint64_t w) { words_.push_back(w); }
  void AppendString(std::string_view s) {
    bytes_.append(s);
    offsets_.push_back(static_cast<uint32_t>(bytes_.size()));
  }
  // Appends row `row` of `other`, which has the same type.
  void AppendFrom(const ColumnVector& other, size_t row) {
    if (is_string()) {
      AppendString(other.GetString(row));
    } else {
      words_.push_back(other.words_[row]);
    }
  }

  // Appends rows [begin, end) of `other`, which has the same type.
  void AppendRange(const ColumnVector& other, size_t begin, size_t end) {
    if (!is_string()) {
      words_.insert(words_.end(), other.words_.begin() + begin,
                    other.words_.begin() + end);
      return;
    }
    const uint32_t from = other.offsets_[begin];
    const uint32_t base = static_cast<uint32_t>(bytes_.size());
    bytes_.append(other.bytes_, from, other.offsets_[end] - from);
    for (size_t i = begin + 1; i <= end; ++i) {
      offsets_.push_back(base + (other.offsets_[i] - from));
    }
  }

  // Reading.
  uint64_t GetWord(size_t i) const { return words_[i]; }
  int64_t GetInt64(size_t i) const { return static_cast<int64_t>(words_[i]); }
  int32_t GetInt32(size_t i) const { return static_cast<int32_t>(words_[i]); }
  uint64_t GetUint64(size_t i) const { return words_[i]; }
  double GetDouble(size_t i) const {
    return std::bit_cast<double>(words_[i]);
  }
  std::string_view GetString(size_t i) const {
    return std::string_view(bytes_.data() + offsets_[i],
                            offsets_[i + 1] - offsets_[i]);
  }
  // Raw bytes a value takes (8 for numbers; its length for a string).
  size_t ValueSize(size_t i) const {
    return is_string() ? offsets_[i + 1] - offsets_[i] : 8;
  }

  // Direct access for encoders and decoders.
  std::vector<uint64_t>& words() { return words_; }
  const std::vector<uint64_t>& words() const { return words_; }
  std::vector<uint32_t>& offsets() { return offsets_; }
  const std::vector<uint32_t>& offsets() const { return offsets_; }
  std::string& bytes() { return bytes_; }
  const std::string& bytes() const { return bytes_; }

 private:
  ColumnType type_;
  std::vector<uint64_t> words_;
  std::vector<uint32_t> offsets_;  // strings only: {0, end of value 0, ...}
  std::string bytes_;
};

// A read-only view of rows [begin, begin + n) of a ColumnVector, or of a
// column the library keeps (ScanCursor::NextView): the same getters, over
// memory it does not own. Valid while that memory is (the cursor says how
// long).
class ColumnView {
 public:
  ColumnView() = default;
  ColumnView(const ColumnVector& col, size_t begin, size_t n)
      : type_(col.type()), size_(n) {
    if (col.is_string()) {
      offsets_ = col.offsets().data() + begin;
      bytes_ = col.bytes().data();
    } else {
      words_ = col.words().data() + begin;
    }
  }

  ColumnType type() const { return type_; }
  bool is_string() const { return type_ == ColumnType::kString; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  uint64_t GetWord(size_t i) const { return words_[i]; }
  int64_t GetInt64(size_t i) const { return static_cast<int64_t>(words_[i]); }
  int32_t GetInt32(size_t i) const { return static_cast<int32_t>(words_[i]); }
  uint64_t GetUint64(size_t i) const { return words_[i]; }
  double GetDouble(size_t i) const { return std::bit_cast<double>(words_[i]); }
  std::string_view GetString(size_t i) const {
    return std::string_view(bytes_ + offsets_[i], offsets_[i + 1] - offsets_[i]);
  }
  // A numeric column's words, as ColumnVector::words() (none for strings).
  const uint64_t* words_begin() const { return words_; }
  const uint64_t* words_end() const {
    return words_ == nullptr ? nullptr : words_ + size_;
  }

 private:
  ColumnType type_ = ColumnType::kInt64;
  size_t size_ = 0;
  const uint64_t* words_ = nullptr;
  const uint32_t* offsets_ = nullptr;  // strings: size_ + 1 offsets
  const char* bytes_ = nullptr;        // into which offsets_ point
};

// Orders row `i` of `a` against row `j` of `b` (same type): negative, zero
// or positive. Doubles order by value with -0.0 < +0.0 and NaNs last, the
// order of mesa's order-preserving key encoding.
int CompareValues(const ColumnVector& a, size_t i, const ColumnVector& b,
                  size_t j);

class RowBatch {
 public:
  RowBatch() = default;
  // One empty column per column of `schema`, typed to match.
  explicit RowBatch(const Schema& schema);
  // Columns of the given types (a projection).
  explicit RowBatch(const std::vector<ColumnType>& types);

  size_t num_columns() const { return columns_.size(); }
  size_t num_rows() const { return columns_.empty() ? 0 : columns_[0].size(); }
  ColumnVector& column(size_t i) { return columns_[i]; }
  const ColumnVector& column(size_t i) const { return columns_[i]; }
  void Clear() {
    for (auto& c : columns_) c.Clear();
  }
  // Appends rows [begin, end) of `other`, which has the same column types.
  void AppendRows(const RowBatch& other, size_t begin, size_t end) {
    for (size_t c = 0; c < columns_.size(); ++c) {
      columns_[c].AppendRange(other.columns_[c], begin, end);
    }
  }
  // Appends row `row` of `other`, which has the same column types.
  void AppendRow(const RowBatch& other, size_t row) {
    for (size_t c = 0; c < columns_.size(); ++c) {
      columns_[c].AppendFrom(other.columns_[c], row);
    }
  }

 private:
  std::vector<ColumnVector> columns_;
};

}  // namespace mesa

#endif  // MESA_ROW_BATCH_H_
