// bridge32 host API for libraries as they are: call any exported function of an unmodified DLL
// or shared object, of either bitness, by the C declaration from its header.
//
//   auto zlib = bridge32::Library::load("/usr/lib/i386-linux-gnu/libz.so.1");
//   auto version = zlib->function("_Ret_z_ const char* zlibVersion(void);");
//   std::string text = version->call({}).value.asString();  // "1.2.13"
//
// README.md's example=zlib-compress (a call with buffers in and out) and example=typed-functions
// (Library::bind: C++ values, structs and arrays) are whole programs the build compiles and runs.
//
// Arguments are given for the in and in/out parameters, in order; CallResult has the return
// value and the out and in/out parameters' values after the call. Pointers are described by
// Microsoft's SAL annotations (`_In_reads_(n)`, `_Out_writes_(n)`, `_Inout_`, ...): bridge32
// gives the DLL what they point to in its own process and reads back what it wrote. Arrays of
// numbers and strings of 4 KiB or more go through memory shared with the DLL's process, written
// once by the host, read and written in place by the DLL, and read back in place (Library::buffer
// and CallBuffer avoid the one copy left); smaller values ride the call's message.
//
// A library of this process's architecture loads in-process, any other (a 32-bit DLL) in a
// surrogate, as LoadOptions say: the same rules as plugins (deadlines, hangs, crash isolation).
// A crash in a library is an Error(disconnected) for the call that made it; the next call starts
// a new surrogate and loads the library again (see RestartPolicy).
//
// Threading: a Library and its Functions may be used from any thread, one call at a time per
// library; calls run on the surrogate's one module thread, in order.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <initializer_list>
#include <iterator>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "bridge32/bridge32.h"
#include "bridge32/call-result.h"
#include "bridge32/detail/c-api.h"
#include "bridge32/surrogate.h"
#include "bridge32/value.h"

namespace bridge32 {

// What a declaration says of one parameter or result, as the C++ API checks it.
struct ParameterInfo {
  enum class Kind { none, boolean, integer, floating, string, array, structure, handle, callback };
  std::string name;
  Kind kind = Kind::none;  // none: void
  bool isSigned = false;   // integer
  uint32_t size = 0;       // boolean, integer, floating: its bytes in the library's ABI
  std::string type;        // as C spells it: "unsigned int", "const double *", "struct Point"
  bool isInput = false;    // given in the call's arguments
  bool isOutput = false;   // in CallResult::outputs
  std::vector<ParameterInfo> fields;   // structure: its fields, in order
  std::vector<ParameterInfo> element;  // array: its element (one)
};

struct FunctionInfo {
  std::string name;
  ParameterInfo result;
  std::vector<ParameterInfo> parameters;
  bool isVariadic = false;
};

// A function of a library, bound by its declaration (Library::function).
class Function {
 public:
  // Takes the C API's handle (bridge32_library_function's).
  explicit Function(bridge32_function* handle);
  ~Function() { bridge32_function_free(handle_); }
  Function(const Function&) = delete;
  Function& operator=(const Function&) = delete;

  // The function's name (its export) and its declaration as given.
  const std::string& name() const { return info_.name; }
  const std::string& declaration() const { return declaration_; }
  // True for a function declared `void f(...)`, whose CallResult::value is always null.
  bool returnsVoid() const { return info_.result.kind == ParameterInfo::Kind::none; }
  // Its parameters and result as declared.
  const FunctionInfo& info() const { return info_; }

  // Calls the function with the values of its in and in/out parameters, in order, and with
  // `callbacks` for its function-pointer parameters, in order (an empty Callback passes NULL).
  // Throws Error: invalidArgument for the wrong number or kind of values (naming the
  // parameter), failed when the DLL wrote past an out-buffer (naming it) or a callback threw,
  // disconnected when the call crashed the surrogate, timeout for a hung call.
  CallResult call(std::span<const Value> arguments, std::span<const Callback> callbacks);
  CallResult call(std::span<const Value> arguments) { return call(arguments, {}); }
  CallResult call(std::initializer_list<Value> arguments,
                  std::initializer_list<Callback> callbacks = {}) {
    return call(std::span<const Value>(arguments.begin(), arguments.size()),
                std::span<const Callback>(callbacks.begin(), callbacks.size()));
  }

  bridge32_function* handle() const { return handle_; }

