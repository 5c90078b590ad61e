// The C declaration language of legacy DLLs called by declaration (common/src/library): parsing
// real vendor declarations, struct layout in the four ABIs against numbers measured from real
// compilers, C literals and their round trip, coercion of values to declared types, and hostile
// text.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <limits>
#include <map>

#include "bridge32/error.h"
#include "bridge32/value.h"
#include "library/c-literals.h"
#include "library/c-parser.h"
#include "library/c-types.h"

namespace bridge32::library {
namespace {

// The message of the invalidArgument error `action` throws, or a failure.
template <typename Action>
std::string errorOf(Action action) {
  try {
    action();
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), Error::Kind::invalidArgument) << error.what();
    return error.message();
  }
  ADD_FAILURE() << "no error";
  return {};
}

std::shared_ptr<const Signature> functionOf(std::string_view text) {
  return parseDeclarations(text).function();
}

SizeExpression named(std::string name) {
  return SizeExpression{SizeExpression::Op::name, 0, std::move(name), {}};
}

SizeExpression constant(int64_t value) {
  return SizeExpression{SizeExpression::Op::constant, value, {}, {}};
}

// ---------------------------------------------------------------------------------------------
// Declarations from real headers

TEST(Declaration, MessageBoxFromWinUser) {
  auto f = functionOf("int WINAPI MessageBoxA(HWND hWnd, LPCSTR lpText, LPCSTR lpCaption, "
                      "UINT uType);");
  EXPECT_EQ(f->name, "MessageBoxA");
  EXPECT_EQ(f->convention, CallingConvention::stdCall);
  ASSERT_EQ(f->parameters.size(), 4u);
  EXPECT_EQ(f->parameters[0].type->kind, Type::Kind::handle);
  EXPECT_EQ(f->parameters[0].type->handle, HandleKind::window);
  EXPECT_EQ(f->parameters[0].annotation.transfer, Transfer::value);
  EXPECT_EQ(f->parameters[1].annotation.transfer, Transfer::string);
  EXPECT_EQ(f->parameters[1].annotation.direction, Direction::in);
  EXPECT_EQ(describe(*f->parameters[3].type), "UINT");
  EXPECT_EQ(describe(*f),
            "int __stdcall MessageBoxA(HWND hWnd, LPCSTR lpText, LPCSTR lpCaption, UINT uType)");
}

TEST(Declaration, GetModuleFileNameWithSal) {
  auto f = functionOf(
      "DWORD WINAPI GetModuleFileNameW(_In_opt_ HMODULE hModule,\n"
      "    _Out_writes_to_(nSize, return + 1) LPWSTR lpFilename, _In_ DWORD nSize);");
  ASSERT_EQ(f->parameters.size(), 3u);
  const Annotation& module = f->parameters[0].annotation;
  EXPECT_TRUE(module.optional);
  EXPECT_EQ(f->parameters[0].type->handle, HandleKind::module);
  const Annotation& buffer = f->parameters[1].annotation;
  EXPECT_EQ(buffer.direction, Direction::out);
  EXPECT_EQ(buffer.transfer, Transfer::elements);
  EXPECT_EQ(buffer.count, named("nSize"));
  ASSERT_TRUE(buffer.written);
  EXPECT_EQ(toString(*buffer.written), "return + 1");
  EXPECT_EQ(buffer.sal, std::vector<std::string>{"_Out_writes_to_(nSize, return + 1)"});
  // WCHAR is UTF-16 on every ABI, unlike wchar_t.
  const Type& character = *f->parameters[1].type->target;
  EXPECT_EQ(integerSize(character, Abi::sysvX64), 2u);
  EXPECT_EQ(character.character, Character::wide);
  int64_t written = evaluate(*buffer.written, [](std::string_view name, bool) -> int64_t {
    EXPECT_EQ(name, "return");
    return 41;
  });
  EXPECT_EQ(written, 42);
}

TEST(Declaration, ZlibCompressWithDereferencedSize) {
  auto f = functionOf(
      "int compress(_Out_writes_bytes_(*destLen) unsigned char *dest, _Inout_ unsigned long "
      "*destLen, _In_reads_bytes_(sourceLen) const unsigned char *source, unsigned long "
      "sourceLen);");
  ASSERT_EQ(f->parameters.size(), 4u);
  const Annotation& dest = f->parameters[0].annotation;
  EXPECT_EQ(dest.transfer, Transfer::bytes);
  EXPECT_EQ(dest.direction, Direction::out);
  EXPECT_EQ(dest.count->op, SizeExpression::Op::dereference);
  EXPECT_EQ(dest.count->name, "destLen");
  const Annotation& destLen = f->parameters[1].annotation;
  EXPECT_EQ(destLen.direction, Direction::inout);
  EXPECT_EQ(destLen.transfer, Transfer::elements);
  EXPECT_EQ(destLen.count, constant(1));
  EXPECT_EQ(f->parameters[2].annotation.direction, Direction::in);
  EXPECT_EQ(f->parameters[2].annotation.count, named("sourceLen"));
  // unsigned long: 4 bytes except on x86-64 Linux.
  const Type& length = *f->parameters[3].type;
  EXPECT_EQ(integerSize(length, Abi::win64), 4u);
  EXPECT_EQ(integerSize(length, Abi::sysvX64), 8u);
  EXPECT_EQ(integerSize(length, Abi::sysvI386), 4u);
  EXPECT_FALSE(isSignedInteger(length, Abi::win32));
  int64_t bytes = evaluate(*dest.count, [](std::string_view name, bool dereferenced) -> int64_t {
    EXPECT_EQ(name, "destLen");
    EXPECT_TRUE(dereferenced);
    return 100;
  });
  EXPECT_EQ(bytes, 100);
}

TEST(Declaration, ZlibUnannotatedDefaults) {
  Declarations declarations = parseDeclarations(
      "unsigned long crc32(unsigned long crc, const unsigned char *buf, unsigned int len);\n"
      "const char *zlibVersion(void);\n");
  ASSERT_EQ(declarations.functions().size(), 2u);
  auto crc32 = declarations.findFunction("crc32");
  ASSERT_TRUE(crc32);
  // const unsigned char * is data, not text: one element in, as no size is given.
  EXPECT_EQ(crc32->parameters[1].annotation.transfer, Transfer::elements);
  EXPECT_EQ(crc32->parameters[1].annotation.direction, Direction::in);
  EXPECT_EQ(describe(*crc32->parameters[1].type), "const unsigned char *");
  EXPECT_EQ(describe(*crc32->parameters[2].type), "unsigned int");
  auto version = declarations.function();
  EXPECT_EQ(version->name, "zlibVersion");
  EXPECT_TRUE(version->parameters.empty());
  EXPECT_EQ(version->returnAnnotation.transfer, Transfer::string);
  EXPECT_EQ(version->returnAnnotation.direction, Direction::out);
  EXPECT_EQ(describe(*version), "const char *zlibVersion(void)");
}

