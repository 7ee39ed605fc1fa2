// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// mesa-inspect through RunInspect (and once through the real binary): dump,
// verify and stats on delta files written to a temporary directory, their
// JSON checked by a small JSON parser, verify on corrupt files and on files
// whose checksums are right but whose contents lie, and usage errors.

#include "src/inspect/inspect.h"

#include <sys/wait.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <limits>
#include <sstream>

#include "fmt/format.h"
#include "gtest/gtest.h"
#include "mesa/file_system.h"
#include "src/bloom/split_block.h"
#include "src/format/data_block.h"
#include "src/format/delta_layout.h"
#include "src/format/delta_reader.h"
#include "src/format/delta_writer.h"
#include "src/format/key_coding.h"
#include "src/util/hash.h"
#include "tests/testing/test_util.h"

namespace mesa::internal {
namespace {

// ---------------------------------------------------------------- JSON

// A strict JSON (RFC 8259) syntax checker: true if `text` is exactly one
// JSON value, surrounded by optional whitespace.
class JsonChecker {
 public:
  explicit JsonChecker(std::string_view text) : s_(text) {}

  bool Valid() {
    Ws();
    if (!Value(0)) return false;
    Ws();
    return i_ == s_.size();
  }

 private:
  bool Eat(char c) {
    if (i_ < s_.size() && s_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }
  void Ws() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\n' ||
                              s_[i_] == '\t' || s_[i_] == '\r')) {
      ++i_;
    }
  }
  bool Literal(std::string_view word) {
    if (s_.substr(i_, word.size()) != word) return false;
    i_ += word.size();
    return true;
  }
  bool Digits() {
    size_t start = i_;
    while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') ++i_;
    return i_ > start;
  }
  bool Number() {
    Eat('-');
    if (Eat('0')) {
      // no leading zeros
    } else if (!Digits()) {
      return false;
    }
    if (Eat('.') && !Digits()) return false;
    if (Eat('e') || Eat('E')) {
      if (!Eat('+')) Eat('-');
      if (!Digits()) return false;
    }
    return true;
  }
  bool String() {
    if (!Eat('"')) return false;
    while (i_ < s_.size()) {
      const auto c = static_cast<unsigned char>(s_[i_++]);
      if (c == '"') return true;
      if (c < 0x20) return false;
      if (c == '\\') {
        if (i_ >= s_.size()) return false;
        const char e = s_[i_++];
        if (e == 'u') {
          for (int k = 0; k < 4; ++k) {
            if (i_ >= s_.size() || !std::isxdigit(
                                       static_cast<unsigned char>(s_[i_++]))) {
              return false;
            }
          }
        } else if (std::string_view("\"\\/bfnrt").find(e) ==
                   std::string_view::npos) {
          return false;
        }
      }
    }
    return false;
  }
  bool Value(int depth) {
    if (depth > 64 || i_ >= s_.size()) return false;
    const char c = s_[i_];
    if (c == '{') {
      ++i_;
      Ws();
      if (Eat('}')) return true;
      do {
        Ws();
        if (!String()) return false;
        Ws();
        if (!Eat(':')) return false;
        Ws();
        if (!Value(depth + 1)) return false;
        Ws();
      } while (Eat(','));
      return Eat('}');
    }
    if (c == '[') {
      ++i_;
      Ws();
      if (Eat(']')) return true;
      do {
        Ws();
        if (!Value(depth + 1)) return false;
        Ws();
      } while (Eat(','));
      return Eat(']');
    }
    if (c == '"') return String();
    if (c == 't') return Literal("true");
    if (c == 'f') return Literal("false");
    if (c == 'n') return Literal("null");
    return Number();
  }

  std::string_view s_;
  size_t i_ = 0;
};

bool IsJson(std::string_view text) { return JsonChecker(text).Valid(); }

TEST(JsonCheckerTest, AcceptsJsonAndRejectsTheRest) {
  for (std::string_view ok :
       {"{}", "[]", "0", "-0", "1e+300", "-1.5E-3", "\"a\\u00ff\\n\"",
        "{\"a\": [1, 2, {\"b\": null}], \"c\": true}", " [false] "}) {
    EXPECT_TRUE(IsJson(ok)) << ok;
  }
  for (std::string_view bad :
       {"", "{", "[1,]", "{\"a\" 1}", "01", "1.", "nan", "\"a\x01\"",
        "\"\\x00\"", "{} {}", "'a'", "[1 2]", "{a: 1}"}) {
    EXPECT_FALSE(IsJson(bad)) << bad;
  }
}

