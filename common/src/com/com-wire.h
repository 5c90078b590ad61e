// ComValue on the wire (protocol/com.capnp) and back. Objects cross as capabilities, which each
// side makes and reads its own way: the surrogate serves a ComObject for each COM object it
// hands out; the host wraps each capability it receives in a bridged object. A reader comes from
// the other process: what it says is checked (types, array shapes) as ComValue's factories check.
#pragma once

#include <functional>
#include <memory>

#include "bridge32/com-type.h"
#include "bridge32/com-value.h"
#include "com.capnp.h"

namespace bridge32 {

using ObjectToWire = std::function<wire::ComObject::Client(const std::shared_ptr<ComReference>&)>;
using ObjectFromWire = std::function<std::shared_ptr<ComReference>(wire::ComObject::Client)>;

void toWire(const ComValue& value, wire::ComValue::Builder builder, const ObjectToWire& objects);
// Throws Error(invalidArgument) for a value no ComValue can be.
ComValue fromWire(wire::ComValue::Reader reader, const ObjectFromWire& objects);

void toWire(const ComTypeInfo& type, wire::ComTypeInfo::Builder builder);
ComTypeInfo fromWire(wire::ComTypeInfo::Reader reader);

}  // namespace bridge32
