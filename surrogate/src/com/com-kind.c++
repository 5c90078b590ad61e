#include "com/com-kind.h"

#include <spdlog/spdlog.h>

#include "core/answer.h"

#if _WIN32
#include <fmt/format.h>
#include <objbase.h>
#include <oleauto.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "com/com-wire.h"
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

// A class as the registry describes it.
struct ComClassInfo {
  CLSID clsid{};
  std::string clsidText, progId, server, threadingModel;
};

std::string registryText(const std::wstring& key, const wchar_t* value) {
  wchar_t text[1024] = {};
  DWORD size = sizeof text - sizeof(wchar_t);
  // RRF_RT_REG_SZ takes REG_EXPAND_SZ values too, expanded.
  if (RegGetValueW(HKEY_CLASSES_ROOT, key.c_str(), value, RRF_RT_REG_SZ, nullptr, text, &size) !=
      ERROR_SUCCESS) {
    return {};
  }
  return win32::narrow(text);
}

std::string hex(int32_t code) { return fmt::format("0x{:08X}", uint32_t(code)); }

// "0x8002000F DISP_E_PARAMNOTOPTIONAL: a required argument is missing": the system's text, or
// (Wine has none for most) the name and meaning of the codes late binding meets.
std::string hresultText(HRESULT result) {
  static const struct {
    HRESULT code;
    const char* text;
  } kKnown[] = {
      {DISP_E_UNKNOWNINTERFACE, "DISP_E_UNKNOWNINTERFACE: unknown interface"},
      {DISP_E_MEMBERNOTFOUND, "DISP_E_MEMBERNOTFOUND: no such member, or not for this use"},
      {DISP_E_PARAMNOTFOUND, "DISP_E_PARAMNOTFOUND: no such parameter"},
      {DISP_E_TYPEMISMATCH, "DISP_E_TYPEMISMATCH: an argument of the wrong type"},
      {DISP_E_UNKNOWNNAME, "DISP_E_UNKNOWNNAME: unknown name"},
      {DISP_E_NONAMEDARGS, "DISP_E_NONAMEDARGS: the member takes no named arguments"},
      {DISP_E_BADVARTYPE, "DISP_E_BADVARTYPE: a VARTYPE the object does not take"},
      {DISP_E_EXCEPTION, "DISP_E_EXCEPTION: the object raised an exception"},
      {DISP_E_OVERFLOW, "DISP_E_OVERFLOW: a value out of range"},
      {DISP_E_BADINDEX, "DISP_E_BADINDEX: an index out of range"},
      {DISP_E_BADPARAMCOUNT, "DISP_E_BADPARAMCOUNT: the wrong number of arguments"},
      {DISP_E_PARAMNOTOPTIONAL, "DISP_E_PARAMNOTOPTIONAL: a required argument is missing"},
      {CO_E_CLASSSTRING, "CO_E_CLASSSTRING: no such ProgID or CLSID"},
      {REGDB_E_CLASSNOTREG, "REGDB_E_CLASSNOTREG: the class is not registered"},
      {CLASS_E_CLASSNOTAVAILABLE, "CLASS_E_CLASSNOTAVAILABLE: the server does not make the class"},
      {E_NOINTERFACE, "E_NOINTERFACE: the object does not have the interface"},
      {E_NOTIMPL, "E_NOTIMPL: not implemented"},
  };
  for (const auto& known : kKnown) {
    if (known.code == result) return hex(int32_t(result)) + " " + known.text;
  }
  return hex(int32_t(result)) + " " + win32::errorText(DWORD(result));
}

// [plugin thread] The class `name` names (a ProgID or a {CLSID}), from the registry.
ComClassInfo findClass(const std::string& name) {
  ComClassInfo info;
  std::wstring wide = win32::wide(name);
  HRESULT found = name.starts_with("{") ? CLSIDFromString(wide.c_str(), &info.clsid)
                                        : CLSIDFromProgID(wide.c_str(), &info.clsid);
  if (FAILED(found)) {
    throw Error(Error::Kind::notFound, "no COM class is registered as '" + name + "' (" +
                                           hresultText(found) + ")");
  }
  wchar_t clsid[64] = {};
  StringFromGUID2(info.clsid, clsid, 64);
  info.clsidText = win32::narrow(clsid);
  std::wstring key = L"CLSID\\" + std::wstring(clsid);
  info.progId = registryText(key + L"\\ProgID", nullptr);
  info.server = registryText(key + L"\\InprocServer32", nullptr);
  info.threadingModel = registryText(key + L"\\InprocServer32", L"ThreadingModel");
  if (info.server.empty()) {
    throw Error(Error::Kind::notFound, "COM class '" + name + "' (" + info.clsidText +
                                           ") has no in-process server (InprocServer32) in this "
                                           "process's view of the registry");
  }
  return info;
}

