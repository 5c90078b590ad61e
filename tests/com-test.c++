// COM automation objects from this 64-bit process through bridge32's host API: Wine's own
// Scripting.Dictionary and VBScript.RegExp (not ours) in the genuine 32-bit surrogate. On Linux,
// COM is a Windows facility and loading a class says so.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>

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

TEST(Com, AMillionDoublesCrossAsOneBlockBothWays) {
  // Wine's Scripting.Dictionary keeps a SAFEARRAY of a million doubles (8 MB) and gives it back.
  auto dictionaries = ComClass::load("Scripting.Dictionary", Architecture::x86,
                                     test::optionsFor(test::kSurrogate32));
  auto dictionary = dictionaries->create();
  std::vector<double> samples(1'000'000);
  for (size_t i = 0; i < samples.size(); ++i) samples[i] = double(i) * 0.25 - 1000;
  ComValue given = ComValue::array(std::span<const double>(samples));
  EXPECT_EQ(given.type(), 0x2000 | ComValue::vtR8);
  dictionary->call("Add", {"samples", given});
  ComValue back = dictionary->get("Item", {"samples"});
  EXPECT_EQ(back.type(), 0x2000 | ComValue::vtR8);
  ASSERT_TRUE(back.asArray().numbers) << "as one block, not a million values";
  auto numbers = back.asArray().numbers->as<double>();
  ASSERT_EQ(numbers.size(), samples.size());
  EXPECT_TRUE(std::equal(numbers.begin(), numbers.end(), samples.begin()));
  EXPECT_EQ(back, given);
  // An array of numbers given element by element is the same array, and comes back as one block.
  ComArray small;
  small.lowerBounds = {1};
  small.counts = {3};
  small.elementType = ComValue::vtI2;
  small.elements = {ComValue::integer(-1, ComValue::vtI2), ComValue::integer(2, ComValue::vtI2),
                    ComValue::integer(300, ComValue::vtI2)};
  dictionary->put("Item", ComValue::array(small), {"small"});
  ComValue smallBack = dictionary->get("Item", {"small"});
  EXPECT_TRUE(smallBack.asArray().numbers);
  EXPECT_EQ(smallBack, ComValue::array(small));
  EXPECT_EQ(smallBack.toString(), "{-1, 2, 300}");
}