TEST(Declaration, VariadicSprintf) {
  auto f = functionOf("int sprintf(char *buf, const char *fmt, ...);");
  EXPECT_TRUE(f->isVariadic);
  ASSERT_EQ(f->parameters.size(), 2u);
  // Unannotated char *: a NUL-terminated string the callee may change (see c-types.h).
  EXPECT_EQ(f->parameters[0].annotation.transfer, Transfer::string);
  EXPECT_EQ(f->parameters[0].annotation.direction, Direction::inout);
  EXPECT_EQ(f->parameters[1].annotation.direction, Direction::in);
  EXPECT_EQ(describe(*f), "int sprintf(char *buf, const char *fmt, ...)");
}

TEST(Declaration, QsortWithInlineCallback) {
  auto f = functionOf("void qsort(void *base, size_t n, size_t size, "
                      "int (__cdecl *cmp)(const void *, const void *));");
  ASSERT_EQ(f->parameters.size(), 4u);
  EXPECT_EQ(f->parameters[0].annotation.transfer, Transfer::opaque);
  EXPECT_TRUE(f->parameters[0].type->isOpaquePointer());
  EXPECT_EQ(integerSize(*f->parameters[1].type, Abi::win32), 4u);
  EXPECT_EQ(integerSize(*f->parameters[1].type, Abi::win64), 8u);
  const Type& callback = *f->parameters[3].type;
  ASSERT_TRUE(callback.isFunctionPointer());
  EXPECT_EQ(f->parameters[3].annotation.transfer, Transfer::callback);
  const Signature& compare = *callback.target->signature;
  EXPECT_EQ(compare.convention, CallingConvention::cDecl);
  EXPECT_EQ(compare.parameters.size(), 2u);
  EXPECT_EQ(describe(callback), "int (__cdecl *)(const void *, const void *)");
}

TEST(Declaration, EnumWindowsWithTypedefCallback) {
  Declarations declarations = parseDeclarations(
      "typedef BOOL (CALLBACK* WNDENUMPROC)(HWND, LPARAM);\n"
      "BOOL WINAPI EnumWindows(WNDENUMPROC lpEnumFunc, LPARAM lParam);");
  auto f = declarations.function();
  EXPECT_EQ(f->convention, CallingConvention::stdCall);
  const Type& callback = *f->parameters[0].type;
  EXPECT_EQ(describe(callback), "WNDENUMPROC");
  ASSERT_TRUE(callback.isFunctionPointer());
  EXPECT_EQ(callback.target->signature->convention, CallingConvention::stdCall);
  EXPECT_EQ(describe(*callback.target->signature->parameters[1].type), "LPARAM");
  EXPECT_EQ(integerSize(*f->parameters[1].type, Abi::win64), 8u);
  EXPECT_TRUE(isSignedInteger(*f->parameters[1].type, Abi::win64));
  ASSERT_TRUE(declarations.findType("WNDENUMPROC"));
  EXPECT_EQ(*declarations.findType("WNDENUMPROC"), callback);
}

TEST(Declaration, ScaleFromTheReadme) {
  auto f = functionOf("void scale(double a, _In_reads_(n) const double* x, int n, "
                      "_Out_writes_(n) double* y)");
  EXPECT_EQ(f->parameters[1].annotation.transfer, Transfer::elements);
  EXPECT_EQ(f->parameters[1].annotation.count, named("n"));
  EXPECT_EQ(f->parameters[3].annotation.direction, Direction::out);
  EXPECT_EQ(describe(*f->parameters[1].type), "const double *");
  EXPECT_EQ(f->convention, CallingConvention::platformDefault);
}

TEST(Declaration, CallingConventionSpellings) {
  struct Case {
    const char* text;
    CallingConvention convention;
  };
  const Case cases[] = {
      {"int __stdcall f(int);", CallingConvention::stdCall},
      {"int _stdcall f(int);", CallingConvention::stdCall},
      {"int APIENTRY f(int);", CallingConvention::stdCall},
      {"int WINAPIV f(int, ...);", CallingConvention::cDecl},
      {"int _cdecl f(int);", CallingConvention::cDecl},
      {"int __fastcall f(int);", CallingConvention::fastCall},
      {"int __thiscall f(int);", CallingConvention::thisCall},
      {"int __attribute__((stdcall)) f(int);", CallingConvention::stdCall},
      {"int f(int) __attribute__((__stdcall__));", CallingConvention::stdCall},
      {"__declspec(dllimport) int __stdcall f(int);", CallingConvention::stdCall},
      {"extern \"C\" { extern int __cdecl f(int); }", CallingConvention::cDecl},
      {"int f(int);", CallingConvention::platformDefault},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(functionOf(c.text)->convention, c.convention) << c.text;
  }
}

TEST(Declaration, SalDirectionsAndKept) {
  auto f = functionOf(
      "typedef BOOL (CALLBACK* WNDENUMPROC)(HWND, LPARAM);"
      "void f(_Inout_updates_(count + 1) int *a, _In_z_ const char *s, _Out_writes_z_(n * 2) "
      "char *out, _Inout_updates_bytes_(n) void *raw, _In_ _Kept_ HANDLE event, "
      "_Kept_ WNDENUMPROC callback, _Out_opt_ int *maybe, int count, int n);\n");
  ASSERT_EQ(f->parameters.size(), 9u);
  EXPECT_EQ(f->parameters[0].annotation.direction, Direction::inout);
  EXPECT_EQ(toString(*f->parameters[0].annotation.count), "count + 1");
  EXPECT_EQ(f->parameters[1].annotation.transfer, Transfer::string);
  EXPECT_EQ(f->parameters[2].annotation.transfer, Transfer::string);
  EXPECT_EQ(f->parameters[2].annotation.direction, Direction::out);
  EXPECT_EQ(toString(*f->parameters[2].annotation.count), "n * 2");
  EXPECT_EQ(f->parameters[3].annotation.transfer, Transfer::bytes);
  EXPECT_TRUE(f->parameters[4].annotation.kept);
  EXPECT_EQ(f->parameters[4].annotation.sal, (std::vector<std::string>{"_In_", "_Kept_"}));
  EXPECT_TRUE(f->parameters[5].annotation.kept);
  EXPECT_TRUE(f->parameters[6].annotation.optional);
  EXPECT_EQ(f->parameters[6].annotation.direction, Direction::out);
  EXPECT_FALSE(f->parameters[7].annotation.optional);
}

TEST(Declaration, ResultAnnotations) {
  Declarations declarations = parseDeclarations(
      "_Ret_z_ const wchar_t *name(void);\n"
      "_Ret_maybenull_ HANDLE open(void);\n"
      "_Ret_writes_(*n) int *items(_Out_ int *n);\n");
  EXPECT_EQ(declarations.findFunction("name")->returnAnnotation.transfer, Transfer::string);
  EXPECT_TRUE(declarations.findFunction("open")->returnAnnotation.optional);
  const Annotation& items = declarations.findFunction("items")->returnAnnotation;
  EXPECT_EQ(items.transfer, Transfer::elements);
  EXPECT_EQ(toString(*items.count), "*n");
}

