// COM classes and objects in a surrogate (bridge32/com.h): the class is a module the surrogate
// loads by name (ModuleKind.com, through the same ModuleLink and call rules as every kind), each
// object a ComObject capability held in a Binding, released on the loop thread when the last
// ComObject for it goes.
#include "bridge32/com.h"

#include <mutex>

#include "com/com-wire.h"
#include "core/binding.h"
#include "core/module-link.h"
#include "core/shared-surrogate.h"
#include "wire.h"

namespace bridge32 {
namespace {

class BridgedComObject final : public ComObject,
                               public std::enable_shared_from_this<BridgedComObject> {
 public:
  BridgedComObject(std::shared_ptr<ModuleLink> link, std::shared_ptr<SurrogateClient> client,
                   std::unique_ptr<wire::ComObject::Client> capability, std::string name)
      : link_(std::move(link)),
        binding_(std::make_shared<Binding<wire::ComObject::Client>>(std::move(client),
                                                                    std::move(capability))),
        name_(std::move(name)) {}

  ComValue get(std::string_view name, std::vector<ComValue> arguments) override {
    return invoke(name, wire::InvokeKind::PROPERTY_GET, arguments, {});
  }

  void put(std::string_view name, ComValue value, std::vector<ComValue> arguments) override {
    arguments.push_back(std::move(value));
    invoke(name, wire::InvokeKind::PROPERTY_PUT, arguments, {});
  }

  ComValue call(std::string_view name, std::vector<ComValue> arguments,
                std::vector<ComNamedArgument> named) override {
    return invoke(name, wire::InvokeKind::METHOD, arguments, named);
  }

  std::vector<ComValue> items() override {
    return link_->rules()(
        *binding_->client, name_ + "._NewEnum",
        [&](wire::Session::Client&) { return binding_->capability.get().enumerateRequest().send(); },
        [&](auto& response) {
          throwIfError(response);
          std::vector<ComValue> items;
          for (auto item : response.getItems()) items.push_back(fromWire(item, objectsFromWire()));
          return items;
        });
  }

  // [loop thread] This object's capability, to pass it back to its surrogate.
  wire::ComObject::Client capability() const { return binding_->capability.get(); }

 private:
  ComValue invoke(std::string_view member, wire::InvokeKind kind,
                  const std::vector<ComValue>& arguments,
                  const std::vector<ComNamedArgument>& named) {
    std::string what = name_ + (member.empty() ? std::string() : "." + std::string(member));
    return link_->rules()(
        *binding_->client, what,
        [&](wire::Session::Client&) {
          auto request = binding_->capability.get().invokeRequest();
          request.setMember(std::string(member));
          request.setKind(kind);
          auto list = request.initArguments(uint32_t(arguments.size()));
          for (uint32_t i = 0; i < list.size(); ++i) toWire(arguments[i], list[i], objectsToWire());
          auto names = request.initNamed(uint32_t(named.size()));
          for (uint32_t i = 0; i < names.size(); ++i) {
            names[i].setName(named[i].name);
            toWire(named[i].value, names[i].initValue(), objectsToWire());
          }
          return request.send();
        },
        [&](auto& response) {
          throwIfError(response);
          return fromWire(response.getResult(), objectsFromWire());
        });
  }

  // [loop thread] An object the surrogate gave: another ComObject of the same surrogate.
  ObjectFromWire objectsFromWire() {
    return [this](wire::ComObject::Client client) -> std::shared_ptr<ComReference> {
      return std::make_shared<BridgedComObject>(
          link_, binding_->client, std::make_unique<wire::ComObject::Client>(kj::mv(client)),
          name_);
    };
  }

  // [loop thread] An object for the surrogate: only ones it made can go back to it.
  ObjectToWire objectsToWire() {
    return [this](const std::shared_ptr<ComReference>& object) -> wire::ComObject::Client {
      auto* bridged = dynamic_cast<BridgedComObject*>(object.get());
      if (!bridged || bridged->binding_->client != binding_->client) {
        throw Error(Error::Kind::invalidArgument,
                    name_ + ": an object can go only to the surrogate it came from");
      }
      return bridged->capability();
    };
  }

  std::shared_ptr<ModuleLink> link_;
  std::shared_ptr<Binding<wire::ComObject::Client>> binding_;
  std::string name_;  // the class's ProgID (or CLSID), for errors
};

struct ClassInfo {
  std::string clsid, progId, server, threadingModel;
};

class BridgedComClass final : public ComClass {
 public:
  BridgedComClass(std::shared_ptr<SharedSurrogate> surrogate, std::string_view name,
                  const LoadOptions& options)
      : name_(name),
        link_(std::make_shared<ModuleLink>(
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
            })) {}

  const std::string& clsid() const override { return info_.clsid; }
  const std::string& progId() const override { return info_.progId; }
  const std::string& server() const override { return info_.server; }
  const std::string& threadingModel() const override { return info_.threadingModel; }
  uint32_t surrogatePid() const override { return link_->current().client->pid(); }

  std::shared_ptr<ComObject> create() override {
    ModuleLink::Loaded loaded = link_->running();
    std::string name = info_.progId.empty() ? info_.clsid : info_.progId;
    return link_->rules()(
        *loaded.client, name,
        [&](wire::Session::Client&) {
          return loaded.as<wire::ComClass>().createRequest().send();
        },
        [&](auto& response) -> std::shared_ptr<ComObject> {
          throwIfError(response);
          return std::make_shared<BridgedComObject>(
              link_, loaded.client,
              std::make_unique<wire::ComObject::Client>(response.getObject()), name);
        });
  }

 private:
  std::string name_;
  ClassInfo info_;  // before link_: the link's first load fills it
  std::shared_ptr<ModuleLink> link_;
};

}  // namespace

std::shared_ptr<ComObject> asComObject(const ComValue& value) {
  auto object = std::dynamic_pointer_cast<ComObject>(value.asObject());
  if (!object) {
    throw Error(Error::Kind::invalidArgument, "expected an object, got " + value.toString());
  }
  return object;
}

std::unique_ptr<ComClass> ComClass::load(std::string_view name, Architecture architecture,
                                         const LoadOptions& options) {
  std::shared_ptr<SharedSurrogate> surrogate = options.surrogate;
  if (!surrogate) {
    surrogate = startSurrogate(architecture, options);
  } else if (surrogate->architecture() != architecture) {
    throw Error(Error::Kind::invalidArgument,
                "COM class '" + std::string(name) + "' was asked for in a " +
                    std::string(toString(architecture)) + " surrogate, but the one given is " +
                    std::string(toString(surrogate->architecture())));
  }
  return std::make_unique<BridgedComClass>(std::move(surrogate), name, options);
}

}  // namespace bridge32