 private:
  bridge32_function* handle_;
  std::string declaration_;
  FunctionInfo info_;
};

template <typename Signature>
class TypedFunction;  // below

// Memory for `count` numbers of type T that a call reads where it is (Library::buffer): fill
// data(), then give value() as an in argument, and neither side copies it. Outputs need no such
// thing: a bridged call's arrays of numbers come back as views of the memory the DLL wrote them
// in, read in place (Value::TypedArray::as). Shared with the library's process, the memory is
// its segment's alone while the buffer or a value() of it lives.
template <Element T>
class CallBuffer {
 public:
  std::span<T> data() const { return {reinterpret_cast<T*>(bytes_.data()), bytes_.size() / sizeof(T)}; }
  size_t size() const { return bytes_.size() / sizeof(T); }
  // The numbers as an argument: a view of data(), which keeps the memory alive.
  Value value() const {
    return Value(std::make_shared<const Value::TypedArray>(*elementTypeOf<T>(), bytes_, owner_));
  }

 private:
  friend class Library;
  CallBuffer(std::span<std::byte> bytes, std::shared_ptr<const void> owner)
      : bytes_(bytes), owner_(std::move(owner)) {}
  std::span<std::byte> bytes_;
  std::shared_ptr<const void> owner_;
};

// How a vendor's header is read (Library::include; `bridge32 call/header --header`).
struct HeaderOptions {
  std::vector<std::filesystem::path> includeDirectories;  // -I: searched in order
  std::vector<std::string> defines;    // -D: "NAME" or "NAME=VALUE"
  std::vector<std::string> undefines;  // -U
  // Real system headers (MinGW-w64's include/, say) instead of bridge32's built-in <stdint.h>,
  // <windows.h> and the like, which declare only the types declarations need.
  std::filesystem::path systemHeaders;
};

// A function a header declares, as reportHeader says of it.
struct ReportedFunction {
  enum class Status { callable, needsSizes, cannotCall, passedOver };
  std::string name;
  bool exported = false;  // by the library file, under its name or (PE32) decorated: _f@8
  Status status = Status::callable;
  // What it needs (needsSizes: which pointers have no size), or why it cannot be called; empty
  // when callable.
  std::string detail;
};

// What a vendor's headers declare for a library file and how much of it can be called.
struct HeaderReport {
  std::string abi;  // what the headers were read for: "win32", "win64", "sysvI386", "sysvX64"
  std::vector<ReportedFunction> functions;  // each once, as its last declaration says
  std::vector<std::string> notes;  // what the preprocessor passed over
};

// Reads `headers` (then `declarations`, which may declare functions again with annotations) as
// the compiler of `library`'s ABI would, without loading it. Throws Error as reading the headers
// or the file does.
inline HeaderReport reportHeader(const std::filesystem::path& library,
                                 const std::vector<std::filesystem::path>& headers,
                                 const HeaderOptions& options = {},
                                 const std::vector<std::string>& declarations = {});

// Reads one C literal, as `bridge32 call` reads its arguments (bridge32_literal_parse): toLiteral
// in reverse. Throws Error(invalidArgument) naming the column, what was expected and what found.
inline Value parseLiteral(std::string_view text);

class Library {
 public:
  // Inspects `path`'s header and loads it in-process or in a surrogate per `options`; no entry
  // point is needed. Throws Error: notFound, badModule, surrogateStart, ...
  static std::unique_ptr<Library> load(const std::filesystem::path& path,
                                       const LoadOptions& options = {});

  // Takes the C API's handle (bridge32_library_load's).
  explicit Library(bridge32_library* handle)
      : handle_(handle), path_(detail::pathOf(bridge32_library_path, handle)) {}
  ~Library() { bridge32_library_free(handle_); }
  Library(const Library&) = delete;
  Library& operator=(const Library&) = delete;

  const std::filesystem::path& path() const { return path_; }
  Architecture architecture() const { return Architecture(bridge32_library_architecture(handle_)); }
  bool isBridged() const { return bridge32_library_is_bridged(handle_) != 0; }
  uint32_t surrogatePid() const { return bridge32_library_surrogate_pid(handle_); }

  // Reads a C header of the library as the compiler that built it would: preprocessed, with the
  // predefined macros of the library's ABI (_WIN32, _M_IX86 and _MSC_VER for a PE32 DLL;
  // __i386__, __linux__ and __GNUC__ for an i386 shared object), its includes found beside it,
  // in `options.includeDirectories` and, for the C library's and Windows' headers, in a built-in
  // set. Its functions can then be bound by name alone: `function("compress")`. What the header
  // declares that cannot be called (a variable, an inline function, a C++ class) is passed over,
  // and said when that name is bound. Throws Error: notFound for a missing header,
  // invalidArgument for an active #error, a missing "quoted" include or text the preprocessor
  // refuses, naming the file and line.
  void include(const std::filesystem::path& header, const HeaderOptions& options = {});

