// Copyright 2026 The mesa Authors. Licensed under the Apache License 2.0.

#include "src/inspect/json_writer.h"

#include <cmath>

#include "fmt/format.h"

namespace mesa::internal {

JsonWriter::~JsonWriter() {
  if (wrote_) out_ << '\n';
}

std::string JsonWriter::Quote(std::string_view s) {
  std::string q;
  q.reserve(s.size() + 2);
  q.push_back('"');
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        q += "\\\"";
        break;
      case '\\':
        q += "\\\\";
        break;
      case '\n':
        q += "\\n";
        break;
      case '\t':
        q += "\\t";
        break;
      case '\r':
        q += "\\r";
        break;
      default:
        if (c < 0x20 || c >= 0x7f) {
          q += fmt::format("\\u{:04x}", c);
        } else {
          q.push_back(ch);
        }
    }
  }
  q.push_back('"');
  return q;
}

void JsonWriter::Newline() {
  out_ << '\n';
  for (size_t i = 0; i < scopes_.size(); ++i) out_ << "  ";
}

void JsonWriter::BeforeValue() {
  wrote_ = true;
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (scopes_.empty()) return;
  Scope& s = scopes_.back();
  if (!s.empty) out_ << (s.compact ? ", " : ",");
  if (!s.compact) Newline();
  s.empty = false;
}

void JsonWriter::Begin(char open, bool compact) {
  BeforeValue();
  out_ << open;
  const bool outer_compact = !scopes_.empty() && scopes_.back().compact;
  scopes_.push_back(Scope{compact || outer_compact});
}

void JsonWriter::End(char close) {
  const Scope s = scopes_.back();
  scopes_.pop_back();
  if (!s.compact && !s.empty) Newline();
  out_ << close;
}

void JsonWriter::BeginObject(bool compact) { Begin('{', compact); }
void JsonWriter::EndObject() { End('}'); }
void JsonWriter::BeginArray(bool compact) { Begin('[', compact); }
void JsonWriter::EndArray() { End(']'); }

void JsonWriter::Key(std::string_view key) {
  BeforeValue();
  out_ << Quote(key) << ": ";
  after_key_ = true;
}

void JsonWriter::String(std::string_view s) {
  BeforeValue();
  out_ << Quote(s);
}

void JsonWriter::Uint(uint64_t v) {
  BeforeValue();
  out_ << v;
}

void JsonWriter::Int(int64_t v) {
  BeforeValue();
  out_ << v;
}

void JsonWriter::Double(double v) {
  if (std::isnan(v)) return String("NaN");
  if (std::isinf(v)) return String(v > 0 ? "Infinity" : "-Infinity");
  BeforeValue();
  // The shortest text that reads back as the same double; "1e+300" and
  // "-0" are valid JSON numbers.
  out_ << fmt::format("{}", v);
}

void JsonWriter::Bool(bool v) {
  BeforeValue();
  out_ << (v ? "true" : "false");
}

void JsonWriter::Null() {
  BeforeValue();
  out_ << "null";
}

}  // namespace mesa::internal
