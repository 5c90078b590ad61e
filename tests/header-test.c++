// Vendor headers as they are: preprocessed (simplecpp, with the target's predefined macros and
// bridge32's built-in system headers) and read by the declaration parser, passing over what it
// cannot take. Real headers nobody here wrote: Debian's zlib.h and sqlite3.h.
#include <capnp/message.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <tuple>

#include "bridge32/error.h"
#include "bridge32/library.h"
#include "harness.h"
#include "library/c-parser.h"
#include "library/declaration-wire.h"
#include "library/header-preprocessor.h"
#include "library/value-wire.h"

namespace bridge32::library {
namespace {

// A header of Debian's, where this platform's test process sees it.
std::filesystem::path debianHeader(const std::string& name) {
#if _WIN32
  return "Z:\\usr\\include\\" + name;
#else
  return "/usr/include/" + name;
#endif
}

Declarations readHeaders(const std::vector<std::filesystem::path>& headers, Abi abi,
                         PreprocessOptions options = {}) {
  options.abi = abi;
  PreprocessedText text = preprocessHeaders(headers, options);
  ParseOptions parse;
  parse.skipUnsupported = true;
  parse.sources = &text.lines;
  parse.maxTextBytes = kMaxPreprocessedBytes;
  return parseDeclarations(text.text, parse);
}

TEST(Headers, DebiansZlibHeaderReadsForEveryAbi) {
  for (Abi abi : {Abi::sysvI386, Abi::sysvX64, Abi::win32, Abi::win64}) {
    SCOPED_TRACE(std::string(toString(abi)));
    Declarations zlib = readHeaders({debianHeader("zlib.h")}, abi);
    for (const auto& skipped : zlib.skipped()) ADD_FAILURE() << skipped.name << ": " << skipped.reason;
    EXPECT_GT(zlib.functions().size(), 80u);
    ASSERT_TRUE(zlib.findFunction("compress"));
    // OF((args)) and ZEXTERN/ZEXPORT expanded, Bytef and uLongf from zconf.h's typedefs.
    EXPECT_EQ(describe(*zlib.findFunction("compress")),
              "int compress(Bytef *dest, uLongf *destLen, const Bytef *source, uLong sourceLen)");
    // deflateInit is a function-like macro over deflateInit_, not a function.
    EXPECT_FALSE(zlib.findFunction("deflateInit"));
    EXPECT_TRUE(zlib.findFunction("deflateInit_"));
  }
}

TEST(Headers, DebiansSqliteHeaderReads) {
  Declarations sqlite = readHeaders({debianHeader("sqlite3.h")}, Abi::sysvI386);
  // Its three variables are passed over, naming them and where they are; nothing else is.
  std::vector<std::string> skipped;
  for (const auto& declaration : sqlite.skipped()) {
    skipped.push_back(declaration.name);
    EXPECT_NE(declaration.reason.find("sqlite3.h:"), std::string::npos)
        << declaration.reason;
    EXPECT_NE(declaration.reason.find("is a variable"), std::string::npos) << declaration.reason;
  }
  EXPECT_EQ(skipped, (std::vector<std::string>{"sqlite3_version", "sqlite3_temp_directory",
                                                "sqlite3_data_directory"}));
  EXPECT_GT(sqlite.functions().size(), 200u);
  EXPECT_TRUE(sqlite.findFunction("sqlite3_exec"));
}

std::filesystem::path fixtureHeader(const std::string& name) {
  return std::filesystem::path(BRIDGE32_SOURCE_DIR) / "tests" / "fixtures" / "headers" / name;
}

// MinGW-w64's own include directory, where this platform's test process sees it.
std::filesystem::path mingwInclude() {
#if _WIN32
  return "Z:\\usr\\share\\mingw-w64\\include";
#else
  return "/usr/share/mingw-w64/include";
#endif
}

// MinGW-w64's whole <windows.h>, read with its own system headers and GCC's macros: inline
// bodies passed over, the Win32 API declared with its calling conventions.
TEST(Headers, MingwsWindowsHeaderReadsWithItsOwnSystemHeaders) {
  PreprocessOptions options;
  options.systemHeaders = mingwInclude();
  Declarations windows = readHeaders({mingwInclude() / "windows.h"}, Abi::win32, options);
  EXPECT_GT(windows.functions().size(), 5000u);
  for (const char* name : {"MessageBoxA", "MulDiv", "lstrlenA", "GetCurrentProcessId"}) {
    auto function = windows.findFunction(name);
    ASSERT_TRUE(function) << name;
    EXPECT_EQ(function->convention, CallingConvention::stdCall) << name;
  }
  EXPECT_EQ(describe(*windows.findFunction("MulDiv")),
            "int __stdcall MulDiv(int nNumber, int nNumerator, int nDenominator)");
}

// A header written for C++ compilers, read as C (its extern "C" branch off) and as C++ (on):
// tags as type names, default arguments and export macros taken, C++ a C caller cannot use
// passed over with a note, never an error for the whole header.
TEST(Headers, AHeaderWrittenForCppCompilersReads) {
  for (bool cpp : {false, true}) {
    SCOPED_TRACE(cpp ? "as C++" : "as C");
    PreprocessOptions options;
    if (cpp) options.defines.push_back("__cplusplus=201703L");
    for (Abi abi : {Abi::win32, Abi::sysvI386}) {
      Declarations header = readHeaders({fixtureHeader("cpp-style.h")}, abi, options);
      for (const char* name : {"add", "not_", "make_point", "area", "neg32", "inc_u32"}) {
        EXPECT_TRUE(header.findFunction(name)) << name;
      }
      EXPECT_EQ(describe(*header.findFunction("area")),
                abi == Abi::win32 ? "double __cdecl area(const struct Rect *r)"
                                  : "double area(const struct Rect *r)");
      std::vector<std::string> skipped;
      for (const auto& declaration : header.skipped()) skipped.push_back(declaration.name);
      std::vector<std::string> expected = {"fixture_version"};
      if (cpp) expected = {"fixture", "fixture_version"};
      EXPECT_EQ(skipped, expected);
    }
  }
}

// Headers written to hurt the host: each fails within its limit with an error saying what, or
// reads as it should.
TEST(Headers, HostileHeadersFailWithinLimitsNamingWhy) {
  auto directory = std::filesystem::temp_directory_path() / "bridge32-hostile-headers";
  std::filesystem::remove_all(directory);
  std::filesystem::create_directories(directory);
  auto write = [&](const std::string& name, const std::string& text) {
    std::ofstream(directory / name, std::ios::binary) << text;
    return directory / name;
  };
  auto refusal = [&](const std::filesystem::path& header) {
    PreprocessOptions options;
    options.maxTokens = 200000;  // the default's refusal, in a tenth of its time
    try {
      readHeaders({header}, Abi::sysvI386, options);
    } catch (const Error& error) {
      return std::string(error.what());
    }
    return std::string("(read)");
  };
  // Macros that double at each step: 2^40 tokens.
  std::string bomb = "#define A0 x x\n";
  for (int i = 1; i <= 40; ++i) {
    bomb += "#define A" + std::to_string(i) + " A" + std::to_string(i - 1) + " A" +
            std::to_string(i - 1) + "\n";
  }
  EXPECT_NE(refusal(write("bomb.h", bomb + "int f(int A40);\n")).find("tokens"), std::string::npos);
  // Two headers that include each other without guards.
  write("ping.h", "#include \"pong.h\"\nint ping(void);\n");
  write("pong.h", "#include \"ping.h\"\nint pong(void);\n");
  EXPECT_NE(refusal(directory / "ping.h").find("nested too deeply"), std::string::npos);
  // 10,000 nested conditionals read as they should.
  std::string nested;
  for (int i = 0; i < 10000; ++i) nested += "#if " + std::to_string(i % 7 != 3) + " || 1\n";
  nested += "int deep(void);\n";
  for (int i = 0; i < 10000; ++i) nested += "#endif\n";
  EXPECT_TRUE(readHeaders({write("nested.h", nested)}, Abi::sysvI386).findFunction("deep"));
  // A header of 100 MB is refused before it is read; so is one that is not a file.
  auto huge = write("huge.h", "");
  std::filesystem::resize_file(huge, uint64_t(100) << 20);
  EXPECT_NE(refusal(huge).find("over the 64 MiB limit"), std::string::npos);
  EXPECT_NE(refusal(directory).find("is not a regular file"), std::string::npos);
  // #error when active only, naming where.
  auto error = write("error.h", "#ifdef _WIN32\n#error Windows only\n#endif\nint ok(void);\n");
  EXPECT_TRUE(readHeaders({error}, Abi::sysvI386).findFunction("ok"));
  try {
    readHeaders({error}, Abi::win32);
    ADD_FAILURE() << "an active #error was passed over";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("error.h:2: #error Windows only"), std::string::npos)
        << e.what();
  }
  std::filesystem::remove_all(directory);
}

// #pragma pack and <pshpack1.h>..<poppack.h> where a header puts them, and only in active
// branches: a struct of a char and an int is 5 bytes where the DLL was built packed, not 8.
TEST(Headers, PackingIsWhereTheHeaderPutsIt) {
  auto path = std::filesystem::temp_directory_path() / "bridge32-packed.h";
  std::ofstream(path) << "#include <pshpack1.h>\n"
                         "struct Packed { char c; int i; };\n"
                         "#include <poppack.h>\n"
                         "#if 0\n#pragma pack(push, 1)\n#endif\n"
                         "struct Plain { char c; int i; };\n"
                         "#pragma pack(push, 2)\n"
                         "struct Two { char c; int i; };\n"
                         "#pragma pack(pop)\n"
                         "struct Again { char c; int i; };\n";
  for (Abi abi : {Abi::win32, Abi::sysvI386}) {
    Declarations header = readHeaders({path}, abi);
    EXPECT_EQ(layoutOf(*header.findTag("Packed"), abi).size, 5u);
    EXPECT_EQ(layoutOf(*header.findTag("Plain"), abi).size, 8u);
    EXPECT_EQ(layoutOf(*header.findTag("Two"), abi).size, 6u);
    EXPECT_EQ(layoutOf(*header.findTag("Again"), abi).size, 8u);
  }
  std::filesystem::remove(path);
}

// __declspec(align(n)) and __attribute__((aligned(n))) on a struct raise its alignment and round
// its size up (20 bytes aligned to 16 are 32, as MSVC and GCC lay them out); where they would
// apply to anything else they are refused, not passed over.
TEST(Headers, AnAlignedStructIsLaidOutAsItsCompilerDoes) {
  Declarations declared = parseDeclarations(R"(
    typedef __declspec(align(16)) struct { float v[5]; } Msvc;
    struct __attribute__((aligned(32))) Gcc { char c; };
    struct After { double d; int i; } __attribute__((aligned(16)));
    struct Holder { char c; Msvc m; };
  )");
  for (Abi abi : {Abi::win32, Abi::sysvI386, Abi::win64, Abi::sysvX64}) {
    SCOPED_TRACE(std::string(toString(abi)));
    Layout msvc = layoutOf(*declared.findType("Msvc"), abi);
    EXPECT_EQ(msvc.size, 32u);
    EXPECT_EQ(msvc.alignment, 16u);
    EXPECT_EQ(layoutOf(*declared.findTag("Gcc"), abi).size, 32u);
    EXPECT_EQ(layoutOf(*declared.findTag("After"), abi).size, 16u);
    EXPECT_EQ(layoutOf(*declared.findTag("Holder"), abi).fields.at(1).offset, 16u);
  }
  for (const char* refused : {"struct S { __declspec(align(8)) int i; };",
                              "struct S { int i __attribute__((aligned(8))); };",
                              "void f(__declspec(align(8)) int i);",
                              "struct T { int i; }; typedef __declspec(align(8)) struct T U;",
                              "typedef __declspec(align(3)) struct { int i; } V;"}) {
    EXPECT_THROW(parseDeclarations(refused), Error) << refused;
  }
}

// sizeof in sizes, in the ABI the text is read for; refused where none is given.
TEST(Headers, SizeofIsTheSizeInTheLibrarysAbi) {
  const char* text = R"(
    struct Pair { int a; double b; };
    typedef struct { char bytes[sizeof(struct Pair) + sizeof(void*)]; } Block;
    int fill(_Out_writes_bytes_(sizeof(Block)) void* block);
  )";
  std::map<Abi, uint64_t> expected = {
      {Abi::win32, 16 + 4}, {Abi::sysvI386, 12 + 4}, {Abi::win64, 16 + 8}, {Abi::sysvX64, 16 + 8}};
  for (auto [abi, size] : expected) {
    ParseOptions options;
    options.abi = abi;
    Declarations declared = parseDeclarations(text, options);
    EXPECT_EQ(layoutOf(*declared.findType("Block"), abi).size, size) << toString(abi);
    EXPECT_EQ(declared.function()->parameters[0].annotation.count->constant, int64_t(size));
  }
  try {
    parseDeclarations(text);
    ADD_FAILURE() << "sizeof without an ABI";
  } catch (const Error& error) {
    EXPECT_NE(error.message().find("sizeof needs the ABI"), std::string::npos) << error.what();
  }
}

