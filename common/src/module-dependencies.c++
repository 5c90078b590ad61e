// Where a module's dependencies are, found as the platform's loader finds them (the search order,
// run paths, API sets, the loaded modules of a process), and what is missing or unusable. What a
// module names is read by module-imports.c++.
#include "module-dependencies.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <optional>
#include <set>
#include <sstream>

#if _WIN32
#include "win32.h"
#else
#include <glob.h>
#endif

#include "bridge32/error.h"
#include "module-file.h"

namespace bridge32 {

namespace {

// How far the dependency tree is followed: a loop is followed once, and no real tree is this big
// (a tree past it is reported as a failure: whether the module loads is then not known).
constexpr size_t kMaxModules = 4096;

std::string lowerCase(std::string text) {
  for (char& c : text) {
    if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
  }
  return text;
}

// ---- resolution ---------------------------------------------------------------------------

std::string architectureText(Architecture architecture) {
  return architecture == Architecture::unknown ? "an unknown machine"
                                               : std::string(toString(architecture));
}

// The loader's view of the file it found at `path`: nothing if it takes it, else why not.
std::optional<std::string> unusableBecause(const std::filesystem::path& path,
                                           const LoaderSearch& search) {
  try {
    ModuleFile found = readModuleFile(path, "module");
    if (found.format != search.format) {
      return std::string("it is ") + (found.format == ModuleFormat::pe ? "a PE" : "an ELF") +
             " file";
    }
    if (found.architecture != search.architecture) {
      return "it is for " + architectureText(found.architecture) + ", not " +
             architectureText(search.architecture);
    }
    return std::nullopt;
  } catch (const Error& error) {
    return error.message();
  }
}

// A run path entry with $ORIGIN (or ${ORIGIN}) replaced by `origin`, the directory of the module
// that names it; nothing for an entry with another token ($LIB, $PLATFORM), which bridge32 does
// not expand.
std::optional<std::filesystem::path> expandRunPath(const std::string& entry,
                                                   const std::filesystem::path& origin) {
  std::string text = entry, originText = utf8(origin);
  for (const char* token : {"${ORIGIN}", "$ORIGIN"}) {
    for (size_t at; (at = text.find(token)) != std::string::npos;) {
      text.replace(at, std::string_view(token).size(), originText);
    }
  }
  if (text.find('$') != std::string::npos) return std::nullopt;
  return pathFromUtf8(text);
}

std::vector<std::filesystem::path> expandRunPaths(const std::vector<std::string>& entries,
                                                  const std::filesystem::path& origin) {
  std::vector<std::filesystem::path> expanded;
  for (const auto& entry : entries) {
    if (auto path = expandRunPath(entry, origin)) expanded.push_back(*path);
  }
  return expanded;
}

class DependencyResolver {
 public:
  DependencyResolver(const std::filesystem::path& module, const LoaderSearch& search)
      : search_(search), moduleDirectory_(module.parent_path()) {}

