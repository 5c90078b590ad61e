// The VST2 shim: a VST2 plugin of the host's architecture that any VST2 host loads like any
// other, and that runs the real plugin (a 32-bit one, typically) in a bridge32 surrogate. The
// file beside it names that plugin (vst2/shim-target.h); `bridge32 wrap` makes both.
//
// Everything the host asks of the effect becomes a call on a bridge32 PluginInstance, and
// everything the plugin says comes back as the VST2 host callback: the one API, so the shim
// gets crash isolation, automatic restarts with state, shared-memory audio and editors in the
// host's window as every bridge32 application does. When the plugin's surrogate dies the shim
// outputs silence, says why in its log and its editor area, and brings the plugin back with its
// state; the host never sees an exception.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "bridge32/host.h"
#include "bridge32/limits.h"
#include "shim-target.h"
#include "vst2-abi.h"  // the VST2 ABI as bridge32 declares it

#if _WIN32
#define SHIM_EXPORT __declspec(dllexport)
#else
#define SHIM_EXPORT __attribute__((visibility("default")))
#endif

namespace bridge32 {
namespace {

// `text` into the host's VST2 string buffer of `size` bytes (b32_vst_copy_text).
void copyText(void* buffer, std::string_view text, size_t size) {
  b32_vst_copy_text(buffer, text.data(), text.size(), size);
}

// A descriptor id as a VST2 unique id: its four characters when it has four, else a hash of it.
int32_t uniqueId(const std::string& id) {
  if (id.size() == 4) {
    return int32_t(uint32_t(uint8_t(id[0])) << 24 | uint32_t(uint8_t(id[1])) << 16 |
                   uint32_t(uint8_t(id[2])) << 8 | uint32_t(uint8_t(id[3])));
  }
  uint32_t hash = 2166136261u;  // FNV-1a
  for (char c : id) hash = (hash ^ uint8_t(c)) * 16777619u;
  return int32_t(hash);
}

class Shim final : public HostCallbacks {
 public:
  // A new effect for `host`, or null (said in the log) when the plugin cannot be loaded.
  static b32_vst_effect* create(b32_vst_host_callback host) {
    logToStandardError();
    try {
      auto shim = std::make_unique<Shim>(host);
      return &shim.release()->effect_;
    } catch (const std::exception& error) {
      spdlog::error("bridge32 VST2 shim: {}", error.what());
      return nullptr;
    }
  }

