// COM classes and objects in a surrogate (LoadedComClass, LoadedComObject: com/loaded-com.h): the
// class is a module the surrogate loads by name (ModuleKind.com, through the same ModuleLink and
// call rules as every kind), each object a wire ComObject capability held in a Binding, released
// on the loop thread when the last BridgedComObject for it goes. Objects of this process
// (makeHostComObject, event sinks) are wire ComObjects this side serves, on the loop thread.
#include "com/loaded-com.h"

#include <algorithm>
#include <mutex>

#include "com/com-check.h"
#include "com/com-wire.h"
#include "core/module-link.h"
#include "core/remote-life.h"
#include "core/shared-surrogate.h"
#include "logging.h"
#include "wire.h"

namespace bridge32 {
namespace {

using ComLife = RemoteLife<wire::ComObject::Client>;
using ComBinding = ComLife::Life;

// What the objects of one class share: the module link and the class's name for messages.
struct ComContext {
  std::shared_ptr<ModuleLink> link;
  std::string name;  // the class's ProgID (or CLSID)
  std::mutex mutex;  // guards server and type
  std::optional<ComClass::LoadedServer> server;  // the last create()'s
  // The type information of the objects create() makes, when they give one: calls on them are
  // checked against it before they cross.
  std::shared_ptr<const ComTypeInfo> type;
};

class HostComObject final : public ComReference {
 public:
  explicit HostComObject(ComHandler handler) : handler(std::move(handler)) {}
  ComHandler handler;
};

ObjectFromWire objectsFromWire(const std::shared_ptr<ComContext>& context,
                               const std::shared_ptr<SurrogateClient>& client);
ObjectToWire objectsToWire(const std::shared_ptr<ComContext>& context,
                           const std::shared_ptr<SurrogateClient>& client);

// [loop thread] Whether `value` holds an object of a surrogate's.
bool holdsBridgedObject(const ComValue& value);

// An object of this process as the surrogate calls it. The surrogate is held weakly: a COM object
// that keeps the host's object must not keep its surrogate's connection alive.
class HostObjectServer final : public wire::ComObject::Server {
 public:
  HostObjectServer(std::shared_ptr<HostComObject> object, std::shared_ptr<ComContext> context,
                   std::weak_ptr<SurrogateClient> client)
      : object_(std::move(object)), context_(std::move(context)), client_(std::move(client)) {}

 protected:
  kj::Promise<void> invoke(InvokeContext call) override {
    auto params = call.getParams();
    std::string member = text(params.getMember());
    try {
      auto client = client_.lock();
      if (!client) throw Error(Error::Kind::disconnected, "the surrogate is gone");
      if (params.getNamed().size() != 0) {
        throw Error(Error::Kind::invalidArgument,
                    "an object of the host's takes no named arguments");
      }
      std::vector<ComValue> arguments;
      for (auto argument : params.getArguments()) {
        arguments.push_back(fromWire(argument, objectsFromWire(context_, client)));
      }
      ComCallKind kind = ComCallKind::method;
      if (params.getKind() == wire::InvokeKind::PROPERTY_GET) kind = ComCallKind::propertyGet;
      if (params.getKind() == wire::InvokeKind::PROPERTY_PUT ||
          params.getKind() == wire::InvokeKind::PROPERTY_PUT_REF) {
        kind = ComCallKind::propertyPut;
      }
      ComValue result;
      {
        HostTime::Scope counted(*client->hostTime());  // not the surrogate's time: see HostTime
        result = object_->handler(member, kind, arguments);
      }
      toWire(result, call.getResults().initResult(), objectsToWire(context_, client));
    } catch (const Error& error) {
      setError(call.getResults().initError(), error);
    } catch (const std::exception& exception) {
      setError(call.getResults().initError(), Error(Error::Kind::failed, exception.what()));
    }
    return kj::READY_NOW;
  }

  kj::Promise<void> enumerate(EnumerateContext call) override {
    setError(call.getResults().initError(),
             Error(Error::Kind::unsupported, "an object of the host's has no enumeration"));
    return kj::READY_NOW;
  }

  kj::Promise<void> connect(ConnectContext call) override {
    setError(call.getResults().initError(),
             Error(Error::Kind::unsupported, "an object of the host's raises no events"));
    return kj::READY_NOW;
  }

 private:
  std::shared_ptr<HostComObject> object_;
  std::shared_ptr<ComContext> context_;
  std::weak_ptr<SurrogateClient> client_;
};

// A sink connected to an object's events, in the object's current life: an object made again
// after a restart connects it again.
struct Connected {
  std::shared_ptr<HostComObject> sink;
  std::mutex mutex;  // guards binding
  std::unique_ptr<Binding<wire::ComConnection::Client>> binding;
  std::string events;
};

class BridgedComConnection final : public LoadedComConnection {
 public:
  explicit BridgedComConnection(std::shared_ptr<Connected> connected)
      : connected_(std::move(connected)) {}

