// Values on the wire (protocol/library.capnp's Value), both ways. What arrives is checked like
// anything from the other process: nesting is bounded, and the message as a whole by the reader's
// limits (bridge32/limits.h). Strings are never cut.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "bridge32/value.h"
#include "library.capnp.h"
#include "transport/shared-segments.h"

namespace bridge32 {

// How text from the wire is taken. A string argument is the bytes the application gave, which
// reach the library as they are ("\xff\xfe" for char data); what the surrogate answers is made
// valid UTF-8 (see validUtf8) before the application sees it, as everything from it is.
enum class WireText { asGiven, validUtf8 };

// With `memory`, large arrays of numbers and strings go to shared memory (a SharedBytes), and
// SharedBytes are read from it; without, everything is in the message and SharedBytes refused.
void toWire(const Value& value, wire::Value::Builder out, WireMemory* memory = nullptr);
Value fromWire(wire::Value::Reader in, WireText text = WireText::validUtf8,
               WireMemory* memory = nullptr);
std::vector<Value> fromWire(capnp::List<wire::Value>::Reader in,
                            WireText text = WireText::validUtf8, WireMemory* memory = nullptr);

// What toWire places of `value` in an arena, at most: its strings and arrays of numbers of
// kSharedValueBytes or more, each aligned, but for arrays already in `shared`.
uint64_t largeValueBytes(const Value& value, std::span<const std::byte> shared = {});

// The string bytes of the values one message carries, counted as they are added: past
// limits::kMaxCallTextBytes, add() throws Error(invalidArgument) naming the value ("argument
// 's'", "the result of 'f'"), instead of a message the other side's reader would refuse without
// saying which value was too large.
class WireTextBudget {
 public:
  // `largeShared`: strings of kSharedValueBytes or more go to shared memory, not the message.
  explicit WireTextBudget(bool largeShared = false) : largeShared_(largeShared) {}
  // `what()` names `value`; it is called only to say it was too much.
  void add(const Value& value, const std::function<std::string()>& what);

 private:
  bool largeShared_;
  uint64_t total_ = 0;
};

}  // namespace bridge32
