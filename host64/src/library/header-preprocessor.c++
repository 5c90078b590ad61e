#include "library/header-preprocessor.h"

#include <simplecpp.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <memory>
#include <set>

#include "bridge32/error.h"
#include "bridge32/types.h"

namespace bridge32::library {

// The built-in system headers (system-headers/*.h, embedded by CMake in system-headers.c++).
struct SystemHeader {
  const char* name;
  const char* text;
};
extern const SystemHeader kSystemHeaders[];
extern const size_t kSystemHeaderCount;

namespace {

using simplecpp::Token;
using simplecpp::TokenList;

[[noreturn]] void refuse(const std::string& message) {
  throw Error(Error::Kind::invalidArgument, message);
}

// The file as text, refused when it is not a regular file or is larger than the limit.
std::string readHeader(const std::filesystem::path& path) {
  std::error_code error;
  auto status = std::filesystem::status(path, error);
  if (error || !std::filesystem::exists(status)) {
    throw Error(Error::Kind::notFound, "header '" + utf8(path) + "' does not exist");
  }
  if (!std::filesystem::is_regular_file(status)) {
    refuse("header '" + utf8(path) + "' is not a regular file");
  }
  uint64_t size = std::filesystem::file_size(path, error);
  if (error || size > kMaxHeaderFileBytes) {
    refuse("header '" + utf8(path) + "' is " + std::to_string(size >> 20) +
           " MiB, over the " + std::to_string(kMaxHeaderFileBytes >> 20) + " MiB limit");
  }
  std::ifstream in(path, std::ios::binary);
  std::string text(size, '\0');
  if (!in.read(text.data(), std::streamsize(size))) {
    throw Error(Error::Kind::failed, "cannot read header '" + utf8(path) + "'");
  }
  return text;
}

bool sameLine(const Token* a, const Token* b) {
  return a && b && a->location.sameline(b->location);
}

// `# pragma pack ( ... )` becomes `__pragma ( pack ( ... ) )`, MSVC's operator form, so that the
// preprocessor keeps it in place (it drops directives) and drops it with an inactive branch.
void keepPackPragmas(TokenList& tokens) {
  for (Token* token = tokens.front(); token; token = token->next) {
    Token* pragma = token->next;
    Token* pack = pragma ? pragma->next : nullptr;
    if (token->op != '#' || sameLine(token->previous, token) || !sameLine(token, pragma) ||
        pragma->str() != "pragma" || !sameLine(pragma, pack) || pack->str() != "pack") {
      continue;
    }
    Token* last = pack;
    while (sameLine(last, last->next)) last = last->next;
    token->setstr("__pragma");
    pragma->setstr("(");
    Token* closing = new Token(")", last->location);
    closing->previous = last;
    closing->next = last->next;
    if (last->next) last->next->previous = closing;
    last->next = closing;
    if (tokens.back() == last) {
      // TokenList keeps its back pointer private but appends through push_back.
      last->next = nullptr;
      tokens.push_back(closing);
    }
    token = closing;
  }
}

// The file names each `#include "x"` or `#include <x>` of `tokens` names, and whether in <>.
std::vector<std::pair<std::string, bool>> includesOf(const TokenList& tokens) {
  std::vector<std::pair<std::string, bool>> found;
  for (const Token* token = tokens.cfront(); token; token = token->next) {
    const Token* directive = token->next;
    const Token* name = directive ? directive->next : nullptr;
    if (token->op != '#' || sameLine(token->previous, token) || !sameLine(token, directive) ||
        directive->str() != "include" || !sameLine(directive, name)) {
      continue;
    }
    const std::string& text = name->str();
    if (text.size() > 2 && (text.front() == '"' || text.front() == '<')) {
      found.emplace_back(text.substr(1, text.size() - 2), text.front() == '<');
    }
  }
  return found;
}

std::string directoryOf(const std::string& file) {
  size_t slash = file.find_last_of("\\/");
  return slash == std::string::npos ? std::string() : file.substr(0, slash + 1);
}

std::string joined(const std::string& directory, const std::string& name) {
  std::string path = directory;
  if (!path.empty() && path.back() != '/' && path.back() != '\\') path += '/';
  return simplecpp::simplifyPath(path + name);
}

class Preprocessor {
 public:
  explicit Preprocessor(const PreprocessOptions& options) : options_(options) {
    for (const auto& directory : options.includeDirectories) {
      includePaths_.push_back(utf8(directory));
    }
    if (!options.systemHeaders.empty()) {
      if (!std::filesystem::is_directory(options.systemHeaders)) {
        throw Error(Error::Kind::notFound, "system header directory '" +
                                               utf8(options.systemHeaders) + "' does not exist");
      }
      includePaths_.push_back(utf8(options.systemHeaders));
    } else {
      for (size_t i = 0; i < kSystemHeaderCount; ++i) {
        std::string text = kSystemHeaders[i].text;
        addFile(kSystemHeaders[i].name, text);
      }
    }
  }

