// The C API for module files (include/bridge32/bridge32.h): what a file is, exports, depends on
// and which surrogate would load it, all read without loading it.
#include <cstdio>
#include <memory>

#include "core/c-api.h"
#include "core/shared-surrogate.h"
#include "dynamic-library.h"
#include "module-dependencies.h"
#include "module-exports.h"
#include "module-file.h"

using namespace bridge32;
using namespace bridge32::c_api;

struct bridge32_module_exports {
  std::vector<Export> exports;
};

// The tree flattened depth first, with every string the C caller is handed.
struct bridge32_dependency_report {
  struct Node {
    const ResolvedDependency* dependency;
    std::string path;
    uint32_t depth;
  };
  struct Failure {
    const LoadFailure* failure;
    bool delayed;
    std::vector<bridge32_string> chain;
    std::vector<std::string> searchedText;
    std::vector<bridge32_string> searched;
  };
  DependencyReport report;
  std::vector<Node> nodes;
  std::vector<Failure> failures;
};

namespace {

bridge32_dependency_source sourceOf(DependencySource source) {
  static_assert(int(DependencySource::unusable) == BRIDGE32_DEPENDENCY_UNUSABLE);
  return bridge32_dependency_source(source);
}

void flatten(const std::vector<ResolvedDependency>& tree, uint32_t depth,
             std::vector<bridge32_dependency_report::Node>& nodes) {
  for (const auto& dependency : tree) {
    nodes.push_back({&dependency, utf8(dependency.path), depth});
    flatten(dependency.dependencies, depth + 1, nodes);
  }
}

bridge32_module_file moduleFileOf(const ModuleFile& file) {
  return {file.format == ModuleFormat::pe ? BRIDGE32_MODULE_PE : BRIDGE32_MODULE_ELF,
          toC(file.architecture), file.machine, file.isLibrary, file.is64Bit};
}

}  // namespace

