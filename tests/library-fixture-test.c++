// The library kind against a fixture of every type class (tests/fixtures/library-fixture.c,
// whose header comment is the declarations used here), in each placement: in-process, in a
// 64-bit surrogate, and in the 32-bit surrogate (where struct layouts, x87 float returns and
// Windows calling conventions differ).
#include <fstream>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <fstream>
#include <memory>
#include <mutex>
#include <numeric>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "bridge32/library.h"
#include "harness.h"

#if _WIN32
#include "win32.h"
#endif

namespace bridge32 {
namespace {

using namespace std::chrono_literals;
using test::Placement;

constexpr const char* kStructs = R"(
  struct Point { int32_t x, y; };
  struct Rect { struct Point tl, br; };
  struct Pair { int32_t a; double b; };
  struct Mixed { char c; int64_t i; short s; double d; };
  union Number { int64_t i; double d; };
  struct Tagged { uint32_t kind; union Number value; };
  struct Samples { uint32_t count; _Field_size_(count) const double* values; };
)";

Value point(int32_t x, int32_t y) { return Value(std::vector<Value::Field>{{"x", x}, {"y", y}}); }

std::vector<Value> numbers(std::initializer_list<double> values) {
  return std::vector<Value>(values.begin(), values.end());
}

// The fixture's structs as an application declares them for the typed API.
struct TypedPoint {
  int32_t x = 0, y = 0;
};
struct TypedRect {
  TypedPoint tl, br;
};
struct TypedMixed {
  char c = 0;
  int64_t i = 0;
  short s = 0;
  double d = 0;
};
struct TypedCorner {  // a Point, not a Rect
  int32_t x = 0, y = 0;
};

}  // namespace

template <>
struct Fields<TypedPoint> {
  static constexpr auto members = std::tuple(member("x", &TypedPoint::x), member("y", &TypedPoint::y));
};
template <>
struct Fields<TypedRect> {
  static constexpr auto members = std::tuple(member("tl", &TypedRect::tl), member("br", &TypedRect::br));
};
template <>
struct Fields<TypedMixed> {
  static constexpr auto members = std::tuple(member("c", &TypedMixed::c), member("i", &TypedMixed::i),
                                             member("s", &TypedMixed::s), member("d", &TypedMixed::d));
};
template <>
struct Fields<TypedCorner> {
  static constexpr auto members = std::tuple(member("x", &TypedCorner::x), member("y", &TypedCorner::y));
};

namespace {

class Fixture : public testing::TestWithParam<Placement> {
 protected:
  void SetUp() override {
    auto path = test::pluginPath(GetParam().architecture, "b32-library");
    ASSERT_EQ(inspectModuleFile(path, "fixture").architecture, GetParam().architecture);
    library_ = Library::load(path, test::optionsFor(GetParam()));
  }

  std::shared_ptr<Function> bind(const std::string& declaration) {
    return library_->function(kStructs + declaration);
  }
  CallResult call(const std::string& declaration, std::initializer_list<Value> arguments) {
    return bind(declaration)->call(arguments);
  }
  Value result(const std::string& declaration, std::initializer_list<Value> arguments) {
    return call(declaration, arguments).value;
  }
  // The error a call fails with.
  Error failure(const std::string& declaration, std::initializer_list<Value> arguments) {
    try {
      call(declaration, arguments);
    } catch (const Error& error) {
      return error;
    }
    ADD_FAILURE() << declaration << " did not fail";
    return Error(Error::Kind::failed, "");
  }

  bool isWindowsX86() const {
#if _WIN32
    return GetParam().architecture == Architecture::x86;
#else
    return false;
#endif
  }

