#include "library/bridged-library.h"

#include <capnp/serialize.h>

#include <cstring>
#include <map>
#include <mutex>

#include "core/call-lane.h"
#include "core/module-link.h"
#include "core/remote-life.h"
#include "core/segment-pool.h"
#include "logging.h"
#include "library/declaration-shapes.h"
#include "library/declaration-wire.h"
#include "library/function-info.h"
#include "library/value-wire.h"
#include "wire.h"

namespace bridge32 {

namespace {

using FunctionLife = RemoteLife<wire::Function::Client>;
using FunctionBinding = FunctionLife::Life;

// What an answer of the surrogate's says (a call's results over the pipe, or a LaneAnswer): the
// result, the last error, and a value for each of `outputs` (their names), which may be in the
// call's shared `memory`.
template <typename Answer>
CallResult valuesOf(const Answer& answer, const std::string& function,
                    std::span<const std::string> outputs, WireMemory* memory) {
  CallResult result;
  result.value = fromWire(answer.getResult(), WireText::validUtf8, memory);
  result.lastError = answer.getLastError();
  auto given = answer.getOutputs();
  if (given.size() != outputs.size()) {
    throw Error(Error::Kind::failed, "the surrogate answered " + std::to_string(given.size()) +
                                         " outputs of '" + function + "', which has " +
                                         std::to_string(outputs.size()));
  }
  for (uint32_t i = 0; i < given.size(); ++i) {
    result.outputs.emplace_back(outputs[i], fromWire(given[i], WireText::validUtf8, memory));
  }
  return result;
}

// A Callback of the application's, as the surrogate calls it: on this host's loop thread, during
// the call that gave it or, kept, while the call's Registration is held.
class CallbackServer final : public wire::Callback::Server {
 public:
  CallbackServer(Callback callback, std::shared_ptr<HostTime> hostTime)
      : callback_(std::move(callback)), hostTime_(std::move(hostTime)) {}

 protected:
  kj::Promise<void> invoke(InvokeContext context) override {
    std::vector<Value> arguments = fromWire(context.getParams().getArguments());
    Value result;
    {
      HostTime::Scope counted(*hostTime_);  // not the surrogate's time: see HostTime
      result = callback_(arguments);
    }
    toWire(result, context.getResults().initResult());
    return kj::READY_NOW;
  }

 private:
  Callback callback_;
  std::shared_ptr<HostTime> hostTime_;
};

class BridgedFunction final : public BoundFunction, private FunctionLife::Kind {
 public:
  // `signature` is the declaration as this process reads it: for its parameters' names and
  // directions, which the surrogate's reading shares (the layouts, which differ, stay there).
  // `surrogateAbi`: the ABI the surrogate lays the declaration out for.
  BridgedFunction(std::shared_ptr<ModuleLink> link,
                  std::shared_ptr<const library::Signature> function, std::string declaration,
                  library::FunctionShape signature, library::Abi surrogateAbi)
      : link_(std::move(link)),
        function_(std::move(function)),
        declaration_(std::move(declaration)),
        signature_(std::move(signature)),
        what_("function '" + signature_.name + "'"),
        info_(infoOf(signature_)) {
    findRecordArrays(surrogateAbi);
    for (const auto& parameter : signature_.parameters) {
      if (parameter.isInput()) inputNames_.push_back("argument '" + parameter.name + "'");
      if (parameter.isCallback()) ++callbacks_;
      if (parameter.isOutput()) outputNames_.push_back(parameter.name);
      const library::Shape& shape = *parameter.shape;
      bool buffer = shape.kind == library::Shape::Kind::pointer ||
                    shape.kind == library::Shape::Kind::string;
      if (buffer && shape.count && shape.direction != library::Direction::in) {
        hasCountedOutputs_ = true;
      }
    }
    if (fitsALane()) {
      try {
        lane_ = std::make_unique<CallLane>(kLaneBytes, "bridge32 function lane");
      } catch (const Error& error) {
        logging::warn("{}: no lane, its calls take the pipe: {}", what_, error.what());
      }
    }
    ModuleLink::Loaded loaded = link_->running();
    life_ = FunctionLife::start(link_, *this, what_, Comeback::onUse, loaded.client,
                                make(loaded));
    if (lane_) openLane(*life_->current());
  }

