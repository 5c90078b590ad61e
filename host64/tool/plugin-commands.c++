// bridge32 info and run: a plugin module's plugins and parameters, and audio through one.
#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <numbers>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bridge32/host.h"
#include "json-writer.h"
#include "output-file.h"
#include "shim-target.h"
#include "tool.h"
#include "wav-file.h"

namespace bridge32::tool {

namespace {

std::string howLoaded(const PluginModule& module) {
  if (!module.isBridged()) return "in-process";
  return "bridged through the " + std::string(toString(module.architecture())) +
         " surrogate (pid " + std::to_string(module.surrogatePid()) + ")";
}

// Prints callbacks as they arrive, so a run shows the plugin talking back.
class PrintingCallbacks final : public HostCallbacks {
 public:
  void paramChanged(uint32_t id, double value) override {
    ++changes;
    last = {id, value};
  }
  int changes = 0;
  std::pair<uint32_t, double> last{};
};

// run's test signal: a sine, each channel starting at a phase of its own so that a plugin that
// mixes or swaps channels shows it. Described by runHelp().
constexpr double kSignalHz = 441, kSignalAmplitude = 0.5, kPhasePerChannel = 0.5;

// Sample `frame` of channel `channel` of the test signal, computed in double, rounded once.
float testSignal(uint64_t frame, uint32_t channel, double rate) {
  double t = double(frame) / rate;
  return float(kSignalAmplitude *
               std::sin(2 * std::numbers::pi * kSignalHz * t + channel * kPhasePerChannel));
}

// A float as the shortest text that reads back to the same float.
std::string shortest(float value) {
  char text[32];
  auto [end, error] = std::to_chars(text, text + sizeof text, value);
  return std::string(text, end);
}

bool endsWithWav(const std::string& path) {
  if (path.size() < 4) return false;
  std::string end = path.substr(path.size() - 4);
  std::transform(end.begin(), end.end(), end.begin(), [](char c) { return char(std::tolower(c)); });
  return end == ".wav";
}

// What `run` is asked to do.
struct RunSettings {
  std::filesystem::path plugin;
  std::string pluginId;
  // NAME and VALUE as given: a number, or a number and the parameter's unit ("-6 dB").
  std::vector<std::pair<std::string, std::string>> settings;
  std::vector<uint8_t> notes;  // MIDI notes held from the first frame to the last
  std::optional<double> tempo;
  uint32_t channels = 2, frames = 256, blocks = 4;
  double rate = 48000;
  std::string input;   // a WAV file instead of the test signal
  std::string output;  // FILE.wav or a CSV
};

RunSettings runSettings(const CommandLine& line) {
  RunSettings run;
  run.plugin = pathFromUtf8(line.positional.at(0));
  run.pluginId = line.value("--plugin");
  if (line.has("--set")) {
    for (const std::string& value : line.options.at("--set")) {
      auto equals = value.find('=');
      if (equals == std::string::npos || equals == 0) {
        usageError("--set expects NAME=VALUE, got '" + value + "'");
      }
      run.settings.emplace_back(value.substr(0, equals), value.substr(equals + 1));
    }
  }
  if (line.has("--note")) {
    for (const std::string& value : line.options.at("--note")) {
      run.notes.push_back(uint8_t(parseCount("--note", value, 127)));
    }
  }
  if (line.has("--tempo")) run.tempo = parseNumber("--tempo", line.value("--tempo"));
  run.input = line.value("--input");
  if (!run.input.empty()) {
    for (const char* option : {"--channels", "--blocks", "--rate"}) {
      if (line.has(option)) usageError(std::string(option) + " is the input file's; give one or the other");
    }
  }
  if (line.has("--channels")) run.channels = parseCount("--channels", line.value("--channels"), 64);
  if (line.has("--frames")) run.frames = parseCount("--frames", line.value("--frames"), 65536);
  if (line.has("--blocks")) run.blocks = parseCount("--blocks", line.value("--blocks"), 1'000'000);
  if (line.has("--rate")) run.rate = parseNumber("--rate", line.value("--rate"));
  run.output = line.value("--output");
  return run;
}

// Where run writes what it did: a CSV of every sample in and out, or a WAV of the output.
class RunOutput {
 public:
  RunOutput(const std::string& path, uint32_t channels, double rate) {
    if (endsWithWav(path)) {
      wav_ = std::make_unique<WavWriter>(path, channels, rate);
    } else {
      csv_ = std::make_unique<OutputFile>(path);
      csv_->write("frame,channel,input,output\n");
    }
  }

