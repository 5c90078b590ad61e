// bridge32 exports, call and header: any library's exports, one of them called by its declaration
// or its header's, and what of a header can be called.
#include <algorithm>
#include <cstdio>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "bridge32/library.h"
#include "bridge32/module-file.h"
#include "json-writer.h"
#include "library/c-literals.h"
#include "library/c-parser.h"
#include "library/declaration-shapes.h"
#include "library/header-preprocessor.h"
#include "module-exports.h"
#include "tool.h"

namespace bridge32::tool {

namespace {

// A Value as JSON: numbers, strings, arrays; a struct as an object (as an array when a field has
// no name); a handle as {"handle": N, "kind": "window handle"}.
void writeValue(JsonWriter& json, const Value& value) {
  switch (value.kind()) {
    case Value::Kind::null: json.null(); return;
    case Value::Kind::boolean: json.value(value.asBool()); return;
    case Value::Kind::signedInteger: json.value(value.asInt64()); return;
    case Value::Kind::unsignedInteger: json.value(value.asUint64()); return;
    case Value::Kind::floating: json.value(value.asDouble()); return;
    case Value::Kind::string: json.value(validUtf8(value.asString())); return;
    case Value::Kind::array:
      json.beginArray();
      for (const Value& item : value.asArray()) writeValue(json, item);
      json.endArray();
      return;
    case Value::Kind::structure: {
      const auto& fields = value.asStruct();
      bool named = std::all_of(fields.begin(), fields.end(),
                               [](const Value::Field& field) { return !field.name.empty(); });
      named ? json.beginObject() : json.beginArray();
      for (const auto& field : fields) {
        if (named) json.key(field.name);
        writeValue(json, field.value);
      }
      named ? json.endObject() : json.endArray();
      return;
    }
    case Value::Kind::handle:
      json.beginObject()
          .key("handle")
          .value(value.asHandle().value)
          .key("kind")
          .value(toString(value.asHandle().kind))
          .endObject();
      return;
  }
}

std::vector<std::string> valuesOf(const CommandLine& line, const std::string& option) {
  auto found = line.options.find(option);
  return found == line.options.end() ? std::vector<std::string>() : found->second;
}

HeaderOptions headerOptions(const CommandLine& line) {
  HeaderOptions options;
  for (const auto& directory : valuesOf(line, "-I")) {
    options.includeDirectories.push_back(pathFromUtf8(directory));
  }
  options.defines = valuesOf(line, "-D");
  options.undefines = valuesOf(line, "-U");
  options.systemHeaders = pathFromUtf8(line.value("--system-headers"));
  return options;
}

}  // namespace

int exports(const CommandLine& line) {
  auto list = listExports(pathFromUtf8(line.positional.at(0)));
  for (const Export& entry : list) {
    std::string line = entry.ordinal ? "@" + std::to_string(*entry.ordinal) + " " : "";
    line += entry.name.empty() ? "(by ordinal only)" : printable(entry.name);
    if (!entry.demangled.empty() && entry.demangled != entry.name) {
      line += "  [" + printable(entry.demangled) + "]";
    }
    if (!entry.forwarder.empty()) line += " -> " + printable(entry.forwarder);
    if (!entry.isFunction) line += "  (data)";
    std::printf("%s\n", line.c_str());
  }
  return 0;
}

int call(const CommandLine& line) {
  std::vector<Value> values;
  for (size_t i = 2; i < line.positional.size(); ++i) {
    const std::string& text = line.positional[i];
    try {
      values.push_back(library::parseLiteral(text));
    } catch (const Error& error) {
      throw Error(Error::Kind::invalidArgument,
                  "argument " + std::to_string(values.size() + 1) + " ('" + text +
                      "'): " + error.message());
    }
  }
  auto library = Library::load(pathFromUtf8(line.positional.at(0)), line.loadOptions());
  HeaderOptions options = headerOptions(line);
  for (const auto& header : valuesOf(line, "--header")) {
    library->include(pathFromUtf8(header), options);
  }
  for (const auto& text : valuesOf(line, "--declare")) library->declare(text);
  auto function = library->function(line.positional.at(1));
  CallResult result = function->call(values);
  if (line.has("--json")) {
    JsonWriter json;
    json.beginObject().key("result");
    writeValue(json, result.value);
    json.key("outputs").beginObject();
    for (const auto& [name, value] : result.outputs) {
      json.key(name);
      writeValue(json, value);
    }
    json.endObject().key("lastError").value(uint64_t(result.lastError)).endObject();
    std::printf("%s\n", json.text().c_str());
    return 0;
  }
  if (!function->returnsVoid()) {
    std::printf("%s\n", printable(toLiteral(result.value)).c_str());
  }
  for (const auto& [name, value] : result.outputs) {
    std::printf("%s = %s\n", printable(name).c_str(),
                printable(toLiteral(value)).c_str());
  }
  return 0;
}

}  // namespace bridge32::tool