  ~BridgedFunction() override { life_->close(); }

  const std::string& name() const override { return signature_.name; }
  const std::string& declaration() const override { return declaration_; }
  bool returnsVoid() const override {
    return signature_.result->kind == library::Shape::Kind::voidType;
  }
  const FunctionInfo& info() const override { return info_; }

  CallResult call(std::span<const Value> arguments, std::span<const Callback> callbacks) override {
    size_t inputs = inputNames_.size();
    if (arguments.size() != inputs && !(signature_.isVariadic && arguments.size() > inputs)) {
      throw Error(Error::Kind::invalidArgument,
                  "'" + signature_.name + "' takes " + std::to_string(inputs) + " argument" +
                      (inputs == 1 ? "" : "s") + ", given " + std::to_string(arguments.size()));
    }
    if (callbacks.size() != callbacks_) {
      throw Error(Error::Kind::invalidArgument,
                  "'" + signature_.name + "' takes " + std::to_string(callbacks_) + " callback" +
                      (callbacks_ == 1 ? "" : "s") + ", given " + std::to_string(callbacks.size()));
    }
    auto binding = life_->running();
    std::vector<Value> laidOut;
    if (!recordArrays_.empty()) arguments = withRecordsLaidOut(arguments, laidOut);
    CallMemory memory = sharedMemoryFor(binding->client, arguments);
    WireTextBudget text(memory.lease != nullptr);
    for (size_t i = 0; i < arguments.size(); ++i) {
      text.add(arguments[i], [&] {
        return i < inputNames_.size() ? inputNames_[i]
                                      : "variadic argument " + std::to_string(i - inputNames_.size() + 1);
      });
    }
    try {
      std::optional<CallResult> result = callThroughLane(arguments, memory);
      if (!result) result = callThroughPipe(*binding, arguments, callbacks, memory);
      if (!recordOutputs_.empty()) readRecordsBack(*result);
      if (memory.lease) memory.lease->finish();
      return std::move(*result);
    } catch (const Error& error) {
      // The surrogate may still be writing the call's memory: no other call gets it.
      if (memory.lease && endsTheSurrogate(error)) memory.lease->drop();
      throw;
    }
  }

 private:
  // The input parameters that point to arrays of plain records, with the record as the surrogate
  // lays it out (none when the declaration has no layout there: the surrogate says why).
  void findRecordArrays(library::Abi surrogateAbi) {
    library::FunctionShape theirs;
    try {
      theirs = library::describeFunction(*function_, surrogateAbi);
    } catch (const Error&) {
      return;
    }
    size_t input = 0, output = 0;
    for (const auto& parameter : theirs.parameters) {
      const library::Shape& shape = *parameter.shape;
      bool records = shape.kind == library::Shape::Kind::pointer && shape.count &&
                     shape.target->kind == library::Shape::Kind::record &&
                     library::isPlainRecord(*shape.target);
      if (records && parameter.isInput()) recordArrays_.emplace_back(input, shape.target);
      if (records && parameter.isOutput()) recordOutputs_.emplace_back(output, shape.target);
      input += parameter.isInput();
      output += parameter.isOutput();
    }
  }

  // `result` with the arrays of records the surrogate answered as its bytes (which the DLL wrote
  // in the call's shared memory) read as Values with the surrogate's layout.
  void readRecordsBack(CallResult& result) const {
    for (const auto& [output, record] : recordOutputs_) {
      if (output >= result.outputs.size()) continue;
      auto& [name, value] = result.outputs[output];
      if (!value.isTypedArray() || value.asTypedArray()->type() != ElementType::uint8) continue;
      value = library::readRecords(*record, value.asTypedArray()->bytes(),
                                   "the surrogate's answer for '" + name + "'");
    }
  }

