#include "library/library-kind.h"

#include <spdlog/spdlog.h>

#include <memory>
#include <utility>
#include <vector>

#include <capnp/serialize.h>

#include <cstring>

#include "core/answer.h"
#include "core/lane-server.h"
#include "library/declaration-shapes.h"
#include "library/declaration-wire.h"
#include "library/foreign-library.h"
#include "library/value-wire.h"

#if _WIN32
#include "win32.h"
#endif

namespace bridge32 {

namespace {

using library::ForeignFunction;
using library::ForeignLibrary;
using library::describeFunction;

// One of the host's Callbacks, as the engine calls it: from the module thread or a thread of the
// DLL's, an invocation goes to the serving thread, which owns the connection, and waits there
// for the host's answer. The capability is touched, and released, on the serving thread only.
class HostCallback {
 public:
  HostCallback(const kj::Executor& serving, wire::Callback::Client client)
      : serving_(serving.addRef()), client_(kj::mv(client)) {}

  // [any thread but the serving one]
  Value invoke(std::span<const Value> arguments) {
    std::vector<Value> copy(arguments.begin(), arguments.end());
    // Once the serving thread's loop is gone, this throws (disconnected) instead of waiting.
    return serving_->executeSync([this, &copy]() -> kj::Promise<Value> {
      KJ_IF_MAYBE (client, client_) {
        auto request = client->invokeRequest();
        auto list = request.initArguments(uint32_t(copy.size()));
        for (uint32_t k = 0; k < list.size(); ++k) toWire(copy[k], list[k]);
        return request.send().then(
            [](auto&& response) { return fromWire(response.getResult(), WireText::asGiven); });
      }
      throw Error(Error::Kind::disconnected, "the host released this callback");
    });
  }

  // [serving thread]
  void release() { client_ = nullptr; }

 private:
  kj::Own<const kj::Executor> serving_;
  kj::Maybe<wire::Callback::Client> client_;  // [serving thread]
};

// The host's callbacks for one call, as Callbacks for the engine. Those the library does not
// keep are released when the call is answered; kept ones go to the call's Registration.
class HostCallbacksOfACall {
 public:
  // `kept[i]`: the i-th callback parameter is declared _Kept_.
  HostCallbacksOfACall(capnp::List<wire::Callback>::Reader callbacks, const std::vector<bool>& kept)
      : serving_(kj::getCurrentThreadExecutor()) {
    for (uint32_t i = 0; i < callbacks.size(); ++i) {
      wire::Callback::Client client = callbacks[i];
      if (isNull(client)) {
        functions_.emplace_back();
        continue;
      }
      auto callback = std::make_shared<HostCallback>(serving_, kj::mv(client));
      functions_.emplace_back([callback](std::span<const Value> arguments) {
        return callback->invoke(arguments);
      });
      (i < kept.size() && kept[i] ? kept_ : ofTheCall_).push_back(kj::mv(callback));
    }
  }
  // [serving thread]
  ~HostCallbacksOfACall() {
    for (auto& callback : ofTheCall_) callback->release();
    for (auto& callback : kept_) callback->release();
  }

  std::span<const Callback> functions() const { return functions_; }
  // [serving thread] The kept ones, which the caller now releases.
  std::vector<std::shared_ptr<HostCallback>> handOverKept() { return std::exchange(kept_, {}); }

 private:
  static bool isNull(wire::Callback::Client& client) {
    wire::Callback::Client copy = client;
    return capnp::ClientHook::from(kj::mv(copy))->isNull();
  }

