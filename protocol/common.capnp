# bridge32 protocol: the types every part of the protocol uses (see bridge32.capnp).

@0xbb3251be99481bf4;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("bridge32::wire");

enum Architecture {
  unknown @0;
  x86 @1;  # 32-bit: i386 ELF, PE32 (machine 0x14c)
  x64 @2;  # 64-bit: x86-64 ELF, PE32+ (machine 0x8664)
}

enum ErrorKind {
  # What the host should do about the error; surfaces as bridge32::Error::Kind.
  failed @0;              # the plugin or the surrogate reported a failure
  invalidArgument @1;     # an id, value or size that was refused
  notFound @2;            # a file, plugin id or parameter id that does not exist
  badModule @3;           # the file is not a loadable plugin module
  unsupportedVersion @4;  # an SDK or protocol version this side does not support
  unsupported @5;         # the plugin does not offer the extension the call needs
  badState @6;            # not allowed now (process before activate, say)
}

struct Error {
  kind @0 :ErrorKind;
  message @1 :Text;  # says what failed, naming the file, id or value
  com @2 :ComFailure;  # for a COM call that failed: what COM said (else absent)
}

struct ComFailure {
  hresult @0 :Int32;     # what the call returned
  code @1 :Int32;        # EXCEPINFO's scode (or wCode) when the object raised an exception
  source @2 :Text;       # EXCEPINFO's source and description
  description @3 :Text;
}

enum LogLevel {
  trace @0;
  debug @1;
  info @2;
  warn @3;
  err @4;  # not "error": <wingdi.h> defines ERROR
  critical @5;
}

using WindowHandle = UInt32;
# A window handle as its low 32 bits. 64-bit Windows keeps window handles 32 bits wide so that
# 32-bit and 64-bit processes can share windows: only the low 32 bits of an HWND are
# significant, and a 64-bit HWND is the sign extension of them. The sender truncates, the
# receiver sign-extends to its pointer width; both with bridge32/window-handle.h, nothing else.


# Call lanes (common/src/transport/call-lane.h): shared memory through which hot calls go instead
# of this connection, which stays the control plane that sets them up, says what plugins say, and
# carries everything rare.

interface SharedMemory {
  # No methods: on Linux the capability carries a file descriptor (a memfd or an eventfd), passed
  # with the message that holds it (Cap'n Proto's fd passing over the Unix socket).
}

struct LaneChannel {
  # What the surrogate needs to serve a lane. The host made all of it; on Windows it duplicated the
  # handles into the surrogate, which owns them from then on (and closes them if it refuses).
  mappingBytes @0 :UInt64;
  memory @1 :SharedMemory;      # Linux: the mapping's memfd
  doorbell @2 :SharedMemory;    # Linux: the eventfd the host rings when the server sleeps
  windowsMapping @3 :UInt64;    # Windows: the file mapping's handle, valid in the surrogate
  windowsDoorbell @4 :UInt64;   # Windows: the doorbell event
  windowsAnswer @5 :UInt64;     # Windows: the event the surrogate sets when the host sleeps
}

struct SharedSegment {
  # Memory the host shares with the surrogate for the large values of calls (arrays of numbers,
  # strings), which messages then name by place (library.capnp's SharedBytes) instead of carrying.
  # The host made it and numbers it; on Windows it duplicated the handle into the surrogate.
  id @0 :UInt32;                # never 0, never reused by the host for another segment
  bytes @1 :UInt64;
  memory @2 :SharedMemory;      # Linux: the mapping's memfd
  windowsMapping @3 :UInt64;    # Windows: the file mapping's handle, valid in the surrogate
}

interface SegmentHandle {
  # A segment the surrogate maps. Releasing it unmaps the segment there once no call uses it.
}

enum LaneRole {
  main @0;   # calls a plugin takes on its main thread (parameters): served by the plugin thread
  audio @1;  # process(): served by a thread of the lane's own, as an audio thread
}

interface Lane {
  # A lane the surrogate serves. Releasing it stops the serving (an audio lane's thread ends) and
  # unmaps the memory on the surrogate's side.
}
