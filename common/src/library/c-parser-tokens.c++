// Tokens: the lexer, which cuts the text into C tokens (comments and backslash-newlines
// dropped, the first token of each line marked for # directives), and where a token is, for
// messages.
#include "library/c-parser-internal.h"

#include <array>

#include "bridge32/error.h"

namespace bridge32::library {

thread_local const SourceLines* tSources = nullptr;

std::string position(uint32_t line, uint32_t column) {
  if (tSources) {
    if (std::string where = tSources->describe(line); !where.empty()) return where;
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(column) + ": ";
}

[[noreturn]] void failAt(const Token& token, const std::string& message) {
  throw Error(Error::Kind::invalidArgument, position(token.line, token.column) + message);
}

std::string describeToken(const Token& token) {
  switch (token.kind) {
    case Token::Kind::end: return "end of input";
    case Token::Kind::string: return "a string";
    default: {
      constexpr size_t kMaxChars = 32;
      std::string text(token.text.substr(0, kMaxChars));
      return "'" + text + (token.text.size() > kMaxChars ? "...'" : "'");
    }
  }
}

namespace {

bool isIdentifierStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isIdentifierChar(char c) { return isIdentifierStart(c) || isDigit(c); }

class Lexer {
 public:
  explicit Lexer(std::string_view text) : text_(text) {}

  std::vector<Token> tokenize() {
    std::vector<Token> tokens;
    bool startsLine = true;
    for (;;) {
      startsLine = skipSpaceAndComments() || startsLine;
      Token token = next();
      token.startsLine = startsLine;
      startsLine = false;
      tokens.push_back(token);
      if (token.kind == Token::Kind::end) return tokens;
    }
  }

 private:
  char peek(size_t ahead = 0) const {
    return offset_ + ahead < text_.size() ? text_[offset_ + ahead] : '\0';
  }
  bool atEnd() const { return offset_ >= text_.size(); }

  void advance() {
    if (text_[offset_] == '\n') {
      ++line_;
      column_ = 1;
    } else {
      ++column_;
    }
    ++offset_;
  }

  [[noreturn]] void fail(uint32_t line, uint32_t column, const std::string& message) const {
    throw Error(Error::Kind::invalidArgument, position(line, column) + message);
  }

  // Returns whether a line ended on the way (backslash-newline joins lines, as in C).
  bool skipSpaceAndComments() {
    bool newline = false;
    while (!atEnd()) {
      char c = peek();
      if (c == '\\' && (peek(1) == '\n' || (peek(1) == '\r' && peek(2) == '\n'))) {
        advance();
        if (peek() == '\r') advance();
        advance();
      } else if (c == '\n') {
        newline = true;
        advance();
      } else if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
        advance();
      } else if (c == '/' && peek(1) == '/') {
        while (!atEnd() && peek() != '\n') advance();
      } else if (c == '/' && peek(1) == '*') {
        skipBlockComment();
      } else {
        break;
      }
    }
    return newline;
  }

  void skipBlockComment() {
    uint32_t line = line_, column = column_;
    advance();
    advance();
    while (!(peek() == '*' && peek(1) == '/')) {
      if (atEnd()) fail(line, column, "unterminated comment");
      advance();
    }
    advance();
    advance();
  }

  Token next() {
    Token token;
    token.line = line_;
    token.column = column_;
    size_t start = offset_;
    if (atEnd()) return token;
    char c = peek();
    if (isIdentifierStart(c)) {
      // An L, u, U or u8 prefix belongs to the string or character literal that follows.
      while (isIdentifierChar(peek())) advance();
      std::string_view word = text_.substr(start, offset_ - start);
      bool prefix = word == "L" || word == "u" || word == "U" || word == "u8";
      if (prefix && (peek() == '"' || peek() == '\'')) {
        token.kind = quoted(peek());
      } else {
        token.kind = Token::Kind::identifier;
      }
    } else if (isDigit(c) || (c == '.' && isDigit(peek(1)))) {
      skipNumber();
      token.kind = Token::Kind::number;
    } else if (c == '"' || c == '\'') {
      token.kind = quoted(c);
    } else {
      skipPunctuator(token);
      token.kind = Token::Kind::punctuator;
    }
    token.text = text_.substr(start, offset_ - start);
    return token;
  }

  // A C "preprocessing number": digits, letters, dots and exponent signs; c-literals judges it.
  void skipNumber() {
    for (;;) {
      char c = peek();
      bool exponent = (c == 'e' || c == 'E' || c == 'p' || c == 'P') &&
                      (peek(1) == '+' || peek(1) == '-');
      if (exponent) {
        advance();
        advance();
      } else if (isIdentifierChar(c) || c == '.') {
        advance();
      } else {
        return;
      }
    }
  }

  Token::Kind quoted(char quote) {
    uint32_t line = line_, column = column_;
    advance();
    while (peek() != quote) {
      if (atEnd() || peek() == '\n') {
        fail(line, column, quote == '"' ? "unterminated string" : "unterminated character");
      }
      if (peek() == '\\' && offset_ + 1 < text_.size()) advance();
      advance();
    }
    advance();
    return quote == '"' ? Token::Kind::string : Token::Kind::character;
  }

  void skipPunctuator(const Token& token) {
    static constexpr std::array<std::string_view, 3> kLong = {"...", "<<", ">>"};
    for (std::string_view punctuator : kLong) {
      if (text_.substr(offset_, punctuator.size()) == punctuator) {
        for (size_t i = 0; i < punctuator.size(); ++i) advance();
        return;
      }
    }
    static constexpr std::string_view kSingle = "()[]{},;*=:.+-/%&|^~!#<>?";
    char c = peek();
    if (kSingle.find(c) == std::string_view::npos) {
      unsigned char byte = static_cast<unsigned char>(c);
      std::string shown = byte >= 0x20 && byte < 0x7f ? "'" + std::string(1, c) + "'"
                                                      : "byte " + std::to_string(byte);
      fail(token.line, token.column, "unexpected character " + shown);
    }
    advance();
  }

  std::string_view text_;
  size_t offset_ = 0;
  uint32_t line_ = 1, column_ = 1;
};

}  // namespace

std::vector<Token> tokenize(std::string_view text) { return Lexer(text).tokenize(); }

}  // namespace bridge32::library
