#include "wire.h"

#include "bridge32/ext/gui.h"
#include "bridge32/limits.h"

namespace bridge32 {

wire::Architecture toWire(Architecture architecture) {
  switch (architecture) {
    case Architecture::x86: return wire::Architecture::X86;
    case Architecture::x64: return wire::Architecture::X64;
    case Architecture::unknown: break;
  }
  return wire::Architecture::UNKNOWN;
}

Architecture fromWire(wire::Architecture architecture) {
  switch (architecture) {
    case wire::Architecture::X86: return Architecture::x86;
    case wire::Architecture::X64: return Architecture::x64;
    default: return Architecture::unknown;
  }
}

wire::LogLevel toWire(LogLevel level) {
  switch (level) {
    case LogLevel::trace: return wire::LogLevel::TRACE;
    case LogLevel::debug: return wire::LogLevel::DEBUG;
    case LogLevel::info: return wire::LogLevel::INFO;
    case LogLevel::warn: return wire::LogLevel::WARN;
    case LogLevel::error: return wire::LogLevel::ERR;
    case LogLevel::critical: return wire::LogLevel::CRITICAL;
  }
  return wire::LogLevel::INFO;
}

LogLevel fromWire(wire::LogLevel level) {
  switch (level) {
    case wire::LogLevel::TRACE: return LogLevel::trace;
    case wire::LogLevel::DEBUG: return LogLevel::debug;
    case wire::LogLevel::INFO: return LogLevel::info;
    case wire::LogLevel::WARN: return LogLevel::warn;
    case wire::LogLevel::ERR: return LogLevel::error;
    case wire::LogLevel::CRITICAL: return LogLevel::critical;
  }
  return LogLevel::info;
}

wire::WindowApi windowApiToWire(uint32_t api) {
  switch (api) {
    case B32_WINDOW_API_WIN32: return wire::WindowApi::WIN32_HWND;
    case B32_WINDOW_API_X11: return wire::WindowApi::X11_WINDOW;
  }
  return wire::WindowApi::UNKNOWN;
}

uint32_t windowApiFromWire(wire::WindowApi api) {
  switch (api) {
    case wire::WindowApi::WIN32_HWND: return B32_WINDOW_API_WIN32;
    case wire::WindowApi::X11_WINDOW: return B32_WINDOW_API_X11;
    case wire::WindowApi::UNKNOWN: break;
  }
  return 0;
}

void setError(wire::Error::Builder builder, const Error& error) {
  wire::ErrorKind kind = wire::ErrorKind::FAILED;
  switch (error.kind()) {
    case Error::Kind::invalidArgument: kind = wire::ErrorKind::INVALID_ARGUMENT; break;
    case Error::Kind::notFound: kind = wire::ErrorKind::NOT_FOUND; break;
    case Error::Kind::badModule: kind = wire::ErrorKind::BAD_MODULE; break;
    case Error::Kind::unsupportedVersion: kind = wire::ErrorKind::UNSUPPORTED_VERSION; break;
    case Error::Kind::unsupported: kind = wire::ErrorKind::UNSUPPORTED; break;
    case Error::Kind::badState: kind = wire::ErrorKind::BAD_STATE; break;
    default: break;
  }
  builder.setKind(kind);
  builder.setMessage(error.message());
  if (const Error::ComFailure* com = error.com()) {
    auto failure = builder.initCom();
    failure.setHresult(com->hresult);
    failure.setCode(com->code);
    failure.setSource(com->source);
    failure.setDescription(com->description);
  }
}

Error remoteError(wire::Error::Reader error) {
  Error::Kind kind = Error::Kind::failed;
  switch (error.getKind()) {
    case wire::ErrorKind::INVALID_ARGUMENT: kind = Error::Kind::invalidArgument; break;
    case wire::ErrorKind::NOT_FOUND: kind = Error::Kind::notFound; break;
    case wire::ErrorKind::BAD_MODULE: kind = Error::Kind::badModule; break;
    case wire::ErrorKind::UNSUPPORTED_VERSION: kind = Error::Kind::unsupportedVersion; break;
    case wire::ErrorKind::UNSUPPORTED: kind = Error::Kind::unsupported; break;
    case wire::ErrorKind::BAD_STATE: kind = Error::Kind::badState; break;
    default: break;
  }
  if (error.hasCom()) {
    auto com = error.getCom();
    return Error(kind, text(error.getMessage()),
                 Error::ComFailure{com.getHresult(), com.getCode(), text(com.getSource()),
                                   text(com.getDescription())},
                 /*remote=*/true);
  }
  return Error(kind, text(error.getMessage()), /*remote=*/true);
}

capnp::ReaderOptions readerOptions() {
  capnp::ReaderOptions options;
  options.traversalLimitInWords = limits::kMaxMessageWords;
  return options;
}

std::string text(capnp::Text::Reader reader) {
  return validUtf8(std::string_view(reader.begin(), std::min(reader.size(), limits::kMaxTextBytes)));
}

void toWire(const ParamInfo& info, wire::ParamInfo::Builder builder) {
  builder.setId(info.id);
  builder.setFlags(info.flags);
  builder.setMinValue(info.minValue);
  builder.setMaxValue(info.maxValue);
  builder.setDefaultValue(info.defaultValue);
  builder.setName(info.name);
  builder.setUnit(info.unit);
}

ParamInfo fromWire(wire::ParamInfo::Reader reader) {
  return {reader.getId(),           reader.getFlags(),        reader.getMinValue(),
          reader.getMaxValue(),     reader.getDefaultValue(), text(reader.getName()),
          text(reader.getUnit())};
}

std::vector<ParamInfo> fromWire(capnp::List<wire::ParamInfo>::Reader list) {
  std::vector<ParamInfo> params;
  params.reserve(list.size());
  for (auto param : list) params.push_back(fromWire(param));
  return params;
}

void toWire(const PluginDescriptor& descriptor, wire::PluginDescriptor::Builder builder) {
  builder.setId(descriptor.id);
  builder.setName(descriptor.name);
  builder.setVendor(descriptor.vendor);
  builder.setVersion(descriptor.version);
  builder.setInputs(descriptor.inputs);
  builder.setOutputs(descriptor.outputs);
  builder.setIsInstrument(descriptor.isInstrument);
}

PluginDescriptor fromWire(wire::PluginDescriptor::Reader reader) {
  return {text(reader.getId()),     text(reader.getName()),    text(reader.getVendor()),
          text(reader.getVersion()), reader.getInputs(),        reader.getOutputs(),
          reader.getIsInstrument()};
}

void toWire(const MidiEvent& event, wire::MidiEvent::Builder builder) {
  builder.setFrame(event.frame);
  builder.setStatus(event.bytes[0]);
  builder.setData1(event.bytes[1]);
  builder.setData2(event.bytes[2]);
}

MidiEvent fromWire(wire::MidiEvent::Reader reader) {
  return {reader.getFrame(), {reader.getStatus(), reader.getData1(), reader.getData2()}};
}

void toWire(const Transport& transport, wire::Transport::Builder builder) {
  builder.setPlaying(transport.playing);
  builder.setTempo(transport.tempo);
  builder.setBeats(transport.beats);
  builder.setBarStartBeats(transport.barStartBeats);
  builder.setNumerator(transport.numerator);
  builder.setDenominator(transport.denominator);
}

Transport fromWire(wire::Transport::Reader reader) {
  return {reader.getPlaying(),       reader.getTempo(),     reader.getBeats(),
          reader.getBarStartBeats(), reader.getNumerator(), reader.getDenominator()};
}

}  // namespace bridge32