TEST(Com, ScriptingDictionaryInThe32BitSurrogate) {
  auto dictionaries = ComClass::load("Scripting.Dictionary", Architecture::x86,
                                     test::optionsFor(test::kSurrogate32));
  EXPECT_EQ(dictionaries->clsid(), "{EE09B103-97E0-11CF-978F-00A02463E06F}");
  EXPECT_EQ(dictionaries->threadingModel(), "Apartment");
  EXPECT_NE(dictionaries->surrogatePid(), GetCurrentProcessId());
  EXPECT_EQ(inspectModuleFile(test::surrogatePath(Architecture::x86)).architecture,
            Architecture::x86);

  auto dictionary = dictionaries->create();
  // The server the surrogate loaded is Wine's 32-bit scrrun.dll, in syswow64, and its file on
  // disk is i386 as this 64-bit process reads it.
  auto server = dictionaries->loadedServer();
  ASSERT_TRUE(server.has_value());
  EXPECT_EQ(server->architecture, Architecture::x86);
  std::string path = server->path.string();
  std::transform(path.begin(), path.end(), path.begin(), ::tolower);
  EXPECT_NE(path.find("syswow64\\scrrun.dll"), std::string::npos) << path;
  EXPECT_EQ(inspectModuleFile(server->path).architecture, Architecture::x86) << path;

  dictionary->call("Add", {"a", 1});
  dictionary->call("Add", {"b", ComValue::currency(15000)});
  EXPECT_EQ(dictionary->get("Count"), ComValue(2));
  EXPECT_EQ(dictionary->get("Item", {"b"}), ComValue::currency(15000));
  dictionary->put("Item", "forty-two", {"a"});
  EXPECT_EQ(dictionary->get("Item", {"a"}), ComValue("forty-two"));
  EXPECT_EQ(dictionary->call("Keys").toString(), "{\"a\", \"b\"}");
  std::vector<ComValue> keys = dictionary->items();
  EXPECT_EQ(keys, (std::vector<ComValue>{"a", "b"}));

  // Wine's scrrun has a type library: IDictionary's members, and calls checked against them.
  std::optional<ComTypeInfo> type = dictionary->typeInfo();
  ASSERT_TRUE(type.has_value());
  EXPECT_EQ(type->name, "IDictionary");
  const ComMemberInfo* add = type->find("Add", ComMemberInfo::Kind::method);
  ASSERT_NE(add, nullptr);
  ASSERT_EQ(add->parameters.size(), 2u);
  EXPECT_EQ(add->parameters[0].name, "Key");
  EXPECT_EQ(add->parameters[0].type, "VARIANT*");
  EXPECT_EQ(type->find("Count", ComMemberInfo::Kind::propertyGet)->type, "long");
  Error one = expectError([&] { dictionary->call("Add", {"c"}); });
  EXPECT_EQ(one.message(), "Scripting.Dictionary.Add takes 2 arguments (Key, Item), given 1");

  Error twice = expectError([&] { dictionary->call("Add", {"a", 3}); });
  ASSERT_NE(twice.com(), nullptr) << twice.what();
  EXPECT_EQ(uint32_t(twice.com()->code), 0x800A01C9u);
  EXPECT_TRUE(twice.isRemote());
  EXPECT_EQ(dictionary->get("Count"), ComValue(2)) << "the object carries on";

  // A mistyped member: the members the type information has that are close to it.
  Error mistyped = expectError([&] { dictionary->call("Ad", {"c", 3}); });
  EXPECT_EQ(mistyped.kind(), Error::Kind::notFound) << mistyped.what();
  EXPECT_NE(mistyped.message().find("no member or named argument 'Ad'"), std::string::npos)
      << mistyped.message();
  EXPECT_NE(mistyped.message().find("the closest: Add"), std::string::npos) << mistyped.message();
  mistyped = expectError([&] { dictionary->get("Cont"); });
  EXPECT_NE(mistyped.message().find("the closest: Count"), std::string::npos) << mistyped.message();
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
  // Wine's Match objects give no type information (GetTypeInfo is E_NOTIMPL): calls go unchecked.
  auto second = asComObject(matches->get("Item", {1}));
  EXPECT_FALSE(second->typeInfo().has_value());
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
  EXPECT_NE(info.out.find("(x86)"), std::string::npos) << info.out;
  EXPECT_NE(info.out.find("type:      IDictionary {"), std::string::npos) << info.out;
  EXPECT_NE(info.out.find("  void Add(VARIANT* Key, VARIANT* Item)\n"), std::string::npos)
      << info.out;
  EXPECT_NE(info.out.find("  long Count [get]\n"), std::string::npos) << info.out;
  auto bad = test::runProgram(test::toolPath(), {"com", "call", "Scripting.Dictionary", "Add", "{.x = 1}", "1"});
  EXPECT_NE(bad.exitCode, 0);
  EXPECT_NE(bad.err.find("argument 1"), std::string::npos) << bad.err;
}

// Bridge32Fixture.Probe (fixtures/com-fixture.c), registered for the test suite in the machine's
// classes (HKLM\Software\Classes: Wine's HKEY_CLASSES_ROOT does not merge the user's) in both
// registry views, each naming the fixture DLL of its bitness, and removed after.
class ComProbe : public testing::Test {
 protected:
  static constexpr const wchar_t* kClsid = L"{7D1C3B52-8A43-4C9F-9F2E-3B3200000001}";
  static constexpr const char* kProgId = "Bridge32Fixture.Probe";

  static void SetUpTestSuite() {
    for (Architecture architecture : {Architecture::x86, Architecture::x64}) {
      registerProbe(architecture, test::pluginPath(architecture, "b32-com-fixture"));
    }
  }
  static void TearDownTestSuite() {
    for (Architecture architecture : {Architecture::x86, Architecture::x64}) {
      HKEY classes = classesKey(architecture);
      RegDeleteTreeW(classes, (std::wstring(L"CLSID\\") + kClsid).c_str());
      RegDeleteTreeW(classes, L"Bridge32Fixture.Probe");
      RegCloseKey(classes);
    }
  }

