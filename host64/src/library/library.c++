// Library::load: in this process or in a surrogate, as the file's header and the options say;
// and what both kinds of Library share: checking a handle to duplicate into this process.
#include "bridge32/library.h"
#include "core/shared-surrogate.h"
#include "library/bridged-library.h"
#include "library/in-process-library.h"

namespace bridge32 {

std::unique_ptr<Library> Library::load(const std::filesystem::path& path,
                                       const LoadOptions& options) {
  LoadPlan plan = planLoad(path, options, "library");
  if (!plan.bridged) return loadInProcessLibrary(path);
  return loadBridgedLibrary(surrogateFor(plan, path, options), pathForSurrogate(path),
                            plan.file.architecture, options);
}

void* Library::duplicateHandle(const Value& handle) {
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
