// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// Fuzzes resume tokens (src/query/resume_token.h) and the scans that take
// them (ScanSpec::resume_token).
//
// Byte 0 picks what the rest of the input is:
//  0: a token as a client might send it: DecodeResumeToken must return a
//     position or InvalidArgument, and a position re-encodes to a token
//     that decodes to the same position;
//  1: a token body, checksummed and encoded here so the fuzzer gets past
//     the checksum: the same checks;
//  2-5: the last key of a well-formed token for a real scan of a small
//     in-memory database (plain, grouped on a key prefix, grouped by hash,
//     filtered): Scan must succeed or fail with InvalidArgument, and a
//     scan that starts returns only rows after that key, in order.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "absl/strings/escaping.h"
#include "mesa/database.h"
#include "src/format/key_coding.h"
#include "src/query/resume_token.h"
#include "src/util/coding.h"
#include "src/util/hash.h"

namespace {

using mesa::internal::DecodeResumeToken;
using mesa::internal::EncodeResumeToken;
using mesa::internal::ResumePosition;

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "resume_token_fuzzer: %s\n", what);
    std::abort();
  }
}

void CheckToken(std::string_view token) {
  auto p = DecodeResumeToken(token);
  if (!p.ok()) {
    Check(p.status().code() == absl::StatusCode::kInvalidArgument,
          "a bad token is not InvalidArgument");
    return;
  }
  auto again = DecodeResumeToken(EncodeResumeToken(*p));
  Check(again.ok() && *again == *p, "a decoded token does not round-trip");
}

struct Fixture {
  std::unique_ptr<mesa::FileSystem> fs;
  std::unique_ptr<mesa::Database> db;
  std::unique_ptr<mesa::VersionedReader> reader;
  mesa::ScanSpec specs[4];
  uint64_t fingerprints[4] = {};
};

Fixture* MakeFixture() {
  auto* f = new Fixture;
  f->fs = mesa::NewMemFileSystem();
  mesa::Options o;
  o.fs = f->fs.get();
  o.background_threads = 0;
  f->db = *mesa::Database::Open(o, "/db");
  auto schema = *mesa::Schema::Create(
      {{"a", mesa::ColumnType::kInt64}, {"b", mesa::ColumnType::kString},
       {"c", mesa::ColumnType::kInt32}},
      {{"v", mesa::ColumnType::kInt64, mesa::Aggregation::kSum}});
  mesa::TableOptions topts;
  topts.delta_file.block_size = 128;
  auto table = *f->db->CreateTable("t", schema, topts);
  for (int b = 0; b < 2; ++b) {
    mesa::UpdateBatch batch;
    for (int i = 0; i < 200; ++i) {
      const std::string s(1 + i % 3, static_cast<char>('a' + (i * 7 + b) % 5));
      Check(batch.AddRow(*table, {int64_t{i % 13}, s, int32_t{i % 4},
                                  int64_t{i}}).ok(),
            "fixture rows");
    }
    Check(f->db->Commit(batch).ok(), "fixture commit");
  }
  f->reader = *f->db->NewReader();
  f->specs[1].group_by = {"a", "b"};
  f->specs[2].group_by = {"c", "a"};
  f->specs[3].filters = {{"c", mesa::FilterOp::kEq, {int32_t{2}}}};
  for (int i = 0; i < 4; ++i) {
    f->specs[i].batch_rows = 5;
    auto scan = *f->reader->Scan("t", f->specs[i]);
    Check(scan->Next(), "fixture scan");
    f->fingerprints[i] = DecodeResumeToken(*scan->ResumeToken())
                             ->spec_fingerprint;
  }
  return f;
}

void FuzzScan(int which, std::string_view last_key) {
  static Fixture* f = MakeFixture();
  ResumePosition p{f->reader->version(), "t", f->fingerprints[which],
                   std::string(last_key)};
  mesa::ScanSpec spec = f->specs[which];
  spec.resume_token = EncodeResumeToken(p);
  auto scan = f->reader->Scan("t", spec);
  if (!scan.ok()) {
    Check(scan.status().code() == absl::StatusCode::kInvalidArgument,
          "a bad last key is not InvalidArgument");
    return;
  }
  // Rows (or groups) come after the last key, in increasing key order.
  std::string prev(last_key);
  const bool grouped = which == 1 || which == 2;
  while ((*scan)->Next()) {
    const mesa::RowBatch& b = (*scan)->batch();
    for (size_t r = 0; r < b.num_rows(); ++r) {
      // Grouped rows start with the group columns in key order.
      std::string key;
      mesa::internal::AppendEncodedKey(b, r, grouped ? 2 : 3, &key);
      Check(key > prev, "a resumed scan went back");
      prev = std::move(key);
    }
  }
  Check((*scan)->status().ok(), "a resumed scan failed midway");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const std::string_view rest(reinterpret_cast<const char*>(data) + 1,
                              size - 1);
  switch (data[0] % 6) {
    case 0:
      CheckToken(rest);
      break;
    case 1: {
      std::string body(rest);
      mesa::internal::PutFixed64(
          &body, mesa::internal::Hash64(rest, mesa::internal::kResumeTokenSeed));
      std::string token;
      absl::WebSafeBase64Escape(body, &token);
      CheckToken(token);
      break;
    }
    default:
      FuzzScan(data[0] % 6 - 2, rest);
      break;
  }
  return 0;
}
