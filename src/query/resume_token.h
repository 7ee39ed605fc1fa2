// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// Resume tokens (Mesa's resume keys): where a scan stopped, as an opaque
// printable string a client may keep and hand to a new reader.
//
//   token   := websafe-base64( body checksum )
//   body    := format (1 byte, = 1) version (varint64)
//              table (varint length + bytes) spec_fingerprint (fixed64)
//              has_last (1 byte, 0 or 1) [last_key (varint length + bytes)]
//   checksum := fixed64 XXH3-64 of body, seed kResumeTokenSeed
//
// last_key is the encoded key (key_coding.h) of the last row handed out,
// or with GROUP BY the encoded group key (group columns in key order).
// A token decodes only if every byte is accounted for and the checksum
// matches; what it names is checked against the scan by the caller.

#ifndef MESA_QUERY_RESUME_TOKEN_H_
#define MESA_QUERY_RESUME_TOKEN_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace mesa::internal {

inline constexpr uint8_t kResumeTokenFormat = 1;
inline constexpr uint64_t kResumeTokenSeed = 0x6d65736172657375ull;

struct ResumePosition {
  uint64_t version = 0;
  std::string table;
  uint64_t spec_fingerprint = 0;
  // Unset: no row handed out yet (the scan starts from the beginning).
  std::optional<std::string> last_key;

  friend bool operator==(const ResumePosition&,
                         const ResumePosition&) = default;
};

std::string EncodeResumeToken(const ResumePosition& position);

// InvalidArgument saying what is wrong for anything EncodeResumeToken did
// not make (bad base64, bad checksum, unknown format, trailing bytes).
absl::StatusOr<ResumePosition> DecodeResumeToken(std::string_view token);

}  // namespace mesa::internal

#endif  // MESA_QUERY_RESUME_TOKEN_H_
