// Conversions between the protocol's wire types (protocol/bridge32.capnp) and bridge32's C++
// types. Readers come from the other process, so every conversion from the wire tolerates
// values this build does not know and text longer than the limits.
#pragma once

#include <string>
#include <vector>

#include <capnp/message.h>

#include "bridge32.capnp.h"
#include "bridge32/error.h"
#include "bridge32/types.h"

namespace bridge32 {

wire::Architecture toWire(Architecture architecture);
Architecture fromWire(wire::Architecture architecture);
wire::LogLevel toWire(LogLevel level);
LogLevel fromWire(wire::LogLevel level);

// Fills `builder` with `error`. Kinds that only the host raises travel as `failed`.
void setError(wire::Error::Builder builder, const Error& error);
// The Error a result carried, marked remote.
Error remoteError(wire::Error::Reader error);
// Throws the result's error, if it has one.
template <typename Results>
void throwIfError(const Results& results) {
  if (results.hasError()) throw remoteError(results.getError());
}

// Reader limits for every message either side receives: see bridge32/limits.h.
capnp::ReaderOptions readerOptions();

// Text from the wire, cut at limits::kMaxTextBytes, as valid UTF-8 (see validUtf8).
std::string text(capnp::Text::Reader reader);

void toWire(const ParamInfo& info, wire::ParamInfo::Builder builder);
ParamInfo fromWire(wire::ParamInfo::Reader reader);
std::vector<ParamInfo> fromWire(capnp::List<wire::ParamInfo>::Reader list);
void toWire(const PluginDescriptor& descriptor, wire::PluginDescriptor::Builder builder);
PluginDescriptor fromWire(wire::PluginDescriptor::Reader reader);
void toWire(const MidiEvent& event, wire::MidiEvent::Builder builder);
MidiEvent fromWire(wire::MidiEvent::Reader reader);
void toWire(const Transport& transport, wire::Transport::Builder builder);
Transport fromWire(wire::Transport::Reader reader);
// A window system (B32_WINDOW_API_*) on the wire and back; 0 for one this build does not know.
wire::WindowApi windowApiToWire(uint32_t api);
uint32_t windowApiFromWire(wire::WindowApi api);

}  // namespace bridge32
