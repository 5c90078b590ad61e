// The tool's JSON: escaping, numbers that read back, and commas.
#include <gtest/gtest.h>

#include <cstdlib>
#include <limits>

#include "json-writer.h"

namespace bridge32::tool {
namespace {

TEST(JsonWriter, NestsWithCommasWhereTheyBelong) {
  JsonWriter json;
  json.beginObject()
      .key("name").value("gain")
      .key("flags").beginArray().value("stepped").value(true).null().endArray()
      .key("empty").beginObject().endObject()
      .key("id").value(7u)
      .endObject();
  EXPECT_EQ(json.text(), R"({"name":"gain","flags":["stepped",true,null],"empty":{},"id":7})");
}

TEST(JsonWriter, EscapesWhatJsonRequires) {
  JsonWriter json;
  json.value(std::string_view("q\"b\\n\nt\tc\x01 \xc3\xa9", 13));
  EXPECT_EQ(json.text(), "\"q\\\"b\\\\n\\nt\\tc\\u0001 \xc3\xa9\"");
}

TEST(JsonWriter, EscapesTheControlsTerminalsObey) {
  JsonWriter json;
  json.value(std::string_view("a\x7f\xc2\x9b" "31m\xc2\xa0", 9));  // DEL, CSI, then a no-break space
  EXPECT_EQ(json.text(), "\"a\\u007f\\u009b31m\xc2\xa0\"");
}

TEST(JsonWriter, NumbersReadBackExactly) {
  for (double number : {0.1, 1.0 / 3, -2.5e-300, 48000.0, 1e21}) {
    JsonWriter json;
    json.value(number);
    EXPECT_EQ(std::strtod(json.text().c_str(), nullptr), number) << json.text();
  }
  JsonWriter special;
  special.beginArray()
      .value(std::numeric_limits<double>::quiet_NaN())
      .value(std::numeric_limits<double>::infinity())
      .value(int64_t(-9007199254740993))
      .endArray();
  EXPECT_EQ(special.text(), "[null,null,-9007199254740993]");
}

}  // namespace
}  // namespace bridge32::tool
