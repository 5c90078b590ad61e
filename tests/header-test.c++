// Vendor headers as they are: preprocessed (simplecpp, with the target's predefined macros and
// bridge32's built-in system headers) and read by the declaration parser, passing over what it
// cannot take. Real headers nobody here wrote: Debian's zlib.h and sqlite3.h.
#include <capnp/message.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "bridge32/error.h"
#include "bridge32/library.h"
#include "harness.h"
#include "library/c-parser.h"
#include "library/declaration-wire.h"
#include "library/header-preprocessor.h"

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

  // Declaration text given to function() may use the header's types too.
  auto adler = zlib->function(
      "uLong adler32(uLong adler, _In_reads_bytes_(len) const Bytef* buf, uInt len);");
  EXPECT_EQ(adler->call({Value(1u), Value(bytesOf("abc")), Value(3u)}).value.asUint64(),
            0x024d0127u);  // Adler-32 of "abc"

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

INSTANTIATE_TEST_SUITE_P(Placements, VendorHeader,
                         testing::Values(test::kInProcess64, test::kSurrogate32),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace bridge32::library