  ~Preprocessor() { simplecpp::cleanup(files_); }

  PreprocessedText run(const std::vector<std::filesystem::path>& headers) {
    std::string top;
    for (const auto& header : headers) {
      std::string path = simplecpp::simplifyPath(utf8(std::filesystem::absolute(header)));
      if (!files_.count(path)) addFile(path, readHeader(header));
      top += "#include \"" + path + "\"\n";
    }
    return preprocess(top);
  }

  PreprocessedText runText(std::string_view text, const std::string& name) {
    if (text.size() > kMaxHeaderFileBytes) refuse("header text over the limit");
    addFile(name, std::string(text));
    return preprocess("#include \"" + name + "\"\n");
  }

 private:
  PreprocessedText preprocess(const std::string& top) {
    TokenList raw(top.data(), top.size(), names_, "<headers>", &outputs_);
    simplecpp::DUI dui = settings();
    TokenList output(names_);
    // Macros can multiply tokens without end (each doubling the one before): the preprocessor
    // stops at a limit instead, for this thread only.
    size_t tokensLeft = options_.maxTokens;
    struct Limit {
      explicit Limit(size_t* left) { simplecpp::tokenLimit = left; }
      ~Limit() { simplecpp::tokenLimit = nullptr; }
    } limit(&tokensLeft);
    try {
      simplecpp::preprocess(output, raw, names_, files_, dui, &outputs_);
    } catch (const simplecpp::TokenLimitReached&) {
      refuse("the headers' macros make more than " + std::to_string(options_.maxTokens) +
             " tokens (a macro that expands to itself over and over?)");
    }
    PreprocessedText result;
    for (const simplecpp::Output& output : outputs_) report(output, result.notes);
    write(output, result);
    return result;
  }

  // Tokenizes `text` as the file `name` and, before the preprocessor sees it, every file it
  // includes that exists (found as the preprocessor will look for it), so that each is read with
  // the limits above and has its pack pragmas kept.
  void addFile(const std::string& name, const std::string& text) {
    auto tokens = std::make_unique<TokenList>(text.data(), text.size(), names_, name, &outputs_);
    keepPackPragmas(*tokens);
    auto includes = includesOf(*tokens);
    files_[name] = tokens.release();
    for (const auto& [included, angled] : includes) {
      if (std::string found = locate(name, included, angled); !found.empty()) {
        if (!files_.count(found)) addFile(found, readHeader(pathFromUtf8(found)));
      }
    }
  }

  // Where the preprocessor will find `header` included from `from`: an already read file first
  // (as simplecpp does), else the first existing file; empty when there is none or it is a
  // built-in header.
  std::string locate(const std::string& from, const std::string& header, bool angled) const {
    std::vector<std::string> candidates;
    if (!angled) candidates.push_back(joined(directoryOf(from), header));
    for (const auto& directory : includePaths_) candidates.push_back(joined(directory, header));
    for (const auto& candidate : candidates) {
      if (files_.count(candidate)) return {};
    }
    if (angled && files_.count(header)) return {};
    for (const auto& candidate : candidates) {
      std::error_code error;
      auto status = std::filesystem::status(pathFromUtf8(candidate), error);
      if (!std::filesystem::exists(status)) continue;
      if (!std::filesystem::is_regular_file(status)) {
        refuse(from + ": header '" + candidate + "' is not a regular file");
      }
      return candidate;
    }
    return {};
  }

  simplecpp::DUI settings() const {
    std::map<std::string, std::string> macros;
    auto define = [&](const std::string& definition) {
      size_t equals = definition.find('=');
      std::string name = definition.substr(0, equals);
      macros[name] = equals == std::string::npos ? "1" : definition.substr(equals + 1);
    };
    // Real system headers are MinGW-w64's (or another GCC's) for a Windows DLL: GCC's macros.
    bool gcc = !options_.systemHeaders.empty();
    for (const auto& definition : predefinedMacros(options_.abi, gcc)) define(definition);
    for (const auto& definition : options_.defines) {
      if (definition.empty() || definition.front() == '=') {
        refuse("-D '" + definition + "' names no macro");
      }
      define(definition);
    }
    simplecpp::DUI dui;
    for (const auto& name : options_.undefines) {
      macros.erase(name);
      dui.undefined.insert(name);
    }
    for (const auto& [name, value] : macros) dui.defines.push_back(name + "=" + value);
    // SAL stays for the parser, whatever a real sal.h would make of it (MinGW's: nothing).
    for (std::string_view name : annotationNames()) dui.undefined.insert(std::string(name));
    dui.includePaths.assign(includePaths_.begin(), includePaths_.end());
    dui.removeComments = true;
    return dui;
  }

