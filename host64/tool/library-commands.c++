// bridge32 exports and call: any library's exports, and one of them called by its declaration.
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "bridge32/library.h"
#include "bridge32/module-exports.h"
#include "json-writer.h"
#include "library/c-literals.h"
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
    std::printf("%s\n", printable(library::printLiteral(result.value)).c_str());
  }
  for (const auto& [name, value] : result.outputs) {
    std::printf("%s = %s\n", printable(name).c_str(),
                printable(library::printLiteral(value)).c_str());
  }
  return 0;
}

}  // namespace bridge32::tool