  static std::unique_ptr<ComClass> load(Architecture architecture = Architecture::x86,
                                        LoadOptions options = {}) {
    return ComClass::load(kProgId, architecture, options);
  }
  // In the tests' shared 32-bit surrogate, for what neither crashes nor restarts it.
  static std::unique_ptr<ComClass> loadShared() {
    return ComClass::load(kProgId, Architecture::x86, test::optionsFor(test::kSurrogate32));
  }

 private:
  // HKLM\Software\Classes as a process of `architecture` sees it.
  static HKEY classesKey(Architecture architecture) {
    HKEY key = nullptr;
    REGSAM view = architecture == Architecture::x86 ? KEY_WOW64_32KEY : KEY_WOW64_64KEY;
    LSTATUS status = RegCreateKeyExW(HKEY_LOCAL_MACHINE, L"Software\\Classes", 0, nullptr, 0,
                                     KEY_ALL_ACCESS | view, nullptr, &key, nullptr);
    EXPECT_EQ(status, ERROR_SUCCESS);
    return key;
  }

  static void setText(HKEY root, const std::wstring& path, const wchar_t* name,
                      const std::wstring& value) {
    HKEY key = nullptr;
    ASSERT_EQ(RegCreateKeyExW(root, path.c_str(), 0, nullptr, 0, KEY_ALL_ACCESS, nullptr, &key,
                              nullptr),
              ERROR_SUCCESS);
    RegSetValueExW(key, name, 0, REG_SZ, reinterpret_cast<const BYTE*>(value.c_str()),
                   DWORD((value.size() + 1) * sizeof(wchar_t)));
    RegCloseKey(key);
  }

  static void registerProbe(Architecture architecture, const std::filesystem::path& server) {
    ASSERT_TRUE(std::filesystem::exists(server)) << server;
    HKEY classes = classesKey(architecture);
    std::wstring clsid = std::wstring(L"CLSID\\") + kClsid;
    setText(classes, clsid, nullptr, L"bridge32 test COM server");
    setText(classes, clsid + L"\\InprocServer32", nullptr, server.wstring());
    setText(classes, clsid + L"\\InprocServer32", L"ThreadingModel", L"Apartment");
    setText(classes, clsid + L"\\ProgID", nullptr, L"Bridge32Fixture.Probe");
    setText(classes, L"Bridge32Fixture.Probe\\CLSID", nullptr, kClsid);
    RegCloseKey(classes);
  }
};

