#include "library/c-literals.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <system_error>

#include "bridge32/error.h"

namespace bridge32::library {

namespace {

// Braces nest no deeper than declarations do (c-parser.h), for the same reason: the stack.
constexpr int kMaxLiteralNesting = 64;

bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

int hexDigit(char c) {
  if (isDigit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void appendUtf8(std::string& out, uint32_t codePoint) {
  if (codePoint < 0x80) {
    out += char(codePoint);
  } else if (codePoint < 0x800) {
    out += char(0xC0 | (codePoint >> 6));
    out += char(0x80 | (codePoint & 0x3F));
  } else if (codePoint < 0x10000) {
    out += char(0xE0 | (codePoint >> 12));
    out += char(0x80 | ((codePoint >> 6) & 0x3F));
    out += char(0x80 | (codePoint & 0x3F));
  } else {
    out += char(0xF0 | (codePoint >> 18));
    out += char(0x80 | ((codePoint >> 12) & 0x3F));
    out += char(0x80 | ((codePoint >> 6) & 0x3F));
    out += char(0x80 | (codePoint & 0x3F));
  }
}

// ---------------------------------------------------------------------------------------------
// Reading

class LiteralReader {
 public:
  explicit LiteralReader(std::string_view text) : text_(text) {}

  Value readWhole() {
    Value value = readValue();
    skipSpace();
    if (!atEnd()) failExpected("the end of the literal");
    return value;
  }

 private:
  bool atEnd() const { return at_ >= text_.size(); }
  char peek(size_t ahead = 0) const {
    return at_ + ahead < text_.size() ? text_[at_ + ahead] : '\0';
  }
  void skipSpace() {
    while (!atEnd() && isSpace(peek())) ++at_;
  }

  [[noreturn]] void failAt(size_t at, const std::string& message) const {
    throw Error(Error::Kind::invalidArgument,
                "column " + std::to_string(at + 1) + ": " + message);
  }

  // What is at the current column, for "found X": the word or character there.
  std::string found() const {
    if (atEnd()) return "end of input";
    size_t end = at_ + 1;
    if (isLetter(peek()) || isDigit(peek())) {
      while (end < text_.size() && end - at_ < 24 && (isLetter(text_[end]) || isDigit(text_[end]))) {
        ++end;
      }
    }
    return "'" + std::string(text_.substr(at_, end - at_)) + "'";
  }

  [[noreturn]] void failExpected(const std::string& expected) const {
    failAt(at_, "expected " + expected + ", found " + found());
  }

  Value readValue() {
    skipSpace();
    char c = peek();
    if (c == '{') return readInitializer();
    if (c == '"' || startsPrefixedQuote('"')) return readStrings();
    if (c == '\'' || startsPrefixedQuote('\'')) return readCharacter();
    if (isDigit(c) || c == '.' || c == '-' || c == '+') return readNumber();
    if (isLetter(c)) return readWord();
    failExpected("a literal");
  }

  bool startsPrefixedQuote(char quote) const {
    for (std::string_view prefix : {"u8", "L", "u", "U"}) {
      if (text_.substr(at_, prefix.size()) == prefix && peek(prefix.size()) == quote) return true;
    }
    return false;
  }

  void skipPrefix() {
    while (peek() != '"' && peek() != '\'') ++at_;
  }

  std::string_view word() {
    size_t start = at_;
    while (isLetter(peek()) || isDigit(peek())) ++at_;
    return text_.substr(start, at_ - start);
  }

  Value readWord() {
    size_t start = at_;
    std::string_view name = word();
    if (name == "true") return Value(true);
    if (name == "false") return Value(false);
    if (name == "NULL" || name == "nullptr") return Value();
    if (name == "inf" || name == "infinity" || name == "INFINITY") {
      return Value(std::numeric_limits<double>::infinity());
    }
    if (name == "nan" || name == "NAN") return Value(std::numeric_limits<double>::quiet_NaN());
    at_ = start;
    failExpected("a literal");
  }

  // --- numbers

  Value readNumber() {
    size_t start = at_;
    bool negative = peek() == '-';
    if (peek() == '-' || peek() == '+') ++at_;
    if (isLetter(peek())) {
      Value value = readWord();
      if (!value.isFloating()) failAt(start, "a sign before a word that is not a number");
      return negative ? Value(-value.asDouble()) : value;
    }
    size_t bodyStart = at_;
    skipNumberBody();
    std::string_view body = text_.substr(bodyStart, at_ - bodyStart);
    if (body.empty()) failExpected("a number");
    bool hex = body.size() > 1 && body[0] == '0' && (body[1] == 'x' || body[1] == 'X');
    bool floating = body.find('.') != std::string_view::npos ||
                    (hex ? body.find_first_of("pP") != std::string_view::npos
                         : body.find_first_of("eE") != std::string_view::npos);
    if (floating) return readFloating(bodyStart, body, hex, negative);
    return readInteger(bodyStart, body, negative);
  }

  void skipNumberBody() {
    for (;;) {
      char c = peek();
      bool exponentSign = (c == 'e' || c == 'E' || c == 'p' || c == 'P') &&
                          (peek(1) == '+' || peek(1) == '-');
      if (exponentSign) at_ += 2;
      else if (isLetter(c) || isDigit(c) || c == '.') ++at_;
      else return;
    }
  }

  Value readFloating(size_t start, std::string_view body, bool hex, bool negative) {
    if (!body.empty() && (body.back() == 'f' || body.back() == 'F' ||
                          ((body.back() == 'l' || body.back() == 'L') && !hex))) {
      body.remove_suffix(1);
    }
    if (hex) body.remove_prefix(2);
    double value = 0;
    auto format = hex ? std::chars_format::hex : std::chars_format::general;
    auto [end, error] = std::from_chars(body.data(), body.data() + body.size(), value, format);
    bool whole = end == body.data() + body.size();
    if (!whole || (error != std::errc() && error != std::errc::result_out_of_range)) {
      failAt(start, "bad number '" + std::string(text_.substr(start, at_ - start)) + "'");
    }
    if (error == std::errc::result_out_of_range) value = outOfRange(start, body);
    return Value(negative ? -value : value);
  }

  // from_chars reports both overflow and underflow as out of range, without a value: an
  // underflow is a denormal or zero, which strtod gives; an overflow is refused.
  double outOfRange(size_t start, std::string_view body) {
    std::string copy(body);
    double value = std::strtod(copy.c_str(), nullptr);
    if (std::isinf(value)) {
      failAt(start, "'" + copy + "' is too large for a double");
    }
    return value;
  }

  Value readInteger(size_t start, std::string_view body, bool negative) {
    bool isUnsigned = stripIntegerSuffix(start, body);
    uint64_t magnitude = integerMagnitude(start, body);
    if (negative) {
      if (isUnsigned) failAt(start, "a negative unsigned number");
      if (magnitude > uint64_t(std::numeric_limits<int64_t>::max()) + 1) {
        failAt(start, "'-" + std::string(body) + "' does not fit in 64 bits");
      }
      return Value(int64_t(0 - magnitude));
    }
    if (isUnsigned || magnitude > uint64_t(std::numeric_limits<int64_t>::max())) {
      return Value(magnitude);
    }
    return Value(int64_t(magnitude));
  }

  // Removes u, l, ll, ul, llu... and says whether there was a u.
  bool stripIntegerSuffix(size_t start, std::string_view& body) {
    int us = 0, ls = 0;
    while (!body.empty()) {
      char c = body.back();
      if (c == 'u' || c == 'U') ++us;
      else if (c == 'l' || c == 'L') ++ls;
      else break;
      body.remove_suffix(1);
    }
    if (us > 1 || ls > 2) failAt(start, "bad integer suffix");
    return us == 1;
  }

  uint64_t integerMagnitude(size_t start, std::string_view body) {
    unsigned base = 10;
    if (body.size() > 1 && body[0] == '0') {
      char second = body[1];
      if (second == 'x' || second == 'X') base = 16, body.remove_prefix(2);
      else if (second == 'b' || second == 'B') base = 2, body.remove_prefix(2);
      else base = 8, body.remove_prefix(1);
    }
    if (body.empty()) failAt(start, "a number without digits");
    uint64_t value = 0;
    for (char c : body) {
      int digit = hexDigit(c);
      if (digit < 0 || unsigned(digit) >= base) {
        failAt(start, "bad digit '" + std::string(1, c) + "' in a base-" + std::to_string(base) +
                          " number");
      }
      if (value > (std::numeric_limits<uint64_t>::max() - unsigned(digit)) / base) {
        failAt(start, "the number does not fit in 64 bits");
      }
      value = value * base + unsigned(digit);
    }
    return value;
  }

  // --- strings and characters

  Value readStrings() {
    std::string text;
    do {
      skipPrefix();
      readQuoted('"', text);
      skipSpace();
    } while (peek() == '"' || startsPrefixedQuote('"'));
    return Value(std::move(text));
  }

  Value readCharacter() {
    size_t start = at_;
    skipPrefix();
    std::string bytes;
    readQuoted('\'', bytes);
    uint32_t codePoint = 0;
    size_t length = bytes.empty() ? 0 : detail::utf8SequenceLength(bytes, 0, &codePoint);
    if (bytes.size() == 1) return Value(int64_t(static_cast<unsigned char>(bytes[0])));
    if (length == 0 || length != bytes.size()) {
      failAt(start, "a character literal must hold one character");
    }
    return Value(int64_t(codePoint));
  }

  // Appends the contents of the quoted text at the current column, escapes resolved.
  void readQuoted(char quote, std::string& out) {
    size_t start = at_++;
    for (;;) {
      if (atEnd() || peek() == '\n') {
        failAt(start, quote == '"' ? "unterminated string" : "unterminated character");
      }
      char c = text_[at_++];
      if (c == quote) return;
      if (c == '\\') readEscape(out);
      else out += c;
    }
  }

  void readEscape(std::string& out) {
    size_t start = at_ - 1;
    if (atEnd()) failAt(start, "unterminated escape");
    char c = text_[at_++];
    static constexpr std::string_view kFrom = "ntr\\\"'?abfv";
    static constexpr std::string_view kTo = "\n\t\r\\\"'?\a\b\f\v";
    if (size_t index = kFrom.find(c); index != std::string_view::npos) {
      out += kTo[index];
    } else if (c >= '0' && c <= '7') {
      unsigned value = unsigned(c - '0');
      for (int i = 0; i < 2 && peek() >= '0' && peek() <= '7'; ++i) {
        value = value * 8 + unsigned(text_[at_++] - '0');
      }
      if (value > 0xFF) failAt(start, "octal escape above \\377");
      out += char(value);
    } else if (c == 'x') {
      out += char(readHexEscape(start, 0, 0xFF));
    } else if (c == 'u' || c == 'U') {
      uint32_t codePoint = readHexEscape(start, c == 'u' ? 4 : 8, 0x10FFFF);
      if (codePoint >= 0xD800 && codePoint <= 0xDFFF) {
        failAt(start, "\\u escape of a surrogate");
      }
      appendUtf8(out, codePoint);
    } else {
      failAt(start, "unknown escape '\\" + std::string(1, c) + "'");
    }
  }

  // `digits` hex digits exactly, or (0) as many as there are, as C's \x takes.
  uint32_t readHexEscape(size_t start, int digits, uint32_t maximum) {
    uint64_t value = 0;
    int count = 0;
    while (hexDigit(peek()) >= 0 && (digits == 0 || count < digits)) {
      value = value * 16 + uint64_t(hexDigit(text_[at_++]));
      ++count;
      if (value > maximum) failAt(start, "escape value too large");
    }
    if (count == 0 || (digits != 0 && count != digits)) failAt(start, "bad hex escape");
    return uint32_t(value);
  }

  // --- initializers

  Value readInitializer() {
    if (++depth_ > kMaxLiteralNesting) {
      failAt(at_, "braces nested deeper than " + std::to_string(kMaxLiteralNesting) + " levels");
    }
    ++at_;
    std::vector<Value> elements;
    std::vector<Value::Field> fields;
    for (;;) {
      skipSpace();
      if (peek() == '}') break;
      if (peek() == '.') {
        if (!elements.empty()) failExpected("a value, as the other elements have no names");
        fields.push_back(readDesignated());
      } else {
        if (!fields.empty()) failExpected("'.name = ', as the other elements have names");
        elements.push_back(readValue());
      }
      skipSpace();
      if (peek() != ',') break;
      ++at_;
    }
    if (peek() != '}') failExpected("',' or '}'");
    ++at_;
    --depth_;
    if (!fields.empty()) return Value(std::move(fields));
    return Value(std::move(elements));
  }

  Value::Field readDesignated() {
    ++at_;
    skipSpace();
    if (!isLetter(peek())) failExpected("a field name");
    std::string name(word());
    skipSpace();
    if (peek() != '=') failExpected("'='");
    ++at_;
    return Value::Field{std::move(name), readValue()};
  }

  std::string_view text_;
  size_t at_ = 0;
  int depth_ = 0;
};

}  // namespace

Value parseLiteral(std::string_view text) { return LiteralReader(text).readWhole(); }

// ---------------------------------------------------------------------------------------------
// Coercion to a declared type

namespace {

[[noreturn]] void refuse(const std::string& expected, const Type& type, const Value& value) {
  throw Error(Error::Kind::invalidArgument, "expected " + expected + " for " + describe(type) +
                                                ", got " + toLiteral(value));
}

Value coerceInteger(const Value& value, const Type& type, Abi abi) {
  if (value.isBool()) return coerceInteger(Value(value.asBool() ? 1 : 0), type, abi);
  if (!value.isInteger()) refuse("an integer", type, value);
  uint32_t bits = integerSize(type, abi) * 8;
  bool isSigned = isSignedInteger(type, abi);
  bool negative = value.kind() == Value::Kind::signedInteger && value.asInt64() < 0;
  // The range as int64 / uint64 bounds; 64-bit types take every value of their signedness.
  int64_t low = isSigned ? (bits == 64 ? std::numeric_limits<int64_t>::min()
                                       : -(int64_t(1) << (bits - 1)))
                         : 0;
  uint64_t high = isSigned ? (uint64_t(1) << (bits - 1)) - 1
                           : (bits == 64 ? std::numeric_limits<uint64_t>::max()
                                         : (uint64_t(1) << bits) - 1);
  bool fits = negative ? value.asInt64() >= low : value.asUint64() <= high;
  if (!fits) {
    throw Error(Error::Kind::invalidArgument,
                toLiteral(value) + " does not fit in " + describe(type) + " (" +
                    std::to_string(low) + " to " + std::to_string(high) + ")");
  }
  if (isSigned) return Value(value.asInt64());
  return Value(value.asUint64());
}

// Whether asDouble holds the integer exactly (2^53 + 1 it does not).
bool fitsDouble(const Value& integer) {
  try {
    integer.asDouble();
    return true;
  } catch (const Error&) {
    return false;
  }
}

Value coerceFloating(const Value& value, const Type& type) {
  if (!value.isFloating() && !value.isInteger()) refuse("a number", type, value);
  if (value.isInteger() && !fitsDouble(value)) {
    throw Error(Error::Kind::invalidArgument,
                toLiteral(value) + " has no exact " + describe(type) + " value");
  }
  double number = value.asDouble();
  if (type.floatBytes == 4 && std::isfinite(number) &&
      std::fabs(number) > double(std::numeric_limits<float>::max())) {
    throw Error(Error::Kind::invalidArgument,
                toLiteral(value) + " does not fit in " + describe(type));
  }
  return Value(number);
}

Value coerceArray(const Value& value, const Type& type, Abi abi);
Value coerceRecord(const Value& value, const Type& type, Abi abi);
Value coercePointer(const Value& value, const Type& type, Abi abi);

Value::HandleKind handleKind(HandleKind kind) {
  switch (kind) {
    case HandleKind::window: return Value::HandleKind::window;
    case HandleKind::kernel: return Value::HandleKind::kernel;
    case HandleKind::module: return Value::HandleKind::module;
  }
  return Value::HandleKind::pointer;
}

// An integer or handle as the bits of a handle or opaque pointer.
Value coerceHandle(const Value& value, const Type& type, Value::HandleKind kind) {
  if (value.isNull()) return value;
  if (value.isHandle()) return Value(Value::Handle{value.asHandle().value, kind});
  if (!value.isInteger()) refuse("an integer or NULL", type, value);
  uint64_t bits = value.kind() == Value::Kind::signedInteger ? uint64_t(value.asInt64())
                                                             : value.asUint64();
  return Value(Value::Handle{bits, kind});
}

Value coercePointer(const Value& value, const Type& type, Abi abi) {
  if (value.isNull()) return value;
  if (value.isHandle()) return value;  // a pointer the DLL handed out earlier
  if (type.isFunctionPointer()) refuse("NULL (a callback cannot be a literal)", type, value);
  if (type.isStringPointer()) {
    if (!value.isString()) refuse("a string or NULL", type, value);
    return value;
  }
  if (type.isOpaquePointer()) return coerceHandle(value, type, Value::HandleKind::pointer);
  if (!value.isArray()) return coerce(value, *type.target, abi);  // a pointer to one element
  std::vector<Value> elements;
  for (const Value& element : value.asArray()) {
    elements.push_back(coerce(element, *type.target, abi));
  }
  return Value(std::move(elements));
}

Value coerceArray(const Value& value, const Type& type, Abi abi) {
  const Type& element = *type.target;
  if (value.isString() && element.kind == Type::Kind::integer &&
      element.character != Character::none) {
    if (value.asString().size() > type.count) {
      refuse("a string of at most " + std::to_string(type.count) + " bytes", type, value);
    }
    return value;
  }
  if (!value.isArray()) refuse("{...} with " + std::to_string(type.count) + " elements", type, value);
  if (value.size() != type.count) {
    refuse(std::to_string(type.count) + " elements", type, value);
  }
  std::vector<Value> elements;
  for (const Value& item : value.asArray()) elements.push_back(coerce(item, element, abi));
  return Value(std::move(elements));
}

// The fields that hold values: all but unnamed bit-fields, which C's initializers skip too.
std::vector<const Field*> valuedFields(const Record& record) {
  std::vector<const Field*> fields;
  for (const Field& field : record.fields) {
    if (!field.bitWidth || !field.name.empty()) fields.push_back(&field);
  }
  return fields;
}

Value coerceNamedFields(const Value& value, const Type& type, Abi abi) {
  const Record& record = *type.record;
  std::vector<const Field*> valued = valuedFields(record);
  std::vector<Value::Field> fields;
  for (const Value::Field& given : value.asStruct()) {
    auto field = std::find_if(valued.begin(), valued.end(),
                              [&](const Field* f) { return f->name == given.name; });
    if (field == valued.end()) {
      throw Error(Error::Kind::invalidArgument,
                  describe(type) + " has no field '" + given.name + "'");
    }
    fields.push_back({given.name, coerce(given.value, *(*field)->type, abi)});
  }
  if (record.isUnion ? fields.size() != 1 : fields.size() != valued.size()) {
    refuse(record.isUnion ? "one field" : "every field", type, value);
  }
  if (!record.isUnion) {
    // In declaration order, whatever the order given.
    std::vector<Value::Field> ordered;
    for (const Field* field : valued) {
      auto given = std::find_if(fields.begin(), fields.end(),
                                [&](const Value::Field& f) { return f.name == field->name; });
      if (given == fields.end()) refuse("a value for field '" + field->name + "'", type, value);
      ordered.push_back(std::move(*given));
    }
    return Value(std::move(ordered));
  }
  return Value(std::move(fields));
}

Value coerceRecord(const Value& value, const Type& type, Abi abi) {
  const Record& record = *type.record;
  if (!record.isComplete) refuse("a pointer (the struct is not defined)", type, value);
  bool named = value.isStruct() && !value.asStruct().empty() && !value.asStruct()[0].name.empty();
  if (named) return coerceNamedFields(value, type, abi);
  if (!value.isArray() && !value.isStruct()) refuse("{...}", type, value);
  std::vector<const Field*> valued = valuedFields(record);
  size_t wanted = record.isUnion ? 1 : valued.size();
  if (value.size() != wanted) refuse(std::to_string(wanted) + " elements", type, value);
  std::vector<Value::Field> fields;
  for (size_t i = 0; i < wanted; ++i) {
    fields.push_back({valued[i]->name, coerce(value[i], *valued[i]->type, abi)});
  }
  return Value(std::move(fields));
}

}  // namespace

Value coerce(const Value& value, const Type& type, Abi abi) {
  switch (type.kind) {
    case Type::Kind::voidType:
      if (!value.isNull()) refuse("nothing", type, value);
      return value;
    case Type::Kind::boolean:
      if (value.isBool()) return value;
      if (value == Value(0) || value == Value(1)) return Value(value == Value(1));
      refuse("true or false", type, value);
    case Type::Kind::integer:
    case Type::Kind::enumeration: return coerceInteger(value, type, abi);
    case Type::Kind::floating: return coerceFloating(value, type);
    case Type::Kind::pointer: return coercePointer(value, type, abi);
    case Type::Kind::handle: return coerceHandle(value, type, handleKind(type.handle));
    case Type::Kind::array: return coerceArray(value, type, abi);
    case Type::Kind::record: return coerceRecord(value, type, abi);
    case Type::Kind::function: refuse("a pointer to the function", type, value);
  }
  refuse("a known type", type, value);
}

}  // namespace bridge32::library
