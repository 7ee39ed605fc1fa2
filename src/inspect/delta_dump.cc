// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// mesa-inspect dump FILE [--rows N] [--json]: everything a delta file says
// about itself (docs/format.md, "Delta file"). Blocks are parsed (their
// checksums verified) but not decoded; --rows N decodes the first N rows.
// A block that does not parse is reported in its place and makes the exit
// code 1; the rest is still dumped.

#include <algorithm>

#include "fmt/format.h"
#include "src/format/data_block.h"
#include "src/format/delta_layout.h"
#include "src/inspect/inspect_command.h"
#include "src/inspect/json_writer.h"
#include "src/inspect/value_format.h"
#include "src/util/status_macros.h"

namespace mesa::internal {
namespace {

struct ChunkSummary {
  Encoding encoding;
  Codec codec;
  uint64_t raw_size;     // the encoded body, before compression
  uint64_t stored_size;  // the payload as stored
};

struct BlockSummary {
  absl::Status status;  // why the block does not parse, if it does not
  std::vector<ChunkSummary> chunks;
};

struct DumpData {
  std::vector<BlockSummary> blocks;
  RowBatch rows;
  absl::Status rows_status;
  bool ok() const {
    return rows_status.ok() &&
           std::all_of(blocks.begin(), blocks.end(),
                       [](const BlockSummary& b) { return b.status.ok(); });
  }
};

DumpData Collect(const DeltaReader& reader, std::optional<uint64_t> rows) {
  DumpData d;
  std::string storage;
  for (size_t b = 0; b < reader.num_blocks(); ++b) {
    BlockSummary& s = d.blocks.emplace_back();
    absl::StatusOr<ParsedBlock> parsed = reader.ParseRawBlock(b, &storage);
    if (!parsed.ok()) {
      s.status = parsed.status();
      continue;
    }
    for (const ChunkInfo& c : parsed->chunks) {
      s.chunks.push_back(
          {c.encoding, c.codec, c.raw_size, c.payload.size()});
    }
  }
  d.rows = RowBatch(reader.schema());
  if (rows.value_or(0) > 0) {
    auto cursor = reader.NewCursor();
    for (cursor->SeekToFirst(); cursor->Valid() && d.rows.num_rows() < *rows;
         cursor->Next()) {
      d.rows.AppendRow(cursor->batch(), cursor->row());
    }
    d.rows_status = cursor->status();
  }
  return d;
}

struct Section {
  std::string_view name;
  uint64_t offset;
  uint64_t size;
};

std::vector<Section> Sections(const DeltaReader& r) {
  const Footer& f = r.footer();
  const uint64_t data_end = f.bloom.size > 0 ? f.bloom.offset : f.index.offset;
  std::vector<Section> s = {{"data", 0, data_end}};
  if (f.bloom.size > 0) s.push_back({"bloom", f.bloom.offset, f.bloom.size});
  s.push_back({"index", f.index.offset, f.index.size});
  s.push_back({"meta", f.meta.offset, f.meta.size});
  s.push_back({"footer", r.file_size() - kFooterSize, kFooterSize});
  return s;
}

// ---------------------------------------------------------------- text

void PrintText(const DeltaReader& r, const DumpData& d, std::ostream& os) {
  const DeltaMetaSection& m = r.meta();
  const Schema& schema = r.schema();
  os << fmt::format("file            {}\n", r.path());
  os << fmt::format("file size       {} bytes\n", r.file_size());
  os << fmt::format("format version  {}\n", r.footer().format_version);
  os << fmt::format("versions        [{}, {}]\n", m.min_version,
                    m.max_version);
  os << fmt::format("rows            {} in {} blocks\n", m.row_count,
                    m.block_count);
  os << fmt::format("codec           {}{}\n", CodecName(m.codec),
                    m.codec == Codec::kZstd
                        ? fmt::format(", level {}", m.codec_level)
                        : std::string());
  os << fmt::format("short key       at most {} bytes\n", m.short_key_length);
  os << fmt::format("bloom filter    {}\n",
                    r.has_bloom_filter()
                        ? fmt::format("{} bytes", r.footer().bloom.size)
                        : std::string("none"));
  os << fmt::format("min key         {}\n", FormatKey(m.min_key, schema));
  os << fmt::format("                hex {}\n", Hex(m.min_key));
  os << fmt::format("max key         {}\n", FormatKey(m.max_key, schema));
  os << fmt::format("                hex {}\n", Hex(m.max_key));

  os << "\nsections (footer)\n";
  TextTable sections({"section", "offset", "size"}, {false, true, true});
  for (const Section& s : Sections(r)) {
    sections.AddRow({std::string(s.name), fmt::format("{}", s.offset),
                     fmt::format("{}", s.size)});
  }
  sections.Print(os);

  os << fmt::format("\nschema {:016x}\n", schema.Fingerprint());
  TextTable columns({"#", "column", "type", "aggregation"},
                    {true, false, false, false});
  for (size_t c = 0; c < schema.num_columns(); ++c) {
    const ColumnSpec& spec = schema.column(c);
    columns.AddRow({fmt::format("{}", c), spec.name,
                    std::string(ColumnTypeName(spec.type)),
                    schema.is_key(c) ? std::string("key")
                                     : std::string(AggregationName(
                                           spec.aggregation))});
  }
  columns.Print(os);

  os << "\nfile zone maps\n";
  TextTable zones({"column", "min", "max"});
  for (size_t c = 0; c < schema.num_columns(); ++c) {
    zones.AddRow({schema.column(c).name, FormatZoneMin(m.zone_maps[c]),
                  FormatZoneMax(m.zone_maps[c])});
  }
  zones.Print(os);

  os << "\nindex\n";
  TextTable index({"block", "offset", "size", "rows", "short key (hex)"},
                  {true, true, true, true, false});
  for (size_t b = 0; b < r.num_blocks(); ++b) {
    const IndexEntry& e = r.index()[b];
    index.AddRow({fmt::format("{}", b), fmt::format("{}", e.offset),
                  fmt::format("{}", e.size), fmt::format("{}", e.row_count),
                  Hex(e.short_key)});
  }
  index.Print(os);

  for (size_t b = 0; b < r.num_blocks(); ++b) {
    const IndexEntry& e = r.index()[b];
    const BlockSummary& s = d.blocks[b];
    os << fmt::format("\nblock {}: offset {}, {} bytes, {} rows\n", b,
                      e.offset, e.size, e.row_count);
    if (!s.status.ok()) {
      os << "  ERROR: " << s.status.ToString() << "\n";
      continue;
    }
    TextTable chunks({"column", "encoding", "codec", "raw_size", "stored",
                      "min", "max"},
                     {false, false, false, true, true, false, false});
    for (size_t c = 0; c < s.chunks.size(); ++c) {
      const ChunkSummary& k = s.chunks[c];
      chunks.AddRow({schema.column(c).name,
                     std::string(EncodingName(k.encoding)),
                     CodecName(k.codec), fmt::format("{}", k.raw_size),
                     fmt::format("{}", k.stored_size),
                     FormatZoneMin(e.zone_maps[c]),
                     FormatZoneMax(e.zone_maps[c])});
    }
    chunks.Print(os);
  }

  if (d.rows.num_rows() > 0 || !d.rows_status.ok()) {
    os << fmt::format("\nfirst {} rows\n", d.rows.num_rows());
    std::vector<std::string> header;
    std::vector<bool> numeric;
    for (const ColumnSpec& c : schema.columns()) {
      header.push_back(c.name);
      numeric.push_back(c.type != ColumnType::kString);
    }
    TextTable rows(std::move(header), std::move(numeric));
    for (size_t i = 0; i < d.rows.num_rows(); ++i) {
      std::vector<std::string> row;
      for (size_t c = 0; c < schema.num_columns(); ++c) {
        row.push_back(FormatValue(d.rows.column(c), i));
      }
      rows.AddRow(std::move(row));
    }
    rows.Print(os);
    if (!d.rows_status.ok()) {
      os << "  ERROR: " << d.rows_status.ToString() << "\n";
    }
  }
}

// ---------------------------------------------------------------- JSON

void WriteJson(const DeltaReader& r, const DumpData& d,
               std::optional<uint64_t> rows, std::ostream& os) {
  const DeltaMetaSection& m = r.meta();
  const Schema& schema = r.schema();
  const Footer& f = r.footer();
  JsonWriter json(os);
  json.BeginObject();
  json.Field("file", r.path());
  json.Field("file_size", r.file_size());
  json.Key("footer");
  json.BeginObject();
  json.Field("meta_offset", f.meta.offset);
  json.Field("meta_size", f.meta.size);
  json.Field("index_offset", f.index.offset);
  json.Field("index_size", f.index.size);
  json.Field("bloom_offset", f.bloom.offset);
  json.Field("bloom_size", f.bloom.size);
  json.Field("format_version", f.format_version);
  json.EndObject();
  json.Key("schema");
  json.BeginObject();
  json.Field("fingerprint", fmt::format("{:016x}", schema.Fingerprint()));
  json.Field("key_count", uint64_t{schema.num_keys()});
  json.Key("columns");
  json.BeginArray();
  for (size_t c = 0; c < schema.num_columns(); ++c) {
    const ColumnSpec& spec = schema.column(c);
    json.BeginObject(/*compact=*/true);
    json.Field("name", spec.name);
    json.Field("type", ColumnTypeName(spec.type));
    json.Field("aggregation", AggregationName(spec.aggregation));
    json.Field("key", schema.is_key(c));
    json.EndObject();
  }
  json.EndArray();
  json.EndObject();
  json.Field("min_version", m.min_version);
  json.Field("max_version", m.max_version);
  json.Field("row_count", m.row_count);
  json.Field("block_count", m.block_count);
  json.Field("codec", CodecName(m.codec));
  json.Field("codec_level", m.codec_level);
  json.Field("short_key_length", m.short_key_length);
  json.Field("bloom_filter", r.has_bloom_filter());
  json.Key("min_key");
  WriteJsonKey(json, m.min_key, schema);
  json.Key("max_key");
  WriteJsonKey(json, m.max_key, schema);
  json.Key("zone_maps");
  json.BeginArray();
  for (size_t c = 0; c < schema.num_columns(); ++c) {
    WriteJsonZoneMap(json, schema.column(c).name, m.zone_maps[c]);
  }
  json.EndArray();

  json.Key("index");
  json.BeginArray();
  for (size_t b = 0; b < r.num_blocks(); ++b) {
    const IndexEntry& e = r.index()[b];
    json.BeginObject();
    json.Field("block", uint64_t{b});
    json.Field("offset", e.offset);
    json.Field("size", e.size);
    json.Field("rows", e.row_count);
    json.Field("short_key_hex", Hex(e.short_key));
    json.Key("zone_maps");
    json.BeginArray();
    for (size_t c = 0; c < schema.num_columns(); ++c) {
      WriteJsonZoneMap(json, schema.column(c).name, e.zone_maps[c]);
    }
    json.EndArray();
    json.EndObject();
  }
  json.EndArray();

  json.Key("blocks");
  json.BeginArray();
  for (size_t b = 0; b < d.blocks.size(); ++b) {
    const BlockSummary& s = d.blocks[b];
    json.BeginObject();
    json.Field("block", uint64_t{b});
    if (!s.status.ok()) {
      json.Field("error", s.status.ToString());
    } else {
      json.Key("columns");
      json.BeginArray();
      for (size_t c = 0; c < s.chunks.size(); ++c) {
        const ChunkSummary& k = s.chunks[c];
        json.BeginObject(/*compact=*/true);
        json.Field("column", schema.column(c).name);
        json.Field("encoding", EncodingName(k.encoding));
        json.Field("codec", CodecName(k.codec));
        json.Field("raw_size", k.raw_size);
        json.Field("stored_size", k.stored_size);
        json.EndObject();
      }
      json.EndArray();
    }
    json.EndObject();
  }
  json.EndArray();

  if (rows.has_value()) {
    json.Key("rows");
    json.BeginArray();
    for (size_t i = 0; i < d.rows.num_rows(); ++i) {
      json.BeginArray(/*compact=*/true);
      for (size_t c = 0; c < schema.num_columns(); ++c) {
        WriteJsonValue(json, d.rows.column(c), i);
      }
      json.EndArray();
    }
    json.EndArray();
    if (!d.rows_status.ok()) {
      json.Field("rows_error", d.rows_status.ToString());
    }
  }
  json.EndObject();
}

}  // namespace

int DumpDelta(const Invocation& inv) {
  std::shared_ptr<const DeltaReader> reader = OpenDeltaOrReport(inv);
  if (reader == nullptr) return kExitFailed;
  const DumpData d = Collect(*reader, inv.rows);
  if (inv.json) {
    WriteJson(*reader, d, inv.rows, *inv.out);
  } else {
    PrintText(*reader, d, *inv.out);
  }
  if (!d.ok()) {
    *inv.err << "mesa-inspect: " << inv.path
             << " has unreadable blocks; run 'mesa-inspect verify'\n";
    return kExitFailed;
  }
  return kExitOk;
}

}  // namespace mesa::internal