// What the surrogate is given to bind: the function's types, never text (it has no parser).
TEST(Headers, AFunctionCrossesAsItsTypesAndComesBackEqual) {
  Declarations declared = parseDeclarations(R"(
    #pragma pack(push, 1)
    typedef struct Node { struct Node* next; char name[16]; union { int i; double d; } u; } Node;
    #pragma pack(pop)
    enum Mode { fast = 1, slow = 2 };
    typedef int (__stdcall *Visit)(_In_ const Node* node, void* context);
    int walk(_Inout_updates_(n * 2 + 1) Node* nodes, size_t n, enum Mode mode,
             _Out_writes_to_(cap, *written) wchar_t* names, int cap, _Out_ int* written,
             _Kept_ Visit visit, ...);
  )");
  capnp::MallocMessageBuilder message;
  toWire(*declared.function(), message.initRoot<wire::FunctionType>());
  auto read = fromWire(message.getRoot<wire::FunctionType>().asReader());
  EXPECT_EQ(*read, *declared.function());
  EXPECT_EQ(describe(*read), describe(*declared.function()));
  for (Abi abi : {Abi::win32, Abi::sysvI386, Abi::win64, Abi::sysvX64}) {
    const Type& node = *read->parameters[0].type->target;
    EXPECT_EQ(layoutOf(node, abi), layoutOf(*declared.findType("Node"), abi));
  }

  // An index out of range, or an enumerator no type has, is refused naming it.
  auto types = message.getRoot<wire::FunctionType>().getTypes();
  types[0].setTarget(types.size() + 7);
  types[0].setKind(uint8_t(Type::Kind::pointer));
  try {
    fromWire(message.getRoot<wire::FunctionType>().asReader());
    ADD_FAILURE() << "took a type pointing past the types";
  } catch (const Error& error) {
    EXPECT_NE(error.message().find("refers to type"), std::string::npos) << error.what();
  }
  types[0].setKind(200);
  EXPECT_THROW(fromWire(message.getRoot<wire::FunctionType>().asReader()), Error);
}