  // A block of planar audio that starts at frame `first`.
  void write(uint64_t first, uint32_t channels, uint32_t frames, std::span<const float> input,
             std::span<const float> output) {
    if (wav_) return wav_->writePlanar(output, frames);
    std::string text;
    for (uint32_t c = 0; c < channels; ++c) {
      for (uint32_t f = 0; f < frames; ++f) {
        size_t i = size_t(c) * frames + f;
        text += std::to_string(first + f) + ',' + std::to_string(c) + ',' + shortest(input[i]) +
                ',' + shortest(output[i]) + '\n';
      }
    }
    csv_->write(text);
  }

  void close() { wav_ ? wav_->close() : csv_->close(); }

 private:
  std::unique_ptr<WavWriter> wav_;
  std::unique_ptr<OutputFile> csv_;
};

std::vector<std::string> flagNames(const ParamInfo& param) {
  std::vector<std::string> names;
  if (param.isReadOnly()) names.push_back("read-only");
  if (param.isStepped()) names.push_back("stepped");
  return names;
}

std::string joined(const std::vector<std::string>& words, std::string_view between) {
  std::string text;
  for (const std::string& word : words) text += (text.empty() ? "" : std::string(between)) + word;
  return text;
}

// info --json: the same facts as the text, for scripts. Text is as the plugin gave it (valid
// UTF-8), escaped as JSON escapes it.
void printInfoJson(const std::filesystem::path& file, const LoadPlan& plan, PluginModule& module) {
  JsonWriter json;
  json.beginObject();
  json.key("module").value(utf8(file));
  json.key("file").value(plan.file.describe());
  json.key("architecture").value(toString(plan.file.architecture));
  json.key("host").value(toString(thisArchitecture()));
  json.key("bridged").value(module.isBridged());
  json.key("surrogate");
  plan.bridged ? json.value(utf8(plan.surrogate)) : json.null();
  json.key("format").value(toString(module.format()));
  json.key("sdkVersion");
  module.format() == PluginFormat::sdk ? json.value(module.sdkVersion().toString()) : json.null();
  json.key("plugins").beginArray();
  HostCallbacks quiet;
  for (const auto& plugin : module.plugins()) {
    json.beginObject();
    json.key("id").value(plugin.id).key("name").value(plugin.name);
    json.key("vendor").value(plugin.vendor).key("version").value(plugin.version);
    json.key("inputs").value(plugin.inputs).key("outputs").value(plugin.outputs);
    json.key("instrument").value(plugin.isInstrument);
    auto instance = module.createInstance(plugin.id, quiet);
    json.key("extensions").beginArray();
    if (instance->hasParams()) json.value("params");
    if (instance->hasState()) json.value("state");
    if (instance->hasProcess()) json.value("process");
    if (instance->hasGui()) json.value("gui");
    json.endArray();
    json.key("params").beginArray();
    for (const auto& param : instance->params()) {
      json.beginObject();
      json.key("id").value(param.id).key("name").value(param.name).key("unit").value(param.unit);
      json.key("min").value(param.minValue).key("max").value(param.maxValue);
      json.key("default").value(param.defaultValue);
      json.key("display").value(instance->paramDisplay(param.id));
      json.key("flags").beginArray();
      for (const std::string& flag : flagNames(param)) json.value(flag);
      json.endArray();
      json.endObject();
    }
    json.endArray();
    json.key("programs").beginArray();
    for (const std::string& name : instance->programNames()) json.value(name);
    json.endArray();
    json.key("latency").value(instance->latency());
    json.endObject();
  }
  json.endArray();
  json.endObject();
  std::printf("%s\n", json.text().c_str());
}

}  // namespace

std::string runHelp() {
  char signal[512];
  std::snprintf(signal, sizeof signal,
                "The test signal: a sine of %g Hz at amplitude %g, channel c starting at phase\n"
                "%g c radians. Sample n of channel c is %g sin(2 pi %g n / rate + %g c), computed\n"
                "in double and rounded to float, continuous from block to block.\n",
                kSignalHz, kSignalAmplitude, kPhasePerChannel, kSignalAmplitude, kSignalHz,
                kPhasePerChannel);
  return "usage: bridge32 run PLUGIN [--plugin ID] [--set NAME=VALUE]... [--note N]...\n"
         "                    [--tempo BPM] [--channels N] [--frames N] [--blocks N]\n"
         "                    [--rate HZ] [--input FILE.wav]\n"
         "                    [--output FILE.csv|FILE.wav] [--isolate] [--sandbox] [--verbose]\n"
         "\n"
         "Runs audio through a plugin of the module (the first, or --plugin ID), block by block,\n"
         "and prints the input and output peaks and the first samples of the first block's\n"
         "output. Log lines of the plugin go to stderr.\n"
         "\n"
         "  --set NAME=VALUE  sets a parameter, by name or id, before the audio (repeatable): to\n"
         "                    VALUE of its range as info lists it, or, with its unit ('g_in=-6 dB'),\n"
         "                    to what the plugin shows as that\n"
         "  --note N          holds MIDI note N (0 to 127, 60 is middle C) at velocity 100 from\n"
         "                    the first frame to the last (repeatable: a chord)\n"
         "  --tempo BPM       plays the transport at BPM in 4/4 from the start (default: none)\n"
         "  --channels N      channels of the test signal (default 2, at most 64)\n"
         "  --frames N        frames a block (default 256)\n"
         "  --blocks N        blocks of the test signal (default 4)\n"
         "  --rate HZ         sample rate of the test signal (default 48000)\n"
         "  --input FILE.wav  FILE's audio instead of the test signal: its channels and rate,\n"
         "                    all of it, in blocks of --frames. 16-, 24- and 32-bit PCM and\n"
         "                    32- and 64-bit float WAV.\n"
         "  --output FILE     FILE.wav: the output as 32-bit float WAV; any other name: a CSV,\n"
         "                    frame,channel,input,output, each sample with the fewest digits\n"
         "                    that read back to the same float, lines ending in LF\n"
         "  --isolate         runs the plugin in a surrogate even where it could load in-process\n"
         "  --sandbox         runs it in a sandboxed surrogate, for a plugin that is not trusted\n"
         "  --verbose         timestamped log lines, and debug ones\n"
         "\n" +
         std::string(signal);
}

int info(const CommandLine& line) {
  LoadOptions options = line.loadOptions();
  std::filesystem::path file = pathFromUtf8(line.positional.at(0));
  LoadPlan plan = planLoad(file, options);
  if (line.has("--json")) {
    auto module = PluginModule::load(file, options);
    printInfoJson(file, plan, *module);
    return 0;
  }
  std::printf("module:       %s\n", printable(utf8(file)).c_str());
  std::printf("file:         %s\n", plan.file.describe().c_str());
  std::printf("host:         %s process\n", std::string(toString(thisArchitecture())).c_str());
  std::printf("loads:        %s\n", plan.bridged ? ("through surrogate " + printable(utf8(plan.surrogate))).c_str()
                                                  : "in-process");
  auto module = PluginModule::load(file, options);
  std::printf("format:       %s\n", std::string(toString(module->format())).c_str());
  if (module->format() == PluginFormat::sdk) {
    std::printf("sdk version:  %s\n", module->sdkVersion().toString().c_str());
  }
  std::printf("plugins:      %zu\n", module->plugins().size());
  HostCallbacks quiet;
  for (const auto& plugin : module->plugins()) {
    std::printf("\n  %s  \"%s\" by %s, version %s\n", printable(plugin.id).c_str(),
                printable(plugin.name).c_str(), printable(plugin.vendor).c_str(),
                printable(plugin.version).c_str());
    if (plugin.inputs || plugin.outputs || plugin.isInstrument) {
      std::printf("    audio:      %u in, %u out%s\n", plugin.inputs, plugin.outputs,
                  plugin.isInstrument ? "; an instrument" : "");
    }
    auto instance = module->createInstance(plugin.id, quiet);
    std::vector<std::string> extensions;
    if (instance->hasParams()) extensions.push_back("params");
    if (instance->hasState()) extensions.push_back("state");
    if (instance->hasProcess()) extensions.push_back("process");
    if (instance->hasGui()) extensions.push_back("gui");
    std::printf("    extensions: %s\n", joined(extensions, " ").c_str());
    for (const auto& param : instance->params()) {
      std::string flags = joined(flagNames(param), ", ");
      std::string shown = instance->paramDisplay(param.id);
      std::printf("    param %u %-12s [%g .. %g] default %g%s%s, shows \"%s%s%s\"%s\n", param.id,
                  printable(param.name).c_str(), param.minValue, param.maxValue,
                  param.defaultValue, param.unit.empty() ? "" : " ", printable(param.unit).c_str(),
                  printable(shown).c_str(), param.unit.empty() ? "" : " ",
                  printable(param.unit).c_str(), flags.empty() ? "" : (" (" + flags + ")").c_str());
    }
    std::vector<std::string> programs = instance->programNames();
    if (!programs.empty()) {
      std::vector<std::string> shown;
      for (const std::string& name : programs) shown.push_back("\"" + printable(name) + "\"");
      std::printf("    programs:   %s (current %u)\n", joined(shown, ", ").c_str(),
                  instance->program());
    }
    if (uint32_t latency = instance->latency()) std::printf("    latency:    %u frames\n", latency);
  }
  return 0;
}

namespace {

// The number at the start of `text` ("-6.0 dB" -> -6, "-inf dB" -> -infinity), if it starts with
// one.
std::optional<double> leadingNumber(const std::string& text) {
  char* end = nullptr;
  double number = std::strtod(text.c_str(), &end);
  if (end == text.c_str() || std::isnan(number)) return std::nullopt;
  return number;
}

// The value `text` gives `param`: a plain number is the parameter's own value, as `info` lists
// its range; a number followed by the parameter's unit ("-6 dB", "-6dB") is what the plugin
// shows, converted by asking the plugin: its display is read back at values found by bisection
// over the range (a display that grows or falls with the value, as units do), and the closest is
// taken. The parameter is left at that value.
double valueFor(PluginInstance& instance, const ParamInfo& param, const std::string& text) {
  char* end = nullptr;
  double number = std::strtod(text.c_str(), &end);
  if (end == text.c_str() || !std::isfinite(number)) {
    usageError("--set " + param.name + " expects a number, got '" + text + "'");
  }
  std::string unit(end);
  unit.erase(0, unit.find_first_not_of(' '));
  if (unit.empty()) return number;
  if (unit != param.unit) {
    throw Error(Error::Kind::invalidArgument,
                "parameter '" + param.name + "' is in " +
                    (param.unit.empty() ? std::string("no unit") : "'" + param.unit + "'") +
                    ", given '" + text + "': give a number of its range (bridge32 info lists it)" +
                    (param.unit.empty() ? "" : " or a number of " + param.unit));
  }
  auto shown = [&](double value) {
    instance.setParam(param.id, value);
    std::optional<double> read = leadingNumber(instance.paramDisplay(param.id));
    if (!read) {
      throw Error(Error::Kind::invalidArgument,
                  "parameter '" + param.name + "' shows \"" + instance.paramDisplay(param.id) +
                      "\", not a number: give a number of its range instead");
    }
    return *read;
  };
  double low = param.minValue, high = param.maxValue;
  double atLow = shown(low), atHigh = shown(high);
  bool rising = atHigh >= atLow;
  if ((rising && (number < atLow || number > atHigh)) ||
      (!rising && (number > atLow || number < atHigh))) {
    throw Error(Error::Kind::invalidArgument,
                "parameter '" + param.name + "' shows from " + std::to_string(atLow) + " to " +
                    std::to_string(atHigh) + " " + param.unit + ", given " + text);
  }
  for (int step = 0; step < 40; ++step) {
    double middle = (low + high) / 2;
    if ((shown(middle) < number) == rising) {
      low = middle;
    } else {
      high = middle;
    }
  }
  double best = std::fabs(shown(low) - number) <= std::fabs(shown(high) - number) ? low : high;
  return best;
}

}  // namespace

int run(const CommandLine& line) {
  LoadOptions options = line.loadOptions();
  RunSettings args = runSettings(line);
  // The input file is read, and the output file opened, before anything starts: either failing
  // fails the run at once.
  std::optional<WavAudio> file;
  if (!args.input.empty()) {
    file = readWav(args.input);
    if (file->frames() == 0) throw Error(Error::Kind::invalidArgument, "'" + args.input + "' has no audio");
    args.channels = file->channels;
    args.rate = file->sampleRate;
  }
  uint64_t totalFrames = file ? file->frames() : uint64_t(args.blocks) * args.frames;
  std::unique_ptr<RunOutput> output;
  if (!args.output.empty()) output = std::make_unique<RunOutput>(args.output, args.channels, args.rate);

  auto module = PluginModule::load(args.plugin, options);
  if (module->plugins().empty()) throw Error(Error::Kind::notFound, "the module has no plugins");
  std::string id = args.pluginId.empty() ? module->plugins().front().id : args.pluginId;
  PrintingCallbacks callbacks;
  auto instance = module->createInstance(id, callbacks);
  std::printf("plugin %s from %s, %s\n", printable(id).c_str(),
              printable(utf8(module->path())).c_str(), howLoaded(*module).c_str());

  for (const auto& [name, text] : args.settings) {
    std::vector<ParamInfo> params = instance->params();
    const ParamInfo* found = nullptr;
    for (const auto& param : params) {
      if (param.name == name || std::to_string(param.id) == name) found = &param;
    }
    if (!found) throw Error(Error::Kind::notFound, "plugin '" + id + "' has no parameter '" + name + "'");
    double value = valueFor(*instance, *found, text);
    instance->setParam(found->id, value);
    std::printf("set %s = %g (reads back %g, shows \"%s\")\n", printable(found->name).c_str(),
                value, instance->param(found->id),
                printable(instance->paramDisplay(found->id)).c_str());
  }
  if (file) {
    std::printf("input: %s, %zu frames x %u channels of %s at %u Hz\n",
                printable(args.input).c_str(), file->frames(), file->channels,
                file->encoding.c_str(), file->sampleRate);
  } else {
    std::printf("input: the test signal, a %g Hz sine at amplitude %g (bridge32 help run)\n",
                kSignalHz, kSignalAmplitude);
  }

  // A plugin that says how many channels it takes and gives hears and fills no more: channels past
  // them go unheard, and come out silent. Said, and left out of the peaks, rather than reported
  // as a ratio of what the plugin never saw.
  const PluginDescriptor& descriptor = *std::find_if(
      module->plugins().begin(), module->plugins().end(),
      [&](const PluginDescriptor& plugin) { return plugin.id == id; });
  uint32_t heard = args.channels, filled = args.channels;
  if (descriptor.inputs || descriptor.outputs) {
    heard = std::min(args.channels, descriptor.inputs);
    filled = std::min(args.channels, descriptor.outputs);
  }
  // "input channel 3 is" / "input channels 2 to 4 are", for channels `from` to `channels`.
  auto channelsPast = [&](const char* which, uint32_t from) {
    return from == args.channels
               ? std::string(which) + " channel " + std::to_string(from) + " is"
               : std::string(which) + " channels " + std::to_string(from) + " to " +
                     std::to_string(args.channels) + " are";
  };
  if (heard < args.channels) {
    std::printf("warning: the plugin takes %u input channel%s: %s not heard\n", descriptor.inputs,
                descriptor.inputs == 1 ? "" : "s", channelsPast("input", heard + 1).c_str());
  }
  if (filled < args.channels) {
    std::printf("warning: the plugin gives %u output channel%s: %s silent\n", descriptor.outputs,
                descriptor.outputs == 1 ? "" : "s", channelsPast("output", filled + 1).c_str());
  }

  if (!args.notes.empty()) {
    std::printf("notes:");
    for (uint8_t note : args.notes) std::printf(" %u", unsigned(note));
    std::printf(" held from the first frame to the last\n");
  }
  instance->activate(args.rate, args.frames);
  std::vector<float> input(size_t(args.channels) * args.frames), out(input.size());
  std::vector<float> firstOutput;  // channel 0 of the first block, the start of it
  double inPeak = 0, outPeak = 0;
  uint32_t blocks = 0;
  for (uint64_t first = 0; first < totalFrames; first += args.frames, ++blocks) {
    auto frames = uint32_t(std::min<uint64_t>(args.frames, totalFrames - first));
    size_t samples = size_t(args.channels) * frames;
    for (uint32_t c = 0; c < args.channels; ++c) {
      for (uint32_t f = 0; f < frames; ++f) {
        input[size_t(c) * frames + f] = file ? file->samples[(first + f) * args.channels + c]
                                             : testSignal(first + f, c, args.rate);
      }
    }
    std::span<const float> in(input.data(), samples);
    std::span<float> processed(out.data(), samples);
    // The notes start at the first frame and end at the last.
    std::vector<MidiEvent> midi;
    for (uint8_t note : args.notes) {
      if (first == 0) midi.push_back({0, {0x90, note, 100}});
    }
    for (uint8_t note : args.notes) {
      if (first + frames >= totalFrames) midi.push_back({frames - 1, {0x80, note, 0}});
    }
    Transport transport;
    if (args.tempo) {
      transport.playing = true;
      transport.tempo = *args.tempo;
      transport.beats = double(first) / args.rate * *args.tempo / 60.0;
      transport.barStartBeats = std::floor(transport.beats / 4) * 4;
    }
    instance->process(args.channels, frames, in, processed,
                      {midi, args.tempo ? &transport : nullptr});
    for (size_t i = 0; i < size_t(heard) * frames; ++i) {
      inPeak = std::max(inPeak, double(std::fabs(in[i])));
    }
    for (size_t i = 0; i < size_t(filled) * frames; ++i) {
      outPeak = std::max(outPeak, double(std::fabs(processed[i])));
    }
    if (first == 0) firstOutput.assign(out.begin(), out.begin() + std::min<uint32_t>(6, frames));
    if (output) output->write(first, args.channels, frames, in, processed);
  }
  instance->deactivate();
  std::printf("processed %u blocks of %u frames x %u channels at %g Hz\n", blocks, args.frames,
              args.channels, args.rate);
  std::string over = heard == args.channels && filled == args.channels
                         ? ""
                         : " (of the " + std::to_string(heard) + " input and " +
                               std::to_string(filled) + " output channels the plugin has)";
  std::printf("input peak %.6f, output peak %.6f (ratio %.4f)%s\n", inPeak, outPeak,
              inPeak > 0 ? outPeak / inPeak : 0.0, over.c_str());
  std::printf("output of block 1, channel 0, frames 0 to %zu:", firstOutput.size() - 1);
  for (float sample : firstOutput) std::printf(" %.6f", sample);
  std::printf("\n");
  if (callbacks.changes > 0) {
    std::printf("the plugin reported %d parameter changes; last: param %u = %g\n",
                callbacks.changes, callbacks.last.first, callbacks.last.second);
  }
  if (instance->hasState()) {
    std::printf("saved state: %zu bytes\n", instance->saveState().size());
  }
  if (output) {
    output->close();
    std::printf("wrote %s\n", printable(args.output).c_str());
  }
  return 0;
}

int wrap(const CommandLine& line) {
  if (line.has("--header") || line.has("--declare")) return wrapLibrary(line);
  LoadOptions options = line.loadOptions();
  options.isolation = Isolation::surrogate;
  std::filesystem::path plugin = std::filesystem::absolute(pathFromUtf8(line.positional.at(0)));
  std::filesystem::path directory = line.has("--output") ? pathFromUtf8(line.value("--output"))
                                                         : std::filesystem::current_path();
  // It must load as the shim will load it: in a surrogate.
  auto module = PluginModule::load(plugin, options);
  if (module->plugins().empty()) {
    throw Error(Error::Kind::notFound, "'" + utf8(plugin) + "' has no plugins to wrap");
  }
  std::filesystem::path surrogate = planLoad(plugin, options).surrogate;
  std::string shimName = "bridge32-vst2-shim" + plugin.extension().string();
  std::filesystem::path shim = surrogate.parent_path() / shimName;
  if (!std::filesystem::exists(shim)) {
    shim = moduleFileContaining(reinterpret_cast<const void*>(&wrap)).parent_path() / shimName;
  }
  if (!std::filesystem::exists(shim)) {
    throw Error(Error::Kind::notFound, "the VST2 shim '" + shimName + "' is neither beside the " +
                                           "surrogates nor beside this program");
  }
  std::filesystem::path wrapped = placeShim(shim, {plugin, surrogate.parent_path()}, directory);
  const PluginDescriptor& first = module->plugins().front();
  std::printf("wrapped %s: %s plugin \"%s\" (%s), %s\n", printable(utf8(plugin)).c_str(),
              std::string(toString(module->format())).c_str(), printable(first.name).c_str(),
              printable(first.id).c_str(), std::string(toString(module->architecture())).c_str());
  std::printf("shim:     %s (a %d-bit VST2 plugin)\n", printable(utf8(wrapped)).c_str(),
              int(sizeof(void*) * 8));
  std::printf("target:   %s\n", printable(utf8(shimTargetFile(wrapped))).c_str());
  std::printf("the plugin runs in %s\n", printable(utf8(surrogate)).c_str());
  return 0;
}

}  // namespace bridge32::tool