TEST(Declaration, StructsTypedefsEnumsAndDefines) {
  Declarations declarations = parseDeclarations(R"(
    #define MAX_NAME 16
    enum { kSlots = 2 * 3 };
    typedef enum { A = 1, B, C = B << 4 } Letter;
    struct P { int x, y; };
    typedef struct {
      char name[MAX_NAME + 1];
      struct P points[kSlots];
      Letter letter;
      _Field_size_(count) double *values;
      unsigned count;
    } Shape, *PShape;
    int draw(const Shape *shape, PShape out);
  )");
  EXPECT_EQ(declarations.findConstant("MAX_NAME"), 16);
  EXPECT_EQ(declarations.findConstant("B"), 2);
  EXPECT_EQ(declarations.findConstant("C"), 32);
  auto shape = declarations.findType("Shape");
  ASSERT_TRUE(shape);
  const Record& record = *shape->record;
  ASSERT_EQ(record.fields.size(), 5u);
  EXPECT_EQ(describe(*record.fields[0].type), "char[17]");
  EXPECT_EQ(describe(*record.fields[1].type), "struct P[6]");
  EXPECT_EQ(describe(*record.fields[2].type), "Letter");
  EXPECT_EQ(record.fields[3].annotation.count, named("count"));
  auto pshape = declarations.findType("PShape");
  EXPECT_EQ(describe(*pshape), "PShape");
  EXPECT_EQ(pshape->target->record, shape->record);
  Layout layout = layoutOf(*shape, Abi::win32);
  EXPECT_EQ(layout.fields[1].offset, 20u);  // after char[17], 4-aligned
  EXPECT_EQ(layout.fields[1].layout.size, 48u);
  EXPECT_EQ(layout.size, 80u);
  auto draw = declarations.function();
  EXPECT_EQ(draw->parameters[0].annotation.direction, Direction::in);
  EXPECT_EQ(draw->parameters[1].annotation.direction, Direction::inout);
  ASSERT_TRUE(declarations.findTag("P"));
}

TEST(Declaration, OpaqueAndSelfReferentialStructs) {
  Declarations declarations = parseDeclarations(R"(
    typedef struct Context Context;
    struct Node { int value; struct Node *next; };
    Context *create(void);
    void destroy(Context *context);
    int sum(const struct Node *list);
  )");
  auto destroy = declarations.findFunction("destroy");
  EXPECT_TRUE(destroy->parameters[0].type->isOpaquePointer());
  EXPECT_EQ(destroy->parameters[0].annotation.transfer, Transfer::opaque);
  EXPECT_EQ(declarations.findFunction("create")->returnAnnotation.transfer, Transfer::opaque);
  auto node = declarations.findTag("Node");
  EXPECT_EQ(layoutOf(*node, Abi::win64).size, 16u);
  EXPECT_EQ(layoutOf(*node, Abi::sysvI386).size, 8u);
  EXPECT_NE(errorOf([&] { layoutOf(*declarations.findType("Context"), Abi::win32); })
                .find("never defined"),
            std::string::npos);
}

TEST(Declaration, PredefinedTypeSizes) {
  Declarations declarations = parseDeclarations("");
  struct Case {
    const char* name;
    uint32_t win32, win64, sysvI386, sysvX64;
  };
  const Case cases[] = {
      {"DWORD", 4, 4, 4, 4},     {"LONG", 4, 4, 4, 4},      {"BOOL", 4, 4, 4, 4},
      {"WCHAR", 2, 2, 2, 2},     {"ULONG_PTR", 4, 8, 4, 8}, {"SIZE_T", 4, 8, 4, 8},
      {"LPARAM", 4, 8, 4, 8},    {"size_t", 4, 8, 4, 8},    {"int64_t", 8, 8, 8, 8},
      {"BYTE", 1, 1, 1, 1},      {"ATOM", 2, 2, 2, 2},      {"DWORD64", 8, 8, 8, 8},
  };
  for (const Case& c : cases) {
    auto type = declarations.findType(c.name);
    ASSERT_TRUE(type) << c.name;
    EXPECT_EQ(layoutOf(*type, Abi::win32).size, c.win32) << c.name;
    EXPECT_EQ(layoutOf(*type, Abi::win64).size, c.win64) << c.name;
    EXPECT_EQ(layoutOf(*type, Abi::sysvI386).size, c.sysvI386) << c.name;
    EXPECT_EQ(layoutOf(*type, Abi::sysvX64).size, c.sysvX64) << c.name;
  }
  auto f = functionOf("void f(wchar_t c);");  // keeps the parameter's type alive
  const Type* wchar = f->parameters[0].type;
  EXPECT_EQ(integerSize(*wchar, Abi::win32), 2u);
  EXPECT_FALSE(isSignedInteger(*wchar, Abi::win32));
  EXPECT_EQ(integerSize(*wchar, Abi::sysvX64), 4u);
  EXPECT_TRUE(isSignedInteger(*wchar, Abi::sysvX64));
  EXPECT_EQ(declarations.findType("HWND")->handle, HandleKind::window);
  EXPECT_EQ(declarations.findType("HGDIOBJ")->handle, HandleKind::window);
  EXPECT_EQ(declarations.findType("HANDLE")->handle, HandleKind::kernel);
  EXPECT_EQ(declarations.findType("HINSTANCE")->handle, HandleKind::module);
  EXPECT_TRUE(declarations.findType("LPVOID")->isOpaquePointer());
}

TEST(Declaration, SameTextGivesEqualDeclarations) {
  const char* text = R"(
    typedef struct Node { struct Node *next; double value; } Node;
    typedef int (CALLBACK *Visit)(_In_ const Node *node, void *context);
    int walk(_In_opt_ Node *first, Visit visit, _Kept_ void *context);
  )";
  Declarations first = parseDeclarations(text);
  Declarations second = parseDeclarations(text);
  EXPECT_TRUE(first == second);
  EXPECT_FALSE(first == parseDeclarations("int walk(int);"));
  // Copies share the parse, and a function handed out keeps it alive on its own.
  std::shared_ptr<const Signature> walk;
  {
    Declarations copy = first;
    walk = copy.function();
  }
  first = Declarations();
  second = Declarations();
  EXPECT_EQ(describe(*walk), "int walk(Node *first, Visit visit, void *context)");
}

TEST(Declaration, VoidParameterLists) {
  EXPECT_TRUE(functionOf("DWORD WINAPI GetLastError(VOID);")->parameters.empty());
  EXPECT_TRUE(functionOf("int f();")->parameters.empty());
  EXPECT_EQ(errorOf([] { parseDeclarations("int f(int a, void);"); }),
            "line 1, column 14: a parameter cannot be void");
}

TEST(Declaration, AnonymousMembersAndPackedAttribute) {
  auto s = parseDeclarations(R"(
    struct Variant {
      int kind;
      union { int i; double d; };
      struct { char tag; int n; } __attribute__((packed)) extra;
    };
  )").findTag("Variant");
  ASSERT_EQ(s->record->fields.size(), 3u);
  EXPECT_EQ(s->record->fields[1].name, "");
  Layout layout = layoutOf(*s, Abi::sysvI386);  // measured with gcc -m32: 20, 4, 4, 12
  EXPECT_EQ(layout.size, 20u);
  EXPECT_EQ(layout.fields[1].offset, 4u);
  EXPECT_EQ(layout.fields[2].offset, 12u);
  EXPECT_EQ(layoutOf(*s, Abi::win32).size, 24u);  // measured with i686-w64-mingw32-gcc
}