  const std::string& events() const override { return connected_->events; }

 private:
  std::shared_ptr<Connected> connected_;  // the object holds it weakly
};

// [any thread] A new object of the class, in `loaded`'s surrogate.
std::unique_ptr<wire::ComObject::Client> createObject(ComContext& context,
                                                      const ModuleLink::Loaded& loaded) {
  return context.link->rules()(
      *loaded.client, context.name,
      [&](wire::Session::Client&) { return loaded.as<wire::ComClass>().createRequest().send(); },
      [&](auto& response) {
        throwIfError(response);
        Architecture architecture = Architecture::unknown;
        if (response.getMachine() == 0x14c) architecture = Architecture::x86;
        if (response.getMachine() == 0x8664) architecture = Architecture::x64;
        {
          std::lock_guard lock(context.mutex);
          context.server = ComClass::LoadedServer{pathFromUtf8(text(response.getModule())),
                                                  architecture};
          if (response.hasType()) {
            context.type = std::make_shared<const ComTypeInfo>(fromWire(response.getType()));
          }
        }
        return std::make_unique<wire::ComObject::Client>(response.getObject());
      });
}

class BridgedComObject final : public LoadedComObject, private ComLife::Kind {
 public:
  // `object` in `client`'s surrogate. `remakable`: made by LoadedComClass::create(), so made
  // again after its surrogate stopped.
  BridgedComObject(std::shared_ptr<ComContext> context, std::shared_ptr<SurrogateClient> client,
                   std::unique_ptr<wire::ComObject::Client> object, bool remakable)
      : context_(std::move(context)),
        remakable_(remakable),
        life_(ComLife::start(context_->link, *this, context_->name,
                             remakable ? Comeback::onUse : Comeback::never, std::move(client),
                             std::move(object))) {}

  ~BridgedComObject() override { life_->close(); }

  ComValue get(std::string_view name, std::vector<ComValue> arguments) override {
    return invoke(*life_->running(), name, wire::InvokeKind::PROPERTY_GET, arguments, {});
  }

  void put(std::string_view name, ComValue value, std::vector<ComValue> arguments) override {
    arguments.push_back(std::move(value));
    invoke(*life_->running(), name, wire::InvokeKind::PROPERTY_PUT, arguments, {});
    if (remakable_) remember(name, std::move(arguments));
  }

  ComValue call(std::string_view name, std::vector<ComValue> arguments,
                std::vector<ComNamedArgument> named) override {
    return invoke(*life_->running(), name, wire::InvokeKind::METHOD, arguments, named);
  }

  std::vector<ComValue> items() override {
    auto binding = life_->running();
    return context_->link->rules()(
        *binding->client, context_->name + "._NewEnum",
        [&](wire::Session::Client&) { return binding->capability.get().enumerateRequest().send(); },
        [&](auto& response) {
          throwIfError(response);
          std::vector<ComValue> items;
          for (auto item : response.getItems()) {
            items.push_back(fromWire(item, objectsFromWire(context_, binding->client)));
          }
          return items;
        });
  }

  std::optional<ComTypeInfo> typeInfo() override {
    auto binding = life_->running();
    return context_->link->rules()(
        *binding->client, context_->name + " type information",
        [&](wire::Session::Client&) { return binding->capability.get().describeRequest().send(); },
        [&](auto& response) -> std::optional<ComTypeInfo> {
          throwIfError(response);
          if (!response.hasType()) return std::nullopt;
          return fromWire(response.getType());
        });
  }

  std::unique_ptr<LoadedComConnection> connect(ComEventHandler handler) override {
    auto connected = std::make_shared<Connected>();
    connected->sink = std::make_shared<HostComObject>(
        [handler = std::move(handler)](std::string_view event, ComCallKind,
                                       std::vector<ComValue>& arguments) {
          handler(event, arguments);
          return ComValue();
        });
    connectIn(*life_->running(), *connected);
    if (remakable_) {
      std::lock_guard lock(mutex_);
      std::erase_if(connections_, [](const auto& connection) { return connection.expired(); });
      connections_.push_back(connected);
    }
    return std::make_unique<BridgedComConnection>(std::move(connected));
  }

  // [any thread] The object's current life, as it is (running or not).
  std::shared_ptr<ComBinding> binding() const { return life_->current(); }

 private:
  struct Put {
    std::string name;
    std::vector<ComValue> arguments;  // the value last
  };

