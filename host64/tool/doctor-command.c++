// bridge32 doctor: why a DLL or shared object will or will not load, read from its file before
// anyone writes code: its format and bitness, the kinds of module it is, and its dependencies,
// found recursively as the loader of the process that would load it finds them.
#include <cstdio>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "bridge32/error.h"
#include "bridge32/module-file.h"
#include "bridge32/surrogate.h"
#include "json-writer.h"
#include "tool.h"

namespace bridge32::tool {

namespace {

// Why the module will not load, or (delayed) what fails later.
struct Problem {
  std::string text;                   // a sentence, without the module's name
  std::optional<DependencyFailure> failure;  // when it is a dependency
  std::string hint;                   // what to do about it, or empty
};

struct Diagnosis {
  std::filesystem::path path;
  std::optional<ModuleFile> file;
  std::string placement;  // where bridge32 loads it
  std::filesystem::path surrogate;
  bool surrogateExists = false;
  std::vector<std::string> kinds;  // "bridge32", "vst2", "com", "exports"
  std::optional<size_t> exportCount;
  std::string exportsProblem;
  std::string searchedAs;  // whose loader the dependencies are searched as
  std::optional<ModuleDependencyReport> dependencies;
  std::vector<Problem> problems, laterProblems;
};

// `name` as written, or without a PE32 cdecl/stdcall decoration ("_main", "_f@8").
bool exportNamed(const ModuleExport& entry, std::string_view wanted) {
  std::string_view name = entry.name;
  if (name == wanted) return true;
  if (auto at = name.rfind('@'); at != std::string_view::npos && at > 0) name = name.substr(0, at);
  if (name.starts_with('_')) name.remove_prefix(1);
  return name == wanted;
}

std::string debianArchitecture(Architecture architecture) {
  return architecture == Architecture::x86 ? "i386" : "amd64";
}

#if !_WIN32
bool onPath(const std::string& program) {
  const char* path = std::getenv("PATH");
  if (!path) return false;
  std::string list = path;
  for (size_t start = 0; start <= list.size();) {
    size_t end = std::min(list.find(':', start), list.size());
    std::error_code error;
    if (end > start && std::filesystem::exists(list.substr(start, end - start) + "/" + program,
                                               error)) {
      return true;
    }
    start = end + 1;
  }
  return false;
}

// The Debian packages apt-file knows to ship `soname` for `architecture`: what `apt-file search`
// prints for the library directories of that architecture. Nothing when apt-file is not
// installed, or the name is not a plain file name.
std::optional<std::set<std::string>> debianPackagesFor(const std::string& soname,
                                                       Architecture architecture) {
  bool plain = !soname.empty() && soname.find_first_not_of(
                                      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                      "0123456789._+-") == std::string::npos;
  if (!plain || !onPath("apt-file")) return std::nullopt;
  std::string escaped;
  for (char c : soname) {
    if (c == '.' || c == '+') escaped += '\\';
    escaped += c;
  }
  std::string triplet = architecture == Architecture::x86 ? "i386-linux-gnu" : "x86_64-linux-gnu";
  std::string command = "apt-file search -a " + debianArchitecture(architecture) + " -x '/" +
                        triplet + "/" + escaped + "$' 2>/dev/null";
  std::FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return std::nullopt;
  std::set<std::string> packages;
  char line[4096];
  while (std::fgets(line, sizeof line, pipe)) {
    std::string text = line;
    if (auto colon = text.find(':'); colon != std::string::npos) {
      packages.insert(text.substr(0, colon) + ":" + debianArchitecture(architecture));
    }
  }
  pclose(pipe);
  return packages;
}
#endif

std::string hintFor(const DependencyFailure& failure, const ModuleFile& file) {
  const std::string& name = failure.chain.back();
  if (file.format == ModuleFormat::pe) {
    return "put " + name + " beside the module, or in a directory on PATH";
  }
#if !_WIN32
  if (auto packages = debianPackagesFor(name, file.architecture)) {
    if (packages->empty()) return "apt-file knows no Debian package that provides " + name;
    std::string list;
    for (const auto& package : *packages) list += (list.empty() ? "" : " or ") + package;
    return "install " + list + " (apt-get install " + *packages->begin() + ")";
  }
#endif
  return "if a Debian package provides " + name + ", install its " +
         debianArchitecture(file.architecture) + " build (apt-file search " + name +
         " names it); else put " + name + " in one of the directories searched";
}

std::string chainText(const std::vector<std::string>& chain) {
  std::string text;
  for (const auto& name : chain) text += (text.empty() ? "" : " -> ") + printable(name);
  return text;
}

Diagnosis diagnose(const std::filesystem::path& path) {
  Diagnosis d;
  d.path = path;
  d.file = inspectModuleFile(path, "module");
  const ModuleFile& file = *d.file;

  if (file.format != nativeModuleFormat()) {
    // Nothing here can load it, so where it would load and what it would need here mean nothing:
    // said once, with where it does load, and no advice about its dependencies.
    d.problems.push_back({file.format == ModuleFormat::pe
                              ? "it is a Windows DLL: bridge32 on this system loads ELF shared "
                                "objects; load it with the Windows build of bridge32"
                              : "it is an ELF shared object: bridge32 on Windows loads DLLs",
                          {}, {}});
    d.placement = "not on this system";
  }
  if (!file.isLibrary) d.problems.push_back({"it is an executable, not a library", {}, {}});
  if (file.architecture == Architecture::unknown) {
    d.problems.push_back({"it is for a machine bridge32 does not run (it runs x86 and x64)", {}, {}});
  } else if (file.format == nativeModuleFormat()) {
    d.surrogate = surrogatePath(file.architecture);
    std::error_code error;
    d.surrogateExists = std::filesystem::is_regular_file(d.surrogate, error);
    std::string surrogateName = "the " + std::string(toString(file.architecture)) + " surrogate";
    if (file.architecture == Architecture::x64) {
      d.placement = "in-process (64-bit), or in " + surrogateName + " when isolated";
    } else {
      d.placement = "in " + surrogateName + " (32-bit)";
      if (!d.surrogateExists) {
        d.problems.push_back({surrogateName + " '" + utf8(d.surrogate) +
                                  "' does not exist (set BRIDGE32_SURROGATE_DIR to its directory)",
                              {}, {}});
      }
    }
    d.searchedAs = surrogateName + "'s loader";
  }

  try {
    auto exports = listModuleExports(path);
    d.exportCount = exports.size();
    auto has = [&](std::initializer_list<std::string_view> names) {
      for (const ModuleExport& entry : exports) {
        for (auto name : names) {
          if (exportNamed(entry, name)) return true;
        }
      }
      return false;
    };
    if (has({"bridge32_entry"})) d.kinds.push_back("bridge32");
    if (has({"VSTPluginMain", "main"})) d.kinds.push_back("vst2");
    if (has({"DllGetClassObject"})) d.kinds.push_back("com");
    if (!exports.empty()) d.kinds.push_back("exports");
  } catch (const Error& error) {
    d.exportsProblem = error.message();
  }

  if (file.architecture != Architecture::unknown && file.format == nativeModuleFormat()) {
    d.dependencies = findModuleDependencies(path);
    for (const auto& failure : d.dependencies->failures) {
      d.problems.push_back({printable(failure.chain.back()) + " " + printable(failure.why), failure,
                            failure.why == "is missing" ? hintFor(failure, file) : ""});
    }
    for (const auto& failure : d.dependencies->delayedFailures) {
      d.laterProblems.push_back(
          {printable(failure.chain.back()) + " " + printable(failure.why) +
               " (delay-loaded: the module loads, a call into it fails)",
           failure, ""});
    }
  }
  return d;
}

std::string sourceText(const ModuleDependency& dependency) {
  switch (dependency.found) {
    case ModuleDependency::Found::loaded: return "already loaded by the surrogate";
    case ModuleDependency::Found::system: return "system";
    case ModuleDependency::Found::apiSet: return "API set, mapped by the system";
    case ModuleDependency::Found::missing: return "MISSING";
    case ModuleDependency::Found::unusable: return "CANNOT BE USED: " + dependency.problem;
    default: return std::string(toString(dependency.found));
  }
}

void printTree(const std::vector<ModuleDependency>& dependencies, int depth) {
  for (const auto& dependency : dependencies) {
    std::string line(size_t(depth) * 2 + 4, ' ');
    line += printable(dependency.name);
    if (dependency.delayLoaded) line += " (delay-loaded)";
    line += ": ";
    if (!dependency.path.empty()) line += printable(utf8(dependency.path)) + " ";
    line += "[" + printable(sourceText(dependency)) + "]";
    if (dependency.listedAbove) line += ", listed above";
    if (!dependency.problem.empty() && dependency.found != ModuleDependency::Found::unusable) {
      line += ", " + printable(dependency.problem);
    }
    std::printf("%s\n", line.c_str());
    printTree(dependency.dependencies, depth + 1);
  }
}

void printProblem(const char* heading, const Problem& problem) {
  std::printf("  %s: %s\n", heading, problem.text.c_str());
  if (problem.failure && problem.failure->chain.size() > 1) {
    std::printf("    needed by: %s\n", chainText(problem.failure->chain).c_str());
  }
  if (problem.failure && !problem.failure->searched.empty()) {
    std::string list;
    for (const auto& directory : problem.failure->searched) {
      list += (list.empty() ? "" : ", ") + printable(utf8(directory));
    }
    std::printf("    searched: %s\n", list.c_str());
  }
  if (!problem.hint.empty()) std::printf("    %s\n", printable(problem.hint).c_str());
}

void printText(const Diagnosis& d) {
  std::printf("%s\n", printable(utf8(d.path)).c_str());
  std::printf("  format: %s\n", d.file->describe().c_str());
  if (!d.placement.empty()) {
    std::printf("  loads: %s%s\n", d.placement.c_str(),
                d.surrogate.empty() ? ""
                                    : (", " + printable(utf8(d.surrogate)) +
                                       (d.surrogateExists ? "" : " (not found)"))
                                          .c_str());
  }
  std::string kinds;
  for (const auto& kind : d.kinds) {
    std::string text = kind == "bridge32" ? "bridge32 SDK module (bridge32_entry)"
                       : kind == "vst2"   ? "VST2 plugin (VSTPluginMain or main)"
                       : kind == "com"    ? "COM in-process server (DllGetClassObject)"
                                          : "plain exports: " + std::to_string(*d.exportCount);
    kinds += (kinds.empty() ? "" : "; ") + text;
  }
  if (!d.exportsProblem.empty()) kinds = "unknown, its exports cannot be read: " + d.exportsProblem;
  if (kinds.empty()) kinds = "none: it exports nothing";
  std::printf("  kinds: %s\n", printable(kinds).c_str());
  if (d.dependencies) {
    std::printf("  dependencies (found as %s finds them):\n", d.searchedAs.c_str());
    if (d.dependencies->dependencies.empty()) std::printf("    none\n");
    printTree(d.dependencies->dependencies, 0);
  }
  for (const auto& problem : d.problems) printProblem("cannot load", problem);
  for (const auto& problem : d.laterProblems) printProblem("warning", problem);
  std::printf("  verdict: %s\n", d.problems.empty() ? "it loads" : "it cannot load");
}

void writeTree(JsonWriter& json, const std::vector<ModuleDependency>& dependencies) {
  json.beginArray();
  for (const auto& dependency : dependencies) {
    json.beginObject().key("name").value(validUtf8(dependency.name));
    json.key("path");
    if (dependency.path.empty()) {
      json.null();
    } else {
      json.value(utf8(dependency.path));
    }
    json.key("found").value(toString(dependency.found));
    json.key("delayLoaded").value(dependency.delayLoaded);
    json.key("listedAbove").value(dependency.listedAbove);
    if (!dependency.problem.empty()) json.key("problem").value(dependency.problem);
    json.key("dependencies");
    writeTree(json, dependency.dependencies);
    json.endObject();
  }
  json.endArray();
}

void writeProblems(JsonWriter& json, const std::vector<Problem>& problems) {
  json.beginArray();
  for (const auto& problem : problems) {
    json.beginObject().key("problem").value(problem.text);
    if (problem.failure) {
      json.key("module").value(validUtf8(problem.failure->chain.back()));
      json.key("chain").beginArray();
      for (const auto& name : problem.failure->chain) json.value(validUtf8(name));
      json.endArray().key("searched").beginArray();
      for (const auto& directory : problem.failure->searched) json.value(utf8(directory));
      json.endArray();
    }
    if (!problem.hint.empty()) json.key("hint").value(problem.hint);
    json.endObject();
  }
  json.endArray();
}

void printJson(const Diagnosis& d, const std::string& error) {
  JsonWriter json;
  json.beginObject().key("file").value(utf8(d.path));
  if (d.file) {
    json.key("format").value(d.file->format == ModuleFormat::pe ? "pe" : "elf");
    json.key("description").value(d.file->describe());
    json.key("architecture").value(toString(d.file->architecture));
    json.key("bits").value(d.file->is64Bit ? 64 : 32);
    json.key("isLibrary").value(d.file->isLibrary);
    json.key("surrogate").value(utf8(d.surrogate));
    json.key("surrogateFound").value(d.surrogateExists);
    json.key("kinds").beginArray();
    for (const auto& kind : d.kinds) json.value(kind);
    json.endArray().key("exports");
    if (d.exportCount) {
      json.value(uint64_t(*d.exportCount));
    } else {
      json.null();
    }
    if (!d.exportsProblem.empty()) json.key("exportsProblem").value(d.exportsProblem);
    json.key("dependencies");
    if (d.dependencies) {
      writeTree(json, d.dependencies->dependencies);
    } else {
      json.null();
    }
  }
  bool loads = error.empty() && d.problems.empty();
  json.key("loads").value(loads);
  json.key("problems");
  if (error.empty()) {
    writeProblems(json, d.problems);
  } else {
    json.beginArray().beginObject().key("problem").value(error).endObject().endArray();
  }
  json.key("warnings");
  writeProblems(json, d.laterProblems);
  json.endObject();
  std::printf("%s\n", json.text().c_str());
}

}  // namespace

int doctor(const CommandLine& line) {
  // Absolute, so that every path it prints says where (and $ORIGIN expands as the loader's does).
  auto path = std::filesystem::absolute(pathFromUtf8(line.positional.at(0))).lexically_normal();
  bool asJson = line.has("--json");
  Diagnosis d;
  try {
    d = diagnose(path);
  } catch (const Error& error) {
    if (!asJson) throw;
    d.path = path;
    printJson(d, error.message());
    return 1;
  }
  if (asJson) {
    printJson(d, {});
  } else {
    printText(d);
  }
  return d.problems.empty() ? 0 : 1;
}

}  // namespace bridge32::tool
