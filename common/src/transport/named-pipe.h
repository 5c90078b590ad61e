// Windows named pipes for the host <-> surrogate channel (Windows only).
//
// The host creates the pipe under a random, unguessable name, as its first and only instance,
// refusing remote clients, with a security descriptor that admits only the current user; it
// then checks that the client that connected is the surrogate it started. The surrogate opens
// the pipe by the name it was given on its command line. Both ends then carry Cap'n Proto over
// a kj::AsyncIoStream that does overlapped I/O through kj's Win32 event port.
#pragma once
#if _WIN32

#include <kj/async-io.h>
#include <kj/async-win32.h>

#include <string>

#include "win32.h"

namespace bridge32 {

// "\\.\pipe\bridge32-<pid>-<128 random bits in hex>".
std::wstring newPipeName();

// The host's end, not yet connected. With `lowIntegrityClient` a client at low integrity (a
// sandboxed surrogate) may open it too: the pipe is labelled low, and still admits only the
// current user. Throws Error(failed) naming the pipe.
win32::Handle createPrivatePipe(const std::wstring& name, bool lowIntegrityClient = false);

// The surrogate's end. Throws Error(failed) naming the pipe.
win32::Handle openPipe(const std::wstring& name);

// Overlapped I/O on `pipe` through `port`. The pipe must not have been observed before.
kj::Own<kj::AsyncIoStream> wrapPipe(win32::Handle pipe, kj::Win32EventPort& port);

}  // namespace bridge32

#endif