// The Error for a failed COM call `what`, with what COM said.
Error comError(HRESULT result, const std::string& what, const EXCEPINFO* exception = nullptr) {
  Error::ComFailure failure{int32_t(result), 0, {}, {}};
  std::string message = what + " failed: " + hresultText(result);
  if (exception) {
    EXCEPINFO filled = *exception;
    if (filled.pfnDeferredFillIn) filled.pfnDeferredFillIn(&filled);
    failure.code = filled.scode ? int32_t(filled.scode) : int32_t(filled.wCode);
    if (filled.bstrSource) failure.source = win32::narrow(filled.bstrSource);
    if (filled.bstrDescription) failure.description = win32::narrow(filled.bstrDescription);
    message += "; the object raised " + hex(failure.code);
    if (!failure.source.empty()) message += " from '" + failure.source + "'";
    if (!failure.description.empty()) message += ": " + failure.description;
    SysFreeString(filled.bstrSource);
    SysFreeString(filled.bstrDescription);
    SysFreeString(filled.bstrHelpFile);
  }
  Error::Kind kind = Error::Kind::failed;
  switch (result) {
    case DISP_E_UNKNOWNNAME:
    case DISP_E_MEMBERNOTFOUND: kind = Error::Kind::notFound; break;
    case DISP_E_TYPEMISMATCH:
    case DISP_E_BADPARAMCOUNT:
    case DISP_E_PARAMNOTOPTIONAL:
    case DISP_E_PARAMNOTFOUND:
    case DISP_E_OVERFLOW:
    case DISP_E_BADVARTYPE:
    case E_INVALIDARG: kind = Error::Kind::invalidArgument; break;
  }
  return Error(kind, std::move(message), std::move(failure));
}

struct Named {
  std::string name;
  ComValue value;
};