  std::unique_ptr<Library> library_;
};

TEST_P(Fixture, IntegersOfEveryWidthAndSign) {
  EXPECT_EQ(result("int8_t neg8(int8_t x);", {-128}).asInt64(), -128);
  EXPECT_EQ(result("int8_t neg8(int8_t x);", {5}).asInt64(), -5);
  EXPECT_EQ(result("uint8_t inc_u8(uint8_t x);", {255}).asUint64(), 0u);
  EXPECT_EQ(result("int16_t neg16(int16_t x);", {-300}).asInt64(), 300);
  EXPECT_EQ(result("uint16_t inc_u16(uint16_t x);", {65534}).asUint64(), 65535u);
  EXPECT_EQ(result("int32_t neg32(int32_t x);", {-2000000000}).asInt64(), 2000000000);
  EXPECT_EQ(result("uint32_t inc_u32(uint32_t x);", {4294967295u}).asUint64(), 0u);
  EXPECT_EQ(result("int64_t neg64(int64_t x);", {int64_t(-5000000000)}).asInt64(), 5000000000);
  EXPECT_EQ(result("uint64_t inc_u64(uint64_t x);", {uint64_t(1) << 40}).asUint64(),
            (uint64_t(1) << 40) + 1);
  EXPECT_EQ(result("bool not_(bool x);", {true}).asBool(), false);
  EXPECT_EQ(result("char echo_char(char c);", {-3}).asInt64(), -3);
  EXPECT_EQ(result("wchar_t echo_wchar(wchar_t c);", {0x263A}).asInt64(), 0x263A);
  EXPECT_EQ(result("int add(int a, int b);", {2, 40}).asInt64(), 42);
}

// Plain calls go through a call lane when bridged; a second thread finds it taken and goes over
// the pipe. Every answer is its own call's.
TEST_P(Fixture, PlainCallsFromTwoThreadsAtOnceEachGetTheirOwnAnswer) {
  auto add = bind("int add(int a, int b);");
  auto negate = bind("int32_t neg32(int32_t x);");
  std::thread other([&] {
    for (int i = 0; i < 2000; ++i) ASSERT_EQ(negate->call({Value(i)}).value.asInt64(), -i);
  });
  for (int i = 0; i < 2000; ++i) ASSERT_EQ(add->call({Value(i), Value(7)}).value.asInt64(), i + 7);
  other.join();
}

TEST_P(Fixture, ValuesThatDoNotFitAreRefusedNamingTheParameter) {
  Error error = failure("uint8_t inc_u8(uint8_t x);", {300});
  EXPECT_EQ(error.kind(), Error::Kind::invalidArgument);
  EXPECT_NE(error.message().find("'x'"), std::string::npos) << error.what();
  EXPECT_NE(error.message().find("300"), std::string::npos) << error.what();
  error = failure("int add(int a, int b);", {1});
  EXPECT_EQ(error.kind(), Error::Kind::invalidArgument);
  EXPECT_NE(error.message().find("takes 2 arguments"), std::string::npos) << error.what();
  error = failure("int add(int a, int b);", {1, "two"});
  EXPECT_EQ(error.kind(), Error::Kind::invalidArgument);
  EXPECT_NE(error.message().find("'b'"), std::string::npos) << error.what();
}

TEST_P(Fixture, FloatingPointArgumentsAndResults) {
  EXPECT_EQ(result("float half_f(float x);", {3.0}).asDouble(), 1.5);
  EXPECT_EQ(result("double hypot_d(double x, double y);", {3.0, 4.0}).asDouble(), 5.0);
  // a + 2b + 4c + 8d + 16e: each argument in its own range of bits.
  EXPECT_EQ(result("double mix(int8_t a, double b, int64_t c, float d, uint16_t e);",
                   {-1, 0.5, int64_t(1) << 33, 0.25, 1000})
                .asDouble(),
            -1 + 1 + 4.0 * double(int64_t(1) << 33) + 2 + 16000);
}

TEST_P(Fixture, StructsByValueInBothLayouts) {
  Value made = result("struct Point make_point(int32_t x, int32_t y);", {3, -4});
  EXPECT_EQ(made, point(3, -4));
  Value rect = result("struct Rect make_rect(int32_t x, int32_t y, int32_t w, int32_t h);",
                      {1, 2, 10, 20});
  EXPECT_EQ(rect.field("br"), point(11, 22));
  Value moved = result("struct Rect rect_offset(struct Rect r, struct Point by);",
                       {rect, point(100, 200)});
  EXPECT_EQ(moved.field("tl"), point(101, 202));
  // Pair and Mixed are laid out differently by MSVC/MinGW and by System V i386.
  Value pair(std::vector<Value::Field>{{"a", 2}, {"b", 0.5}});
  EXPECT_EQ(result("double pair_sum(struct Pair p);", {pair}).asDouble(), 2.5);
  EXPECT_EQ(result("double pair_sum_ptr(_In_ const struct Pair* p);", {pair}).asDouble(), 2.5);
  Value mixed = result("struct Mixed make_mixed(char c, int64_t i, short s, double d);",
                       {1, int64_t(1) << 40, -2, 0.25});
  EXPECT_EQ(mixed.field("i").asInt64(), int64_t(1) << 40);
  EXPECT_EQ(mixed.field("d").asDouble(), 0.25);
  EXPECT_EQ(result("double mixed_total(struct Mixed m);", {mixed}).asDouble(),
            1 + double(int64_t(1) << 40) - 2 + 0.25);
  CallResult bumped = call("void mixed_bump(_Inout_ struct Mixed* m);", {mixed});
  EXPECT_TRUE(bumped.value.isNull());
  EXPECT_EQ(bumped.output("m").field("s").asInt64(), -1);
  EXPECT_EQ(bumped.output("m").field("d").asDouble(), 1.25);
}

TEST_P(Fixture, StructsByPointerNestedAndWithCountedPointerMembers) {
  Value rect(std::vector<Value::Field>{{"tl", point(0, 0)}, {"br", point(4, 5)}});
  EXPECT_EQ(result("double area(_In_ const struct Rect* r);", {rect}).asDouble(), 20.0);
  CallResult grown = call("void grow(_Inout_ struct Rect* r, int by);", {rect, 1});
  EXPECT_EQ(grown.output("r").field("tl"), point(-1, -1));
  EXPECT_EQ(grown.output("r").field("br"), point(5, 6));
  Value samples(std::vector<Value::Field>{{"count", 3}, {"values", numbers({1.5, 2.5, 3})}});
  EXPECT_EQ(result("double sum_samples(_In_ const struct Samples* s);", {samples}).asDouble(), 7.0);
}

TEST_P(Fixture, AUnionByValue) {
  auto tagged = [](uint32_t kind, Value::Field member) {
    return Value(std::vector<Value::Field>{{"kind", kind}, {"value", std::vector<Value::Field>{member}}});
  };
  auto value = bind("double tagged_value(struct Tagged t);");
  EXPECT_EQ(value->call({tagged(0, {"i", 7})}).value.asDouble(), 7.0);
  EXPECT_EQ(value->call({tagged(1, {"d", 2.5})}).value.asDouble(), 2.5);
  EXPECT_EQ(value->call({tagged(2, {"d", 2.5})}).value.asDouble(), 0.0);
}

TEST_P(Fixture, AUnionAloneByValueInAndOut) {
  // Floating-point members only: in SSE registers on x86-64, where a union of an integer and a
  // double goes in general ones.
  Value floats(std::vector<Value::Field>{{"d", -0.125}});
  EXPECT_EQ(result("union Floats { float f; double d; }; double floats_d(union Floats u);", {floats})
                .asDouble(),
            -0.125);
  Value number = result("union Number number_of(double d);", {6.5});
  EXPECT_EQ(number.field("d").asDouble(), 6.5);
}

TEST_P(Fixture, BitFieldsByValueAndByPointer) {
  const std::string flags =
      "struct Flags { unsigned ready : 1; unsigned mode : 3; int level : 5;"
      "               unsigned long long big : 40; unsigned char tail; };";
  uint64_t big = (uint64_t(1) << 39) + 3;  // past 32 bits, so that a unit too narrow shows
  Value given(std::vector<Value::Field>{
      {"ready", 1}, {"mode", 5}, {"level", -7}, {"big", big}, {"tail", 9}});
  Value stepped = result(flags + "struct Flags flags_step(struct Flags f);", {given});
  EXPECT_EQ(stepped.field("ready").asUint64(), 0u);
  EXPECT_EQ(stepped.field("mode").asUint64(), 6u);
  EXPECT_EQ(stepped.field("level").asInt64(), -8);  // signed: read back sign-extended
  EXPECT_EQ(stepped.field("big").asUint64(), 7u);   // (2^40 + 7) in 40 bits
  EXPECT_EQ(stepped.field("tail").asUint64(), 10u);
  EXPECT_EQ(result(flags + "int64_t flags_sum(_In_ const struct Flags* f);", {given}).asInt64(),
            1 + 5 - 7 + int64_t(big) + 9);
  // A value its bits cannot hold is refused, not cut.
  Value tooBig(std::vector<Value::Field>{
      {"ready", 0}, {"mode", 0}, {"level", 16}, {"big", 0}, {"tail", 0}});
  Error error = failure(flags + "struct Flags flags_step(struct Flags f);", {tooBig});
  EXPECT_NE(error.message().find("5-bit field of int, which cannot hold 16"), std::string::npos)
      << error.message();
}

TEST_P(Fixture, ArraysOfNumbersCrossAsTheirBytes) {
  // In as one block, out as one block: a TypedArray both ways, across the surrogate's wire too.
  std::vector<double> x(1000);
  for (size_t i = 0; i < x.size(); ++i) x[i] = double(i) / 4;
  CallResult scaled =
      call("void scale(double a, _In_reads_(n) const double* x, int n, _Out_writes_(n) double* y);",
           {-2.0, Value(x), int(x.size())});
  const Value& y = scaled.output("y");
  ASSERT_TRUE(y.isTypedArray());
  ASSERT_EQ(y.asTypedArray()->type(), ElementType::float64);
  auto out = y.asTypedArray()->as<double>();
  ASSERT_EQ(out.size(), x.size());
  for (size_t i = 0; i < x.size(); ++i) ASSERT_EQ(out[i], -2.0 * x[i]) << i;
  CallResult reversed = call("void reverse_inplace(_Inout_updates_(n) int32_t* v, int n);",
                             {Value(std::vector<int32_t>{1, 2, 3, -4}), 4});
  EXPECT_EQ(reversed.output("v"), Value(std::vector<int32_t>{-4, 3, 2, 1}));
  EXPECT_TRUE(reversed.output("v").isTypedArray());
  // Numbers of another type are converted one by one, and refused where one does not fit.
  EXPECT_EQ(call("void reverse_inplace(_Inout_updates_(n) int32_t* v, int n);",
                 {Value(std::vector<int64_t>{7, 8}), 2})
                .output("v"),
            Value(std::vector<Value>{8, 7}));
  Error tooBig = failure("void reverse_inplace(_Inout_updates_(n) int32_t* v, int n);",
                         {Value(std::vector<int64_t>{1, int64_t(1) << 40}), 2});
  EXPECT_NE(tooBig.message().find("1099511627776"), std::string::npos) << tooBig.message();
  Error wrongCount = failure("void reverse_inplace(_Inout_updates_(n) int32_t* v, int n);",
                             {Value(std::vector<int32_t>{1, 2, 3}), 4});
  EXPECT_NE(wrongCount.message().find("has 3 elements where its size says 4"), std::string::npos)
      << wrongCount.message();
}

TEST_P(Fixture, ArraysInOutAndInOut) {
  CallResult scaled =
      call("void scale(double a, _In_reads_(n) const double* x, int n, _Out_writes_(n) double* y);",
           {2.0, numbers({1, 2, 3}), 3});
  EXPECT_EQ(scaled.output("y"), Value(numbers({2, 4, 6})));
  CallResult reversed =
      call("void reverse_inplace(_Inout_updates_(n) int32_t* v, int n);",
           {std::vector<Value>{1, 2, 3, 4}, 4});
  EXPECT_EQ(reversed.output("v"), Value(std::vector<Value>{4, 3, 2, 1}));
  CallResult filled = call(
      "int fill_bytes(_Out_writes_bytes_(size) void* buf, uint32_t size, uint8_t value);",
      {5, 0xAB});
  EXPECT_EQ(filled.value.asInt64(), 5);
  EXPECT_EQ(filled.output("buf"), Value(std::vector<Value>(5, Value(0xAB))));
}

TEST_P(Fixture, ASizeThatDisagreesWithTheArrayGivenIsRefused) {
  Error error = failure(
      "void scale(double a, _In_reads_(n) const double* x, int n, _Out_writes_(n) double* y);",
      {2.0, numbers({1, 2}), 3});
  EXPECT_EQ(error.kind(), Error::Kind::invalidArgument);
  EXPECT_NE(error.message().find("'x' has 2 elements where its size says 3"), std::string::npos)
      << error.what();
  error = failure(
      "void scale(double a, _In_reads_(n) const double* x, int n, _Out_writes_(n) double* y);",
      {2.0, Value(), 3});
  EXPECT_EQ(error.kind(), Error::Kind::invalidArgument);
  EXPECT_NE(error.message().find("cannot be null"), std::string::npos) << error.what();
  error = failure("void scale(double a, _In_reads_(n) const double* x, int n, "
                  "_Out_writes_(n) double* y);",
                  {2.0, numbers({}), -1});
  EXPECT_EQ(error.kind(), Error::Kind::invalidArgument) << error.what();
}

TEST_P(Fixture, AnOutBufferTheFunctionOverrunsFailsTheCallNamingIt) {
  // Small (in the call's own memory) and large (in memory shared with the host when bridged).
  for (int bytes : {8, 64 * 1024}) {
    Error error = failure("void overrun(_Out_writes_(n) uint8_t* buf, int n);", {bytes});
    EXPECT_EQ(error.kind(), Error::Kind::failed);
    EXPECT_NE(error.message().find("past the end of 'argument 'buf'' (a buffer of " +
                                   std::to_string(bytes) + " bytes)"),
              std::string::npos)
        << error.what();
  }
}

namespace {
constexpr const char* kScale =
    "void scale(double a, _In_reads_(n) const double* x, int n, _Out_writes_(n) double* y);";

// How many of `y` are not `a` times `x` (0 for all right).
size_t wrongProducts(double a, std::span<const double> x, std::span<const double> y) {
  if (y.size() != x.size()) return std::max(x.size(), y.size());
  size_t wrong = 0;
  for (size_t i = 0; i < x.size(); ++i) wrong += y[i] != a * x[i];
  return wrong;
}

#if !_WIN32
// The surrogate's mappings of memory bridge32 shares with it for calls' values (Linux).
size_t sharedCallMemoryMaps(uint32_t pid) {
  std::ifstream maps("/proc/" + std::to_string(pid) + "/maps");
  size_t count = 0;
  for (std::string line; std::getline(maps, line);) {
    count += line.find("bridge32 call memory") != std::string::npos;
  }
  return count;
}
#endif
}  // namespace

TEST_P(Fixture, TenMillionNumbersEachWayCrossWholeThroughSharedMemory) {
  // 80 MB in and 80 MB out: more than a message carries (a million failed on Cap'n Proto's
  // traversal limit before), through the typed API and the Value one.
  std::vector<double> x(10'000'000);
  for (size_t i = 0; i < x.size(); ++i) x[i] = double(i) - 5e6;
  auto scale = library_->bind<void(double, std::span<const double>, int, std::vector<double>&)>(kScale);
  std::vector<double> y;
  scale(0.5, x, int(x.size()), y);
  EXPECT_EQ(wrongProducts(0.5, x, y), 0u);
  scale(-3.0, x, int(x.size()), y);  // again, in the memory the first call left for reuse
  EXPECT_EQ(wrongProducts(-3.0, x, y), 0u);
  CallResult result = bind(kScale)->call({2.0, Value(x), int(x.size())});
  ASSERT_TRUE(result.output("y").isTypedArray());
  EXPECT_EQ(wrongProducts(2.0, x, result.output("y").asTypedArray()->as<double>()), 0u);
#if !_WIN32
  if (library_->isBridged()) {
    // Through memory the surrogate maps, not through the socket.
    EXPECT_GE(sharedCallMemoryMaps(library_->surrogatePid()), 1u);
  }
#endif
}

TEST_P(Fixture, ACallBufferIsReadWhereItIsAndOutputsAreReadInPlace) {
  // reverse_inplace declared as only reading its array: the DLL writes it anyway, which shows
  // whether it was given the buffer itself or a copy of it.
  auto reverse = bind("void reverse_inplace(_In_reads_(n) const int32_t* v, int n);");
  CallBuffer<int32_t> buffer = library_->buffer<int32_t>(50'000);
  ASSERT_EQ(buffer.size(), 50'000u);
  std::iota(buffer.data().begin(), buffer.data().end(), 0);
  reverse->call({buffer.value(), int(buffer.size())});
  EXPECT_EQ(buffer.data().front(), 49'999);
  EXPECT_EQ(buffer.data().back(), 0);
  // The same numbers as a Value of their own are copied where the DLL reads them (bridged) or
  // read where they are (in this process): the caller's vector is never written.
  std::vector<int32_t> own(50'000);
  std::iota(own.begin(), own.end(), 0);
  auto typed = library_->bind<void(std::span<const int32_t>, int)>(
      "void reverse_inplace(_In_reads_(n) const int32_t* v, int n);");
  if (library_->isBridged()) {
    typed(own, int(own.size()));
    EXPECT_EQ(own.front(), 0);
  }
  // A buffer in and the output read where the DLL wrote it.
  CallBuffer<double> x = library_->buffer<double>(100'000);
  for (size_t i = 0; i < x.size(); ++i) x.data()[i] = double(i);
  CallResult scaled = bind(kScale)->call({3.0, x.value(), int(x.size())});
  EXPECT_EQ(wrongProducts(3.0, x.data(), scaled.output("y").asTypedArray()->as<double>()), 0u);
}

TEST_P(Fixture, ResultsTheCallerKeepsDoNotStayInTheSurrogate) {
  // 30 results held at once, each an array viewing the shared memory its call leased: they stay
  // right here, while the surrogate lets go of all but the memory calls still use.
  auto scale = bind(kScale);
  std::vector<double> x(10'000);
  for (size_t i = 0; i < x.size(); ++i) x[i] = double(i);
  std::vector<CallResult> kept;
  for (int i = 0; i < 30; ++i) kept.push_back(scale->call({double(i), Value(x), int(x.size())}));
  for (int i = 0; i < 30; ++i) {
    EXPECT_EQ(wrongProducts(double(i), x, kept[i].output("y").asTypedArray()->as<double>()), 0u)
        << i;
  }
#if !_WIN32
  if (library_->isBridged()) {
    EXPECT_LE(sharedCallMemoryMaps(library_->surrogatePid()), 2u);
  }
#endif
}

TEST_P(Fixture, LongStringsInAndOutArriveWhole) {
  // 20 MiB each way, more than a message carries: through the call's shared memory when bridged.
  std::string name(20u << 20, 'n');
  CallResult greeted = call("int greet(_In_z_ const char* name, _Out_writes_z_(size) char* out, int size);",
                            {name, int(name.size()) + 16});
  EXPECT_EQ(greeted.value, Value(int(name.size()) + 7));
  const std::string& out = greeted.output("out").asString();
  EXPECT_EQ(out.size(), name.size() + 7);
  EXPECT_EQ(out.compare(0, 7, "hello, "), 0);
  EXPECT_EQ(out.find_first_not_of('n', 7), std::string::npos);
}

TEST_P(Fixture, ArraysOfStructsCrossAsOneBlockLaidOutForTheLibrary) {
  // struct Mixed { char c; int64_t i; short s; double d; }: 24 bytes on i386 Linux, 32 on
  // Windows and x86-64. 200,000 of them given as Values: more than a message carries element by
  // element; one block of the library's layout when bridged.
  std::vector<Value> items;
  double expected = 0;
  for (int k = 0; k < 200'000; ++k) {
    int64_t i = int64_t(k) * 1000;
    items.push_back(Value(std::vector<Value::Field>{
        {"c", k % 100}, {"i", i}, {"s", -(k % 1000)}, {"d", 0.5}}));
    expected += double(k % 100) + double(i) - double(k % 1000) + 0.5;
  }
  auto total = bind("double mixed_total_all(_In_reads_(n) const struct Mixed* m, int n);");
  EXPECT_EQ(total->call({Value(items), int(items.size())}).value, Value(expected));
  // A field that does not fit is named with its element.
  items[123'456] = Value(std::vector<Value::Field>{{"c", 1000}, {"i", 0}, {"s", 0}, {"d", 0.0}});
  Error error = test::expectError([&] { total->call({Value(items), int(items.size())}); });
  EXPECT_EQ(error.kind(), Error::Kind::invalidArgument);
  EXPECT_NE(error.message().find("[123456]"), std::string::npos) << error.what();
}

TEST_P(Fixture, ArraysOfStructsComeBackAsOneBlockReadWithTheLibrarysLayout) {
  // 200,000 records written by the library (out), then each changed by it (in/out): more than
  // an answer carries element by element; the bytes of the call's shared memory when bridged,
  // read with the surrogate's layout (24-byte records in an i386 Linux surrogate, 32 here).
  constexpr int n = 200'000;
  constexpr int64_t base = int64_t(1) << 40;
  auto fill = bind("void mixed_fill(_Out_writes_(n) struct Mixed* m, int n, int64_t base);");
  CallResult filled = fill->call({n, base});
  const Value& records = filled.output("m");
  ASSERT_EQ(records.size(), size_t(n));
  auto expectRecord = [](const Value& record, int k, int bump) {
    EXPECT_EQ(record.field("c"), Value(int8_t(k % 100 + bump))) << k;
    EXPECT_EQ(record.field("i"), Value(base + k + bump)) << k;
    EXPECT_EQ(record.field("s"), Value(int16_t(-(k % 1000) + bump))) << k;
    EXPECT_EQ(record.field("d"), Value(k / 4.0 + bump)) << k;
  };
  for (int k : {0, 1, 999, 123'457, n - 1}) expectRecord(records[k], k, 0);
  auto bump = bind("void mixed_bump_all(_Inout_updates_(n) struct Mixed* m, int n);");
  CallResult bumped = bump->call({records, n});
  const Value& changed = bumped.output("m");
  ASSERT_EQ(changed.size(), size_t(n));
  size_t wrong = 0;
  for (int k = 0; k < n; ++k) {
    const Value& record = changed[k];
    wrong += record.field("i") != Value(base + k + 1) || record.field("d") != Value(k / 4.0 + 1);
  }
  EXPECT_EQ(wrong, 0u);
  for (int k : {0, 77, 199'999}) expectRecord(changed[k], k, 1);
}

TEST_P(Fixture, TwoHundredFiftySixMegabytesInAndOut) {
  std::vector<double> x((size_t(256) << 20) / sizeof(double));
  for (size_t i = 0; i < x.size(); ++i) x[i] = double(i % 1000);
  auto scale = library_->bind<void(double, std::span<const double>, int, std::vector<double>&)>(kScale);
  std::vector<double> y;
  scale(1.5, x, int(x.size()), y);
  EXPECT_EQ(wrongProducts(1.5, x, y), 0u);
}

TEST(FixtureIn32Bits, MoreThanItsSurrogateCanMapIsRefusedNamingTheBuffer) {
  auto library = Library::load(test::pluginPath(Architecture::x86, "b32-library"),
                               test::optionsFor(test::kSurrogate32));
  ASSERT_TRUE(library->isBridged());
  auto fill = library->function(
      "int fill_bytes(_Out_writes_bytes_(size) void* buf, uint32_t size, uint8_t value);");
  // 3.75 GB out: no 32-bit process has room for it in one piece. Refused before the DLL is
  // called, naming the buffer and the size; the surrogate goes on serving.
  Error error = test::expectError([&] { fill->call({0xF0000000u, 7}); });
  EXPECT_EQ(error.kind(), Error::Kind::invalidArgument) << error.what();
  EXPECT_NE(error.message().find("out-buffer 'buf' 4026531840 bytes"), std::string::npos)
      << error.what();
  EXPECT_NE(error.message().find("x86 surrogate"), std::string::npos) << error.what();
  EXPECT_EQ(fill->call({100000u, 7}).value, Value(100000));
}

TEST_P(Fixture, StringsBothWays) {
  EXPECT_EQ(result("size_t str_len(_In_z_ const char* s);", {"hello"}).asUint64(), 5u);
  CallResult upper = call("int upper(_Inout_z_ char* s);", {"Hello, World"});
  EXPECT_EQ(upper.value.asInt64(), 8);
  EXPECT_EQ(upper.output("s").asString(), "HELLO, WORLD");
  CallResult greeting =
      call("int greet(_In_z_ const char* name, _Out_writes_z_(size) char* out, int size);",
           {"bridge", 64});
  EXPECT_EQ(greeting.output("out").asString(), "hello, bridge");
  CallResult cut =
      call("int greet(_In_z_ const char* name, _Out_writes_z_(size) char* out, int size);",
           {"bridge", 6});
  EXPECT_EQ(cut.output("out").asString(), "hello");
  EXPECT_EQ(result("size_t wstr_len(_In_z_ const wchar_t* s);", {"h\xc3\xa9llo \xe2\x98\xba"}).asUint64(), 7u);
  EXPECT_EQ(result("_Ret_z_ const char* version_string(void);", {}).asString(), "b32-library 1.0");
  CallResult echoed =
      call("int utf8_echo(_In_z_ const char* in, _Out_writes_z_(size) char* out, int size);",
           {"caf\xc3\xa9 \xe2\x98\xba", 32});
  EXPECT_EQ(echoed.output("out").asString(), "caf\xc3\xa9 \xe2\x98\xba");
}

TEST_P(Fixture, AReturnedBufferOfTheSizeAParameterSays) {
  EXPECT_EQ(result("_Ret_writes_(n) const int32_t* squares(int n);", {5}),
            Value(std::vector<Value>{0, 1, 4, 9, 16}));
}

TEST_P(Fixture, OpaqueContextsGoBackAndForth) {
  Value context = result("void* ctx_new(int start);", {10});
  ASSERT_TRUE(context.isHandle());
  EXPECT_EQ(result("int ctx_next(void* ctx);", {context}).asInt64(), 10);
  EXPECT_EQ(result("int ctx_next(void* ctx);", {context}).asInt64(), 11);
  EXPECT_TRUE(result("void ctx_free(void* ctx);", {context}).isNull());
}

TEST_P(Fixture, VariadicFunctionsWithTheArgumentsGivenAtTheCall) {
  CallResult formatted =
      call("int format(_Out_writes_z_(size) char* out, int size, const char* fmt, ...);",
           {64, "%d+%s=%.1f", 1, "one", 2.0});
  EXPECT_EQ(formatted.output("out").asString(), "1+one=2.0");
  EXPECT_EQ(result("double sum_doubles(int n, ...);", {3, 0.5, 1.0, 2.0}).asDouble(), 3.5);
}

TEST_P(Fixture, TheLastErrorRightAfterTheCall) {
  CallResult failed = call("int fail_with(int code);", {1234});
  EXPECT_EQ(failed.value.asInt64(), -1);
  EXPECT_EQ(failed.lastError, 1234u);
}

TEST_P(Fixture, WindowsCallingConventions) {
  EXPECT_EQ(result("int __stdcall std_sub(int a, int b);", {10, 3}).asInt64(), 7);
  EXPECT_EQ(result("int __fastcall fast_sub(int a, int b);", {10, 3}).asInt64(), 7);
  Value counter(std::vector<Value::Field>{{"value", 99}});
  EXPECT_EQ(library_->function("struct Counter { int32_t value; };"
                               "int __thiscall this_get(struct Counter* self);")
                ->call({counter})
                .value.asInt64(),
            99);
  if (isWindowsX86()) {
    // Exported only decorated: found through the declared convention.
    EXPECT_EQ(result("int __stdcall std_sub(int a, int b);", {1, 2}).asInt64(), -1);
  }
}

#if _WIN32
TEST_P(Fixture, AKernelHandleOfTheHostIsUsableInTheLibrarysProcess) {
  HANDLE event = CreateEventW(nullptr, TRUE, FALSE, nullptr);
  ASSERT_NE(event, nullptr);
  Value handle(Value::Handle{uint64_t(reinterpret_cast<uintptr_t>(event)), Value::HandleKind::hostKernel});
  EXPECT_NE(result("int signal_event(HANDLE ev);", {handle}).asInt64(), 0)
      << "SetEvent failed in the library's process";
  EXPECT_EQ(WaitForSingleObject(event, 0), WAIT_OBJECT_0);
  CloseHandle(event);
}

TEST_P(Fixture, AKernelHandleOfTheLibraryGoesBackAsItIsAndIsDuplicatedOnRequest) {
  Value theirs = result("HANDLE make_event(void);", {});
  ASSERT_TRUE(theirs.isHandle()) << toString(theirs.kind());
  EXPECT_EQ(theirs.asHandle().kind, Value::HandleKind::kernel);
  auto isSet = bind("int event_is_set(HANDLE ev);");
  EXPECT_EQ(isSet->call({theirs}).value.asInt64(), 0);
  EXPECT_EQ(isSet->call({theirs}).value.asInt64(), 0) << "the library's handle was closed";
  HANDLE ours = library_->duplicateHandle(theirs);
  ASSERT_NE(ours, nullptr);
  EXPECT_TRUE(SetEvent(ours));
  EXPECT_EQ(isSet->call({theirs}).value.asInt64(), 1) << "the duplicate is another event";
  EXPECT_TRUE(CloseHandle(ours));
  EXPECT_EQ(result("int close_event(HANDLE ev);", {theirs}).asInt64(), 1);
}
#endif

TEST_P(Fixture, OnlyAKernelHandleOfTheLibraryIsDuplicated) {
  try {
    library_->duplicateHandle(Value(5));
    FAIL() << "an integer was duplicated";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), Error::Kind::invalidArgument) << error.what();
  }
#if !_WIN32
  try {
    library_->duplicateHandle(Value(Value::Handle{3, Value::HandleKind::kernel}));
    FAIL() << "a kernel handle was duplicated on POSIX";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), Error::Kind::unsupported) << error.what();
  }
#endif
  // A host handle can be lent for a parameter, not inside an array or struct.
  Value nested(std::vector<Value>{Value(Value::Handle{4, Value::HandleKind::hostKernel})});
  Error error = failure("void reverse_inplace(_Inout_updates_(n) int32_t* v, int n);", {nested, 1});
  EXPECT_EQ(error.kind(), Error::Kind::invalidArgument) << error.what();
}

TEST_P(Fixture, CallbacksRunInTheHostDuringTheCall) {
  std::vector<int64_t> seen;
  CallResult applied = bind("int apply(int (*f)(int), int x);")->call(
      {20}, {[&](std::span<const Value> arguments) {
        seen.push_back(arguments[0].asInt64());
        return Value(arguments[0].asInt64() * 2 + 2);
      }});
  EXPECT_EQ(applied.value.asInt64(), 42);
  EXPECT_EQ(seen, std::vector<int64_t>{20});
  // Many calls back in one call, with an opaque context handed through.
  CallResult summed = bind("int sum_with(int (*f)(void* ctx, int i), void* ctx, int n);")
                          ->call({Value(Value::Handle{0x1234, Value::HandleKind::pointer}), 5},
                                 {[](std::span<const Value> arguments) {
                                   EXPECT_EQ(arguments[0].asHandle().value, 0x1234u);
                                   int64_t i = arguments[1].asInt64();
                                   return Value(i * i);
                                 }});
  EXPECT_EQ(summed.value.asInt64(), 0 + 1 + 4 + 9 + 16);
  // From a thread the library starts during the call.
  CallResult threaded = bind("int apply_on_thread(int (*f)(int), int x);")
                            ->call({7}, {[](std::span<const Value> arguments) {
                              return Value(arguments[0].asInt64() + 100);
                            }});
  EXPECT_EQ(threaded.value.asInt64(), 107);
}

TEST_P(Fixture, ACallbackThatThrowsFailsTheCallAndTheLibraryCarriesOn) {
  auto apply = bind("int apply(int (*f)(int), int x);");
  try {
    apply->call({1}, {[](std::span<const Value>) -> Value {
                  throw Error(Error::Kind::failed, "the application said no");
                }});
    FAIL() << "the call succeeded";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), Error::Kind::failed) << error.what();
    EXPECT_NE(error.message().find("the application said no"), std::string::npos) << error.what();
  }
  EXPECT_EQ(result("int add(int a, int b);", {1, 1}).asInt64(), 2);
}

TEST_P(Fixture, ACallbackThatAnswersAStringIsRefusedNamingIt) {
  auto apply = bind("int apply(int (*f)(int), int x);");
  try {
    apply->call({1}, {[](std::span<const Value>) -> Value { return Value("forty-two"); }});
    FAIL() << "the call succeeded";
  } catch (const Error& error) {
    EXPECT_NE(error.message().find("not a string"), std::string::npos) << error.what();
  }
  EXPECT_EQ(result("int add(int a, int b);", {1, 1}).asInt64(), 2);
}

TEST_P(Fixture, CallbacksAreCounted) {
  Error error = failure("int apply(int (*f)(int), int x);", {1});
  EXPECT_EQ(error.kind(), Error::Kind::invalidArgument) << error.what();
  EXPECT_NE(error.message().find("takes 1 callback, given 0"), std::string::npos) << error.what();
}

// What a kept listener heard, from whichever thread.
class Heard {
 public:
  Callback listener() {
    return [this, token = token_](std::span<const Value> arguments) {
      std::lock_guard lock(mutex_);
      values_.push_back(arguments[0].asInt64());
      changed_.notify_all();
      return Value();
    };
  }
  // Waits up to 10 s for `count` values; the values heard so far.
  std::vector<int64_t> await(size_t count) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, 10s, [&] { return values_.size() >= count; });
    return std::exchange(values_, {});
  }
  // True once no listener this made is held anywhere (up to 10 s).
  bool released() const {
    for (auto until = std::chrono::steady_clock::now() + 10s;
         std::chrono::steady_clock::now() < until; std::this_thread::sleep_for(5ms)) {
      if (token_.use_count() == 1) return true;
    }
    return false;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<int64_t> values_;
  std::shared_ptr<int> token_ = std::make_shared<int>();
};

TEST_P(Fixture, AKeptCallbackIsCalledAfterItsCallFromTheLibrarysThreads) {
  Heard heard;
  CallResult registered =
      bind("void set_listener(_Kept_ void (*f)(int));")->call({}, {heard.listener()});
  ASSERT_TRUE(registered.kept) << "no registration for a kept callback";
  uint32_t pid = library_->surrogatePid();

  result("void fire(int times);", {3});
  EXPECT_EQ(heard.await(3), (std::vector<int64_t>{0, 1, 2}));
  result("void fire_from_thread(int times);", {2});
  EXPECT_EQ(heard.await(2), (std::vector<int64_t>{0, 1}));
  // From the library's own thread while no call is in progress: heard before it is joined.
  result("void fire_async(int times);", {4});
  EXPECT_EQ(heard.await(4), (std::vector<int64_t>{0, 1, 2, 3}));
  result("void wait_async(void);", {});

  // Dropped while the library still holds the pointer: its calls are answered with 0 and do
  // not reach the application, whose function is released; the library carries on.
  registered = {};
  EXPECT_TRUE(heard.released()) << "the application's callback is still held";
  result("void fire(int times);", {2});
  EXPECT_TRUE(heard.await(0).empty());
  EXPECT_EQ(result("int add(int a, int b);", {1, 2}).asInt64(), 3);
  EXPECT_EQ(library_->surrogatePid(), pid);
  bind("void set_listener(_Kept_ void (*f)(int));")->call({}, {Callback()});  // forgets it
}

// The application drops a function while a call is waiting for a thread of the library's that
// calls it back: the release must not wait for the call, which waits for the callbacks.
TEST_P(Fixture, AFunctionDroppedWhileTheLibraryCallsBackDoesNotStallTheCall) {
  std::shared_ptr<Function> dropped = bind("int add(int a, int b);");
  std::atomic<int> heard{0};
  CallResult registered = bind("void set_listener(_Kept_ void (*f)(int));")
                              ->call({}, {[&](std::span<const Value>) {
                                if (heard++ == 0) dropped.reset();
                                return Value();
                              }});
  CallDeadline deadline(10s);
  result("void fire_from_thread(int times);", {20});
  EXPECT_EQ(heard.load(), 20);
  bind("void set_listener(_Kept_ void (*f)(int));")->call({}, {Callback()});
}

TEST_P(Fixture, APointerTheLibraryKeepsIsRefused) {
  try {
    bind("void reverse_inplace(_Kept_ _Inout_updates_(n) int32_t* values, int n);");
    FAIL() << "a kept data pointer was accepted";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), Error::Kind::unsupported) << error.what();
    EXPECT_NE(error.message().find("'values'"), std::string::npos) << error.what();
  }
}

TEST_P(Fixture, TypedFunctionsAreCheckedWhenBound) {
  auto add = library_->bind<int(int, int)>("int add(int a, int b);");
  EXPECT_EQ(add(40, 2), 42);
  auto hypot = library_->bind<double(double, double)>("double hypot_d(double x, double y);");
  EXPECT_EQ(hypot(3.0, 4.0), 5.0);
  auto length = library_->bind<uint64_t(std::string)>("size_t str_len(_In_z_ const char* s);");
  EXPECT_EQ(length("typed"), 5u);
  auto version = library_->bind<std::string()>("_Ret_z_ const char* version_string(void);");
  EXPECT_EQ(version(), "b32-library 1.0");
  try {
    library_->bind<int(int, int)>("double hypot_d(double x, double y);");
    FAIL() << "int(int, int) bound to double hypot_d(double, double)";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), Error::Kind::invalidArgument);
    EXPECT_NE(error.message().find("parameter 'x' is floating, given integer"), std::string::npos)
        << error.what();
  }
  try {
    library_->bind<int(int)>("int add(int a, int b);");
    FAIL() << "int(int) bound to int add(int, int)";
  } catch (const Error& error) {
    EXPECT_NE(error.message().find("it has 2 parameters (a, b)"), std::string::npos) << error.what();
  }
}

// With `using namespace bridge32;` and a declaration held in a std::string, argument-dependent
// lookup would find std::bind for a free function named bind; Library::bind is a member.
TEST_P(Fixture, BindIsNeverTakenForStdBind) {
  using namespace bridge32;
  std::string declaration = "int add(int a, int b);";
  auto add = library_->bind<int(int, int)>(declaration);
  EXPECT_EQ(add(40, 2), 42);
}

TEST_P(Fixture, TypedFunctionsTakeStructsArraysOutParametersAndCallbacks) {
  auto makeRect = library_->bind<TypedRect(int32_t, int32_t, int32_t, int32_t)>(std::string(kStructs) + "struct Rect make_rect(int32_t x, int32_t y, int32_t w, int32_t h);");
  TypedRect rect = makeRect(1, 2, 10, 20);
  EXPECT_EQ(rect.tl.x, 1);
  EXPECT_EQ(rect.tl.y, 2);
  EXPECT_EQ(rect.br.x, 11);
  EXPECT_EQ(rect.br.y, 22);
  auto area = library_->bind<double(const TypedRect&)>(std::string(kStructs) + "double area(_In_ const struct Rect* r);");
  EXPECT_EQ(area(rect), 200.0);
  auto grow = library_->bind<void(TypedRect&, int)>(std::string(kStructs) + "void grow(_Inout_ struct Rect* r, int by);");
  grow(rect, 1);
  EXPECT_EQ(rect.tl.x, 0);
  EXPECT_EQ(rect.br.y, 23);
  // Each member of a struct whose layout differs between ABIs.
  auto bump = library_->bind<void(TypedMixed&)>(std::string(kStructs) + "void mixed_bump(_Inout_ struct Mixed* m);");
  TypedMixed mixed{'a', int64_t(1) << 40, -3, 0.5};
  bump(mixed);
  EXPECT_EQ(mixed.c, 'b');
  EXPECT_EQ(mixed.i, (int64_t(1) << 40) + 1);
  EXPECT_EQ(mixed.s, -2);
  EXPECT_EQ(mixed.d, 1.5);

  auto scale = library_->bind<void(double, std::span<const double>, int, std::vector<double>&)>("void scale(double a, _In_reads_(n) const double* x, int n, _Out_writes_(n) double* y);");
  std::vector<double> x{1, 2, 3}, y;
  scale(2, x, 3, y);
  EXPECT_EQ(y, (std::vector<double>{2, 4, 6}));
  auto greet = library_->bind<int(std::string_view, std::string&, int)>("int greet(_In_z_ const char* name, _Out_writes_z_(size) char* out, int size);");
  std::string greeting;
  EXPECT_EQ(greet("typed", greeting, 64), 12);
  EXPECT_EQ(greeting, "hello, typed");

  auto apply = library_->bind<int(Callback, int)>("int apply(int (*f)(int), int x);");
  EXPECT_EQ(apply([](std::span<const Value> a) { return Value(a[0].asInt64() + 1); }, 41), 42);
}

TEST_P(Fixture, TypedFunctionsRefuseWhatDoesNotFitTheDeclaration) {
  auto refusal = [&](auto bindIt) {
    try {
      bindIt();
    } catch (const Error& error) {
      EXPECT_EQ(error.kind(), Error::Kind::invalidArgument) << error.what();
      return error.message();
    }
    ADD_FAILURE() << "bound";
    return std::string();
  };
  std::string scale = "void scale(double a, _In_reads_(n) const double* x, int n, _Out_writes_(n) double* y);";
  EXPECT_NE(refusal([&] {
              library_->bind<void(double, std::vector<double>, int, std::vector<double>)>(scale);
            }).find("parameter 'y' is an out parameter: take it as a non-const reference"),
            std::string::npos);
  EXPECT_NE(refusal([&] {
              library_->bind<void(double, std::vector<std::string>, int, std::vector<double>&)>(scale);
            }).find("an element of parameter 'x' is floating, given string"),
            std::string::npos);
  EXPECT_NE(refusal([&] {
              library_->bind<void(double, std::vector<double>&, int, std::vector<double>&)>(scale);
            }).find("parameter 'x' is only read"),
            std::string::npos);
  std::string area = std::string(kStructs) + "double area(_In_ const struct Rect* r);";
  EXPECT_NE(refusal([&] { library_->bind<double(TypedCorner)>(area); })
                .find("has a field 'tl' the C++ struct does not name"),
            std::string::npos);
  EXPECT_NE(refusal([&] { library_->bind<int(int, int)>("int apply(int (*f)(int), int x);"); })
                .find("parameter 'f' is a function pointer: take it as Callback"),
            std::string::npos);
  EXPECT_NE(refusal([&] { library_->bind<int()>("void wait_async(void);"); })
                .find("it returns void"),
            std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Placements, Fixture,
                         testing::Values(test::kInProcess64, test::kSurrogate64,
                                         test::kSurrogate32),
                         [](const auto& info) { return std::string(info.param.name); });

// A library that crashes or hangs takes down its surrogate only; the next call runs in a new one.
class FixtureIsolation : public Fixture {};

TEST_P(FixtureIsolation, ACrashIsAnErrorAndTheNextCallLoadsTheLibraryAgain) {
  uint32_t before = library_->surrogatePid();
  Error error = failure("void crash(void);", {});
  EXPECT_EQ(error.kind(), Error::Kind::disconnected) << error.what();
  EXPECT_NE(error.message().find("function 'crash'"), std::string::npos) << error.what();
  EXPECT_EQ(result("int add(int a, int b);", {1, 2}).asInt64(), 3);
  EXPECT_NE(library_->surrogatePid(), before);
}

TEST_P(FixtureIsolation, AHangPassesItsDeadline) {
  auto hang = bind("void hang(void);");
  auto started = std::chrono::steady_clock::now();
  try {
    CallDeadline deadline(300ms);
    hang->call({});
    FAIL() << "a call that never returns returned";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), Error::Kind::timeout) << error.what();
  }
  EXPECT_LT(std::chrono::steady_clock::now() - started, 10s);
  EXPECT_EQ(result("int add(int a, int b);", {2, 2}).asInt64(), 4);
}