  // The life's hooks (RemoteLife::Kind): the object made again in a running surrogate, given back
  // its properties and event connections.
  std::unique_ptr<wire::ComObject::Client> make(const ModuleLink::Loaded& loaded) override {
    return createObject(*context_, loaded);
  }

  void restore(ComBinding& fresh) override {
    std::vector<Put> puts;
    std::vector<std::shared_ptr<Connected>> connections;
    {
      std::lock_guard lock(mutex_);
      puts = puts_;
      for (const auto& weak : connections_) {
        if (auto connected = weak.lock()) connections.push_back(std::move(connected));
      }
    }
    for (const Put& put : puts) {
      try {
        invoke(fresh, put.name, wire::InvokeKind::PROPERTY_PUT, put.arguments, {});
      } catch (const Error& error) {
        if (endsTheSurrogate(error)) throw;
        logging::warn("{} made again: putting {} back failed: {}", context_->name, put.name,
                      error.what());
      }
    }
    for (const auto& connected : connections) {
      try {
        connectIn(fresh, *connected);
      } catch (const Error& error) {
        if (endsTheSurrogate(error)) throw;
        logging::warn("{} made again: connecting its events again failed: {}", context_->name,
                      error.what());
      }
    }
  }

  // Connects `connected`'s sink to the object's life `binding`.
  void connectIn(ComBinding& binding, Connected& connected) {
    context_->link->rules()(
        *binding.client, context_->name + " events",
        [&](wire::Session::Client&) {
          auto request = binding.capability.get().connectRequest();
          request.setSink(kj::heap<HostObjectServer>(connected.sink, context_, binding.client));
          return request.send();
        },
        [&](auto& response) {
          throwIfError(response);
          auto fresh = std::make_unique<Binding<wire::ComConnection::Client>>(
              binding.client,
              std::make_unique<wire::ComConnection::Client>(response.getConnection()));
          std::lock_guard lock(connected.mutex);
          connected.binding = std::move(fresh);
          connected.events = text(response.getEvents());
        });
  }

  // Keeps the last value put into property `name` with the same arguments, to put it back after a
  // restart; not values with bridged objects, which die with their surrogate.
  void remember(std::string_view name, std::vector<ComValue> arguments) {
    for (const ComValue& argument : arguments) {
      if (holdsBridgedObject(argument)) return;
    }
    std::lock_guard lock(mutex_);
    for (Put& put : puts_) {
      if (sameComName(put.name, name) &&
          std::equal(put.arguments.begin(), put.arguments.end() - 1, arguments.begin(),
                     arguments.end() - 1)) {
        put.arguments = std::move(arguments);
        return;
      }
    }
    puts_.push_back({std::string(name), std::move(arguments)});
  }

  ComValue invoke(ComBinding& binding, std::string_view member,
                  wire::InvokeKind kind, const std::vector<ComValue>& arguments,
                  const std::vector<ComNamedArgument>& named) {
    std::string what =
        context_->name + (member.empty() ? std::string() : "." + std::string(member));
    if (remakable_) {
      std::shared_ptr<const ComTypeInfo> type;
      {
        std::lock_guard lock(context_->mutex);
        type = context_->type;
      }
      if (type) {
        std::vector<std::string> names;
        for (const ComNamedArgument& argument : named) names.push_back(argument.name);
        checkComCall(*type, context_->name, std::string(member), ComMemberInfo::Kind(kind),
                     arguments.size(), names);
      }
    }
    return context_->link->rules()(
        *binding.client, what,
        [&](wire::Session::Client&) {
          auto toSurrogate = objectsToWire(context_, binding.client);
          auto request = binding.capability.get().invokeRequest();
          request.setMember(std::string(member));
          request.setKind(kind);
          auto list = request.initArguments(uint32_t(arguments.size()));
          for (uint32_t i = 0; i < list.size(); ++i) toWire(arguments[i], list[i], toSurrogate);
          auto names = request.initNamed(uint32_t(named.size()));
          for (uint32_t i = 0; i < names.size(); ++i) {
            names[i].setName(named[i].name);
            toWire(named[i].value, names[i].initValue(), toSurrogate);
          }
          return request.send();
        },
        [&](auto& response) {
          throwIfError(response);
          return fromWire(response.getResult(), objectsFromWire(context_, binding.client));
        });
  }

