# bridge32 protocol, the library module kind: any exported function of an unmodified DLL or
# shared object, called by its C declaration. `Session.load(kind = library)` answers with a
# `Library`; `bind` gives a `Function` for one declaration, which the surrogate parses itself
# (the same parser as the host's) and lays out for its own ABI, so nothing of the host's memory
# layout crosses: values cross as `Value`s, and the surrogate builds the DLL's memory from them.

@0x8983ed5312a53a1b;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("bridge32::wire");

using import "common.capnp".Error;
using import "common.capnp".LaneChannel;
using import "common.capnp".Lane;

struct LoadedLibrary {
  library @0 :Library;
}

interface Library {
  bind @0 (declarations :Text, name :Text) -> (error :Error, function :Function);
  # `declarations` is C text: struct, enum and typedef definitions, then the function to call,
  # whose name is the export. With a `name`, the text is a whole header's (preprocessed by the
  # host) and the function is the one of that name, whatever else the text declares; what it
  # cannot read is passed over. Fails with notFound (naming the closest exports) when the library
  # has no such export, invalidArgument when the text does not parse.
}

interface Function {
  call @0 (arguments :List(Value), callbacks :List(Callback))
      -> (error :Error, result :Value, outputs :List(Value), lastError :UInt32,
          kept :Registration);
  # `arguments` are the values of the in and in/out parameters, in order, and `callbacks` the
  # host's functions for the function-pointer parameters, in order (a null one passes NULL);
  # `outputs` are the values of the out and in/out parameters after the call, in order;
  # `lastError` is the calling thread's GetLastError() (Windows) or errno right after the call;
  # `kept` holds the callbacks of parameters declared _Kept_ (null when there were none).

  openLane @1 (channel :LaneChannel) -> (error :Error, lane :Lane);
  # Serves calls through shared memory on the plugin thread (common/src/transport/call-lane.h):
  # a LaneCall message in the lane's data, answered by a LaneAnswer written over it. The host sends
  # only calls that need no capability (no callbacks, no lent handles), read nothing back but the
  # result, and fit; everything else comes here as `call`.
}

struct LaneCall {
  arguments @0 :List(Value);
}

struct LaneAnswer {
  result @0 :Value;
  lastError @1 :UInt32;
}

interface Callback {
  invoke @0 (arguments :List(Value)) -> (result :Value);
  # The DLL called the function pointer it was given, from whichever of its threads, while the
  # call that gave it runs or, for a kept one, while its Registration is held: the host runs its
  # function and answers (null for void).
}

interface Registration {
  # Held by the host while the DLL may call the callbacks a call gave it to keep. Released, the
  # surrogate releases the host's Callbacks, and the DLL's later calls of them get 0.
}

struct Value {
  # A C value, by what it means rather than how it is laid out.
  union {
    null @0 :Void;          # a null pointer; no value (void)
    boolean @1 :Bool;
    signed @2 :Int64;
    unsigned @3 :UInt64;
    floating @4 :Float64;
    text @5 :Text;          # a string, UTF-8
    array @6 :List(Value);
    record @7 :List(Field); # a struct or union, field by field
    handle @8 :Handle;      # a pointer or handle the DLL handed out, never dereferenced
    # (not "opaque": <wingdi.h> defines OPAQUE)
  }
}

struct Field {
  name @0 :Text;
  value @1 :Value;
}

struct Handle {
  value @0 :UInt64;
  # A pointer of the surrogate's, as an integer; a window handle as its low 32 bits.
  kind @1 :HandleKind;
}

enum HandleKind {
  pointer @0;
  kernelHandle @1;  # HANDLE: valid only in the process that owns it
  windowHandle @2;  # HWND, HDC, ...: valid in every process of the session (low 32 bits)
  moduleHandle @3;  # HMODULE
  lentKernelHandle @4;
  # A duplicate of a host's kernel handle, made in the surrogate for the one call it is an
  # argument of: the surrogate closes it after the call unless the parameter is _Kept_.
}
