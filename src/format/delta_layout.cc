// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.

#include "src/format/delta_layout.h"

#include <cstring>

#include "fmt/format.h"
#include "src/format/compression.h"
#include "src/util/hash.h"
#include "src/util/status_macros.h"

namespace mesa::internal {
namespace {

absl::Status Corrupt(std::string_view what) {
  return absl::DataLossError(std::string(what));
}

}  // namespace

void AppendChecksum(std::string* dst, size_t begin) {
  PutFixed64(dst, Checksum64(std::string_view(*dst).substr(begin)));
}

absl::StatusOr<std::string_view> VerifySection(std::string_view bytes,
                                               std::string_view what) {
  if (bytes.size() < 8) {
    return absl::DataLossError(
        fmt::format("{} is {} bytes, too short for its checksum", what,
                    bytes.size()));
  }
  std::string_view body = bytes.substr(0, bytes.size() - 8);
  uint64_t stored = LoadFixed64(bytes.data() + body.size());
  uint64_t actual = Checksum64(body);
  if (stored != actual) {
    return absl::DataLossError(
        fmt::format("{} checksum mismatch: stored {:016x}, computed {:016x}",
                    what, stored, actual));
  }
  return body;
}

// ---------------------------------------------------------------- footer

void Footer::EncodeTo(std::string* dst) const {
  size_t begin = dst->size();
  PutFixed64(dst, meta.offset);
  PutFixed32(dst, meta.size);
  PutFixed64(dst, index.offset);
  PutFixed32(dst, index.size);
  PutFixed64(dst, bloom.offset);
  PutFixed32(dst, bloom.size);
  PutFixed32(dst, format_version);
  AppendChecksum(dst, begin);
  dst->append(kDeltaMagic, sizeof(kDeltaMagic));
}

absl::StatusOr<Footer> Footer::Decode(std::string_view bytes,
                                      uint64_t file_size) {
  if (bytes.size() != kFooterSize) {
    return absl::DataLossError(fmt::format(
        "file is {} bytes, shorter than the {}-byte footer", file_size,
        kFooterSize));
  }
  if (std::memcmp(bytes.data() + 48, kDeltaMagic, 8) != 0) {
    return absl::InvalidArgumentError(
        "not a mesa delta file (bad magic in the last 8 bytes)");
  }
  MESA_RETURN_IF_ERROR(VerifySection(bytes.substr(0, 48), "footer").status());
  Decoder in(bytes);
  Footer f;
  in.GetFixed64(&f.meta.offset);
  in.GetFixed32(&f.meta.size);
  in.GetFixed64(&f.index.offset);
  in.GetFixed32(&f.index.size);
  in.GetFixed64(&f.bloom.offset);
  in.GetFixed32(&f.bloom.size);
  in.GetFixed32(&f.format_version);
  if (f.format_version > kDeltaFormatVersion) {
    return absl::InvalidArgumentError(fmt::format(
        "delta format version {} was written by a newer mesa (this one reads "
        "up to {})",
        f.format_version, kDeltaFormatVersion));
  }
  if (f.format_version == 0) return Corrupt("footer: format version 0");
  // Sections lie, in order bloom (optional), index, meta, right before the
  // footer, without overlap.
  const uint64_t footer_start = file_size - kFooterSize;
  if (f.meta.size == 0 || f.index.size == 0 ||
      f.meta.offset + f.meta.size != footer_start ||
      f.index.offset + f.index.size != f.meta.offset ||
      f.meta.offset > footer_start || f.index.offset > f.meta.offset) {
    return Corrupt(fmt::format(
        "footer: sections out of place (index {}+{}, meta {}+{}, footer at "
        "{})",
        f.index.offset, f.index.size, f.meta.offset, f.meta.size,
        footer_start));
  }
  if (f.bloom.size != 0 &&
      (f.bloom.offset > f.index.offset ||
       f.bloom.offset + f.bloom.size != f.index.offset)) {
    return Corrupt(fmt::format("footer: Bloom section {}+{} out of place",
                               f.bloom.offset, f.bloom.size));
  }
  return f;
}

// ---------------------------------------------------------------- schema

void EncodeSchema(const Schema& schema, std::string* dst) {
  PutVarint64(dst, schema.num_columns());
  PutVarint64(dst, schema.num_keys());
  for (const ColumnSpec& c : schema.columns()) {
    PutLengthPrefixed(dst, c.name);
    PutFixed8(dst, static_cast<uint8_t>(c.type));
    PutFixed8(dst, static_cast<uint8_t>(c.aggregation));
  }
}

absl::StatusOr<Schema> DecodeSchema(Decoder* in) {
  uint64_t columns, keys;
  if (!in->GetVarintBounded(Schema::kMaxColumns, &columns) || columns == 0 ||
      !in->GetVarintBounded(columns, &keys) || keys == 0) {
    return Corrupt("schema: bad column or key count");
  }
  std::vector<ColumnSpec> key_specs, value_specs;
  for (uint64_t i = 0; i < columns; ++i) {
    std::string_view name;
    uint8_t type, agg;
    if (!in->GetLengthPrefixed(&name) || !in->GetFixed8(&type) ||
        !in->GetFixed8(&agg)) {
      return Corrupt(fmt::format("schema: column {} truncated", i));
    }
    ColumnSpec spec{std::string(name), static_cast<ColumnType>(type),
                    static_cast<Aggregation>(agg)};
    (i < keys ? key_specs : value_specs).push_back(std::move(spec));
  }
  auto schema = Schema::Create(std::move(key_specs), std::move(value_specs));
  if (!schema.ok()) {
    return absl::DataLossError(
        fmt::format("schema: {}", StatusMessage(schema.status())));
  }
  return schema;
}

// ---------------------------------------------------------------- meta

void DeltaMetaSection::EncodeTo(std::string* dst) const {
  size_t begin = dst->size();
  EncodeSchema(schema, dst);
  PutFixed64(dst, schema.Fingerprint());
  PutFixed64(dst, min_version);
  PutFixed64(dst, max_version);
  PutVarint64(dst, row_count);
  PutVarint64(dst, block_count);
  PutFixed8(dst, static_cast<uint8_t>(codec));
  PutSignedVarint64(dst, codec_level);
  PutVarint64(dst, short_key_length);
  PutLengthPrefixed(dst, min_key);
  PutLengthPrefixed(dst, max_key);
  for (const ZoneMap& z : zone_maps) z.EncodeTo(dst);
  AppendChecksum(dst, begin);
}

absl::StatusOr<DeltaMetaSection> DeltaMetaSection::Decode(
    std::string_view bytes) {
  MESA_ASSIGN_OR_RETURN(std::string_view body,
                        VerifySection(bytes, "meta section"));
  Decoder in(body);
  DeltaMetaSection m;
  MESA_ASSIGN_OR_RETURN(m.schema, DecodeSchema(&in));
  uint64_t fingerprint;
  uint8_t codec;
  std::string_view min_key, max_key;
  if (!in.GetFixed64(&fingerprint) || !in.GetFixed64(&m.min_version) ||
      !in.GetFixed64(&m.max_version) || !in.GetVarint64(&m.row_count) ||
      !in.GetVarint64(&m.block_count) || !in.GetFixed8(&codec) ||
      !in.GetSignedVarint64(&m.codec_level) ||
      !in.GetVarint64(&m.short_key_length) ||
      !in.GetLengthPrefixed(&min_key) || !in.GetLengthPrefixed(&max_key)) {
    return Corrupt("meta section truncated");
  }
  if (fingerprint != m.schema.Fingerprint()) {
    return Corrupt("meta section: schema fingerprint does not match schema");
  }
  if (m.max_version < m.min_version) {
    return Corrupt(fmt::format("meta section: version range [{},{}] inverted",
                               m.min_version, m.max_version));
  }
  if (m.row_count == 0 || m.block_count == 0 ||
      m.block_count > m.row_count) {
    return Corrupt(fmt::format("meta section: {} rows in {} blocks",
                               m.row_count, m.block_count));
  }
  if (!ValidCodec(codec)) {
    return Corrupt(fmt::format("meta section: unknown codec {}", codec));
  }
  m.codec = static_cast<Codec>(codec);
  if (m.short_key_length == 0 || m.short_key_length > 255) {
    return Corrupt(fmt::format("meta section: short key length {}",
                               m.short_key_length));
  }
  if (min_key.empty() || max_key.empty() || min_key > max_key) {
    return Corrupt("meta section: bad min/max key");
  }
  m.min_key = std::string(min_key);
  m.max_key = std::string(max_key);
  m.zone_maps.resize(m.schema.num_columns());
  for (size_t c = 0; c < m.schema.num_columns(); ++c) {
    if (!m.zone_maps[c].DecodeFrom(&in, m.schema.column(c).type)) {
      return Corrupt(fmt::format("meta section: bad zone map of column '{}'",
                                 m.schema.column(c).name));
    }
  }
  if (!in.empty()) {
    return Corrupt(fmt::format("meta section: {} unexpected trailing bytes",
                               in.remaining()));
  }
  return m;
}

// ---------------------------------------------------------------- index

void EncodeIndex(const std::vector<IndexEntry>& entries, const Schema& schema,
                 std::string* dst) {
  size_t begin = dst->size();
  PutVarint64(dst, entries.size());
  for (const IndexEntry& e : entries) {
    PutVarint64(dst, e.offset);
    PutVarint64(dst, e.size);
    PutVarint64(dst, e.row_count);
    PutLengthPrefixed(dst, e.short_key);
    for (size_t c = 0; c < schema.num_columns(); ++c) {
      e.zone_maps[c].EncodeTo(dst);
    }
  }
  AppendChecksum(dst, begin);
}

absl::StatusOr<std::vector<IndexEntry>> DecodeIndex(
    std::string_view bytes, const DeltaMetaSection& meta, uint64_t data_end) {
  MESA_ASSIGN_OR_RETURN(std::string_view body,
                        VerifySection(bytes, "index section"));
  Decoder in(body);
  uint64_t count;
  if (!in.GetVarint64(&count) || count != meta.block_count) {
    return Corrupt(fmt::format(
        "index section: entry count does not match the meta's {} blocks",
        meta.block_count));
  }
  std::vector<IndexEntry> entries(count);
  uint64_t expected_offset = 0, rows = 0;
  std::string_view prev_key;
  for (uint64_t b = 0; b < count; ++b) {
    IndexEntry& e = entries[b];
    std::string_view short_key;
    if (!in.GetVarint64(&e.offset) || !in.GetVarint64(&e.size) ||
        !in.GetVarint64(&e.row_count) || !in.GetLengthPrefixed(&short_key)) {
      return Corrupt(fmt::format("index section: entry {} truncated", b));
    }
    if (e.offset != expected_offset || e.size < 9 ||
        e.size > data_end - e.offset || e.row_count == 0 ||
        e.row_count > meta.row_count - rows) {
      return Corrupt(fmt::format(
          "index section: entry {} (offset {}, size {}, {} rows) out of place",
          b, e.offset, e.size, e.row_count));
    }
    if (short_key.empty() || short_key.size() > meta.short_key_length ||
        short_key < prev_key) {
      return Corrupt(fmt::format("index section: entry {} bad short key", b));
    }
    prev_key = short_key;
    e.short_key = std::string(short_key);
    e.zone_maps.resize(meta.schema.num_columns());
    for (size_t c = 0; c < meta.schema.num_columns(); ++c) {
      if (!e.zone_maps[c].DecodeFrom(&in, meta.schema.column(c).type)) {
        return Corrupt(fmt::format(
            "index section: entry {} bad zone map of column '{}'", b,
            meta.schema.column(c).name));
      }
    }
    expected_offset += e.size;
    rows += e.row_count;
  }
  if (expected_offset != data_end || rows != meta.row_count) {
    return Corrupt(fmt::format(
        "index section: blocks cover {} bytes and {} rows; the file has {} "
        "bytes of data and {} rows",
        expected_offset, rows, data_end, meta.row_count));
  }
  if (!in.empty()) {
    return Corrupt(fmt::format("index section: {} unexpected trailing bytes",
                               in.remaining()));
  }
  return entries;
}

}  // namespace mesa::internal