// ---------------------------------------------------------------- files

Schema SampleSchema() {
  return *Schema::Create(
      {{"region", ColumnType::kString}, {"day", ColumnType::kInt32}},
      {{"clicks", ColumnType::kInt64, Aggregation::kSum},
       {"views", ColumnType::kUint64, Aggregation::kMax},
       {"score", ColumnType::kDouble, Aggregation::kMin},
       {"note", ColumnType::kString, Aggregation::kReplace}});
}

// Longer than a zone map keeps, and the largest note: blocks holding it
// have a zone map without a max.
const std::string kLongNote(40, 'z');

// Row i of the sample: 4 rows per region; region 0 holds "\0" and "\xff".
RowBatch SampleRows(size_t n) {
  RowBatch rows(SampleSchema());
  for (size_t i = 0; i < n; ++i) {
    const size_t g = i / 4;
    rows.column(0).AppendString(g == 0 ? std::string("a\0\xff", 3)
                                       : fmt::format("r{:04}", g));
    rows.column(1).AppendInt32(static_cast<int32_t>(i % 4) * 10 - 15);
    rows.column(2).AppendInt64(static_cast<int64_t>(i) * 1000 - 7);
    rows.column(3).AppendUint64(uint64_t{i} << 40);
    rows.column(4).AppendDouble(
        i == 5 ? std::numeric_limits<double>::quiet_NaN()
               : static_cast<double>(i) * 0.25 - 3);
    rows.column(5).AppendString(i == 9    ? kLongNote
                                : i == 10 ? std::string("q\"b\\s")
                                          : fmt::format("n{}", i % 17));
  }
  return rows;
}

absl::Status WriteSample(FileSystem* fs, const std::string& path, size_t n,
                         Codec codec = Codec::kZstd, int bloom_bits = 10) {
  DeltaFileOptions options;
  options.codec = codec;
  options.block_size = 1024;
  options.bloom_bits_per_key = bloom_bits;
  auto writer = DeltaWriter::Create({fs, path, SampleSchema(), 3, 7, options});
  if (!writer.ok()) return writer.status();
  absl::Status s = (*writer)->Add(SampleRows(n));
  if (!s.ok()) return s;
  return (*writer)->Finish().status();
}

struct Result {
  int code = -1;
  std::string out, err;
};

Result Inspect(const std::vector<std::string>& args,
           FileSystem* fs = DefaultFileSystem()) {
  std::ostringstream out, err;
  Result r;
  r.code = RunInspect(fs, args, out, err);
  r.out = out.str();
  r.err = err.str();
  return r;
}

bool Has(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

// The first line of `text` that starts with `prefix`, split at runs of
// spaces (the cells of a text table row); empty if there is none.
std::vector<std::string> Cells(const std::string& text,
                               std::string_view prefix) {
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string_view line(text.data() + pos, end - pos);
    if (line.starts_with(prefix)) {
      std::vector<std::string> cells;
      size_t i = 0;
      while (i < line.size()) {
        while (i < line.size() && line[i] == ' ') ++i;
        size_t j = line.find("  ", i);
        if (j == std::string_view::npos) j = line.size();
        if (j > i) cells.emplace_back(line.substr(i, j - i));
        i = j;
      }
      return cells;
    }
    pos = end + 1;
  }
  return {};
}

using Row = std::vector<std::string>;

class InspectTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::NewTempDir("inspect");
    good_ = dir_ + "/good.delta";
    ASSERT_TRUE(WriteSample(DefaultFileSystem(), good_, kRows).ok());
  }

  // A copy of the good file with `edit` applied to its bytes.
  std::string WriteVariant(const std::string& name,
                           const std::function<void(std::string*)>& edit) {
    std::string bytes = *ReadFileToString(DefaultFileSystem(), good_);
    edit(&bytes);
    std::string path = dir_ + "/" + name;
    EXPECT_TRUE(WriteFileAtomically(DefaultFileSystem(), path, bytes).ok());
    return path;
  }

  static constexpr size_t kRows = 400;
  std::string dir_, good_;
};

