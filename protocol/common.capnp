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

