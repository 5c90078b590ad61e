// A VST2 plugin as bridge32 sees every plugin: the VST2 format's LocalModule and LocalInstance
// (plugin/local-plugin.h). The surrogate serves these over the pipe; the host uses them directly
// for a VST2 plugin of its own architecture.
//
// The adapter is the VST2 host: it calls the dispatcher with each opcode's arguments made here
// (strings into buffers larger than VST2 allows, cut on the way out; sizes checked against
// limits.h), and answers the plugin's host callback (audioMaster) itself, turning what it means
// into PluginHost and EditorHost calls. Opcodes it does not know are refused with a log line;
// no pointer of the caller's ever reaches the plugin.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "plugin/local-plugin.h"
#include "vst2/vst2-abi.h"

namespace bridge32 {

class DynamicLibrary;

namespace vst2 {
// The entry points a VST2 module exports, in the order they are looked for.
inline constexpr const char* kEntryPoints[] = {"VSTPluginMain", "main"};
// What bridge32 answers to B32_VST_MASTER_VERSION: VST 2.4.
inline constexpr int32_t kHostVersion = 2400;
// Counts beyond these are not a plugin's description but damage.
inline constexpr int32_t kMaxChannels = 256;
inline constexpr int32_t kMaxPrograms = 65536;
// Text from the plugin: the buffer it writes into, and the most of it kept. VST2 allows 8 bytes
// for a parameter's name, label and display and 24 for a program's name, but plugins commonly
// write up to 64 and hosts give room for it.
inline constexpr size_t kTextBuffer = 512;
inline constexpr size_t kKeptText = 64;

// `text` into a VST2 string buffer of `size` bytes (b32_vst_copy_text).
inline void copyText(void* buffer, std::string_view text, size_t size) {
  b32_vst_copy_text(buffer, text.data(), text.size(), size);
}
}  // namespace vst2

class Vst2Module final : public LocalModule, public std::enable_shared_from_this<Vst2Module> {
 public:
  // Loads the module, finds its entry point, and creates, opens and closes one effect to read what
  // it is. Throws Error (badModule: no entry point, not an effect, absurd counts).
  explicit Vst2Module(const std::filesystem::path& path);
  ~Vst2Module() override;

  const std::filesystem::path& path() const override { return path_; }
  PluginFormat format() const override { return PluginFormat::vst2; }
  SdkVersion sdkVersion() const override { return {}; }
  const std::vector<PluginDescriptor>& plugins() const override { return plugins_; }
  std::unique_ptr<LocalInstance> createInstance(std::string_view pluginId, PluginHost& host,
                                                EditorHost* editorHost) override;

  b32_vst_entry entry() const { return entry_; }
  // The module's directory as the plugin's B32_VST_MASTER_GET_DIRECTORY reads it.
  const std::string& directory() const { return directory_; }

 private:
  std::filesystem::path path_;
  std::string directory_;
  std::unique_ptr<DynamicLibrary> library_;
  b32_vst_entry entry_ = nullptr;
  std::vector<PluginDescriptor> plugins_;
};

class Vst2Instance final : public LocalInstance {
 public:
  // Creates an effect through `module`'s entry point and opens it. `keepAlive` holds the module
  // for the instance's life (null only for the module's own look at itself). Throws Error.
  Vst2Instance(const Vst2Module& module, std::shared_ptr<const Vst2Module> keepAlive,
               PluginHost& host, EditorHost* editorHost);
  ~Vst2Instance() override;  // closes the editor, suspends, then effClose
  Vst2Instance(const Vst2Instance&) = delete;
  Vst2Instance& operator=(const Vst2Instance&) = delete;

  const PluginDescriptor& descriptor() const override { return descriptor_; }
  bool hasParams() const override { return true; }
  bool hasState() const override { return true; }
  bool hasProcess() const override { return true; }
  bool hasGui() const override;
  const std::vector<ParamInfo>& params() const override { return params_; }

