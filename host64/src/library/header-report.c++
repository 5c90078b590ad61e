#include "library/header-report.h"

#include <map>
#include <set>

#include "library/c-parser.h"
#include "library/declaration-shapes.h"
#include "library/header-preprocessor.h"
#include "module-exports.h"
#include "module-file.h"

namespace bridge32::library {

namespace {

using Status = ReportedFunction::Status;

// The ABI a library file is called in.
Abi abiOf(const ModuleFile& file) {
  bool pe = file.format == ModuleFormat::pe;
  if (file.architecture == Architecture::x86) return pe ? Abi::win32 : Abi::sysvI386;
  return pe ? Abi::win64 : Abi::sysvX64;
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

// Whether `function` can be called as declared in `abi`, or what it needs: a size for each
// pointer parameter that has none (taken as pointing to one value, which is right for `int* n`
// and wrong for an array).
std::pair<Status, std::string> verdictOn(const Signature& function, Abi abi) {
  try {
    describeFunction(function, abi);
  } catch (const Error& error) {
    return {Status::cannotCall, error.message()};
  }
  // A pointer to a struct is taken to point to one (z_stream*, RECT*); a pointer to a number
  // may as well point to an array.
  std::vector<std::string> unsized;
  for (size_t i = 0; i < function.parameters.size(); ++i) {
    const auto& parameter = function.parameters[i];
    if (parameter.annotation.sal.empty() && parameter.type->isPointer() &&
        parameter.annotation.transfer == Transfer::elements &&
        parameter.type->target->kind != Type::Kind::record) {
      unsized.push_back(parameter.name.empty() ? "parameter " + std::to_string(i + 1)
                                               : "'" + parameter.name + "'");
    }
  }
  if (unsized.empty()) return {Status::callable, ""};
  std::string detail = "pointer ";
  for (size_t i = 0; i < unsized.size(); ++i) detail += (i ? ", " : "") + unsized[i];
  detail += unsized.size() == 1 ? " has" : " have";
  return {Status::needsSizes, detail + " no size (taken as one value)"};
}

}  // namespace

HeaderReport reportHeader(const std::filesystem::path& library,
                          const std::vector<std::filesystem::path>& headers,
                          const HeaderOptions& options,
                          const std::vector<std::string>& declarations) {
  ModuleFile file = readModuleFile(library, "library");
  PreprocessOptions preprocess = preprocessOptions(options, abiOf(file));
  PreprocessedText text = preprocessHeaders(headers, preprocess);
  Declarations declared = declareAfter(nullptr, text.text, text.lines, false, preprocess.abi);
  for (size_t i = 0; i < declarations.size(); ++i) {
    std::string name = "declaration " + std::to_string(i + 1);
    declared = declareAfter(&declared, declarations[i], linesOf(declarations[i], name), true,
                            preprocess.abi);
  }
  std::set<std::string, std::less<>> exports;
  for (const Export& entry : listExports(library)) exports.insert(entry.name);

  HeaderReport report;
  report.abi = std::string(toString(preprocess.abi));
  report.notes = std::move(text.notes);
  // Each function once, as its last declaration says (a declaration of the caller's wins).
  std::map<std::string, size_t> byName;
  auto add = [&](const std::string& name, std::pair<Status, std::string> verdict) {
    ReportedFunction function{name, isExported(exports, name), verdict.first,
                              std::move(verdict.second)};
    auto [found, added] = byName.emplace(name, report.functions.size());
    if (added) {
      report.functions.push_back(std::move(function));
    } else {
      report.functions[found->second] = std::move(function);
    }
  };
  for (const auto& function : declared.functions()) {
    add(function->name, verdictOn(*function, preprocess.abi));
  }
  for (const auto& skipped : declared.skipped()) {
    if (skipped.isFunction && !byName.count(skipped.name)) {
      add(skipped.name, {Status::passedOver, skipped.reason});
    }
  }
  return report;
}

}  // namespace bridge32::library