  // `arguments` with each large array of records given as Values laid out as the surrogate's ABI
  // wants, in `laidOut`, which the surrogate's engine hands the DLL as it is: one block, built
  // once, instead of a message element by element.
  std::span<const Value> withRecordsLaidOut(std::span<const Value> arguments,
                                            std::vector<Value>& laidOut) const {
    std::map<size_t, Value> blocks;
    for (const auto& [input, record] : recordArrays_) {
      if (input >= arguments.size()) continue;
      const Value& given = arguments[input];
      if (!given.isArray() || given.isTypedArray() ||
          given.size() * record->size < kSharedValueBytes) {
        continue;
      }
      blocks.emplace(input, Value(ElementType::uint8, library::layOutRecords(
                                                          *record, given.asArray(), inputNames_[input])));
    }
    if (blocks.empty()) return arguments;
    laidOut.reserve(arguments.size());
    for (size_t i = 0; i < arguments.size(); ++i) {
      auto block = blocks.find(i);
      laidOut.push_back(block != blocks.end() ? std::move(block->second) : arguments[i]);
    }
    return laidOut;
  }

  // The shared memory of one call: a segment leased for its large inputs and its out-buffers,
  // or none for a call without either.
  struct CallMemory {
    std::shared_ptr<SegmentPool::Lease> lease;  // and the views of the results
    std::unique_ptr<CallWireMemory> wire;
    uint64_t roomOffset = 0, roomBytes = 0;  // of the out-buffers, in the segment

    void describe(wire::CallArena::Builder arena) const {
      if (!lease) return;
      arena.setSegment(lease->id());
      arena.setOffset(roomOffset);
      arena.setBytes(roomBytes);
    }
  };

  CallMemory sharedMemoryFor(const std::shared_ptr<SurrogateClient>& client,
                             std::span<const Value> arguments) {
    uint64_t inputs = 0;
    for (const Value& argument : arguments) inputs += largeValueBytes(argument);
    library::SharedRoomNeed room;
    if (hasCountedOutputs_) room = library::sharedRoomFor(signature_, arguments);
    CallMemory memory;
    if (inputs == 0 && room.bytes < kSharedValueBytes) return memory;
    try {
      memory.lease = link_->rules().described(what_, [&] {
        return SegmentPool::lease(*client, inputs + room.bytes,
                                  currentDeadline(link_->rules().timeout));
      });
    } catch (const Error& error) {
      if (error.kind() != Error::Kind::failed) throw;
      // Too much for the surrogate's address space, say: which values asked for it.
      std::string parts;
      for (size_t i = 0; i < arguments.size() && i < inputNames_.size(); ++i) {
        if (uint64_t bytes = largeValueBytes(arguments[i])) {
          parts += (parts.empty() ? "" : ", ") + inputNames_[i] + " " + std::to_string(bytes);
        }
      }
      for (const auto& [name, bytes] : room.buffers) {
        parts += (parts.empty() ? "" : ", ") + ("out-buffer '" + name + "' ") +
                 std::to_string(bytes);
      }
      throw Error(Error::Kind::invalidArgument,
                  "a call of '" + signature_.name + "' needs " +
                      std::to_string(inputs + room.bytes) + " bytes of memory shared with its " +
                      std::string(toString(client->architecture())) + " surrogate (" + parts +
                      " bytes): " + error.message());
    }
    std::span<std::byte> segment = memory.lease->bytes();
    memory.wire = std::make_unique<CallWireMemory>(
        client->segmentPool()->segments(),
        CallWireMemory::Arena{memory.lease->id(), segment.first(inputs), 0, memory.lease});
    memory.roomOffset = inputs;
    memory.roomBytes = segment.size() - inputs;
    return memory;
  }