TEST(Declaration, NoiseIsIgnored) {
  auto f = functionOf(R"(
    // a comment
    /* a block
       comment */
    #include <windows.h>
    #pragma once
    WINBASEAPI __declspec(dllimport) extern const volatile int * __restrict
    WINAPI Noisy(IN const char * const p OPTIONAL, OUT DWORD FAR *q);
  )");
  EXPECT_EQ(f->name, "Noisy");
  EXPECT_EQ(describe(*f->parameters[0].type), "const char *const");
}

TEST(Declaration, ErrorsSayLineAndColumn) {
  EXPECT_EQ(errorOf([] { parseDeclarations("int f(int x,\n  FOO y);"); }),
            "line 2, column 3: unknown type 'FOO'");
  EXPECT_EQ(errorOf([] { parseDeclarations("int f(int x;"); }),
            "line 1, column 12: expected ',' or ')', found ';'");
  EXPECT_EQ(errorOf([] { parseDeclarations("struct S { double d : 3; };"); }),
            "line 1, column 19: bit-field 'd' has the type double: a bit-field is an integer, "
            "an enumeration or bool");
  EXPECT_EQ(errorOf([] { parseDeclarations("struct S { int a : 0; };"); }),
            "line 1, column 20: bit-field 'a' has zero width: only an unnamed bit-field may "
            "(`int : 0;`)");
  EXPECT_EQ(errorOf([] { parseDeclarations("struct S { int a : 65; };"); }),
            "line 1, column 20: bit-field 'a' is 65 bits wide; expected 0 to 64");
  // Whether it fits its type depends on the ABI: `long` is 64 bits only on Linux x86-64.
  EXPECT_EQ(errorOf([] { parseDeclarations("struct S { long a : 40; };"); }),
            "line 1, column 1: bit-field 'a' of struct S is 40 bits wide, wider than its type "
            "(32 bits in win32)");
  ParseOptions linux64;
  linux64.abi = Abi::sysvX64;
  EXPECT_NO_THROW(parseDeclarations("struct S { long a : 40; };", linux64));
  EXPECT_EQ(errorOf([] { parseDeclarations("int x : 3;"); }),
            "line 1, column 7: a bit-field outside a struct or union");
  EXPECT_NE(errorOf([] { parseDeclarations("long double f(void);"); }).find("long double"),
            std::string::npos);
  EXPECT_EQ(errorOf([] { parseDeclarations("void f(_In_reads_(m) int *a, int n);"); }),
            "line 1, column 8: the size names 'm', which is not a parameter");
  EXPECT_EQ(errorOf([] { parseDeclarations("void f(_Out_ int n);"); }),
            "line 1, column 8: _Out_ needs a pointer, and the type is int");
  EXPECT_EQ(errorOf([] { parseDeclarations("int x;"); }),
            "line 1, column 5: 'x' is a variable of type int: only functions and types can be "
            "declared");
  EXPECT_EQ(errorOf([] { parseDeclarations("void f(_Wobbly_ int n);"); }),
            "line 1, column 8: unknown annotation '_Wobbly_'");
  EXPECT_EQ(errorOf([] { parseDeclarations("#ifdef X\nvoid f(void);\n#endif"); }),
            "line 1, column 2: preprocessor conditionals (#ifdef) are not supported: give the "
            "declarations without them");
  EXPECT_EQ(errorOf([] { parseDeclarations("struct __attribute__((ms_struct)) S { int a; };"); }),
            "line 1, column 23: attribute 'ms_struct' is not supported");
  EXPECT_EQ(errorOf([] { parseDeclarations("int f(void) int g(void);"); }),
            "line 1, column 13: expected ',' or ';', found 'int'");
  EXPECT_EQ(errorOf([] { parseDeclarations("").function(); }),
            "the declarations declare no function");
}