// Each kind of value goes to the object and comes back as it went: the object sees its VARTYPE
// (VarType) and gives back what it got (Echo).
TEST_F(ComProbe, EveryVariantTypeGoesBothWays) {
  auto probes = loadShared();
  auto probe = probes->create();
  EXPECT_EQ(probe->get("Bitness"), ComValue(32)) << "the object lives in a 32-bit process";
  ASSERT_TRUE(probes->loadedServer().has_value());
  EXPECT_TRUE(std::filesystem::equivalent(
      probes->loadedServer()->path, test::pluginPath(Architecture::x86, "b32-com-fixture")));
  EXPECT_EQ(probes->loadedServer()->architecture, Architecture::x86);
  ComArray grid;
  grid.lowerBounds = {1, 0};
  grid.counts = {2, 3};
  grid.elementType = ComValue::vtI4;
  for (int32_t i = 0; i < 6; ++i) grid.elements.push_back(ComValue(i * 10));
  const std::vector<ComValue> values = {
      ComValue(),
      ComValue::null(),
      ComValue(true),
      ComValue(false),
      ComValue::integer(-5, ComValue::vtI1),
      ComValue::integer(-300, ComValue::vtI2),
      ComValue(-70000),
      ComValue::integer(-(int64_t(1) << 40), ComValue::vtI8),
      ComValue::integer(7, ComValue::vtInt),
      ComValue::unsignedInteger(200, ComValue::vtUi1),
      ComValue::unsignedInteger(60000, ComValue::vtUi2),
      ComValue::unsignedInteger(4000000000u, ComValue::vtUi4),
      ComValue::unsignedInteger(uint64_t(1) << 63, ComValue::vtUi8),
      ComValue::unsignedInteger(9, ComValue::vtUint),
      ComValue::real(0.5, ComValue::vtR4),
      ComValue(3.25),
      ComValue::currency(-123456789),
      ComValue::date(45000.75),
      ComValue("gr\xC3\xBC\xC3\x9F \xE2\x9C\x93 \xF0\x9F\x8E\xB5"),  // grüß ✓ and a note beyond the BMP
      ComValue(""),
      ComValue::error(int32_t(0x80004005)),  // E_FAIL (DISP_E_PARAMNOTFOUND would mean "not given")
      ComValue(std::vector<ComValue>{1, "two", 3.0, ComValue::null()}),
      ComValue::array(grid),
  };
  for (const ComValue& value : values) {
    SCOPED_TRACE(value.toString());
    try {
      EXPECT_EQ(probe->call("VarType", {value}), ComValue(int32_t(value.type())));
      ComValue back = probe->call("Echo", {value});
      EXPECT_EQ(back, value);
      EXPECT_EQ(back.type(), value.type());
    } catch (const Error& error) {
      ADD_FAILURE() << error.what();
    }
  }
  probe->put("Value", ComValue::currency(15000));
  EXPECT_EQ(probe->get("Value"), ComValue::currency(15000));
}

TEST_F(ComProbe, PositionalAndNamedArguments) {
  auto probe = loadShared()->create();
  EXPECT_EQ(probe->call("Add", {1, 2}), ComValue(3.0));
  EXPECT_EQ(probe->call("Add", {1, 2}, {{"scale", 10}}), ComValue(30.0));
  EXPECT_EQ(probe->call("Add", {}, {{"b", 2}, {"A", 1}}), ComValue(3.0));
  Error missing = expectError([&] { probe->call("Add", {1}); });
  EXPECT_EQ(missing.kind(), Error::Kind::invalidArgument) << missing.what();
  Error unknown = expectError([&] { probe->call("Add", {1, 2}, {{"factor", 3}}); });
  EXPECT_EQ(unknown.kind(), Error::Kind::notFound) << unknown.what();
  EXPECT_NE(unknown.message().find("'factor'"), std::string::npos) << unknown.message();
  Error nameless = expectError([&] { probe->call("", {}, {{"a", 1}}); });
  EXPECT_EQ(nameless.kind(), Error::Kind::invalidArgument) << nameless.what();
  EXPECT_NE(nameless.message().find("the default member has none"), std::string::npos)
      << nameless.message();
}

// An exception the object raises arrives with its code, source and description.
TEST_F(ComProbe, AnExceptionArrivesWithSourceAndDescription) {
  auto probe = loadShared()->create();
  Error error = expectError([&] { probe->call("Fail"); });
  ASSERT_NE(error.com(), nullptr) << error.what();
  EXPECT_EQ(uint32_t(error.com()->hresult), uint32_t(DISP_E_EXCEPTION));
  EXPECT_EQ(uint32_t(error.com()->code), 0x80040201u);
  EXPECT_EQ(error.com()->source, "Bridge32Fixture.Probe");
  EXPECT_EQ(error.com()->description, "Fail was asked to fail");
  EXPECT_NE(error.message().find("Bridge32Fixture.Probe.Fail failed"), std::string::npos)
      << error.message();
  EXPECT_NE(error.message().find("Fail was asked to fail"), std::string::npos) << error.message();
}

