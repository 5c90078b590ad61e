// Linux: a cgroup (v2) of a surrogate's own, where the system lets this process make one. A
// process cannot leave its cgroup by itself, whatever it does to its session or process group
// (setsid, setpgid, a double fork), so ending the cgroup ends the surrogate and everything a
// module started in it. Made under this process's own cgroup, which is writable where it runs as
// root or in a systemd user session's delegated subtree; elsewhere there is none, and a module's
// helper that leaves the surrogate's process group can outlive a surrogate that crashed or was
// killed (one that exits normally ends its descendants itself: surrogate/src/core/main.c++).
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>

namespace bridge32 {

class SurrogateCgroup {
 public:
  // Moves `pid` (a surrogate that has started nothing yet) into a new cgroup named for it.
  // Returns null where that cannot be done (no cgroup v2 hierarchy, or no write access to this
  // process's cgroup), after a debug log line saying why.
  static std::unique_ptr<SurrogateCgroup> adopt(pid_t pid);
  // Ends whatever is left in it and removes it.
  ~SurrogateCgroup();
  SurrogateCgroup(const SurrogateCgroup&) = delete;
  SurrogateCgroup& operator=(const SurrogateCgroup&) = delete;

  // [any-thread] Sends SIGKILL to every process in it (cgroup.kill; each listed process on kernels
  // before 5.14).
  void killAll() const;
  const std::string& path() const { return path_; }

 private:
  explicit SurrogateCgroup(std::string path) : path_(std::move(path)) {}
  // Waits up to `timeout` for the last process in it to end.
  bool waitUntilEmpty(int timeoutMilliseconds) const;

  std::string path_;
};

// Where this process's cgroup (v2) is in the file system ("/sys/fs/cgroup/user.slice/..."), or
// empty when there is no cgroup v2 hierarchy mounted.
std::string ownCgroupDirectory();

}  // namespace bridge32
