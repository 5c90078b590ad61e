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
#include "output-file.h"
#include "tool.h"
#include "wrap-files.h"
#include "wrap-spec.h"

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
  auto list = listModuleExports(pathFromUtf8(line.positional.at(0)));
  for (const ModuleExport& entry : list) {
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
      values.push_back(parseLiteral(text));
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

std::string_view toString(ReportedFunction::Status status) {
  switch (status) {
    case ReportedFunction::Status::callable: return "callable";
    case ReportedFunction::Status::needsSizes: return "needs sizes";
    case ReportedFunction::Status::cannotCall: return "cannot be called";
    case ReportedFunction::Status::passedOver: return "passed over";
  }
  return "";
}

// What the tool says of a function: the report's detail, and for pointers without a size how to
// give them one.
std::string detailOf(const ReportedFunction& function) {
  if (function.status != ReportedFunction::Status::needsSizes) return function.detail;
  return function.detail + ": annotate it with --declare";
}

}  // namespace

int header(const CommandLine& line) {
  std::filesystem::path path = pathFromUtf8(line.positional.at(0));
  std::vector<std::filesystem::path> headers;
  for (const auto& header : valuesOf(line, "--header")) headers.push_back(pathFromUtf8(header));
  if (headers.empty()) usageError("no header given (--header FILE)");
  HeaderReport report = reportHeader(path, headers, headerOptions(line), valuesOf(line, "--declare"));

  using Status = ReportedFunction::Status;
  constexpr Status kStatuses[] = {Status::callable, Status::needsSizes, Status::cannotCall,
                                  Status::passedOver};
  std::map<Status, size_t> counts;
  size_t exported = 0;
  for (const ReportedFunction& function : report.functions) {
    if (!function.exported) continue;
    ++exported;
    ++counts[function.status];
  }
  if (line.has("--json")) {
    JsonWriter json;
    json.beginObject().key("library").value(utf8(path)).key("abi").value(report.abi);
    json.key("functions").beginArray();
    for (const ReportedFunction& function : report.functions) {
      json.beginObject()
          .key("name")
          .value(function.name)
          .key("exported")
          .value(function.exported)
          .key("status")
          .value(std::string(toString(function.status)));
      if (!function.detail.empty()) json.key("detail").value(detailOf(function));
      json.endObject();
    }
    json.endArray().key("notes").beginArray();
    for (const auto& note : report.notes) json.value(note);
    json.endArray().key("totals").beginObject().key("declared").value(
        uint64_t(report.functions.size()));
    json.key("exported").value(uint64_t(exported));
    for (Status status : kStatuses) {
      json.key(std::string(toString(status))).value(uint64_t(counts[status]));
    }
    json.endObject().endObject();
    std::printf("%s\n", json.text().c_str());
    return 0;
  }
  for (const auto& note : report.notes) std::printf("note: %s\n", printable(note).c_str());
  for (const ReportedFunction& function : report.functions) {
    std::string text = printable(function.name) + ": ";
    text += function.exported ? "" : "not exported, ";
    text += toString(function.status);
    if (!function.detail.empty()) text += ": " + printable(detailOf(function));
    std::printf("%s\n", text.c_str());
  }
  std::printf("%zu functions declared, %zu exported by %s: %zu callable as declared, %zu need "
              "sizes, %zu cannot be called, %zu passed over\n",
              report.functions.size(), exported, printable(utf8(path.filename())).c_str(),
              counts[Status::callable], counts[Status::needsSizes], counts[Status::cannotCall],
              counts[Status::passedOver]);
  return 0;
}

