// Libraries nobody here wrote, called by their declarations from the 64-bit host: Debian's zlib
// on Linux (its i386 build through the 32-bit surrogate), and under Wine the prefix's own system
// DLLs (the 32-bit ones in syswow64 through the PE32 surrogate).
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "bridge32/library.h"
#include "harness.h"

#if _WIN32
#include "win32.h"
#endif

namespace bridge32 {
namespace {

using test::Placement;

// The system library `name` of `architecture` on this platform.
std::filesystem::path systemLibrary(Architecture architecture, const std::string& name) {
#if _WIN32
  return std::filesystem::path(architecture == Architecture::x86 ? "C:\\windows\\syswow64"
                                                                  : "C:\\windows\\system32") /
         name;
#else
  return std::filesystem::path(architecture == Architecture::x86 ? "/lib/i386-linux-gnu"
                                                                 : "/lib/x86_64-linux-gnu") /
         name;
#endif
}

class SystemLibrary : public testing::TestWithParam<Placement> {
 protected:
  // Loads `name` as GetParam() places it, after checking that the file really is of the
  // placement's architecture (a 32-bit test must call 32-bit code).
  std::unique_ptr<Library> load(const std::string& name) {
    auto path = systemLibrary(GetParam().architecture, name);
    ModuleFile file = inspectModuleFile(path, "system library");
    EXPECT_EQ(file.architecture, GetParam().architecture) << utf8(path) << ": " << file.describe();
    EXPECT_EQ(file.format, nativeModuleFormat());
    auto library = Library::load(path, test::optionsFor(GetParam()));
    EXPECT_EQ(library->isBridged(), GetParam().isolation != Isolation::inProcess);
    return library;
  }
};

#if !_WIN32

TEST_P(SystemLibrary, ZlibVersionIsAString) {
  auto zlib = load("libz.so.1");
  auto version = zlib->function("_Ret_z_ const char* zlibVersion(void);");
  CallResult result = version->call({});
  ASSERT_TRUE(result.value.isString());
  EXPECT_EQ(result.value.asString().rfind("1.", 0), 0u) << result.value.asString();
  EXPECT_TRUE(result.outputs.empty());
}

TEST_P(SystemLibrary, Crc32OfABuffer) {
  auto zlib = load("libz.so.1");
  auto crc32 = zlib->function(
      "unsigned long crc32(unsigned long crc, _In_reads_bytes_(len) const unsigned char* buf, "
      "unsigned int len);");
  std::vector<Value> hello;
  for (char c : std::string("hello")) hello.push_back(Value(uint8_t(c)));
  CallResult result = crc32->call({Value(0u), Value(hello), Value(5u)});
  EXPECT_EQ(result.value.asUint64(), 0x3610a686u);  // CRC-32 of "hello"
}

TEST_P(SystemLibrary, CompressAndUncompressRoundTripThroughOutBuffersAndInOutLengths) {
  auto zlib = load("libz.so.1");
  auto compress = zlib->function(
      "int compress(_Out_writes_bytes_(*destLen) unsigned char* dest,"
      "             _Inout_ unsigned long* destLen,"
      "             _In_reads_bytes_(sourceLen) const unsigned char* source,"
      "             unsigned long sourceLen);");
  auto uncompress = zlib->function(
      "int uncompress(_Out_writes_bytes_(*destLen) unsigned char* dest,"
      "               _Inout_ unsigned long* destLen,"
      "               _In_reads_bytes_(sourceLen) const unsigned char* source,"
      "               unsigned long sourceLen);");
  std::string text;
  for (int i = 0; i < 40; ++i) text += "bridge32 calls zlib by its declaration. ";
  std::vector<Value> source;
  for (char c : text) source.push_back(Value(uint8_t(c)));

  CallResult packed = compress->call({Value(2048u), Value(source), Value(uint64_t(text.size()))});
  ASSERT_EQ(packed.value.asInt64(), 0) << "Z_OK";
  uint64_t packedLength = packed.output("destLen").asUint64();
  EXPECT_GT(packedLength, 0u);
  EXPECT_LT(packedLength, text.size() / 4) << "repetitive text compresses well";
  std::vector<Value> compressed = packed.output("dest").asArray();
  ASSERT_GE(compressed.size(), packedLength);
  compressed.resize(packedLength);

  CallResult unpacked =
      uncompress->call({Value(uint64_t(text.size())), Value(compressed), Value(packedLength)});
  ASSERT_EQ(unpacked.value.asInt64(), 0) << "Z_OK";
  ASSERT_EQ(unpacked.output("destLen").asUint64(), text.size());
  std::string roundTrip;
  for (const Value& byte : unpacked.output("dest").asArray()) roundTrip += char(byte.asUint64());
  EXPECT_EQ(roundTrip, text);
}

#else

TEST_P(SystemLibrary, StdcallKernel32FunctionsRunInTheLibrarysProcess) {
  auto kernel32 = load("kernel32.dll");
  auto mulDiv = kernel32->function("int WINAPI MulDiv(int nNumber, int nNumerator, int nDenominator);");
  EXPECT_EQ(mulDiv->call({Value(1000), Value(3), Value(7)}).value.asInt64(), 429);
  EXPECT_EQ(mulDiv->call({Value(-1000), Value(3), Value(7)}).value.asInt64(), -429);
  auto pid = kernel32->function("DWORD WINAPI GetCurrentProcessId(void);");
  uint64_t calledIn = pid->call({}).value.asUint64();
  if (kernel32->isBridged()) {
    EXPECT_EQ(calledIn, kernel32->surrogatePid());
  } else {
    EXPECT_EQ(calledIn, GetCurrentProcessId());
  }
}

TEST_P(SystemLibrary, LastErrorComesBackWithTheCall) {
  auto kernel32 = load("kernel32.dll");
  auto setLastError = kernel32->function("void WINAPI SetLastError(DWORD dwErrCode);");
  EXPECT_EQ(setLastError->call({Value(1234u)}).lastError, 1234u);
}

TEST_P(SystemLibrary, MsvcrtVariadicSprintf) {
  auto msvcrt = load("msvcrt.dll");
  auto sprintf = msvcrt->function(
      "int __cdecl sprintf(_Out_writes_z_(128) char* buffer, _In_z_ const char* format, ...);");
  CallResult result = sprintf->call({Value("%d-%s-%.2f"), Value(42), Value("x"), Value(2.5)});
  EXPECT_EQ(result.value.asInt64(), 9);
  EXPECT_EQ(result.output("buffer").asString(), "42-x-2.50");
}

#endif

TEST_P(SystemLibrary, AnExportItDoesNotHaveIsNotFoundWithTheClosestNames) {
#if _WIN32
  auto library = load("kernel32.dll");
  const char* declaration = "DWORD WINAPI GetTickCont(void);";
  const char* closest = "GetTickCount";
#else
  auto library = load("libz.so.1");
  const char* declaration = "int compres(void);";
  const char* closest = "compress";
#endif
  try {
    library->function(declaration);
    FAIL() << "bound a function the library does not export";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), Error::Kind::notFound) << error.what();
    EXPECT_NE(error.message().find(closest), std::string::npos) << error.what();
  }
}

TEST_P(SystemLibrary, AMalformedDeclarationSaysWhereAndWhat) {
#if _WIN32
  auto library = load("kernel32.dll");
#else
  auto library = load("libz.so.1");
#endif
  try {
    library->function("int f(int a,, int b);");
    FAIL() << "bound a declaration that does not parse";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), Error::Kind::invalidArgument) << error.what();
    EXPECT_NE(error.message().find("line 1, column"), std::string::npos) << error.what();
  }
}

INSTANTIATE_TEST_SUITE_P(Placements, SystemLibrary,
                         testing::Values(test::kInProcess64, test::kSurrogate64,
                                         test::kSurrogate32),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace bridge32
