// Calls into a library loaded in this process, by a C declaration, through libffi: the one
// engine behind the library kind, used by the surrogate for bridged libraries and by the host
// for in-process ones, so both refuse the same arguments with the same messages.
//
// A declaration is turned once, when a function is bound, into Shapes: each C type as this
// process lays it out, with what the engine needs to move a Value into the DLL's memory and
// back. A call then builds the DLL's memory from the arguments (every pointer the DLL is given
// points into memory the call owns, with guard bytes after each buffer the DLL may write),
// calls, checks the guards, and reads the results back as Values.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bridge32/call-result.h"
#include "bridge32/value.h"
#include "library/c-types.h"

namespace bridge32 {
class DynamicLibrary;
}

namespace bridge32::library {

// How many elements (or bytes) a pointer points to: a constant, or computed from the values of
// the other parameters (or, for a struct's pointer member, of the struct's other fields).
// `lookup(name, dereference)` gives the integer value of `name` (of what it points to when
// `dereference`), or nothing if it has none.
using Lookup = std::function<std::optional<int64_t>(std::string_view name, bool dereference)>;
using Count = std::function<int64_t(const Lookup& lookup)>;

struct FunctionShape;

struct Shape {
  enum class Kind {
    voidType,
    boolean,
    integer,   // also enums and characters
    floating,
    pointer,   // to `target`, `count` of them (1 without one), in `direction`
    string,    // a NUL-terminated string of `charWidth`-byte characters
    opaque,    // a pointer or handle passed by value and never dereferenced
    record,    // a struct or union
    array,     // a fixed array inside a struct
    callback,  // a function pointer
  };
  Kind kind = Kind::voidType;
  uint32_t size = 0, align = 1;
  bool isSigned = false;
  bool isCharacter = false;  // integer: char or wchar_t, whose arrays read back as text
  std::string name;  // as C says it, for messages: "unsigned int", "struct Point *"

  // pointer, string
  std::shared_ptr<const Shape> target;  // pointer: the element
  Direction direction = Direction::in;
  std::optional<Count> count;
  bool countInBytes = false;
  bool nullable = false;
  uint32_t charWidth = 1;  // string: 1 (UTF-8), 2 (UTF-16) or 4 (UTF-32)
  // opaque
  Value::HandleKind handleKind = Value::HandleKind::pointer;
  uint32_t textWidth = 0;  // opaque: read back with the text it points to, of this character size
  // record
  struct Field {
    std::string name;
    uint32_t offset;
    std::shared_ptr<const Shape> shape;
    std::optional<BitRange> bits;  // a bit-field's, from `offset` (an integer or bool shape)
  };
  std::vector<Field> fields;
  bool isUnion = false;
  // array
  std::shared_ptr<const Shape> element;
  uint32_t length = 0;
  // callback: the function it points to
  std::shared_ptr<const FunctionShape> callee;
  // _Kept_: the DLL keeps the pointer, handle or callback after the call returns
  bool kept = false;
};

struct ParameterShape {
  std::string name;  // "arg1", ... when the declaration gives none
  std::shared_ptr<const Shape> shape;
  bool isInput() const;     // given by the caller: a value, or what an in/in-out pointer points to
  bool isOutput() const;    // read back after the call: what an out/in-out pointer points to
  bool isCallback() const;  // given by the caller as a Callback
};

// A function as the engine calls it: its declaration (c-types.h) laid out for this process.
struct FunctionShape {
  std::string name;
  std::shared_ptr<const Shape> result;
  std::vector<ParameterShape> parameters;
  CallingConvention convention = CallingConvention::platformDefault;
  bool isVariadic = false;
};

// Where the callbacks a library kept (_Kept_) go when their caller drops them: they answer zeros
// from then on, in case the library calls them late, and are freed with this, which the
// library's functions and their callers' KeptCallbacks share.
class RetiredCallbacks;
std::shared_ptr<RetiredCallbacks> makeRetiredCallbacks();

// Memory shared with the caller's process (a bridged call's arena): the call puts its counted
// out-buffers there while it has space, for the DLL to write where the caller reads them, and
// reads the arrays of numbers in them back as views of it, which `owner` keeps mapped. `used`:
// how much of it the call took, from the start (what is after it is free for the answer).
struct SharedRoom {
  std::span<std::byte> bytes;
  std::shared_ptr<const void> owner;
  uint64_t used = 0;
};

// The shared room a call of `signature` with `arguments` needs for all its counted out-buffers
// (and the text of its counted out strings), as this process lays them out (a host asks for a
// 32-bit surrogate, whose sizes are never larger): in all, and each buffer's bytes by its
// parameter's name. Counts the call would refuse count nothing.
struct SharedRoomNeed {
  uint64_t bytes = 0;
  std::vector<std::pair<std::string, uint64_t>> buffers;
};
SharedRoomNeed sharedRoomFor(const FunctionShape& signature, std::span<const Value> arguments);

// True for a record whose bytes mean the same in any process of the ABI it was laid out for:
// numbers, bools, and arrays and records of them; no pointers, strings, handles or callbacks.
bool isPlainRecord(const Shape& shape);

// `items` laid out as an array of `element` (a plain record, of whichever ABI its shape says):
// the bytes a DLL of that ABI reads, which a call accepts for a counted pointer to such records
// (an array of uint8 of exactly count x size bytes). Throws Error(invalidArgument) naming
// `what[i]` for a value that does not fit.
std::vector<std::byte> layOutRecords(const Shape& element, std::span<const Value> items,
                                     const std::string& what);

// The records `bytes` holds, laid out as an array of `element` (a plain record of whichever ABI
// its shape says), as Values: what a surrogate's answer gives for a counted pointer to such
// records that the DLL wrote in the call's shared memory. Throws Error(invalidArgument) naming
// `what` when the bytes are not whole records.
Value readRecords(const Shape& element, std::span<const std::byte> bytes, const std::string& what);

class ForeignFunction {
 public:
  // Prepares calls of the function at `address` as `signature` says, retiring kept callbacks
  // into `retired` (the library's; a pool of its own without one). Throws Error(unsupported)
  // for what the engine cannot call (a union by value, say, or a data pointer declared _Kept_).
  ForeignFunction(void* address, FunctionShape signature,
                  std::shared_ptr<RetiredCallbacks> retired = {});
  ~ForeignFunction();
  ForeignFunction(const ForeignFunction&) = delete;
  ForeignFunction& operator=(const ForeignFunction&) = delete;

  const FunctionShape& signature() const { return signature_; }

  // [the thread the library's calls are made on] Calls it with the values of the input
  // parameters, in order, then any variadic arguments, and `callbacks` for its function-pointer
  // parameters, in order (an empty one passes NULL). The callbacks of _Kept_ parameters stay
  // callable, from any thread, while the result's `kept` lives. Throws Error(invalidArgument) for values
  // that do not fit their parameters, Error(failed) when the function wrote past a buffer or a
  // callback failed.
  // With `room`, counted out-buffers go there (SharedRoom). An in-only array of numbers of the
  // parameter's own type is given to the DLL where it is, without a copy.
  CallResult call(std::span<const Value> arguments, std::span<const Callback> callbacks = {},
                  SharedRoom* room = nullptr) const;

 private:
  struct Prepared;
  void* address_;
  FunctionShape signature_;
  std::unique_ptr<Prepared> prepared_;
  std::shared_ptr<RetiredCallbacks> retired_;
};

}  // namespace bridge32::library
