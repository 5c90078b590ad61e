// bridge32 host API for libraries as they are: call any exported function of an unmodified DLL
// or shared object, of either bitness, by the C declaration from its header.
//
//   auto zlib = bridge32::Library::load("/usr/lib/i386-linux-gnu/libz.so.1");
//   auto crc32 = zlib->function("unsigned long crc32(unsigned long crc, "
//                               "_In_reads_(len) const unsigned char* buf, unsigned int len);");
//   bridge32::CallResult result = crc32.call({0, bridge32::Value::bytes("hello"), 5});
//   uint64_t crc = result.value.asUnsigned();
//
// Arguments are given for the in and in/out parameters, in order; CallResult has the return
// value and the out and in/out parameters' values after the call. Pointers are described by
// Microsoft's SAL annotations (`_In_reads_(n)`, `_Out_writes_(n)`, `_Inout_`, ...): bridge32
// copies what they point to into the DLL's process and back, and never shares memory.
//
// A library of this process's architecture loads in-process, any other (a 32-bit DLL) in a
// surrogate, as LoadOptions say: the same rules as plugins (deadlines, hangs, crash isolation).
// A crash in a library is an Error(disconnected) for the call that made it; the next call starts
// a new surrogate and loads the library again (see RestartPolicy).
//
// Threading: a Library and its Functions may be used from any thread, one call at a time per
// library; calls run on the surrogate's one plugin thread, in order.
#pragma once

#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bridge32/call-result.h"
#include "bridge32/surrogate.h"
#include "bridge32/value.h"

namespace bridge32 {

class Function {
 public:
  virtual ~Function() = default;

  // The function's name (its export) and its declaration as given.
  virtual const std::string& name() const = 0;
  virtual const std::string& declaration() const = 0;
  // True for a function declared `void f(...)`, whose CallResult::value is always null.
  virtual bool returnsVoid() const = 0;

  // Calls the function with the values of its in and in/out parameters, in order, and with
  // `callbacks` for its function-pointer parameters, in order (an empty Callback passes NULL).
  // Throws Error: invalidArgument for the wrong number or kind of values (naming the
  // parameter), failed when the DLL wrote past an out-buffer (naming it) or a callback threw,
  // disconnected when the call crashed the surrogate, timeout for a hung call.
  virtual CallResult call(std::span<const Value> arguments,
                          std::span<const Callback> callbacks) = 0;
  CallResult call(std::span<const Value> arguments) { return call(arguments, {}); }
  CallResult call(std::initializer_list<Value> arguments,
                  std::initializer_list<Callback> callbacks = {}) {
    return call(std::span<const Value>(arguments.begin(), arguments.size()),
                std::span<const Callback>(callbacks.begin(), callbacks.size()));
  }
};

class Library {
 public:
  // Inspects `path`'s header and loads it in-process or in a surrogate per `options`; no entry
  // point is needed. Throws Error: notFound, badModule, surrogateStart, ...
  static std::unique_ptr<Library> load(const std::filesystem::path& path,
                                       const LoadOptions& options = {});

  virtual ~Library() = default;

  virtual const std::filesystem::path& path() const = 0;
  virtual Architecture architecture() const = 0;
  virtual bool isBridged() const = 0;
  virtual uint32_t surrogatePid() const = 0;

  // Binds a function: `declarations` is C text, any struct, enum and typedef definitions, then
  // the function's declaration, whose name is the export. Throws Error: invalidArgument for
  // text that does not parse (with line and column), notFound for an export the library does
  // not have (naming the closest ones). Functions keep what they need of the library alive.
  virtual std::shared_ptr<Function> function(std::string_view declarations) = 0;
};

}  // namespace bridge32
