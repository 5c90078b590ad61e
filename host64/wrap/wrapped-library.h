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

 private:
  WrapSpec spec_;
  std::unique_ptr<library::Declarations> programSide_;
  std::mutex mutex_;
  std::unique_ptr<LoadedLibrary> library_;
  std::map<size_t, std::unique_ptr<WrappedFunction>> functions_;
};

}  // namespace bridge32
