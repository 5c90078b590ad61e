#include "vst2/vst2-plugin.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <utility>

#include "bridge32/error.h"
#include "bridge32/ext/gui.h"
#include "bridge32/limits.h"
#include "bridge32/module-file.h"
#include "dynamic-library.h"
#include "logging.h"

namespace bridge32 {

namespace {

// The instance whose effect the entry point is creating on this thread: the effect's first host
// callbacks come before the host could mark it as its own.
thread_local Vst2Instance* tCreating = nullptr;
// Whether this thread is inside process(): B32_VST_MASTER_GET_CURRENT_PROCESS_LEVEL's answer.
thread_local bool tProcessing = false;

// A VST2 unique id as its four characters when they are printable ("Ab1x"), else its number.
std::string uniqueIdText(int32_t id) {
  std::string text;
  for (int shift = 24; shift >= 0; shift -= 8) {
    char c = char((uint32_t(id) >> shift) & 0xff);
    if (c < 0x20 || c > 0x7e) return std::to_string(id);
    text += c;
  }
  return text;
}

// A value a plugin gave as a VST2 parameter value: within [0, 1], where float arithmetic leaves
// some a hair outside (-1.6e-9, say). Values further out are left for the caller to refuse.
double normalized(float value) {
  constexpr float kSlack = 1e-6f;
  if (value < 0 && value >= -kSlack) return 0;
  if (value > 1 && value <= 1 + kSlack) return 1;
  return value;
}

// What bridge32 tells a plugin that asks whether its host can do something.
bool hostCanDo(std::string_view what) {
  static constexpr std::string_view kCan[] = {"sendVstTimeInfo", "sizeWindow"};
  return std::find(std::begin(kCan), std::end(kCan), what) != std::end(kCan);
}

void writeLe32(std::vector<uint8_t>& out, uint32_t value) {
  for (int i = 0; i < 4; ++i) out.push_back(uint8_t(value >> (8 * i)));
}

uint32_t readLe32(const uint8_t* in) {
  return uint32_t(in[0]) | uint32_t(in[1]) << 8 | uint32_t(in[2]) << 16 | uint32_t(in[3]) << 24;
}

}  // namespace

Vst2Module::Vst2Module(const std::filesystem::path& path)
    : path_(path), directory_(utf8(path.parent_path())) {
  checkLoadableHere(path);
  library_ = std::make_unique<DynamicLibrary>(path);
  for (const char* name : vst2::kEntryPoints) {
    if (void* symbol = library_->symbol(name)) {
      entry_ = reinterpret_cast<b32_vst_entry>(symbol);
      break;
    }
  }
  if (!entry_) {
    throw Error(Error::Kind::badModule, "'" + utf8(path) + "' exports neither " +
                                            vst2::kEntryPoints[0] + " nor " +
                                            vst2::kEntryPoints[1] + ": it is not a VST2 plugin");
  }
  // VST2 describes a plugin only through an effect: make one, read it, close it, as hosts do when
  // they scan.
  PluginHost quiet;
  Vst2Instance look(*this, nullptr, quiet, nullptr);
  plugins_.push_back(look.descriptor());
}

Vst2Module::~Vst2Module() = default;

std::unique_ptr<LocalInstance> Vst2Module::createInstance(std::string_view pluginId,
                                                          PluginHost& host,
                                                          EditorHost* editorHost) {
  if (pluginId != plugins_.front().id) {
    throw Error(Error::Kind::notFound, "'" + utf8(path_) + "' has one plugin, '" +
                                           plugins_.front().id + "'; it has no plugin with id '" +
                                           std::string(pluginId) + "'");
  }
  return std::make_unique<Vst2Instance>(*this, shared_from_this(), host, editorHost);
}

Vst2Instance::Vst2Instance(const Vst2Module& module, std::shared_ptr<const Vst2Module> keepAlive,
                           PluginHost& host, EditorHost* editorHost)
    : module_(std::move(keepAlive)),
      callbacks_(host),
      editorHost_(editorHost),
      directory_(module.directory()) {
  std::string where = "'" + utf8(module.path()) + "'";
  Vst2Instance* outer = std::exchange(tCreating, this);
  effect_ = module.entry()(&hostCallback);
  tCreating = outer;
  if (!effect_) {
    throw Error(Error::Kind::failed, where + ": its VST2 entry point returned no effect");
  }
  if (effect_->magic != B32_VST_MAGIC) {
    int32_t magic = effect_->magic;
    effect_ = nullptr;  // not an effect: nothing of it can be called, not even to close it
    throw Error(Error::Kind::badModule,
                where + "'s VST2 entry point returned something that is not an effect (magic " +
                    fmt::format("{:#010x}", uint32_t(magic)) + ", expected 0x56737450 'VstP')");
  }
  auto absurd = [&](const char* what, int32_t count, int32_t max) {
    if (count >= 0 && count <= max) return;
    effect_ = nullptr;  // described this badly, it is not trusted to close
    throw Error(Error::Kind::badModule, where + "'s effect says it has " + std::to_string(count) +
                                           " " + what + "; bridge32 takes 0 to " +
                                           std::to_string(max));
  };
  absurd("parameters", effect_->num_params, int32_t(limits::kMaxParams));
  absurd("inputs", effect_->num_inputs, vst2::kMaxChannels);
  absurd("outputs", effect_->num_outputs, vst2::kMaxChannels);
  absurd("programs", effect_->num_programs, vst2::kMaxPrograms);
  bool flagged = (effect_->flags & B32_VST_FLAG_CAN_REPLACING) != 0;
  bool flaggedDouble = (effect_->flags & B32_VST_FLAG_CAN_DOUBLE_REPLACING) != 0;
  if (effect_->process_replacing && (flagged || !effect_->process_accumulating)) {
    processCall_ = ProcessCall::replacing;
  } else if (effect_->process_double_replacing && flaggedDouble) {
    processCall_ = ProcessCall::doubleReplacing;
  } else {
    processCall_ = ProcessCall::accumulating;
  }
  if (!effect_->dispatcher || !effect_->get_parameter || !effect_->set_parameter ||
      (processCall_ == ProcessCall::accumulating && !effect_->process_accumulating)) {
    effect_ = nullptr;
    throw Error(Error::Kind::badModule,
                where + "'s effect lacks a dispatcher, parameter or process function");
  }
  effect_->host_reserved = reinterpret_cast<b32_vst_intptr>(this);

  dispatch(B32_VST_EFF_OPEN);
  try {
    descriptor_ = describe(module);
    for (int32_t i = 0; i < effect_->num_params; ++i) {
      ParamInfo info;
      info.id = uint32_t(i);
      info.minValue = 0;
      info.maxValue = 1;
      info.defaultValue = normalized(effect_->get_parameter(effect_, i));
      info.name = text(B32_VST_EFF_GET_PARAM_NAME, i);
      if (info.name.empty()) info.name = "Parameter " + std::to_string(i);
      info.unit = text(B32_VST_EFF_GET_PARAM_LABEL, i);
      params_.push_back(std::move(info));
    }
    paramReports_.known(params_);
    midi_.resize(limits::kMaxMidiEventsPerBlock);
    // b32_vst_events: count and reserved (each a pointer's size, the count padded), then pointers.
    midiList_.assign(2 + limits::kMaxMidiEventsPerBlock, 0);
  } catch (...) {
    dispatch(B32_VST_EFF_CLOSE);
    effect_ = nullptr;
    throw;
  }
}

Vst2Instance::~Vst2Instance() {
  if (!effect_) return;
  try {
    closeEditor();
    deactivate();
  } catch (...) {
  }
  dispatch(B32_VST_EFF_CLOSE);  // the plugin frees its effect
}

PluginDescriptor Vst2Instance::describe(const Vst2Module& module) {
  PluginDescriptor descriptor;
  descriptor.id = uniqueIdText(effect_->unique_id);
  descriptor.name = text(B32_VST_EFF_GET_EFFECT_NAME);
  if (descriptor.name.empty()) descriptor.name = text(B32_VST_EFF_GET_PRODUCT_STRING);
  if (descriptor.name.empty()) descriptor.name = utf8(module.path().stem());
  descriptor.vendor = text(B32_VST_EFF_GET_VENDOR_STRING);
  b32_vst_intptr version = dispatch(B32_VST_EFF_GET_VENDOR_VERSION);
  descriptor.version = std::to_string(version ? version : effect_->version);
  descriptor.inputs = uint32_t(effect_->num_inputs);
  descriptor.outputs = uint32_t(effect_->num_outputs);
  descriptor.isInstrument = (effect_->flags & B32_VST_FLAG_IS_SYNTH) != 0;
  return descriptor;
}

b32_vst_intptr Vst2Instance::dispatch(int32_t opcode, int32_t index, b32_vst_intptr value,
                                      void* ptr, float opt) {
  return effect_->dispatcher(effect_, opcode, index, value, ptr, opt);
}

std::string Vst2Instance::text(int32_t opcode, int32_t index) {
  char buffer[vst2::kTextBuffer] = {};
  dispatch(opcode, index, 0, buffer);
  return keptText(buffer);
}

std::string Vst2Instance::keptText(const char (&buffer)[vst2::kTextBuffer]) {
  size_t written = strnlen(buffer, sizeof buffer);
  size_t length = std::min(written, vst2::kKeptText);
  // Cut between characters, not inside one.
  while (length > 0 && length < written && (uint8_t(buffer[length]) & 0xc0) == 0x80) --length;
  return validUtf8(std::string_view(buffer, length));
}

// ---- The host callback -------------------------------------------------------------------------

b32_vst_intptr B32_VST_CALL Vst2Instance::hostCallback(b32_vst_effect* effect, int32_t opcode,
                                                       int32_t index, b32_vst_intptr value,
                                                       void* ptr, float opt) {
  if (opcode == B32_VST_MASTER_VERSION) return vst2::kHostVersion;
  Vst2Instance* self = effect && effect->host_reserved
                           ? reinterpret_cast<Vst2Instance*>(effect->host_reserved)
                           : tCreating;
  if (!self) return 0;
  try {  // nothing may unwind through the plugin's frames
    return self->answer(opcode, index, value, ptr, opt);
  } catch (...) {
    return 0;
  }
}

b32_vst_intptr Vst2Instance::answer(int32_t opcode, int32_t index, b32_vst_intptr value,
                                    void* ptr, float opt) {
  switch (opcode) {
    case B32_VST_MASTER_AUTOMATE:
      paramReports_.report(callbacks_, "VST2 plugin", descriptor_.id,
                           "reported a parameter change before it was open", uint32_t(index),
                           normalized(opt));
      return 0;
    case B32_VST_MASTER_CURRENT_ID: return effect_ ? effect_->unique_id : 0;
    case B32_VST_MASTER_IDLE: return 0;
    case B32_VST_MASTER_WANT_MIDI: return 1;
    case B32_VST_MASTER_GET_TIME: return reinterpret_cast<b32_vst_intptr>(&time_);
    case B32_VST_MASTER_IO_CHANGED: return 0;
    case B32_VST_MASTER_SIZE_WINDOW: {
      EditorSize size{uint32_t(index), uint32_t(value)};
      if (!editorOpen_ || !editorHost_ || index <= 0 || value <= 0 || !size.isValid()) return 0;
      return editorHost_->requestResize(size) ? 1 : 0;
    }
    case B32_VST_MASTER_GET_SAMPLE_RATE: return b32_vst_intptr(sampleRate_);
    case B32_VST_MASTER_GET_BLOCK_SIZE: return b32_vst_intptr(maxFrames_);
    case B32_VST_MASTER_GET_INPUT_LATENCY:
    case B32_VST_MASTER_GET_OUTPUT_LATENCY: return 0;
    case B32_VST_MASTER_GET_CURRENT_PROCESS_LEVEL:
      return tProcessing ? B32_VST_PROCESS_LEVEL_REALTIME : B32_VST_PROCESS_LEVEL_USER;
    case B32_VST_MASTER_GET_AUTOMATION_STATE: return 1;  // off: bridge32 records no automation
    case B32_VST_MASTER_GET_VENDOR_STRING:
      vst2::copyText(ptr, "bridge32", B32_VST_VENDOR_SIZE);
      return 1;
    case B32_VST_MASTER_GET_PRODUCT_STRING:
      vst2::copyText(ptr, "bridge32", B32_VST_PRODUCT_SIZE);
      return 1;
    case B32_VST_MASTER_GET_VENDOR_VERSION: return 1;
    case B32_VST_MASTER_CAN_DO: {
      if (!ptr) return 0;
      std::string_view what(static_cast<const char*>(ptr),
                            strnlen(static_cast<const char*>(ptr), vst2::kTextBuffer));
      return hostCanDo(what) ? 1 : -1;
    }
    case B32_VST_MASTER_GET_LANGUAGE: return 1;  // English
    case B32_VST_MASTER_GET_DIRECTORY: return reinterpret_cast<b32_vst_intptr>(directory_.c_str());
    case B32_VST_MASTER_UPDATE_DISPLAY:
    case B32_VST_MASTER_BEGIN_EDIT:
    case B32_VST_MASTER_END_EDIT: return 1;
  }
  uint64_t bit = opcode >= 0 && opcode < 64 ? uint64_t(1) << opcode : uint64_t(1) << 63;
  if (!(refusedOpcodes_.fetch_or(bit) & bit)) {
    logging::info("VST2 plugin '{}' asked its host for opcode {} (index {}, value {}), which "
                  "bridge32 does not serve; answered 0",
                  descriptor_.id.empty() ? directory_ : descriptor_.id, opcode, index,
                  int64_t(value));
  }
  return 0;
}

// ---- Parameters and state ----------------------------------------------------------------------

const ParamInfo& Vst2Instance::paramById(uint32_t id) const {
  if (id >= params_.size()) {
    throw Error(Error::Kind::notFound, "VST2 plugin '" + descriptor_.id + "' has " +
                                           std::to_string(params_.size()) +
                                           " parameters; it has no parameter " +
                                           std::to_string(id));
  }
  return params_[id];
}

double Vst2Instance::param(uint32_t id) {
  paramById(id);
  return normalized(effect_->get_parameter(effect_, int32_t(id)));
}

void Vst2Instance::setParam(uint32_t id, double value) {
  checkParamValue(paramById(id), value, descriptor_.id);
  effect_->set_parameter(effect_, int32_t(id), float(value));
}

std::string Vst2Instance::paramDisplay(uint32_t id) {
  paramById(id);
  return text(B32_VST_EFF_GET_PARAM_DISPLAY, int32_t(id));
}

std::vector<uint8_t> Vst2Instance::saveState() {
  if (effect_->flags & B32_VST_FLAG_PROGRAM_CHUNKS) {
    void* data = nullptr;
    b32_vst_intptr size = dispatch(B32_VST_EFF_GET_CHUNK, 0, 0, &data);
    if (size < 0 || uint64_t(size) > limits::kMaxStateBytes) {
      throw Error(Error::Kind::failed,
                  "VST2 plugin '" + descriptor_.id + "' returned a chunk of " +
                      std::to_string(int64_t(size)) + " bytes; bridge32 takes 0 to " +
                      std::to_string(limits::kMaxStateBytes) + " (limits::kMaxStateBytes)");
    }
    if (size > 0 && !data) {
      throw Error(Error::Kind::failed, "VST2 plugin '" + descriptor_.id + "' returned a chunk of " +
                                           std::to_string(int64_t(size)) + " bytes at no address");
    }
    auto bytes = static_cast<const uint8_t*>(data);
    return std::vector<uint8_t>(bytes, bytes + size);
  }
  std::vector<uint8_t> state(std::begin(kParamStateMagic), std::end(kParamStateMagic));
  writeLe32(state, 1);
  writeLe32(state, uint32_t(dispatch(B32_VST_EFF_GET_PROGRAM)));
  writeLe32(state, uint32_t(params_.size()));
  for (int32_t i = 0; i < int32_t(params_.size()); ++i) {
    float value = effect_->get_parameter(effect_, i);
    uint32_t bits;
    std::memcpy(&bits, &value, sizeof bits);
    writeLe32(state, bits);
  }
  return state;
}

void Vst2Instance::loadState(std::span<const uint8_t> state) {
  if (state.size() > limits::kMaxStateBytes) {
    throw Error(Error::Kind::invalidArgument,
                "a state of " + std::to_string(state.size()) + " bytes exceeds the limit of " +
                    std::to_string(limits::kMaxStateBytes));
  }
  if (effect_->flags & B32_VST_FLAG_PROGRAM_CHUNKS) {
    // The plugin reads the chunk during the call; it gets a copy of its own, not the caller's.
    std::vector<uint8_t> chunk(state.begin(), state.end());
    dispatch(B32_VST_EFF_SET_CHUNK, 0, b32_vst_intptr(chunk.size()), chunk.data());
    return;
  }
  constexpr size_t kHeader = sizeof kParamStateMagic + 12;
  bool isRecord = state.size() >= kHeader &&
                  std::equal(std::begin(kParamStateMagic), std::end(kParamStateMagic),
                             state.begin());
  if (!isRecord || readLe32(&state[8]) != 1) {
    throw Error(Error::Kind::invalidArgument,
                "a state of " + std::to_string(state.size()) + " bytes is not what VST2 plugin '" +
                    descriptor_.id + "' saves (it has no chunks: a record of its parameters, "
                    "starting 'b32vst2p', version 1)");
  }
  uint32_t program = readLe32(&state[12]), count = readLe32(&state[16]);
  if (count != params_.size() || state.size() != kHeader + 4 * size_t(count)) {
    throw Error(Error::Kind::invalidArgument,
                "a parameter record of " + std::to_string(count) + " values (" +
                    std::to_string(state.size()) + " bytes) does not fit VST2 plugin '" +
                    descriptor_.id + "', which has " + std::to_string(params_.size()) +
                    " parameters");
  }
  if (int64_t(program) < effect_->num_programs) {
    dispatch(B32_VST_EFF_BEGIN_SET_PROGRAM);
    dispatch(B32_VST_EFF_SET_PROGRAM, 0, b32_vst_intptr(program));
    dispatch(B32_VST_EFF_END_SET_PROGRAM);
  }
  for (uint32_t i = 0; i < count; ++i) {
    uint32_t bits = readLe32(&state[kHeader + 4 * i]);
    float value;
    std::memcpy(&value, &bits, sizeof value);
    if (!(value >= 0 && value <= 1)) continue;  // NaN or out of range: not a VST2 value
    effect_->set_parameter(effect_, int32_t(i), value);
  }
}

// ---- Processing --------------------------------------------------------------------------------

void Vst2Instance::activate(double sampleRate, uint32_t maxFrames) {
  checkActivation(sampleRate, maxFrames);
  deactivate();
  sampleRate_ = sampleRate;
  maxFrames_ = maxFrames;
  dispatch(B32_VST_EFF_SET_SAMPLE_RATE, 0, 0, nullptr, float(sampleRate));
  dispatch(B32_VST_EFF_SET_BLOCK_SIZE, 0, b32_vst_intptr(maxFrames));
  inputs_.assign(size_t(effect_->num_inputs), nullptr);
  outputs_.assign(size_t(effect_->num_outputs), nullptr);
  silence_.assign(maxFrames, 0.0f);
  spare_.assign(size_t(effect_->num_outputs) * maxFrames, 0.0f);
  if (processCall_ == ProcessCall::doubleReplacing) {
    dispatch(B32_VST_EFF_SET_PROCESS_PRECISION, 0, 1);  // 64-bit samples
    size_t ins = size_t(effect_->num_inputs), outs = size_t(effect_->num_outputs);
    doubleSamples_.assign((ins + outs) * maxFrames, 0.0);
    doubleInputs_.resize(ins);
    doubleOutputs_.resize(outs);
    for (size_t c = 0; c < ins + outs; ++c) {
      (c < ins ? doubleInputs_[c] : doubleOutputs_[c - ins]) = doubleSamples_.data() + c * maxFrames;
    }
  }
  Transport stopped;
  follow(stopped);
  time_.sample_pos = 0;
  time_.sample_rate = sampleRate;
  dispatch(B32_VST_EFF_MAINS_CHANGED, 0, 1);
  dispatch(B32_VST_EFF_START_PROCESS);
  active_ = true;
}

void Vst2Instance::deactivate() {
  if (!active_) return;
  active_ = false;
  dispatch(B32_VST_EFF_STOP_PROCESS);
  dispatch(B32_VST_EFF_MAINS_CHANGED, 0, 0);
}

void Vst2Instance::process(uint32_t channels, uint32_t frames, std::span<const float> input,
                           std::span<float> output, const BlockEvents& events) {
  checkProcessBlock(descriptor_.id, active_, maxFrames_, channels, frames, input.size(),
                    output.size());
  checkBlockEvents(events);
  if (events.transport) follow(*events.transport);
  // The plugin's channels take the caller's in order; those the caller has none for read silence
  // or write to spare buffers, and the caller's channels the plugin has no output for are silent.
  // VST2 does not promise that a plugin leaves its inputs alone; the caller's block is its input.
  for (size_t c = 0; c < inputs_.size(); ++c) {
    inputs_[c] = c < channels ? const_cast<float*>(input.data() + c * frames) : silence_.data();
  }
  for (size_t c = 0; c < outputs_.size(); ++c) {
    outputs_[c] = c < channels ? output.data() + c * frames : spare_.data() + c * maxFrames_;
  }
  if (outputs_.size() < channels) {
    std::fill(output.begin() + ptrdiff_t(outputs_.size() * frames), output.end(), 0.0f);
  }
  tProcessing = true;
  if (!events.midi.empty()) sendMidi(events.midi, frames);
  switch (processCall_) {
    case ProcessCall::replacing:
      effect_->process_replacing(effect_, inputs_.data(), outputs_.data(), int32_t(frames));
      break;
    case ProcessCall::doubleReplacing:
      for (size_t c = 0; c < inputs_.size(); ++c) {
        std::copy(inputs_[c], inputs_[c] + frames, doubleInputs_[c]);
      }
      effect_->process_double_replacing(effect_, doubleInputs_.data(), doubleOutputs_.data(),
                                        int32_t(frames));
      for (size_t c = 0; c < outputs_.size(); ++c) {
        std::transform(doubleOutputs_[c], doubleOutputs_[c] + frames, outputs_[c],
                       [](double sample) { return float(sample); });
      }
      break;
    case ProcessCall::accumulating:  // the deprecated call adds to what the outputs hold
      for (float* out : outputs_) std::fill(out, out + frames, 0.0f);
      effect_->process_accumulating(effect_, inputs_.data(), outputs_.data(), int32_t(frames));
      break;
  }
  tProcessing = false;
  time_.sample_pos += frames;
}

void Vst2Instance::sendMidi(std::span<const MidiEvent> events, uint32_t frames) {
  auto* list = reinterpret_cast<b32_vst_events*>(midiList_.data());
  static_assert(offsetof(b32_vst_events, events) == 2 * sizeof(b32_vst_intptr));
  list->count = int32_t(events.size());
  list->reserved = 0;
  for (size_t i = 0; i < events.size(); ++i) {
    b32_vst_midi_event& midi = midi_[i];
    midi = {};
    midi.type = B32_VST_EVENT_MIDI;
    midi.byte_size = sizeof midi;
    midi.delta_frames = int32_t(clampedFrame(events[i], frames));
    for (int b = 0; b < 3; ++b) midi.midi_data[b] = char(events[i].bytes[b]);
    midiList_[2 + i] = reinterpret_cast<b32_vst_intptr>(&midi);
  }
  dispatch(B32_VST_EFF_PROCESS_EVENTS, 0, 0, list);
}

void Vst2Instance::follow(const Transport& transport) {
  int32_t flags = B32_VST_TIME_TEMPO_VALID | B32_VST_TIME_PPQ_POS_VALID | B32_VST_TIME_BARS_VALID |
                  B32_VST_TIME_SIG_VALID;
  if (transport.playing) flags |= B32_VST_TIME_TRANSPORT_PLAYING;
  bool wasPlaying = (time_.flags & B32_VST_TIME_TRANSPORT_PLAYING) != 0;
  if (transport.playing != wasPlaying) flags |= B32_VST_TIME_TRANSPORT_CHANGED;
  time_.tempo = transport.tempo;
  time_.ppq_pos = transport.beats;
  time_.bar_start_pos = transport.barStartBeats;
  time_.time_sig_numerator = int32_t(transport.numerator);
  time_.time_sig_denominator = int32_t(transport.denominator);
  time_.flags = flags;
}

std::vector<std::string> Vst2Instance::programNames() {
  std::vector<std::string> names;
  int32_t current = int32_t(dispatch(B32_VST_EFF_GET_PROGRAM));
  for (int32_t i = 0; i < effect_->num_programs; ++i) {
    char buffer[vst2::kTextBuffer] = {};
    bool named = dispatch(B32_VST_EFF_GET_PROGRAM_NAME_INDEXED, i, -1, buffer) != 0;
    names.push_back(named ? keptText(buffer) : i == current ? text(B32_VST_EFF_GET_PROGRAM_NAME)
                                                           : std::string());
  }
  return names;
}

uint32_t Vst2Instance::program() {
  return uint32_t(std::max<b32_vst_intptr>(0, dispatch(B32_VST_EFF_GET_PROGRAM)));
}

void Vst2Instance::setProgram(uint32_t index) {
  if (int64_t(index) >= effect_->num_programs) {
    throw Error(Error::Kind::invalidArgument, "VST2 plugin '" + descriptor_.id + "' has " +
                                                  std::to_string(effect_->num_programs) +
                                                  " programs; it has no program " +
                                                  std::to_string(index));
  }
  dispatch(B32_VST_EFF_BEGIN_SET_PROGRAM);
  dispatch(B32_VST_EFF_SET_PROGRAM, 0, b32_vst_intptr(index));
  dispatch(B32_VST_EFF_END_SET_PROGRAM);
}

uint32_t Vst2Instance::latency() { return uint32_t(std::max(effect_->initial_delay, 0)); }

// ---- The editor --------------------------------------------------------------------------------

bool Vst2Instance::hasGui() const { return (effect_->flags & B32_VST_FLAG_HAS_EDITOR) != 0; }

EditorSize Vst2Instance::editorRect(std::string_view when) {
  b32_vst_rect* rect = nullptr;
  dispatch(B32_VST_EFF_EDIT_GET_RECT, 0, 0, &rect);
  if (!rect) {
    throw Error(Error::Kind::failed, "VST2 plugin '" + descriptor_.id + "' " + std::string(when) +
                                         " no editor size");
  }
  int width = rect->right - rect->left, height = rect->bottom - rect->top;
  EditorSize size{uint32_t(std::max(width, 0)), uint32_t(std::max(height, 0))};
  if (!size.isValid()) {
    throw Error(Error::Kind::failed, "VST2 plugin '" + descriptor_.id + "' " + std::string(when) +
                                         " an editor size of " + std::to_string(width) + " x " +
                                         std::to_string(height) + ", outside " +
                                         EditorSize::validRange());
  }
  return size;
}

EditorInfo Vst2Instance::openEditor(uint32_t api, void* parent) {
  if (!hasGui()) {
    throw Error(Error::Kind::unsupported, "VST2 plugin '" + descriptor_.id + "' has no editor");
  }
  if (editorOpen_) {
    throw Error(Error::Kind::badState,
                "VST2 plugin '" + descriptor_.id + "' already has an editor open");
  }
  if (api != kNativeWindowApi) {
    throw Error(Error::Kind::unsupported, "VST2 plugin '" + descriptor_.id +
                                              "' cannot embed its editor in a window of API " +
                                              std::to_string(api) + " in this process");
  }
  if (api == B32_WINDOW_API_X11) {
    // An X11 editor reads its own display connection when the host calls effEditIdle, as a
    // Linux VST2 host does from its GUI thread some 30 times a second.
    if (editorHost_) {
      idleTimer_ = editorHost_->startTimer(std::chrono::milliseconds(30),
                                           [this](uint32_t) { dispatch(B32_VST_EFF_EDIT_IDLE); });
    }
    if (idleTimer_ == 0) {
      throw Error(Error::Kind::unsupported,
                  "VST2 plugin '" + descriptor_.id +
                      "' cannot embed its X11 editor here: nothing would call its effEditIdle "
                      "(open it from a surrogate, which does)");
    }
  }
  dispatch(B32_VST_EFF_EDIT_OPEN, 0, 0, parent);
  editorOpen_ = true;
  try {
    return EditorInfo{editorRect("reported"), false};
  } catch (...) {
    closeEditor();
    throw;
  }
}

void Vst2Instance::closeEditor() {
  if (idleTimer_ != 0) editorHost_->stopTimer(std::exchange(idleTimer_, 0));
  if (!editorOpen_) return;
  editorOpen_ = false;
  dispatch(B32_VST_EFF_EDIT_CLOSE);
}

EditorSize Vst2Instance::setEditorSize(EditorSize) {
  if (!editorOpen_) {
    throw Error(Error::Kind::badState, "VST2 plugin '" + descriptor_.id + "' has no editor open");
  }
  return editorRect("has");
}

void Vst2Instance::showEditor(bool) {
  if (!editorOpen_) {
    throw Error(Error::Kind::badState, "VST2 plugin '" + descriptor_.id + "' has no editor open");
  }
  // A VST2 editor is a child of its container from effEditOpen on, and shows with it.
}

}  // namespace bridge32