  const kj::Executor& serving_;
  std::vector<Callback> functions_;
  std::vector<std::shared_ptr<HostCallback>> ofTheCall_, kept_;
};

// What the host holds while the library may call the callbacks a call gave it to keep.
class RegistrationServer final : public wire::Registration::Server {
 public:
  RegistrationServer(std::shared_ptr<void> kept, std::vector<std::shared_ptr<HostCallback>> callbacks)
      : kept_(std::move(kept)), callbacks_(std::move(callbacks)) {}
  // [serving thread] The closures answer zeros from now on (retiring them takes no thread of
  // the library's: this thread must not wait for the module thread, which may be waiting for
  // this one to call the host back); the host's Callbacks go.
  ~RegistrationServer() {
    kept_.reset();
    for (auto& callback : callbacks_) callback->release();
  }

 private:
  std::shared_ptr<void> kept_;
  std::vector<std::shared_ptr<HostCallback>> callbacks_;
};

// The room for a call's out-buffers the host gave in its arena, and what the call left of it,
// where the answer's large values go.
struct CallRoom {
  library::SharedRoom room;
  uint32_t segment = 0;
  uint64_t offset = 0;

  // The room the host gave in `arena`, checked; none for segment 0.
  static CallRoom of(const SharedSegments& segments, wire::CallArena::Reader arena) {
    if (arena.getSegment() == 0) return {};
    auto found = segments.find(arena.getSegment(), arena.getOffset(), arena.getBytes());
    return {{found.bytes, std::move(found.owner)}, arena.getSegment(), arena.getOffset()};
  }

  // [after the call] Where the answer may place what is not in the room already.
  CallWireMemory::Arena leftover() const {
    uint64_t used = std::min<uint64_t>(alignShared(room.used), room.bytes.size());
    return {segment, room.bytes.subspan(used), offset + used, nullptr};
  }

  // [after the call] Whether the answer's large strings and arrays outside the room all fit in
  // what is left of it (CallWireMemory places them while they do, in order).
  bool holdsTheLargeValuesOf(const CallResult& result) const {
    uint64_t bytes = largeValueBytes(result.value, room.bytes);
    for (const auto& output : result.outputs) bytes += largeValueBytes(output.second, room.bytes);
    return bytes <= leftover().bytes.size();
  }
};

// `result` as an answer (a call's results over the pipe, or a LaneAnswer): its large values in
// `memory`.
template <typename Answer>
void answerWith(const CallResult& result, Answer answer, WireMemory& memory) {
  toWire(result.value, answer.initResult(), &memory);
  auto outputs = answer.initOutputs(uint32_t(result.outputs.size()));
  for (uint32_t i = 0; i < outputs.size(); ++i) toWire(result.outputs[i].second, outputs[i], &memory);
  answer.setLastError(result.lastError);
}

class FunctionServer final : public wire::Function::Server {
 public:
  FunctionServer(ModuleThread& thread, HostOutbox& outbox,
                 std::shared_ptr<const SharedSegments> segments,
                 ModuleOwned<std::shared_ptr<const ForeignFunction>> function,
                 std::vector<bool> keptCallbacks)
      : thread_(thread),
        outbox_(outbox),
        segments_(std::move(segments)),
        function_(kj::mv(function)),
        keptCallbacks_(std::move(keptCallbacks)) {}
  // The lanes go on the module thread, where they are served.
  ~FunctionServer() noexcept(false) {
    thread_.post([lanes = std::move(lanes_)] { lanes->closeAll(); });
  }

 protected:
  kj::Promise<void> openLane(OpenLaneContext context) override {
    return answerOpenLane(
        thread_, outbox_, context, context.getParams().getChannel(),
        [this](kj::Own<LaneEndpoint> endpoint) {
          std::shared_ptr<const ForeignFunction> function = function_.get();
          return std::make_pair(
              lanes_, LaneService::onModuleThread(
                          thread_, outbox_, kj::mv(endpoint),
                          [function, segments = segments_](lane::Layout& layout,
                                                           std::span<std::byte> data) {
                            callThroughLane(*function, *segments, layout, data);
                          }));
        });
  }

