// planLoad: in this process or in a surrogate, from the module's own header.
#include "bridge32/surrogate.h"
#include "core/shared-surrogate.h"
#include "module-file.h"

namespace bridge32 {

LoadPlan planLoad(const std::filesystem::path& path, const LoadOptions& options,
                  std::string_view role) {
  ModuleFile file = readModuleFile(path, role);
  std::string pathText = utf8(path);
  if (file.format != nativeModuleFormat()) {
    throw Error(Error::Kind::badModule,
                "'" + pathText + "' is a " + file.describe() + "; this host loads " +
                    (nativeModuleFormat() == ModuleFormat::pe ? "Windows DLLs (PE)"
                                                              : "ELF shared objects"));
  }
  if (!file.isLibrary) {
    throw Error(Error::Kind::badModule,
                "'" + pathText + "' is a " + file.describe() + ", not a library");
  }
  if (file.architecture == Architecture::unknown) {
    throw Error(Error::Kind::badModule, "'" + pathText + "' is a " + file.describe() +
                                            "; bridge32 loads x86 and x64 modules");
  }

  bool sameArchitecture = file.architecture == thisArchitecture();
  bool bridged = false;
  switch (options.isolation) {
    case Isolation::automatic: bridged = !sameArchitecture || options.sandbox; break;
    case Isolation::surrogate: bridged = true; break;
    case Isolation::inProcess:
      if (options.sandbox) {
        throw Error(Error::Kind::invalidArgument,
                    "'" + pathText + "' cannot load in this process sandboxed: a sandbox is a "
                    "surrogate's; load it with Isolation::automatic or Isolation::surrogate");
      }
      if (!sameArchitecture) {
        throw Error(Error::Kind::badModule,
                    "'" + pathText + "' is a " + file.describe() + " and cannot load into this " +
                        std::string(toString(thisArchitecture())) +
                        " process; load it with Isolation::automatic or Isolation::surrogate");
      }
      break;
  }
  LoadPlan plan{file, bridged, {}};
  if (bridged) plan.surrogate = surrogateExecutable(file.architecture, options);
  return plan;
}

}  // namespace bridge32