// [plugin thread] One IDispatch::Invoke of `member` on `object`, named `where` in errors
// ("Scripting.Dictionary.Add").
ComValue invoke(IDispatch* object, const std::string& where, const std::string& member,
                wire::InvokeKind kind, const std::vector<ComValue>& arguments,
                const std::vector<Named>& named) {
  // The member's DISPID and its named arguments', in one call.
  std::vector<std::wstring> names{win32::wide(member)};
  for (const Named& argument : named) names.push_back(win32::wide(argument.name));
  std::vector<LPOLESTR> pointers;
  for (std::wstring& name : names) pointers.push_back(name.data());
  std::vector<DISPID> ids(names.size(), DISPID_UNKNOWN);
  size_t first = 0;  // the first name asked for: the default member has no name
  if (member.empty()) {
    ids[0] = DISPID_VALUE;
    first = 1;
  }
  if (first < names.size()) {
    HRESULT found = object->GetIDsOfNames(IID_NULL, pointers.data() + first,
                                          UINT(pointers.size() - first), LOCALE_USER_DEFAULT,
                                          ids.data() + first);
    if (FAILED(found)) {
      std::string unknown = member;
      for (size_t i = 1; i < ids.size(); ++i) {
        if (ids[i] == DISPID_UNKNOWN) unknown = named[i - 1].name;
      }
      Error error = comError(found, where);
      throw Error(error.kind(), where + ": no member or named argument '" + unknown + "' (" +
                                    hresultText(found) + ")",
                  *error.com());
    }
  }

  // DISPPARAMS: the named arguments first (a property's new value first of all, as
  // DISPID_PROPERTYPUT), then the positional ones, last to first.
  bool put = kind == wire::InvokeKind::PROPERTY_PUT || kind == wire::InvokeKind::PROPERTY_PUT_REF;
  if (put && arguments.empty()) {
    throw Error(Error::Kind::invalidArgument, where + ": setting a property takes its value");
  }
  size_t positional = arguments.size() - (put ? 1 : 0);
  std::vector<DISPID> namedIds;
  std::vector<const ComValue*> order;
  if (put) {
    namedIds.push_back(DISPID_PROPERTYPUT);
    order.push_back(&arguments.back());
  }
  for (size_t i = 0; i < named.size(); ++i) {
    namedIds.push_back(ids[i + 1]);
    order.push_back(&named[i].value);
  }
  for (size_t i = positional; i-- > 0;) order.push_back(&arguments[i]);
  std::vector<VARIANT> variants(order.size());
  for (VARIANT& variant : variants) VariantInit(&variant);
  struct Clear {
    std::vector<VARIANT>& variants;
    ~Clear() {
      for (VARIANT& variant : variants) VariantClear(&variant);
    }
  } clear{variants};
  for (size_t i = 0; i < order.size(); ++i) toVariant(*order[i], variants[i]);
  DISPPARAMS parameters{variants.data(), namedIds.data(), UINT(variants.size()),
                        UINT(namedIds.size())};

  WORD flags = DISPATCH_METHOD | DISPATCH_PROPERTYGET;
  if (kind == wire::InvokeKind::PROPERTY_GET) flags = DISPATCH_PROPERTYGET;
  if (kind == wire::InvokeKind::PROPERTY_PUT) flags = DISPATCH_PROPERTYPUT;
  if (kind == wire::InvokeKind::PROPERTY_PUT_REF) flags = DISPATCH_PROPERTYPUTREF;
  VARIANT result;
  VariantInit(&result);
  EXCEPINFO exception{};
  UINT badArgument = 0;
  HRESULT called = object->Invoke(ids[0], IID_NULL, LOCALE_USER_DEFAULT, flags, &parameters,
                                  put ? nullptr : &result, &exception, &badArgument);
  std::string call = where + (member.empty() ? std::string() : "." + member);
  if (called == DISP_E_EXCEPTION) throw comError(called, call, &exception);
  if (FAILED(called)) throw comError(called, call);
  ComValue value;
  try {
    value = fromVariant(result);
  } catch (...) {
    VariantClear(&result);
    throw;
  }
  VariantClear(&result);
  return value;
}

// [plugin thread] Every item of `object`'s _NewEnum.
std::vector<ComValue> enumerate(IDispatch* object, const std::string& where) {
  DISPPARAMS none{};
  VARIANT got;
  VariantInit(&got);
  EXCEPINFO exception{};
  HRESULT called = object->Invoke(DISPID_NEWENUM, IID_NULL, LOCALE_USER_DEFAULT,
                                  DISPATCH_METHOD | DISPATCH_PROPERTYGET, &none, &got, &exception,
                                  nullptr);
  if (called == DISP_E_EXCEPTION) throw comError(called, where + "._NewEnum", &exception);
  if (FAILED(called)) throw comError(called, where + "._NewEnum");
  IEnumVARIANT* items = nullptr;
  HRESULT asked = E_NOINTERFACE;
  if ((got.vt == VT_UNKNOWN || got.vt == VT_DISPATCH) && got.punkVal) {
    asked = got.punkVal->QueryInterface(IID_IEnumVARIANT, reinterpret_cast<void**>(&items));
  }
  VariantClear(&got);
  if (FAILED(asked)) throw comError(asked, where + "._NewEnum's IEnumVARIANT");
  std::vector<ComValue> out;
  try {
    for (;;) {
      VARIANT item;
      VariantInit(&item);
      ULONG fetched = 0;
      HRESULT next = items->Next(1, &item, &fetched);
      if (FAILED(next)) throw comError(next, where + " enumeration");
      if (fetched == 0) break;
      try {
        out.push_back(fromVariant(item));
      } catch (...) {
        VariantClear(&item);
        throw;
      }
      VariantClear(&item);
    }
  } catch (...) {
    items->Release();
    throw;
  }
  items->Release();
  return out;
}

using Objects = PluginOwned<std::shared_ptr<ComReference>>;

class ComObjectServer final : public wire::ComObject::Server {
 public:
  ComObjectServer(PluginThread& plugins, HostOutbox& outbox, Objects object, std::string name)
      : plugins_(plugins), outbox_(outbox), object_(kj::mv(object)), name_(std::move(name)) {}

