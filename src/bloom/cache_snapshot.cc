// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// Grammar (docs/format.md, "Already-read cache snapshot"; u8/u32/u64 are
// little-endian):
//
//   snapshot := header chunk* end_chunk
//   header   := magic[8] "\x89MARC\r\n\x1a"  format_version u32 (1)
//               item_hash u8 (1)  reserved[3] (0)  shard_count u32
//               shard u32 (0xFFFFFFFF: all)  name lp-bytes (<= 255)
//               checksum u64 (XXH3-64 of every preceding header byte)
//   chunk    := kind u8 (1)  payload_size u32  payload  checksum u64
//   end_chunk:= kind u8 (0)  payload_size u32 (16)
//               entry_count u64  chunk_count u64  checksum u64
//   (a chunk's checksum is XXH3-64 of its kind, payload_size and payload)
//   payload  := entry_count varint  entry x entry_count
//   entry    := user u64  seed u64  block_bytes u8 (32|64)
//               main_blocks u32 (>= 1)  main_capacity varint (>= 1)
//               main_items varint  overflow_blocks u32 (0: none)
//               [overflow_capacity varint (>= 1)  overflow_items varint]
//               main bits (main_blocks * block_bytes bytes)
//               overflow bits (overflow_blocks * block_bytes bytes)
//
// Nothing may follow the end chunk.

#include "src/bloom/cache_snapshot.h"

#include <fmt/format.h>

#include <utility>

#include "absl/container/flat_hash_set.h"
#include "src/util/coding.h"
#include "src/util/hash.h"
#include "src/util/status_macros.h"

namespace mesa::internal {
namespace {

constexpr uint8_t kChunkFilters = 1;
constexpr uint8_t kChunkEnd = 0;
constexpr size_t kChunkTarget = size_t{1} << 20;
constexpr size_t kHeaderFixed = 24;  // magic through shard
constexpr size_t kMaxName = 255;

}  // namespace

SnapshotWriter::SnapshotWriter(WritableFile* file, SnapshotHeader header)
    : file_(file), header_(std::move(header)) {}

absl::Status SnapshotWriter::Start() {
  if (started_) return absl::OkStatus();
  started_ = true;
  if (header_.name.size() > kMaxName) {
    return absl::InvalidArgumentError(fmt::format(
        "cache name is {} bytes; a snapshot holds at most {}",
        header_.name.size(), kMaxName));
  }
  std::string h(kSnapshotMagic, sizeof(kSnapshotMagic));
  PutFixed32(&h, kSnapshotFormatVersion);
  PutFixed8(&h, kSnapshotItemHashSplitMix);
  h.append(3, '\0');
  PutFixed32(&h, header_.shard_count);
  PutFixed32(&h, header_.shard);
  PutLengthPrefixed(&h, header_.name);
  PutFixed64(&h, Checksum64(h));
  return file_->Append(h);
}

absl::Status SnapshotWriter::Add(int64_t user, const UserFilter& filter) {
  MESA_RETURN_IF_ERROR(Start());
  if (chunk_.empty()) chunk_.assign(5, '\0');  // kind and size, set on flush
  const FilterStage& main = filter.main_stage();
  const FilterStage* overflow = filter.overflow_stage();
  PutFixed64(&chunk_, static_cast<uint64_t>(user));
  PutFixed64(&chunk_, filter.seed());
  PutFixed8(&chunk_, static_cast<uint8_t>(filter.block_bytes()));
  PutFixed32(&chunk_, main.num_blocks());
  PutVarint64(&chunk_, filter.main_capacity());
  PutVarint64(&chunk_, filter.main_items());
  PutFixed32(&chunk_, overflow != nullptr ? overflow->num_blocks() : 0);
  if (overflow != nullptr) {
    PutVarint64(&chunk_, filter.overflow_capacity());
    PutVarint64(&chunk_, filter.overflow_items());
  }
  size_t at = chunk_.size();
  chunk_.resize(at + main.size_bytes() +
                (overflow != nullptr ? overflow->size_bytes() : 0));
  main.CopyTo(chunk_.data() + at);
  if (overflow != nullptr) overflow->CopyTo(chunk_.data() + at + main.size_bytes());
  ++chunk_entries_;
  ++entries_;
  if (chunk_.size() >= kChunkTarget) return FlushChunk();
  return absl::OkStatus();
}

absl::Status SnapshotWriter::FlushChunk() {
  if (chunk_entries_ == 0) return absl::OkStatus();
  // The entry count leads the payload; entries were appended after the
  // 5-byte chunk header, so splice the count in front of them.
  std::string count;
  PutVarint64(&count, chunk_entries_);
  chunk_.insert(5, count);
  const size_t payload = chunk_.size() - 5;
  if (payload > 0xFFFFFFFFu) {
    return absl::InvalidArgumentError(
        fmt::format("a user filter of {} bytes is too large for a snapshot",
                    payload));
  }
  chunk_[0] = static_cast<char>(kChunkFilters);
  const uint32_t size32 = static_cast<uint32_t>(payload);
  std::memcpy(chunk_.data() + 1, &size32, 4);
  PutFixed64(&chunk_, Checksum64(chunk_));
  MESA_RETURN_IF_ERROR(file_->Append(chunk_));
  chunk_.clear();
  chunk_entries_ = 0;
  ++chunks_;
  return absl::OkStatus();
}

absl::Status SnapshotWriter::Finish() {
  MESA_RETURN_IF_ERROR(Start());
  MESA_RETURN_IF_ERROR(FlushChunk());
  std::string end;
  PutFixed8(&end, kChunkEnd);
  PutFixed32(&end, 16);
  PutFixed64(&end, entries_);
  PutFixed64(&end, chunks_);
  PutFixed64(&end, Checksum64(end));
  return file_->Append(end);
}

namespace {

// Reads the snapshot front to back, verifying as it goes.
class SnapshotReader {
 public:
  explicit SnapshotReader(const RandomAccessFile& file)
      : file_(file), size_(file.Size()) {}

