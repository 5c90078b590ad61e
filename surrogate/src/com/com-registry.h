// What the surrogate's COM kind says of classes and failures: a class as the registry
// describes it, and an HRESULT (with an object's EXCEPINFO) as text and as an Error.
#pragma once

#if _WIN32

#include <objbase.h>
#include <oaidl.h>

#include <string>

#include "bridge32/error.h"

namespace bridge32 {

// A class as the registry describes it.
struct ComClassInfo {
  CLSID clsid{};
  std::string clsidText, progId, server, threadingModel;
};

// [module thread] The class `name` names (a ProgID or a {CLSID}), from the registry. Throws
// Error(notFound) for one that is not registered or has no in-process server in this view.
ComClassInfo findClass(const std::string& name);

// "0x8002000F DISP_E_PARAMNOTOPTIONAL: a required argument is missing": the system's text, or
// (Wine has none for most) the name and meaning of the codes late binding meets.
std::string hresultText(HRESULT result);

// The Error for a failed COM call `what`, with what COM said (and the exception it raised).
Error comError(HRESULT result, const std::string& what, const EXCEPINFO* exception = nullptr);

}  // namespace bridge32

#endif