  CallResult callThroughPipe(FunctionBinding& binding, std::span<const Value> arguments,
                             std::span<const Callback> callbacks, CallMemory& memory) {
    std::vector<Value> given = handlesForTheSurrogate(*binding.client, arguments);
    if (memory.wire) memory.wire->restart();  // the lane may have placed them, then not taken it
    return link_->rules()(
        *binding.client, what_,
        [&](wire::Session::Client&) {
          const std::vector<Value>& arguments = given;
          auto request = binding.capability.get().callRequest();
          auto list = request.initArguments(uint32_t(arguments.size()));
          for (uint32_t i = 0; i < list.size(); ++i) toWire(arguments[i], list[i], memory.wire.get());
          memory.describe(request.initArena());
          auto functions = request.initCallbacks(uint32_t(callbacks.size()));
          for (uint32_t i = 0; i < functions.size(); ++i) {
            if (callbacks[i]) {
              functions.set(i, kj::heap<CallbackServer>(callbacks[i], binding.client->hostTime()));
            }
          }
          return request.send();
        },
        [&](auto& response) {
          throwIfError(response);
          CallResult result = valuesOf(response, signature_.name, outputNames_,
                                       memory.wire.get());
          if (wire::Registration::Client kept = response.getKept();
              !capnp::ClientHook::from(kj::cp(kept))->isNull()) {
            // Released on the loop thread when the application drops the last copy.
            result.kept = std::make_shared<Binding<wire::Registration::Client>>(
                binding.client, std::make_unique<wire::Registration::Client>(kj::mv(kept)));
          }
          return result;
        });
  }

  // `arguments` as the surrogate must be given them: a kernel handle of this process
  // (HandleKind::hostKernel) means nothing in another, so on Windows the surrogate is lent a
  // duplicate for the call (it closes it after the call unless the parameter is _Kept_). Only a
  // parameter's own value can be lent: a host handle inside a struct or array is refused.
  std::vector<Value> handlesForTheSurrogate(SurrogateClient& client,
                                            std::span<const Value> arguments) const {
    std::vector<Value> given(arguments.begin(), arguments.end());
    // Refused before anything is lent: a duplicate made for a call that never happens would stay
    // open in the surrogate.
    for (size_t i = 0; i < given.size(); ++i) {
      const Value& value = given[i];
      bool lendable = value.isHandle() && value.asHandle().kind == Value::HandleKind::hostKernel;
      if (!lendable && holdsHostHandle(value)) {
        throw Error(Error::Kind::invalidArgument,
                    "argument " + std::to_string(i + 1) + " of '" + signature_.name +
                        "' holds a kernel handle of the host inside a struct or array: only a "
                        "parameter's own handle can be lent to the library's process");
      }
    }
    for (Value& value : given) {
      if (value.isHandle() && value.asHandle().kind == Value::HandleKind::hostKernel) {
#if _WIN32
        void* ours = reinterpret_cast<void*>(uintptr_t(value.asHandle().value));
        value = Value(Value::Handle{client.duplicateHandleInto(ours), Value::HandleKind::hostKernel});
#else
        (void)client;  // no kernel handles to lend: the value is what it is
#endif
      }
    }
    return given;
  }

  static bool holdsHostHandle(const Value& value) {
    switch (value.kind()) {
      case Value::Kind::handle: return value.asHandle().kind == Value::HandleKind::hostKernel;
      case Value::Kind::array:
        for (const Value& element : value.asArray()) {
          if (holdsHostHandle(element)) return true;
        }
        return false;
      case Value::Kind::structure:
        for (const auto& field : value.asStruct()) {
          if (holdsHostHandle(field.value)) return true;
        }
        return false;
      default: return false;
    }
  }

  static constexpr uint64_t kLaneBytes = 16 * 1024;

  // True when every call can go through a lane: no callbacks (which need capabilities), and an
  // answer whose size is bounded before the call, so that it fits the lane: a plain value or
  // nothing, and outputs that are plain values or arrays of numbers (which the surrogate writes in
  // the call's shared memory, not in the answer). The arguments are checked at each call.
  bool fitsALane() const {
    using Kind = library::Shape::Kind;
    auto plain = [](const library::Shape& shape) {
      return shape.kind == Kind::boolean || shape.kind == Kind::integer ||
             shape.kind == Kind::floating || shape.kind == Kind::opaque;
    };
    auto numbers = [](const library::Shape& shape) {
      return shape.kind == Kind::floating || (shape.kind == Kind::integer && !shape.isCharacter);
    };
    if (callbacks_ > 0) return false;
    if (!plain(*signature_.result) && signature_.result->kind != Kind::voidType) return false;
    for (const auto& parameter : signature_.parameters) {
      if (!parameter.isOutput()) continue;
      const library::Shape& shape = *parameter.shape;
      if (shape.kind != Kind::pointer) return false;
      if (shape.count ? !numbers(*shape.target) : !plain(*shape.target)) return false;
    }
    return true;
  }

