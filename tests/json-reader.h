// A strict JSON reader for tests of what the tool prints with --json: RFC 8259's grammar and no
// more, so that text a script's parser would refuse fails the test.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace bridge32::test {

struct JsonValue {
  enum class Type { null, boolean, number, string, array, object } type = Type::null;
  bool boolean = false;
  double number = 0;
  std::string string;
  std::vector<JsonValue> items;                  // an array's
  std::map<std::string, JsonValue> members;      // an object's (a repeated name is an error)

  // An object's member; a missing one is a test failure, and reads as null.
  const JsonValue& operator[](const std::string& name) const;
  const JsonValue& operator[](size_t index) const;
};

// `text` as one JSON value with only white space around it. Throws std::runtime_error saying
// where it is not JSON.
JsonValue parseJson(std::string_view text);

}  // namespace bridge32::test
