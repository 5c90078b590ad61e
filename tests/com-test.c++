// COM automation objects from this 64-bit process through bridge32's host API: Wine's own
// Scripting.Dictionary and VBScript.RegExp (not ours) in the genuine 32-bit surrogate. On Linux,
// COM is a Windows facility and loading a class says so.
#include <gtest/gtest.h>

#include "bridge32/com.h"
#include "bridge32/module-file.h"
#include "harness.h"
#include "support.h"

#if _WIN32
#include "win32.h"
#endif

namespace bridge32 {
namespace {

using test::expectError;

#if !_WIN32

TEST(ComCommand, SaysCOMIsAWindowsFacility) {
  auto ran = test::runProgram(test::toolPath(), {"com", "call", "Scripting.Dictionary", "Count"});
  EXPECT_NE(ran.exitCode, 0);
  EXPECT_NE(ran.err.find("COM is a Windows facility"), std::string::npos) << ran.err;
}

TEST(Com, IsAWindowsFacility) {
  Error error = expectError([] { ComClass::load("Scripting.Dictionary"); });
  EXPECT_EQ(error.kind(), Error::Kind::unsupported);
  EXPECT_NE(error.message().find("COM is a Windows facility"), std::string::npos)
      << error.message();
}

#else

TEST(Com, ScriptingDictionaryInThe32BitSurrogate) {
  auto dictionaries = ComClass::load("Scripting.Dictionary", Architecture::x86,
                                     test::optionsFor(test::kSurrogate32));
  EXPECT_EQ(dictionaries->clsid(), "{EE09B103-97E0-11CF-978F-00A02463E06F}");
  EXPECT_EQ(dictionaries->threadingModel(), "Apartment");
  EXPECT_NE(dictionaries->surrogatePid(), GetCurrentProcessId());
  EXPECT_EQ(inspectModuleFile(test::surrogatePath(Architecture::x86)).architecture,
            Architecture::x86);

  auto dictionary = dictionaries->create();
  dictionary->call("Add", {"a", 1});
  dictionary->call("Add", {"b", ComValue::currency(15000)});
  EXPECT_EQ(dictionary->get("Count"), ComValue(2));
  EXPECT_EQ(dictionary->get("Item", {"b"}), ComValue::currency(15000));
  dictionary->put("Item", "forty-two", {"a"});
  EXPECT_EQ(dictionary->get("Item", {"a"}), ComValue("forty-two"));
  EXPECT_EQ(dictionary->call("Keys").toString(), "{\"a\", \"b\"}");
  std::vector<ComValue> keys = dictionary->items();
  EXPECT_EQ(keys, (std::vector<ComValue>{"a", "b"}));

  Error twice = expectError([&] { dictionary->call("Add", {"a", 3}); });
  ASSERT_NE(twice.com(), nullptr) << twice.what();
  EXPECT_EQ(uint32_t(twice.com()->code), 0x800A01C9u);
  EXPECT_TRUE(twice.isRemote());
  EXPECT_EQ(dictionary->get("Count"), ComValue(2)) << "the object carries on";
}

// Objects an object gives are objects too: RegExp.Execute's MatchCollection and its Matches.
TEST(Com, VBScriptRegExpMatchesAreNestedObjects) {
  auto regexps = ComClass::load("VBScript.RegExp", Architecture::x86,
                                test::optionsFor(test::kSurrogate32));
  auto regexp = regexps->create();
  regexp->put("Pattern", R"((\w+)@(\w+))");
  regexp->put("Global", true);
  auto matches = asComObject(regexp->call("Execute", {"mail joe@host and ann@web now"}));
  EXPECT_EQ(matches->get("Count"), ComValue(2));
  auto second = asComObject(matches->get("Item", {1}));
  EXPECT_EQ(second->get("Value"), ComValue("ann@web"));
  EXPECT_EQ(second->get("FirstIndex"), ComValue(18));
  std::vector<ComValue> all = matches->items();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(asComObject(all[0])->get("Value"), ComValue("joe@host"));
}

// `bridge32 com call`: the result alone on one line, in the literal syntax of `bridge32 call`.
TEST(ComCommand, CallsAMemberWithLiteralArguments) {
  auto base = test::runProgram(test::toolPath(), {"com", "call", "Scripting.FileSystemObject",
                                                  "GetBaseName", R"("C:\\reports\\may.txt")"});
  EXPECT_EQ(base.exitCode, 0) << base.err;
  EXPECT_EQ(base.out, "\"may\"\n");
  auto path = test::runProgram(test::toolPath(), {"com", "call", "Scripting.FileSystemObject",
                                                  "BuildPath", R"("C:\\reports")", R"("june.txt")"});
  EXPECT_EQ(path.out, R"("C:\\reports\\june.txt")" "\n") << path.err;
  auto count = test::runProgram(test::toolPath(), {"com", "call", "Scripting.Dictionary", "Count"});
  EXPECT_EQ(count.out, "0\n") << count.err;
  auto info = test::runProgram(test::toolPath(), {"com", "info", "Scripting.Dictionary"});
  EXPECT_EQ(info.exitCode, 0) << info.err;
  EXPECT_NE(info.out.find("clsid:     {EE09B103-97E0-11CF-978F-00A02463E06F}"), std::string::npos)
      << info.out;
  EXPECT_NE(info.out.find("threading: Apartment"), std::string::npos) << info.out;
  auto bad = test::runProgram(test::toolPath(), {"com", "call", "Scripting.Dictionary", "Add", "{.x = 1}", "1"});
  EXPECT_NE(bad.exitCode, 0);
  EXPECT_NE(bad.err.find("argument 1"), std::string::npos) << bad.err;
}

TEST(Com, AnUnknownClassIsNotFound) {
  Error error = expectError([] {
    ComClass::load("No.Such.Class", Architecture::x86, test::optionsFor(test::kSurrogate32));
  });
  EXPECT_EQ(error.kind(), Error::Kind::notFound);
  EXPECT_NE(error.message().find("'No.Such.Class'"), std::string::npos) << error.message();
}

#endif

}  // namespace
}  // namespace bridge32