  DependencyReport resolve(const std::filesystem::path& module) {
    expanded_.insert(std::filesystem::absolute(module).lexically_normal());
    std::string name = utf8(module.filename());
    // The walk keeps the modules it is in on a stack of its own, not the call stack, so that a
    // chain of any depth is followed: each module's needs are resolved one at a time, in the
    // loader's order, a module found being walked before the next need of the one that needs it.
    std::vector<std::unique_ptr<Visit>> stack;
    // The executable's DT_RPATH serves a module dlopen()ed by it as if it had loaded the module.
    stack.push_back(visit(module, {name}, search_.executableRpath, false, &report_.dependencies));
    while (!stack.empty()) {
      Visit& top = *stack.back();
      const ModuleDependencies& needs = top.needs;
      if (top.next == needs.needed.size() + needs.delayLoaded.size()) {
        *top.into = std::move(top.resolved);
        stack.pop_back();
        continue;
      }
      size_t i = top.next++;
      bool isDelayLoaded = i >= needs.needed.size();
      const std::string& needed =
          isDelayLoaded ? needs.delayLoaded[i - needs.needed.size()] : needs.needed[i];
      ResolvedDependency& dependency = top.resolved.emplace_back(find(needed, top.rpaths, top.runpaths));
      dependency.delayLoaded = isDelayLoaded;
      auto below = top.chain;
      below.push_back(needed);
      bool delayed = top.delayed || isDelayLoaded;
      if (dependency.source == DependencySource::missing ||
          dependency.source == DependencySource::unusable) {
        LoadFailure failure{below, dependency.source == DependencySource::missing
                                       ? "is missing"
                                       : "cannot be used: " + dependency.problem,
                            searched_};
        fail(std::move(failure), delayed);
        continue;
      }
      if (dependency.path.empty() || dependency.source == DependencySource::loaded) continue;
      auto key = std::filesystem::absolute(dependency.path).lexically_normal();
      if (!expanded_.insert(key).second) {
        dependency.listedAbove = true;
        continue;
      }
      if (expanded_.size() > kMaxModules) {
        // Whether the module loads is then not known: a failure, not a silent cut.
        dependency.problem = "not followed: the tree has more than " +
                             std::to_string(kMaxModules) + " modules";
        LoadFailure failure{below, "was not followed: the tree has more than " +
                                       std::to_string(kMaxModules) +
                                       " modules, more than bridge32 follows",
                            {}};
        fail(std::move(failure), delayed);
        continue;
      }
      try {
        // `dependency` stays where it is while its own needs are walked: nothing is added to
        // `top.resolved` until the walk comes back to it.
        stack.push_back(visit(dependency.path, below, top.rpaths, delayed, &dependency.dependencies));
      } catch (const Error& error) {
        dependency.problem = error.message();
        LoadFailure failure{below, "cannot be read: " + error.message(), {}};
        fail(std::move(failure), delayed);
      }
    }
    return std::move(report_);
  }

 private:
  // A module whose needs the walk is resolving: `chain` names the modules from the top down to
  // it; `loaderRpaths` are the DT_RPATH directories of the modules that loaded it (ELF), `delayed`
  // whether a delay-loaded module is among them. What it needs goes to `into` once resolved.
  struct Visit {
    ModuleDependencies needs;
    std::vector<std::string> chain;
    std::vector<std::filesystem::path> rpaths, runpaths;
    bool delayed = false;
    std::vector<ResolvedDependency> resolved;
    size_t next = 0;  // the next of its needs to resolve
    std::vector<ResolvedDependency>* into = nullptr;
  };

  // A failure below a delay-loaded module fails a call into it, not the load.
  void fail(LoadFailure failure, bool delayed) {
    (delayed ? report_.delayedFailures : report_.failures).push_back(std::move(failure));
  }

  // Throws Error when the module's own dependencies cannot be read.
  static std::unique_ptr<Visit> visit(const std::filesystem::path& module,
                                      std::vector<std::string> chain,
                                      const std::vector<std::filesystem::path>& loaderRpaths,
                                      bool delayed, std::vector<ResolvedDependency>* into) {
    auto visit = std::make_unique<Visit>();
    visit->needs = readDependencies(module);
    visit->chain = std::move(chain);
    visit->delayed = delayed;
    visit->into = into;
    auto origin = module.parent_path();
    // DT_RPATH applies to this module's needs, and to what they need, unless it has DT_RUNPATH.
    if (visit->needs.runpath.empty()) {
      visit->rpaths = expandRunPaths(visit->needs.rpath, origin);
      visit->rpaths.insert(visit->rpaths.end(), loaderRpaths.begin(), loaderRpaths.end());
    }
    visit->runpaths = expandRunPaths(visit->needs.runpath, origin);
    return visit;
  }

