# bridge32 protocol, the plugin module kinds: plugins written against bridge32's own C SDK
# (sdk/include/bridge32/sdk.h) and VST2 plugins as they are. Both are served through the same
# interfaces: `Session.load(kind = sdk | vst2)` answers with a `LoadedPluginModule`: a `Module`
# that creates `Instance`s, each of which calls the host back through `HostCallbacks`. What a
# format has that the interfaces lack is added here for every format, never as a side door.
#
# The interfaces keep the ids they had when this was all one file (protocol 2), so the calls on
# the wire are the same.

@0xc590bdc05707d8f1;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("bridge32::wire");

using import "common.capnp".Error;
using import "common.capnp".LogLevel;
using import "common.capnp".WindowHandle;
using import "common.capnp".LaneChannel;
using import "common.capnp".LaneRole;
using import "common.capnp".Lane;

struct LoadedPluginModule {
  module @0 :Module;
  sdkVersion @1 :SdkVersion;  # zero for a module of another format
  plugins @2 :List(PluginDescriptor);
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
  inputs @4 :UInt32;   # audio channels the plugin declares; 0 when it does not say
  outputs @5 :UInt32;
  isInstrument @6 :Bool;
}

interface Module @0xae5b1ab6bcbb365b {
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

enum WindowApi {
  unknown @0;
  win32Hwnd @1;  # an HWND; B32_WINDOW_API_WIN32 (not "win32": MinGW defines WIN32)
  x11Window @2;  # an X11 window id; B32_WINDOW_API_X11
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

interface Instance @0xe61a65528bd533f8 {
  getParam @0 (id :UInt32) -> (error :Error, value :Float64);
  setParam @1 (id :UInt32, value :Float64) -> (error :Error);
  saveState @2 () -> (error :Error, state :Data);
  loadState @3 (state :Data) -> (error :Error);
  activate @4 (sampleRate :Float64, maxFrames :UInt32) -> (error :Error);
  deactivate @5 () -> (error :Error);
  process @6 (channels :UInt32, frames :UInt32, input :List(Float32), midi :List(MidiEvent),
              transport :Transport)
      -> (error :Error, output :List(Float32));
  # Planar samples, as in the SDK: channel c's frame f is at [c * frames + f]. `midi` in frame
  # order; `transport` when the host says where the music is (absent: the plugin keeps the last).

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

  openLane @12 (role :LaneRole, channel :LaneChannel) -> (error :Error, lane :Lane);
  # Serves the instance's hot calls through shared memory: getParam and setParam on a main lane,
  # process on an audio lane (protocol/common.capnp, common/src/transport/call-lane.h). The same
  # calls keep working here; a host uses a lane while it has one, this when it has none or
  # another thread holds it.

  getPrograms @13 () -> (error :Error, names :List(Text), current :UInt32);
  # The plugin's programs (presets); none when it has none.
  setProgram @14 (index :UInt32) -> (error :Error);
  getLatency @15 () -> (error :Error, frames :UInt32);
  getParamDisplay @16 (id :UInt32) -> (error :Error, text :Text);
  # The parameter's current value as the plugin shows it, without its unit.
  getProgram @17 () -> (error :Error, index :UInt32);
  # The current program alone: hosts ask often, and the names can be many.
}

struct MidiEvent {
  frame @0 :UInt32;
  status @1 :UInt8;
  data1 @2 :UInt8;
  data2 @3 :UInt8;
}

struct Transport {
  playing @0 :Bool;
  tempo @1 :Float64;
  beats @2 :Float64;
  barStartBeats @3 :Float64;
  numerator @4 :UInt32;
  denominator @5 :UInt32;
}

interface HostCallbacks @0x95093c2bf42b4c96 {
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
