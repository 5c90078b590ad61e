#include "support.h"

#if _WIN32
#include "win32.h"  // first: <windows.h>, which <psapi.h> needs
#include <psapi.h>
#else
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sstream>

extern char** environ;
#endif

#include <chrono>
#include <fstream>
#include <iterator>
#include <thread>

namespace bridge32::test {

std::filesystem::path outputDir() {
#if _WIN32
  std::wstring buffer(32768, L'\0');
  buffer.resize(GetModuleFileNameW(nullptr, buffer.data(), DWORD(buffer.size())));
  std::filesystem::path executable = buffer;
#else
  std::filesystem::path executable = std::filesystem::read_symlink("/proc/self/exe");
#endif
  return executable.parent_path().parent_path();
}

std::string moduleSuffix() {
#if _WIN32
  return ".dll";
#else
  return ".so";
#endif
}

#if _WIN32
bool runningUnderWine() {
  return GetProcAddress(GetModuleHandleW(L"ntdll.dll"), "wine_get_version") != nullptr;
}
#endif

namespace {
#if _WIN32
constexpr const char* kExecutableSuffix = ".exe";
#else
constexpr const char* kExecutableSuffix = "";
#endif
}  // namespace

std::filesystem::path surrogatePath(Architecture architecture) {
  return outputDir() / "bin" /
         ("bridge32-surrogate-" + std::string(toString(architecture)) + kExecutableSuffix);
}

std::filesystem::path toolPath() {
  return outputDir() / "bin" / (std::string("bridge32") + kExecutableSuffix);
}

std::filesystem::path pluginPath(Architecture architecture, const std::string& name) {
  return outputDir() / "plugins" / std::string(toString(architecture)) / (name + moduleSuffix());
}

namespace {
std::string readAll(const std::filesystem::path& path) {
  std::ifstream file(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(file)), {});
}

// Removes `path`, which a program that just ended wrote. Under Wine its process may be signalled a
// moment before its handles are closed (a sharing violation until then): tries again until the
// file is gone, for ten seconds at most, then throws what the last try said.
void removeOnceClosed(const std::filesystem::path& path) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  for (;;) {
    std::error_code error;
    std::filesystem::remove(path, error);
    if (!error) return;
    if (std::chrono::steady_clock::now() > deadline) {
      throw std::filesystem::filesystem_error("cannot remove", path, error);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}
}  // namespace

Ran runProgram(const std::filesystem::path& program, const std::vector<std::string>& args,
               const std::filesystem::path& stdoutPath) {
  // Named by this process too: CTest runs test processes side by side.
  static int runs = 0;
#if _WIN32
  auto self = std::to_string(GetCurrentProcessId());
#else
  auto self = std::to_string(getpid());
#endif
  auto base = std::filesystem::temp_directory_path() /
              ("bridge32-run-" + self + "-" + std::to_string(++runs) + "-" +
               program.filename().string());
  std::filesystem::path outPath = stdoutPath.empty() ? std::filesystem::path(base.string() + ".out") : stdoutPath;
  std::filesystem::path errPath = base.string() + ".err";
  Ran ran;
#if _WIN32
  SECURITY_ATTRIBUTES inheritable{sizeof inheritable, nullptr, TRUE};
  auto create = [&](const std::filesystem::path& path) {
    return win32::Handle(CreateFileW(path.c_str(), GENERIC_WRITE, FILE_SHARE_READ, &inheritable,
                                     CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, nullptr));
  };
  win32::Handle out = create(outPath), err = create(errPath);
  // Quoted as the C runtime splits a command line: backslashes double before a quote.
  auto quote = [](std::wstring_view arg) {
    std::wstring quoted = L"\"";
    size_t backslashes = 0;
    for (wchar_t c : arg) {
      if (c == L'\\') {
        ++backslashes;
        continue;
      }
      quoted.append(c == L'"' ? backslashes * 2 + 1 : backslashes, L'\\');
      backslashes = 0;
      quoted += c;
    }
    quoted.append(backslashes * 2, L'\\');
    return quoted + L"\"";
  };
  std::wstring commandLine = quote(program.wstring());
  for (const auto& arg : args) commandLine += L" " + quote(win32::wide(arg));
  STARTUPINFOW startup{};
  startup.cb = sizeof startup;
  startup.dwFlags = STARTF_USESTDHANDLES;
  startup.hStdOutput = out.get();
  startup.hStdError = err.get();
  PROCESS_INFORMATION info{};
  if (CreateProcessW(program.c_str(), commandLine.data(), nullptr, nullptr, TRUE, 0, nullptr,
                     nullptr, &startup, &info)) {
    CloseHandle(info.hThread);
    out.reset();
    err.reset();
    if (WaitForSingleObject(info.hProcess, 60'000) == WAIT_OBJECT_0) {
      DWORD code = 0;
      GetExitCodeProcess(info.hProcess, &code);
      ran.exitCode = code >= 0xC0000000u ? -1 : int(code);
    } else {
      TerminateProcess(info.hProcess, 1);
    }
    CloseHandle(info.hProcess);
  }
#else
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, outPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&actions, 2, errPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  std::vector<std::string> argvText = {program.string()};
  argvText.insert(argvText.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& arg : argvText) argv.push_back(arg.data());
  argv.push_back(nullptr);
  pid_t pid;
  if (posix_spawn(&pid, program.c_str(), &actions, nullptr, argv.data(), environ) == 0) {
    int status = 0;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(1);
    while (waitpid(pid, &status, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > deadline) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ran.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  posix_spawn_file_actions_destroy(&actions);
#endif
  if (stdoutPath.empty()) {
    ran.out = readAll(outPath);
    removeOnceClosed(outPath);
  }
  ran.err = readAll(errPath);
  removeOnceClosed(errPath);
  return ran;
}

std::optional<uint64_t> peakMemoryBytes(uint32_t pid) {
#if _WIN32
  HANDLE process = OpenProcess(PROCESS_QUERY_INFORMATION | PROCESS_VM_READ, FALSE, pid);
  if (!process) return std::nullopt;
  PROCESS_MEMORY_COUNTERS counters{};
  counters.cb = sizeof counters;
  bool ok = GetProcessMemoryInfo(process, &counters, sizeof counters);
  CloseHandle(process);
  if (!ok) return std::nullopt;
  return uint64_t(counters.PeakWorkingSetSize);
#else
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) != 0) continue;
    uint64_t kilobytes = 0;
    std::istringstream(line.substr(6)) >> kilobytes;
    return kilobytes * 1024;
  }
  return std::nullopt;
#endif
}

#if !_WIN32
bool freezeProcess(uint32_t pid) { return kill(pid_t(pid), SIGSTOP) == 0; }

std::filesystem::path programOf(uint32_t pid) {
  std::string proc = "/proc/" + std::to_string(pid);
  std::filesystem::path executable = std::filesystem::read_symlink(proc + "/exe");
  if (executable.filename().string().rfind("qemu-", 0) != 0) return executable;
  // QEMU's command line is "qemu-i386 PROGRAM ARGS..." (binfmt_misc without the P flag).
  std::ifstream in(proc + "/cmdline", std::ios::binary);
  std::string arguments((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t first = arguments.find('\0');
  if (first == std::string::npos) return executable;
  return arguments.substr(first + 1, arguments.find('\0', first + 1) - first - 1);
}

#endif

bool i386UnderQemu() {
#if _WIN32
  if (!runningUnderWine()) return false;
  std::ifstream entry(R"(Z:\proc\sys\fs\binfmt_misc\qemu-i386)");
#else
  std::ifstream entry("/proc/sys/fs/binfmt_misc/qemu-i386");
#endif
  std::string state;
  return std::getline(entry, state) && state == "enabled";
}

bool killProcess(uint32_t pid) {
#if _WIN32
  win32::Handle process(OpenProcess(PROCESS_TERMINATE, FALSE, pid));
  return process && TerminateProcess(process.get(), 0xC0000005);
#else
  return kill(pid_t(pid), SIGKILL) == 0;
#endif
}

}  // namespace bridge32::test
