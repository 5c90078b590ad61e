// Values on the wire (protocol/library.capnp's Value), both ways. What arrives is checked like
// anything from the other process: nesting is bounded, text must be UTF-8.
#pragma once

#include <vector>

#include "bridge32/value.h"
#include "library.capnp.h"

namespace bridge32 {

void toWire(const Value& value, wire::Value::Builder out);
Value fromWire(wire::Value::Reader in);
std::vector<Value> fromWire(capnp::List<wire::Value>::Reader in);

}  // namespace bridge32
