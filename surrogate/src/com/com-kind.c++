#include "com/com-kind.h"

#include <spdlog/spdlog.h>

#include "core/answer.h"

#if _WIN32
#include <fmt/format.h>
#include <objbase.h>
#include <ocidl.h>
#include <oleauto.h>

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "com/com-check.h"
#include "com/com-registry.h"
#include "com/com-wire.h"
#include "com/dispatch-calls.h"
#include "com/event-sources.h"
#include "com/host-dispatch.h"
#include "com/type-info.h"
#include "com/variant.h"
#include "win32.h"
#endif

namespace bridge32 {

#if !_WIN32

kj::Promise<void> ComKind::load(LoadContext context, std::string path) {
  setError(context.getResults().initError(),
           Error(Error::Kind::unsupported, "cannot create COM class '" + path +
                                               "': COM is a Windows facility"));
  return kj::READY_NOW;
}

#else

namespace {

using Objects = ModuleOwned<std::shared_ptr<ComReference>>;

class ComConnectionServer final : public wire::ComConnection::Server {
 public:
  explicit ComConnectionServer(ModuleOwned<EventConnection> connection)
      : connection_(kj::mv(connection)) {}

 private:
  ModuleOwned<EventConnection> connection_;
};

}  // namespace

// What the COM kind's servers share: the ComObjects served (to know them when they come back)
// and the way to the host's objects.
class ComSession : public std::enable_shared_from_this<ComSession> {
 public:
  // [serving thread]
  ComSession(ModuleThread& thread, HostOutbox& outbox)
      : thread(thread),
        outbox(outbox),
        serving(kj::getCurrentThreadExecutor().addRef()),
        servingThread(std::this_thread::get_id()) {}

  // [serving thread] A ComObject for the host, for `object`; `name` names it in errors.
  wire::ComObject::Client serve(std::shared_ptr<ComReference> object, std::string name);

  // [serving thread] `value` for the host: each object in it served.
  void toHost(const ComValue& value, wire::ComValue::Builder builder, const std::string& name) {
    toWire(value, builder, [&](const std::shared_ptr<ComReference>& object) {
      return serve(object, name);
    });
  }

  // [serving thread] Values from the host: an object this session served is the COM object it
  // was; any other is an object of the host's, which the COM object sees as a HostDispatch that
  // calls it. Named `name` in errors. `readers` must stay valid until the promise resolves.
  kj::Promise<std::vector<ComValue>> fromHost(std::vector<wire::ComValue::Reader> readers,
                                              std::string name);

  // [serving thread] An object of the host's, as an IDispatch (a HostDispatch) for COM objects.
  std::shared_ptr<ComReference> hostObject(wire::ComObject::Client client, std::string name);

  // [module thread] `object`'s type information, or null when it gives none; read once per type.
  std::shared_ptr<const ComTypeInfo> typeOf(IDispatch* object) {
    UINT count = 0;
    ITypeInfo* info = nullptr;
    if (FAILED(object->GetTypeInfoCount(&count)) || count == 0 ||
        FAILED(object->GetTypeInfo(0, LOCALE_USER_DEFAULT, &info)) || !info) {
      return nullptr;
    }
    auto release = kj::defer([info] { info->Release(); });
    TYPEATTR* attributes = nullptr;
    if (FAILED(info->GetTypeAttr(&attributes))) return nullptr;
    std::string guid = guidText(attributes->guid);
    info->ReleaseTypeAttr(attributes);
    auto& type = types_[guid];
    if (!type) type = std::make_shared<const ComTypeInfo>(readTypeInfo(info));
    return type;
  }

  ModuleThread& thread;
  HostOutbox& outbox;
  kj::Own<const kj::Executor> serving;
  std::thread::id servingThread;
  capnp::CapabilityServerSet<wire::ComObject> served;

 private:
  std::map<std::string, std::shared_ptr<const ComTypeInfo>> types_;  // [module thread] by GUID
};

namespace {

class ComObjectServer final : public wire::ComObject::Server {
 public:
  ComObjectServer(std::shared_ptr<ComSession> session, Objects object, std::string name)
      : session_(std::move(session)), object_(kj::mv(object)), name_(std::move(name)) {}

  // [serving thread] The COM object, to pass it back to itself.
  std::shared_ptr<ComReference> reference() const { return object_.get(); }