// A crash inside a method takes down the surrogate only: the error names the class and the
// method, and the class makes objects again in the surrogate that replaces it.
TEST_F(ComProbe, ACrashInAMethodTakesDownOnlyTheSurrogate) {
  auto probes = load();
  auto probe = probes->create();
  uint32_t first = probes->surrogatePid();
  Error error = expectError([&] { probe->call("Crash"); });
  EXPECT_EQ(error.kind(), Error::Kind::disconnected) << error.what();
  EXPECT_NE(error.message().find("Bridge32Fixture.Probe.Crash"), std::string::npos)
      << error.message();
  EXPECT_NE(error.message().find("(b32-com-fixture.dll+0x"), std::string::npos)
      << "the surrogate's last words say in which module: " << error.message();
  auto again = probes->create();
  EXPECT_EQ(again->call("Echo", {"alive"}), ComValue("alive"));
  EXPECT_NE(probes->surrogatePid(), first);
}

// A method that never returns meets the call deadline; the hung surrogate is ended.
TEST_F(ComProbe, AHangMeetsTheDeadline) {
  LoadOptions options;
  options.callTimeout = std::chrono::milliseconds(1500);
  auto probes = load(Architecture::x86, options);
  auto probe = probes->create();
  uint32_t hung = probes->surrogatePid();
  auto started = std::chrono::steady_clock::now();
  Error error = expectError([&] { probe->call("Hang"); });
  auto waited = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(error.kind(), Error::Kind::timeout) << error.what();
  EXPECT_NE(error.message().find("Bridge32Fixture.Probe.Hang"), std::string::npos)
      << error.message();
  EXPECT_LT(waited, std::chrono::seconds(20));
  auto again = probes->create();
  EXPECT_EQ(again->get("Bitness"), ComValue(32));
  EXPECT_NE(probes->surrogatePid(), hung);
}

// An object goes back to its own surrogate as the very COM object it is.
TEST_F(ComProbe, ObjectsGoBackToTheirSurrogateAsThemselves) {
  auto probes = load();
  auto probe = probes->create();
  auto child = asComObject(probe->call("Child"));
  EXPECT_EQ(probe->call("IsSame", {ComValue::object(probe)}), ComValue(true));
  EXPECT_EQ(probe->call("IsSame", {ComValue::object(child)}), ComValue(false));
  EXPECT_EQ(child->call("IsSame", {ComValue::object(child)}), ComValue(true));
  // Kept by the object and given back: still itself.
  probe->put("Value", ComValue::object(child));
  EXPECT_EQ(child->call("IsSame", {probe->get("Value")}), ComValue(true));

  auto elsewhere = load()->create();  // another surrogate
  Error error = expectError([&] { probe->call("IsSame", {ComValue::object(elsewhere)}); });
  EXPECT_EQ(error.kind(), Error::Kind::invalidArgument) << error.what();
  EXPECT_NE(error.message().find("only to the surrogate it came from"), std::string::npos)
      << error.message();
}

// The object calls an object of this process: CallBack(target, member, argument).
TEST_F(ComProbe, TheObjectCallsBackAHostObject) {
  auto probe = loadShared()->create();
  std::vector<std::string> calls;
  auto target = makeComObject([&](std::string_view member, ComCallKind kind,
                                  std::vector<ComValue>& arguments) -> ComValue {
    calls.push_back(std::string(member));
    EXPECT_EQ(kind, ComCallKind::method);
    if (member == "Twice") return ComValue(int32_t(arguments.at(0).asInt64() * 2));
    if (member == "Probe") {
      // A bridged object from inside a callback: refused, and the refusal reaches the caller.
      probe->get("Bitness");
    }
    throw Error(Error::Kind::notFound, "the host's object has no " + std::string(member));
  });
  EXPECT_EQ(probe->call("CallBack", {ComValue::object(target), "Twice", 21}), ComValue(42));
  EXPECT_EQ(calls, std::vector<std::string>{"Twice"});

  Error unknown = expectError([&] { probe->call("CallBack", {ComValue::object(target), "Thrice", 1}); });
  ASSERT_NE(unknown.com(), nullptr) << unknown.what();
  EXPECT_EQ(unknown.com()->source, "bridge32 host");
  EXPECT_NE(unknown.com()->description.find("the host's object has no Thrice"), std::string::npos)
      << unknown.what();

  Error inside = expectError([&] { probe->call("CallBack", {ComValue::object(target), "Probe", 1}); });
  ASSERT_NE(inside.com(), nullptr) << inside.what();
  EXPECT_NE(inside.com()->description.find("callbacks must not call into the plugin"),
            std::string::npos)
      << inside.what();
  EXPECT_EQ(probe->call("Echo", {7}), ComValue(7)) << "the object carries on";
}