#if _WIN32
// A window procedure that calls a function while its thread is binding that function again (its
// surrogate crashed: the next call brings it back, dispatching the thread's messages while it
// waits) is refused, naming the function, and the call that binds it again goes on. (It used to
// wait for a lock its own thread held, forever.)
TEST_P(FixtureIsolation, AWindowProcedureCallingAFunctionBeingBoundAgainIsRefused) {
  auto add = bind("int add(int a, int b);");
  EXPECT_EQ(add->call({1, 2}).value.asInt64(), 3);
  EXPECT_EQ(failure("void crash(void);", {}).kind(), Error::Kind::disconnected);
  struct Inside {
    Function* add = nullptr;
    bool called = false;
    std::optional<Error> refused;
  } inside{add.get()};
  WNDCLASSEXW windowClass{};
  windowClass.cbSize = sizeof windowClass;
  windowClass.lpfnWndProc = [](HWND window, UINT message, WPARAM w, LPARAM l) -> LRESULT {
    if (message != WM_APP) return DefWindowProcW(window, message, w, l);
    auto* in = reinterpret_cast<Inside*>(GetWindowLongPtrW(window, GWLP_USERDATA));
    in->called = true;
    try {
      in->add->call({2, 2});
    } catch (const Error& error) {
      in->refused = error;
    }
    return 0;
  };
  windowClass.hInstance = GetModuleHandleW(nullptr);
  windowClass.lpszClassName = L"bridge32.ReentrancyTest";
  RegisterClassExW(&windowClass);
  HWND window = CreateWindowExW(0, windowClass.lpszClassName, L"", 0, 0, 0, 0, 0, HWND_MESSAGE,
                                nullptr, windowClass.hInstance, nullptr);
  ASSERT_NE(window, nullptr);
  SetWindowLongPtrW(window, GWLP_USERDATA, reinterpret_cast<LONG_PTR>(&inside));
  PostMessageW(window, WM_APP, 0, 0);
  EXPECT_EQ(add->call({4, 5}).value.asInt64(), 9);
  DestroyWindow(window);
  ASSERT_TRUE(inside.called) << "binding the function again dispatched no message";
  ASSERT_TRUE(inside.refused) << "the call from the window procedure was not refused";
  EXPECT_EQ(inside.refused->kind(), Error::Kind::badState) << inside.refused->what();
  EXPECT_NE(inside.refused->message().find("function 'add' is being brought back on this thread"),
            std::string::npos)
      << inside.refused->what();
}
#endif

#if _WIN32
// Under Wine a 32-bit surrogate takes long to start: the restarts run in the 64-bit one only.
INSTANTIATE_TEST_SUITE_P(Placements, FixtureIsolation, testing::Values(test::kSurrogate64),
                         [](const auto& info) { return std::string(info.param.name); });
#else
INSTANTIATE_TEST_SUITE_P(Placements, FixtureIsolation,
                         testing::Values(test::kSurrogate64, test::kSurrogate32),
                         [](const auto& info) { return std::string(info.param.name); });
#endif

}  // namespace
}  // namespace bridge32