 protected:
  kj::Promise<void> invoke(InvokeContext context) override {
    auto params = context.getParams();
    std::string member = text(params.getMember());
    wire::InvokeKind kind = params.getKind();
    std::vector<wire::ComValue::Reader> readers;
    for (auto argument : params.getArguments()) readers.push_back(argument);
    std::vector<std::string> names;
    for (auto argument : params.getNamed()) {
      readers.push_back(argument.getValue());
      names.push_back(text(argument.getName()));
    }
    return kj::evalNow([&] { return session_->fromHost(std::move(readers), name_); })
        .then([this, context, member = std::move(member), kind,
               names = std::move(names)](std::vector<ComValue> values) mutable {
          std::vector<NamedArgument> named;
          size_t positional = values.size() - names.size();
          for (size_t i = 0; i < names.size(); ++i) {
            named.push_back({names[i], std::move(values[positional + i])});
          }
          values.resize(positional);
          return answer(
              session_->thread, session_->outbox, context,
              [this, member, kind, arguments = std::move(values), named = std::move(named)] {
                if (auto type = this->type()) {
                  std::vector<std::string> names;
                  for (const NamedArgument& argument : named) names.push_back(argument.name);
                  checkComCall(*type, name_, member, ComMemberInfo::Kind(kind), arguments.size(),
                               names);
                }
                return invokeMember(dispatch(), name_, member, kind, arguments, named);
              },
              [this](auto& results, ComValue& value) {
                session_->toHost(value, results.initResult(), name_);
              });
        })
        .catch_([context](kj::Exception&& exception) mutable {
          setError(context.getResults().initError(),
                   Error(Error::Kind::invalidArgument, exception.getDescription().cStr()));
        });
  }

  kj::Promise<void> enumerate(EnumerateContext context) override {
    return answer(
        session_->thread, session_->outbox, context,
        [this] { return enumerateItems(dispatch(), name_); },
        [this](auto& results, std::vector<ComValue>& items) {
          auto list = results.initItems(uint32_t(items.size()));
          for (uint32_t i = 0; i < list.size(); ++i) session_->toHost(items[i], list[i], name_);
        });
  }

  kj::Promise<void> describe(DescribeContext context) override {
    return answer(
        session_->thread, session_->outbox, context, [this] { return type(); },
        [](auto& results, std::shared_ptr<const ComTypeInfo>& type) {
          if (type) toWire(*type, results.initType());
        });
  }

  kj::Promise<void> connect(ConnectContext context) override {
    struct Connected {
      ModuleOwned<EventConnection> connection;
      std::string events;
    };
    // The sink's capability stays on this thread: the HostDispatch holds it through a HostObject.
    std::shared_ptr<ComReference> sink = session_->hostObject(context.getParams().getSink(), name_);
    return answer(
        session_->thread, session_->outbox, context,
        [this, sink] {
          IConnectionPointContainer* container = nullptr;
          HRESULT asked = dispatch()->QueryInterface(IID_IConnectionPointContainer,
                                                     reinterpret_cast<void**>(&container));
          if (FAILED(asked)) {
            throw Error(Error::Kind::unsupported,
                        name_ + " raises no events: it has no IConnectionPointContainer (" +
                            hresultText(asked) + ")");
          }
          auto releaseContainer = kj::defer([container] { container->Release(); });
          EventSource source = eventSourceOf(dispatch(), container, name_);
          auto connection = std::make_unique<EventConnection>();
          HRESULT found = container->FindConnectionPoint(source.iid, &connection->point);
          if (FAILED(found)) throw comError(found, name_ + ": finding the connection point");
          auto* host = static_cast<HostDispatch*>(static_cast<DispatchObject&>(*sink).get());
          host->becomeSink(source.iid, source.events);
          HRESULT advised = connection->point->Advise(host, &connection->cookie);
          if (FAILED(advised)) {
            connection->point->Release();
            connection->point = nullptr;
            throw comError(advised, name_ + ": connecting to " + source.name);
          }
          return Connected{ModuleOwned<EventConnection>(session_->thread, std::move(connection)),
                           source.name};
        },
        [](auto& results, Connected& connected) {
          results.setConnection(kj::heap<ComConnectionServer>(kj::mv(connected.connection)));
          results.setEvents(connected.events);
        });
  }

 private:
  // [module thread]
  IDispatch* dispatch() const { return static_cast<DispatchObject&>(*object_.get()).get(); }

  // [module thread] The object's type information (null when it gives none), read once.
  std::shared_ptr<const ComTypeInfo> type() {
    if (!typeRead_) {
      type_ = session_->typeOf(dispatch());
      typeRead_ = true;
    }
    return type_;
  }