TEST(Declaration, HostileTextFailsCleanly) {
  EXPECT_EQ(errorOf([] { parseDeclarations("int f(void); /* never closed"); }),
            "line 1, column 14: unterminated comment");
  EXPECT_EQ(errorOf([] { parseDeclarations("extern \"C"); }),
            "line 1, column 8: unterminated string");
  EXPECT_EQ(errorOf([] { parseDeclarations("int f(char c = 'a);"); }),
            "line 1, column 16: unterminated character");
  EXPECT_EQ(errorOf([] { parseDeclarations("int f(int @);"); }),
            "line 1, column 11: unexpected character '@'");
  std::string deepParentheses = "int " + std::string(100, '(') + "f" + std::string(100, ')') +
                                "(void);";
  EXPECT_NE(errorOf([&] { parseDeclarations(deepParentheses); }).find("nesting deeper than 64"),
            std::string::npos);
  std::string deepStructs;
  for (int i = 0; i < 100; ++i) deepStructs += "struct { ";
  deepStructs += "int x;";
  for (int i = 0; i < 100; ++i) deepStructs += " } f" + std::to_string(i) + ";";
  EXPECT_NE(errorOf([&] { parseDeclarations(deepStructs); }).find("nesting deeper"),
            std::string::npos);
  std::string deepTypedefs = "typedef int T0;";
  for (int i = 1; i < 200; ++i) {
    deepTypedefs += "typedef T" + std::to_string(i - 1) + " *T" + std::to_string(i) + ";";
  }
  EXPECT_NE(errorOf([&] { parseDeclarations(deepTypedefs); }).find("type nested deeper"),
            std::string::npos);
  std::string deepNegation = "enum { A = " + std::string(1000, '-') + "1 };";
  EXPECT_NE(errorOf([&] { parseDeclarations(deepNegation); }).find("nesting deeper"),
            std::string::npos);
  EXPECT_EQ(errorOf([] { parseDeclarations("struct Big { char a[1000000][1000000]; };"); }),
            "line 1, column 1: char[1000000][1000000] is larger than the 256 MiB limit");
  EXPECT_NE(errorOf([] { parseDeclarations("struct Big { double a[20000000]; double b[20000000]; };"); })
                .find("more than the 256 MiB limit"),
            std::string::npos);
  EXPECT_NE(errorOf([] { parseDeclarations("enum { A = 9223372036854775807 + 1 };"); })
                .find("overflows"),
            std::string::npos);
  EXPECT_NE(errorOf([] { parseDeclarations(std::string(kMaxDeclarationTextBytes + 1, ' ')); })
                .find("limit"),
            std::string::npos);
  // Every prefix of a valid text fails cleanly or parses: no crash, no hang.
  std::string text =
      "typedef BOOL (CALLBACK* P)(HWND, LPARAM); #pragma pack(push, 2)\n"
      "struct S { char c; double d[2]; union { int i; float f; } u; };\n#pragma pack(pop)\n"
      "int WINAPI f(_Out_writes_to_(n, *m) struct S *s, int n, int *m, P p, ...);";
  for (size_t length = 0; length <= text.size(); ++length) {
    try {
      parseDeclarations(text.substr(0, length));
    } catch (const Error& error) {
      EXPECT_EQ(error.kind(), Error::Kind::invalidArgument);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Layout

// Structs whose layout differs between the ABIs, with the numbers real compilers gave. Measured
// with `gcc -m32` (sysvI386), `gcc` (sysvX64), `i686-w64-mingw32-gcc` (win32) and
// `x86_64-w64-mingw32-gcc` (win64) on this text (plus #include <stddef.h> and <wchar.h>),
// compiling `long values[] = {sizeof(struct A), _Alignof(struct A), offsetof(struct A, d), ...};`
// with -S and reading the constants. MSVC agrees with MinGW on all of these.
constexpr const char* kMeasuredStructs = R"(
  struct A { char c; double d; };
  struct B { int i; long long ll; char c; };
  struct C { char c; short s; double d; int i; };
  union U { char c[5]; double d; };
  struct N { char c; struct A a; char tail; };
  #pragma pack(push, 1)
  struct P1 { char c; double d; int i; };
  #pragma pack(pop)
  #pragma pack(push, 2)
  struct P2 { char c; double d; char e; };
  #pragma pack(pop)
  struct Q { char c; void* p; long l; };
  struct W { char c; wchar_t w; };
  struct __attribute__((packed)) S { char c; int i; };
  struct Arr { char c; double d[3]; short s; };
  struct F { char c; float f; long long x; };
  #pragma pack(4)
  struct P4 { char c; double d; };
  #pragma pack()
  struct AfterPack { char c; double d; };
  union V { char c[9]; long long x; };
  enum Color { red, green };
  struct G { _Bool b; enum Color c; short s; };
  struct H { char c; union V v; };
)";

// The four numbers of one measurement, in the order sysvI386, sysvX64, win32, win64.
using PerAbi = std::array<uint64_t, 4>;
constexpr Abi kMeasuredAbis[] = {Abi::sysvI386, Abi::sysvX64, Abi::win32, Abi::win64};

struct MeasuredStruct {
  const char* tag;
  PerAbi size, alignment;
  std::vector<std::pair<const char*, PerAbi>> offsets;
};

const MeasuredStruct kMeasured[] = {
    {"A", {12, 16, 16, 16}, {4, 8, 8, 8}, {{"d", {4, 8, 8, 8}}}},
    {"B", {16, 24, 24, 24}, {4, 8, 8, 8}, {{"ll", {4, 8, 8, 8}}, {"c", {12, 16, 16, 16}}}},
    {"C", {16, 24, 24, 24}, {4, 8, 8, 8},
     {{"s", {2, 2, 2, 2}}, {"d", {4, 8, 8, 8}}, {"i", {12, 16, 16, 16}}}},
    {"U", {8, 8, 8, 8}, {4, 8, 8, 8}, {{"d", {0, 0, 0, 0}}}},
    {"N", {20, 32, 32, 32}, {4, 8, 8, 8}, {{"a", {4, 8, 8, 8}}, {"tail", {16, 24, 24, 24}}}},
    {"P1", {13, 13, 13, 13}, {1, 1, 1, 1}, {{"d", {1, 1, 1, 1}}, {"i", {9, 9, 9, 9}}}},
    {"P2", {12, 12, 12, 12}, {2, 2, 2, 2}, {{"d", {2, 2, 2, 2}}, {"e", {10, 10, 10, 10}}}},
    {"Q", {12, 24, 12, 24}, {4, 8, 4, 8}, {{"p", {4, 8, 4, 8}}, {"l", {8, 16, 8, 16}}}},
    {"W", {8, 8, 4, 4}, {4, 4, 2, 2}, {{"w", {4, 4, 2, 2}}}},
    {"S", {5, 5, 5, 5}, {1, 1, 1, 1}, {{"i", {1, 1, 1, 1}}}},
    {"Arr", {32, 40, 40, 40}, {4, 8, 8, 8}, {{"d", {4, 8, 8, 8}}, {"s", {28, 32, 32, 32}}}},
    {"F", {16, 16, 16, 16}, {4, 8, 8, 8}, {{"f", {4, 4, 4, 4}}, {"x", {8, 8, 8, 8}}}},
    {"P4", {12, 12, 12, 12}, {4, 4, 4, 4}, {{"d", {4, 4, 4, 4}}}},
    {"AfterPack", {12, 16, 16, 16}, {4, 8, 8, 8}, {{"d", {4, 8, 8, 8}}}},
    {"V", {12, 16, 16, 16}, {4, 8, 8, 8}, {{"x", {0, 0, 0, 0}}}},
    {"G", {12, 12, 12, 12}, {4, 4, 4, 4}, {{"c", {4, 4, 4, 4}}, {"s", {8, 8, 8, 8}}}},
    {"H", {16, 24, 24, 24}, {4, 8, 8, 8}, {{"v", {4, 8, 8, 8}}}},
};

TEST(Layout, MatchesMeasuredCompilers) {
  Declarations declarations = parseDeclarations(kMeasuredStructs);
  for (const MeasuredStruct& measured : kMeasured) {
    auto type = declarations.findTag(measured.tag);
    ASSERT_TRUE(type) << measured.tag;
    for (size_t abi = 0; abi < 4; ++abi) {
      SCOPED_TRACE(std::string(measured.tag) + " in " + std::string(toString(kMeasuredAbis[abi])));
      Layout layout = layoutOf(*type, kMeasuredAbis[abi]);
      EXPECT_EQ(layout.size, measured.size[abi]);
      EXPECT_EQ(layout.alignment, measured.alignment[abi]);
      for (const auto& [field, offsets] : measured.offsets) {
        auto placed =
            std::find_if(layout.fields.begin(), layout.fields.end(),
                         [&, &field = field](const FieldLayout& f) { return f.name == field; });
        ASSERT_NE(placed, layout.fields.end()) << field;
        EXPECT_EQ(placed->offset, offsets[abi]) << field;
      }
    }
  }
}

TEST(Layout, NestedFieldsCarryTheirOwnLayout) {
  auto n = parseDeclarations(kMeasuredStructs).findTag("N");
  Layout layout = layoutOf(*n, Abi::sysvI386);
  ASSERT_EQ(layout.fields.size(), 3u);
  EXPECT_EQ(layout.fields[1].name, "a");
  ASSERT_EQ(layout.fields[1].layout.fields.size(), 2u);
  EXPECT_EQ(layout.fields[1].layout.fields[1].offset, 4u);  // A.d inside N.a
}

TEST(Layout, ScalarsAndPointers) {
  auto f = functionOf("void f(double d, long long ll, void *p, HWND w, bool b, float x);");
  // As struct members: the i386 System V ABI aligns 8-byte scalars to 4 (GCC's _Alignof says
  // 4 too; only its __alignof__, the preferred alignment, says 8).
  EXPECT_EQ(layoutOf(*f->parameters[0].type, Abi::sysvI386), (Layout{8, 4, 0, {}}));
  EXPECT_EQ(layoutOf(*f->parameters[0].type, Abi::win32), (Layout{8, 8, 0, {}}));
  EXPECT_EQ(layoutOf(*f->parameters[1].type, Abi::sysvI386), (Layout{8, 4, 0, {}}));
  EXPECT_EQ(layoutOf(*f->parameters[2].type, Abi::win32), (Layout{4, 4, 0, {}}));
  EXPECT_EQ(layoutOf(*f->parameters[2].type, Abi::sysvX64), (Layout{8, 8, 0, {}}));
  EXPECT_EQ(layoutOf(*f->parameters[3].type, Abi::win64), (Layout{8, 8, 0, {}}));
  EXPECT_EQ(layoutOf(*f->parameters[4].type, Abi::win64), (Layout{1, 1, 0, {}}));
  EXPECT_EQ(layoutOf(*f->parameters[5].type, Abi::win64), (Layout{4, 4, 0, {}}));
  EXPECT_NE(errorOf([&] { layoutOf(*f->parameters[2].type->target, Abi::win32); })
                .find("void has no size"),
            std::string::npos);
}

// ---------------------------------------------------------------------------------------------
// Size expressions

TEST(Declaration, SizeExpressionsEvaluateWithChecks) {
  auto f = functionOf("void f(_In_reads_((a + 2) * b - 1) int *p, int a, int b);");
  const SizeExpression& size = *f->parameters[0].annotation.count;
  EXPECT_EQ(toString(size), "((a + 2) * b) - 1");
  std::map<std::string, int64_t, std::less<>> values = {{"a", 3}, {"b", 4}};
  auto lookup = [&](std::string_view name, bool) { return values.find(name)->second; };
  EXPECT_EQ(evaluate(size, lookup), 19);
  values["b"] = std::numeric_limits<int64_t>::max();
  EXPECT_NE(errorOf([&] { evaluate(size, lookup); }).find("overflows"), std::string::npos);
  SizeExpression division{SizeExpression::Op::divide, 0, {}, {constant(1), constant(0)}};
  EXPECT_NE(errorOf([&] { evaluate(division, lookup); }).find("divides by zero"),
            std::string::npos);
}

// ---------------------------------------------------------------------------------------------
// Literals

TEST(Literal, ParsesScalars) {
  EXPECT_EQ(parseLiteral("42"), Value(42));
  EXPECT_EQ(parseLiteral("-42"), Value(-42));
  EXPECT_EQ(parseLiteral("0x1F"), Value(31));
  EXPECT_EQ(parseLiteral("017"), Value(15));
  EXPECT_EQ(parseLiteral("0b101"), Value(5));
  EXPECT_EQ(parseLiteral("10u").kind(), Value::Kind::unsignedInteger);
  EXPECT_EQ(parseLiteral("10ull"), Value(10u));
  EXPECT_EQ(parseLiteral("18446744073709551615"), Value(std::numeric_limits<uint64_t>::max()));
  EXPECT_EQ(parseLiteral("-9223372036854775808"), Value(std::numeric_limits<int64_t>::min()));
  EXPECT_EQ(parseLiteral("1.5"), Value(1.5));
  EXPECT_EQ(parseLiteral("1e-3"), Value(1e-3));
  EXPECT_EQ(parseLiteral("-2."), Value(-2.0));
  EXPECT_EQ(parseLiteral(".5f"), Value(0.5));
  EXPECT_EQ(parseLiteral("0x1p-3"), Value(0.125));
  EXPECT_EQ(parseLiteral("inf"), Value(std::numeric_limits<double>::infinity()));
  EXPECT_EQ(parseLiteral("-inf"), Value(-std::numeric_limits<double>::infinity()));
  EXPECT_TRUE(std::isnan(parseLiteral("nan").asDouble()));
  EXPECT_EQ(parseLiteral(" true "), Value(true));
  EXPECT_EQ(parseLiteral("false"), Value(false));
  EXPECT_EQ(parseLiteral("NULL"), Value());
  EXPECT_EQ(parseLiteral("nullptr"), Value(nullptr));
  EXPECT_EQ(parseLiteral("'a'"), Value(97));
  EXPECT_EQ(parseLiteral("'\\n'"), Value(10));
  EXPECT_EQ(parseLiteral("L'\\u00e9'"), Value(0xe9));
}

TEST(Literal, ParsesStringsWithEscapes) {
  EXPECT_EQ(parseLiteral(R"("a\n\t\\\"b")"), Value("a\n\t\\\"b"));
  EXPECT_EQ(parseLiteral(R"("\x41\101\0z")"), Value(std::string("AA\0z", 4)));
  EXPECT_EQ(parseLiteral(R"("caf\u00e9 \U0001F600")"), Value("caf\xc3\xa9 \xf0\x9f\x98\x80"));
  EXPECT_EQ(parseLiteral(R"("con" L"cat" "enated")"), Value("concatenated"));
  EXPECT_EQ(parseLiteral("\"d\xc3\xa9j\xc3\xa0\""), Value("d\xc3\xa9j\xc3\xa0"));
}

TEST(Literal, ParsesInitializers) {
  EXPECT_EQ(parseLiteral("{1, 2, 3}"), Value(std::vector<Value>{1, 2, 3}));
  EXPECT_EQ(parseLiteral("{ {1.5, \"x\"}, {}, }"),
            Value(std::vector<Value>{Value(std::vector<Value>{1.5, "x"}),
                                     Value(std::vector<Value>{})}));
  Value point = parseLiteral("{.x = 1, .y = -2}");
  ASSERT_TRUE(point.isStruct());
  EXPECT_EQ(point.field("x"), Value(1));
  EXPECT_EQ(point[1], Value(-2));
}

TEST(Literal, ErrorsSayTheColumn) {
  EXPECT_EQ(errorOf([] { parseLiteral("{1, 2"); }),
            "column 6: expected ',' or '}', found end of input");
  EXPECT_EQ(errorOf([] { parseLiteral("{1 2}"); }), "column 4: expected ',' or '}', found '2'");
  EXPECT_EQ(errorOf([] { parseLiteral("hello"); }), "column 1: expected a literal, found 'hello'");
  EXPECT_EQ(errorOf([] { parseLiteral("\"abc"); }), "column 1: unterminated string");
  EXPECT_EQ(errorOf([] { parseLiteral("\"\\q\""); }), "column 2: unknown escape '\\q'");
  EXPECT_EQ(errorOf([] { parseLiteral("0x"); }), "column 1: a number without digits");
  EXPECT_EQ(errorOf([] { parseLiteral("18446744073709551616"); }),
            "column 1: the number does not fit in 64 bits");
  EXPECT_EQ(errorOf([] { parseLiteral("1e999"); }), "column 1: '1e999' is too large for a double");
  EXPECT_EQ(errorOf([] { parseLiteral("1 2"); }),
            "column 3: expected the end of the literal, found '2'");
  EXPECT_EQ(errorOf([] { parseLiteral("{.x = 1, 2}"); }),
            "column 10: expected '.name = ', as the other elements have names, found '2'");
  EXPECT_NE(errorOf([] { parseLiteral(std::string(100, '{')); }).find("nested deeper"),
            std::string::npos);
}

TEST(Literal, PrintsLikeC) {
  EXPECT_EQ(toLiteral(Value(42)), "42");
  EXPECT_EQ(toLiteral(Value(-7)), "-7");
  EXPECT_EQ(toLiteral(Value(std::numeric_limits<uint64_t>::max())), "18446744073709551615");
  EXPECT_EQ(toLiteral(Value(2.0)), "2");
  EXPECT_EQ(toLiteral(Value(0.1)), "0.1");
  EXPECT_EQ(toLiteral(Value(1e100)), "1e+100");
  EXPECT_EQ(toLiteral(Value(-0.0)), "-0.0");
  EXPECT_EQ(toLiteral(Value(std::numeric_limits<double>::infinity())), "inf");
  EXPECT_EQ(toLiteral(Value(std::numeric_limits<double>::quiet_NaN())), "nan");
  EXPECT_EQ(toLiteral(Value()), "NULL");
  EXPECT_EQ(toLiteral(Value(true)), "true");
  EXPECT_EQ(toLiteral(Value("say \"hi\"\n\t\\")), R"("say \"hi\"\n\t\\")");
  // An escaped control byte followed by a digit: octal escapes stop after three digits.
  EXPECT_EQ(toLiteral(Value(std::string("\x01" "2", 2))), R"("\0012")");
  EXPECT_EQ(toLiteral(Value("caf\xc3\xa9")), "\"caf\xc3\xa9\"");
  EXPECT_EQ(toLiteral(Value("bad \xff\xc3")), R"("bad \377\303")");
  EXPECT_EQ(toLiteral(Value(std::vector<Value>{1, "a", Value()})), R"({1, "a", NULL})");
  EXPECT_EQ(toLiteral(Value(std::vector<Value::Field>{{"x", 1}, {"y", 2.5}})),
            "{.x = 1, .y = 2.5}");
  EXPECT_EQ(toLiteral(Value(Value::Handle{0x1234, Value::HandleKind::window})), "0x1234");
}

TEST(Literal, DoublesRoundTrip) {
  const double doubles[] = {0.0, -0.0, 0.1, 1.0 / 3, 2.0, 1e300, -1e-300, 1e100,
                            std::numeric_limits<double>::denorm_min(),
                            -std::numeric_limits<double>::denorm_min() * 12345,
                            std::numeric_limits<double>::min(),
                            std::numeric_limits<double>::max(),
                            std::numeric_limits<double>::lowest(),
                            std::numeric_limits<double>::epsilon(), 123456789.125, 9007199254740993.0,
                            std::numeric_limits<double>::infinity(),
                            -std::numeric_limits<double>::infinity(),
                            std::numeric_limits<double>::quiet_NaN()};
  // Read back where a double is expected: "2" is the integer 2, which a double holds exactly.
  for (double d : doubles) {
    Value value(d);
    double back = parseLiteral(toLiteral(value)).asDouble();
    EXPECT_EQ(std::bit_cast<uint64_t>(back), std::bit_cast<uint64_t>(d)) << toLiteral(value);
  }
}

TEST(Literal, ValuesRoundTrip) {
  std::string allBytes;
  for (int byte = 0; byte < 256; ++byte) allBytes += char(byte);
  const Value values[] = {
      Value(), Value(false), Value(std::numeric_limits<int64_t>::min()),
      Value(std::numeric_limits<uint64_t>::max()), Value(allBytes),
      Value("\xe2\x82\xac \xf0\x9f\x98\x80 \xed\xa0\x80 (a surrogate: not UTF-8)"),
      Value(std::vector<Value>{1, Value(std::vector<Value>{2.5, "x"}), Value()}),
      Value(std::vector<Value::Field>{{"a", 1}, {"b", Value(std::vector<Value>{})}}),
  };
  for (const Value& value : values) {
    EXPECT_EQ(parseLiteral(toLiteral(value)), value) << toLiteral(value);
  }
}

// ---------------------------------------------------------------------------------------------
// Coercion to declared types

class Coerce : public ::testing::Test {
 protected:
  Declarations declarations = parseDeclarations(R"(
    struct P { int x, y; };
    union Number { int i; double d; };
    typedef enum { red, green } Color;
    void f(uint8_t u8, int8_t i8, unsigned int u, double d, float fl, bool b, const char *s,
           const double *values, int pair[2], struct P p, HWND window, void *opaque, Color c,
           union Number n, int (*callback)(int), uint64_t u64, char name[4]);
  )");
  std::shared_ptr<const Signature> f = declarations.function();

  const Type& type(size_t index) const { return *f->parameters[index].type; }
};

TEST_F(Coerce, IntegersWithinRange) {
  EXPECT_EQ(coerce(Value(255), type(0), Abi::win32), Value(255u));
  EXPECT_EQ(coerce(Value(255), type(0), Abi::win32).kind(), Value::Kind::unsignedInteger);
  EXPECT_EQ(errorOf([&] { coerce(Value(300), type(0), Abi::win32); }),
            "300 does not fit in uint8_t (0 to 255)");
  EXPECT_EQ(errorOf([&] { coerce(Value(-129), type(1), Abi::win32); }),
            "-129 does not fit in int8_t (-128 to 127)");
  EXPECT_EQ(errorOf([&] { coerce(Value(-1), type(2), Abi::win32); }),
            "-1 does not fit in unsigned int (0 to 4294967295)");
  EXPECT_EQ(errorOf([&] { coerce(Value(1.5), type(2), Abi::win32); }),
            "expected an integer for unsigned int, got 1.5");
  EXPECT_EQ(coerce(Value(std::numeric_limits<uint64_t>::max()), type(15), Abi::win32),
            Value(std::numeric_limits<uint64_t>::max()));
  EXPECT_EQ(coerce(Value(true), type(2), Abi::win32), Value(1u));
}

TEST(Declaration, TextAfterDeclarationsUsesTheirTypesWithoutParsingThemAgain) {
  Declarations header = parseDeclarations(
      "typedef struct Point { int x, y; } Point; struct Opaque; enum { kLimit = 7 };"
      "void move(Point* p); void use(struct Opaque* o);");
  ParseOptions after;
  after.base = &header;
  Declarations more = parseDeclarations(
      "struct Opaque { int inside; }; int sum(_In_reads_(kLimit) const Point* points);", after);
  // The very types of the base: shared, not made again from its text.
  auto sum = more.findFunction("sum");
  ASSERT_TRUE(sum);
  EXPECT_EQ(sum->parameters[0].type->target->record, header.findTag("Point")->record);
  EXPECT_EQ(toString(*sum->parameters[0].annotation.count), "7");
  EXPECT_EQ(more.functions().size(), 3u);
  EXPECT_EQ(more.findFunction("move"), header.findFunction("move"));
  // The base stays as it was: its struct Opaque is still incomplete, the new one is defined.
  EXPECT_FALSE(header.findTag("Opaque")->record->isComplete);
  EXPECT_TRUE(header.findFunction("use")->parameters[0].type->isOpaquePointer());
  EXPECT_TRUE(more.findTag("Opaque")->record->isComplete);
  // And the result outlives the base it was parsed after.
  std::shared_ptr<const Signature> kept;
  {
    Declarations base = parseDeclarations("struct Q { double d; };");
    after.base = &base;
    kept = parseDeclarations("double q(struct Q q);", after).findFunction("q");
  }
  EXPECT_EQ(layoutOf(*kept->parameters[0].type, Abi::win32).size, 8u);
}

TEST(CoerceBitFields, UnnamedBitFieldsTakeNoValueAsInC) {
  // As in C's initializers: {1, 2} sets a and b, passing over the unnamed padding between.
  Declarations declarations = parseDeclarations("struct S { int a : 3; int : 5; int : 0; int b; };");
  const Type& s = *declarations.findTag("S");
  EXPECT_EQ(coerce(parseLiteral("{1, 2}"), s, Abi::win32),
            Value(std::vector<Value::Field>{{"a", 1}, {"b", 2}}));
  EXPECT_EQ(coerce(parseLiteral("{.b = 2, .a = 1}"), s, Abi::sysvI386),
            Value(std::vector<Value::Field>{{"a", 1}, {"b", 2}}));
  EXPECT_EQ(errorOf([&] { coerce(parseLiteral("{1, 2, 3}"), s, Abi::win32); }),
            "expected 2 elements for struct S, got {1, 2, 3}");
}

TEST_F(Coerce, FloatingAndBool) {
  EXPECT_EQ(coerce(Value(3), type(3), Abi::win32), Value(3.0));
  EXPECT_EQ(errorOf([&] { coerce(Value(1e300), type(4), Abi::win32); }),
            "1e+300 does not fit in float");
  EXPECT_EQ(errorOf([&] { coerce(Value("x"), type(3), Abi::win32); }),
            "expected a number for double, got \"x\"");
  EXPECT_EQ(coerce(Value(1), type(5), Abi::win32), Value(true));
  EXPECT_EQ(errorOf([&] { coerce(Value(2), type(5), Abi::win32); }),
            "expected true or false for bool, got 2");
}

TEST_F(Coerce, PointersArraysAndStructs) {
  EXPECT_EQ(coerce(Value("hi"), type(6), Abi::win32), Value("hi"));
  EXPECT_EQ(coerce(Value(), type(6), Abi::win32), Value());
  EXPECT_EQ(coerce(parseLiteral("{1, 2.5}"), type(7), Abi::win32),
            Value(std::vector<Value>{1.0, 2.5}));
  // A parameter `int pair[2]` is a pointer in C: any count passes here.
  EXPECT_EQ(coerce(parseLiteral("{1, 2, 3}"), type(8), Abi::win32).size(), 3u);
  Value p = coerce(parseLiteral("{1, 2}"), type(9), Abi::win32);
  EXPECT_EQ(p, Value(std::vector<Value::Field>{{"x", 1}, {"y", 2}}));
  EXPECT_EQ(coerce(parseLiteral("{.y = 2, .x = 1}"), type(9), Abi::win32), p);
  EXPECT_EQ(errorOf([&] { coerce(parseLiteral("{1}"), type(9), Abi::win32); }),
            "expected 2 elements for struct P, got {1}");
  EXPECT_EQ(errorOf([&] { coerce(parseLiteral("{.z = 1}"), type(9), Abi::win32); }),
            "struct P has no field 'z'");
  EXPECT_EQ(coerce(parseLiteral("{.d = 2}"), type(13), Abi::win32),
            Value(std::vector<Value::Field>{{"d", 2.0}}));
  EXPECT_EQ(errorOf([&] { coerce(Value(1), type(14), Abi::win32); }),
            "expected NULL (a callback cannot be a literal) for int (*)(int), got 1");
}

TEST_F(Coerce, HandlesEnumsAndFixedArrays) {
  Value window = coerce(Value(0x10010), type(10), Abi::win64);
  EXPECT_EQ(window.asHandle(), (Value::Handle{0x10010, Value::HandleKind::window}));
  EXPECT_EQ(coerce(Value(0x1000), type(11), Abi::win64).asHandle().kind,
            Value::HandleKind::pointer);
  EXPECT_EQ(coerce(Value(1), type(12), Abi::win32), Value(1));
  auto shape = parseDeclarations("typedef struct { int v[3]; char name[4]; } S;").findType("S");
  EXPECT_EQ(errorOf([&] { coerce(parseLiteral("{{1, 2}, \"ab\"}"), *shape, Abi::win32); }),
            "expected 3 elements for int[3], got {1, 2}");
  EXPECT_EQ(errorOf([&] { coerce(parseLiteral("{{1, 2, 3}, \"abcde\"}"), *shape, Abi::win32); }),
            "expected a string of at most 4 bytes for char[4], got \"abcde\"");
}

// ---------------------------------------------------------------------------------------------
// Value

TEST(Value, AccessorsConvertOrExplain) {
  EXPECT_EQ(Value(5u).asInt64(), 5);
  EXPECT_EQ(Value(5).asUint64(), 5u);
  EXPECT_EQ(Value(5).asDouble(), 5.0);
  EXPECT_EQ(Value(uint8_t(200)).kind(), Value::Kind::unsignedInteger);
  EXPECT_EQ(Value('a').kind(), Value::Kind::signedInteger);
  EXPECT_EQ(errorOf([] { Value(-1).asUint64(); }),
            "expected an integer from 0 to 2^64-1, got integer -1");
  EXPECT_EQ(errorOf([] { Value("text").asBool(); }), "expected a bool, got string \"text\"");
  EXPECT_EQ(errorOf([] { Value(int64_t(9007199254740993)).asDouble(); }),
            "expected a floating-point number, got integer 9007199254740993");
  EXPECT_EQ(errorOf([] { Value(std::vector<Value>{1})[1]; }), "element 1 of a value with 1");
  EXPECT_TRUE(Value(5) == Value(5u));
  EXPECT_FALSE(Value(-1) == Value(std::numeric_limits<uint64_t>::max()));
  EXPECT_FALSE(Value(0.0) == Value(-0.0));
  EXPECT_FALSE(Value(1) == Value(1.0));
}

TEST(Value, ArraysOfNumbersAreHeldAsTheirBytes) {
  std::vector<double> doubles = {1.5, -0.0, 3};
  Value typed(doubles);
  ASSERT_TRUE(typed.isTypedArray());
  EXPECT_TRUE(typed.isArray());
  EXPECT_EQ(typed.size(), 3u);
  const auto& array = *typed.asTypedArray();
  EXPECT_EQ(array.type(), ElementType::float64);
  EXPECT_EQ(array.bytes().size(), 24u);
  EXPECT_EQ(array.as<double>()[2], 3.0);
  EXPECT_EQ(errorOf([&] { array.as<float>(); }), "expected an array of float, got one of double");
  // The same array as the Values it holds: equal, element by element, in either form.
  EXPECT_EQ(typed, Value(std::vector<Value>{1.5, -0.0, 3.0}));
  EXPECT_NE(typed, Value(std::vector<Value>{1.5, 0.0, 3.0}));
  EXPECT_EQ(typed[1], Value(-0.0));
  EXPECT_EQ(typed.asArray().size(), 3u);
  // Integers keep their sign and width; copies share the bytes.
  Value bytes(std::vector<uint8_t>{0, 255});
  EXPECT_EQ(bytes, Value(std::vector<Value>{0, 255}));
  EXPECT_EQ(bytes[1].kind(), Value::Kind::unsignedInteger);
  Value negative(std::vector<int16_t>{-2});
  EXPECT_EQ(negative[0].asInt64(), -2);
  EXPECT_NE(Value(std::vector<int32_t>{1, 2}), Value(std::vector<int32_t>{1, 3}));
  EXPECT_EQ(Value(std::vector<int32_t>{1, 2}), Value(std::vector<int64_t>{1, 2}));  // as numbers
  Value copy = typed;
  EXPECT_EQ(copy.asTypedArray().get(), typed.asTypedArray().get());
  EXPECT_EQ(errorOf([] { Value(ElementType::int32, std::vector<std::byte>(6)); }),
            "an array of int32_t of 6 bytes, not a whole number of elements");
  EXPECT_EQ(errorOf([] { Value(std::vector<Value>{1}).asTypedArray(); }).substr(0, 40),
            "expected an array of numbers held as byt");
  static_assert(sizeof(Value) <= 40, "a Value stays as small as a string and a tag");
}

}  // namespace
}  // namespace bridge32::library