  void report(const simplecpp::Output& output, std::vector<std::string>& notes) const {
    std::string where = output.location.file();
    if (where.empty() || where == "<headers>") {
      where = "";
    } else {
      where += ":" + std::to_string(output.location.line) + ": ";
    }
    using Type = simplecpp::Output::Type;
    switch (output.type) {
      case Type::WARNING: notes.push_back(where + "#warning " + output.msg); return;
      case Type::PORTABILITY_BACKSLASH: return;
      case Type::MISSING_HEADER:
        // A system header bridge32 has no copy of: its types are unknown, and what uses them
        // is passed over by the parser, naming them. A header of the user's own must be there.
        if (output.msg.find(": <") != std::string::npos) {
          notes.push_back(where + output.msg + " (not built in; give --system-headers)");
          return;
        }
        refuse(where + output.msg + lookedIn());
      case Type::ERROR: refuse(where + output.msg);
      default: refuse(where + output.msg);
    }
  }

  std::string lookedIn() const {
    if (includePaths_.empty()) return " (beside the including file; no -I directories given)";
    std::string text = " (looked beside the including file and in";
    for (const auto& path : includePaths_) text += " '" + path + "'";
    return text + ")";
  }

  // The output as lines of text, a token's line starting a new one wherever its file and line
  // do, and where each came from.
  void write(const TokenList& tokens, PreprocessedText& result) const {
    std::map<std::string, uint32_t> fileIndex;
    const Token* previous = nullptr;
    for (const Token* token = tokens.cfront(); token; token = token->next) {
      if (!previous || !previous->location.sameline(token->location)) {
        if (previous) result.text += '\n';
        const std::string& file = token->location.file();
        auto [entry, added] = fileIndex.emplace(file, uint32_t(result.lines.files.size()));
        if (added) result.lines.files.push_back(file);
        result.lines.lines.push_back({entry->second, token->location.line});
      } else {
        result.text += ' ';
      }
      result.text += token->str();
      if (result.text.size() > kMaxPreprocessedBytes) {
        refuse("the headers make more than " + std::to_string(kMaxPreprocessedBytes >> 20) +
               " MiB of preprocessed text");
      }
      previous = token;
    }
    result.text += '\n';
  }