  explicit Shim(b32_vst_host_callback host) : host_(host) {
    std::filesystem::path self = moduleFileContaining(reinterpret_cast<const void*>(&Shim::create));
    ShimTarget target = readShimTarget(shimTargetFile(self));
    LoadOptions options;
    options.isolation = Isolation::surrogate;  // the point of the shim, whatever the bitness
    options.surrogateDirectory = target.surrogates;
    options.restart.automatic = true;
    module_ = PluginModule::load(target.plugin, options);
    if (module_->plugins().empty()) {
      throw Error(Error::Kind::notFound, "'" + utf8(target.plugin) + "' has no plugins");
    }
    instance_ = module_->createInstance(module_->plugins().front().id, *this);
    const PluginDescriptor& descriptor = instance_->descriptor();
    programs_ = instance_->programNames();
    midi_.reserve(limits::kMaxMidiEventsPerBlock);

    effect_.magic = B32_VST_MAGIC;
    effect_.object = this;
    effect_.dispatcher = [](b32_vst_effect* e, int32_t opcode, int32_t index, b32_vst_intptr value,
                            void* ptr, float opt) { return of(e).dispatch(opcode, index, value, ptr, opt); };
    effect_.set_parameter = [](b32_vst_effect* e, int32_t index, float value) {
      of(e).setParameter(index, value);
    };
    effect_.get_parameter = [](b32_vst_effect* e, int32_t index) { return of(e).getParameter(index); };
    effect_.process_replacing = [](b32_vst_effect* e, float** in, float** out, int32_t frames) {
      of(e).process(in, out, frames, false);
    };
    effect_.process_accumulating = [](b32_vst_effect* e, float** in, float** out, int32_t frames) {
      of(e).process(in, out, frames, true);
    };
    // Hosts that process in double precision get the plugin's single-precision output.
    effect_.process_double_replacing = [](b32_vst_effect* e, double** in, double** out,
                                          int32_t frames) { of(e).process(in, out, frames, false); };
    effect_.num_params = int32_t(instance_->params().size());
    effect_.num_programs = int32_t(programs_.size());
    // An SDK plugin takes as many channels as it is given: stereo, then.
    effect_.num_inputs = descriptor.inputs || descriptor.outputs ? int32_t(descriptor.inputs) : 2;
    effect_.num_outputs = descriptor.inputs || descriptor.outputs ? int32_t(descriptor.outputs) : 2;
    effect_.flags = B32_VST_FLAG_CAN_REPLACING | B32_VST_FLAG_CAN_DOUBLE_REPLACING |
                    B32_VST_FLAG_PROGRAM_CHUNKS;
    if (instance_->hasGui()) effect_.flags |= B32_VST_FLAG_HAS_EDITOR;
    if (descriptor.isInstrument) effect_.flags |= B32_VST_FLAG_IS_SYNTH;
    effect_.unique_id = uniqueId(descriptor.id);
    effect_.version = 1;
    effect_.initial_delay = int32_t(instance_->latency());
    spdlog::info("bridge32 VST2 shim: '{}' ({}) from '{}' in surrogate {}", descriptor.name,
                 descriptor.id, utf8(target.plugin), module_->surrogatePid());
  }

 private:
  static Shim& of(b32_vst_effect* effect) { return *static_cast<Shim*>(effect->object); }

  // A host's standard output is its own (plugin scanners parse it): bridge32's log goes to
  // standard error, unless the host set up logging of its own.
  static void logToStandardError() {
    static std::once_flag once;
    std::call_once(once, [] {
      if (spdlog::default_logger()->name().empty()) {
        spdlog::set_default_logger(spdlog::stderr_color_mt("bridge32"));
      }
      // The library's records and its surrogate's, with the shim's own, on the host's stderr.
      bridge32::setLogHandler(
          [](const bridge32::LogRecord& record) {
            spdlog::default_logger()->log(static_cast<spdlog::level::level_enum>(record.level),
                                          "[{}] {}", record.source, record.message);
          },
          bridge32::LogLevel::info);
    });
  }

  // Runs `body`; a bridge32 error becomes a log line and `fallback`, never an exception in the
  // host's frames.
  template <typename Body, typename Fallback>
  auto guarded(const char* what, Body&& body, Fallback fallback) -> decltype(body()) {
    try {
      return body();
    } catch (const std::exception& error) {
      spdlog::warn("bridge32 VST2 shim: {} failed: {}", what, error.what());
      return fallback;
    }
  }