  absl::StatusOr<std::vector<SnapshotEntry>> Read(SnapshotHeader* header) {
    MESA_RETURN_IF_ERROR(ReadHeader(header));
    std::vector<SnapshotEntry> entries;
    absl::flat_hash_set<int64_t> users;
    uint64_t chunks = 0;
    while (true) {
      const uint64_t chunk_offset = offset_;
      std::string_view head;
      MESA_RETURN_IF_ERROR(ReadAt(offset_, 5, &head, "chunk header"));
      const uint8_t kind = static_cast<uint8_t>(head[0]);
      const uint32_t payload_size = LoadFixed32(head.data() + 1);
      if (kind != kChunkFilters && kind != kChunkEnd) {
        return Corrupt(chunk_offset, fmt::format("unknown chunk kind {}", kind));
      }
      if (uint64_t{payload_size} + 13 > size_ - chunk_offset) {
        return Corrupt(chunk_offset,
                       fmt::format("chunk of {} bytes runs past the end of the "
                                   "file (truncated?)",
                                   payload_size));
      }
      std::string_view chunk;
      MESA_RETURN_IF_ERROR(
          ReadAt(chunk_offset, size_t{payload_size} + 13, &chunk, "chunk"));
      const std::string_view covered = chunk.substr(0, chunk.size() - 8);
      if (Checksum64(covered) != LoadFixed64(chunk.data() + covered.size())) {
        return Corrupt(chunk_offset, "chunk checksum mismatch");
      }
      offset_ = chunk_offset + chunk.size();
      const std::string_view payload = covered.substr(5);
      if (kind == kChunkEnd) {
        if (payload.size() != 16) {
          return Corrupt(chunk_offset, "end chunk is not 16 bytes");
        }
        if (LoadFixed64(payload.data()) != entries.size() ||
            LoadFixed64(payload.data() + 8) != chunks) {
          return Corrupt(chunk_offset,
                         "end chunk's counts do not match the file's chunks");
        }
        if (offset_ != size_) {
          return Corrupt(offset_, "bytes after the end chunk");
        }
        return entries;
      }
      ++chunks;
      MESA_RETURN_IF_ERROR(
          DecodeChunk(payload, chunk_offset + 5, &users, &entries));
    }
  }

 private:
  absl::Status ReadHeader(SnapshotHeader* header) {
    const size_t want = static_cast<size_t>(
        std::min<uint64_t>(size_, kHeaderFixed + 2 + kMaxName + 8));
    std::string_view h;
    MESA_RETURN_IF_ERROR(ReadAt(0, want, &h, "header"));
    if (h.size() < sizeof(kSnapshotMagic) ||
        std::string_view(h.data(), sizeof(kSnapshotMagic)) !=
            std::string_view(kSnapshotMagic, sizeof(kSnapshotMagic))) {
      return Corrupt(0, "not an already-read cache snapshot (bad magic)");
    }
    Decoder d(h.substr(sizeof(kSnapshotMagic)));
    uint8_t item_hash;
    std::string_view reserved, name;
    if (!d.GetFixed32(&header->format_version) || !d.GetFixed8(&item_hash) ||
        !d.GetBytes(3, &reserved) || !d.GetFixed32(&header->shard_count) ||
        !d.GetFixed32(&header->shard) || !d.GetLengthPrefixed(&name) ||
        name.size() > kMaxName) {
      return Corrupt(0, "truncated or malformed header");
    }
    const size_t covered = static_cast<size_t>(d.position() - h.data());
    uint64_t checksum;
    if (!d.GetFixed64(&checksum)) return Corrupt(0, "truncated header");
    if (Checksum64(h.substr(0, covered)) != checksum) {
      return Corrupt(0, "header checksum mismatch");
    }
    if (header->format_version > kSnapshotFormatVersion) {
      return absl::InvalidArgumentError(fmt::format(
          "already-read snapshot {}: format version {} was written by a newer "
          "mesa (this one reads up to {})",
          file_.path(), header->format_version, kSnapshotFormatVersion));
    }
    if (header->format_version == 0 ||
        item_hash != kSnapshotItemHashSplitMix) {
      return Corrupt(0, fmt::format("unknown format version {} or item hash {}",
                                    header->format_version, item_hash));
    }
    header->name.assign(name.data(), name.size());
    offset_ = covered + 8;
    return absl::OkStatus();
  }

