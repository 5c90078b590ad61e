#include "core/sandbox-linux.h"

#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstring>

#include "bridge32/error.h"

namespace bridge32 {

namespace {

// The system calls the filter refuses, by their numbers in each table (the kernel's
// arch/x86/entry/syscalls/syscall_64.tbl and syscall_32.tbl; 0 where a table has none).
struct Refused {
  const char* name;
  uint32_t x64, x86;
};
constexpr Refused kRefused[] = {
    // Reaching into another process.
    {"ptrace", 101, 26},
    {"process_vm_readv", 310, 347},
    {"process_vm_writev", 311, 348},
    {"pidfd_getfd", 438, 438},
    {"kcmp", 312, 349},
    {"process_madvise", 440, 440},
    // Out of the mount and other namespaces (the /proc of its own could be unmounted).
    {"mount", 165, 21},
    {"umount", 0, 22},
    {"umount2", 166, 52},
    {"pivot_root", 155, 217},
    {"open_tree", 428, 428},
    {"move_mount", 429, 429},
    {"fsopen", 430, 430},
    {"fsconfig", 431, 431},
    {"fsmount", 432, 432},
    {"fspick", 433, 433},
    {"mount_setattr", 442, 442},
    {"unshare", 272, 310},
    {"setns", 308, 346},
    {"open_by_handle_at", 304, 342},
    {"name_to_handle_at", 303, 341},
    // Kernel attack surface no module needs.
    {"keyctl", 250, 288},
    {"add_key", 248, 286},
    {"request_key", 249, 287},
    {"bpf", 321, 357},
    {"perf_event_open", 298, 336},
    {"userfaultfd", 323, 374},
    {"io_uring_setup", 425, 425},
    {"io_uring_enter", 426, 426},
    {"io_uring_register", 427, 427},
    {"kexec_load", 246, 283},
    {"kexec_file_load", 320, 0},
    {"init_module", 175, 128},
    {"finit_module", 313, 350},
    {"delete_module", 176, 129},
    {"quotactl", 179, 131},
    {"acct", 163, 51},
    {"swapon", 167, 87},
    {"swapoff", 168, 115},
    {"reboot", 169, 88},
};
constexpr uint32_t kClone64 = 56, kClone32 = 120, kClone3 = 435;
// clone() flags that make namespaces: refused, as unshare is. (clone3 passes its flags in memory,
// where a filter cannot look: it is refused as missing, and C libraries fall back to clone.)
constexpr uint32_t kNamespaceFlags = CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC |
                                     CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET;

sock_filter statement(uint16_t code, uint32_t k) { return BPF_STMT(code, k); }
sock_filter jump(uint16_t code, uint32_t k, uint8_t ifTrue, uint8_t ifFalse) {
  return BPF_JUMP(code, k, ifTrue, ifFalse);
}

// One table's checks, ending in "allow": what comes first when the architecture is `arch`.
void appendTable(std::vector<sock_filter>& program, uint32_t arch, bool x64) {
  size_t archCheck = program.size();
  program.push_back(jump(BPF_JMP | BPF_JEQ | BPF_K, arch, 0, 0));  // jf set below
  size_t start = program.size();
  const uint32_t refuse = SECCOMP_RET_ERRNO | EPERM;
  program.push_back(statement(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)));
  if (x64) {
    // The x32 ABI's numbers (bit 30 set) reach the same calls under other numbers.
    program.push_back(jump(BPF_JMP | BPF_JGE | BPF_K, 0x40000000, 0, 1));
    program.push_back(statement(BPF_RET | BPF_K, refuse));
  }
  for (const Refused& call : kRefused) {
    uint32_t number = x64 ? call.x64 : call.x86;
    if (number == 0) continue;
    program.push_back(jump(BPF_JMP | BPF_JEQ | BPF_K, number, 0, 1));
    program.push_back(statement(BPF_RET | BPF_K, refuse));
  }
  program.push_back(jump(BPF_JMP | BPF_JEQ | BPF_K, kClone3, 0, 1));
  program.push_back(statement(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS));
  program.push_back(jump(BPF_JMP | BPF_JEQ | BPF_K, x64 ? kClone64 : kClone32, 0, 3));
  // The flags are clone's first argument in both tables; their low half is all there is.
  program.push_back(statement(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, args[0])));
  program.push_back(jump(BPF_JMP | BPF_JSET | BPF_K, kNamespaceFlags, 0, 1));
  program.push_back(statement(BPF_RET | BPF_K, refuse));
  program.push_back(statement(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
  program[archCheck].jf = uint8_t(program.size() - start);
}

std::vector<sock_filter> filterProgram() {
  std::vector<sock_filter> program;
  program.push_back(statement(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)));
  appendTable(program, AUDIT_ARCH_X86_64, true);
  appendTable(program, AUDIT_ARCH_I386, false);
  program.push_back(statement(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS));  // another table
  return program;
}

// The steps of the child, for the message when one fails.
enum Step : int {
  kSetgroups = 1, kUidMap, kGidMap, kPrivateMounts, kProc, kDeathSignal, kDescriptors,
  kNoNewPrivileges, kFilter, kExec,
};

const char* describeStep(int step) {
  switch (step) {
    case kSetgroups: return "denying setgroups in its user namespace";
    case kUidMap: return "mapping its user id";
    case kGidMap: return "mapping its group id";
    case kPrivateMounts: return "making its mounts private";
    case kProc: return "mounting a /proc of its own PID namespace";
    case kDeathSignal: return "tying its life to the application's (PR_SET_PDEATHSIG)";
    case kDescriptors: return "setting up its descriptors";
    case kNoNewPrivileges: return "PR_SET_NO_NEW_PRIVS";
    case kFilter: return "installing its seccomp filter";
    case kExec: return "starting the surrogate executable";
  }
  return "an unknown step";
}

// What the child needs, made before it exists: after clone() in a process with threads, the
// child may call only what is async-signal-safe (no allocation, no locks).
struct ChildPlan {
  const char* path;
  char* const* argv;
  char* const* envp;
  int stdoutFd, stderrFd, channelFd;
  int reportFd;  // close-on-exec: it closes unwritten when the surrogate starts
  char uidMap[64], gidMap[64];
  sock_fprog filter;
};

bool writeAll(const char* path, const char* text) {
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  size_t length = std::strlen(text);
  bool written = write(fd, text, length) == ssize_t(length);
  close(fd);
  return written;
}

[[noreturn]] void childFails(const ChildPlan& plan, int step) {
  int report[2] = {step, errno};
  [[maybe_unused]] auto ignored = write(plan.reportFd, report, sizeof report);
  _exit(127);
}

int sandboxedChild(void* argument) {
  const ChildPlan& plan = *static_cast<const ChildPlan*>(argument);
  // Its own user namespace maps the application's user (and group) to the same ids inside.
  if (!writeAll("/proc/self/setgroups", "deny")) childFails(plan, kSetgroups);
  if (!writeAll("/proc/self/uid_map", plan.uidMap)) childFails(plan, kUidMap);
  if (!writeAll("/proc/self/gid_map", plan.gidMap)) childFails(plan, kGidMap);
  // A /proc that shows its PID namespace only, seen by nothing outside its mount namespace.
  if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
    childFails(plan, kPrivateMounts);
  }
  if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) != 0) {
    childFails(plan, kProc);
  }
  if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0) childFails(plan, kDeathSignal);
  setpgid(0, 0);  // a process group of its own, out of the terminal's reach, as every surrogate
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  // Its descriptors: /dev/null, its stdout and stderr, the channel; nothing else.
  int null = open("/dev/null", O_RDONLY);
  if (null < 0 || dup2(null, 0) < 0 || dup2(plan.stdoutFd, 1) < 0 || dup2(plan.stderrFd, 2) < 0 ||
      dup2(plan.channelFd, 3) < 0) {
    childFails(plan, kDescriptors);
  }
  for (int fd = 4; fd < plan.reportFd; ++fd) close(fd);
  syscall(SYS_close_range, unsigned(plan.reportFd) + 1, ~0u, 0u);
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) childFails(plan, kNoNewPrivileges);
  if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &plan.filter, 0, 0) != 0) {
    childFails(plan, kFilter);
  }
  execve(plan.path, plan.argv, plan.envp);
  childFails(plan, kExec);
}

}  // namespace