  // The call through the lane, or nothing when it cannot take it (no lane, the lane is another
  // thread's, an argument is a handle to lend, the arguments do not fit): the pipe then.
  std::optional<CallResult> callThroughLane(std::span<const Value> arguments, CallMemory& memory) {
    if (!lane_) return std::nullopt;
    for (const Value& argument : arguments) {
      if (argument.isHandle() && argument.asHandle().kind == Value::HandleKind::hostKernel) {
        return std::nullopt;
      }
    }
    capnp::MallocMessageBuilder message;
    auto call = message.initRoot<wire::LaneCall>();
    auto list = call.initArguments(uint32_t(arguments.size()));
    for (uint32_t i = 0; i < list.size(); ++i) toWire(arguments[i], list[i], memory.wire.get());
    memory.describe(call.initArena());
    auto flat = capnp::messageToFlatArray(message);
    auto request = flat.asBytes();
    if (request.size() > lane_->dataBytes()) return std::nullopt;
    std::optional<CallResult> result;
    auto fill = [&](CallLane& lane) {
      std::memcpy(lane.data().data(), request.begin(), request.size());
      lane.layout().op = uint32_t(lane::Op::callFunction);
      lane.layout().requestBytes = uint32_t(request.size());
    };
    auto read = [&](CallLane& lane, const LaneAnswer&) {
      result = readLaneCallAnswer(lane.data(), lane.layout().answerBytes, signature_.name,
                                  outputNames_, memory.wire.get());
    };
    link_->rules().onLane(lane_.get(), what_, fill, read);
    return result;
  }

  // Opens the lane in `binding`'s surrogate; without it, calls take the pipe.
  void openLane(FunctionBinding& binding) {
    lane_->reserve();
    try {
      auto handle = link_->rules()(
          *binding.client, what_,
          [&](wire::Session::Client&) {
            auto request = binding.capability.get().openLaneRequest();
            lane_->describe(request.initChannel(), *binding.client);
            return request.send();
          },
          [](auto& response) {
            throwIfError(response);
            return std::make_unique<wire::Lane::Client>(response.getLane());
          });
      lane_->attach(binding.client, std::move(handle));
    } catch (const Error& error) {
      lane_->attach(nullptr, nullptr);
      logging::debug("{}: no lane, its calls take the pipe: {}", what_, error.what());
    }
  }

  // The life's hooks (RemoteLife::Kind): the function bound in `loaded`'s surrogate, where the
  // library is loaded afresh (what it kept in memory went with the old process), and its lane.
  std::unique_ptr<wire::Function::Client> make(const ModuleLink::Loaded& loaded) override {
    return link_->rules()(
        *loaded.client, what_,
        [&](wire::Session::Client&) {
          auto request = loaded.as<wire::Library>().bindRequest();
          library::toWire(*function_, request.initFunction());
          return request.send();
        },
        [](auto& response) {
          throwIfError(response);
          return std::make_unique<wire::Function::Client>(response.getFunction());
        });
  }

  void restore(FunctionBinding& fresh) override {
    if (lane_) openLane(fresh);
  }