  std::shared_ptr<ComSession> session_;
  Objects object_;
  bool typeRead_ = false;                    // [module thread]
  std::shared_ptr<const ComTypeInfo> type_;  // [module thread]
  std::string name_;  // the class's ProgID (or CLSID), for errors
};

}  // namespace

wire::ComObject::Client ComSession::serve(std::shared_ptr<ComReference> object, std::string name) {
  return served.add(kj::heap<ComObjectServer>(
      shared_from_this(),
      Objects(thread, std::make_unique<std::shared_ptr<ComReference>>(std::move(object))),
      std::move(name)));
}

kj::Promise<std::vector<ComValue>> ComSession::fromHost(std::vector<wire::ComValue::Reader> readers,
                                                        std::string name) {
  // First the objects, in the order the values hold them: which are this session's?
  std::vector<wire::ComObject::Client> clients;
  for (auto reader : readers) {
    fromWire(reader, [&](wire::ComObject::Client client) -> std::shared_ptr<ComReference> {
      clients.push_back(kj::mv(client));
      return nullptr;
    });
  }
  auto self = shared_from_this();
  auto lookups = kj::heapArrayBuilder<kj::Promise<std::shared_ptr<ComReference>>>(clients.size());
  for (auto& client : clients) {
    lookups.add(served.getLocalServer(client).then(
        [self, client, name](kj::Maybe<wire::ComObject::Server&> local) mutable
        -> std::shared_ptr<ComReference> {
          KJ_IF_MAYBE (server, local) {
            return static_cast<ComObjectServer&>(*server).reference();
          }
          return self->hostObject(kj::mv(client), name);
        }));
  }
  return kj::joinPromises(lookups.finish())
      .then([readers = std::move(readers)](kj::Array<std::shared_ptr<ComReference>> objects) {
        size_t next = 0;
        std::vector<ComValue> values;
        for (auto reader : readers) {
          values.push_back(fromWire(reader, [&](wire::ComObject::Client) {
            return objects[next++];
          }));
        }
        return values;
      });
}

namespace {

// One of the host's objects, held for its HostDispatch: the capability is used and released on
// the serving thread only.
class HostObject {
 public:
  HostObject(std::shared_ptr<ComSession> session, wire::ComObject::Client client, std::string name)
      : session_(std::move(session)), client_(kj::mv(client)), name_(std::move(name)) {}

  ~HostObject() {
    if (std::this_thread::get_id() == session_->servingThread) return;
    try {
      session_->serving->executeSync([this] { client_ = nullptr; });
    } catch (const kj::Exception&) {
      // The serving thread's loop is gone, and the connection with it: the capability cannot be
      // released any more, nor need it be.
      new kj::Maybe<wire::ComObject::Client>(kj::mv(client_));
    }
  }

  // [module thread] Calls the host's object and waits for the answer.
  ComValue call(const std::string& member, wire::InvokeKind kind, std::vector<ComValue> arguments) {
    struct Answer {
      std::vector<ComValue> value;
      std::optional<Error> error;
    };
    std::string what = "the host's object given to " + name_ + " (" + member + ")";
    Answer answer;
    try {
      answer = session_->serving->executeSync([&]() -> kj::Promise<Answer> {
        KJ_IF_MAYBE (client, client_) {
          auto request = client->invokeRequest();
          request.setMember(member);
          request.setKind(kind);
          auto list = request.initArguments(uint32_t(arguments.size()));
          for (uint32_t i = 0; i < list.size(); ++i) session_->toHost(arguments[i], list[i], name_);
          auto session = session_;
          return request.send().then([session, name = name_](auto&& response) -> kj::Promise<Answer> {
            if (response.hasError()) return Answer{{}, remoteError(response.getError())};
            auto result = response.getResult();
            return session->fromHost({result}, name)
                .then([](std::vector<ComValue> values) { return Answer{std::move(values), {}}; })
                .attach(kj::mv(response));
          });
        }
        return Answer{{}, Error(Error::Kind::disconnected, "released")};
      });
    } catch (const kj::Exception& exception) {
      throw Error(Error::Kind::disconnected,
                  what + " could not be called: " + exception.getDescription().cStr());
    }
    if (answer.error) throw *answer.error;
    return answer.value.empty() ? ComValue() : std::move(answer.value.front());
  }

