// LoadedLibrary::load: in this process or in a surrogate, as the file's header and the options
// say; and what both placements share: the headers and declarations functions are bound from by
// name, and checking a handle to duplicate into this process.
#include "library/loaded-library.h"

#include <algorithm>
#include <memory>
#include <mutex>
#include <optional>

#include "closest-names.h"
#include "core/shared-surrogate.h"
#include "library/bridged-library.h"
#include "library/c-parser.h"
#include "library/header-preprocessor.h"
#include "library/in-process-library.h"
#include "logging.h"

namespace bridge32 {

// What every header included and every declaration declared so far declare, each text parsed
// once, after those before it.
struct LoadedLibrary::Headers {
  std::mutex mutex;
  std::optional<library::Declarations> parsed;  // none until something is included or declared
};

namespace {

bool isName(std::string_view text) {
  if (text.empty() || (text[0] >= '0' && text[0] <= '9')) return false;
  for (char c : text) {
    if (!(c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) {
      return false;
    }
  }
  return true;
}

const library::Declarations* base(const std::optional<library::Declarations>& parsed) {
  return parsed ? &*parsed : nullptr;
}

// Refuses `name`, which `declarations` have no function of: naming the closest they have, or the
// reason the parser passed over a declaration of that name.
[[noreturn]] void refuseUndeclared(const library::Declarations& declarations,
                                   const std::string& name) {
  for (const auto& skipped : declarations.skipped()) {
    if (skipped.name == name) {
      throw Error(Error::Kind::invalidArgument,
                  "the declaration of '" + name + "' cannot be read: " + skipped.reason);
    }
  }
  std::vector<std::string> names;
  for (const auto& function : declarations.functions()) names.push_back(function->name);
  std::string message = "no function '" + name + "' is declared";
  auto closest = closestNames(names, name);
  if (!closest.empty()) {
    message += "; the closest: ";
    for (size_t i = 0; i < closest.size(); ++i) message += (i ? ", " : "") + closest[i];
  }
  throw Error(Error::Kind::notFound, message);
}

}  // namespace

LoadedLibrary::LoadedLibrary() : headers_(std::make_unique<Headers>()) {}

LoadedLibrary::~LoadedLibrary() = default;

LoadedLibrary::Block LoadedLibrary::allocateBlock(size_t bytes) {
  std::shared_ptr<std::byte[]> memory;
  try {
    memory = std::make_shared_for_overwrite<std::byte[]>(std::max<size_t>(bytes, 1));
  } catch (const std::bad_alloc&) {
    throw Error(Error::Kind::failed, "no memory for a buffer of " + std::to_string(bytes) + " bytes");
  }
  return {{memory.get(), bytes}, memory};
}

void LoadedLibrary::include(const std::filesystem::path& header, const HeaderOptions& options) {
  auto preprocess = library::preprocessOptions(options, library::abiOf(architecture()));
  library::PreprocessedText text = library::preprocessHeaders({header}, preprocess);
  for (const auto& note : text.notes) logging::info("{}: {}", utf8(header), note);
  std::lock_guard lock(headers_->mutex);
  headers_->parsed = library::declareAfter(base(headers_->parsed), text.text, text.lines, false,
                                           preprocess.abi);
}

void LoadedLibrary::declare(std::string_view declarations) {
  std::lock_guard lock(headers_->mutex);
  headers_->parsed = library::declareAfter(base(headers_->parsed), declarations,
                                           library::linesOf(declarations, "declarations"), true,
                                           library::abiOf(architecture()));
}

std::shared_ptr<BoundFunction> LoadedLibrary::function(std::string_view nameOrDeclarations) {
  std::unique_lock lock(headers_->mutex);
  if (!headers_->parsed) {
    lock.unlock();
    if (isName(nameOrDeclarations)) {
      throw Error(Error::Kind::invalidArgument,
                  "'" + std::string(nameOrDeclarations) +
                      "' is a name, and no header or declaration declared it: include() its "
                      "header, or give its declaration");
    }
    library::ParseOptions options;
    options.abi = library::abiOf(architecture());
    library::Declarations parsed = library::parseDeclarations(nameOrDeclarations, options);
    return bindFunction(parsed.function(), std::string(nameOrDeclarations));
  }
  if (isName(nameOrDeclarations)) {
    std::string name(nameOrDeclarations);
    auto function = headers_->parsed->findFunction(name);
    // Refused here, naming the closest or why it was passed over, before anything crosses.
    if (!function) refuseUndeclared(*headers_->parsed, name);
    lock.unlock();
    std::string declaration = library::describe(*function);
    return bindFunction(std::move(function), std::move(declaration));
  }
  // Declaration text that may use the headers' types: bound as its last function.
  library::Declarations extended = library::declareAfter(
      base(headers_->parsed), nameOrDeclarations, library::linesOf(nameOrDeclarations, "declarations"),
      true, library::abiOf(architecture()));
  size_t before = headers_->parsed->functions().size();
  lock.unlock();
  if (extended.functions().size() <= before) {
    throw Error(Error::Kind::invalidArgument, "the declarations declare no function");
  }
  return bindFunction(extended.functions().back(), std::string(nameOrDeclarations));
}

std::unique_ptr<LoadedLibrary> LoadedLibrary::load(const std::filesystem::path& path,
                                                   const LoadOptions& options) {
  LoadPlan plan = planLoad(path, options, "library");
  if (!plan.bridged) return loadInProcessLibrary(path);
  return loadBridgedLibrary(surrogateFor(plan, path, options), pathForSurrogate(path),
                            plan.file.architecture, options);
}

void* LoadedLibrary::duplicateHandle(const Value& handle) {
  if (!handle.isHandle() || handle.asHandle().kind != Value::HandleKind::kernel) {
    throw Error(Error::Kind::invalidArgument,
                "duplicateHandle takes a kernel handle the library handed out, given " +
                    (handle.isHandle() ? std::string(toString(handle.asHandle().kind))
                                       : "a value of kind " + std::string(toString(handle.kind()))));
  }
#if _WIN32
  return duplicateFromLibrary(handle.asHandle().value);
#else
  throw Error(Error::Kind::unsupported, "kernel handles exist on Windows only");
#endif
}

}  // namespace bridge32
