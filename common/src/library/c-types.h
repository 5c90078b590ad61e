// The C type model for DLL functions called by declaration: the types a declaration names, the
// annotations (Microsoft SAL and bridge32's _Kept_) that say how a pointer argument crosses the
// call, and the layout of those types in the four x86 ABIs a DLL may run in.
//
// Types are ABI-independent: `long`, `size_t` and `wchar_t` keep their C meaning and get their
// size only from layoutOf(type, abi), so one parse serves a 32-bit DLL and a 64-bit one.
//
// Ownership: the types, records and signatures of one parse live together in a TypeStore and
// point at one another with plain pointers (a struct may point at itself, which shared pointers
// would turn into a leak). Whoever holds the store, or a shared_ptr that aliases it (see
// Declarations in c-parser.h), keeps all of them alive. Everything is immutable once parsed, so
// any number of threads may read it.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bridge32/types.h"

namespace bridge32::library {

// The ABI of the process the DLL runs in.
enum class Abi { win32, win64, sysvI386, sysvX64 };

// The ABI of this process; and of a process of `architecture` on this platform (a surrogate's).
Abi nativeAbi();
Abi abiOf(Architecture architecture);
std::string_view toString(Abi abi);  // "win32", ...
bool isWindows(Abi abi);
uint32_t pointerSize(Abi abi);

// The enumerators are not named cdecl, stdcall...: <windows.h> under MinGW defines `cdecl` (and
// `pascal`) as macros, and this header must live beside it.
enum class CallingConvention { platformDefault, cDecl, stdCall, fastCall, thisCall };
std::string_view toString(CallingConvention convention);  // "__stdcall"; "" for the default

// A size expression of a SAL annotation: `n`, `*pn`, `return`, `16`, `n * 2`, `count + 1`.
// Names are those of parameters (or, for _Field_size_, of fields of the same struct); constants
// (enumerators, #define) are already folded into numbers.
struct SizeExpression {
  enum class Op { constant, name, dereference, returnValue, add, subtract, multiply, divide };
  Op op = Op::constant;
  int64_t constant = 0;           // Op::constant
  std::string name;               // Op::name and Op::dereference (the name of the pointer)
  std::vector<SizeExpression> operands;  // the two operands of add ... divide
  friend bool operator==(const SizeExpression&, const SizeExpression&) = default;
};

// The integer value of `name` (a parameter or field; "return" for the function's result),
// or of what it points at when `dereferenced`. Called by evaluate; throws whatever it likes.
using SizeLookup = std::function<int64_t(std::string_view name, bool dereferenced)>;

// The value of `expression`. Throws Error(invalidArgument) on overflow or division by zero.
int64_t evaluate(const SizeExpression& expression, const SizeLookup& lookup);
// As written in C: "nSize", "*destLen", "n * 2".
std::string toString(const SizeExpression& expression);

enum class Direction { in, out, inout };
std::string_view toString(Direction direction);  // "in", "out", "inout"

// How the argument (or result, or struct field) crosses the call.
enum class Transfer {
  value,     // the value itself: a number, a struct by value, a handle
  opaque,    // a pointer the DLL hands out or takes back; never dereferenced by the bridge
  elements,  // a pointer to `count` elements of the pointed-at type
  bytes,     // a pointer to `count` bytes
  string,    // a pointer to a NUL-terminated string; `count`, if set, is an out buffer's capacity
  callback,  // a function pointer
};
std::string_view toString(Transfer transfer);

// What the declaration says about one parameter, result or struct field: the SAL annotations as
// written, and what they (or, without them, the type) resolve to.
//
// Defaults without annotations, by type:
//   - not a pointer: value, in;
//   - void * (const or not), or a pointer to an incomplete struct: opaque;
//   - const char *, const wchar_t * (LPCSTR, LPCWSTR...): in, string;
//   - char *, wchar_t * (LPSTR, LPWSTR): inout, string. Treating it as "one char" would be
//     wrong for nearly every real API, and a NUL-terminated buffer the callee may change is the
//     reading that C code most often means. Give _Out_writes_z_(n) for an output buffer;
//   - const T *: in, one element; T *: inout, one element;
//   - a function pointer: callback;
//   - a result: out; a pointer result other than a string is opaque unless _Ret_writes_ says.
struct Annotation {
  std::vector<std::string> sal;  // as written, e.g. {"_In_reads_(n)", "_Kept_"}; may be empty
  Direction direction = Direction::in;
  Transfer transfer = Transfer::value;
  bool optional = false;  // null is allowed (_opt_, _Ret_maybenull_)
  bool kept = false;      // _Kept_: the DLL keeps the pointer, callback or handle after returning
  std::optional<SizeExpression> count;    // elements or bytes; string: out buffer capacity
  std::optional<SizeExpression> written;  // _Out_writes_to_'s second size: how many were written
  // _Outptr_ and its family: the parameter points to a pointer the library sets to memory of its
  // own, which crosses as a handle (to give back to the library's free function) and, for the
  // _z_ forms, with the text it points to.
  bool outPointer = false;
  bool outPointerText = false;
  friend bool operator==(const Annotation&, const Annotation&) = default;
};

struct Type;

struct Field {
  std::string name;  // empty for an anonymous struct or union member, or an unnamed bit-field
  const Type* type = nullptr;
  Annotation annotation;  // _Field_size_ and friends; type defaults otherwise
  std::optional<uint32_t> bitWidth;  // a bit-field (`int x : 3`; 0 only unnamed, `int : 0`)
};

struct Record {
  bool isUnion = false;
  std::string tag;  // empty when anonymous
  bool isComplete = false;
  std::vector<Field> fields;
  uint32_t pack = 0;      // #pragma pack(n) in force at the definition; 0 for none
  bool isPacked = false;  // __attribute__((packed))
  uint32_t alignment = 0; // __declspec(align(n)), __attribute__((aligned(n))): at least this
  // Spelled __declspec(align(n)), as for MSVC: on Windows #pragma pack around a struct that
  // holds this one does not lower its alignment (MSVC's rule; GCC's pack lowers it, and
  // MinGW's GCC does so even for __declspec(align(n))).
  bool alignmentIsDeclspec = false;
};

struct EnumConstant {
  std::string name;
  int64_t value = 0;
};

struct Enumeration {
  std::string tag;  // empty when anonymous
  std::vector<EnumConstant> constants;
};

struct Parameter {
  std::string name;  // may be empty
  const Type* type = nullptr;
  Annotation annotation;
};

struct Signature {
  std::string name;  // empty for the signature of a function pointer
  const Type* returnType = nullptr;
  Annotation returnAnnotation;
  std::vector<Parameter> parameters;
  CallingConvention convention = CallingConvention::platformDefault;
  bool isVariadic = false;
};

// Integer widths that depend on the ABI are kept symbolic until layout.
enum class IntegerWidth {
  bits8, bits16, bits32, bits64,
  cLong,    // long: 8 bytes on sysvX64, 4 elsewhere
  pointer,  // size_t, intptr_t, ULONG_PTR...
  wcharT,   // wchar_t: 2 bytes unsigned on Windows, 4 bytes signed on SysV
};

// Which integers hold text, for the string defaults.
enum class Character {
  none,   // a number (including signed char and unsigned char)
  narrow, // char
  wide,   // wchar_t, WCHAR
};

// USER and GDI handles (HWND, HDC...) mean the same in every process and cross as values (their
// low 32 bits); kernel-object and module handles only mean something in the DLL's process.
enum class HandleKind { window, kernel, module };

// One C type. A plain struct whose fields beyond `kind` only mean something for some kinds.
struct Type {
  enum class Kind { voidType, boolean, integer, floating, pointer, array, record, enumeration,
                    function, handle };
  Kind kind = Kind::voidType;
  bool isConst = false;
  // The name the type was declared through: a keyword ("unsigned int"), a predefined name
  // ("DWORD", "size_t") or a typedef. Empty for derived types (pointers, arrays...).
  std::string name;