namespace {

// The pointer fields of `parameter`'s structs, as "z_streamp's state": what a wrapper cannot
// carry.
void pointerFields(const ParameterInfo& parameter, const std::string& owner,
                   std::vector<std::string>& found) {
  for (const auto& field : parameter.fields) {
    if (field.kind == ParameterInfo::Kind::handle) found.push_back(owner + "'s " + field.name);
    pointerFields(field, field.type.empty() ? owner : field.type, found);
  }
  for (const auto& element : parameter.element) pointerFields(element, owner, found);
}

// Why a wrapper cannot carry a function the headers declare callable, or "".
std::string whyNotCarried(const FunctionInfo& info) {
  if (info.isVariadic) return "it takes variable arguments, whose types only its caller knows";
  if (info.result.kind == ParameterInfo::Kind::array) {
    return "it returns a pointer into the library's memory, which the program cannot read";
  }
  for (const auto& parameter : info.parameters) {
    if (parameter.type.find("va_list") != std::string::npos) {
      return "parameter '" + parameter.name + "' is a va_list, which cannot cross";
    }
  }
  std::vector<std::string> found;
  for (const auto& parameter : info.parameters) pointerFields(parameter, parameter.type, found);
  if (found.empty()) return {};
  std::string why = "its structs hold pointers the library reads or keeps, which are the "
                    "program's 64-bit ones (";
  for (size_t i = 0; i < found.size() && i < 4; ++i) why += (i ? ", " : "") + found[i];
  return why + (found.size() > 4 ? ", ...)" : ")");
}

// A PE32 export's name as C declares it: "_f@12" and "@f@8" (stdcall, fastcall) are f.
std::string undecorated(const std::string& name) {
  size_t at = name.rfind('@');
  if (at == std::string::npos || at == 0 || at + 1 == name.size() ||
      name.find_first_not_of("0123456789", at + 1) != std::string::npos) {
    return name;
  }
  size_t first = name[0] == '_' || name[0] == '@' ? 1 : 0;
  return name.substr(first, at - first);
}

// Why an export no header declares is not in the wrapper.
std::string whatUndeclaredIs(const ModuleExport& entry) {
  if (!entry.demangled.empty() || entry.name[0] == '?') {
    return "a C++ function" + (entry.demangled.empty() ? "" : " (" + entry.demangled + ")") +
           ", which a wrapper does not carry";
  }
  if (!entry.isFunction) {
    return "exported data, which a wrapper cannot carry: the program would read the library's "
           "memory";
  }
  return "exported, but no header declares it: declare it (--declare) to carry it";
}

}  // namespace

