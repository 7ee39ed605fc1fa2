// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// mesa-inspect stats FILE [--json]: where a delta file's bytes go. Per
// column, over all blocks:
//   raw      the writer's measure of the data: 8 bytes per number, a
//            string's length plus 4 per string (docs/format.md, "Data block")
//   encoded  the chunks' raw_size: the encoded bodies before compression
//   stored   the chunks' payloads as stored (after compression)
//   ratio    raw / stored
// with the encodings and codecs the chunks use. Then the file: bytes per
// row on disk, and the size of each section. Block overhead is what data
// blocks hold besides payloads: headers, chunk headers and checksums.
// String columns are decoded to measure their raw size; the others are
// only parsed.

#include <map>

#include "fmt/format.h"
#include "src/format/data_block.h"
#include "src/format/delta_layout.h"
#include "src/inspect/inspect_command.h"
#include "src/inspect/json_writer.h"
#include "src/inspect/value_format.h"
#include "src/util/status_macros.h"

namespace mesa::internal {
namespace {

struct ColumnStats {
  uint64_t raw = 0;
  uint64_t encoded = 0;
  uint64_t stored = 0;
  std::map<std::string, uint64_t> encodings;  // name -> chunks
  std::map<std::string, uint64_t> codecs;
};

struct FileStats {
  std::vector<ColumnStats> columns;
  ColumnStats total;
  uint64_t data_bytes = 0;  // sum of block sizes
};

double Ratio(uint64_t raw, uint64_t stored) {
  return stored == 0 ? 0.0 : static_cast<double>(raw) /
                                 static_cast<double>(stored);
}

std::string CountList(const std::map<std::string, uint64_t>& counts) {
  std::string s;
  for (const auto& [name, n] : counts) {
    if (!s.empty()) s += ", ";
    s += fmt::format("{} x{}", name, n);
  }
  return s;
}

absl::StatusOr<FileStats> Collect(const DeltaReader& r) {
  const Schema& schema = r.schema();
  FileStats st;
  st.columns.resize(schema.num_columns());
  std::string storage, scratch;
  for (size_t b = 0; b < r.num_blocks(); ++b) {
    MESA_ASSIGN_OR_RETURN(ParsedBlock parsed, r.ParseRawBlock(b, &storage));
    st.data_bytes += r.index()[b].size;
    for (size_t c = 0; c < schema.num_columns(); ++c) {
      const ChunkInfo& chunk = parsed.chunks[c];
      ColumnStats& cs = st.columns[c];
      if (schema.column(c).type == ColumnType::kString) {
        ColumnVector values(ColumnType::kString);
        absl::Status s =
            DecodeChunk(chunk, parsed.row_count, &scratch, &values);
        if (!s.ok()) {
          return Annotate(s, fmt::format("{}: block {} column '{}'", r.path(),
                                         b, schema.column(c).name));
        }
        cs.raw += values.bytes().size() + 4 * parsed.row_count;
      } else {
        cs.raw += 8 * parsed.row_count;
      }
      cs.encoded += chunk.raw_size;
      cs.stored += chunk.payload.size();
      ++cs.encodings[std::string(EncodingName(chunk.encoding))];
      ++cs.codecs[CodecName(chunk.codec)];
    }
  }
  for (const ColumnStats& cs : st.columns) {
    st.total.raw += cs.raw;
    st.total.encoded += cs.encoded;
    st.total.stored += cs.stored;
  }
  return st;
}

struct Section {
  std::string_view name;
  uint64_t size;
};

std::vector<Section> Sections(const DeltaReader& r, const FileStats& st) {
  const Footer& f = r.footer();
  return {{"data", st.data_bytes},
          {"bloom", f.bloom.size},
          {"index", f.index.size},
          {"meta", f.meta.size},
          {"footer", kFooterSize}};
}

void PrintText(const DeltaReader& r, const FileStats& st, std::ostream& os) {
  const Schema& schema = r.schema();
  os << fmt::format("file          {}\n", r.path());
  os << fmt::format("rows          {} in {} blocks\n", r.row_count(),
                    r.num_blocks());
  os << fmt::format("file size     {} bytes, {:.2f} bytes per row\n",
                    r.file_size(),
                    Ratio(r.file_size(), r.row_count()));
  os << "\ncolumns\n";
  TextTable t({"column", "type", "raw", "encoded", "stored", "ratio",
               "encodings", "codecs"},
              {false, false, true, true, true, true, false, false});
  auto add = [&](std::string name, std::string type, const ColumnStats& cs) {
    t.AddRow({std::move(name), std::move(type), fmt::format("{}", cs.raw),
              fmt::format("{}", cs.encoded), fmt::format("{}", cs.stored),
              fmt::format("{:.2f}", Ratio(cs.raw, cs.stored)),
              CountList(cs.encodings), CountList(cs.codecs)});
  };
  for (size_t c = 0; c < schema.num_columns(); ++c) {
    add(schema.column(c).name,
        std::string(ColumnTypeName(schema.column(c).type)), st.columns[c]);
  }
  add("(all)", "", st.total);
  t.Print(os);

  os << "\nsections\n";
  TextTable s({"section", "bytes", "share"}, {false, true, true});
  for (const Section& sec : Sections(r, st)) {
    s.AddRow({std::string(sec.name), fmt::format("{}", sec.size),
              fmt::format("{:.1f}%", 100.0 * Ratio(sec.size, r.file_size()))});
  }
  s.Print(os);
  os << fmt::format("  block overhead (headers, chunk headers, checksums): "
                    "{} bytes\n",
                    st.data_bytes - st.total.stored);
}

void WriteCounts(JsonWriter& json, std::string_view key,
                 const std::map<std::string, uint64_t>& counts) {
  json.Key(key);
  json.BeginObject(/*compact=*/true);
  for (const auto& [name, n] : counts) json.Field(name, n);
  json.EndObject();
}

void WriteJson(const DeltaReader& r, const FileStats& st, std::ostream& os) {
  const Schema& schema = r.schema();
  JsonWriter json(os);
  json.BeginObject();
  json.Field("file", r.path());
  json.Field("file_size", r.file_size());
  json.Field("row_count", r.row_count());
  json.Field("block_count", uint64_t{r.num_blocks()});
  json.Field("bytes_per_row", Ratio(r.file_size(), r.row_count()));
  json.Key("columns");
  json.BeginArray();
  auto write = [&](std::string_view name, const ColumnStats& cs) {
    json.BeginObject();
    json.Field("column", name);
    json.Field("raw_bytes", cs.raw);
    json.Field("encoded_bytes", cs.encoded);
    json.Field("stored_bytes", cs.stored);
    json.Field("compression_ratio", Ratio(cs.raw, cs.stored));
    WriteCounts(json, "encodings", cs.encodings);
    WriteCounts(json, "codecs", cs.codecs);
    json.EndObject();
  };
  for (size_t c = 0; c < schema.num_columns(); ++c) {
    write(schema.column(c).name, st.columns[c]);
  }
  json.EndArray();
  json.Key("total");
  write("(all)", st.total);
  json.Key("sections");
  json.BeginObject();
  for (const Section& sec : Sections(r, st)) json.Field(sec.name, sec.size);
  json.Field("block_overhead", st.data_bytes - st.total.stored);
  json.EndObject();
  json.EndObject();
}

}  // namespace

int StatsDelta(const Invocation& inv) {
  std::shared_ptr<const DeltaReader> reader = OpenDeltaOrReport(inv);
  if (reader == nullptr) return kExitFailed;
  absl::StatusOr<FileStats> st = Collect(*reader);
  if (!st.ok()) {
    *inv.err << "mesa-inspect: " << st.status().ToString()
             << "\n  run 'mesa-inspect verify' for every problem\n";
    return kExitFailed;
  }
  if (inv.json) {
    WriteJson(*reader, *st, *inv.out);
  } else {
    PrintText(*reader, *st, *inv.out);
  }
  return kExitOk;
}

}  // namespace mesa::internal
