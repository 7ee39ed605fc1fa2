// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.

#include "src/query/resume_token.h"

#include "absl/strings/escaping.h"
#include "fmt/format.h"
#include "src/util/coding.h"
#include "src/util/hash.h"

namespace mesa::internal {
namespace {

// Tokens come from clients: keep a malformed one from asking for much.
constexpr size_t kMaxTokenBytes = 1 << 20;

absl::Status Bad(std::string_view why) {
  return absl::InvalidArgumentError(
      fmt::format("resume token is not valid: {}", why));
}

}  // namespace

std::string EncodeResumeToken(const ResumePosition& position) {
  std::string body;
  PutFixed8(&body, kResumeTokenFormat);
  PutVarint64(&body, position.version);
  PutLengthPrefixed(&body, position.table);
  PutFixed64(&body, position.spec_fingerprint);
  PutFixed8(&body, position.last_key.has_value() ? 1 : 0);
  if (position.last_key) PutLengthPrefixed(&body, *position.last_key);
  PutFixed64(&body, Hash64(body, kResumeTokenSeed));
  std::string token;
  absl::WebSafeBase64Escape(body, &token);
  return token;
}

absl::StatusOr<ResumePosition> DecodeResumeToken(std::string_view token) {
  if (token.size() > kMaxTokenBytes) return Bad("too long");
  std::string body;
  if (!absl::WebSafeBase64Unescape(
          absl::string_view(token.data(), token.size()), &body)) {
    return Bad("not web-safe base64");
  }
  if (body.size() < 9) return Bad("too short");
  const std::string_view payload(body.data(), body.size() - 8);
  if (LoadFixed64(body.data() + payload.size()) !=
      Hash64(payload, kResumeTokenSeed)) {
    return Bad("checksum mismatch (corrupt or truncated)");
  }
  Decoder in(payload);
  uint8_t format = 0, has_last = 0;
  ResumePosition p;
  std::string_view table, last;
  if (!in.GetFixed8(&format)) return Bad("truncated");
  if (format != kResumeTokenFormat) {
    return Bad(fmt::format("unknown format {} (this build reads {})", format,
                           kResumeTokenFormat));
  }
  if (!in.GetVarint64(&p.version) || !in.GetLengthPrefixed(&table) ||
      !in.GetFixed64(&p.spec_fingerprint) || !in.GetFixed8(&has_last) ||
      has_last > 1 || (has_last == 1 && !in.GetLengthPrefixed(&last))) {
    return Bad("malformed fields");
  }
  if (!in.empty()) return Bad("trailing bytes");
  p.table = std::string(table);
  if (has_last) p.last_key = std::string(last);
  return p;
}

}  // namespace mesa::internal
