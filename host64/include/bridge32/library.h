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
#include <type_traits>
#include <utility>
#include <vector>

#include "bridge32/call-result.h"
#include "bridge32/surrogate.h"
#include "bridge32/value.h"

namespace bridge32 {

// What a declaration says of one parameter or result, as the C++ API checks it.
struct ParameterInfo {
  enum class Kind { none, boolean, integer, floating, string, array, structure, handle, callback };
  std::string name;
  Kind kind = Kind::none;  // none: void
  bool isSigned = false;   // integer
  bool isInput = false;    // given in the call's arguments
  bool isOutput = false;   // in CallResult::outputs
};

struct FunctionInfo {
  std::string name;
  ParameterInfo result;
  std::vector<ParameterInfo> parameters;
  bool isVariadic = false;
};

class Function {
 public:
  virtual ~Function() = default;

  // The function's name (its export) and its declaration as given.
  virtual const std::string& name() const = 0;
  virtual const std::string& declaration() const = 0;
  // True for a function declared `void f(...)`, whose CallResult::value is always null.
  virtual bool returnsVoid() const = 0;
  // Its parameters and result as declared.
  virtual const FunctionInfo& info() const = 0;

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

  // Windows: a duplicate, in this process, of a kernel handle the library handed out (a Value of
  // HandleKind::kernel from a result or an output), with the same access. The caller owns it
  // and closes it with CloseHandle; the library's own stays open (give that one back to the
  // library's functions). A handle of a surrogate that has since been replaced means nothing.
  // Throws Error: invalidArgument for a value that is not a kernel handle, failed when Windows
  // refuses (naming its error), unsupported on POSIX, which has no kernel handles.
  void* duplicateHandle(const Value& handle);

 protected:
  // The library's `handle` duplicated into this process (Windows).
  virtual void* duplicateFromLibrary(uint64_t handle) = 0;
};

// A Function called with C++ values and typed results, checked against its declaration when
// bound: `bind<int(int, int)>(*library, "double f(double);")` throws Error(invalidArgument)
// there, not garbage at the first call. Arguments are the declaration's inputs in order:
// integers, floating point, bool, std::string / std::string_view / const char* for strings,
// std::vector<T> for arrays of them, Value for anything. The result is R (void, an arithmetic
// type, std::string, Value); out parameters are in call()'s CallResult when needed.
template <typename Signature>
class TypedFunction;

namespace detail {
// Throws Error(invalidArgument) unless C++ arguments and result of these kinds fit `info`.
void checkBinding(const FunctionInfo& info, std::span<const ParameterInfo::Kind> arguments,
                  ParameterInfo::Kind result, std::string_view cppSignature);

template <typename T>
constexpr bool isStringLike = std::is_same_v<std::decay_t<T>, std::string> ||
                              std::is_same_v<std::decay_t<T>, std::string_view> ||
                              std::is_same_v<std::decay_t<T>, const char*> ||
                              std::is_same_v<std::decay_t<T>, char*>;
template <typename T>
struct IsVector : std::false_type {};
template <typename T>
struct IsVector<std::vector<T>> : std::true_type {};

// What C value a C++ type stands for; `none` for Value (anything) and void.
template <typename T>
constexpr ParameterInfo::Kind kindOf() {
  using U = std::decay_t<T>;
  if constexpr (std::is_void_v<U> || std::is_same_v<U, Value>) return ParameterInfo::Kind::none;
  else if constexpr (std::is_same_v<U, bool>) return ParameterInfo::Kind::boolean;
  else if constexpr (std::is_integral_v<U>) return ParameterInfo::Kind::integer;
  else if constexpr (std::is_floating_point_v<U>) return ParameterInfo::Kind::floating;
  else if constexpr (isStringLike<U>) return ParameterInfo::Kind::string;
  else if constexpr (IsVector<U>::value) return ParameterInfo::Kind::array;
  else static_assert(!sizeof(U), "a type bridge32 cannot pass: use Value");
}

template <typename T>
Value toValue(const T& value) {
  using U = std::decay_t<T>;
  if constexpr (std::is_same_v<U, Value>) return value;
  else if constexpr (isStringLike<U>) return Value(std::string(value));
  else if constexpr (IsVector<U>::value) {
    std::vector<Value> items;
    items.reserve(value.size());
    for (const auto& item : value) items.push_back(toValue(item));
    return Value(std::move(items));
  } else return Value(value);
}

template <typename R>
R fromValue(const Value& value) {
  if constexpr (std::is_void_v<R>) return;
  else if constexpr (std::is_same_v<R, Value>) return value;
  else if constexpr (std::is_same_v<R, bool>) return value.isBool() ? value.asBool() : value.asInt64() != 0;
  else if constexpr (std::is_integral_v<R> && std::is_signed_v<R>) return R(value.asInt64());
  else if constexpr (std::is_integral_v<R>) return R(value.asUint64());
  else if constexpr (std::is_floating_point_v<R>) return R(value.asDouble());
  else if constexpr (std::is_same_v<R, std::string>) return value.asString();
  else static_assert(!sizeof(R), "a result type bridge32 cannot return: use Value");
}

// "integer(integer, floating)": a C++ signature by kinds, for messages.
std::string describeCpp(std::span<const ParameterInfo::Kind> arguments,
                        ParameterInfo::Kind result);
}  // namespace detail

template <typename R, typename... Args>
class TypedFunction<R(Args...)> {
 public:
  explicit TypedFunction(std::shared_ptr<Function> function) : function_(std::move(function)) {
    const ParameterInfo::Kind arguments[] = {detail::kindOf<Args>()..., ParameterInfo::Kind::none};
    std::span<const ParameterInfo::Kind> given(arguments, sizeof...(Args));
    detail::checkBinding(function_->info(), given, detail::kindOf<R>(),
                         detail::describeCpp(given, detail::kindOf<R>()));
  }

  R operator()(const Args&... arguments) const {
    return detail::fromValue<R>(function_->call({detail::toValue(arguments)...}).value);
  }
  Function& function() const { return *function_; }

 private:
  std::shared_ptr<Function> function_;
};

template <typename Signature>
TypedFunction<Signature> bind(Library& library, std::string_view declarations) {
  return TypedFunction<Signature>(library.function(declarations));
}

}  // namespace bridge32