  ResolvedDependency find(const std::string& name,
                          const std::vector<std::filesystem::path>& rpaths,
                          const std::vector<std::filesystem::path>& runpaths) {
    ResolvedDependency found;
    found.name = name;
    searched_.clear();
    bool pe = search_.format == ModuleFormat::pe;
    std::string key = pe ? lowerCase(name) : name;
    if (pe && (key.starts_with("api-ms-") || key.starts_with("ext-ms-"))) {
      found.source = DependencySource::apiSet;
      return found;
    }
    using Loaded = const std::map<std::string, std::filesystem::path>;
    for (Loaded* loaded : {static_cast<Loaded*>(&search_.loaded), static_cast<Loaded*>(&loadedNow_)}) {
      if (auto at = loaded->find(key); at != loaded->end()) {
        found.source =
            loaded == &search_.loaded ? DependencySource::loaded : sourceOf(at->second);
        found.path = at->second;
        return found;
      }
    }
    // Where the loader looks, in its order.
    std::vector<std::pair<std::filesystem::path, DependencySource>> places;
    auto add = [&](const std::vector<std::filesystem::path>& directories, DependencySource source) {
      for (const auto& directory : directories) places.emplace_back(directory, source);
    };
    if (!pe && name.find('/') != std::string::npos) {
      places.emplace_back(std::filesystem::path(), DependencySource::besideModule);  // a path
    } else if (pe) {
      places.emplace_back(moduleDirectory_, DependencySource::besideModule);
      add(search_.systemDirectories, DependencySource::system);
    } else {
      add(rpaths, DependencySource::rpath);
      add(search_.libraryPath, DependencySource::libraryPath);
      add(runpaths, DependencySource::runpath);
      add(search_.systemDirectories, DependencySource::system);
    }
    for (const auto& [directory, source] : places) {
      searched_.push_back(directory);
      auto candidate = lookUp(directory, name, pe);
      if (!candidate) continue;
      if (auto why = unusableBecause(*candidate, search_)) {
        // ld.so passes over a library of another class or machine in a search directory; the
        // Windows loader stops at the first DLL of the name and fails to load one for another
        // machine (STATUS_INVALID_IMAGE_FORMAT).
        if (!pe) continue;
        found.source = DependencySource::unusable;
        found.path = *candidate;
        found.problem = *why;
        return found;
      }
      found.source = source;
      found.path = *candidate;
      remember(key, found);
      return found;
    }
    found.source = DependencySource::missing;
    return found;
  }

  // The module found now is loaded for whatever needs it later, by that name and (ELF) by soname.
  void remember(const std::string& key, const ResolvedDependency& found) {
    sources_[found.path] = found.source;
    loadedNow_.emplace(key, found.path);
    if (search_.format == ModuleFormat::elf) {
      try {
        auto soname = readDependencies(found.path).soname;
        if (!soname.empty()) loadedNow_.emplace(soname, found.path);
      } catch (const Error&) {
        // Reported when its dependencies are read.
      }
    }
  }

  DependencySource sourceOf(const std::filesystem::path& path) const {
    auto at = sources_.find(path);
    return at == sources_.end() ? DependencySource::system : at->second;
  }

  // The file `name` in `directory` (a path as it is when `directory` is empty), if there is one:
  // without regard to case for a DLL, as Windows' file systems find it (a Wine prefix read from
  // Linux has its files in lower case, and imports name them in any case).
  std::optional<std::filesystem::path> lookUp(const std::filesystem::path& directory,
                                              const std::string& name, bool ignoreCase) {
    std::error_code error;
    auto exact = directory.empty() ? pathFromUtf8(name) : directory / pathFromUtf8(name);
    if (std::filesystem::is_regular_file(exact, error)) return exact;
    if (!ignoreCase || directory.empty()) return std::nullopt;
    auto [listing, added] = listings_.try_emplace(directory);
    if (added) {
      for (std::filesystem::directory_iterator it(directory, error), end; !error && it != end;
           it.increment(error)) {
        listing->second.emplace(lowerCase(utf8(it->path().filename())), it->path());
      }
    }
    auto at = listing->second.find(lowerCase(name));
    if (at == listing->second.end() || !std::filesystem::is_regular_file(at->second, error)) {
      return std::nullopt;
    }
    return at->second;
  }

