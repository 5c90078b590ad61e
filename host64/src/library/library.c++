// Library::load: in this process or in a surrogate, as the file's header and the options say;
// and the one thing both kinds of Library share, the CallResult's outputs by name.
#include "bridge32/library.h"
#include "core/shared-surrogate.h"
#include "library/bridged-library.h"
#include "library/in-process-library.h"

namespace bridge32 {

std::unique_ptr<Library> Library::load(const std::filesystem::path& path,
                                       const LoadOptions& options) {
  LoadPlan plan = planLoad(path, options);
  if (!plan.bridged) return loadInProcessLibrary(path);
  return loadBridgedLibrary(surrogateFor(plan, path, options), pathForSurrogate(path),
                            plan.file.architecture, options);
}

}  // namespace bridge32