  std::shared_ptr<ModuleLink> link_;
  std::shared_ptr<const library::Signature> function_;  // as parsed: what the surrogate binds
  std::string declaration_;
  library::FunctionShape signature_;
  std::string what_;
  FunctionInfo info_;
  size_t callbacks_ = 0;
  bool hasCountedOutputs_ = false;  // out-buffers and strings the shared room may hold
  // By input: the arrays of plain records, their record in the surrogate's layout.
  std::vector<std::pair<size_t, std::shared_ptr<const library::Shape>>> recordArrays_;
  // By output: the arrays of plain records, which the surrogate may answer as their bytes.
  std::vector<std::pair<size_t, std::shared_ptr<const library::Shape>>> recordOutputs_;
  std::vector<std::string> outputNames_;
  std::vector<std::string> inputNames_;  // "argument 'x'" for each input, in order
  std::unique_ptr<CallLane> lane_;  // for the function's life; opened in each surrogate
  std::shared_ptr<FunctionLife> life_;  // closed first thing in the destructor
};

class BridgedLibrary final : public LoadedLibrary {
 public:
  BridgedLibrary(std::shared_ptr<LiveSurrogate> surrogate, const std::filesystem::path& path,
                 Architecture architecture, const LoadOptions& options)
      : link_(ModuleLink::make(
            std::move(surrogate), wire::ModuleKind::LIBRARY, path, options,
            [](wire::LoadedModule::Reader answer, bool) {
              if (!answer.hasLibrary()) {
                throw Error(Error::Kind::failed, "the surrogate answered a load of a library "
                                                 "with a module of another kind");
              }
              return answer.getLibrary().getLibrary();
            })),
        architecture_(architecture) {}

  const std::filesystem::path& path() const override { return link_->rules().modulePath; }
  Architecture architecture() const override { return architecture_; }
  bool isBridged() const override { return true; }
  uint32_t surrogatePid() const override { return link_->current().client->pid(); }

  Block allocateBlock(size_t bytes) override {
    auto client = link_->running().client;
    auto lease = link_->rules().described("a buffer", [&] {
      return SegmentPool::lease(*client, bytes, currentDeadline(link_->rules().timeout));
    });
    return {lease->bytes().first(bytes), lease};
  }

  std::shared_ptr<BoundFunction> bindFunction(std::shared_ptr<const library::Signature> function,
                                         std::string declaration) override {
    // Laid out here too, for its parameters' names and directions (the surrogate lays it out
    // for its own ABI).
    library::FunctionShape signature = library::describeFunction(*function, library::nativeAbi());
    return std::make_shared<BridgedFunction>(link_, std::move(function), std::move(declaration),
                                             std::move(signature), library::abiOf(architecture_));
  }

 protected:
  void* duplicateFromLibrary([[maybe_unused]] uint64_t handle) override {
#if _WIN32
    return link_->current().client->duplicateHandleFrom(handle);
#else
    throw Error(Error::Kind::unsupported, "kernel handles exist on Windows only");
#endif
  }

 private:
  std::shared_ptr<ModuleLink> link_;
  Architecture architecture_;
};

}  // namespace

CallResult readLaneCallAnswer(std::span<const std::byte> data, uint32_t bytes,
                              const std::string& function, std::span<const std::string> outputs,
                              WireMemory* memory) {
  // The surrogate's to have written, and maybe writing still: the size checked, the message
  // copied out once and read with the usual limits.
  if (bytes == 0 || bytes > data.size() || bytes % sizeof(capnp::word) != 0) {
    throw Error(Error::Kind::failed, "the surrogate answered a lane call of '" + function +
                                         "' with " + std::to_string(bytes) + " bytes");
  }
  std::vector<capnp::word> words(bytes / sizeof(capnp::word));
  std::memcpy(words.data(), data.data(), bytes);
  try {
    capnp::FlatArrayMessageReader reader(kj::arrayPtr(words.data(), words.size()),
                                         readerOptions());
    return valuesOf(reader.getRoot<wire::LaneAnswer>(), function, outputs, memory);
  } catch (const kj::Exception& exception) {
    throw Error(Error::Kind::failed, "the surrogate's answer to a lane call of '" + function +
                                         "' is not a valid message: " +
                                         exception.getDescription().cStr());
  }
}

std::unique_ptr<LoadedLibrary> loadBridgedLibrary(std::shared_ptr<LiveSurrogate> surrogate,
                                            const std::filesystem::path& path,
                                            Architecture architecture,
                                            const LoadOptions& options) {
  return std::make_unique<BridgedLibrary>(std::move(surrogate), path, architecture, options);
}

}  // namespace bridge32
