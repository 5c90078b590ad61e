// Linux: a surrogate started in a sandbox (LoadOptions::sandbox), modelled on Chromium's: a
// process in user, PID, mount, IPC and network namespaces of its own, with a /proc of its PID
// namespace (so the application's process has no entry there: no /proc/<pid>/mem or /fd to
// open, no pid to signal, trace or take descriptors from), and a seccomp filter, installed before
// the surrogate's first instruction, that refuses what reaches across processes or out of the
// namespaces: ptrace, process_vm_readv/writev, pidfd_getfd, kcmp, mounting, new namespaces,
// kernel keyrings, BPF, perf events, userfaultfd, io_uring, handles to files by number, kernel
// modules. The filter covers both system call tables (i386 and x86-64): a 32-bit surrogate runs
// natively or under user-mode QEMU, whose own calls are then the x86-64 ones it makes for it.
//
// The surrogate is PID 1 of its namespace: when it ends, the kernel ends everything in it, so
// nothing a module starts outlives it, however it leaves its session. It dies with the
// application (PR_SET_PDEATHSIG). What the sandbox does not change: the file system, which the
// module sees and writes as the user may.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace bridge32 {

struct SandboxedStart {
  std::string executable;
  std::vector<std::string> arguments;    // argv, the executable's name first
  std::vector<std::string> environment;  // "NAME=VALUE" each
  int stdoutFd = -1, stderrFd = -1, channelFd = -1;  // become its 1, 2 and 3
};

// Starts `start` sandboxed and returns its pid (in this process's PID namespace). Throws
// Error(unsupported) naming the step the kernel refused ("creating user namespaces:
// Operation not permitted") and what it means, where it cannot be sandboxed.
pid_t startSandboxed(const SandboxedStart& start);

}  // namespace bridge32