  const LoaderSearch& search_;
  std::filesystem::path moduleDirectory_;  // PE: searched first for every DLL of the load
  DependencyReport report_;
  std::set<std::filesystem::path> expanded_;                  // modules whose needs are listed
  std::map<std::string, std::filesystem::path> loadedNow_;    // found during this load, by name
  std::map<std::filesystem::path, DependencySource> sources_;  // how each of those was found
  std::map<std::filesystem::path, std::map<std::string, std::filesystem::path>> listings_;
  std::vector<std::filesystem::path> searched_;  // by the last find()
};

void addExisting(std::vector<std::filesystem::path>& directories,
                 const std::filesystem::path& directory) {
  std::error_code error;
  if (directory.empty() || !std::filesystem::is_directory(directory, error)) return;
  if (std::ranges::find(directories, directory) == directories.end()) {
    directories.push_back(directory);
  }
}

#if !_WIN32
// The directories of ld.so.conf and the files it includes, in order, as ldconfig reads them.
void readLdSoConf(const std::filesystem::path& file, std::vector<std::filesystem::path>& out,
                  int depth = 0) {
  std::ifstream in(file);
  if (!in || depth > 8) return;
  for (std::string line; std::getline(in, line);) {
    line = line.substr(0, line.find('#'));
    std::stringstream words(line);
    std::string first;
    if (!(words >> first)) continue;
    if (first == "include") {
      for (std::string pattern; words >> pattern;) {
        if (pattern[0] != '/') pattern = utf8(file.parent_path() / pattern);
        glob_t matches{};
        if (glob(pattern.c_str(), 0, nullptr, &matches) == 0) {
          for (size_t i = 0; i < matches.gl_pathc; ++i) {
            readLdSoConf(matches.gl_pathv[i], out, depth + 1);
          }
        }
        globfree(&matches);
      }
    } else if (first != "hwcap") {
      for (std::string word = first;; ) {
        std::stringstream parts(word);
        for (std::string part; std::getline(parts, part, ':');) addExisting(out, part);
        if (!(words >> word)) break;
      }
    }
  }
}
#endif

std::vector<std::filesystem::path> splitPathList(const char* text, char separator) {
  std::vector<std::filesystem::path> directories;
  if (!text) return directories;
  std::stringstream stream(text);
  for (std::string entry; std::getline(stream, entry, separator);) {
    if (!entry.empty()) directories.push_back(pathFromUtf8(entry));
  }
  return directories;
}

}  // namespace

std::string_view toString(DependencySource source) {
  switch (source) {
    case DependencySource::loaded: return "loaded";
    case DependencySource::besideModule: return "beside the module";
    case DependencySource::rpath: return "DT_RPATH";
    case DependencySource::libraryPath: return "LD_LIBRARY_PATH";
    case DependencySource::runpath: return "DT_RUNPATH";
    case DependencySource::system: return "system";
    case DependencySource::apiSet: return "API set";
    case DependencySource::missing: return "missing";
    case DependencySource::unusable: return "unusable";
  }
  return "?";
}

DependencyReport resolveDependencies(const std::filesystem::path& path,
                                     const LoaderSearch& search) {
  return DependencyResolver(path, search).resolve(path);
}

LoaderSearch LoaderSearch::forProcess(ModuleFormat format, Architecture architecture,
                                      const std::filesystem::path& executable) {
  LoaderSearch search;
  search.format = format;
  search.architecture = architecture;
  if (format == ModuleFormat::pe) {
#if _WIN32
    wchar_t buffer[MAX_PATH + 1];
    std::filesystem::path windows;
    if (UINT n = GetWindowsDirectoryW(buffer, MAX_PATH); n > 0 && n < MAX_PATH) windows = buffer;
    BOOL isWow64 = FALSE;
    IsWow64Process(GetCurrentProcess(), &isWow64);
    bool processIs64Bit = sizeof(void*) == 8;
    std::filesystem::path wow64;  // SysWOW64, for a 32-bit process on 64-bit Windows
    if (architecture == Architecture::x86) {
      // A 32-bit process on 64-bit Windows sees SysWOW64 where it asks for System32; on 32-bit
      // Windows there is no SysWOW64 and System32 is the 32-bit one.
      UINT n = GetSystemWow64DirectoryW(buffer, MAX_PATH);
      if (n > 0 && n < MAX_PATH) {
        wow64 = buffer;
        addExisting(search.systemDirectories, wow64);
      } else if (UINT m = GetSystemDirectoryW(buffer, MAX_PATH); m > 0 && m < MAX_PATH) {
        addExisting(search.systemDirectories, buffer);
      }
    } else if (processIs64Bit || !isWow64) {
      if (UINT n = GetSystemDirectoryW(buffer, MAX_PATH); n > 0 && n < MAX_PATH) {
        addExisting(search.systemDirectories, buffer);
      }
    } else {
      // This process is 32-bit: its System32 is SysWOW64, and Sysnative is the 64-bit one.
      addExisting(search.systemDirectories, windows / "Sysnative");
    }
    addExisting(search.systemDirectories, windows);
    // A 32-bit process that asks for System32 (on PATH too) is given SysWOW64.
    auto asSeen = [&](const std::filesystem::path& directory) {
      std::string system32 = lowerCase(utf8(windows / "system32")), text = utf8(directory);
      if (wow64.empty() || !lowerCase(text).starts_with(system32) ||
          (text.size() > system32.size() && text[system32.size()] != '\\' &&
           text[system32.size()] != '/')) {
        return directory;
      }
      return pathFromUtf8(utf8(wow64) + text.substr(system32.size()));
    };
    if (const wchar_t* path = _wgetenv(L"PATH")) {
      for (const auto& directory : splitPathList(utf8(path).c_str(), ';')) {
        addExisting(search.systemDirectories, asSeen(directory));
      }
    }
#else
    // A DLL looked at from another system: the directories of the Wine prefix in use.
    std::filesystem::path prefix;
    if (const char* wine = std::getenv("WINEPREFIX")) {
      prefix = wine;
    } else if (const char* home = std::getenv("HOME")) {
      prefix = std::filesystem::path(home) / ".wine";
    }
    auto windows = prefix / "drive_c" / "windows";
    std::error_code error;
    if (architecture == Architecture::x86 &&
        std::filesystem::is_directory(windows / "syswow64", error)) {
      addExisting(search.systemDirectories, windows / "syswow64");
    } else {
      addExisting(search.systemDirectories, windows / "system32");
    }
    addExisting(search.systemDirectories, windows);
#endif
  } else {
#if !_WIN32
    search.libraryPath = splitPathList(std::getenv("LD_LIBRARY_PATH"), ':');
    // ld.so finds the libraries of these directories through its cache, which holds only those
    // of its own architecture: the directories Debian's multiarch layout gives to another one are
    // no part of this process's search.
    std::vector<std::filesystem::path> configured;
    readLdSoConf("/etc/ld.so.conf", configured);
    std::vector<std::string> others =
        architecture == Architecture::x86
            ? std::vector<std::string>{"x86_64-linux-gnu", "libx32", "lib64"}
            : std::vector<std::string>{"i386-linux-gnu", "i686-linux-gnu", "libx32", "lib32"};
    for (const auto& directory : configured) {
      std::string text = utf8(directory);
      if (std::ranges::none_of(others, [&](const std::string& other) {
            return text.find(other) != std::string::npos;
          })) {
        search.systemDirectories.push_back(directory);
      }
    }
    std::vector<const char*> defaults = {"/lib", "/usr/lib"};
    if (architecture == Architecture::x86) {
      defaults.insert(defaults.begin(), {"/lib/i386-linux-gnu", "/usr/lib/i386-linux-gnu"});
    } else if (architecture == Architecture::x64) {
      defaults.insert(defaults.begin(),
                      {"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64", "/usr/lib64"});
    }
    for (const char* directory : defaults) addExisting(search.systemDirectories, directory);
#endif
  }

  // What the executable needs is loaded before any module: found as the loader found it for the
  // executable (a PE executable's own directory first).
  std::error_code error;
  if (executable.empty() || !std::filesystem::is_regular_file(executable, error)) return search;
  try {
    if (format == ModuleFormat::elf) {
      auto needs = readDependencies(executable);
      if (needs.runpath.empty()) {
        search.executableRpath = expandRunPaths(needs.rpath, executable.parent_path());
      }
    }
    LoaderSearch own = search;
    auto report = resolveDependencies(executable, own);
    // Every module of the executable's tree, by the name it was needed by and its soname.
    std::vector<const std::vector<ResolvedDependency>*> pending{&report.dependencies};
    while (!pending.empty()) {
      auto* list = pending.back();
      pending.pop_back();
      for (const auto& dependency : *list) {
        if (dependency.path.empty() || dependency.delayLoaded) continue;
        search.loaded.emplace(format == ModuleFormat::pe ? lowerCase(dependency.name)
                                                         : dependency.name,
                              dependency.path);
        if (format == ModuleFormat::elf) {
          try {
            auto soname = readDependencies(dependency.path).soname;
            if (!soname.empty()) search.loaded.emplace(soname, dependency.path);
          } catch (const Error&) {
          }
        }
        pending.push_back(&dependency.dependencies);
      }
    }
  } catch (const Error&) {
    // An executable that cannot be read has loaded nothing that can be known.
  }
  return search;
}

}  // namespace bridge32