  kj::Promise<void> call(CallContext context) override {
    std::vector<Value> arguments;
    std::vector<bool> lent;  // per argument: a host's handle duplicated for this call
    auto room = std::make_shared<CallRoom>();  // the module thread's, then the answer's
    try {
      auto given = context.getParams().getArguments();
      CallWireMemory memory(*segments_, CallWireMemory::Arena{});
      arguments = fromWire(given, WireText::asGiven, &memory);
      *room = CallRoom::of(*segments_, context.getParams().getArena());
      for (auto argument : given) {
        lent.push_back(argument.isHandle() &&
                       argument.getHandle().getKind() == wire::HandleKind::LENT_KERNEL_HANDLE);
      }
    } catch (const Error& error) {
      setError(context.getResults().initError(), error);
      return kj::READY_NOW;
    }
    // Released on the serving thread once the call is answered.
    auto callbacks =
        std::make_shared<HostCallbacksOfACall>(context.getParams().getCallbacks(), keptCallbacks_);
    return answer(
        thread_, outbox_, context,
        [this, arguments = std::move(arguments), lent = std::move(lent), callbacks, room] {
          auto closing = kj::defer([&] { closeLentHandles(arguments, lent); });
          CallResult result =
              function_.get()->call(arguments, callbacks->functions(), &room->room);
          checkAnswerFits(result, room->holdsTheLargeValuesOf(result));
          return result;
        },
        [this, callbacks, room](auto& results, CallResult& outcome) {
          CallWireMemory memory(*segments_, room->leftover());
          answerWith(outcome, results, memory);
          if (outcome.kept) {
            results.setKept(kj::heap<RegistrationServer>(std::move(outcome.kept),
                                                         callbacks->handOverKept()));
          }
        })
        .attach(kj::mv(callbacks));
  }

 private:
  // [module thread] The host's kernel handles lent to this process for the call (see the
  // host's BridgedFunction), closed after it unless the library keeps them.
  void closeLentHandles(const std::vector<Value>& arguments, const std::vector<bool>& lent) {
#if _WIN32
    std::vector<bool> kept;
    for (const auto& parameter : function_.get()->signature().parameters) {
      if (parameter.isInput()) kept.push_back(parameter.shape->kept);
    }
    for (size_t i = 0; i < arguments.size(); ++i) {
      if (lent[i] && !(i < kept.size() && kept[i])) {
        CloseHandle(reinterpret_cast<HANDLE>(uintptr_t(arguments[i].asHandle().value)));
      }
    }
#else
    (void)arguments;
    (void)lent;
#endif
  }

  // [module thread] Refuses an answer too large for one message, naming the value, rather than
  // one the host's reader would refuse. `largeShared`: its large strings go to shared memory.
  void checkAnswerFits(const CallResult& result, bool largeShared) const {
    const std::string& function = function_.get()->signature().name;
    WireTextBudget text(largeShared);
    text.add(result.value, [&] { return "the result of '" + function + "'"; });
    for (const auto& [name, value] : result.outputs) {
      const std::string& output = name;  // clang 14 cannot capture a structured binding
      text.add(value, [&] { return "output '" + output + "' of '" + function + "'"; });
    }
  }