TEST(ValueWire, ArraysOfNumbersCrossAsOneBlockAndAreChecked) {
  capnp::MallocMessageBuilder message;
  auto value = message.initRoot<wire::Value>();
  toWire(Value(std::vector<uint16_t>{1, 65535}), value);
  ASSERT_TRUE(value.isNumbers());  // Data, not a list of structs
  EXPECT_EQ(value.getNumbers().getBytes().size(), 4u);
  Value back = bridge32::fromWire(value.asReader());
  ASSERT_TRUE(back.isTypedArray());
  EXPECT_EQ(back, Value(std::vector<uint16_t>{1, 65535}));
  // What the other side says is checked: an element type that does not exist, or bytes that
  // are not whole elements.
  value.getNumbers().setElementType(99);
  EXPECT_THROW(bridge32::fromWire(value.asReader()), Error);
  value.getNumbers().setElementType(uint8_t(ElementType::int32));
  kj::byte three[3] = {1, 2, 3};
  value.getNumbers().setBytes(kj::arrayPtr(three, 3));
  EXPECT_THROW(bridge32::fromWire(value.asReader()), Error);
}

// Shared segments (transport/shared-segments.h): what one side names is checked against the
// segment it names, and large values go there instead of the message.
TEST(ValueWire, LargeValuesGoToSharedMemoryAndWhatIsNamedThereIsChecked) {
  SharedSegments segments;
  auto mapping = std::make_shared<SharedMapping>(SharedMapping::create(1 << 20, "bridge32 test"));
  segments.add(7, mapping);
  EXPECT_EQ(segments.find(7, 1000, 24).bytes.data(), mapping->data() + 1000);
  for (auto [id, offset, bytes] : {std::tuple{7u, uint64_t(1) << 20, uint64_t(1)},
                                   std::tuple{7u, uint64_t(0), (uint64_t(1) << 20) + 1},
                                   std::tuple{7u, ~uint64_t(0) - 7, uint64_t(16)},  // would wrap
                                   std::tuple{8u, uint64_t(0), uint64_t(1)}}) {
    Error error = test::expectError([&] { segments.find(id, offset, bytes); });
    EXPECT_EQ(error.kind(), Error::Kind::invalidArgument);
    EXPECT_NE(error.message().find("of shared segment " + std::to_string(id)), std::string::npos)
        << error.what();
  }
  std::vector<std::byte> elsewhere(128);
  std::span<const std::byte> inside(mapping->data() + 64, 128), outside(elsewhere);
  ASSERT_TRUE(segments.locate(inside).has_value());
  EXPECT_EQ(segments.locate(inside)->offset, 64u);
  EXPECT_FALSE(segments.locate(outside).has_value());

  // 8 KiB of numbers go into the arena, 8 bytes stay in the message; a full arena keeps them.
  CallWireMemory memory(segments, {7, std::span(mapping->data(), 16384), 0, nullptr});
  std::vector<double> numbers(1024);
  for (size_t i = 0; i < numbers.size(); ++i) numbers[i] = double(i) / 3;
  capnp::MallocMessageBuilder message;
  auto list = message.initRoot<wire::LaneCall>().initArguments(4);
  toWire(Value(numbers), list[0], &memory);
  toWire(Value(std::vector<double>{1.5}), list[1], &memory);
  toWire(Value(numbers), list[2], &memory);
  toWire(Value(numbers), list[3], &memory);  // no room left
  EXPECT_TRUE(list[0].isShared());
  EXPECT_EQ(list[0].getShared().getOffset(), 0u);
  EXPECT_TRUE(list[1].isNumbers());
  EXPECT_TRUE(list[2].isShared());
  EXPECT_EQ(list[2].getShared().getOffset(), 8192u);
  EXPECT_TRUE(list[3].isNumbers());
  // Read back as views of the segment, the same numbers.
  Value back = bridge32::fromWire(list[2].asReader(), WireText::validUtf8, &memory);
  ASSERT_TRUE(back.isTypedArray());
  EXPECT_EQ(back.asTypedArray()->bytes().data(), mapping->data() + 8192);
  EXPECT_EQ(back, Value(numbers));
  // Without shared memory a place means nothing; a place past the segment, an element type that
  // does not exist, or numbers not aligned for their type are refused.
  EXPECT_THROW(bridge32::fromWire(list[0].asReader()), Error);
  list[0].getShared().setOffset((1 << 20) - 8);
  EXPECT_THROW(bridge32::fromWire(list[0].asReader(), WireText::validUtf8, &memory), Error);
  list[0].getShared().setOffset(4);
  EXPECT_THROW(bridge32::fromWire(list[0].asReader(), WireText::validUtf8, &memory), Error);
  list[0].getShared().setOffset(0);
  list[0].getShared().setElementType(99);
  EXPECT_THROW(bridge32::fromWire(list[0].asReader(), WireText::validUtf8, &memory), Error);
}