// Events of the object's connection point reach a handler, by name, until disconnected.
TEST_F(ComProbe, EventsReachTheHandlerUntilDisconnected) {
  auto probe = loadShared()->create();
  std::vector<std::pair<std::string, std::vector<ComValue>>> events;
  auto connection = probe->connect([&](std::string_view event, const std::vector<ComValue>& arguments) {
    events.emplace_back(std::string(event), arguments);
  });
  EXPECT_EQ(connection->events(), "DProbeEvents");
  EXPECT_EQ(probe->call("Fire", {"first"}), ComValue(1));
  auto second = probe->connect([&](std::string_view event, const std::vector<ComValue>&) {
    events.emplace_back("second " + std::string(event), std::vector<ComValue>{});
  });
  EXPECT_EQ(probe->call("Fire", {"both"}), ComValue(2));
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].first, "Changed");
  EXPECT_EQ(events[0].second, (std::vector<ComValue>{"first", 1}));
  EXPECT_EQ(events[1].second, (std::vector<ComValue>{"both", 2}));
  EXPECT_EQ(events[2].first, "second Changed");
  connection.reset();
  second.reset();
  EXPECT_EQ(probe->call("Fire", {"nobody"}), ComValue(0)) << "both disconnected";
  EXPECT_EQ(events.size(), 3u);

  auto dictionary = ComClass::load("Scripting.Dictionary", Architecture::x86,
                                   test::optionsFor(test::kSurrogate32))->create();
  Error none = expectError([&] { dictionary->connect([](std::string_view, const std::vector<ComValue>&) {}); });
  EXPECT_EQ(none.kind(), Error::Kind::unsupported) << none.what();
}

// After a crash the object is made again at its next call, with the properties put since and
// its event connections.
TEST_F(ComProbe, ARestartMakesTheObjectAgainWithItsPropertiesAndEvents) {
  auto probes = load();
  auto probe = probes->create();
  probe->put("Value", "kept");
  probe->put("Value", ComValue::currency(25000));
  auto child = asComObject(probe->call("Child"));
  std::vector<std::string> events;
  auto connection = probe->connect([&](std::string_view, const std::vector<ComValue>& arguments) {
    events.push_back(arguments.at(0).asString());
  });
  uint32_t crashed = probes->surrogatePid();
  expectError([&] { probe->call("Crash"); });
  EXPECT_EQ(probe->get("Value"), ComValue::currency(25000));
  EXPECT_NE(probes->surrogatePid(), crashed);
  EXPECT_EQ(probe->call("Fire", {"after"}), ComValue(1)) << "connected again";
  EXPECT_EQ(events, std::vector<std::string>{"after"});
  Error gone = expectError([&] { child->get("Bitness"); });
  EXPECT_EQ(gone.kind(), Error::Kind::disconnected) << gone.what();
}

