// JSON for the tool's --json output: strings escaped as RFC 8259 says (and DEL and the C1
// controls too, which terminals may obey), numbers printed so that they read back to the same
// value, and commas where they belong.
//
//   JsonWriter json;
//   json.beginObject().key("name").value("gain").key("max").value(2.0).endObject();
//   std::puts(json.text().c_str());  // {"name":"gain","max":2}
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace bridge32::tool {

class JsonWriter {
 public:
  JsonWriter& beginObject() { return open('{'); }
  JsonWriter& endObject() { return close('}'); }
  JsonWriter& beginArray() { return open('['); }
  JsonWriter& endArray() { return close(']'); }
  // The next member's name, in an object; its value follows.
  JsonWriter& key(std::string_view name);

  JsonWriter& value(std::string_view text);
  JsonWriter& value(const char* text) { return value(std::string_view(text)); }
  JsonWriter& value(bool flag);
  JsonWriter& value(int64_t number);
  JsonWriter& value(uint64_t number);
  JsonWriter& value(int number) { return value(int64_t(number)); }
  JsonWriter& value(unsigned number) { return value(uint64_t(number)); }
  JsonWriter& value(double number);  // NaN and infinities, which JSON lacks, are null
  JsonWriter& null();

  // Everything written; complete once every object and array is closed.
  const std::string& text() const { return text_; }

 private:
  JsonWriter& open(char bracket);
  JsonWriter& close(char bracket);
  void separate();  // a comma before any value but the first of its container, or after a key
  void quote(std::string_view text);

  std::string text_;
  std::vector<bool> first_;  // per open container: nothing written in it yet
  bool afterKey_ = false;
};

}  // namespace bridge32::tool