  double param(uint32_t id) override;
  void setParam(uint32_t id, double value) override;
  std::string paramDisplay(uint32_t id) override;  // effGetParamDisplay
  // The plugin's bank chunk when it has chunks; else bridge32's own record of its program and
  // parameter values (kParamStateMagic).
  std::vector<uint8_t> saveState() override;
  void loadState(std::span<const uint8_t> state) override;
  void activate(double sampleRate, uint32_t maxFrames) override;
  void deactivate() override;
  // MIDI goes to effProcessEvents just before the block; the transport is what the plugin's
  // audioMasterGetTime reads.
  void process(uint32_t channels, uint32_t frames, std::span<const float> input,
               std::span<float> output, const BlockEvents& events) override;

  std::vector<std::string> programNames() override;
  uint32_t program() override;
  void setProgram(uint32_t index) override;
  uint32_t latency() override;

  EditorInfo openEditor(uint32_t api, void* parent) override;
  void closeEditor() override;
  // VST2 editors choose their own size: this answers the size the editor has.
  EditorSize setEditorSize(EditorSize size) override;
  void showEditor(bool visible) override;

  // The state record of a plugin without chunks: this magic, a version (1), the program, the
  // parameter count, then each value as a 32-bit float; all little-endian.
  static constexpr char kParamStateMagic[8] = {'b', '3', '2', 'v', 's', 't', '2', 'p'};

 private:
  static b32_vst_intptr B32_VST_CALL hostCallback(b32_vst_effect* effect, int32_t opcode,
                                                  int32_t index, b32_vst_intptr value, void* ptr,
                                                  float opt);
  b32_vst_intptr answer(int32_t opcode, int32_t index, b32_vst_intptr value, void* ptr, float opt);

  b32_vst_intptr dispatch(int32_t opcode, int32_t index = 0, b32_vst_intptr value = 0,
                          void* ptr = nullptr, float opt = 0);
  // The text the plugin writes for `opcode`, cut to vst2::kKeptText bytes.
  std::string text(int32_t opcode, int32_t index = 0);
  static std::string keptText(const char (&buffer)[vst2::kTextBuffer]);
  // [audio-thread] A block's MIDI to effProcessEvents, and the transport into time_.
  void sendMidi(std::span<const MidiEvent> events, uint32_t frames);
  void follow(const Transport& transport);
  PluginDescriptor describe(const Vst2Module& module);
  const ParamInfo& paramById(uint32_t id) const;
  EditorSize editorRect(std::string_view when);

  std::shared_ptr<const Vst2Module> module_;
  PluginHost& callbacks_;
  EditorHost* editorHost_;
  std::string directory_;
  b32_vst_effect* effect_ = nullptr;
  PluginDescriptor descriptor_;
  std::vector<ParamInfo> params_;
  ParamReports paramReports_;  // checked against params_ once it is complete

  bool active_ = false;
  double sampleRate_ = 44100;
  uint32_t maxFrames_ = 1024;
  bool editorOpen_ = false;
  uint32_t idleTimer_ = 0;  // effEditIdle's, while an X11 editor is open
  // What process() hands the plugin, sized at activate() so that process() allocates nothing:
  // channel pointers, a silent input for inputs the caller has no channel for, and somewhere
  // for outputs it does not want.
  std::vector<float*> inputs_, outputs_;
  std::vector<float> silence_, spare_;
  // Which of its process functions the plugin is given blocks through: processReplacing where it
  // has it, else processDoubleReplacing (through the double buffers below), else the deprecated
  // accumulating process.
  enum class ProcessCall { replacing, doubleReplacing, accumulating };
  ProcessCall processCall_ = ProcessCall::replacing;
  std::vector<double*> doubleInputs_, doubleOutputs_;
  std::vector<double> doubleSamples_;  // inputs, then outputs, maxFrames_ each
  b32_vst_time_info time_{};
  // A block's MIDI for effProcessEvents, sized once: the events, and the b32_vst_events header
  // with a pointer to each (declared with two, allocated for limits::kMaxMidiEventsPerBlock).
  std::vector<b32_vst_midi_event> midi_;
  std::vector<b32_vst_intptr> midiList_;
  std::atomic<uint64_t> refusedOpcodes_{0};  // host opcodes < 64 refused and logged once
};

}  // namespace bridge32