  IntegerWidth width = IntegerWidth::bits32;  // integer
  bool isSigned = true;                       // integer (wchar_t: see signedness())
  Character character = Character::none;      // integer
  uint32_t floatBytes = 8;                    // floating: 4 or 8
  HandleKind handle = HandleKind::kernel;     // handle
  const Type* target = nullptr;               // pointer: what it points at; array: element
  uint64_t count = 0;                         // array: number of elements
  const Record* record = nullptr;             // record
  const Enumeration* enumeration = nullptr;   // enumeration
  const Signature* signature = nullptr;       // function

  bool isPointer() const { return kind == Kind::pointer; }
  bool isFunctionPointer() const { return isPointer() && target->kind == Kind::function; }
  // A pointer the bridge cannot look through: to void or to a struct it has no definition of.
  bool isOpaquePointer() const;
  // A pointer to char or wchar_t (const or not).
  bool isStringPointer() const;
};

// Structural equality (names and qualifiers included). A pointer to a named struct compares
// the struct by tag only, which keeps self-referential structs from recursing forever.
bool operator==(const Type& a, const Type& b);
bool operator==(const Field& a, const Field& b);
bool operator==(const Parameter& a, const Parameter& b);
bool operator==(const Signature& a, const Signature& b);
bool operator==(const Record& a, const Record& b);
bool operator==(const Enumeration& a, const Enumeration& b);
bool operator==(const EnumConstant& a, const EnumConstant& b);

// Whether two declarations of a function take and return the same types, as a caller passes
// them: typedef names, qualifiers, parameter names and annotations aside (`const Bytef* buf` is
// `const unsigned char* data`; `int*` is not `long*` even where both are 4 bytes wide).
bool sameForCaller(const Signature& a, const Signature& b);

// The type as C would write it, for messages: "unsigned int", "const double *", "struct P",
// "DWORD", "int (__stdcall *)(HWND, LPARAM)", "char[16]".
std::string describe(const Type& type);
// The declaration: "int __stdcall MessageBoxA(HWND hWnd, LPCSTR lpText, ...)".
std::string describe(const Signature& signature);

// Integer size and signedness in `abi` (enumerations are int; bool is not an integer here).
uint32_t integerSize(const Type& integer, Abi abi);
bool isSignedInteger(const Type& integer, Abi abi);

struct FieldLayout;

// Where a type's bytes are in `abi`. For a struct or union, where each field is, nested.
struct Layout {
  uint64_t size = 0;
  // As a struct member, which is what decides offsets: a double or long long is 4 on sysvI386
  // (GCC's _Alignof agrees; only its __alignof__, the preferred alignment, says 8).
  uint64_t alignment = 1;
  // Windows only: the alignment that #pragma pack does not lower where the type is a member:
  // a struct's with __declspec(align(n)) (all of it, n or more), or the largest of its
  // members' (see Record::alignmentIsDeclspec). 0 for none.
  uint64_t requiredAlignment = 0;
  std::vector<FieldLayout> fields;
  friend bool operator==(const Layout&, const Layout&) = default;
};

// Where a bit-field's bits are: from bit `offset` (0-7, counted from the least significant) of
// the byte at its FieldLayout's offset, `width` bits upward, through the bytes that follow.
// Every x86 ABI stores the bits of a bit-field as the low-to-high bits of a little-endian
// integer, and differs only in where each field starts (see layoutOf).
struct BitRange {
  uint32_t offset = 0;
  uint32_t width = 0;
  friend bool operator==(const BitRange&, const BitRange&) = default;
};

struct FieldLayout {
  std::string name;
  uint64_t offset = 0;  // bytes; a bit-field's: the byte that holds its lowest bit
  Layout layout;        // of its type (a bit-field's: of its declared type)
  std::optional<BitRange> bits;  // bit-fields only
  friend bool operator==(const FieldLayout&, const FieldLayout&) = default;
};

// The largest type layoutOf accepts: larger ones are refused, not computed, so that a hostile
// declaration cannot make a caller allocate gigabytes.
constexpr uint64_t kMaxTypeBytes = uint64_t(256) << 20;

// Throws Error(invalidArgument) for a type without a size (void, a function, an incomplete
// struct) or one larger than kMaxTypeBytes.
//
// Bit-fields follow the two conventions of x86 compilers. On Windows (MSVC, and MinGW's GCC,
// whose default is -mms-bitfields) a bit-field opens a unit of its declared type's size and
// alignment, and the bit-fields after it share that unit while their types have its size and
// their bits fit; anything else opens the next unit. On System V (GCC, Clang) a bit-field goes
// at the next free bit unless it would cross a boundary of its type's alignment that a whole
// object of its type, placed there, would not; #pragma pack and packed let it cross.
//
// Windows layouts are MSVC's, which MinGW's GCC shares but in two corners: a bit-field directly
// in a union (MSVC counts its type's size and not its alignment, GCC its bytes and alignment),
// and a zero-width bit-field in an __attribute__((packed)) struct, which only GCC can compile
// and where its rule is taken. Tested against the compilers themselves by
// tests/layout-test.c++.
Layout layoutOf(const Type& type, Abi abi);

// Whether a bit-field of this (integer, enumeration or bool) type reads back signed in `abi`:
// GCC gives an enumeration without negative enumerators an unsigned type, MSVC always int.
bool isSignedBitField(const Type& type, Abi abi);

// Owns every type, record and signature of one parse; their addresses never change.
class TypeStore {
 public:
  TypeStore() = default;
  TypeStore(const TypeStore&) = delete;
  TypeStore& operator=(const TypeStore&) = delete;

  Type& add(Type type) { return types_.emplace_back(std::move(type)); }
  Record& addRecord() { return records_.emplace_back(); }
  Enumeration& addEnumeration() { return enumerations_.emplace_back(); }
  Signature& addSignature(Signature signature) {
    return signatures_.emplace_back(std::move(signature));
  }
  // Keeps `base`, whose types this store's point at, alive as long as this one.
  void continues(std::shared_ptr<const TypeStore> base) { base_ = std::move(base); }

 private:
  std::shared_ptr<const TypeStore> base_;
  std::deque<Type> types_;
  std::deque<Record> records_;
  std::deque<Enumeration> enumerations_;
  std::deque<Signature> signatures_;
};

}  // namespace bridge32::library