  std::shared_ptr<ComContext> context_;
  bool remakable_;
  std::mutex mutex_;  // guards puts_ and connections_, briefly
  std::vector<Put> puts_;
  std::vector<std::weak_ptr<Connected>> connections_;  // connected again in a new life
  std::shared_ptr<ComLife> life_;  // closed first thing in the destructor
};

bool holdsBridgedObject(const ComValue& value) {
  if (value.kind() == ComValue::Kind::object) {
    return dynamic_cast<BridgedComObject*>(value.asObject().get()) != nullptr;
  }
  if (value.kind() == ComValue::Kind::array) {
    for (const ComValue& element : value.asArray().elements) {
      if (holdsBridgedObject(element)) return true;
    }
  }
  return false;
}

// [loop thread] An object the surrogate gave: another BridgedComObject of the same surrogate.
ObjectFromWire objectsFromWire(const std::shared_ptr<ComContext>& context,
                               const std::shared_ptr<SurrogateClient>& client) {
  return [context, client](wire::ComObject::Client object) -> std::shared_ptr<ComReference> {
    return std::make_shared<BridgedComObject>(
        context, client, std::make_unique<wire::ComObject::Client>(kj::mv(object)), false);
  };
}

// [loop thread] An object for the surrogate: one of its own goes back as itself, one of this
// process's is served to it.
ObjectToWire objectsToWire(const std::shared_ptr<ComContext>& context,
                           const std::shared_ptr<SurrogateClient>& client) {
  return [context, client](const std::shared_ptr<ComReference>& object) -> wire::ComObject::Client {
    if (auto* bridged = dynamic_cast<BridgedComObject*>(object.get())) {
      auto binding = bridged->binding();
      if (binding->client != client) {
        throw Error(Error::Kind::invalidArgument,
                    context->name + ": an object can go only to the surrogate it came from");
      }
      return binding->capability.get();
    }
    if (auto host = std::dynamic_pointer_cast<HostComObject>(object)) {
      return kj::heap<HostObjectServer>(std::move(host), context, client);
    }
    throw Error(Error::Kind::invalidArgument,
                context->name + ": an object must be a bridged one or made by makeComObject");
  };
}

struct ClassInfo {
  std::string clsid, progId, server, threadingModel;
};

class BridgedComClass final : public LoadedComClass {
 public:
  BridgedComClass(std::shared_ptr<LiveSurrogate> surrogate, std::string_view name,
                  const LoadOptions& options)
      : name_(name),
        link_(ModuleLink::make(
            std::move(surrogate), wire::ModuleKind::COM, std::filesystem::path(name_), options,
            [this](wire::LoadedModule::Reader answer, bool first) {
              if (!answer.hasCom()) {
                throw Error(Error::Kind::failed, "the surrogate answered a load of a COM class "
                                                 "with a module of another kind");
              }
              auto loaded = answer.getCom();
              if (first) {
                info_ = {text(loaded.getClsid()), text(loaded.getProgId()),
                         text(loaded.getServer()), text(loaded.getThreadingModel())};
              }
              return loaded.getComClass();
            })),
        context_(std::make_shared<ComContext>()) {
    context_->link = link_;
    context_->name = info_.progId.empty() ? info_.clsid : info_.progId;
  }

  const std::string& clsid() const override { return info_.clsid; }
  const std::string& progId() const override { return info_.progId; }
  const std::string& server() const override { return info_.server; }
  const std::string& threadingModel() const override { return info_.threadingModel; }
  uint32_t surrogatePid() const override { return link_->current().client->pid(); }
  std::optional<ComClass::LoadedServer> loadedServer() const override {
    std::lock_guard lock(context_->mutex);
    return context_->server;
  }

  std::shared_ptr<LoadedComObject> create() override {
    ModuleLink::Loaded loaded = link_->running();
    return std::make_shared<BridgedComObject>(context_, loaded.client,
                                              createObject(*context_, loaded), true);
  }

 private:
  std::string name_;
  ClassInfo info_;  // before link_: the link's first load fills it
  std::shared_ptr<ModuleLink> link_;
  std::shared_ptr<ComContext> context_;
};

}  // namespace

std::shared_ptr<ComReference> makeHostComObject(ComHandler handler) {
  return std::make_shared<HostComObject>(std::move(handler));
}

std::unique_ptr<LoadedComClass> LoadedComClass::load(std::string_view name,
                                                     Architecture architecture,
                                                     const LoadOptions& options) {
  std::shared_ptr<LiveSurrogate> surrogate = options.surrogate
                                                ? liveSurrogateOf(*options.surrogate)
                                                : startLiveSurrogate(architecture, options);
  if (surrogate->architecture() != architecture) {
    throw Error(Error::Kind::invalidArgument,
                "COM class '" + std::string(name) + "' was asked for in a " +
                    std::string(toString(architecture)) + " surrogate, but the one given is " +
                    std::string(toString(surrogate->architecture())));
  }
  return std::make_unique<BridgedComClass>(std::move(surrogate), name, options);
}

}  // namespace bridge32
