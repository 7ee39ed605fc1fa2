// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// packed(count, width) := ceil(count * width / 8) bytes; value i is bits
//                         [i*width, (i+1)*width) of the little-endian bit
//                         stream, LSB first; padding bits of the last byte 0.
//
// Widths 0, 8, 16, 32 and 64 are plain loads and stores. Other widths
// unpack in groups of 8 values, which take exactly `width` bytes, with one
// unaligned 64-bit load per value (two for widths above 56) and every
// offset, shift and mask a compile-time constant. Groups whose loads could
// run past the input are copied into a zero-padded local buffer first, so
// the decoder never reads out of bounds.

#include "src/format/bit_packing.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <utility>

#include "src/util/coding.h"

namespace mesa::internal {
namespace {

inline void StoreFixed64(char* p, uint64_t v) { std::memcpy(p, &v, 8); }

template <typename T>
void PackWhole(const uint64_t* values, size_t count, char* p) {
  for (size_t i = 0; i < count; ++i) {
    T v = static_cast<T>(values[i]);
    std::memcpy(p + i * sizeof(T), &v, sizeof(T));
  }
}

template <typename T>
void UnpackWhole(const char* p, size_t count, uint64_t* out) {
  for (size_t i = 0; i < count; ++i) {
    T v;
    std::memcpy(&v, p + i * sizeof(T), sizeof(T));
    out[i] = v;
  }
}

// Unpacks the 8 values of width W that start at `p` (W bytes). Reads up to
// W + 9 bytes from `p`.
template <int W>
inline void UnpackGroup(const char* p, uint64_t* out) {
  constexpr uint64_t kMask = (uint64_t{1} << W) - 1;
#pragma GCC unroll 8
  for (int j = 0; j < 8; ++j) {
    const int bit = j * W;
    const char* q = p + bit / 8;
    const int shift = bit % 8;
    uint64_t v = LoadFixed64(q) >> shift;
    if constexpr (W > 56) {
      if (shift + W > 64) {
        v |= static_cast<uint64_t>(static_cast<uint8_t>(q[8])) << (64 - shift);
      }
    }
    out[j] = v & kMask;
  }
}

template <int W>
void UnpackGeneral(const char* src, size_t src_size, size_t count,
                   uint64_t* out) {
  constexpr size_t kWidth = W;
  const size_t groups = count / 8;
  // Group g reads bytes [g*W, g*W + W + 9): safe while that is in `src`.
  size_t fast = src_size >= 9 + kWidth ? (src_size - 9) / kWidth : 0;
  fast = std::min(fast, groups);
  for (size_t g = 0; g < fast; ++g) {
    UnpackGroup<W>(src + g * kWidth, out + g * 8);
  }
  size_t done = fast * 8;
  if (done == count) return;
  // The rest: fewer than W + 9 bytes, copied into a zero-padded buffer
  // large enough for every group read from it.
  const size_t needed = PackedBytes(count, W);
  const size_t rest = needed - fast * kWidth;
  char buf[3 * 64 + 32] = {};
  std::memcpy(buf, src + fast * kWidth, rest);
  for (size_t g = 0; done < count; ++g) {
    uint64_t tmp[8];
    UnpackGroup<W>(buf + g * kWidth, tmp);
    size_t take = std::min<size_t>(8, count - done);
    std::memcpy(out + done, tmp, take * sizeof(uint64_t));
    done += take;
  }
}

using UnpackFn = void (*)(const char*, size_t, size_t, uint64_t*);

// Widths 0 and 64 are never dispatched through the table.
template <size_t W>
constexpr UnpackFn UnpackFor() {
  if constexpr (W == 0 || W == 64) {
    return &UnpackGeneral<1>;
  } else {
    return &UnpackGeneral<static_cast<int>(W)>;
  }
}

template <size_t... Ws>
constexpr std::array<UnpackFn, sizeof...(Ws)> MakeUnpackTable(
    std::index_sequence<Ws...>) {
  return {{UnpackFor<Ws>()...}};
}

constexpr std::array<UnpackFn, 65> kUnpackTable =
    MakeUnpackTable(std::make_index_sequence<65>());

}  // namespace

void PackBits(const uint64_t* values, size_t count, int width,
              std::string* dst) {
  const size_t old_size = dst->size();
  const size_t nbytes = PackedBytes(count, width);
  switch (width) {
    case 0:
      return;
    case 8:
      dst->resize(old_size + nbytes);
      PackWhole<uint8_t>(values, count, dst->data() + old_size);
      return;
    case 16:
      dst->resize(old_size + nbytes);
      PackWhole<uint16_t>(values, count, dst->data() + old_size);
      return;
    case 32:
      dst->resize(old_size + nbytes);
      PackWhole<uint32_t>(values, count, dst->data() + old_size);
      return;
    case 64:
      dst->resize(old_size + nbytes);
      PackWhole<uint64_t>(values, count, dst->data() + old_size);
      return;
    default:
      break;
  }
  // 8 bytes of slack so that every store can be a whole word.
  dst->resize(old_size + nbytes + 8);
  char* p = dst->data() + old_size;
  const uint64_t mask = (uint64_t{1} << width) - 1;
  uint64_t acc = 0;
  int bits = 0;  // bits of `acc` in use, always < 64
  for (size_t i = 0; i < count; ++i) {
    const uint64_t v = values[i] & mask;
    acc |= v << bits;
    bits += width;
    if (bits >= 64) {
      StoreFixed64(p, acc);
      p += 8;
      bits -= 64;
      // The high `bits` bits of v did not fit; 0 < width - bits <= 63.
      acc = bits > 0 ? v >> (width - bits) : 0;
    }
  }
  if (bits > 0) StoreFixed64(p, acc);
  dst->resize(old_size + nbytes);
}

bool UnpackBits(std::string_view src, size_t count, int width, uint64_t* out) {
  if (width < 0 || width > 64) return false;
  const size_t needed = PackedBytes(count, width);
  if (needed == SIZE_MAX || src.size() < needed) return false;
  switch (width) {
    case 0:
      std::fill(out, out + count, uint64_t{0});
      return true;
    case 8:
      UnpackWhole<uint8_t>(src.data(), count, out);
      return true;
    case 16:
      UnpackWhole<uint16_t>(src.data(), count, out);
      return true;
    case 32:
      UnpackWhole<uint32_t>(src.data(), count, out);
      return true;
    case 64:
      UnpackWhole<uint64_t>(src.data(), count, out);
      return true;
    default:
      kUnpackTable[width](src.data(), src.size(), count, out);
      return true;
  }
}

}  // namespace mesa::internal
