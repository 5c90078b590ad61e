# bridge32 protocol: everything host64 and a surrogate say to each other.
#
# The host starts a surrogate process and connects to it over a private named pipe (Windows) or
# a Unix-domain socket pair (Linux), then both speak Cap'n Proto two-party RPC over it. The
# surrogate's bootstrap capability is `Surrogate`. Its one method is the handshake; only a
# successful handshake hands out a `Session`, so nothing can happen before both sides agree on
# the protocol version. Everything else hangs off capabilities: a `Module` per loaded plugin
# module, an `Instance` per plugin instance. Releasing a capability releases what it stands for.
#
# Calls go both ways: the host passes `LogSink` and `HostCallbacks` capabilities, which the
# surrogate calls while a host call is in flight (a plugin logging or reporting a parameter
# change from inside process(), say) and between calls (a plugin's own threads).
#
# Rules:
# - Nothing pointer-sized crosses the wire. Ids, sizes and handles are fixed-width integers.
#   A window handle travels as its low 32 bits (`WindowHandle`, below).
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

const protocolVersion :UInt32 = 2;
# Both sides must have the same. The handshake refuses a peer with another, naming both.

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
  loadModule @0 (path :Text) -> (error :Error, module :Module, sdkVersion :SdkVersion,
                                 plugins :List(PluginDescriptor));
  # Loads a plugin module by UTF-8 path with the platform's loader and lists its plugins.

  shutdown @1 () -> ();
  # Orderly exit: the surrogate answers; the host then releases its capabilities and hangs up,
  # and the surrogate destroys what is left, unloads its modules and exits 0.

  ping @2 () -> ();
  # The host's heartbeat: answered by the plugin thread between calls, so a surrogate whose
  # plugin thread is stuck stops answering.
}

struct SdkVersion {
  major @0 :UInt32;
  minor @1 :UInt32;
  revision @2 :UInt32;
}

struct PluginDescriptor {
  id @0 :Text;
  name @1 :Text;
  vendor @2 :Text;
  version @3 :Text;
}

interface Module {
  createInstance @0 (pluginId :Text, host :HostCallbacks)
      -> (error :Error, instance :Instance, extensions :Extensions, params :List(ParamInfo));
  # Creates and initializes an instance. Which extensions it offers and its parameters are
  # fixed for its life, so they come back here once and later calls need no round trip.
}

struct Extensions {
  params @0 :Bool;
  state @1 :Bool;
  process @2 :Bool;
  gui @3 :Bool;
}

using WindowHandle = UInt32;
# A window handle as its low 32 bits. 64-bit Windows keeps window handles 32 bits wide so that
# 32-bit and 64-bit processes can share windows: only the low 32 bits of an HWND are
# significant, and a 64-bit HWND is the sign extension of them. The sender truncates, the
# receiver sign-extends to its pointer width; both with bridge32/window-handle.h, nothing else.

enum WindowApi {
  unknown @0;
  win32Hwnd @1;  # an HWND; B32_WINDOW_API_WIN32 (not "win32": MinGW defines WIN32)
}

struct ParamInfo {
  id @0 :UInt32;
  flags @1 :UInt32;  # B32_PARAM_IS_* from the SDK
  minValue @2 :Float64;
  maxValue @3 :Float64;
  defaultValue @4 :Float64;
  name @5 :Text;
  unit @6 :Text;
}

interface Instance {
  getParam @0 (id :UInt32) -> (error :Error, value :Float64);
  setParam @1 (id :UInt32, value :Float64) -> (error :Error);
  saveState @2 () -> (error :Error, state :Data);
  loadState @3 (state :Data) -> (error :Error);
  activate @4 (sampleRate :Float64, maxFrames :UInt32) -> (error :Error);
  deactivate @5 () -> (error :Error);
  process @6 (channels :UInt32, frames :UInt32, input :List(Float32))
      -> (error :Error, output :List(Float32));
  # Planar samples, as in the SDK: channel c's frame f is at [c * frames + f].

  destroy @7 () -> (error :Error);
  # Destroys the plugin instance now; releasing the capability does the same, silently.

  openEditor @8 (api :WindowApi, parent :WindowHandle)
      -> (error :Error, width :UInt32, height :UInt32, canResize :Bool);
  # Creates the plugin's editor, hidden, as a child of the host's window `parent`. While this
  # call is in flight the surrogate sends window messages to the thread that owns `parent`;
  # that thread must keep dispatching messages.

  closeEditor @9 () -> (error :Error);
  setEditorSize @10 (width :UInt32, height :UInt32) -> (error :Error, width :UInt32, height :UInt32);
  # Answers with the size the plugin took.
  showEditor @11 (visible :Bool) -> (error :Error);
}

interface HostCallbacks {
  # The SDK's b32_host, for one instance.
  log @0 (level :LogLevel, message :Text) -> ();
  paramChanged @1 (id :UInt32, value :Float64) -> ();
  requestEditorResize @2 (width :UInt32, height :UInt32) -> ();
  # The plugin's editor asks for a new size (b32_host_gui.request_resize); the host resizes its
  # container and then calls setEditorSize with the size it granted.
  # These three are protocol 1's callbacks, one per call; a protocol 2 surrogate sends `events`.

  events @3 (events :List(HostEvent)) -> ();
  # What the plugin said, from any of its threads, in the order it said it. The surrogate queues
  # a bounded amount while the host is busy: beyond that it drops log lines (and says how many),
  # and keeps only the latest value of each parameter and the latest editor size.
}

struct HostEvent {
  union {
    log @0 :LogLine;
    paramChanged @1 :ParamValue;
    editorResize @2 :EditorSize;
    logLinesDropped @3 :UInt64;
    # This many log lines were dropped here: the host did not take them fast enough.
  }
}

struct LogLine {
  level @0 :LogLevel;
  message @1 :Text;
}

struct ParamValue {
  id @0 :UInt32;
  value @1 :Float64;
}

struct EditorSize {
  width @0 :UInt32;
  height @1 :UInt32;
}