TEST(Headers, TheOutptrFamilyIsThePointerTheLibrarySets) {
  Declarations declared = parseDeclarations(R"(
    typedef struct Db Db;
    int open_db(_Outptr_ Db** db, _Outptr_result_maybenull_z_ char** error,
                _COM_Outptr_ void** object, _Inout_updates_to_(cap, *n) int* items, int cap, int* n);
  )");
  const Signature& open = *declared.function();
  for (size_t i : {0, 1, 2}) {
    const Annotation& annotation = open.parameters[i].annotation;
    EXPECT_TRUE(annotation.outPointer) << i;
    EXPECT_EQ(annotation.direction, Direction::out) << i;
  }
  EXPECT_FALSE(open.parameters[0].annotation.outPointerText);
  EXPECT_TRUE(open.parameters[1].annotation.outPointerText);
  EXPECT_EQ(open.parameters[3].annotation.direction, Direction::inout);
  EXPECT_TRUE(open.parameters[3].annotation.written);
  // Only a pointer to a pointer can be set to the library's memory; text needs characters.
  for (const char* wrong : {"void f(_Outptr_ int* p);", "void f(_Outptr_result_z_ int** p);"}) {
    try {
      parseDeclarations(wrong);
      ADD_FAILURE() << "took " << wrong;
    } catch (const Error& error) {
      EXPECT_NE(error.message().find("needs a pointer to a pointer"), std::string::npos)
          << error.what();
      EXPECT_NE(error.message().find(std::string(wrong).find("_z_") != std::string::npos
                                         ? "to characters" : "int *"),
                std::string::npos)
          << error.what();
    }
  }
}