  b32_vst_intptr dispatch(int32_t opcode, int32_t index, b32_vst_intptr value, void* ptr,
                          float opt) {
    const auto& params = instance_->params();
    bool isParam = index >= 0 && size_t(index) < params.size();
    switch (opcode) {
      case B32_VST_EFF_OPEN: return 0;
      case B32_VST_EFF_CLOSE:
        delete this;
        return 0;
      case B32_VST_EFF_SET_PROGRAM:
        return guarded("choosing a program", [&] { return instance_->setProgram(uint32_t(value)), 0; },
                       0);
      case B32_VST_EFF_GET_PROGRAM:
        return guarded("reading the program", [&] { return b32_vst_intptr(instance_->program()); }, 0);
      case B32_VST_EFF_GET_PROGRAM_NAME: {
        uint32_t current = guarded("reading the program", [&] { return instance_->program(); }, 0u);
        copyText(ptr, current < programs_.size() ? programs_[current] : "",
                       B32_VST_PROGRAM_NAME_SIZE);
        return 0;
      }
      case B32_VST_EFF_GET_PROGRAM_NAME_INDEXED:
        if (index < 0 || size_t(index) >= programs_.size()) return 0;
        copyText(ptr, programs_[size_t(index)], B32_VST_PROGRAM_NAME_SIZE);
        return 1;
      case B32_VST_EFF_GET_PARAM_NAME:
        if (isParam) copyText(ptr, params[size_t(index)].name, B32_VST_NAME_SIZE);
        return 0;
      case B32_VST_EFF_GET_PARAM_LABEL:
        if (isParam) copyText(ptr, params[size_t(index)].unit, B32_VST_PARAM_TEXT_SIZE);
        return 0;
      case B32_VST_EFF_GET_PARAM_DISPLAY:
        if (isParam) {
          std::string shown = guarded(
              "reading a parameter",
              [&] { return instance_->paramDisplay(params[size_t(index)].id); }, std::string());
          copyText(ptr, shown, B32_VST_PARAM_TEXT_SIZE);
        }
        return 0;
      case B32_VST_EFF_SET_SAMPLE_RATE: sampleRate_ = opt; return 0;
      case B32_VST_EFF_SET_BLOCK_SIZE: maxFrames_ = uint32_t(std::max<b32_vst_intptr>(1, value)); return 0;
      case B32_VST_EFF_MAINS_CHANGED:
        guarded("activating", [&] {
          value ? instance_->activate(sampleRate_, maxFrames_) : instance_->deactivate();
          return 0;
        }, 0);
        return 0;
      case B32_VST_EFF_EDIT_GET_RECT:
        rect_ = {0, 0, int16_t(editorSize_.height), int16_t(editorSize_.width)};
        if (ptr) *static_cast<b32_vst_rect**>(ptr) = &rect_;
        return 1;
      case B32_VST_EFF_EDIT_OPEN:
        return guarded("opening the editor", [&] {
          editorSize_ = instance_->openEditor(ptr).size();
          return b32_vst_intptr(1);
        }, b32_vst_intptr(0));
      case B32_VST_EFF_EDIT_CLOSE:
        guarded("closing the editor", [&] { return instance_->closeEditor(), 0; }, 0);
        return 0;
      case B32_VST_EFF_GET_CHUNK:
        chunk_ = guarded("saving the state", [&] { return instance_->saveState(); },
                         std::vector<uint8_t>());
        if (ptr) *static_cast<void**>(ptr) = chunk_.data();
        return b32_vst_intptr(chunk_.size());
      case B32_VST_EFF_SET_CHUNK:
        if (!ptr || value < 0) return 0;
        return guarded("loading a state", [&] {
          instance_->loadState({static_cast<const uint8_t*>(ptr), size_t(value)});
          return b32_vst_intptr(1);
        }, b32_vst_intptr(0));
      case B32_VST_EFF_PROCESS_EVENTS: receive(static_cast<const b32_vst_events*>(ptr)); return 1;
      case B32_VST_EFF_CAN_BE_AUTOMATED: return isParam && !params[size_t(index)].isReadOnly();
      case B32_VST_EFF_GET_EFFECT_NAME:
      case B32_VST_EFF_GET_PRODUCT_STRING:
        copyText(ptr, instance_->descriptor().name, B32_VST_NAME_SIZE);
        return 1;
      case B32_VST_EFF_GET_VENDOR_STRING:
        copyText(ptr, instance_->descriptor().vendor, B32_VST_VENDOR_SIZE);
        return 1;
      case B32_VST_EFF_GET_VENDOR_VERSION: return std::atoi(instance_->descriptor().version.c_str());
      case B32_VST_EFF_CAN_DO: {
        if (!ptr) return 0;
        std::string_view what(static_cast<const char*>(ptr), strnlen(static_cast<const char*>(ptr), 64));
        return what == "receiveVstEvents" || what == "receiveVstMidiEvent" ||
                       what == "receiveVstTimeInfo"
                   ? 1
                   : 0;
      }
      case B32_VST_EFF_GET_PLUG_CATEGORY: return instance_->descriptor().isInstrument ? 2 : 1;
      case B32_VST_EFF_GET_VST_VERSION: return 2400;
    }
    return 0;
  }

