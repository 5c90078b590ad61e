// The runtime of the libraries `bridge32 wrap LIB --header H` writes (host64/tool/wrap-elf.c++,
// wrap-pe.c++): libbridge32-wrap.so or bridge32-wrap.dll, beside each wrapper, which imports it.
// A wrapper's entries jump to b32w_enter (wrap-enter-*.S) with their index and the wrapper's data
// block; at an entry's first call b32w_resolve reads the file beside the wrapper (wrap-spec.h),
// makes the wrapped library (wrapped-library.h) once per wrapper and the function's closure, and
// stores it in the block, where later calls find it without coming here.
//
// The runtime exports b32w_enter and nothing else of its own: bridge32's code inside it is its
// own copy (linked statically), hidden.
#if !_WIN32
#include <dlfcn.h>
#endif

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <iterator>
#include <memory>
#include <mutex>

#include "bridge32/log.h"
#include "bridge32/surrogate.h"
#include "library/callback-closures.h"
#include "win32.h"
#include "wrapped-library.h"

namespace {

using namespace bridge32;

// A wrapper's data block: its wrapped library (made at the first call) and each function's
// entry, as its entries' lea points to it.
struct Block {
  std::atomic<WrappedLibrary*> library;
  std::atomic<void*> entries[1];  // as many as the wrapper has functions
};

std::mutex& resolving() {
  static std::mutex mutex;
  return mutex;
}

// What the runtime logs goes to stderr, warnings and worse: a drop-in has no application
// that set a handler.
void logToStandardError() {
  static std::once_flag once;
  std::call_once(once, [] {
    setLogHandler(
        [](const LogRecord& record) {
          std::fprintf(stderr, "bridge32 wrap [%.*s] %.*s\n", int(record.source.size()),
                       record.source.data(), int(record.message.size()), record.message.data());
        },
        LogLevel::warn);
  });
}

// The wrapper that holds `address` (its data block).
std::filesystem::path wrapperOf(const void* address) {
#if _WIN32
  HMODULE module = nullptr;
  wchar_t name[32768];
  if (GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS |
                             GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT,
                         static_cast<const wchar_t*>(address), &module)) {
    DWORD length = GetModuleFileNameW(module, name, DWORD(std::size(name)));
    if (length > 0 && length < std::size(name)) return std::filesystem::path(name, name + length);
  }
#else
  Dl_info info{};
  if (dladdr(address, &info) && info.dli_fname) return info.dli_fname;
#endif
  throw Error(Error::Kind::failed, "the wrapper that called bridge32 cannot be found");
}

// Keeps the runtime loaded for the rest of the process, once it serves a wrapper: its threads
// and closures serve the wrapped library, and a program that unloads the wrapper (dlclose,
// FreeLibrary) would otherwise unload the runtime under them.
void stayLoaded() {
  static std::once_flag once;
  std::call_once(once, [] {
#if _WIN32
    HMODULE self = nullptr;
    GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_PIN,
                       reinterpret_cast<const wchar_t*>(&stayLoaded), &self);
#else
    Dl_info info{};
    if (dladdr(reinterpret_cast<const void*>(&stayLoaded), &info) && info.dli_fname) {
      dlopen(info.dli_fname, RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE);
    }
#endif
  });
}

// A call that cannot be made fails as the platform's own calls do: the last error says so.
void setLastErrorToUnavailable() {
#if _WIN32
  SetLastError(ERROR_PROC_NOT_FOUND);
#else
  errno = EIO;
#endif
}

}  // namespace

extern "C" {

void b32w_failed();

// [any thread; the first calls of a wrapper's functions one at a time]
void* b32w_resolve(Block* block, uint64_t index) noexcept {
  logToStandardError();
  stayLoaded();
  std::lock_guard lock(resolving());
  try {
    WrappedLibrary* library = block->library.load();
    if (!library) {
      std::filesystem::path wrapper = wrapperOf(block);
      WrapSpec spec = readWrapSpec(wrapSpecFile(wrapper));
      // The process lives with its wrappers: a wrapped library is never unloaded.
      library = new WrappedLibrary(std::move(spec));
      block->library.store(library);
    }
    void* code = library->entry(size_t(index));
    block->entries[index].store(code);
    return code;
  } catch (...) {
    std::fprintf(stderr, "bridge32 wrap: function %llu of its wrapper cannot be made: %s\n",
                 static_cast<unsigned long long>(index),
                 library::describe(std::current_exception()).c_str());
    setLastErrorToUnavailable();
    return reinterpret_cast<void*>(&b32w_failed);
  }
}

}  // extern "C"
