// [module thread] What an object's type information (ITypeInfo) says of its members, read into a
// ComTypeInfo: the dispatch view (a dual interface's dispinterface), members callers may call
// (restricted ones left out), parameters as a late-bound caller passes them (no [retval] or
// [lcid]), types as IDL writes them.
#pragma once

#if _WIN32

#include <oaidl.h>

#include <string>

#include "bridge32/com-type.h"

namespace bridge32 {

ComTypeInfo readTypeInfo(ITypeInfo* info);

// The name `info` gives `member` (MEMBERID_NIL: the type's own), or "" when it gives none.
std::string memberName(ITypeInfo* info, MEMBERID member);

// "{EE09B103-97E0-11CF-978F-00A02463E06F}"
std::string guidText(const GUID& guid);

}  // namespace bridge32

#endif