// zlib of `architecture` and its own header: Debian's on Linux, MinGW-w64's (Debian's
// libz-mingw-w64) under Wine.
struct Zlib {
  std::filesystem::path library, header;
};
Zlib zlibOf(Architecture architecture) {
#if _WIN32
  std::string triple = architecture == Architecture::x86 ? "i686" : "x86_64";
  std::filesystem::path root = "Z:\\usr\\" + triple + "-w64-mingw32";
  return {root / "lib" / "zlib1.dll", root / "include" / "zlib.h"};
#else
  return {architecture == Architecture::x86 ? "/lib/i386-linux-gnu/libz.so.1"
                                            : "/lib/x86_64-linux-gnu/libz.so.1",
          "/usr/include/zlib.h"};
#endif
}

std::vector<Value> bytesOf(std::string_view text) {
  std::vector<Value> bytes;
  for (char c : text) bytes.push_back(Value(uint8_t(c)));
  return bytes;
}

class VendorHeader : public testing::TestWithParam<test::Placement> {
 protected:
  std::unique_ptr<Library> loadZlib() {
    Zlib zlib = zlibOf(GetParam().architecture);
    ModuleFile file = inspectModuleFile(zlib.library, "zlib");
    EXPECT_EQ(file.architecture, GetParam().architecture) << file.describe();
    auto library = Library::load(zlib.library, test::optionsFor(GetParam()));
    EXPECT_EQ(library->isBridged(), GetParam().isolation != Isolation::inProcess);
    library->include(zlib.header);
    return library;
  }
};