  absl::Status DecodeChunk(std::string_view payload, uint64_t payload_offset,
                           absl::flat_hash_set<int64_t>* users,
                           std::vector<SnapshotEntry>* entries) {
    Decoder d(payload);
    uint64_t count;
    if (!d.GetVarintBounded(payload.size(), &count)) {
      return Corrupt(payload_offset, "bad entry count");
    }
    for (uint64_t e = 0; e < count; ++e) {
      const uint64_t at =
          payload_offset + static_cast<uint64_t>(d.position() - payload.data());
      uint64_t user, seed, main_capacity, main_items;
      uint64_t overflow_capacity = 0, overflow_items = 0;
      uint8_t block_bytes;
      uint32_t main_blocks, overflow_blocks;
      if (!d.GetFixed64(&user) || !d.GetFixed64(&seed) ||
          !d.GetFixed8(&block_bytes) || !d.GetFixed32(&main_blocks) ||
          !d.GetVarint64(&main_capacity) || !d.GetVarint64(&main_items) ||
          !d.GetFixed32(&overflow_blocks) ||
          (overflow_blocks > 0 && (!d.GetVarint64(&overflow_capacity) ||
                                   !d.GetVarint64(&overflow_items)))) {
        return Corrupt(at, "truncated entry");
      }
      if ((block_bytes != 32 && block_bytes != 64) || main_blocks == 0 ||
          main_capacity == 0 || (overflow_blocks > 0 && overflow_capacity == 0)) {
        return Corrupt(at, "entry has an impossible filter shape");
      }
      const uint64_t main_size = uint64_t{main_blocks} * block_bytes;
      const uint64_t overflow_size = uint64_t{overflow_blocks} * block_bytes;
      std::string_view main_bits, overflow_bits;
      if (!d.GetBytes(main_size, &main_bits) ||
          !d.GetBytes(overflow_size, &overflow_bits)) {
        return Corrupt(at, "entry's bits run past the chunk");
      }
      const int64_t id = static_cast<int64_t>(user);
      if (!users->insert(id).second) {
        return Corrupt(at, fmt::format("user {} appears twice", id));
      }
      auto filter = std::make_shared<UserFilter>(
          seed, block_bytes, main_blocks, main_capacity, main_bits.data());
      if (overflow_blocks > 0) {
        filter->RestoreOverflowStage(overflow_blocks, overflow_capacity,
                                     overflow_bits.data());
      }
      filter->RestoreCounts(main_items, overflow_items);
      entries->push_back(SnapshotEntry{id, std::move(filter)});
    }
    if (!d.empty()) {
      return Corrupt(payload_offset + payload.size() - d.remaining(),
                     "bytes after the chunk's last entry");
    }
    return absl::OkStatus();
  }

  // Reads exactly `n` bytes at `offset` into *out.
  absl::Status ReadAt(uint64_t offset, size_t n, std::string_view* out,
                      const char* what) {
    if (scratch_.size() < n) scratch_.resize(n);
    MESA_ASSIGN_OR_RETURN(*out, file_.Read(offset, n, scratch_.data()));
    if (out->size() != n) {
      return Corrupt(offset, fmt::format("truncated {}: wanted {} bytes, got {}",
                                         what, n, out->size()));
    }
    return absl::OkStatus();
  }

  absl::Status Corrupt(uint64_t offset, std::string_view what) const {
    return absl::DataLossError(fmt::format(
        "already-read snapshot {} at offset {}: {}", file_.path(), offset, what));
  }

  const RandomAccessFile& file_;
  const uint64_t size_;
  uint64_t offset_ = 0;
  std::string scratch_;
};

}  // namespace

absl::StatusOr<std::vector<SnapshotEntry>> ReadSnapshot(
    const RandomAccessFile& file, SnapshotHeader* header) {
  return SnapshotReader(file).Read(header);
}

}  // namespace mesa::internal
