#include "com/com-registry.h"

#if _WIN32

#include <fmt/format.h>
#include <oleauto.h>

#include "com/type-info.h"
#include "win32.h"

namespace bridge32 {

namespace {

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

}  // namespace

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

ComClassInfo findClass(const std::string& name) {
  ComClassInfo info;
  std::wstring wide = win32::wide(name);
  HRESULT found = name.starts_with("{") ? CLSIDFromString(wide.c_str(), &info.clsid)
                                        : CLSIDFromProgID(wide.c_str(), &info.clsid);
  if (FAILED(found)) {
    throw Error(Error::Kind::notFound, "no COM class is registered as '" + name + "' (" +
                                           hresultText(found) + ")");
  }
  info.clsidText = guidText(info.clsid);
  std::wstring key = L"CLSID\\" + win32::wide(info.clsidText);
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

Error comError(HRESULT result, const std::string& what, const EXCEPINFO* exception) {
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

}  // namespace bridge32

#endif
