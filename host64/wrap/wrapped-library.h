// A 32-bit library as a 64-bit program calls it, function by function, through C function
// pointers of the program's own ABI: what `bridge32 wrap LIB --header H` makes a drop-in library
// of (issue 29). Each function is a libffi closure made from its declaration read for the
// program's ABI (x86-64); its handler reads the program's arguments as Values (pointers by their
// SAL annotations, structs in the 64-bit layout), calls the same declaration, read for the
// library's ABI, in the library's surrogate, writes the outputs back into the program's memory
// and returns the result as the program's ABI wants it.
//
// A call that fails (the library crashed, a value that does not fit) returns zeros; the last error
// (errno, GetLastError) says why and a log line names the function. The library is loaded at the
// first call and comes back after a crash at the next.
//
// Threading: entry() and the functions from any thread; calls run as the library's calls do.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "bridge32/library.h"
#include "wrap-spec.h"

namespace bridge32 {

class LoadedLibrary;

namespace library {
class Declarations;
}

class WrappedFunction;

class WrappedLibrary {
 public:
  // Reads the headers for this process's ABI (the program's side) at once; loads the library at
  // the first call.
  explicit WrappedLibrary(WrapSpec spec);
  ~WrappedLibrary();
  WrappedLibrary(const WrappedLibrary&) = delete;
  WrappedLibrary& operator=(const WrappedLibrary&) = delete;

  const WrapSpec& spec() const { return spec_; }

  // The C function pointer of spec().functions[index] (made at the first ask, then the same).
  void* entry(size_t index);
  void* entry(const std::string& name);

  // [the first call's thread] The library, loaded with the spec's headers and declarations.
  LoadedLibrary& library();

  // [any thread] A pointer of the program given for an opaque parameter (a `void*` context the
  // library only holds and gives back) does not fit in the library's 32 bits: it stands there
  // as a token from the top 56 KiB of the 32-bit address space, which no 32-bit process maps
  // (Linux ends them at 0xFFFFE000, Windows at 0xFFFEFFFF even when large-address-aware), and is
  // the program's pointer again wherever the library gives it back (a callback's argument, a
  // result). Values that fit pass as they are. Throws Error(unsupported) past 57,344 pointers.
  uint64_t toLibrary(uint64_t programValue);
  uint64_t toProgram(uint64_t libraryValue);

 private:
  WrapSpec spec_;
  std::unique_ptr<library::Declarations> programSide_;
  std::mutex mutex_;
  std::unique_ptr<LoadedLibrary> library_;
  std::map<size_t, std::unique_ptr<WrappedFunction>> functions_;
  std::mutex tokensMutex_;
  std::map<uint64_t, uint32_t> tokens_;  // by the program's pointer
  std::vector<uint64_t> pointers_;       // by token, from the first

};

}  // namespace bridge32
