#include "core/surrogate-cgroup.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>

#include "logging.h"

namespace bridge32 {

namespace {

// Writes `text` to the cgroup file `path` in one write, as the kernel wants it.
bool writeFile(const std::string& path, const std::string& text) {
  int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  bool written = write(fd, text.data(), text.size()) == ssize_t(text.size());
  close(fd);
  return written;
}

std::string readFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

std::string ownCgroupDirectory() {
  // The cgroup2 mount: /proc/self/mountinfo's fifth field, on the line whose file system type
  // (after " - ") is cgroup2.
  std::ifstream mounts("/proc/self/mountinfo");
  std::string line, mountPoint;
  while (std::getline(mounts, line)) {
    size_t separator = line.find(" - ");
    if (separator == std::string::npos || line.compare(separator + 3, 8, "cgroup2 ") != 0) continue;
    std::istringstream fields(line.substr(0, separator));
    std::string field;
    for (int i = 0; i < 5 && fields >> field; ++i) {
      if (i == 4) mountPoint = field;
    }
    break;
  }
  if (mountPoint.empty()) return {};
  // This process's place in it: the "0::/path" line of /proc/self/cgroup.
  std::ifstream groups("/proc/self/cgroup");
  while (std::getline(groups, line)) {
    if (line.rfind("0::", 0) == 0) {
      std::string path = line.substr(3);
      return mountPoint + (path == "/" ? "" : path);
    }
  }
  return {};
}

std::unique_ptr<SurrogateCgroup> SurrogateCgroup::adopt(pid_t pid) {
  std::string parent = ownCgroupDirectory();
  if (parent.empty()) {
    logging::debug("surrogate {}: no cgroup of its own (no cgroup v2 hierarchy)", pid);
    return nullptr;
  }
  std::string path = parent + "/bridge32-surrogate-" + std::to_string(pid);
  if (mkdir(path.c_str(), 0755) != 0) {
    logging::debug("surrogate {}: no cgroup of its own (mkdir {}: {})", pid, path,
                   std::strerror(errno));
    return nullptr;
  }
  std::unique_ptr<SurrogateCgroup> cgroup(new SurrogateCgroup(path));
  if (!writeFile(path + "/cgroup.procs", std::to_string(pid))) {
    logging::debug("surrogate {}: no cgroup of its own (moving it into {}: {})", pid, path,
                   std::strerror(errno));
    rmdir(path.c_str());
    cgroup->path_.clear();
    return nullptr;
  }
  return cgroup;
}

SurrogateCgroup::~SurrogateCgroup() {
  if (path_.empty()) return;
  killAll();
  if (!waitUntilEmpty(5000)) {
    logging::warn("cgroup {} still holds processes after they were killed; left behind", path_);
    return;
  }
  if (rmdir(path_.c_str()) != 0) {
    logging::warn("cannot remove cgroup {}: {}", path_, std::strerror(errno));
  }
}

void SurrogateCgroup::killAll() const {
  if (writeFile(path_ + "/cgroup.kill", "1")) return;
  // Before Linux 5.14: each process listed, again until none is left (one may fork meanwhile).
  for (int round = 0; round < 100; ++round) {
    std::istringstream pids(readFile(path_ + "/cgroup.procs"));
    pid_t pid;
    bool any = false;
    while (pids >> pid) {
      ::kill(pid, SIGKILL);
      any = true;
    }
    if (!any) return;
  }
}

bool SurrogateCgroup::waitUntilEmpty(int timeoutMilliseconds) const {
  // cgroup.events says "populated 0" once no process is left, and wakes poll() (POLLPRI) when it
  // changes.
  std::string events = path_ + "/cgroup.events";
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeoutMilliseconds);
  int fd = open(events.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  bool empty = false;
  for (;;) {
    char buffer[256];
    ssize_t n = pread(fd, buffer, sizeof buffer - 1, 0);
    if (n <= 0) break;
    buffer[n] = 0;
    if (std::strstr(buffer, "populated 0")) {
      empty = true;
      break;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd changed{fd, POLLPRI, 0};
    if (poll(&changed, 1, int(left.count())) < 0 && errno != EINTR) break;
  }
  close(fd);
  return empty;
}

}  // namespace bridge32