  // [serving thread] A value for the host: each object in it becomes a server of its own.
  static void answerValue(PluginThread& plugins, HostOutbox& outbox, const ComValue& value,
                          wire::ComValue::Builder builder, const std::string& name) {
    toWire(value, builder, [&](const std::shared_ptr<ComReference>& object) {
      return wire::ComObject::Client(kj::heap<ComObjectServer>(
          plugins, outbox, Objects(plugins, std::make_unique<std::shared_ptr<ComReference>>(object)),
          name));
    });
  }

 protected:
  kj::Promise<void> invoke(InvokeContext context) override {
    auto params = context.getParams();
    std::string member = text(params.getMember());
    wire::InvokeKind kind = params.getKind();
    std::vector<ComValue> arguments;
    std::vector<Named> named;
    try {
      for (auto argument : params.getArguments()) arguments.push_back(fromHost(argument));
      for (auto argument : params.getNamed()) {
        named.push_back({text(argument.getName()), fromHost(argument.getValue())});
      }
    } catch (const Error& error) {
      setError(context.getResults().initError(), error);
      return kj::READY_NOW;
    }
    return answer(
        plugins_, outbox_, context,
        [this, member, kind, arguments = std::move(arguments), named = std::move(named)] {
          return bridge32::invoke(dispatch(), name_, member, kind, arguments, named);
        },
        [this](auto& results, ComValue& value) {
          answerValue(plugins_, outbox_, value, results.initResult(), name_);
        });
  }

  kj::Promise<void> enumerate(EnumerateContext context) override {
    return answer(
        plugins_, outbox_, context, [this] { return bridge32::enumerate(dispatch(), name_); },
        [this](auto& results, std::vector<ComValue>& items) {
          auto list = results.initItems(uint32_t(items.size()));
          for (uint32_t i = 0; i < list.size(); ++i) {
            answerValue(plugins_, outbox_, items[i], list[i], name_);
          }
        });
  }

 private:
  // [plugin thread]
  IDispatch* dispatch() const { return static_cast<DispatchObject&>(*object_.get()).get(); }

  // [serving thread] An argument from the host. Objects the host passes back are not yet
  // recognised as the ones this surrogate served.
  static ComValue fromHost(wire::ComValue::Reader reader) {
    return fromWire(reader, [](wire::ComObject::Client) -> std::shared_ptr<ComReference> {
      throw Error(Error::Kind::unsupported,
                  "objects as arguments are not carried yet (only values)");
    });
  }

  PluginThread& plugins_;
  HostOutbox& outbox_;
  Objects object_;
  std::string name_;  // the class's ProgID (or CLSID), for errors
};

class ComClassServer final : public wire::ComClass::Server {
 public:
  ComClassServer(PluginThread& plugins, HostOutbox& outbox, ComClassInfo info)
      : plugins_(plugins), outbox_(outbox), info_(std::move(info)) {}

 protected:
  kj::Promise<void> create(CreateContext context) override {
    return answer(
        plugins_, outbox_, context,
        [this] {
          IDispatch* object = nullptr;
          HRESULT created = CoCreateInstance(info_.clsid, nullptr, CLSCTX_INPROC_SERVER,
                                             IID_IDispatch, reinterpret_cast<void**>(&object));
          if (FAILED(created)) throw comError(created, "creating " + name());
          auto reference = std::make_shared<DispatchObject>(object);
          object->Release();
          return Objects(plugins_, std::make_unique<std::shared_ptr<ComReference>>(
                                       std::move(reference)));
        },
        [this](auto& results, Objects& object) {
          results.setObject(kj::heap<ComObjectServer>(plugins_, outbox_, kj::mv(object), name()));
        });
  }

 private:
  std::string name() const { return info_.progId.empty() ? info_.clsidText : info_.progId; }

  PluginThread& plugins_;
  HostOutbox& outbox_;
  ComClassInfo info_;
};

}  // namespace

kj::Promise<void> ComKind::load(LoadContext context, std::string path) {
  return answer(
      plugins_, outbox_, context,
      [path] {
        // The plugin thread is a single-threaded apartment, dispatching window messages as STA
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
        loaded.setComClass(kj::heap<ComClassServer>(plugins_, outbox_, std::move(info)));
      });
}

#endif

}  // namespace bridge32