  // Declarations added after the headers, in bridge32's C (see "Calling exported functions"):
  // structs, typedefs, and functions, which may use the headers' types. A function declared
  // again here, with SAL annotations the vendor's header lacks, is bound as declared here.
  // Throws Error(invalidArgument) for text that does not parse.
  void declare(std::string_view declarations) {
    detail::checked([&](bridge32_error** error) {
      return bridge32_library_declare(handle_, declarations.data(), declarations.size(), error);
    });
  }

  // Binds a function: by its name alone when include() or declare() declared it, or from C text
  // given here (any struct, enum and typedef definitions, then the function's declaration,
  // whose name is the export; the headers' types may be used in it). Throws Error:
  // invalidArgument for text that does not parse (with line and column), notFound for a name
  // nothing declared or an export the library does not have (naming the closest ones).
  // Functions keep what they need of the library alive.
  std::shared_ptr<Function> function(std::string_view nameOrDeclarations) {
    bridge32_function* function = nullptr;
    detail::checked([&](bridge32_error** error) {
      return bridge32_library_function(handle_, nameOrDeclarations.data(),
                                       nameOrDeclarations.size(), &function, error);
    });
    return std::make_shared<Function>(function);
  }

  // The same, called with C++ values of `Signature` (see "Typed functions" below), checked
  // against the declaration now: `library->bind<int(int, int)>("int add(int a, int b);")`.
  // (A member, so that argument-dependent lookup never finds std::bind instead.)
  template <typename Signature>
  TypedFunction<Signature> bind(std::string_view declarations);

  // Windows: a duplicate, in this process, of a kernel handle the library handed out (a Value of
  // HandleKind::kernel from a result or an output), with the same access. The caller owns it
  // and closes it with CloseHandle; the library's own stays open (give that one back to the
  // library's functions). A handle of a surrogate that has since been replaced means nothing.
  // Throws Error: invalidArgument for a value that is not a kernel handle, failed when Windows
  // refuses (naming its error), unsupported on POSIX, which has no kernel handles.
  void* duplicateHandle(const Value& handle) {
    detail::CValues values;
    void* duplicate = nullptr;
    detail::checked([&](bridge32_error** error) {
      return bridge32_library_duplicate_handle(handle_, values.add(handle), &duplicate, error);
    });
    return duplicate;
  }

  // Memory for `count` numbers of type T that calls read where it is, without a copy (see
  // CallBuffer): in a segment shared with the surrogate when the library is bridged (still
  // correct, with a copy, after the surrogate was replaced), plain memory in this process
  // otherwise. Throws Error(failed) when there is no memory that large to have.
  template <Element T>
  CallBuffer<T> buffer(size_t count) {
    bridge32_buffer* buffer = nullptr;
    detail::checked([&](bridge32_error** error) {
      return bridge32_library_buffer(handle_, bridge32_element_type(*elementTypeOf<T>()), count,
                                     &buffer, error);
    });
    std::shared_ptr<bridge32_buffer> owner(buffer, bridge32_buffer_free);
    std::span bytes(static_cast<std::byte*>(bridge32_buffer_data(buffer)), count * sizeof(T));
    return CallBuffer<T>(bytes, std::move(owner));
  }

  bridge32_library* handle() const { return handle_; }

