// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// GROUP BY over merged rows that arrive in key order. Rows whose leading
// key columns differ never share a group when the group key holds those
// columns, so the aggregator partitions the input by the longest key
// prefix inside the group key and hashes only within a partition: a group
// key that is a key prefix streams with one group open; any other group
// key keeps one hash table per partition (one for the whole scan if the
// group key lacks the first key column). Each finished partition's groups
// come out sorted by their encoded group key, so the output is sorted by
// the group key in the table's key order either way.
//
// Thread safety: used by one thread at a time.

#ifndef MESA_QUERY_GROUP_BY_H_
#define MESA_QUERY_GROUP_BY_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "mesa/row_batch.h"
#include "src/query/scan_plan.h"

namespace mesa::internal {

class GroupAggregator {
 public:
  // `group_keys`: positions in the input rows of the group columns, in key
  // order; the first `prefix` of them are the input's leading key columns.
  GroupAggregator(std::vector<size_t> group_keys, size_t prefix,
                  std::vector<GroupValue> values,
                  std::vector<ColumnType> key_types);

  // Group rows: the group columns, then the aggregated values.
  const std::vector<ColumnType>& row_types() const { return row_types_; }

  // Adds row `r` of `in`. When it starts a new partition, the previous
  // partition's groups are appended to `ready` (sorted).
  void Add(const RowBatch& in, size_t r, RowBatch* ready);
  // Adds rows [begin, end) of `in` (the bulk form of Add).
  void AddRange(const RowBatch& in, size_t begin, size_t end,
                RowBatch* ready);
  // The input ended: appends the open partition's groups to `ready`.
  void Finish(RowBatch* ready);

  // Appends the encoded group key of row `r` of a group-row batch.
  void EncodeGroupKey(const RowBatch& groups, size_t r, std::string* dst) const;

  uint64_t groups() const { return groups_out_; }

 private:
  // Maps a group's word (kWord's value, kString's packed short string) to
  // its index in the open partition: open addressing, emptied in O(1) per
  // partition by a new generation (most partitions, one advertiser's
  // countries, hold a handful of groups).
  class WordIndex {
   public:
    WordIndex() : slots_(16) {}
    // The index of `key`, inserting `value` for it if absent (*inserted).
    uint32_t FindOrInsert(uint64_t key, uint32_t value, bool* inserted) {
      for (size_t i = Home(key);; i = (i + 1) & mask_) {
        Slot& s = slots_[i];
        if (s.generation != generation_) {
          s = {key, generation_, value};
          *inserted = true;
          if (++size_ * 2 > slots_.size()) Grow();
          return value;
        }
        if (s.key == key) {
          *inserted = false;
          return s.value;
        }
      }
    }
    void Clear();

   private:
    struct Slot {
      uint64_t key = 0;
      uint32_t generation = 0;  // the slot is empty unless this is current
      uint32_t value = 0;
    };
    size_t Home(uint64_t key) const {
      return static_cast<size_t>((key * 0x9e3779b97f4a7c15u) >> shift_);
    }
    void Grow();

    std::vector<Slot> slots_;
    size_t mask_ = 15;
    int shift_ = 60;
    uint32_t generation_ = 1;
    size_t size_ = 0;
  };

  // The word kString looks a short string (<= 7 bytes) up and sorts it
  // by: its bytes from the top, zero padded, and its length in the low
  // byte (so "a" and "a\0" differ), whose unsigned order is the strings'.
  static uint64_t PackShort(std::string_view v) {
    uint64_t packed = v.size();
    for (size_t i = 0; i < v.size(); ++i) {
      packed |= uint64_t{static_cast<uint8_t>(v[i])} << (56 - 8 * i);
    }
    return packed;
  }
  void Flush(RowBatch* ready);
  bool SamePartition(const RowBatch& in, size_t r) const;
  // Appends row `r` of `in` as a new group of the open partition.
  void AppendGroup(const RowBatch& in, size_t r);
  // AddRange when the partition columns and the values are numbers and
  // the group key is one more column (kWord, kString): the column data
  // hoisted out of the loop, the open partition's prefix held as words.
  void AddRangeFast(const RowBatch& in, size_t begin, size_t end,
                    RowBatch* ready);

  const std::vector<size_t> group_keys_;
  const size_t prefix_;
  const std::vector<GroupValue> values_;
  std::vector<ColumnType> row_types_;

  bool open_ = false;
  RowBatch partition_;  // one row per group of the open partition
  // How groups are found within a partition: the group key is all prefix
  // (one group); one more numeric column (by its word) or string column
  // (by its bytes), the common cases, kept without encoding; or several
  // (by their encoding).
  enum class Mode { kPrefix, kWord, kString, kEncoded };
  Mode mode_ = Mode::kEncoded;
  WordIndex word_index_;
  bool fast_ = false;  // AddRange may take AddRangeFast
  std::vector<uint64_t> open_prefix_;  // AddRangeFast's scratch
  std::vector<uint32_t> order_;  // Flush's scratch
  // kWord, kString: each group's word in value order (SortableWord,
  // PackShort), so Flush sorts words; unless a long string is among them.
  std::vector<uint64_t> sort_words_;
  bool sort_by_words_ = true;
  absl::flat_hash_map<std::string, uint32_t> index_;
  std::vector<std::string> suffixes_;  // kEncoded: each group's encoding
  // String MIN/MAX values, per string value column, per group (a
  // ColumnVector cannot change a string in the middle).
  std::vector<std::vector<std::string>> strings_;
  std::string buf_;
  uint64_t groups_out_ = 0;
};

}  // namespace mesa::internal

#endif  // MESA_QUERY_GROUP_BY_H_