  // [module thread] A call through a lane: the LaneCall the host wrote in `data`, the LaneAnswer
  // written over it.
  static void callThroughLane(const ForeignFunction& function, const SharedSegments& segments,
                              lane::Layout& layout, std::span<std::byte> data) {
    if (lane::Op(layout.op) != lane::Op::callFunction) {
      throw Error(Error::Kind::invalidArgument,
                  "a function's lane does not serve operation " + std::to_string(layout.op));
    }
    uint32_t bytes = layout.requestBytes;
    if (bytes > data.size() || bytes % sizeof(capnp::word) != 0) {
      throw Error(Error::Kind::invalidArgument,
                  "a lane call of " + std::to_string(bytes) + " bytes in a lane of " +
                      std::to_string(data.size()));
    }
    CallResult result;
    CallRoom room;
    {
      kj::ArrayPtr<const capnp::word> words(reinterpret_cast<const capnp::word*>(data.data()),
                                            bytes / sizeof(capnp::word));
      capnp::FlatArrayMessageReader request(words, readerOptions());
      auto call = request.getRoot<wire::LaneCall>();
      CallWireMemory given(segments, CallWireMemory::Arena{});
      auto arguments = fromWire(call.getArguments(), WireText::asGiven, &given);
      room = CallRoom::of(segments, call.getArena());
      result = function.call(arguments, {}, &room.room);
    }
    CallWireMemory memory(segments, room.leftover());
    capnp::MallocMessageBuilder message;
    answerWith(result, message.initRoot<wire::LaneAnswer>(), memory);
    auto flat = capnp::messageToFlatArray(message);
    auto answer = flat.asBytes();
    if (answer.size() > data.size()) {
      throw Error(Error::Kind::failed, "the answer of '" + function.signature().name +
                                           "' does not fit its lane");
    }
    std::memcpy(data.data(), answer.begin(), answer.size());
    layout.answerBytes = uint32_t(answer.size());
  }

  ModuleThread& thread_;
  HostOutbox& outbox_;
  std::shared_ptr<const SharedSegments> segments_;
  ModuleOwned<std::shared_ptr<const ForeignFunction>> function_;
  std::vector<bool> keptCallbacks_;  // per callback parameter: declared _Kept_
  std::shared_ptr<LaneRegistry> lanes_ = std::make_shared<LaneRegistry>();  // [module thread]
};

class LibraryServer final : public wire::Library::Server {
 public:
  LibraryServer(ModuleThread& thread, HostOutbox& outbox,
                std::shared_ptr<const SharedSegments> segments,
                ModuleOwned<std::shared_ptr<ForeignLibrary>> library)
      : thread_(thread),
        outbox_(outbox),
        segments_(std::move(segments)),
        library_(kj::mv(library)) {}

 protected:
  kj::Promise<void> bind(BindContext context) override {
    // Read here, on the event loop: the message is not kept for the module thread.
    std::shared_ptr<const library::Signature> function;
    try {
      function = library::fromWire(context.getParams().getFunction());
    } catch (const Error& error) {
      setError(context.getResults().initError(), error);
      return kj::READY_NOW;
    }
    return answer(
        thread_, outbox_, context,
        [this, function] {
          return ModuleOwned(thread_, std::make_unique<std::shared_ptr<const ForeignFunction>>(
                                           library_.get()->bind(describeFunction(
                                               *function, library::nativeAbi()))));
        },
        [this](auto& results, ModuleOwned<std::shared_ptr<const ForeignFunction>>& function) {
          std::vector<bool> kept;
          for (const auto& parameter : function.get()->signature().parameters) {
            if (parameter.isCallback()) kept.push_back(parameter.shape->kept);
          }
          results.setFunction(kj::heap<FunctionServer>(thread_, outbox_, segments_,
                                                       kj::mv(function), std::move(kept)));
        });
  }

 private:
  ModuleThread& thread_;
  HostOutbox& outbox_;
  std::shared_ptr<const SharedSegments> segments_;
  ModuleOwned<std::shared_ptr<ForeignLibrary>> library_;
};

}  // namespace

kj::Promise<void> LibraryKind::load(LoadContext context, std::string path) {
  return answer(
      thread_, outbox_, context,
      [this, path] {
        spdlog::debug("loading library '{}'", path);
        return ModuleOwned(thread_, std::make_unique<std::shared_ptr<ForeignLibrary>>(
                                         std::make_shared<ForeignLibrary>(pathFromUtf8(path))));
      },
      [this](auto& results, ModuleOwned<std::shared_ptr<ForeignLibrary>>& library) {
        results.initModule().initLibrary().setLibrary(
            kj::heap<LibraryServer>(thread_, outbox_, segments_, kj::mv(library)));
      });
}

}  // namespace bridge32
