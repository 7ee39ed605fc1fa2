// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.
//
// A small streaming JSON writer for mesa-inspect's --json output. It tracks
// nesting so commas and indentation come out right, and escapes strings.
//
// Strings are byte strings (column values may hold any byte): printable
// ASCII is written as is, '"' and '\\' and control characters are escaped,
// and every byte >= 0x80 is written as the code point U+0080..U+00FF
// ("\u00ff"). The output is therefore plain ASCII, always valid JSON, and
// lossless: a string's bytes are its code points.
//
// Thread safety: a JsonWriter is used by one thread at a time.

#ifndef MESA_INSPECT_JSON_WRITER_H_
#define MESA_INSPECT_JSON_WRITER_H_

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace mesa::internal {

class JsonWriter {
 public:
  explicit JsonWriter(std::ostream& out) : out_(out) {}
  // Ends the document with a newline.
  ~JsonWriter();

  // Containers. A compact container (and everything inside it) is written
  // on one line, for short arrays such as a row of values.
  void BeginObject(bool compact = false);
  void EndObject();
  void BeginArray(bool compact = false);
  void EndArray();

  // The next member's name, inside an object.
  void Key(std::string_view key);

  void String(std::string_view s);
  void Uint(uint64_t v);
  void Int(int64_t v);
  // NaN and the infinities, which JSON lacks, are written as the strings
  // "NaN", "Infinity" and "-Infinity".
  void Double(double v);
  void Bool(bool v);
  void Null();

  // Key(key) followed by the value.
  void Field(std::string_view key, std::string_view v) { Key(key), String(v); }
  void Field(std::string_view key, const char* v) { Key(key), String(v); }
  void Field(std::string_view key, const std::string& v) { Key(key), String(v); }
  void Field(std::string_view key, uint64_t v) { Key(key), Uint(v); }
  void Field(std::string_view key, uint32_t v) { Key(key), Uint(v); }
  void Field(std::string_view key, int64_t v) { Key(key), Int(v); }
  void Field(std::string_view key, int v) { Key(key), Int(v); }
  void Field(std::string_view key, double v) { Key(key), Double(v); }
  void Field(std::string_view key, bool v) { Key(key), Bool(v); }

  // `s` as a JSON string literal, quotes included.
  static std::string Quote(std::string_view s);

 private:
  struct Scope {
    bool compact;
    bool empty = true;
  };
  // Writes the separator and indentation before a value or a key.
  void BeforeValue();
  void Begin(char open, bool compact);
  void End(char close);
  void Newline();

  std::ostream& out_;
  std::vector<Scope> scopes_;
  bool after_key_ = false;
  bool wrote_ = false;
};

}  // namespace mesa::internal

#endif  // MESA_INSPECT_JSON_WRITER_H_
