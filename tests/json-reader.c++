#include "json-reader.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <stdexcept>

namespace bridge32::test {

namespace {

class Reader {
 public:
  explicit Reader(std::string_view text) : text_(text) {}

  JsonValue document() {
    JsonValue value = next();
    space();
    if (at_ != text_.size()) fail("text after the value");
    return value;
  }

 private:
  JsonValue next() {
    space();
    if (at_ == text_.size()) fail("the text ends where a value should be");
    JsonValue value;
    char c = text_[at_];
    if (c == '{') {
      value.type = JsonValue::Type::object;
      ++at_;
      if (!take('}')) {
        do {
          space();
          if (at_ == text_.size() || text_[at_] != '"') fail("a member name should be here");
          std::string name = string();
          space();
          if (!take(':')) fail("':' should be here");
          if (!value.members.emplace(name, next()).second) fail("member '" + name + "' twice");
          space();
        } while (take(','));
        if (!take('}')) fail("',' or '}' should be here");
      }
    } else if (c == '[') {
      value.type = JsonValue::Type::array;
      ++at_;
      space();
      if (!take(']')) {
        do {
          value.items.push_back(next());
          space();
        } while (take(','));
        if (!take(']')) fail("',' or ']' should be here");
      }
    } else if (c == '"') {
      value.type = JsonValue::Type::string;
      value.string = string();
    } else if (word("true")) {
      value.type = JsonValue::Type::boolean;
      value.boolean = true;
    } else if (word("false")) {
      value.type = JsonValue::Type::boolean;
    } else if (word("null")) {
    } else {
      value.type = JsonValue::Type::number;
      value.number = number();
    }
    return value;
  }

  double number() {
    size_t start = at_;
    take('-');
    if (take('0')) {
    } else if (!digits()) {
      fail("a value should be here");
    }
    if (take('.') && !digits()) fail("digits should follow '.'");
    if (take('e') || take('E')) {
      if (!take('+')) take('-');
      if (!digits()) fail("an exponent should follow 'e'");
    }
    return std::strtod(std::string(text_.substr(start, at_ - start)).c_str(), nullptr);
  }

  bool digits() {
    size_t start = at_;
    while (at_ < text_.size() && text_[at_] >= '0' && text_[at_] <= '9') ++at_;
    return at_ > start;
  }

  std::string string() {
    ++at_;  // the quote
    std::string out;
    for (;;) {
      if (at_ == text_.size()) fail("a string does not end");
      auto c = static_cast<unsigned char>(text_[at_++]);
      if (c == '"') return out;
      if (c < 0x20) fail("a raw control character in a string");
      if (c != '\\') {
        out += char(c);
        continue;
      }
      if (at_ == text_.size()) fail("a string does not end");
      char escape = text_[at_++];
      switch (escape) {
        case '"': case '\\': case '/': out += escape; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': utf8(hex4(), out); break;
        default: fail("an unknown escape");
      }
    }
  }

  uint32_t hex4() {
    if (text_.size() - at_ < 4) fail("a \\u escape is cut off");
    uint32_t code = 0;
    for (int i = 0; i < 4; ++i) {
      char c = text_[at_++];
      code <<= 4;
      if (c >= '0' && c <= '9') code |= c - '0';
      else if (c >= 'a' && c <= 'f') code |= c - 'a' + 10;
      else if (c >= 'A' && c <= 'F') code |= c - 'A' + 10;
      else fail("a \\u escape that is not hex");
    }
    return code;
  }

  void utf8(uint32_t code, std::string& out) {
    if (code >= 0xD800 && code < 0xDC00) {
      if (!word("\\u")) fail("a lone high surrogate");
      uint32_t low = hex4();
      if (low < 0xDC00 || low >= 0xE000) fail("a lone high surrogate");
      code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
    } else if (code >= 0xDC00 && code < 0xE000) {
      fail("a lone low surrogate");
    }
    if (code < 0x80) {
      out += char(code);
    } else if (code < 0x800) {
      out += char(0xC0 | code >> 6);
      out += char(0x80 | (code & 0x3F));
    } else if (code < 0x10000) {
      out += char(0xE0 | code >> 12);
      out += char(0x80 | ((code >> 6) & 0x3F));
      out += char(0x80 | (code & 0x3F));
    } else {
      out += char(0xF0 | code >> 18);
      out += char(0x80 | ((code >> 12) & 0x3F));
      out += char(0x80 | ((code >> 6) & 0x3F));
      out += char(0x80 | (code & 0x3F));
    }
  }

  void space() {
    while (at_ < text_.size() &&
           (text_[at_] == ' ' || text_[at_] == '\t' || text_[at_] == '\n' || text_[at_] == '\r')) {
      ++at_;
    }
  }
  bool take(char c) {
    if (at_ < text_.size() && text_[at_] == c) return ++at_, true;
    return false;
  }
  bool word(std::string_view w) {
    if (text_.substr(at_, w.size()) != w) return false;
    at_ += w.size();
    return true;
  }
  [[noreturn]] void fail(const std::string& why) {
    throw std::runtime_error("not JSON at offset " + std::to_string(at_) + ": " + why);
  }

  std::string_view text_;
  size_t at_ = 0;
};

const JsonValue kMissing;

}  // namespace

const JsonValue& JsonValue::operator[](const std::string& name) const {
  auto found = members.find(name);
  if (type != Type::object || found == members.end()) {
    ADD_FAILURE() << "no member '" << name << "'";
    return kMissing;
  }
  return found->second;
}

const JsonValue& JsonValue::operator[](size_t index) const {
  if (type != Type::array || index >= items.size()) {
    ADD_FAILURE() << "no item " << index;
    return kMissing;
  }
  return items[index];
}

JsonValue parseJson(std::string_view text) { return Reader(text).document(); }

}  // namespace bridge32::test