// With an automatic RestartPolicy the class comes back by itself after a crash, its object made
// again with its properties and event connections, and the application hears of the stop and
// of the restart once all that is done.
TEST_F(ComProbe, AnAutomaticRestartBringsTheClassAndItsObjectsBackByThemselves) {
  test::ModuleReports reports;
  LoadOptions options;
  options.restart.automatic = true;
  options.restart.firstDelay = std::chrono::milliseconds(50);
  options.events = reports.events();
  auto probes = load(Architecture::x86, options);
  auto probe = probes->create();
  probe->put("Value", "kept");
  std::vector<std::string> events;
  auto connection = probe->connect([&](std::string_view, const std::vector<ComValue>& arguments) {
    events.push_back(arguments.at(0).asString());
  });
  uint32_t crashed = probes->surrogatePid();
  expectError([&] { probe->call("Crash"); });
  auto lines = reports.await(2, std::chrono::milliseconds(120'000));
  ASSERT_EQ(lines.size(), 2u) << (lines.empty() ? "nothing heard" : lines[0]);
  EXPECT_NE(lines[0].find("stopped: "), std::string::npos) << lines[0];
  EXPECT_EQ(lines[1], "restarted");
  uint32_t restarted = probes->surrogatePid();
  EXPECT_NE(restarted, crashed) << "a new surrogate, with no call asking for it";
  EXPECT_EQ(probe->get("Value"), ComValue("kept"));
  EXPECT_EQ(probe->call("Fire", {"after"}), ComValue(1)) << "connected again";
  EXPECT_EQ(events, std::vector<std::string>{"after"});
  EXPECT_EQ(probes->surrogatePid(), restarted);
}

// The type information lists members, parameters and types, and calls are checked against it:
// for objects create() made before they leave this process, for the others in the surrogate.
TEST_F(ComProbe, TypeInformationListsMembersAndChecksCalls) {
  auto probe = loadShared()->create();
  std::optional<ComTypeInfo> type = probe->typeInfo();
  ASSERT_TRUE(type.has_value());
  EXPECT_EQ(type->name, "DProbe");
  EXPECT_EQ(type->guid, "{7D1C3B52-8A43-4C9F-9F2E-3B3200000002}");
  const ComMemberInfo* add = type->find("add", ComMemberInfo::Kind::method);
  ASSERT_NE(add, nullptr);
  EXPECT_EQ(add->type, "double");
  ASSERT_EQ(add->parameters.size(), 3u);
  EXPECT_EQ(add->parameters[0].name, "a");
  EXPECT_EQ(add->parameters[0].type, "double");
  EXPECT_FALSE(add->parameters[1].optional);
  EXPECT_EQ(add->parameters[2].name, "scale");
  EXPECT_EQ(add->parameters[2].type, "VARIANT");
  EXPECT_TRUE(add->parameters[2].optional);
  ASSERT_NE(type->find("Value", ComMemberInfo::Kind::propertyPut), nullptr);
  EXPECT_EQ(type->find("Child", ComMemberInfo::Kind::method)->type, "IDispatch*");
  EXPECT_EQ(type->find("Bitness", ComMemberInfo::Kind::propertyGet)->type, "long");

  Error here = expectError([&] { probe->call("Add", {1}); });
  EXPECT_EQ(here.kind(), Error::Kind::invalidArgument);
  EXPECT_EQ(here.message(),
            "Bridge32Fixture.Probe.Add takes 2 to 3 arguments (a, b, [scale]), given 1");
  EXPECT_FALSE(here.isRemote()) << "refused before it crossed";
  Error named = expectError([&] { probe->call("Add", {1, 2}, {{"factor", 3}}); });
  EXPECT_EQ(named.kind(), Error::Kind::notFound);
  EXPECT_FALSE(named.isRemote());

  auto child = asComObject(probe->call("Child"));
  Error there = expectError([&] { child->call("Add", {1, 2, 3, 4}); });
  EXPECT_EQ(there.kind(), Error::Kind::invalidArgument);
  EXPECT_NE(there.message().find("Add takes 2 to 3 arguments (a, b, [scale]), given 4"),
            std::string::npos)
      << there.message();
  EXPECT_TRUE(there.isRemote()) << "checked in the surrogate, before the object";
}

// The same ProgID in a 64-bit surrogate is the 64-bit server, registered in the 64-bit view.
TEST_F(ComProbe, A64BitSurrogateUsesThe64BitServer) {
  auto probes = load(Architecture::x64);
  auto probe = probes->create();
  EXPECT_EQ(probe->get("Bitness"), ComValue(64));
  ASSERT_TRUE(probes->loadedServer().has_value());
  EXPECT_EQ(probes->loadedServer()->architecture, Architecture::x64);
  EXPECT_TRUE(std::filesystem::equivalent(
      probes->loadedServer()->path, test::pluginPath(Architecture::x64, "b32-com-fixture")));
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