extern "C" {

bridge32_status BRIDGE32_CALL bridge32_module_inspect(const char* path, size_t path_length,
                                                     const char* role, size_t role_length,
                                                     bridge32_module_file* file,
                                                     bridge32_error** error) {
  return guarded(error, [&] {
    auto& out = required(file, "file");
    std::string_view named = role ? text(role, role_length, "role") : "module";
    out = moduleFileOf(readModuleFile(pathFromUtf8(text(path, path_length, "path")), named));
  });
}

bridge32_status BRIDGE32_CALL bridge32_module_exports_read(const char* path, size_t path_length,
                                                          bridge32_module_exports** exports,
                                                          bridge32_error** error) {
  if (exports) *exports = nullptr;
  return guarded(error, [&] {
    auto& out = required(exports, "exports");
    out = new bridge32_module_exports{listExports(pathFromUtf8(text(path, path_length, "path")))};
  });
}

void BRIDGE32_CALL bridge32_module_exports_free(bridge32_module_exports* exports) {
  delete exports;
}

size_t BRIDGE32_CALL bridge32_module_exports_count(const bridge32_module_exports* exports) {
  return exports ? exports->exports.size() : 0;
}

bridge32_status BRIDGE32_CALL bridge32_module_exports_at(const bridge32_module_exports* exports,
                                                        size_t index,
                                                        bridge32_module_export* out) {
  if (!exports || !out || index >= exports->exports.size()) return BRIDGE32_NOT_FOUND;
  const Export& entry = exports->exports[index];
  *out = {entry.name.c_str(),      entry.name.size(),      entry.ordinal.has_value(),
          entry.ordinal.value_or(0), entry.forwarder.c_str(), entry.forwarder.size(),
          entry.isFunction,        entry.demangled.c_str(), entry.demangled.size(),
          entry.version.c_str(),   entry.version.size()};
  return BRIDGE32_OK;
}

bridge32_status BRIDGE32_CALL bridge32_module_containing(const void* address,
                                                        bridge32_bytes** path,
                                                        bridge32_error** error) {
  if (path) *path = nullptr;
  return guarded(error, [&] {
    auto& out = required(path, "path");
    std::filesystem::path file = moduleContaining(address);
    if (file.empty()) {
      char where[32];
      std::snprintf(where, sizeof where, "%p", address);
      throw Error(Error::Kind::notFound, std::string("no module holds address ") + where);
    }
    out = new bridge32_bytes{utf8(file)};
  });
}

bridge32_status BRIDGE32_CALL bridge32_plan_load(const char* path, size_t path_length,
                                                const bridge32_load_options* options,
                                                bridge32_module_file* file, int32_t* bridged,
                                                bridge32_bytes** surrogate,
                                                bridge32_error** error) {
  if (surrogate) *surrogate = nullptr;
  return guarded(error, [&] {
    LoadOptions given = loadOptions(options);  // first: its events are released however it ends
    auto& fileOut = required(file, "file");
    auto& bridgedOut = required(bridged, "bridged");
    LoadPlan plan = planLoad(pathFromUtf8(text(path, path_length, "path")), given, "module");
    std::unique_ptr<bridge32_bytes> executable;
    if (plan.bridged && surrogate) executable.reset(new bridge32_bytes{utf8(plan.surrogate)});
    fileOut = moduleFileOf(plan.file);
    bridgedOut = plan.bridged;
    if (surrogate) *surrogate = executable.release();
  });
}

bridge32_status BRIDGE32_CALL bridge32_surrogate_executable(bridge32_architecture architecture,
                                                            const bridge32_load_options* options,
                                                            bridge32_bytes** path,
                                                            bridge32_error** error) {
  if (path) *path = nullptr;
  return guarded(error, [&] {
    LoadOptions given = loadOptions(options);
    auto& out = required(path, "path");
    if (architecture != BRIDGE32_ARCH_X86 && architecture != BRIDGE32_ARCH_X64) {
      throw Error(Error::Kind::invalidArgument,
                  "architecture " + std::to_string(int(architecture)) +
                      ": bridge32 has surrogates for x86 (1) and x64 (2)");
    }
    out = new bridge32_bytes{utf8(surrogateExecutable(Architecture(architecture), given))};
  });
}

const char* BRIDGE32_CALL bridge32_dependency_source_name(bridge32_dependency_source source) {
  if (source < BRIDGE32_DEPENDENCY_LOADED || source > BRIDGE32_DEPENDENCY_UNUSABLE) return "";
  return toString(DependencySource(source)).data();
}

bridge32_status BRIDGE32_CALL bridge32_module_dependencies(const char* path, size_t path_length,
                                                          const bridge32_load_options* options,
                                                          bridge32_dependency_report** report,
                                                          bridge32_error** error) {
  if (report) *report = nullptr;
  return guarded(error, [&] {
    LoadOptions given = loadOptions(options);
    auto& out = required(report, "report");
    std::filesystem::path file = pathFromUtf8(text(path, path_length, "path"));
    ModuleFile module = readModuleFile(file, "module");
    if (module.format != nativeModuleFormat() || module.architecture == Architecture::unknown) {
      std::string what = module.format != nativeModuleFormat()
                             ? (module.format == ModuleFormat::pe ? "a Windows DLL"
                                                                  : "an ELF shared object")
                             : "for a machine bridge32 does not run (it runs x86 and x64)";
      throw Error(Error::Kind::unsupported,
                  "'" + utf8(file) + "' is " + what +
                      ": nothing on this system loads it, so nothing here looks for its "
                      "dependencies");
    }
    std::filesystem::path surrogate = surrogateExecutable(module.architecture, given);
    std::error_code missing;
    if (!std::filesystem::is_regular_file(surrogate, missing)) surrogate.clear();
    auto made = std::make_unique<bridge32_dependency_report>();
    made->report = resolveDependencies(
        file, LoaderSearch::forProcess(module.format, module.architecture, surrogate));
    flatten(made->report.dependencies, 0, made->nodes);
    for (bool delayed : {false, true}) {
      for (const auto& failure : delayed ? made->report.delayedFailures : made->report.failures) {
        bridge32_dependency_report::Failure entry{&failure, delayed, detail::cStrings(failure.chain),
                                                  {}, {}};
        for (const auto& place : failure.searched) entry.searchedText.push_back(utf8(place));
        entry.searched = detail::cStrings(entry.searchedText);
        made->failures.push_back(std::move(entry));
      }
    }
    out = made.release();
  });
}

void BRIDGE32_CALL bridge32_dependency_report_free(bridge32_dependency_report* report) {
  delete report;
}

size_t BRIDGE32_CALL bridge32_dependency_report_count(const bridge32_dependency_report* report) {
  return report ? report->nodes.size() : 0;
}

bridge32_status BRIDGE32_CALL bridge32_dependency_report_at(
    const bridge32_dependency_report* report, size_t index, bridge32_dependency* out) {
  if (!report || !out || index >= report->nodes.size()) return BRIDGE32_NOT_FOUND;
  const auto& node = report->nodes[index];
  const ResolvedDependency& dependency = *node.dependency;
  *out = {dependency.name.c_str(),    dependency.name.size(),   node.path.c_str(),
          node.path.size(),           sourceOf(dependency.source), node.depth,
          dependency.delayLoaded,     dependency.listedAbove,   dependency.problem.c_str(),
          dependency.problem.size()};
  return BRIDGE32_OK;
}

size_t BRIDGE32_CALL bridge32_dependency_report_failure_count(
    const bridge32_dependency_report* report) {
  return report ? report->failures.size() : 0;
}

bridge32_status BRIDGE32_CALL bridge32_dependency_report_failure(
    const bridge32_dependency_report* report, size_t index, bridge32_load_failure* out) {
  if (!report || !out || index >= report->failures.size()) return BRIDGE32_NOT_FOUND;
  const auto& entry = report->failures[index];
  *out = {entry.chain.data(),     entry.chain.size(),     entry.failure->why.c_str(),
          entry.failure->why.size(), entry.searched.data(), entry.searched.size(),
          entry.delayed};
  return BRIDGE32_OK;
}

}  // extern "C"