  // A VST2 value (0..1) and the parameter's own range.
  void setParameter(int32_t index, float value) {
    const auto& params = instance_->params();
    if (index < 0 || size_t(index) >= params.size()) return;
    const ParamInfo& param = params[size_t(index)];
    double own = param.minValue + std::clamp(double(value), 0.0, 1.0) * (param.maxValue - param.minValue);
    if (param.isStepped()) own = std::round(own);
    guarded("setting a parameter", [&] { return instance_->setParam(param.id, own), 0; }, 0);
  }

  float getParameter(int32_t index) {
    const auto& params = instance_->params();
    if (index < 0 || size_t(index) >= params.size()) return 0;
    const ParamInfo& param = params[size_t(index)];
    double own = guarded("reading a parameter", [&] { return instance_->param(param.id); },
                         param.minValue);
    return float(normalized(param, own));
  }

  static double normalized(const ParamInfo& param, double value) {
    double range = param.maxValue - param.minValue;
    return range > 0 ? std::clamp((value - param.minValue) / range, 0.0, 1.0) : 0.0;
  }

  // [audio-thread] The next block's MIDI, in frame order.
  void receive(const b32_vst_events* events) {
    if (!events) return;
    for (int32_t i = 0; i < events->count && midi_.size() < midi_.capacity(); ++i) {
      const b32_vst_event* event = events->events[i];
      if (!event || event->type != B32_VST_EVENT_MIDI) continue;
      const auto* midi = reinterpret_cast<const b32_vst_midi_event*>(event);
      MidiEvent given{uint32_t(std::max(midi->delta_frames, 0)),
                      {uint8_t(midi->midi_data[0]), uint8_t(midi->midi_data[1]),
                       uint8_t(midi->midi_data[2])}};
      auto at = std::upper_bound(midi_.begin(), midi_.end(), given,
                                 [](const MidiEvent& a, const MidiEvent& b) { return a.frame < b.frame; });
      midi_.insert(at, given);  // within the capacity reserved: no allocation
    }
  }

  // [audio-thread] The host's transport, if it says.
  const Transport* transport() {
    auto* time = reinterpret_cast<const b32_vst_time_info*>(host_(
        &effect_, B32_VST_MASTER_GET_TIME, 0,
        B32_VST_TIME_TEMPO_VALID | B32_VST_TIME_PPQ_POS_VALID | B32_VST_TIME_BARS_VALID |
            B32_VST_TIME_SIG_VALID,
        nullptr, 0));
    if (!time || !(time->flags & B32_VST_TIME_TEMPO_VALID) || !(time->tempo > 0)) return nullptr;
    transport_.playing = (time->flags & B32_VST_TIME_TRANSPORT_PLAYING) != 0;
    transport_.tempo = time->tempo;
    transport_.beats = time->flags & B32_VST_TIME_PPQ_POS_VALID ? time->ppq_pos : 0;
    transport_.barStartBeats = time->flags & B32_VST_TIME_BARS_VALID ? time->bar_start_pos : 0;
    bool signature = (time->flags & B32_VST_TIME_SIG_VALID) && time->time_sig_numerator > 0 &&
                     time->time_sig_denominator > 0;
    transport_.numerator = signature ? uint32_t(time->time_sig_numerator) : 4;
    transport_.denominator = signature ? uint32_t(time->time_sig_denominator) : 4;
    return &transport_;
  }

