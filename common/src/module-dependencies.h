// What a module file needs from the loader, read from its PE import tables or ELF dynamic section
// without loading it, and where a process's loader would find each of those modules: for
// `bridge32 doctor`, which says why a DLL will or will not load before anyone writes code.
#pragma once

#include <cstddef>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "bridge32/types.h"
#include "module-file.h"

namespace bridge32 {

struct ModuleDependencies {
  // PE: the DLLs of the import table; ELF: DT_NEEDED. In the file's order, as written.
  std::vector<std::string> needed;
  // PE: the DLLs of the delay-load import table, loaded at the first call into them: a missing
  // one does not stop the module from loading, but that call fails. ELF: none.
  std::vector<std::string> delayLoaded;
  // ELF: DT_SONAME, the name other modules need it by; empty if it has none, and for PE.
  std::string soname;
  // ELF: the DT_RPATH and DT_RUNPATH directories as written ($ORIGIN not expanded).
  std::vector<std::string> rpath, runpath;
};

// [any-thread] The dependencies of the PE (PE32, PE32+) or ELF (32, 64-bit) file `path`, read
// through its headers as the loader reads them (an ELF file's program headers, not its optional
// section table). Every offset, size and count is checked against the file, which may be hostile.
// Throws Error: notFound, failed or badModule as inspectModuleFile does, and badModule naming the
// file and the damage when an import table or the dynamic section is cut off or points outside
// the file.
ModuleDependencies readDependencies(const std::filesystem::path& path);

// How a process's loader looks for the modules a module needs. The fields of the other format
// are unused.
struct LoaderSearch {
  ModuleFormat format = nativeModuleFormat();
  Architecture architecture = Architecture::unknown;
  // Modules the process has loaded before the module (PE: by lower-case file name; ELF: by the
  // name they were needed by and by soname), and where from: found without a search.
  std::map<std::string, std::filesystem::path> loaded;
  // PE: searched after the module's own directory, in order: the system directory as a process
  // of `architecture` sees it (SysWOW64 for a 32-bit one on 64-bit Windows), the Windows
  // directory, then PATH. ELF: after the module's run paths and `libraryPath`: the directories
  // of ld.so.conf, then the system's default ones.
  std::vector<std::filesystem::path> systemDirectories;
  // ELF: LD_LIBRARY_PATH of the process.
  std::vector<std::filesystem::path> libraryPath;
  // ELF: the DT_RPATH of the executable that loads the module, which applies to every module
  // loaded without a DT_RUNPATH of its own.
  std::vector<std::filesystem::path> executableRpath;

  // [any-thread] The search of the process `executable` (a bridge32 surrogate) on this machine:
  // what the executable itself needs counts as loaded, and the system's directories are those a
  // process of `architecture` sees (on Windows, Sysnative reaches the 64-bit System32 from a
  // 32-bit process; for a PE module on another system, the directories of $WINEPREFIX).
  // `executable` need not exist (then nothing counts as loaded).
  static LoaderSearch forProcess(ModuleFormat format, Architecture architecture,
                                 const std::filesystem::path& executable);
};

// Where the loader finds a module another one needs, or why it does not.
enum class DependencySource {
  loaded,         // the process has it loaded already
  besideModule,   // PE: the directory of the module being loaded (LOAD_WITH_ALTERED_SEARCH_PATH)
  rpath,          // ELF: DT_RPATH of the module that needs it, or of the modules that loaded that
  libraryPath,    // ELF: LD_LIBRARY_PATH
  runpath,        // ELF: DT_RUNPATH of the module that needs it
  system,         // the system directories (see LoaderSearch::systemDirectories)
  apiSet,         // PE: an API set (api-ms-win-*, ext-ms-*), which the system maps to its DLLs
  missing,        // nowhere it looks
  unusable,       // found first, but the loader cannot use it (another architecture, damaged)
};
std::string_view toString(DependencySource source);

struct ResolvedDependency {
  std::string name;             // as the module that needs it names it
  std::filesystem::path path;   // where it was found; empty when missing (and for an API set)
  DependencySource source = DependencySource::missing;
  bool delayLoaded = false;     // PE: needed through the delay-load table
  // Listed with its own dependencies earlier in the tree: they are not repeated here.
  bool listedAbove = false;
  std::string problem;          // why it cannot be used (unusable), or why its imports are unknown
  std::vector<ResolvedDependency> dependencies;
};

// What stops a module from loading: the first module the loader cannot find or use, and the
// chain of modules that need it, from the module itself down to it.
struct LoadFailure {
  std::vector<std::string> chain;  // the module's file name, ..., the missing module's name
  std::string why;                 // "is missing", "is for x64", ...
  std::vector<std::filesystem::path> searched;  // where the loader looked, in order
};

struct DependencyReport {
  std::vector<ResolvedDependency> dependencies;  // the module's, each with its own, recursively
  std::vector<LoadFailure> failures;  // each module that cannot be found or used, first first
  // Failures below a delay-loaded module: the module loads, a call into it fails.
  std::vector<LoadFailure> delayedFailures;

  bool loads() const { return failures.empty(); }
};

// [any-thread] The dependencies of the module `path`, found recursively as `search` finds them.
// Each module is followed once, at any depth; a module whose own dependencies cannot be read (a
// damaged file) is a failure too, and so is a tree of more than a few thousand modules, which is
// not followed to its end.
DependencyReport resolveDependencies(const std::filesystem::path& path, const LoaderSearch& search);

}  // namespace bridge32