TEST_F(InspectTest, DumpShowsFooterSchemaKeysZoneMapsAndBlocks) {
  Result r = Inspect({"dump", good_});
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string& o = r.out;
  EXPECT_TRUE(Has(o, "format version  1")) << o;
  EXPECT_TRUE(Has(o, "versions        [3, 7]")) << o;
  EXPECT_TRUE(Has(o, fmt::format("rows            {} in ", kRows))) << o;
  EXPECT_TRUE(Has(o, "codec           ZSTD, level 1")) << o;
  EXPECT_TRUE(Has(o, "short key       at most 36 bytes")) << o;
  // Min and max key, decoded and in hex: "a\0\xff" escapes as 61 00 ff 00 01.
  EXPECT_TRUE(Has(o, "min key         (\"a\\x00\\xff\", -15)")) << o;
  EXPECT_TRUE(Has(o, "hex 6100ffff0001" "7ffffff1")) << o;
  EXPECT_TRUE(Has(o, "max key         (\"r0099\", 15)")) << o;
  for (std::string_view name :
       {"region", "day", "clicks", "views", "score", "note", "SUM", "MAX",
        "MIN", "REPLACE", "int32", "uint64", "double"}) {
    EXPECT_TRUE(Has(o, name)) << name;
  }
  // Sections, file zone maps (the long note has no max), index, blocks.
  for (std::string_view part :
       {"sections (footer)", "bloom", "index", "meta", "footer",
        "file zone maps", "block 0: offset 0,", "raw_size", "stored"}) {
    EXPECT_TRUE(Has(o, part)) << part << "\n" << o;
  }
  // File zone maps: the first "clicks" row; the long note cut, no max.
  EXPECT_EQ(Cells(o, "  clicks "), (Row{"clicks", "-7", "398993"})) << o;
  EXPECT_EQ(Cells(o, "  note "),
            (Row{"note", "\"n0\"", "-"})) << o;
  // Block 0's chunks: column, encoding, codec, raw_size, stored, min, max.
  Row day = Cells(o.substr(o.find("block 0:")), "  day ");
  ASSERT_EQ(day.size(), 7u) << o;
  EXPECT_EQ(day[5], "-15");
  EXPECT_EQ(day[6], "15");
  EXPECT_TRUE(day[2] == "none" || day[2] == "ZSTD") << day[2];
  EXPECT_EQ(Cells(o, "      0       0 ").size(), 5u) << "index row of block 0";
  EXPECT_FALSE(Has(o, "first ")) << "no rows without --rows";
}

