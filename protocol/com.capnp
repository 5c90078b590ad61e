# bridge32 protocol, the COM module kind: automation objects of an in-process COM server (a DLL
# registered for a class), created in the surrogate and used by late binding (IDispatch).
# `Session.load(kind = com, path = ProgID or {CLSID})` answers with a `ComClass`, whose `create`
# makes objects. Every object crosses as a capability: the surrogate releases the COM object when
# the host drops it (or hangs up), and the host cannot name an object it was never given. The
# host serves ComObjects too, for objects of its own it passes in (callbacks, event sinks): the
# surrogate gives the COM object an IDispatch that calls them; an object the surrogate served
# comes back to it as the COM object it was.

@0xf9e2bca8b88ab6ff;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("bridge32::wire");

using import "common.capnp".Error;

struct LoadedComClass {
  comClass @0 :ComClass;
  clsid @1 :Text;           # "{EE09B103-97E0-11CF-978F-00A02463E06F}"
  progId @2 :Text;          # empty when the class has none
  server @3 :Text;          # the server DLL as the registry names it
  threadingModel @4 :Text;  # the registry's ThreadingModel ("Apartment", "Both", ...)
}

interface ComClass {
  create @0 () -> (error :Error, object :ComObject, module :Text, machine :UInt16,
                   type :ComTypeInfo);
  # Errors from COM carry what COM said (Error.com). `module` is the file the object's code is
  # in, as loaded (a 32-bit process's system32 named as the syswow64 it is), `machine` its PE
  # header's (0x14C i386, 0x8664 x86-64). `type` is the object's type information, when it
  # gives one (null otherwise): the host checks calls against it before they cross.
}

enum InvokeKind {
  method @0;       # DISPATCH_METHOD (with DISPATCH_PROPERTYGET: VB's "call or read")
  propertyGet @1;
  propertyPut @2;  # the value is the last argument (DISPID_PROPERTYPUT)
  propertyPutRef @3;
}

struct NamedArgument {
  name @0 :Text;
  value @1 :ComValue;
}

interface ComObject {
  invoke @0 (member :Text, kind :InvokeKind, arguments :List(ComValue),
             named :List(NamedArgument))
      -> (error :Error, result :ComValue);
  # Calls member `member` (by name; DISPID_VALUE for an empty name). `arguments` in the order a
  # caller writes them.

  enumerate @1 () -> (error :Error, items :List(ComValue));
  # Every item of the object's _NewEnum (IEnumVARIANT), in order.

  describe @3 () -> (error :Error, type :ComTypeInfo);
  # The object's type information (IDispatch::GetTypeInfo); null when it gives none.

  connect @2 (sink :ComObject) -> (error :Error, connection :ComConnection, events :Text);
  # Connects `sink` to the object's default source of events (its connection point, as the
  # class's type information names it): each event the object raises becomes
  # `sink.invoke(member = the event's name, kind = method, arguments)`, answered before the
  # object goes on. `events` names the events' interface. Releasing `connection` disconnects.
}

struct ComTypeInfo {
  # What an object's type information (ITypeInfo) says of its members.
  name @0 :Text;
  guid @1 :Text;
  description @2 :Text;
  members @3 :List(ComMember);
}

struct ComMember {
  name @0 :Text;
  id @1 :Int32;           # DISPID
  kind @2 :InvokeKind;
  type @3 :Text;          # the result's, as IDL writes it ("void" for none)
  parameters @4 :List(ComParameter);
  varargs @5 :Bool;
  description @6 :Text;
}

struct ComParameter {
  name @0 :Text;
  type @1 :Text;
  optional @2 :Bool;
  output @3 :Bool;
}

interface ComConnection {
  # Held while a sink is connected to an object's events; released, the sink is disconnected.
}

struct ComValue {
  # A VARIANT, by what it holds: `type` is its VARTYPE (without VT_ARRAY: arrays say it of their
  # elements), kept so that values come back as the type they went as.
  type @0 :UInt16;
  union {
    empty @1 :Void;
    nullValue @2 :Void;     # VT_NULL, or a null VT_DISPATCH
    boolean @3 :Bool;
    integer @4 :Int64;      # VT_I1, I2, I4, I8, INT
    unsigned @5 :UInt64;    # VT_UI1, UI2, UI4, UI8, UINT
    real @6 :Float64;       # VT_R4, R8
    currency @7 :Int64;     # VT_CY: the amount times 10000
    date @8 :Float64;       # VT_DATE: days since 1899-12-30
    text @9 :Text;          # VT_BSTR, as UTF-8
    errorCode @10 :Int32;   # VT_ERROR: an SCODE
    object @11 :ComObject;  # VT_DISPATCH (null when the object is)
    array @12 :ComArray;    # VT_ARRAY | type
  }
}

struct ComArray {
  # A SAFEARRAY: its bounds, the first dimension first, and its elements in the order
  # SafeArrayGetElement walks them (the first dimension varying fastest).
  lowerBounds @0 :List(Int32);
  counts @1 :List(UInt32);
  elements @2 :List(ComValue);
  numbers @3 :Data;
  # Instead of `elements`, for an array of a number type (VT_I1 ... VT_UI8, VT_INT, VT_UINT,
  # VT_R4, VT_R8): their bytes, little-endian, as the SAFEARRAY's data holds them.
}
