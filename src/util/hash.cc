// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.

#include "src/util/hash.h"

#include <xxhash.h>

namespace mesa::internal {

uint64_t Hash64(std::string_view data, uint64_t seed) {
  return XXH3_64bits_withSeed(data.data(), data.size(), seed);
}

}  // namespace mesa::internal
