# bridge32 protocol, the library module kind: any exported function of an unmodified DLL or
# shared object, called by its C declaration. `Session.load(kind = library)` answers with a
# `Library`; `bind` gives a `Function` for one declaration, which the host has parsed (headers
# are read on the host only): it crosses as its types, which the surrogate lays out for its own
# ABI, so nothing of the host's memory layout crosses. Values cross as `Value`s, and the surrogate
# builds the DLL's memory from them.

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
  bind @0 (function :FunctionType) -> (error :Error, function :Function);
  # The function whose name is the export. Fails with notFound (naming the closest exports) when
  # the library has no such export, invalidArgument when a type has no layout in the surrogate's
  # ABI (or the description is inconsistent).
}

# A function's declaration as the host's parser read it (common/src/library/c-types.h): its
# signature and every type it reaches, each once, referred to by index (a struct may point at
# itself). Index 0 of `signatures` is the function's own; the others are function pointers'.
struct FunctionType {
  types @0 :List(CType);
  records @1 :List(CRecord);
  enumerations @2 :List(CEnumeration);
  signatures @3 :List(CSignature);
}

struct CType {
  kind @0 :UInt8;         # Type::Kind
  isConst @1 :Bool;
  name @2 :Text;
  width @3 :UInt8;        # IntegerWidth
  isSigned @4 :Bool;
  character @5 :UInt8;    # Character
  floatBytes @6 :UInt8;
  handle @7 :UInt8;       # HandleKind
  target @8 :UInt32;      # pointer, array: an index into `types`
  count @9 :UInt64;       # array
  record @10 :UInt32;     # an index into `records`
  enumeration @11 :UInt32;
  signature @12 :UInt32;  # function: an index into `signatures`
}

struct CRecord {
  isUnion @0 :Bool;
  tag @1 :Text;
  isComplete @2 :Bool;
  fields @3 :List(CMember);
  pack @4 :UInt32;
  isPacked @5 :Bool;
  alignment @6 :UInt32;
  alignmentIsDeclspec @7 :Bool;
}

struct CEnumeration {
  tag @0 :Text;
  names @1 :List(Text);
  values @2 :List(Int64);
}

struct CMember {
  # A struct field, or a parameter.
  name @0 :Text;
  type @1 :UInt32;
  annotation @2 :CAnnotation;
  isBitField @3 :Bool;
  bitWidth @4 :UInt32;    # a bit-field's
}

struct CSignature {
  name @0 :Text;
  returnType @1 :UInt32;
  returnAnnotation @2 :CAnnotation;
  parameters @3 :List(CMember);
  convention @4 :UInt8;   # CallingConvention
  isVariadic @5 :Bool;
}

struct CAnnotation {
  sal @0 :List(Text);
  direction @1 :UInt8;    # Direction
  transfer @2 :UInt8;     # Transfer
  optional @3 :Bool;
  kept @4 :Bool;
  count @5 :List(CSize);  # none or one
  written @6 :List(CSize);
  outPointer @7 :Bool;
  outPointerText @8 :Bool;
}

struct CSize {
  op @0 :UInt8;           # SizeExpression::Op
  constant @1 :Int64;
  name @2 :Text;
  operands @3 :List(CSize);
}

interface Function {
  call @0 (arguments :List(Value), callbacks :List(Callback), arena :CallArena)
      -> (error :Error, result :Value, outputs :List(Value), lastError :UInt32,
          kept :Registration);
  # `arguments` are the values of the in and in/out parameters, in order, and `callbacks` the
  # host's functions for the function-pointer parameters, in order (a null one passes NULL);
  # `outputs` are the values of the out and in/out parameters after the call, in order;
  # `lastError` is the calling thread's GetLastError() (Windows) or errno right after the call;
  # `kept` holds the callbacks of parameters declared _Kept_ (null when there were none).
  # Large values on both sides may be in shared memory (SharedBytes); `arena` is the room the
  # surrogate may use for the call's out-buffers, which the DLL then writes where the host reads.

  openLane @1 (channel :LaneChannel) -> (error :Error, lane :Lane);
  # Serves calls through shared memory on the plugin thread (common/src/transport/call-lane.h):
  # a LaneCall message in the lane's data, answered by a LaneAnswer written over it. The host sends
  # only calls that need no capability (no callbacks, no lent handles), whose answer is bounded
  # before the call (numbers, and arrays of them in the arena), and that fit; everything else
  # comes here as `call`.
}

struct LaneCall {
  arguments @0 :List(Value);
  arena @1 :CallArena;
}

struct LaneAnswer {
  result @0 :Value;
  lastError @1 :UInt32;
  outputs @2 :List(Value);
}

struct CallArena {
  # Where in a shared segment (common.capnp's SharedSegment) a call's out-buffers may go: bytes
  # from `offset`, which the host reads back after the call. Segment 0: none.
  segment @0 :UInt32;
  offset @1 :UInt64;
  bytes @2 :UInt64;
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
    numbers @9 :Numbers;    # an array of numbers of one type, as its bytes
    shared @10 :SharedBytes;  # numbers or a string in shared memory
  }
}

struct SharedBytes {
  # An array of numbers (of `elementType`) or a string's UTF-8 bytes (`isText`) kept in a segment
  # of shared memory the host gave the surrogate, at `offset`, rather than in the message.
  segment @0 :UInt32;
  offset @1 :UInt64;
  bytes @2 :UInt64;
  elementType @3 :UInt8;
  isText @4 :Bool;
}

struct Numbers {
  elementType @0 :UInt8;    # bridge32::ElementType
  bytes @1 :Data;           # little-endian, packed: a whole number of elements
}

struct Field {
  name @0 :Text;
  value @1 :Value;
}

struct Handle {
  value @0 :UInt64;
  # A pointer of the surrogate's, as an integer; a window handle as its low 32 bits.
  kind @1 :HandleKind;
  text @2 :Text;
  hasText @3 :Bool;
  # What it points to, as text, when the declaration says so (_Outptr_result_z_).
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