  const PreprocessOptions& options_;
  std::vector<std::string> includePaths_;
  std::vector<std::string> names_;  // simplecpp's file table
  std::map<std::string, TokenList*> files_;
  simplecpp::OutputList outputs_;
};

}  // namespace

std::vector<std::string> predefinedMacros(Abi abi, bool mingw) {
  if (mingw && isWindows(abi)) {
    // MinGW-w64's GCC (Debian 12's 12.2), as its own headers expect.
    std::vector<std::string> macros = {
        "_WIN32=1", "WIN32=1", "__WIN32__=1", "__MINGW32__=1", "__GNUC__=12", "__GNUC_MINOR__=2",
        "__GNUC_PATCHLEVEL__=0", "__STDC__=1", "__STDC_VERSION__=201710L", "__STDC_HOSTED__=1",
        "__MSVCRT__=1", "__CHAR_BIT__=8", "__SIZEOF_INT__=4", "__SIZEOF_LONG__=4",
        "__SIZEOF_LONG_LONG__=8", "__SIZEOF_SHORT__=2", "__SIZEOF_WCHAR_T__=2",
        "__ORDER_LITTLE_ENDIAN__=1234", "__BYTE_ORDER__=__ORDER_LITTLE_ENDIAN__"};
    if (abi == Abi::win32) {
      macros.insert(macros.end(), {"__i386__=1", "__i386=1", "_X86_=1", "__i686__=1",
                                   "__SIZEOF_POINTER__=4"});
    } else {
      macros.insert(macros.end(), {"_WIN64=1", "__MINGW64__=1", "__x86_64__=1", "__x86_64=1",
                                   "__amd64__=1", "_AMD64_=1", "__SIZEOF_POINTER__=8"});
    }
    return macros;
  }
  switch (abi) {
    case Abi::win32:
    case Abi::win64: {
      // MSVC's: vendor headers take the branch an MSVC user's build takes. (Visual Studio 2022.)
      std::vector<std::string> macros = {"_WIN32=1", "_MSC_VER=1930", "_MSC_FULL_VER=193030705",
                                         "_MSC_EXTENSIONS=1", "_INTEGRAL_MAX_BITS=64",
                                         "__STDC_HOSTED__=1"};
      if (abi == Abi::win32) {
        macros.insert(macros.end(), {"_M_IX86=600", "_M_IX86_FP=2", "_X86_=1"});
      } else {
        macros.insert(macros.end(), {"_WIN64=1", "_M_X64=100", "_M_AMD64=100", "_AMD64_=1"});
      }
      return macros;
    }
    case Abi::sysvI386:
    case Abi::sysvX64: {
      // GCC's (Debian 12's GCC 12) on Linux, as much of it as headers test.
      std::vector<std::string> macros = {
          "__GNUC__=12", "__GNUC_MINOR__=2", "__GNUC_PATCHLEVEL__=0", "__STDC__=1",
          "__STDC_VERSION__=201710L", "__STDC_HOSTED__=1", "__linux__=1", "__linux=1",
          "linux=1", "__unix__=1", "__unix=1", "unix=1", "__gnu_linux__=1", "__ELF__=1",
          "__CHAR_BIT__=8", "__SIZEOF_INT__=4", "__SIZEOF_LONG_LONG__=8",
          "__SIZEOF_SHORT__=2", "__SIZEOF_FLOAT__=4", "__SIZEOF_DOUBLE__=8",
          "__ORDER_LITTLE_ENDIAN__=1234", "__ORDER_BIG_ENDIAN__=4321",
          "__BYTE_ORDER__=__ORDER_LITTLE_ENDIAN__"};
      if (abi == Abi::sysvI386) {
        macros.insert(macros.end(), {"__i386__=1", "__i386=1", "i386=1", "__i686__=1",
                                     "__ILP32__=1", "__SIZEOF_POINTER__=4", "__SIZEOF_LONG__=4",
                                     "__SIZEOF_SIZE_T__=4", "__SIZEOF_WCHAR_T__=4"});
      } else {
        macros.insert(macros.end(), {"__x86_64__=1", "__x86_64=1", "__amd64__=1", "__amd64=1",
                                     "__LP64__=1", "_LP64=1", "__SIZEOF_POINTER__=8",
                                     "__SIZEOF_LONG__=8", "__SIZEOF_SIZE_T__=8",
                                     "__SIZEOF_WCHAR_T__=4"});
      }
      return macros;
    }
  }
  return {};
}

PreprocessOptions preprocessOptions(const HeaderOptions& options, Abi abi) {
  PreprocessOptions preprocess;
  preprocess.abi = abi;
  preprocess.includeDirectories = options.includeDirectories;
  preprocess.defines = options.defines;
  preprocess.undefines = options.undefines;
  preprocess.systemHeaders = options.systemHeaders;
  return preprocess;
}

PreprocessedText preprocessHeaders(const std::vector<std::filesystem::path>& headers,
                                   const PreprocessOptions& options) {
  return Preprocessor(options).run(headers);
}

PreprocessedText preprocessHeaderText(std::string_view text, const std::string& name,
                                      const PreprocessOptions& options) {
  return Preprocessor(options).runText(text, name);
}

SourceLines linesOf(std::string_view text, const std::string& name) {
  SourceLines lines;
  lines.files = {name};
  auto count = uint32_t(std::count(text.begin(), text.end(), '\n')) + 1;
  for (uint32_t line = 1; line <= count; ++line) lines.lines.push_back({0, line});
  return lines;
}

Declarations declareAfter(const Declarations* base, std::string_view text,
                          const SourceLines& lines, bool strict, Abi abi) {
  ParseOptions options;
  options.skipUnsupported = true;
  options.sources = &lines;
  options.maxTextBytes = kMaxHeaderTextBytes;
  options.abi = abi;
  options.base = base;
  Declarations parsed = parseDeclarations(text, options);
  if (!strict) return parsed;
  size_t skippedBefore = base ? base->skipped().size() : 0;
  if (parsed.skipped().size() > skippedBefore) {
    throw Error(Error::Kind::invalidArgument, parsed.skipped()[skippedBefore].reason);
  }
  if (!base) return parsed;
  const auto& functions = parsed.functions();
  for (size_t i = base->functions().size(); i < functions.size(); ++i) {
    auto earlier = base->findFunction(functions[i]->name);
    if (earlier && !sameForCaller(*earlier, *functions[i])) {
      throw Error(Error::Kind::invalidArgument,
                  "'" + functions[i]->name + "' is declared as '" + describe(*earlier) +
                      "' and again as '" + describe(*functions[i]) +
                      "': the types of a function declared again must be its declaration's");
    }
  }
  return parsed;
}

}  // namespace bridge32::library