  // [audio-thread] One block of floats or doubles: the host's channels into the plugin's
  // shared-memory buffers and back. A stopped plugin is silence.
  template <typename Sample>
  void process(Sample** inputs, Sample** outputs, int32_t count, bool accumulate) {
    uint32_t frames = uint32_t(std::max(count, 0));
    uint32_t ins = uint32_t(effect_.num_inputs), outs = uint32_t(effect_.num_outputs);
    uint32_t channels = std::max(ins, outs);
    bool done = false;
    if (frames > 0 && channels > 0 && !stopped_.load(std::memory_order_acquire)) {
      try {
        auto buffers = instance_->audioBuffers(channels, frames);
        for (uint32_t c = 0; c < channels; ++c) {
          float* to = buffers.input.data() + size_t(c) * frames;
          if (c < ins) {
            std::transform(inputs[c], inputs[c] + frames, to,
                           [](Sample sample) { return float(sample); });
          } else {
            std::fill(to, to + frames, 0.0f);
          }
        }
        instance_->processAudioBuffers(channels, frames, {midi_, transport()});
        for (uint32_t c = 0; c < outs; ++c) {
          const float* from = buffers.output.data() + size_t(c) * frames;
          for (uint32_t f = 0; f < frames; ++f) {
            outputs[c][f] = accumulate ? outputs[c][f] + from[f] : from[f];
          }
        }
        done = true;
      } catch (const std::exception& error) {
        if (!warnedProcess_.exchange(true)) {
          spdlog::warn("bridge32 VST2 shim: processing failed, the output is silent: {}",
                       error.what());
        }
      }
    }
    midi_.clear();
    if (!done && !accumulate) {
      for (uint32_t c = 0; c < outs; ++c) std::fill(outputs[c], outputs[c] + frames, Sample(0));
    }
  }

  // HostCallbacks: what the plugin says, as the VST2 host callback.
  void paramChanged(uint32_t id, double value) override {
    const auto& params = instance_->params();
    for (size_t i = 0; i < params.size(); ++i) {
      if (params[i].id != id) continue;
      host_(&effect_, B32_VST_MASTER_AUTOMATE, int32_t(i), 0, nullptr,
            float(normalized(params[i], value)));
    }
  }
  void editorResized(EditorSize size) override {
    editorSize_ = size;
    host_(&effect_, B32_VST_MASTER_SIZE_WINDOW, int32_t(size.width), b32_vst_intptr(size.height),
          nullptr, 0);
  }
  void pluginStopped(std::string_view why) override {
    stopped_.store(true, std::memory_order_release);
    spdlog::error("bridge32 VST2 shim: the plugin stopped ({}); silent until it is back", why);
  }
  void pluginRestarted() override {
    stopped_.store(false, std::memory_order_release);
    warnedProcess_ = false;
    spdlog::info("bridge32 VST2 shim: the plugin is back, with its state");
  }
  void pluginRestartFailed(std::string_view why, bool willRetry) override {
    spdlog::error("bridge32 VST2 shim: restarting the plugin failed ({}){}", why,
                  willRetry ? "; trying again" : "");
  }

  b32_vst_effect effect_{};
  b32_vst_host_callback host_;
  std::unique_ptr<PluginModule> module_;
  std::unique_ptr<PluginInstance> instance_;  // after module_: destroyed first
  std::vector<std::string> programs_;
  double sampleRate_ = 44100;
  uint32_t maxFrames_ = 1024;
  std::vector<MidiEvent> midi_;  // the next block's, capacity reserved once
  Transport transport_;
  std::vector<uint8_t> chunk_;   // the last effGetChunk's, which the host reads after the call
  EditorSize editorSize_;
  b32_vst_rect rect_{};
  std::atomic<bool> stopped_{false};
  std::atomic<bool> warnedProcess_{false};
};

}  // namespace
}  // namespace bridge32

extern "C" SHIM_EXPORT b32_vst_effect* B32_VST_CALL VSTPluginMain(b32_vst_host_callback host) {
  if (!host) return nullptr;
  return bridge32::Shim::create(host);
}