 private:
  bridge32_library* handle_;
  std::filesystem::path path_;
};

// ---- Typed functions -------------------------------------------------------------------------
//
// A Function called with C++ values, checked against its declaration when bound:
// `library->bind<int(int, int)>("double f(double);")` throws Error(invalidArgument) there, not
// garbage at the first call. The C++ signature mirrors the C one, a C++ parameter for each C
// parameter in order:
// - in parameters by value or const reference: integers, floating point, bool, strings
//   (std::string, std::string_view, const char*), arrays (std::vector<T>, std::span<const T>,
//   std::array<T, N>), structs described by Fields, Value for anything;
// - out and in/out parameters as non-const references (`std::vector<double>& y`, `int& length`,
//   `Point& p`), which get the value the DLL left;
// - function pointers as Callback.
// The result is void, an arithmetic type, std::string, a described struct, or Value.
//
//   auto scale = library->bind<void(double, std::span<const double>, int, std::vector<double>&)>(
//       "void scale(double a, _In_reads_(n) const double* x, int n, _Out_writes_(n) double* y);");
//   std::vector<double> y;
//   scale(2, x, 3, y);

// The members of a C++ struct that stands for a C struct, named as the declaration names its
// fields (the order and the layout are the declaration's business, not the C++ struct's):
//
//   struct Point { int32_t x, y; };
//   namespace bridge32 {
//   template <> struct Fields<Point> {
//     static constexpr auto members = std::tuple(member("x", &Point::x), member("y", &Point::y));
//   };
//   }
template <typename T>
struct Fields;

template <typename Struct, typename Type>
struct Member {
  std::string_view name;
  Type Struct::*pointer;
};
template <typename Struct, typename Type>
constexpr Member<Struct, Type> member(std::string_view name, Type Struct::*pointer) {
  return {name, pointer};
}

template <typename Signature>
class TypedFunction;

namespace detail {

template <typename T>
concept Described = requires { Fields<T>::members; };

template <typename T>
constexpr bool isStringLike = std::is_same_v<T, std::string> ||
                              std::is_same_v<T, std::string_view> ||
                              std::is_same_v<T, const char*> || std::is_same_v<T, char*>;

// Sequences of elements, and their element type.
template <typename T>
struct Sequence : std::false_type {};
template <typename T>
struct Sequence<std::vector<T>> : std::true_type { using Element = T; };
template <typename T, size_t N>
struct Sequence<std::span<T, N>> : std::true_type { using Element = std::remove_const_t<T>; };
template <typename T, size_t N>
struct Sequence<std::array<T, N>> : std::true_type { using Element = T; };
template <typename T, size_t N>
struct Sequence<T[N]> : std::true_type { using Element = T; };

// A C++ type as checkBinding compares it with a declaration.
struct CppType {
  ParameterInfo::Kind kind = ParameterInfo::Kind::none;  // none: Value (anything), or void
  bool writable = false;                                  // a non-const reference
  std::vector<std::string> fieldNames;                    // structure: its members' names
  std::vector<CppType> fields;                            // and types
  std::vector<CppType> element;                           // array: one
};

template <typename T>
CppType describe() {
  using U = std::remove_cvref_t<T>;
  CppType type;
  type.writable = std::is_lvalue_reference_v<T> && !std::is_const_v<std::remove_reference_t<T>>;
  using Kind = ParameterInfo::Kind;
  if constexpr (std::is_void_v<U> || std::is_same_v<U, Value>) type.kind = Kind::none;
  else if constexpr (std::is_same_v<U, Callback>) type.kind = Kind::callback;
  else if constexpr (std::is_same_v<U, bool>) type.kind = Kind::boolean;
  else if constexpr (std::is_integral_v<U>) type.kind = Kind::integer;
  else if constexpr (std::is_floating_point_v<U>) type.kind = Kind::floating;
  else if constexpr (isStringLike<std::decay_t<U>>) type.kind = Kind::string;
  else if constexpr (Sequence<U>::value) {
    type.kind = Kind::array;
    type.element.push_back(describe<typename Sequence<U>::Element>());
  } else if constexpr (Described<U>) {
    type.kind = Kind::structure;
    std::apply([&](const auto&... members) {
      ((type.fieldNames.emplace_back(members.name),
        type.fields.push_back(
            describe<std::remove_cvref_t<decltype(std::declval<U&>().*(members.pointer))>>())),
       ...);
    }, Fields<U>::members);
  } else {
    static_assert(!sizeof(U), "a type bridge32 cannot pass: describe it with Fields, or use Value");
  }
  return type;
}

// What checkBinding says of a kind.
inline std::string_view toString(ParameterInfo::Kind kind) {
  using Kind = ParameterInfo::Kind;
  switch (kind) {
    case Kind::none: return "void";
    case Kind::boolean: return "bool";
    case Kind::integer: return "integer";
    case Kind::floating: return "floating";
    case Kind::string: return "string";
    case Kind::array: return "array";
    case Kind::structure: return "struct";
    case Kind::handle: return "handle";
    case Kind::callback: return "callback";
  }
  return "?";
}

// Whether a C++ argument or result of kind `cpp` may stand for C's `c`: `none` (Value) stands
// for anything, a bool and an integer for each other, an integer for a handle.
inline bool fits(ParameterInfo::Kind cpp, ParameterInfo::Kind c) {
  using Kind = ParameterInfo::Kind;
  if (cpp == Kind::none || cpp == c) return true;
  bool cppNumber = cpp == Kind::integer || cpp == Kind::boolean;
  bool cNumber = c == Kind::integer || c == Kind::boolean;
  return cppNumber && (cNumber || c == Kind::handle);
}


inline std::string describe(const CppType& type) {
  using Kind = ParameterInfo::Kind;
  switch (type.kind) {
    case Kind::none: return "Value";
    case Kind::array: return "array of " + describe(type.element.at(0));
    case Kind::structure: {
      std::string text = "struct {";
      for (size_t i = 0; i < type.fieldNames.size(); ++i) {
        text += (i ? ", " : "") + type.fieldNames[i];
      }
      return text + "}";
    }
    default: return std::string(toString(type.kind));
  }
}

inline std::string describe(const std::span<const CppType> parameters, const CppType& result) {
  using Kind = ParameterInfo::Kind;
  std::string text = (result.kind == Kind::none ? "void/Value" : describe(result)) + "(";
  for (size_t i = 0; i < parameters.size(); ++i) {
    text += (i ? ", " : "") + describe(parameters[i]) + (parameters[i].writable ? "&" : "");
  }
  return text + ")";
}

// Why C++ type `cpp` cannot stand for what `c` declares (`what`), or nothing if it can.
inline std::optional<std::string> misfit(const CppType& cpp, const ParameterInfo& c,
                                         const std::string& what) {
  using Kind = ParameterInfo::Kind;
  // Value stands for anything; so does what a declaration leaves open (the bytes of a void*).
  if (cpp.kind == Kind::none || c.kind == Kind::none) return std::nullopt;
  // Text for an array of characters or bytes, as C's `unsigned char a[] = "abc";`.
  if (cpp.kind == Kind::string && c.kind == Kind::array && !c.element.empty() &&
      c.element[0].kind == Kind::integer) {
    return std::nullopt;
  }
  if (!fits(cpp.kind, c.kind)) {
    return what + " is " + std::string(toString(c.kind)) + ", given " + describe(cpp);
  }
  if (c.kind == Kind::array && !c.element.empty()) {
    return misfit(cpp.element.at(0), c.element[0], "an element of " + what);
  }
  if (c.kind == Kind::structure) {
    const auto& names = cpp.fieldNames;
    for (const auto& field : c.fields) {
      auto given = std::find(names.begin(), names.end(), field.name);
      if (given == names.end()) {
        return what + " has a field '" + field.name + "' the C++ struct does not name";
      }
      const CppType& type = cpp.fields[size_t(given - names.begin())];
      if (auto why = misfit(type, field, "field '" + field.name + "' of " + what)) return why;
    }
    for (const auto& name : names) {
      bool declared = std::any_of(c.fields.begin(), c.fields.end(),
                                  [&](const auto& field) { return field.name == name; });
      if (!declared) return what + " has no field '" + name + "'";
    }
  }
  return std::nullopt;
}

// Throws Error(invalidArgument) unless C++ parameters and a result of these types fit `info`.
inline void checkBinding(const FunctionInfo& info, std::span<const CppType> parameters,
                         const CppType& result) {
  using Kind = ParameterInfo::Kind;
  auto refuse = [&](const std::string& why) {
    throw Error(Error::Kind::invalidArgument, "'" + info.name + "' cannot be called as " +
                                                  describe(parameters, result) + ": " + why);
  };
  const auto& declared = info.parameters;
  if (parameters.size() != declared.size() &&
      !(info.isVariadic && parameters.size() > declared.size())) {
    std::string names;
    for (const auto& parameter : declared) names += (names.empty() ? "" : ", ") + parameter.name;
    refuse("it has " + std::to_string(declared.size()) + " parameter" +
           (declared.size() == 1 ? "" : "s") + (names.empty() ? "" : " (" + names + ")"));
  }
  for (size_t i = 0; i < declared.size(); ++i) {
    const ParameterInfo& c = declared[i];
    const CppType& cpp = parameters[i];
    std::string what = "parameter '" + c.name + "'";
    if ((c.kind == Kind::callback) != (cpp.kind == Kind::callback)) {
      refuse(c.kind == Kind::callback ? what + " is a function pointer: take it as Callback"
                                      : what + " is " + std::string(toString(c.kind)) +
                                            ", given a Callback");
    }
    if (c.isOutput && !c.isInput && !cpp.writable) {
      refuse(what + " is an out parameter: take it as a non-const reference");
    }
    if (cpp.writable && !c.isOutput) {
      refuse(what + " is only read: take it by value or const reference");
    }
    if (auto why = misfit(cpp, c, what)) refuse(*why);
  }
  if (result.kind != Kind::none) {
    if (info.result.kind == Kind::none) refuse("it returns void");
    if (auto why = misfit(result, info.result, "the result")) refuse(*why);
  }
}


// The Value a call is given for `value`, which outlives the call: an array of numbers is a view of
// its bytes, copied once where the library's process reads it; anything else element by element.
template <typename T>
Value toValue(const T& value) {
  using U = std::remove_cvref_t<T>;
  if constexpr (std::is_same_v<U, Value>) return value;
  else if constexpr (isStringLike<std::decay_t<U>>) return Value(std::string(value));
  else if constexpr (Sequence<U>::value) {
    using Item = typename Sequence<U>::Element;
    if constexpr (Element<Item>) {
      std::span<const Item> items(std::data(value), std::size(value));
      return Value(std::make_shared<const Value::TypedArray>(*elementTypeOf<Item>(),
                                                             std::as_bytes(items), nullptr));
    }
    std::vector<Value> items;
    for (const auto& item : value) items.push_back(toValue(item));
    return Value(std::move(items));
  } else if constexpr (Described<U>) {
    std::vector<Value::Field> fields;
    std::apply([&](const auto&... members) {
      (fields.push_back(Value::Field{std::string(members.name), toValue(value.*(members.pointer))}),
       ...);
    }, Fields<U>::members);
    return Value(std::move(fields));
  } else return Value(value);
}

// `target` set from `value`; throws Error(invalidArgument) for a value that does not fit it.
template <typename T>
void fromValue(const Value& value, T& target) {
  if constexpr (std::is_same_v<T, Value>) target = value;
  else if constexpr (std::is_same_v<T, bool>) target = value.isBool() ? value.asBool() : value.asInt64() != 0;
  else if constexpr (std::is_integral_v<T>) {
    if (value.isHandle()) target = T(value.asHandle().value);
    else if (value.isNull()) target = 0;
    else if constexpr (std::is_signed_v<T>) target = T(value.asInt64());
    else target = T(value.asUint64());
  } else if constexpr (std::is_floating_point_v<T>) target = T(value.asDouble());
  else if constexpr (std::is_same_v<T, std::string>) target = value.isNull() ? "" : value.asString();
  else if constexpr (Sequence<T>::value) {
    using Item = typename Sequence<T>::Element;
    if constexpr (Element<Item>) {
      // The DLL's numbers as they are, if they are of this type: one copy.
      if (value.isTypedArray() && value.asTypedArray()->type() == *elementTypeOf<Item>()) {
        auto numbers = value.asTypedArray()->template as<Item>();
        if constexpr (requires { target.resize(numbers.size()); }) target.resize(numbers.size());
        size_t count = std::min(numbers.size(), size_t(std::size(target)));
        bridge32_copy_memory(std::data(target), numbers.data(), count * sizeof(Item));
        return;
      }
    }
    const auto& items = value.asArray();
    if constexpr (requires { target.resize(items.size()); }) target.resize(items.size());
    size_t count = std::min(items.size(), size_t(std::size(target)));
    for (size_t i = 0; i < count; ++i) fromValue(items[i], target[i]);
  } else if constexpr (Described<T>) {
    std::apply([&](const auto&... members) {
      (fromValue(value.field(members.name), target.*(members.pointer)), ...);
    }, Fields<T>::members);
  } else {
    static_assert(!sizeof(T), "a type bridge32 cannot return: describe it with Fields, or use Value");
  }
}

// The C++ argument at `position` as the call takes it.
template <typename A>
void give(const FunctionInfo& info, size_t position, const std::remove_reference_t<A>& argument,
          std::vector<Value>& values, std::vector<Callback>& callbacks) {
  if constexpr (std::is_same_v<std::remove_cvref_t<A>, Callback>) {
    callbacks.push_back(argument);
  } else if (position >= info.parameters.size() || info.parameters[position].isInput) {
    values.push_back(toValue(argument));
  }
}

// What the DLL left for the C++ argument at `position`, if it is an out or in/out reference.
template <typename A>
void takeBack(const FunctionInfo& info, size_t position, std::remove_reference_t<A>& argument,
              const CallResult& result) {
  if constexpr (std::is_lvalue_reference_v<A> && !std::is_const_v<std::remove_reference_t<A>>) {
    if (position < info.parameters.size() && info.parameters[position].isOutput) {
      fromValue(result.output(info.parameters[position].name), argument);
    }
  }
}

}  // namespace detail

template <typename R, typename... Args>
class TypedFunction<R(Args...)> {
 public:
  explicit TypedFunction(std::shared_ptr<Function> function) : function_(std::move(function)) {
    const detail::CppType parameters[] = {detail::describe<Args>()..., detail::CppType{}};
    detail::checkBinding(function_->info(),
                         std::span<const detail::CppType>(parameters, sizeof...(Args)),
                         detail::describe<R>());
  }

