#include "json-writer.h"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace bridge32::tool {

JsonWriter& JsonWriter::key(std::string_view name) {
  separate();
  quote(name);
  text_ += ':';
  afterKey_ = true;
  return *this;
}

JsonWriter& JsonWriter::value(std::string_view text) {
  separate();
  quote(text);
  return *this;
}

JsonWriter& JsonWriter::value(bool flag) {
  separate();
  text_ += flag ? "true" : "false";
  return *this;
}

JsonWriter& JsonWriter::value(int64_t number) {
  separate();
  text_ += std::to_string(number);
  return *this;
}

JsonWriter& JsonWriter::value(uint64_t number) {
  separate();
  text_ += std::to_string(number);
  return *this;
}

JsonWriter& JsonWriter::value(double number) {
  if (!std::isfinite(number)) return null();
  separate();
  char digits[32];
  auto [end, error] = std::to_chars(digits, digits + sizeof digits, number);  // shortest
  text_.append(digits, end);
  return *this;
}

JsonWriter& JsonWriter::null() {
  separate();
  text_ += "null";
  return *this;
}

JsonWriter& JsonWriter::open(char bracket) {
  separate();
  text_ += bracket;
  first_.push_back(true);
  return *this;
}

JsonWriter& JsonWriter::close(char bracket) {
  text_ += bracket;
  if (!first_.empty()) first_.pop_back();
  return *this;
}

void JsonWriter::separate() {
  if (afterKey_) {
    afterKey_ = false;
    return;
  }
  if (first_.empty()) return;
  if (!first_.back()) text_ += ',';
  first_.back() = false;
}

void JsonWriter::quote(std::string_view text) {
  text_ += '"';
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    // DEL and the C1 controls (U+0080 to U+009F, C2 80 to C2 9F in UTF-8) are valid JSON as they
    // are, but some terminals obey them: escaped, --json output is as safe to print as the text.
    auto next = i + 1 < text.size() ? static_cast<unsigned char>(text[i + 1]) : 0u;
    if (c == '\x7f' || (static_cast<unsigned char>(c) == 0xC2 && next >= 0x80 && next <= 0x9F)) {
      char escape[8];
      std::snprintf(escape, sizeof escape, "\\u%04x", c == '\x7f' ? 0x7Fu : next);
      text_ += escape;
      i += c == '\x7f' ? 0 : 1;
      continue;
    }
    switch (c) {
      case '"': text_ += "\\\""; break;
      case '\\': text_ += "\\\\"; break;
      case '\n': text_ += "\\n"; break;
      case '\r': text_ += "\\r"; break;
      case '\t': text_ += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char escape[8];
          std::snprintf(escape, sizeof escape, "\\u%04x", unsigned(static_cast<unsigned char>(c)));
          text_ += escape;
        } else {
          text_ += c;  // UTF-8 passes as it is
        }
    }
  }
  text_ += '"';
}

}  // namespace bridge32::tool