pid_t startSandboxed(const SandboxedStart& start) {
  std::vector<std::string> arguments = start.arguments, environment = start.environment;
  std::vector<char*> argv, envp;
  for (auto& argument : arguments) argv.push_back(argument.data());
  argv.push_back(nullptr);
  for (auto& entry : environment) envp.push_back(entry.data());
  envp.push_back(nullptr);
  std::vector<sock_filter> program = filterProgram();

  int report[2];
  if (pipe2(report, O_CLOEXEC) != 0) {
    throw Error(Error::Kind::failed, std::string("pipe2 for a sandboxed start: ") + std::strerror(errno));
  }
  // Above the descriptors the child moves to 0..3, so that none of them lands on it.
  int reportWrite = fcntl(report[1], F_DUPFD_CLOEXEC, 10);
  close(report[1]);
  if (reportWrite < 0) {
    close(report[0]);
    throw Error(Error::Kind::failed, std::string("fcntl for a sandboxed start: ") + std::strerror(errno));
  }

  ChildPlan plan{};
  plan.path = start.executable.c_str();
  plan.argv = argv.data();
  plan.envp = envp.data();
  plan.stdoutFd = start.stdoutFd;
  plan.stderrFd = start.stderrFd;
  plan.channelFd = start.channelFd;
  plan.reportFd = reportWrite;
  std::snprintf(plan.uidMap, sizeof plan.uidMap, "%u %u 1\n", unsigned(geteuid()), unsigned(geteuid()));
  std::snprintf(plan.gidMap, sizeof plan.gidMap, "%u %u 1\n", unsigned(getegid()), unsigned(getegid()));
  plan.filter = {uint16_t(program.size()), program.data()};

  constexpr size_t kStackBytes = 256 * 1024;
  void* stack = mmap(nullptr, kStackBytes, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (stack == MAP_FAILED) {
    close(report[0]);
    close(reportWrite);
    throw Error(Error::Kind::failed, "no memory for a sandboxed start");
  }
  // Not CLONE_VM: the child has a copy of this process's memory, as after fork().
  pid_t pid = clone(sandboxedChild, static_cast<char*>(stack) + kStackBytes,
                    CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWNET |
                        SIGCHLD,
                    &plan);
  int cloneError = errno;
  munmap(stack, kStackBytes);
  close(reportWrite);
  if (pid < 0) {
    close(report[0]);
    throw Error(Error::Kind::unsupported,
                std::string("cannot sandbox the surrogate: creating its namespaces failed (") +
                    std::strerror(cloneError) +
                    "); unprivileged user namespaces may be switched off here "
                    "(kernel.unprivileged_userns_clone, user.max_user_namespaces)");
  }
  int failure[2] = {0, 0};
  ssize_t n;
  while ((n = read(report[0], failure, sizeof failure)) < 0 && errno == EINTR) {
  }
  close(report[0]);
  if (n == 0) return pid;  // the report pipe closed at exec: the surrogate runs
  while (waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
  }
  throw Error(Error::Kind::unsupported,
              std::string("cannot sandbox the surrogate: ") + describeStep(failure[0]) +
                  " failed (" + std::strerror(failure[1]) + ")");
}

}  // namespace bridge32