  R operator()(Args... arguments) const {
    const FunctionInfo& info = function_->info();
    std::vector<Value> values;
    std::vector<Callback> callbacks;
    size_t position = 0;
    (detail::give<Args>(info, position++, arguments, values, callbacks), ...);
    CallResult result = function_->call(values, callbacks);
    position = 0;
    (detail::takeBack<Args>(info, position++, arguments, result), ...);
    if constexpr (!std::is_void_v<R>) {
      R value{};
      detail::fromValue(result.value, value);
      return value;
    }
  }
  Function& function() const { return *function_; }

 private:
  std::shared_ptr<Function> function_;
};

template <typename Signature>
TypedFunction<Signature> Library::bind(std::string_view declarations) {
  return TypedFunction<Signature>(function(declarations));
}

// ---- The C API underneath ---------------------------------------------------------------------

namespace detail {

inline ParameterInfo parameterFrom(const bridge32_parameter_info& c) {
  ParameterInfo info;
  info.name = stringFrom(c.name, c.name_length);
  info.kind = ParameterInfo::Kind(c.kind);
  info.isSigned = c.is_signed != 0;
  info.size = c.size;
  info.type = stringFrom(c.type, c.type_length);
  info.isInput = c.is_input != 0;
  info.isOutput = c.is_output != 0;
  for (size_t i = 0; i < c.field_count; ++i) info.fields.push_back(parameterFrom(c.fields[i]));
  if (c.element) info.element.push_back(parameterFrom(*c.element));
  return info;
}

// A Callback as the C API calls it: `context` is the Callback.
inline bridge32_status BRIDGE32_CALL callCallback(void* context, const bridge32_value* arguments,
                                                  size_t count, bridge32_value* result,
                                                  bridge32_error** error) {
  try {
    std::vector<Value> values;
    values.reserve(count);
    for (size_t i = 0; i < count; ++i) {
      values.push_back(fromC(arguments[i], ValuePlace("callback argument", i + 1, "")));
    }
    Value answer = (*static_cast<const Callback*>(context))(values);
    // A number, bool, handle or null: nothing that points into `answer`, which ends here.
    if (answer.isString() || answer.isArray() || answer.isStruct()) {
      throw Error(Error::Kind::invalidArgument,
                  "a callback answers a number, a bool, a handle or null, not a " +
                      std::string(toString(answer.kind())));
    }
    CValues converted;
    *result = *converted.add(answer);
    if (result->kind == BRIDGE32_VALUE_HANDLE) result->as.handle.text = nullptr;
    return BRIDGE32_OK;
  } catch (...) {
    return failWithCurrentException(error);
  }
}

// The callbacks a call gives the library, which those of _Kept_ parameters outlive in the
// CallResult's registration.
struct KeptCallbacks {
  std::vector<Callback> callbacks;
  std::unique_ptr<bridge32_registration, void(BRIDGE32_CALL*)(bridge32_registration*)> registration{
      nullptr, bridge32_registration_free};
};

}  // namespace detail

inline Function::Function(bridge32_function* handle) : handle_(handle) {
  size_t length = 0;
  const char* name = bridge32_function_name(handle, &length);
  info_.name = detail::stringFrom(name, length);
  const char* declaration = bridge32_function_declaration(handle, &length);
  declaration_ = detail::stringFrom(declaration, length);
  bridge32_parameter_info c{};
  if (bridge32_function_result(handle, &c) == BRIDGE32_OK) info_.result = detail::parameterFrom(c);
  size_t count = bridge32_function_parameter_count(handle);
  for (size_t i = 0; i < count; ++i) {
    if (bridge32_function_parameter(handle, i, &c) == BRIDGE32_OK) {
      info_.parameters.push_back(detail::parameterFrom(c));
    }
  }
  info_.isVariadic = bridge32_function_is_variadic(handle) != 0;
}

inline CallResult Function::call(std::span<const Value> arguments,
                                 std::span<const Callback> callbacks) {
  detail::CValues values;
  const bridge32_value* given = values.addAll(arguments);
  // The callbacks live on in the result when the library keeps one (_Kept_).
  std::shared_ptr<detail::KeptCallbacks> kept;
  std::vector<bridge32_callback> functions;
  if (!callbacks.empty()) {
    kept = std::make_shared<detail::KeptCallbacks>();
    kept->callbacks.assign(callbacks.begin(), callbacks.end());
    for (const Callback& callback : kept->callbacks) {
      functions.push_back(callback ? bridge32_callback{detail::callCallback,
                                                       const_cast<Callback*>(&callback)}
                                   : bridge32_callback{nullptr, nullptr});
    }
  }
  bridge32_result* answer = nullptr;
  detail::checked([&](bridge32_error** error) {
    return bridge32_function_call(handle_, given, arguments.size(), functions.data(),
                                  functions.size(), &answer, error);
  });
  // Arrays of numbers stay where the result has them, which their views keep.
  detail::SharedOnDemand<bridge32_result, bridge32_result_free> owned(answer);
  CallResult result;
  result.value = detail::fromC(*bridge32_result_value(answer), detail::ValuePlace("the result"),
                               &owned);
  size_t outputs = bridge32_result_output_count(answer);
  result.outputs.reserve(outputs);
  for (size_t i = 0; i < outputs; ++i) {
    const char* name = nullptr;
    size_t length = 0;
    const bridge32_value* output = bridge32_result_output(answer, i, &name, &length);
    std::string named = detail::stringFrom(name, length);
    Value value = detail::fromC(*output, detail::ValuePlace(named), &owned);
    result.outputs.emplace_back(std::move(named), std::move(value));
  }
  result.lastError = bridge32_result_last_error(answer);
  if (bridge32_registration* registration = bridge32_result_keep(answer)) {
    kept->registration.reset(registration);
    result.kept = std::move(kept);
  }
  return result;
}

inline std::unique_ptr<Library> Library::load(const std::filesystem::path& path,
                                              const LoadOptions& options) {
  return std::make_unique<Library>(detail::loadFile(bridge32_library_load, path, options));
}

namespace detail {

// HeaderOptions as the C API takes them, with what they point to.
class CHeaderOptions {
 public:
  explicit CHeaderOptions(const HeaderOptions& options)
      : defines_(options.defines),
        undefines_(options.undefines),
        systemHeaders_(utf8(options.systemHeaders)) {
    for (const auto& directory : options.includeDirectories) {
      directories_.push_back(utf8(directory));
    }
    cDirectories_ = cStrings(directories_);
    cDefines_ = cStrings(defines_);
    cUndefines_ = cStrings(undefines_);
    bridge32_header_options_init(&c_);
    c_.include_directories = cDirectories_.data();
    c_.include_directory_count = cDirectories_.size();
    c_.defines = cDefines_.data();
    c_.define_count = cDefines_.size();
    c_.undefines = cUndefines_.data();
    c_.undefine_count = cUndefines_.size();
    c_.system_headers = {systemHeaders_.data(), systemHeaders_.size()};
  }
  CHeaderOptions(const CHeaderOptions&) = delete;
  CHeaderOptions& operator=(const CHeaderOptions&) = delete;