int wrapLibrary(const CommandLine& line) {
  std::filesystem::path library = std::filesystem::absolute(pathFromUtf8(line.positional.at(0)));
  std::filesystem::path directory = std::filesystem::absolute(
      line.has("--output") ? pathFromUtf8(line.value("--output")) : std::filesystem::current_path());
  WrapSpec spec;
  spec.library = library;
  for (const auto& header : valuesOf(line, "--header")) {
    spec.headers.push_back(std::filesystem::absolute(pathFromUtf8(header)));
  }
  spec.headerOptions = headerOptions(line);
  for (auto& include : spec.headerOptions.includeDirectories) {
    include = std::filesystem::absolute(include);
  }
  spec.declarations = valuesOf(line, "--declare");
  LoadPlan plan = planLoad(library, line.loadOptions());
  if (!plan.bridged) {
    throw Error(Error::Kind::invalidArgument,
                "'" + utf8(library) + "' is a " + std::string(toString(plan.file.architecture)) +
                    " library, which a 64-bit program loads itself: nothing to wrap");
  }
  spec.loadOptions.surrogateDirectory = plan.surrogate.parent_path();
  if (line.has("--timeout")) {
    auto timeout = callTimeoutFrom(line.value("--timeout"));
    if (!timeout) {
      throw Error(Error::Kind::invalidArgument, "--timeout takes " + std::string(kCallTimeoutRange) +
                                                    ", given '" + line.value("--timeout") + "'");
    }
    spec.loadOptions.callTimeout = *timeout;
  }

  // What the headers declare and the library exports, and what of it a wrapper carries.
  HeaderReport report = reportHeader(library, spec.headers, spec.headerOptions, spec.declarations);
  std::vector<std::string> refused;
  for (const ReportedFunction& function : report.functions) {
    if (!function.exported) continue;
    if (function.status == ReportedFunction::Status::callable) {
      spec.functions.push_back(function.name);
    } else {
      refused.push_back(function.name + ": " + std::string(toString(function.status)) +
                        (function.detail.empty() ? "" : ": " + detailOf(function)));
    }
  }
  // Structs whose pointers the library would read or keep: the program's 64-bit pointers mean
  // nothing to it (zlib's z_stream keeps next_in between calls). Read with the library loaded,
  // as the wrapper will call it.
  {
    LoadOptions options = line.loadOptions();
    auto loaded = Library::load(library, options);
    for (const auto& header : spec.headers) loaded->include(header, spec.headerOptions);
    for (const auto& declarations : spec.declarations) loaded->declare(declarations);
    std::vector<std::string> carried;
    for (const auto& name : spec.functions) {
      std::string why = whyNotCarried(loaded->function(name)->info());
      if (why.empty()) {
        carried.push_back(name);
      } else {
        refused.push_back(name + ": cannot carry: " + why);
      }
    }
    spec.functions = std::move(carried);
  }
  // What LIB exports that no header declares: listed too, with what it is.
  const std::vector<ModuleExport> exports = listModuleExports(library);
  {
    std::set<std::string> declared;
    for (const ReportedFunction& function : report.functions) declared.insert(function.name);
    for (const ModuleExport& entry : exports) {
      if (entry.name.empty() || declared.count(undecorated(entry.name))) continue;
      refused.push_back(entry.name + ": " + whatUndeclaredIs(entry));
    }
  }
  if (spec.functions.empty()) {
    throw Error(Error::Kind::notFound, "the headers declare no function of '" + utf8(library) +
                                           "' that a wrapper can carry");
  }
  std::filesystem::create_directories(directory);
  std::filesystem::path wrapper = directory / library.filename();
  if (std::filesystem::equivalent(wrapper.parent_path(), library.parent_path())) {
    throw Error(Error::Kind::invalidArgument, "the wrapper would replace '" + utf8(library) +
                                                  "' itself: give another --output directory");
  }
  // The runtime: beside this program, as the build and an installation put it.
  const bool pe = plan.file.format == ModuleFormat::pe;
  const char* runtimeName = pe ? "bridge32-wrap.dll" : "libbridge32-wrap.so";
  std::filesystem::path runtime =
      moduleFileContaining(reinterpret_cast<const void*>(&wrapLibrary)).parent_path() / runtimeName;
  if (!std::filesystem::exists(runtime)) runtime = plan.surrogate.parent_path() / runtimeName;
  if (!std::filesystem::exists(runtime)) {
    throw Error(Error::Kind::notFound, std::string("bridge32's wrap runtime ") + runtimeName +
                                           " is neither beside this program nor beside the "
                                           "surrogates");
  }
  WrapperImage image{utf8(library.filename()), runtimeName, spec.functions, {}};
  if (!pe) {
    // Each export under the version the library gives it, as programs linked against its other
    // build ask for them (zlib's ZLIB_1.2.0).
    std::map<std::string, std::string> versions;
    for (const ModuleExport& entry : exports) versions[entry.name] = entry.version;
    for (const auto& function : spec.functions) image.versions.push_back(versions[function]);
  }
  const auto writeBytes = [](const std::filesystem::path& file, const std::vector<uint8_t>& bytes) {
    OutputFile out(utf8(file));
    out.write({reinterpret_cast<const char*>(bytes.data()), bytes.size()});
    out.close();
  };
  // A new file, not the old one rewritten: a program may have the old one mapped.
  std::filesystem::remove(wrapper);
  writeBytes(wrapper, pe ? writePeWrapper(image) : writeElfWrapper(image));
  std::vector<std::filesystem::path> linkerFiles;
  if (pe) {
    // What a linker needs to build a program against the wrapper: its import library, under
    // the names Microsoft's and MinGW's linkers look for, and a .def for any other.
    const std::string stem = utf8(wrapper.stem());
    std::vector<uint8_t> importLibrary = writeImportLibrary(image.soname, spec.functions);
    for (const std::string& name : {stem + ".lib", "lib" + stem + ".dll.a"}) {
      linkerFiles.push_back(directory / pathFromUtf8(name));
      writeBytes(linkerFiles.back(), importLibrary);
    }
    linkerFiles.push_back(directory / pathFromUtf8(stem + ".def"));
    OutputFile def(utf8(linkerFiles.back()));
    def.write("LIBRARY \"" + image.soname + "\"\nEXPORTS\n");
    for (const auto& function : spec.functions) def.write("  " + function + "\n");
    def.close();
  }
  std::filesystem::permissions(wrapper, std::filesystem::perms::owner_all |
                                            std::filesystem::perms::group_read |
                                            std::filesystem::perms::group_exec |
                                            std::filesystem::perms::others_read |
                                            std::filesystem::perms::others_exec);
  {
    // Removed, then copied: MinGW's copy_file does not overwrite on Windows (wrapping again
    // into the same directory failed with "File exists").
    std::error_code error;
    std::filesystem::remove(directory / runtimeName, error);
    if (!error) std::filesystem::copy_file(runtime, directory / runtimeName, error);
    if (error) {
      throw Error(Error::Kind::failed, "cannot write the runtime '" + utf8(directory / runtimeName) +
                                           "': " + error.message() + " (is a program using it?)");
    }
  }
  writeWrapSpec(spec, wrapSpecFile(wrapper));
  std::filesystem::path refusals = directory / (utf8(library.filename()) + ".refused.txt");
  {
    OutputFile out(utf8(refusals));
    for (const auto& why : refused) out.write(why + "\n");
    out.close();
  }
  std::printf("wrapped %s (%s): %zu functions\n", printable(utf8(library)).c_str(),
              std::string(toString(plan.file.architecture)).c_str(), spec.functions.size());
  std::printf("wrapper:  %s (x64)\n", printable(utf8(wrapper)).c_str());
  std::printf("runtime:  %s\n", printable(utf8(directory / runtimeName)).c_str());
  for (const auto& file : linkerFiles) {
    std::printf("linking:  %s\n", printable(utf8(file)).c_str());
  }
  std::printf("spec:     %s\n", printable(utf8(wrapSpecFile(wrapper))).c_str());
  std::printf("not carried: %zu, listed with why in %s\n", refused.size(),
              printable(utf8(refusals)).c_str());
  return 0;
}

}  // namespace bridge32::tool