TEST_P(VendorHeader, ZlibIsCalledByNameFromItsOwnHeader) {
  auto zlib = loadZlib();
  // As the header declares it: ZEXTERN, ZEXPORT and OF(()) are macros of zconf.h.
  auto version = zlib->function("zlibVersion");
  EXPECT_EQ(version->declaration(), "const char *zlibVersion(void)");
  CallResult result = version->call({});
  ASSERT_TRUE(result.value.isString());
  EXPECT_EQ(result.value.asString().rfind("1.", 0), 0u) << result.value.asString();

  // The header gives no sizes: declared again with them, in the header's own types.
  zlib->declare(
      "uLong crc32(uLong crc, _In_reads_bytes_(len) const Bytef* buf, uInt len);\n"
      "int compress(_Out_writes_bytes_(*destLen) Bytef* dest, _Inout_ uLongf* destLen,\n"
      "             _In_reads_bytes_(sourceLen) const Bytef* source, uLong sourceLen);\n"
      "int uncompress(_Out_writes_bytes_(*destLen) Bytef* dest, _Inout_ uLongf* destLen,\n"
      "               _In_reads_bytes_(sourceLen) const Bytef* source, uLong sourceLen);");
  EXPECT_EQ(zlib->function("crc32")->call({Value(0u), Value(bytesOf("hello")), Value(5u)})
                .value.asUint64(),
            0x3610a686u);  // CRC-32 of "hello"

  std::string text;
  for (int i = 0; i < 40; ++i) text += "bridge32 reads zlib.h as it is. ";
  CallResult packed = zlib->function("compress")->call(
      {Value(2048u), Value(bytesOf(text)), Value(uint64_t(text.size()))});
  ASSERT_EQ(packed.value.asInt64(), 0) << "Z_OK";
  std::vector<Value> compressed = packed.output("dest").asArray();
  compressed.resize(packed.output("destLen").asUint64());
  EXPECT_LT(compressed.size(), text.size() / 4);
  CallResult unpacked = zlib->function("uncompress")->call(
      {Value(uint64_t(text.size())), Value(compressed), Value(uint64_t(compressed.size()))});
  ASSERT_EQ(unpacked.value.asInt64(), 0) << "Z_OK";
  std::string roundTrip;
  for (const Value& byte : unpacked.output("dest").asArray()) roundTrip += char(byte.asUint64());
  EXPECT_EQ(roundTrip, text);

  // A declaration again must agree with the header's, naming both where it does not.
  Error disagrees = test::expectError(
      [&] { zlib->declare("uLong crc32(uLong crc, _In_reads_(len) const int* buf, uInt len);"); });
  EXPECT_NE(disagrees.message().find("'crc32' is declared as 'uLong crc32(uLong crc, const Bytef "
                                     "*buf, uInt len)' and again as"),
            std::string::npos)
      << disagrees.what();
  EXPECT_EQ(zlib->function("crc32")->call({Value(0u), Value("hello"), Value(5u)}).value.asUint64(),
            0x3610a686u);  // the annotated declaration still stands

  // Declaration text given to function() may use the header's types too.
  auto adler = zlib->function(
      "uLong adler32(uLong adler, _In_reads_bytes_(len) const Bytef* buf, uInt len);");
  EXPECT_EQ(adler->call({Value(1u), Value(bytesOf("abc")), Value(3u)}).value.asUint64(),
            0x024d0127u);  // Adler-32 of "abc"
  // A string for a buffer of bytes, as C allows; in the typed API too. Never more than its size.
  EXPECT_EQ(adler->call({Value(1u), Value("abc"), Value(3u)}).value.asUint64(), 0x024d0127u);
  auto typed = zlib->bind<unsigned long(unsigned long, std::string, unsigned)>(
      "uLong adler32(uLong adler, _In_reads_bytes_(len) const Bytef* buf, uInt len);");
  EXPECT_EQ(typed(1, "abc", 3), 0x024d0127u);
  Error tooLong = test::expectError([&] { adler->call({Value(1u), Value("abcd"), Value(3u)}); });
  EXPECT_NE(tooLong.message().find("given 4 characters where its size says 3"), std::string::npos)
      << tooLong.what();

  // A name nothing declared is refused naming the closest that is; a macro is no function.
  try {
    zlib->function("compresss");
    ADD_FAILURE() << "bound a function nothing declared";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), Error::Kind::notFound) << error.what();
    EXPECT_NE(error.message().find("compress"), std::string::npos) << error.what();
  }
  EXPECT_THROW(zlib->function("deflateInit"), Error);
}