TEST_F(InspectTest, DumpRowsPrintsTheFirstRowsEscaped) {
  Result r = Inspect({"dump", good_, "--rows", "11"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(Has(r.out, "first 11 rows")) << r.out;
  EXPECT_EQ(Cells(r.out, "  \"a\\x00\\xff\"  -15"),
            (Row{"\"a\\x00\\xff\"", "-15", "-7", "0", "-3", "\"n0\""}))
      << r.out;
  EXPECT_TRUE(Has(r.out, "nan")) << r.out;
  EXPECT_TRUE(Has(r.out, "\"q\\\"b\\\\s\"")) << r.out;  // "q\"b\\s"
  EXPECT_TRUE(Has(r.out, "\"r0002\"")) << r.out;
  EXPECT_FALSE(Has(r.out, "\"r0003\"")) << r.out;
  // --rows=N and more rows than the file holds.
  Result all = Inspect({"dump", "--rows=100000", good_});
  ASSERT_EQ(all.code, 0) << all.err;
  EXPECT_TRUE(Has(all.out, fmt::format("first {} rows", kRows)));
}

TEST_F(InspectTest, DumpJsonIsValidAndComplete) {
  Result r = Inspect({"dump", good_, "--json", "--rows", "12"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(IsJson(r.out)) << r.out;
  for (std::string_view part :
       {"\"format_version\": 1", "\"min_version\": 3", "\"max_version\": 7",
        "\"row_count\": 400", "\"codec\": \"ZSTD\"", "\"codec_level\": 1",
        "\"short_key_length\": 36", "\"bloom_filter\": true",
        "\"values\": [\"a\\u0000\\u00ff\", -15]",
        "\"hex\": \"6100ffff00017ffffff1\"", "\"name\": \"note\"",
        "\"aggregation\": \"REPLACE\"", "\"short_key_hex\"",
        "\"encoding\": \"", "\"raw_size\"", "\"stored_size\"",
        "[\"a\\u0000\\u00ff\", -15, -7, 0, -3, \"n0\"]", "\"NaN\"",
        "\"q\\\"b\\\\s\"", "\"max\": null"}) {
    EXPECT_TRUE(Has(r.out, part)) << part << "\n" << r.out;
  }
  Result plain = Inspect({"dump", good_, "--json"});
  EXPECT_TRUE(IsJson(plain.out));
  EXPECT_FALSE(Has(plain.out, "\"rows\": ["));
}

TEST_F(InspectTest, StatsCountsRawEncodedAndStoredBytes) {
  RowBatch rows = SampleRows(kRows);
  uint64_t note_raw = rows.column(5).bytes().size() + 4 * kRows;
  uint64_t region_raw = rows.column(0).bytes().size() + 4 * kRows;
  Result r = Inspect({"stats", good_});
  ASSERT_EQ(r.code, 0) << r.err;
  for (std::string_view part :
       {"bytes per row", "column", "raw", "encoded", "stored", "ratio",
        "encodings", "(all)", "sections", "bloom", "index", "meta",
        "block overhead", "ZSTD"}) {
    EXPECT_TRUE(Has(r.out, part)) << part << "\n" << r.out;
  }
  EXPECT_TRUE(Has(r.out, fmt::format(" {} ", note_raw))) << r.out;

  Result j = Inspect({"stats", good_, "--json"});
  ASSERT_EQ(j.code, 0) << j.err;
  EXPECT_TRUE(IsJson(j.out)) << j.out;
  EXPECT_TRUE(Has(j.out, fmt::format("\"column\": \"clicks\",\n      "
                                     "\"raw_bytes\": {}",
                                     8 * kRows)))
      << j.out;
  EXPECT_TRUE(Has(j.out, fmt::format("\"raw_bytes\": {}", note_raw)));
  EXPECT_TRUE(Has(j.out, fmt::format("\"raw_bytes\": {}", region_raw)));
  EXPECT_TRUE(Has(j.out, "\"compression_ratio\": "));
  EXPECT_TRUE(Has(j.out, "\"footer\": 56"));
  EXPECT_TRUE(Has(j.out, "\"encodings\": {\""));
}

TEST_F(InspectTest, VerifyPassesAGoodFile) {
  for (Codec codec : {Codec::kNone, Codec::kSnappy, Codec::kZstd}) {
    for (int bloom : {0, 10}) {
      std::string path = fmt::format("{}/v{}_{}.delta", dir_,
                                     static_cast<int>(codec), bloom);
      ASSERT_TRUE(
          WriteSample(DefaultFileSystem(), path, 1 + 97 * bloom, codec, bloom)
              .ok());
      Result r = Inspect({"verify", path});
      EXPECT_EQ(r.code, 0) << r.out << r.err;
      EXPECT_TRUE(Has(r.out, ": OK")) << r.out;
      EXPECT_EQ(Has(r.out, "Bloom filter"), bloom > 0) << r.out;
    }
  }
  Result j = Inspect({"verify", good_, "--json"});
  EXPECT_EQ(j.code, 0);
  EXPECT_TRUE(IsJson(j.out)) << j.out;
  EXPECT_TRUE(Has(j.out, "\"ok\": true")) << j.out;
  EXPECT_TRUE(Has(j.out, "\"rows_checked\": 400")) << j.out;
  EXPECT_TRUE(Has(j.out, "\"problems\": []")) << j.out;
}

TEST_F(InspectTest, VerifyFailsOnEveryCorruptByteOfABlock) {
  auto reader = *DeltaReader::Open(DefaultFileSystem(), good_);
  ASSERT_GE(reader->num_blocks(), 3u);
  const IndexEntry e = reader->index()[1];
  // A flip in the middle of block 1: listed as a block 1 problem; the
  // other blocks are still checked.
  std::string bad = WriteVariant("flip.delta", [&](std::string* b) {
    (*b)[e.offset + e.size / 2] ^= 0x10;
  });
  Result r = Inspect({"verify", bad});
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_TRUE(Has(r.out, "FAILED, 1 problem\n")) << r.out;
  EXPECT_TRUE(Has(r.out, "block 1: ")) << r.out;
  EXPECT_TRUE(Has(r.out, "checksum mismatch")) << r.out;
  Result j = Inspect({"verify", bad, "--json"});
  EXPECT_EQ(j.code, 1);
  EXPECT_TRUE(IsJson(j.out)) << j.out;
  EXPECT_TRUE(Has(j.out, "\"ok\": false")) << j.out;
  EXPECT_TRUE(Has(j.out, "\"problem_count\": 1")) << j.out;
  // dump still shows the file, with the broken block, and exits 1.
  Result d = Inspect({"dump", bad});
  EXPECT_EQ(d.code, 1);
  EXPECT_TRUE(Has(d.out, "ERROR: DATA_LOSS")) << d.out;
  Result dj = Inspect({"dump", bad, "--json"});
  EXPECT_EQ(dj.code, 1);
  EXPECT_TRUE(IsJson(dj.out)) << dj.out;
  EXPECT_TRUE(Has(dj.out, "\"error\": \"DATA_LOSS")) << dj.out;
  // stats needs every block.
  EXPECT_EQ(Inspect({"stats", bad}).code, 1);
}

TEST_F(InspectTest, VerifyFailsWhenTheFileCannotBeOpened) {
  std::string cut = WriteVariant("cut.delta", [](std::string* b) {
    b->resize(b->size() - 1);
  });
  Result r = Inspect({"verify", cut});
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(Has(r.out, "FAILED, 1 problem")) << r.out;
  EXPECT_TRUE(Has(r.out, "cannot open")) << r.out;
  EXPECT_TRUE(Has(r.out, "bad magic")) << r.out;
  Result j = Inspect({"verify", cut, "--json"});
  EXPECT_EQ(j.code, 1);
  EXPECT_TRUE(IsJson(j.out)) << j.out;
  EXPECT_TRUE(Has(j.out, "\"opened\": false")) << j.out;
  for (const char* cmd : {"dump", "stats", "verify"}) {
    Result missing = Inspect({cmd, dir_ + "/missing.delta"});
    EXPECT_EQ(missing.code, 1) << cmd;
    Result bad = Inspect({cmd, cut});
    EXPECT_EQ(bad.code, 1) << cmd;
    EXPECT_TRUE(Has(bad.out + bad.err, "cut.delta")) << cmd;
  }
}

// ------------------------------------------- files that lie, checksums right

// Assembles a delta file from `blocks` as the writer would, letting
// `tamper` change the meta, the index and the keys put in the Bloom filter
// before they are encoded: every checksum is right, the contents are not.
struct Parts {
  DeltaMetaSection meta;
  std::vector<IndexEntry> index;
  std::vector<std::string> bloom_keys;
};

std::string Assemble(const Schema& schema, const std::vector<RowBatch>& blocks,
                     const std::function<void(Parts*)>& tamper) {
  std::string file;
  Parts p;
  p.meta.schema = schema;
  p.meta.min_version = 1;
  p.meta.max_version = 2;
  p.meta.codec = Codec::kNone;
  for (const ColumnSpec& c : schema.columns()) {
    p.meta.zone_maps.emplace_back(c.type);
  }
  for (const RowBatch& rows : blocks) {
    IndexEntry e;
    e.offset = file.size();
    e.row_count = rows.num_rows();
    EncodeBlock(rows, Codec::kNone, 0, &file);
    e.size = file.size() - e.offset;
    for (size_t r = 0; r < rows.num_rows(); ++r) {
      std::string key;
      AppendEncodedKey(rows, r, schema.num_keys(), &key);
      if (r == 0) e.short_key = key.substr(0, p.meta.short_key_length);
      if (p.meta.row_count == 0 && r == 0) p.meta.min_key = key;
      p.meta.max_key = key;
      p.bloom_keys.push_back(key);
    }
    for (size_t c = 0; c < schema.num_columns(); ++c) {
      e.zone_maps.push_back(ZoneMap::Of(rows.column(c), 0, rows.num_rows()));
      p.meta.zone_maps[c].Merge(e.zone_maps.back());
    }
    p.meta.row_count += rows.num_rows();
    p.index.push_back(std::move(e));
  }
  p.meta.block_count = p.index.size();
  tamper(&p);
  Footer f;
  f.bloom.offset = file.size();
  const uint32_t nblocks = 4;
  std::vector<uint32_t> bits(nblocks * 8, 0);
  const uint64_t seed = 42;
  for (const std::string& k : p.bloom_keys) {
    uint64_t h = Hash64(k, seed);
    SplitBlockInsert(&bits[SplitBlockIndex(h, nblocks) * 8], h);
  }
  size_t begin = file.size();
  PutFixed32(&file, nblocks);
  PutFixed64(&file, seed);
  for (uint32_t w : bits) PutFixed32(&file, w);
  AppendChecksum(&file, begin);
  f.bloom.size = static_cast<uint32_t>(file.size() - begin);
  f.index.offset = file.size();
  EncodeIndex(p.index, schema, &file);
  f.index.size = static_cast<uint32_t>(file.size() - f.index.offset);
  f.meta.offset = file.size();
  p.meta.EncodeTo(&file);
  f.meta.size = static_cast<uint32_t>(file.size() - f.meta.offset);
  f.EncodeTo(&file);
  return file;
}

Schema TwoColumns() {
  return *Schema::Create({{"k", ColumnType::kInt64}},
                         {{"v", ColumnType::kString, Aggregation::kMax}});
}

RowBatch KeyRows(std::vector<int64_t> keys) {
  RowBatch rows(TwoColumns());
  for (int64_t k : keys) {
    rows.column(0).AppendInt64(k);
    rows.column(1).AppendString(fmt::format("v{}", k));
  }
  return rows;
}

class LyingFileTest : public ::testing::Test {
 protected:
  Result Verify(const std::vector<RowBatch>& blocks,
                const std::function<void(Parts*)>& tamper) {
    const std::string bytes = Assemble(TwoColumns(), blocks, tamper);
    EXPECT_TRUE(WriteFileAtomically(fs_.get(), "/lie.delta", bytes).ok());
    Result r = Inspect({"verify", "/lie.delta"}, fs_.get());
    Result j = Inspect({"verify", "/lie.delta", "--json"}, fs_.get());
    EXPECT_EQ(r.code, j.code);
    EXPECT_TRUE(IsJson(j.out)) << j.out;
    return r;
  }
  std::unique_ptr<FileSystem> fs_ = NewMemFileSystem();
  const std::vector<RowBatch> good_ = {KeyRows({1, 2, 3}), KeyRows({5, 8})};
};

TEST_F(LyingFileTest, AnHonestAssemblyVerifies) {
  Result r = Verify(good_, [](Parts*) {});
  EXPECT_EQ(r.code, 0) << r.out << r.err;
}

TEST_F(LyingFileTest, KeysOutOfOrderWithinAndAcrossBlocks) {
  Result within = Verify({KeyRows({1, 3, 2}), KeyRows({5})}, [](Parts* p) {
    p->meta.zone_maps[0] = ZoneMap::Of(KeyRows({1, 5}).column(0), 0, 2);
  });
  EXPECT_EQ(within.code, 1);
  EXPECT_TRUE(Has(within.out, "block 0 row 2: key (2) is not greater than "
                              "the previous key (3)"))
      << within.out;
  Result across = Verify({KeyRows({1, 5}), KeyRows({5, 6})}, [](Parts*) {});
  EXPECT_EQ(across.code, 1);
  EXPECT_TRUE(Has(across.out, "block 1 row 0: key (5) is not greater"))
      << across.out;
}

TEST_F(LyingFileTest, ShortKeyNotTheBlocksFirstKey) {
  Result r = Verify(good_, [](Parts* p) {
    std::string key;
    AppendEncodedKey(KeyRows({4}), 0, 1, &key);
    p->index[1].short_key = key;
  });
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(Has(r.out, "block 1: short key 8000000000000004 is not its "
                         "first key 8000000000000005"))
      << r.out;
}

TEST_F(LyingFileTest, ZoneMapsThatDoNotContainTheData) {
  Result r = Verify(good_, [](Parts* p) {
    p->index[1].zone_maps[0] = ZoneMap::Of(KeyRows({6, 7}).column(0), 0, 2);
    p->meta.zone_maps[1] = ZoneMap::Of(KeyRows({2, 5}).column(1), 0, 2);
  });
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(Has(r.out, "block 1 zone map of column 'k': min 6 is above the "
                         "data's min 5"))
      << r.out;
  EXPECT_TRUE(Has(r.out, "block 1 zone map of column 'k': max 7 is below"))
      << r.out;
  EXPECT_TRUE(Has(r.out, "file zone map of column 'v': min \"v2\" is above "
                         "the data's min \"v1\""))
      << r.out;
  EXPECT_TRUE(Has(r.out, "file zone map of column 'v': max \"v5\" is below "
                         "the data's max \"v8\""))
      << r.out;
}

TEST_F(LyingFileTest, MinMaxKeysAndBloomFilter) {
  Result r = Verify(good_, [](Parts* p) {
    std::string key;
    AppendEncodedKey(KeyRows({9}), 0, 1, &key);
    p->meta.max_key = key;
    p->bloom_keys.erase(p->bloom_keys.begin() + 3);  // key 5
  });
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(Has(r.out, "meta: max key (9) is not the last row's key (8)"))
      << r.out;
  EXPECT_TRUE(Has(r.out, "block 1 row 0: key (5) is missing from the Bloom "
                         "filter"))
      << r.out;
}

// ---------------------------------------------------------------- usage

TEST_F(InspectTest, UsageErrorsExitTwo) {
  const std::vector<std::vector<std::string>> bad = {
      {},
      {"frobnicate", good_},
      {"dump"},
      {"dump", good_, good_},
      {"dump", good_, "--rows"},
      {"dump", good_, "--rows", "ten"},
      {"dump", good_, "--rows=-1"},
      {"dump", good_, "--verbose"},
      {"verify", good_, "--rows", "3"},
      {"stats", good_, "--rows=3"},
      {"dump", dir_},  // a directory: dump and stats take delta files
      {"stats", dir_},
  };
  for (const auto& args : bad) {
    Result r = Inspect(args);
    EXPECT_EQ(r.code, 2) << fmt::format("{}", fmt::join(args, " "));
    EXPECT_TRUE(Has(r.err, "usage") || Has(r.err, "--help")) << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
  }
  Result help = Inspect({"--help"});
  EXPECT_EQ(help.code, 0);
  for (std::string_view cmd : {"dump FILE", "verify FILE", "stats FILE"}) {
    EXPECT_TRUE(Has(help.out, cmd)) << help.out;
  }
}

// ---------------------------------------------------------------- binary

int RunBinary(const std::string& command, std::string* output) {
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return -1;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), pipe)) > 0) output->append(buf, n);
  int status = ::pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST_F(InspectTest, TheBinaryExitCodes) {
  const char* bin_dir = std::getenv("MESA_TEST_BIN_DIR");
  if (bin_dir == nullptr) GTEST_SKIP() << "MESA_TEST_BIN_DIR is not set";
  const std::string bin = std::string(bin_dir) + "/mesa-inspect";
  if (!std::filesystem::exists(bin)) {
    GTEST_SKIP() << bin << " is not built (build the mesa-inspect target)";
  }
  std::string bad = WriteVariant("bin_bad.delta", [](std::string* b) {
    (*b)[10] ^= 1;
  });
  std::string out;
  EXPECT_EQ(RunBinary(fmt::format("'{}' verify '{}'", bin, good_), &out), 0)
      << out;
  EXPECT_TRUE(Has(out, ": OK")) << out;
  out.clear();
  EXPECT_EQ(RunBinary(fmt::format("'{}' verify '{}'", bin, bad), &out), 1);
  EXPECT_TRUE(Has(out, "FAILED")) << out;
  out.clear();
  EXPECT_EQ(RunBinary(fmt::format("'{}' 2>/dev/null", bin), &out), 2);
  out.clear();
  EXPECT_EQ(RunBinary(fmt::format("'{}' dump '{}' --json --rows 3", bin, good_),
                      &out),
            0);
  EXPECT_TRUE(IsJson(out)) << out;
}

}  // namespace
}  // namespace mesa::internal