  const bridge32_header_options* get() const { return &c_; }

 private:
  std::vector<std::string> directories_, defines_, undefines_;
  std::string systemHeaders_;
  std::vector<bridge32_string> cDirectories_, cDefines_, cUndefines_;
  bridge32_header_options c_;
};

}  // namespace detail

inline void Library::include(const std::filesystem::path& header, const HeaderOptions& options) {
  detail::CHeaderOptions c(options);
  std::string file = utf8(header);
  detail::checked([&](bridge32_error** error) {
    return bridge32_library_include(handle_, file.data(), file.size(), c.get(), error);
  });
}

inline Value parseLiteral(std::string_view text) {
  bridge32_literal* literal = nullptr;
  detail::checked([&](bridge32_error** error) {
    return bridge32_literal_parse(text.data(), text.size(), &literal, error);
  });
  std::unique_ptr<bridge32_literal, void(BRIDGE32_CALL*)(bridge32_literal*)> owned(
      literal, bridge32_literal_free);
  // Copied whole: a literal's arrays are of values, never numbers viewed in its memory.
  return detail::fromC(*bridge32_literal_value(literal), detail::ValuePlace("the literal"));
}

inline HeaderReport reportHeader(const std::filesystem::path& library,
                                 const std::vector<std::filesystem::path>& headers,
                                 const HeaderOptions& options,
                                 const std::vector<std::string>& declarations) {
  std::string file = utf8(library);
  std::vector<std::string> files;
  for (const auto& header : headers) files.push_back(utf8(header));
  std::vector<bridge32_string> cFiles = detail::cStrings(files);
  std::vector<bridge32_string> cDeclarations = detail::cStrings(declarations);
  detail::CHeaderOptions c(options);
  bridge32_header_report* made = nullptr;
  detail::checked([&](bridge32_error** error) {
    return bridge32_header_report_make(file.data(), file.size(), cFiles.data(), cFiles.size(),
                                       c.get(), cDeclarations.data(), cDeclarations.size(),
                                       &made, error);
  });
  std::unique_ptr<bridge32_header_report, void(BRIDGE32_CALL*)(bridge32_header_report*)> owned(
      made, bridge32_header_report_free);
  HeaderReport report;
  size_t length = 0;
  const char* abi = bridge32_header_report_abi(made, &length);
  report.abi = detail::stringFrom(abi, length);
  for (size_t i = 0, count = bridge32_header_report_function_count(made); i < count; ++i) {
    bridge32_reported_function c{};
    bridge32_header_report_function(made, i, &c);
    report.functions.push_back({detail::stringFrom(c.name, c.name_length), c.exported != 0,
                                ReportedFunction::Status(c.status),
                                detail::stringFrom(c.detail, c.detail_length)});
  }
  for (size_t i = 0, count = bridge32_header_report_note_count(made); i < count; ++i) {
    const char* note = bridge32_header_report_note(made, i, &length);
    report.notes.push_back(detail::stringFrom(note, length));
  }
  return report;
}

}  // namespace bridge32