#if _WIN32
// Wine's 32-bit kernel32 in SysWOW64, from MinGW-w64's <windows.h>, in the PE32 surrogate.
TEST(VendorHeaderWindows, Kernel32FromMingwsWindowsHeader) {
  std::filesystem::path kernel32 = "C:\\windows\\syswow64\\kernel32.dll";
  EXPECT_EQ(inspectModuleFile(kernel32, "kernel32").architecture, Architecture::x86);
  auto library = Library::load(kernel32, test::optionsFor(test::kSurrogate32));
  HeaderOptions options;
  options.systemHeaders = mingwInclude();
  library->include(mingwInclude() / "windows.h", options);
  EXPECT_EQ(library->function("MulDiv")->call({6, 7, 2}).value.asInt64(), 21);
  EXPECT_EQ(library->function("lstrlenA")->call({"hello"}).value.asInt64(), 5);
  EXPECT_EQ(library->function("GetCurrentProcessId")->call({}).value.asUint64(),
            library->surrogatePid());
}
#endif

#if !_WIN32
// Debian's sqlite3.h with its i386 libsqlite3 in the 32-bit surrogate, end to end: a handle the
// library makes through an out parameter, a callback given each row as arrays sized by its own
// count, an error message the library allocates (its text, and the pointer to give sqlite3_free),
// and a statement prepared, bound, stepped and finalized.
TEST(VendorHeaderSqlite, AnInMemoryDatabaseFromItsOwnHeader) {
  std::filesystem::path path = "/usr/lib/i386-linux-gnu/libsqlite3.so.0";
  EXPECT_EQ(inspectModuleFile(path, "sqlite").architecture, Architecture::x86);
  auto sqlite = Library::load(path, test::optionsFor(test::kSurrogate32));
  ASSERT_TRUE(sqlite->isBridged());
  sqlite->include(debianHeader("sqlite3.h"));
  // What its header cannot say: which pointers are written and how long the arrays are.
  sqlite->declare(R"(
    int sqlite3_open(const char* filename, _Outptr_ sqlite3** ppDb);
    int sqlite3_exec(sqlite3* db, const char* sql,
                     int (*callback)(void* context, int n, _In_reads_(n) char** values,
                                     _In_reads_(n) char** names),
                     void* context, _Outptr_result_maybenull_z_ char** errmsg);
    int sqlite3_prepare_v2(sqlite3* db, const char* sql, int bytes,
                           _Outptr_ sqlite3_stmt** statement,
                           _Outptr_opt_result_maybenull_z_ const char** tail);
    _Ret_z_ const unsigned char* sqlite3_column_text(sqlite3_stmt* statement, int column);
  )");
  CallResult opened = sqlite->function("sqlite3_open")->call({Value(":memory:")});
  ASSERT_EQ(opened.value.asInt64(), 0) << "SQLITE_OK";
  Value db = opened.output("ppDb");
  ASSERT_TRUE(db.isHandle());

  auto exec = sqlite->function("sqlite3_exec");
  CallResult made = exec->call(
      {db, Value("create table t(a, b); insert into t values (1, 'one'), (2, 'two');"), Value()},
      {nullptr});
  ASSERT_EQ(made.value.asInt64(), 0);
  std::vector<std::string> rows;
  CallResult selected = exec->call({db, Value("select a, b from t order by a"), Value()},
                                   {[&](std::span<const Value> arguments) {
                                     // context, n, values, names
                                     std::string row;
                                     const auto& values = arguments[2].asArray();
                                     const auto& names = arguments[3].asArray();
                                     EXPECT_EQ(arguments[1].asInt64(), 2);
                                     for (size_t i = 0; i < values.size(); ++i) {
                                       row += names[i].asString() + "=" + values[i].asString() + ";";
                                     }
                                     rows.push_back(row);
                                     return Value(0);
                                   }});
  ASSERT_EQ(selected.value.asInt64(), 0);
  EXPECT_EQ(rows, (std::vector<std::string>{"a=1;b=one;", "a=2;b=two;"}));

  // An error: its message is the library's memory, given back to sqlite3_free.
  CallResult failed = exec->call({db, Value("select * from nowhere"), Value()}, {nullptr});
  EXPECT_NE(failed.value.asInt64(), 0);
  Value message = failed.output("errmsg");
  ASSERT_TRUE(message.isHandle());
  ASSERT_TRUE(message.asHandle().text);
  EXPECT_EQ(*message.asHandle().text, "no such table: nowhere");
  sqlite->function("sqlite3_free")->call({message});

  CallResult prepared = sqlite->function("sqlite3_prepare_v2")
                            ->call({db, Value("select b from t where a = ?"), Value(-1)});
  ASSERT_EQ(prepared.value.asInt64(), 0);
  Value statement = prepared.output("statement");
  EXPECT_EQ(sqlite->function("sqlite3_bind_int")->call({statement, Value(1), Value(2)})
                .value.asInt64(), 0);
  EXPECT_EQ(sqlite->function("sqlite3_step")->call({statement}).value.asInt64(), 100)
      << "SQLITE_ROW";
  EXPECT_EQ(sqlite->function("sqlite3_column_text")->call({statement, Value(0)})
                .value.asString(), "two");
  EXPECT_EQ(sqlite->function("sqlite3_finalize")->call({statement}).value.asInt64(), 0);
  EXPECT_EQ(sqlite->function("sqlite3_close")->call({db}).value.asInt64(), 0);
}
#endif

TEST_P(VendorHeader, AHeaderInCppStyleCallsTheLibraryFixture) {
  auto library = Library::load(test::pluginPath(GetParam().architecture, "b32-library"),
                               test::optionsFor(GetParam()));
  library->include(fixtureHeader("cpp-style.h"), {{}, {"__cplusplus=201703L"}, {}, {}});
  EXPECT_EQ(library->function("add")->call({40, 2}).value.asInt64(), 42);
  auto point = library->function("make_point")->call({3, -4}).value;
  EXPECT_EQ(point.asStruct().at(1).value.asInt64(), -4);
  EXPECT_EQ(library->function("neg32")->call({7}).value.asInt64(), -7);
}

INSTANTIATE_TEST_SUITE_P(Placements, VendorHeader,
                         testing::Values(test::kInProcess64, test::kSurrogate32),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace bridge32::library
