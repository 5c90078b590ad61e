// These are the baselines the bench measures the API against: the transport beneath the API (raw
// ping-pong over the surrogate's channel, a raw call lane, a raw in-process call, LoadedLibrary
// beneath the C API), which the public API cannot reach by definition; so this file alone
// includes private headers, and bench.c++ (the API rows) only public ones. It also holds
// cpuSeconds() for the idle figures, whose Windows side needs <windows.h>, which bridge32
// includes through its private win32.h alone.
#include "baselines.h"

#include <kj/async-io.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "bridge32/library.h"
#include "core/call-lane.h"
#include "core/surrogate-client.h"
#include "core/surrogate-process.h"
#include "dynamic-library.h"
#include "library/loaded-library.h"
#include "support.h"
#include "wire.h"

#if _WIN32
#include "win32.h"
#else
#include <sys/resource.h>
#include <unistd.h>

#include <fstream>
#endif

namespace bridge32::bench {

Stats pingPong(Architecture architecture, size_t bytes, int iterations) {
  auto io = kj::setupAsyncIo();
  SurrogateProcess process(test::surrogatePath(architecture), std::chrono::minutes(3),
                           {.extraArgs = {"--echo", std::to_string(bytes)}, .sandbox = false,
                            .environment = std::nullopt});
  auto stream = process.takeChannel(io);
  std::vector<kj::byte> out(bytes, 0x5a), in(bytes);
  std::vector<double> samples;
  for (int i = -warmUpCalls(iterations); i < iterations; ++i) {
    auto start = Clock::now();
    stream->write(out.data(), out.size()).wait(io.waitScope);
    stream->read(in.data(), in.size()).wait(io.waitScope);
    if (i >= 0) samples.push_back(microseconds(Clock::now() - start));
  }
  if (std::memcmp(in.data(), out.data(), bytes) != 0) std::fprintf(stderr, "echo mismatch\n");
  stream = nullptr;  // hang up: the echo loop ends at end of file
  process.waitForExit(std::chrono::seconds(10));
  return stats(samples);
}

Stats shmPingPong(Architecture architecture, int iterations) {
  SurrogateClient::Timing timing;
  timing.start = std::chrono::minutes(3);
  auto client = SurrogateClient::start(test::surrogatePath(architecture), architecture, timing);
  CallLane lane(64, "bridge32 bench lane");
  lane.reserve();
  auto handle = client->call(
      [&](wire::Session::Client& session) {
        auto request = session.openLaneRequest();
        lane.describe(request.initChannel(), *client);
        return request.send();
      },
      [](auto& response) {
        throwIfError(response);
        return std::make_unique<wire::Lane::Client>(response.getLane());
      },
      std::chrono::seconds(30));
  lane.attach(client, std::move(handle));
  std::vector<double> samples;
  for (int i = -warmUpCalls(iterations); i < iterations; ++i) {
    auto start = Clock::now();
    if (!lane.tryAcquire()) throw Error(Error::Kind::badState, "the bench lane is taken");
    lane.layout().op = uint32_t(lane::Op::none);
    lane.call(std::chrono::seconds(30), HangPolicy::kill);
    lane.release();
    if (i >= 0) samples.push_back(microseconds(Clock::now() - start));
  }
  return stats(samples);
}

RawScale loadRawScale(const std::filesystem::path& library) {
  auto raw = std::make_shared<DynamicLibrary>(library);
  auto scale = reinterpret_cast<ScaleFunction>(raw->symbol("scale"));
  if (!scale) throw Error(Error::Kind::notFound, "the x64 fixture library has no scale()");
  return {scale, std::move(raw)};
}

LayeredAndBeneath inProcessLayers(const std::filesystem::path& library, int iterations) {
  LoadOptions inProcess;
  inProcess.isolation = Isolation::inProcess;
  auto layered = Library::load(library, inProcess);
  auto beneath = LoadedLibrary::load(library, inProcess);
  auto layeredAdd = layered->function("int add(int a, int b);");
  auto beneathAdd = beneath->function("int add(int a, int b);");
  const std::vector<Value> addArguments{Value(2), Value(40)};
  auto [addLayered, addBeneath] = alternatingPair(
      [&] { layeredAdd->call(addArguments); }, [&] { beneathAdd->call(addArguments, {}); },
      iterations);
  const char* scaleText =
      "void scale(double a, _In_reads_(n) const double* x, int n, _Out_writes_(n) double* y);";
  auto layeredScale = layered->function(scaleText);
  auto beneathScale = beneath->function(scaleText);
  std::vector<double> thousand(1000, 1.5);
  const std::vector<Value> scaleArguments{Value(2.0), Value(thousand), Value(1000)};
  auto [scaleLayered, scaleBeneath] = alternatingPair(
      [&] { layeredScale->call(scaleArguments); },
      [&] { beneathScale->call(scaleArguments, {}); }, iterations);
  return {addLayered, addBeneath, scaleLayered, scaleBeneath};
}

double cpuSeconds(uint32_t pid) {
#if _WIN32
  HANDLE process = pid == 0 ? GetCurrentProcess()
                            : OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, pid);
  FILETIME created, exited, kernel, user;
  double seconds = -1;
  if (process && GetProcessTimes(process, &created, &exited, &kernel, &user)) {
    auto ticks = [](FILETIME t) { return (uint64_t(t.dwHighDateTime) << 32) | t.dwLowDateTime; };
    seconds = double(ticks(kernel) + ticks(user)) / 1e7;
  }
  if (pid != 0 && process) CloseHandle(process);
  return seconds;
#else
  if (pid == 0) {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
           double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
  }
  // /proc/PID/stat: utime and stime are the 14th and 15th fields, after "(comm)".
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  auto close = text.rfind(')');
  if (close == std::string::npos) return -1;
  std::vector<std::string> fields;
  size_t at = close + 2;
  while (at < text.size() && fields.size() < 15) {
    size_t end = text.find(' ', at);
    fields.push_back(text.substr(at, end - at));
    if (end == std::string::npos) break;
    at = end + 1;
  }
  if (fields.size() < 13) return -1;
  double ticks = double(sysconf(_SC_CLK_TCK));
  return (std::stod(fields[11]) + std::stod(fields[12])) / ticks;
#endif
}

}  // namespace bridge32::bench