 private:
  std::shared_ptr<ComSession> session_;
  kj::Maybe<wire::ComObject::Client> client_;  // [serving thread]
  std::string name_;
};

}  // namespace

std::shared_ptr<ComReference> ComSession::hostObject(wire::ComObject::Client client,
                                                     std::string name) {
  auto host = std::make_shared<HostObject>(shared_from_this(), kj::mv(client), std::move(name));
  HostDispatch::Call call = [host](const std::string& member, wire::InvokeKind kind,
                                   std::vector<ComValue> arguments) {
    return host->call(member, kind, std::move(arguments));
  };
  auto* dispatch = new HostDispatch(std::move(call));
  auto reference = std::make_shared<DispatchObject>(dispatch);
  dispatch->Release();  // the DispatchObject's reference is the one kept
  return reference;
}

namespace {

// [module thread] The module `object`'s code is in (its vtable's), as loaded: its file, with a
// WOW64 process's system32 named as the syswow64 it is, and its PE machine.
struct ServerModule {
  std::string path;
  uint16_t machine = 0;
};

ServerModule serverModuleOf(IDispatch* object) {
  ServerModule found;
  HMODULE module = nullptr;
  auto* vtable = *reinterpret_cast<void**>(object);
  if (!GetModuleHandleExW(
          GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT,
          static_cast<LPCWSTR>(vtable), &module)) {
    return found;
  }
  wchar_t path[MAX_PATH * 2] = {};
  GetModuleFileNameW(module, path, MAX_PATH * 2);
  std::wstring file = path;
  wchar_t system[MAX_PATH] = {}, wow64[MAX_PATH] = {};
  BOOL wow = FALSE;
  if (IsWow64Process(GetCurrentProcess(), &wow) && wow &&
      GetSystemDirectoryW(system, MAX_PATH) && GetSystemWow64DirectoryW(wow64, MAX_PATH) &&
      _wcsnicmp(file.c_str(), system, wcslen(system)) == 0) {
    file = wow64 + file.substr(wcslen(system));
  }
  found.path = win32::narrow(file);
  auto* image = reinterpret_cast<const unsigned char*>(module);
  auto* dos = reinterpret_cast<const IMAGE_DOS_HEADER*>(image);
  auto* nt = reinterpret_cast<const IMAGE_NT_HEADERS*>(image + dos->e_lfanew);
  found.machine = nt->FileHeader.Machine;
  return found;
}

struct Created {
  std::shared_ptr<ComReference> object;
  ServerModule module;
  std::shared_ptr<const ComTypeInfo> type;
};

class ComClassServer final : public wire::ComClass::Server {
 public:
  ComClassServer(std::shared_ptr<ComSession> session, ComClassInfo info)
      : session_(std::move(session)), info_(std::move(info)) {}

 protected:
  kj::Promise<void> create(CreateContext context) override {
    return answer(
        session_->thread, session_->outbox, context,
        [this] {
          IDispatch* object = nullptr;
          HRESULT created = CoCreateInstance(info_.clsid, nullptr, CLSCTX_INPROC_SERVER,
                                             IID_IDispatch, reinterpret_cast<void**>(&object));
          if (FAILED(created)) throw comError(created, "creating " + name());
          auto reference = std::make_shared<DispatchObject>(object);
          object->Release();
          return Created{reference, serverModuleOf(object), session_->typeOf(object)};
        },
        [this](auto& results, Created& created) {
          results.setObject(session_->serve(std::move(created.object), name()));
          results.setModule(created.module.path);
          results.setMachine(created.module.machine);
          if (created.type) toWire(*created.type, results.initType());
        });
  }

 private:
  std::string name() const { return info_.progId.empty() ? info_.clsidText : info_.progId; }

  std::shared_ptr<ComSession> session_;
  ComClassInfo info_;
};

}  // namespace

kj::Promise<void> ComKind::load(LoadContext context, std::string path) {
  return answer(
      thread_, outbox_, context,
      [path] {
        // The module thread is a single-threaded apartment, dispatching window messages as STA
        // objects need, from the first COM class on.
        static const HRESULT initialized = CoInitializeEx(nullptr, COINIT_APARTMENTTHREADED);
        if (FAILED(initialized)) throw comError(initialized, "CoInitializeEx");
        spdlog::debug("loading COM class '{}'", path);
        return findClass(path);
      },
      [this](auto& results, ComClassInfo& info) {
        auto loaded = results.initModule().initCom();
        loaded.setClsid(info.clsidText);
        loaded.setProgId(info.progId);
        loaded.setServer(info.server);
        loaded.setThreadingModel(info.threadingModel);
        if (!session_) session_ = std::make_shared<ComSession>(thread_, outbox_);
        loaded.setComClass(kj::heap<ComClassServer>(session_, std::move(info)));
      });
}

#endif

}  // namespace bridge32