namespace bridge32::tool {

namespace {

library::Abi abiOf(const ModuleFile& file) {
  bool pe = file.format == ModuleFormat::pe;
  if (file.architecture == Architecture::x86) {
    return pe ? library::Abi::win32 : library::Abi::sysvI386;
  }
  return pe ? library::Abi::win64 : library::Abi::sysvX64;
}

// Whether `exports` has `name`, as the loader finds it: on PE32 also decorated (_f@8, @f@8, _f).
bool isExported(const std::set<std::string, std::less<>>& exports, const std::string& name) {
  if (exports.count(name) || exports.count("_" + name)) return true;
  for (const std::string& prefix : {"_" + name + "@", name + "@", "@" + name + "@"}) {
    auto found = exports.lower_bound(prefix);
    if (found != exports.end() && found->rfind(prefix, 0) == 0) return true;
  }
  return false;
}

struct Verdict {
  enum class Kind { callable, needsSizes, cannotCall, passedOver } kind;
  std::string detail;
};

std::string_view toString(Verdict::Kind kind) {
  switch (kind) {
    case Verdict::Kind::callable: return "callable";
    case Verdict::Kind::needsSizes: return "needs sizes";
    case Verdict::Kind::cannotCall: return "cannot be called";
    case Verdict::Kind::passedOver: return "passed over";
  }
  return "";
}

// Whether `function` can be called as declared in `abi`, or what it needs: a size for each pointer
// parameter that has none (taken as pointing to one value, which is right for `int* n` and wrong
// for an array).
Verdict verdictOn(const library::Signature& function, library::Abi abi) {
  try {
    library::describeFunction(function, abi);
  } catch (const Error& error) {
    return {Verdict::Kind::cannotCall, error.message()};
  }
  // A pointer to a struct is taken to point to one (z_stream*, RECT*); a pointer to a number
  // may as well point to an array.
  std::vector<std::string> unsized;
  for (size_t i = 0; i < function.parameters.size(); ++i) {
    const auto& parameter = function.parameters[i];
    if (parameter.annotation.sal.empty() && parameter.type->isPointer() &&
        parameter.annotation.transfer == library::Transfer::elements &&
        parameter.type->target->kind != library::Type::Kind::record) {
      unsized.push_back(parameter.name.empty() ? "parameter " + std::to_string(i + 1)
                                               : "'" + parameter.name + "'");
    }
  }
  if (unsized.empty()) return {Verdict::Kind::callable, ""};
  std::string detail = "pointer ";
  for (size_t i = 0; i < unsized.size(); ++i) detail += (i ? ", " : "") + unsized[i];
  detail += unsized.size() == 1 ? " has" : " have";
  return {Verdict::Kind::needsSizes,
          detail + " no size (taken as one value): annotate it with --declare"};
}

}  // namespace

int header(const CommandLine& line) {
  std::filesystem::path path = pathFromUtf8(line.positional.at(0));
  ModuleFile file = inspectModuleFile(path, "library");
  std::vector<std::string> headers = valuesOf(line, "--header");
  if (headers.empty()) usageError("no header given (--header FILE)");

  library::PreprocessOptions options = library::preprocessOptions(headerOptions(line), abiOf(file));
  std::vector<std::filesystem::path> paths;
  for (const auto& header : headers) paths.push_back(pathFromUtf8(header));
  library::PreprocessedText text = library::preprocessHeaders(paths, options);
  library::Declarations declarations =
      library::declareAfter(nullptr, text.text, text.lines, false, options.abi);
  for (const auto& declared : valuesOf(line, "--declare")) {
    declarations = library::declareAfter(&declarations, declared,
                                         library::linesOf(declared, "--declare"), true, options.abi);
  }

  std::set<std::string, std::less<>> exports;
  for (const Export& entry : listExports(path)) exports.insert(entry.name);

  // Each function once, as its last declaration says (a --declare wins over the header).
  struct Entry {
    std::string name;
    bool exported;
    Verdict verdict;
  };
  std::vector<Entry> entries;
  std::map<std::string, size_t> byName;
  auto add = [&](const std::string& name, Verdict verdict) {
    Entry entry{name, isExported(exports, name), std::move(verdict)};
    auto [found, added] = byName.emplace(name, entries.size());
    if (added) {
      entries.push_back(std::move(entry));
    } else {
      entries[found->second] = std::move(entry);
    }
  };
  for (const auto& function : declarations.functions()) {
    add(function->name, verdictOn(*function, options.abi));
  }
  for (const auto& skipped : declarations.skipped()) {
    if (skipped.isFunction && !byName.count(skipped.name)) {
      add(skipped.name, {Verdict::Kind::passedOver, skipped.reason});
    }
  }

  std::map<Verdict::Kind, size_t> counts;
  size_t exported = 0;
  for (const Entry& entry : entries) {
    if (!entry.exported) continue;
    ++exported;
    ++counts[entry.verdict.kind];
  }
  if (line.has("--json")) {
    JsonWriter json;
    json.beginObject().key("library").value(utf8(path)).key("abi").value(
        std::string(library::toString(options.abi)));
    json.key("functions").beginArray();
    for (const Entry& entry : entries) {
      json.beginObject()
          .key("name")
          .value(entry.name)
          .key("exported")
          .value(entry.exported)
          .key("status")
          .value(std::string(toString(entry.verdict.kind)));
      if (!entry.verdict.detail.empty()) json.key("detail").value(entry.verdict.detail);
      json.endObject();
    }
    json.endArray().key("notes").beginArray();
    for (const auto& note : text.notes) json.value(note);
    json.endArray().key("totals").beginObject().key("declared").value(uint64_t(entries.size()));
    json.key("exported").value(uint64_t(exported));
    for (auto kind : {Verdict::Kind::callable, Verdict::Kind::needsSizes,
                      Verdict::Kind::cannotCall, Verdict::Kind::passedOver}) {
      json.key(std::string(toString(kind))).value(uint64_t(counts[kind]));
    }
    json.endObject().endObject();
    std::printf("%s\n", json.text().c_str());
    return 0;
  }
  for (const auto& note : text.notes) std::printf("note: %s\n", printable(note).c_str());
  for (const Entry& entry : entries) {
    std::string text = printable(entry.name) + ": ";
    text += entry.exported ? "" : "not exported, ";
    text += toString(entry.verdict.kind);
    if (!entry.verdict.detail.empty()) text += ": " + printable(entry.verdict.detail);
    std::printf("%s\n", text.c_str());
  }
  std::printf("%zu functions declared, %zu exported by %s: %zu callable as declared, %zu need "
              "sizes, %zu cannot be called, %zu passed over\n",
              entries.size(), exported, printable(utf8(path.filename())).c_str(),
              counts[Verdict::Kind::callable], counts[Verdict::Kind::needsSizes],
              counts[Verdict::Kind::cannotCall], counts[Verdict::Kind::passedOver]);
  return 0;
}

}  // namespace bridge32::tool
