// bridge32::ComValue, what automation values are on both sides, and its wire form: types kept,
// ranges checked, arrays' shapes checked, and what a surrogate may send checked on arrival.
#include <gtest/gtest.h>

#include <capnp/message.h>

#include "bridge32/com-value.h"
#include "bridge32/error.h"
#include "com/com-wire.h"
#include "harness.h"

namespace bridge32 {
namespace {

using test::expectError;

ComValue roundTrip(const ComValue& value) {
  capnp::MallocMessageBuilder message;
  auto builder = message.initRoot<wire::ComValue>();
  toWire(value, builder, [](const std::shared_ptr<ComReference>&) -> wire::ComObject::Client {
    throw Error(Error::Kind::unsupported, "no objects here");
  });
  return fromWire(builder.asReader(), [](wire::ComObject::Client) {
    return std::shared_ptr<ComReference>();
  });
}

TEST(ComValue, KeepsItsVartypeAcrossTheWire) {
  std::vector<ComValue> values{
      ComValue(),
      ComValue::null(),
      ComValue(true),
      ComValue::integer(-7, ComValue::vtI1),
      ComValue::integer(-30000, ComValue::vtI2),
      ComValue(123456),
      ComValue::integer(int64_t(1) << 40, ComValue::vtI8),
      ComValue::unsignedInteger(255, ComValue::vtUi1),
      ComValue::unsignedInteger(4000000000u, ComValue::vtUi4),
      ComValue::real(0.5, ComValue::vtR4),
      ComValue(2.25),
      ComValue::currency(15000),
      ComValue::date(2.5),
      ComValue("caf\u00e9"),
      ComValue::error(int32_t(0x80020004)),
      ComValue(std::vector<ComValue>{1, "two", ComValue(std::vector<ComValue>{3.5})}),
  };
  for (const ComValue& value : values) {
    ComValue back = roundTrip(value);
    EXPECT_EQ(back, value) << value.toString();
    EXPECT_EQ(back.type(), value.type()) << value.toString();
  }
}

TEST(ComValue, PrintsAsTheCommandLineWritesIt) {
  EXPECT_EQ(ComValue(std::vector<ComValue>{1, "a\"b", true, 2.5}).toString(),
            "{1, \"a\\\"b\", true, 2.5}");
  EXPECT_EQ(ComValue::currency(-15000).toString(), "currency(-1.5000)");
  EXPECT_EQ(ComValue::error(int32_t(0x800A01C9)).toString(), "error(0x800A01C9)");
  EXPECT_EQ(ComValue().toString(), "empty");
  EXPECT_EQ(ComValue::null().toString(), "null");
}

TEST(ComValue, RefusesWhatNoVariantHolds) {
  EXPECT_EQ(expectError([] { ComValue::integer(200, ComValue::vtI1); }).kind(),
            Error::Kind::invalidArgument);
  EXPECT_EQ(expectError([] { ComValue::unsignedInteger(256, ComValue::vtUi1); }).kind(),
            Error::Kind::invalidArgument);
  EXPECT_EQ(expectError([] { ComValue::integer(1, ComValue::vtBstr); }).kind(),
            Error::Kind::invalidArgument);
  ComArray bad;
  bad.lowerBounds = {0, 0};
  bad.counts = {2, 2};
  bad.elements = {1, 2, 3};
  Error shape = expectError([&] { ComValue::array(bad); });
  EXPECT_NE(shape.message().find("cannot hold 3 elements"), std::string::npos) << shape.message();
  Error kind = expectError([] { ComValue("x").asInt64(); });
  EXPECT_NE(kind.message().find("expected an integer, got a string \"x\""), std::string::npos)
      << kind.message();
}

TEST(ComValue, WhatASurrogateSendsIsCheckedOnArrival) {
  capnp::MallocMessageBuilder message;
  auto builder = message.initRoot<wire::ComValue>();
  builder.setType(ComValue::vtUi1);
  builder.setUnsigned(1000);  // does not fit a byte
  auto none = [](wire::ComObject::Client) { return std::shared_ptr<ComReference>(); };
  EXPECT_EQ(expectError([&] { fromWire(builder.asReader(), none); }).kind(),
            Error::Kind::invalidArgument);
  auto array = builder.initArray();
  builder.setType(0x2000 | ComValue::vtVariant);
  array.initLowerBounds(1);
  array.initCounts(1).set(0, 5);
  array.initElements(2);
  EXPECT_EQ(expectError([&] { fromWire(builder.asReader(), none); }).kind(),
            Error::Kind::invalidArgument)
      << "5 elements claimed, 2 sent";
}

TEST(ComValue, AnArrayOfNumbersIsOneBlockOfBytes) {
  std::vector<float> samples{1.5f, -2.0f, 0.25f};
  ComValue numbers = ComValue::array(std::span<const float>(samples));
  EXPECT_EQ(numbers.type(), 0x2000 | ComValue::vtR4);
  EXPECT_EQ(numbers.toString(), "{1.5, -2, 0.25}");
  ComValue back = roundTrip(numbers);
  ASSERT_TRUE(back.asArray().numbers);
  EXPECT_EQ(back, numbers);
  // The same array element by element equals it.
  ComArray elements;
  elements.lowerBounds = {0};
  elements.counts = {3};
  elements.elementType = ComValue::vtR4;
  for (float f : samples) elements.elements.push_back(ComValue::real(f, ComValue::vtR4));
  EXPECT_EQ(ComValue::array(elements), numbers);
  elements.elements[2] = ComValue::real(0.5, ComValue::vtR4);
  EXPECT_NE(ComValue::array(elements), numbers);
  // Numbers of another type than the array's are refused.
  ComArray wrong = numbers.asArray();
  wrong.elementType = ComValue::vtR8;
  EXPECT_EQ(expectError([&] { ComValue::array(wrong); }).kind(), Error::Kind::invalidArgument);
}

TEST(ComValue, NumbersFromASurrogateAreCheckedOnArrival) {
  capnp::MallocMessageBuilder message;
  auto builder = message.initRoot<wire::ComValue>();
  auto none = [](wire::ComObject::Client) { return std::shared_ptr<ComReference>(); };
  auto array = builder.initArray();
  array.initLowerBounds(1);
  array.initCounts(1).set(0, 2);
  const kj::byte bytes[12] = {};
  array.setNumbers(kj::arrayPtr(bytes, 12));
  builder.setType(0x2000 | ComValue::vtR8);  // 12 bytes are not 2 doubles
  EXPECT_EQ(expectError([&] { fromWire(builder.asReader(), none); }).kind(),
            Error::Kind::invalidArgument);
  builder.setType(0x2000 | ComValue::vtBstr);  // strings are not bytes
  EXPECT_EQ(expectError([&] { fromWire(builder.asReader(), none); }).kind(),
            Error::Kind::invalidArgument);
  builder.setType(0x2000 | ComValue::vtI2);  // 6 of them where the count says 2
  EXPECT_EQ(expectError([&] { fromWire(builder.asReader(), none); }).kind(),
            Error::Kind::invalidArgument);
  builder.setType(0x2000 | ComValue::vtI8);  // 12 bytes, not a whole number of them
  EXPECT_EQ(expectError([&] { fromWire(builder.asReader(), none); }).kind(),
            Error::Kind::invalidArgument);
}

}  // namespace
}  // namespace bridge32
