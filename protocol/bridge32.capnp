# bridge32 protocol: everything host64 and a surrogate say to each other.
#
# This file is the core every module kind shares: the handshake, the session, loading, the log
# and the heartbeat. Each module kind has a schema of its own (plugin.capnp, library.capnp), which this one
# imports; the types all of them use are in common.capnp.
#
# The host starts a surrogate process and connects to it over a private named pipe (Windows) or
# a Unix-domain socket pair (Linux), then both speak Cap'n Proto two-party RPC over it. The
# surrogate's bootstrap capability is `Surrogate`. Its one method is the handshake; only a
# successful handshake hands out a `Session`, so nothing can happen before both sides agree on
# the protocol version. Everything else hangs off capabilities: one per loaded module, of its
# kind (an SDK module creates an `Instance` per plugin instance). Releasing a capability
# releases what it stands for.
#
# Calls go both ways: the host passes `LogSink` and `HostCallbacks` capabilities, which the
# surrogate calls while a host call is in flight (a plugin logging or reporting a parameter
# change from inside process(), say) and between calls (a plugin's own threads).
#
# Rules:
# - Nothing pointer-sized crosses the wire. Ids, sizes and handles are fixed-width integers.
#   A window handle travels as its low 32 bits (`WindowHandle` in common.capnp).
# - Every result that can fail carries `error`. When it is set the call failed on the
#   surrogate's side for the reason it names, and the other result fields are meaningless. A
#   broken connection or a dead surrogate shows as an RPC exception instead, never as `error`.
# - The schema grows only by new fields and methods with new numbers; old readers must still
#   read new messages. Incompatible changes bump `protocolVersion`.
# - The surrogate serves one call at a time on its plugin thread (plugins expect that), and
#   answers in order. Its connection is served by a thread of its own, so what plugins say to
#   the host (`HostCallbacks.events`, `LogSink.writeBatch`) goes out while a call is running,
#   from whichever thread said it. An answer follows everything said before it.

@0xa8531d41b74e334b;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("bridge32::wire");

using Plugin = import "plugin.capnp";
using Library = import "library.capnp";
using Com = import "com.capnp";
using import "common.capnp".Architecture;
using import "common.capnp".Error;
using import "common.capnp".LogLevel;
using import "common.capnp".LaneChannel;
using import "common.capnp".Lane;
using import "common.capnp".SharedSegment;
using import "common.capnp".SegmentHandle;

const protocolVersion :UInt32 = 6;
# 3: Session.load(kind, path), one schema per module kind.
# 6: large values in shared segments (Session.shareMemory), lane calls with outputs.
# Both sides must have the same. The handshake refuses a peer with another, naming both.

struct LogRecord {
  level @0 :LogLevel;
  logger @1 :Text;   # which part of the surrogate wrote it
  message @2 :Text;
}

interface LogSink {
  # Given by the host at the handshake; the surrogate's own log records go here.
  write @0 (record :LogRecord) -> ();
  # Protocol 1's one record at a time; a protocol 2 surrogate sends writeBatch.

  writeBatch @1 (records :List(LogRecord), dropped :UInt64) -> ();
  # Records in the order they were written. `dropped` counts the records written after the
  # previous batch that the surrogate dropped because the host was not keeping up.
}

interface Surrogate {
  # The bootstrap capability a surrogate serves.

  handshake @0 (protocolVersion :UInt32, log :LogSink)
      -> (error :Error, protocolVersion :UInt32, architecture :Architecture, pid :UInt32,
          session :Session);
  # The first call. The surrogate answers with its own version, architecture and process id,
  # and a session only if the versions match.
}

interface Session {
  loadModule @0 (path :Text) -> (error :Error, module :Plugin.Module, sdkVersion :Plugin.SdkVersion,
                                 plugins :List(Plugin.PluginDescriptor));
  # Protocol 2's load, of the SDK kind only. Protocol 3 surrogates do not serve it: use load.

  shutdown @1 () -> ();
  # Orderly exit: the surrogate answers; the host then releases its capabilities and hangs up,
  # and the surrogate destroys what is left, unloads its modules and exits 0.

  ping @2 () -> ();
  # The host's heartbeat: answered by the plugin thread between calls, so a surrogate whose
  # plugin thread is stuck stops answering.

  load @3 (kind :ModuleKind, path :Text) -> (error :Error, module :LoadedModule);
  # Loads a module of `kind` by UTF-8 path with the platform's loader. The answer is the kind's
  # own capability and what it says of itself.

  flush @4 () -> ();
  # Answered once everything the plugins said before it has gone to the host. A call answered
  # through a lane (which does not wait for them) and during which the plugin said something is
  # followed by this, so that the host has heard it all when the call returns, as over the pipe.

  openLane @5 (channel :LaneChannel) -> (error :Error, lane :Lane);
  # A lane of no module, served by a thread of its own, that answers every request at once: what
  # the shared memory itself costs between these two processes (bridge32_bench's floor).

  shareMemory @6 (segment :SharedSegment) -> (error :Error, handle :SegmentHandle);
  # Maps a segment of the host's in the surrogate, for calls to name by its id until the handle
  # is released.
}

enum ModuleKind {
  sdk @0;      # a plugin written against bridge32's SDK: exports bridge32_entry
  library @1;  # any DLL or shared object, its exports called by their C declarations
  vst2 @2;     # a VST2 plugin: exports VSTPluginMain or main
  com @3;      # a COM class (the path is its ProgID or {CLSID}): automation objects
}

struct LoadedModule {
  # What `load` answers: the field of the kind asked for, and no other. (Not a union: Cap'n Proto
  # pipelines calls through struct fields but not through unions, and a host asks the module
  # for its first instance before the load's answer is back.)
  sdk @0 :Plugin.LoadedPluginModule;
  library @1 :Library.LoadedLibrary;
  vst2 @2 :Plugin.LoadedPluginModule;
  com @3 :Com.LoadedComClass;
}

