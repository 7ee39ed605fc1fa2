// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// Bit-packing of docs/format.md ("Column encodings"): `packed(count, width)`
// is `count` unsigned values of `width` bits (0..64) each, laid LSB-first
// into a little-endian bit stream; value `i` occupies bits
// [i*width, (i+1)*width). It takes ceil(count * width / 8) bytes and the
// unused high bits of the last byte are 0.
//
// Thread safety: stateless functions, safe from any thread.

#ifndef MESA_FORMAT_BIT_PACKING_H_
#define MESA_FORMAT_BIT_PACKING_H_

#include <bit>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace mesa::internal {

// The number of bits needed to hold `max_value`: 0 for 0, 64 for 2^63 and up.
inline int BitWidth(uint64_t max_value) {
  return static_cast<int>(std::bit_width(max_value));
}

// Bytes taken by `count` values of `width` bits, or SIZE_MAX if that does
// not fit a size_t.
inline size_t PackedBytes(size_t count, int width) {
  if (count > (SIZE_MAX >> 7)) return SIZE_MAX;
  return (count * static_cast<size_t>(width) + 7) / 8;
}

// Appends packed(count, width) of values[0 .. count) to `dst`. Requires
// 0 <= width <= 64; bits of a value above `width` are ignored.
void PackBits(const uint64_t* values, size_t count, int width,
              std::string* dst);

// Reads packed(count, width) from the start of `src` into out[0 .. count).
// Returns false, writing nothing of use, if `src` is shorter than
// PackedBytes(count, width) or width is not in 0..64. Bytes of `src` past
// the packed values are ignored; so are the padding bits of the last byte.
// Never reads outside `src`.
bool UnpackBits(std::string_view src, size_t count, int width, uint64_t* out);

}  // namespace mesa::internal

#endif  // MESA_FORMAT_BIT_PACKING_H_
