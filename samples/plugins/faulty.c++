// Sample module "b32-faulty": a plugin that misbehaves on request, for crash and hang isolation
// tests and demonstrations. Setting its parameter "fault" (id 1) to one of the Fault values
// below makes set_value do that, right then, inside the host's call. Parameter "exit code"
// (id 2) is the code for Fault::exit, and the whole of its state (so that tests can see a state
// restored). Parameter "process fault" (id 3) arms a fault for the next process() instead, on
// the audio thread, where bridged hosts wait through shared memory. Everything else is an
// ordinary pass-through plugin.
//
// Built for 32-bit and 64-bit like the other samples. Never load it in-process in an application
// you care about: that is its point.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <mutex>
#include <new>
#include <thread>
#include <vector>

#include "samples.h"

#if _WIN32
#include <windows.h>
#else
#include <unistd.h>
#endif

namespace {

enum class Fault : uint32_t {
  none = 0,
  nullDereference = 1,
  divideByZero = 2,
  stackOverflow = 3,
  abort = 4,
  terminate = 5,
  exit = 6,         // exits with the "exit code" parameter
  spin = 7,         // a busy loop that never ends
  sleep = 8,        // sleeps for an hour
  deadlock = 9,     // waits for a thread that waits for it
  exhaustMemory = 10,  // allocates until allocation fails, then dies of it like most code would
  garbageOutput = 11,  // writes binary garbage to stdout and stderr, then carries on
  crashInCallback = 12,  // hands the host's log callback a pointer that is not a string
  forkThenAbort = 13,    // POSIX: forks a helper that sleeps for an hour holding everything the
                         // surrogate had open (its channel to the host), says its pid on stderr,
                         // then aborts; elsewhere, aborts
  hangInAWindowMessage = 14,  // Windows: posts its own window a message whose handling sleeps for
                              // an hour, and returns: the thread hangs between calls, as a
                              // plugin's stuck window procedure makes it; elsewhere, does nothing
};
constexpr uint32_t kLastFault = 14;

constexpr uint32_t kFault = 1;
constexpr uint32_t kExitCode = 2;
constexpr uint32_t kProcessFault = 3;

struct Faulty {
  b32_plugin plugin;
  const b32_host* host;
  double exitCode = 3;
  bool active = false;
  std::atomic<uint32_t> processFault{0};  // armed on the main thread, fired on the audio thread
};

Faulty& self(const b32_plugin* plugin) { return *static_cast<Faulty*>(plugin->plugin_data); }

// Kept out of the optimizer's reach so the faults happen as written (GCC turns 1 / x into a
// comparison, and drops a store into memory nobody reads).
volatile int gOne = 1;
volatile int gZero = 0;
int* volatile gNull = nullptr;

// Recursion without end is the point here.
#if __GNUC__
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Winfinite-recursion"
#endif
[[gnu::noinline]] int recurse(int depth) {
  volatile char frame[4096];
  frame[0] = char(depth);
  return recurse(depth + 1) + frame[0];
}
#if __GNUC__
#pragma GCC diagnostic pop
#endif

void writeGarbage(FILE* stream) {
  unsigned char bytes[4096];
  uint32_t state = 2463534242u;
  for (int block = 0; block < 256; ++block) {  // 1 MiB, no newlines to speak of, NULs included
    for (auto& byte : bytes) {
      state ^= state << 13, state ^= state >> 17, state ^= state << 5;
      byte = static_cast<unsigned char>(state);
    }
    std::fwrite(bytes, 1, sizeof bytes, stream);
  }
  std::fflush(stream);
}

void exhaustMemory() {
  std::vector<void*> blocks;
  for (;;) {
    void* block = std::malloc(64u << 20);
    if (!block) break;
    blocks.push_back(block);
  }
  // Like most code that does not expect it: use what it believes it got.
  volatile char* more = static_cast<volatile char*>(std::malloc(64u << 20));
  more[0] = 1;
}

#if _WIN32
constexpr UINT kHang = WM_APP + 1;

LRESULT CALLBACK hangingWindowProcedure(HWND window, UINT message, WPARAM w, LPARAM l) {
  if (message == kHang) Sleep(3600 * 1000);
  return DefWindowProcW(window, message, w, l);
}
#endif

b32_status cause(const Faulty& faulty, Fault fault) {
  switch (fault) {
    case Fault::none: return B32_OK;
    case Fault::nullDereference: *gNull = 1; break;
    case Fault::divideByZero: gZero = gOne / gZero; break;
    case Fault::stackOverflow: recurse(0); break;
    case Fault::abort: std::abort();
    case Fault::terminate: std::terminate();
    case Fault::exit: std::exit(int(faulty.exitCode));
    case Fault::spin:
      for (volatile uint64_t i = 0;;) {
        i = i + 1;
      }
    case Fault::sleep: std::this_thread::sleep_for(std::chrono::hours(1)); break;
    case Fault::deadlock: {
      std::mutex mutex;
      std::lock_guard held(mutex);
      std::thread waiter([&] { std::lock_guard lock(mutex); });
      waiter.join();  // never: the waiter needs what this thread holds
      break;
    }
    case Fault::exhaustMemory: exhaustMemory(); break;
    case Fault::garbageOutput:
      writeGarbage(stdout);
      writeGarbage(stderr);
      return B32_OK;
    case Fault::crashInCallback:
      faulty.host->log(faulty.host, B32_LOG_INFO, reinterpret_cast<const char*>(uintptr_t(16)));
      break;
    case Fault::forkThenAbort: {
#if !_WIN32
      pid_t helper = fork();
      if (helper == 0) {
        sleep(3600);
        _exit(0);
      }
      std::fprintf(stderr, "faulty: forked helper %d\n", int(helper));
      std::fflush(stderr);
#endif
      std::abort();
    }
    case Fault::hangInAWindowMessage: {
#if _WIN32
      WNDCLASSW windowClass{};
      windowClass.lpszClassName = L"b32-faulty-hang";
      windowClass.hInstance = GetModuleHandleW(nullptr);
      windowClass.lpfnWndProc = hangingWindowProcedure;
      RegisterClassW(&windowClass);
      HWND window = CreateWindowW(L"b32-faulty-hang", L"", 0, 0, 0, 0, 0, HWND_MESSAGE, nullptr,
                                  windowClass.hInstance, nullptr);
      PostMessageW(window, kHang, 0, 0);
#endif
      return B32_OK;
    }
  }
  return B32_ERROR_FAILED;  // a fault that did not take the process down
}

const b32_param_info kParams[] = {
    {kFault, B32_PARAM_IS_STEPPED, 0, kLastFault, 0, "fault", ""},
    {kExitCode, B32_PARAM_IS_STEPPED, 0, 255, 3, "exit code", ""},
    {kProcessFault, B32_PARAM_IS_STEPPED, 0, kLastFault, 0, "process fault", ""},
};

uint32_t B32_ABI paramCount(const b32_plugin*) { return 3; }

b32_status B32_ABI paramInfo(const b32_plugin*, uint32_t index, b32_param_info* info) {
  if (index >= 3) return B32_ERROR_INVALID_ARGUMENT;
  *info = kParams[index];
  return B32_OK;
}

b32_status B32_ABI getParam(const b32_plugin* plugin, uint32_t id, double* value) {
  if (id == kFault) *value = 0;
  else if (id == kExitCode) *value = self(plugin).exitCode;
  else if (id == kProcessFault) *value = self(plugin).processFault;
  else return B32_ERROR_INVALID_ARGUMENT;
  return B32_OK;
}

b32_status B32_ABI setParam(const b32_plugin* plugin, uint32_t id, double value) {
  // Both parameters are stepped: a fraction means nothing, and is refused as a plugin may.
  if (!(value >= 0 && value <= 255) || value != double(uint32_t(value))) {
    return B32_ERROR_INVALID_ARGUMENT;
  }
  if (id == kExitCode) {
    self(plugin).exitCode = value;
    return B32_OK;
  }
  if (id == kFault && value <= kLastFault) {
    return cause(self(plugin), Fault(uint32_t(value)));
  }
  if (id == kProcessFault && value <= kLastFault) {
    self(plugin).processFault = uint32_t(value);
    return B32_OK;
  }
  return B32_ERROR_INVALID_ARGUMENT;
}

const b32_plugin_params kParamsExtension = {paramCount, paramInfo, getParam, setParam};

// State: "B32F" and the exit code as a little-endian uint32.
constexpr char kStateMagic[4] = {'B', '3', '2', 'F'};

b32_status B32_ABI saveState(const b32_plugin* plugin, const b32_ostream* stream) {
  unsigned char bytes[8];
  std::memcpy(bytes, kStateMagic, 4);
  samples::putLe(bytes + 4, uint32_t(self(plugin).exitCode));
  return samples::writeAll(stream, bytes, sizeof bytes) ? B32_OK : B32_ERROR_FAILED;
}

b32_status B32_ABI loadState(const b32_plugin* plugin, const b32_istream* stream) {
  unsigned char bytes[9];
  size_t size = samples::readAll(stream, bytes, sizeof bytes);
  if (size != 8 || std::memcmp(bytes, kStateMagic, 4) != 0) return B32_ERROR_INVALID_ARGUMENT;
  uint32_t exitCode = samples::getLe<uint32_t>(bytes + 4);
  if (exitCode > 255) return B32_ERROR_INVALID_ARGUMENT;
  self(plugin).exitCode = exitCode;
  return B32_OK;
}

const b32_plugin_state kStateExtension = {saveState, loadState};

b32_status B32_ABI activate(const b32_plugin* plugin, double, uint32_t) {
  self(plugin).active = true;
  return B32_OK;
}

void B32_ABI deactivate(const b32_plugin* plugin) { self(plugin).active = false; }

b32_status B32_ABI process(const b32_plugin* plugin, const b32_process_block* block) {
  if (!self(plugin).active) return B32_ERROR_BAD_STATE;
  if (uint32_t fault = self(plugin).processFault.exchange(0)) {
    return cause(self(plugin), Fault(fault));
  }
  std::memcpy(block->output, block->input,
              sizeof(float) * size_t(block->channel_count) * block->frame_count);
  return B32_OK;
}

const b32_plugin_process kProcessExtension = {activate, deactivate, process};

const b32_plugin_descriptor kDescriptor = {B32_SDK_VERSION, "com.bridge32.samples.faulty",
                                           "Faulty", "bridge32 samples", "1.0.0"};

b32_status B32_ABI init(const b32_plugin*) { return B32_OK; }
void B32_ABI destroy(const b32_plugin* plugin) { delete &self(plugin); }

const void* B32_ABI getExtension(const b32_plugin*, const char* id) {
  if (std::strcmp(id, B32_EXT_PARAMS) == 0) return &kParamsExtension;
  if (std::strcmp(id, B32_EXT_PROCESS) == 0) return &kProcessExtension;
  if (std::strcmp(id, B32_EXT_STATE) == 0) return &kStateExtension;
  return nullptr;
}

b32_status B32_ABI moduleInit(const char*) { return B32_OK; }
void B32_ABI moduleDeinit() {}
uint32_t B32_ABI pluginCount() { return 1; }

const b32_plugin_descriptor* B32_ABI pluginDescriptor(uint32_t index) {
  return index == 0 ? &kDescriptor : nullptr;
}

const b32_plugin* B32_ABI createPlugin(const b32_host* host, const char* id) {
  if (std::strcmp(id, kDescriptor.id) != 0) return nullptr;
  auto* faulty = new (std::nothrow) Faulty{};
  if (!faulty) return nullptr;
  faulty->host = host;
  faulty->plugin = {&kDescriptor, faulty, init, destroy, getExtension};
  return &faulty->plugin;
}

const b32_plugin_entry kEntry = {B32_SDK_VERSION, moduleInit,       moduleDeinit,
                                 pluginCount,     pluginDescriptor, createPlugin};

}  // namespace

B32_DECLARE_ENTRY { return &kEntry; }
